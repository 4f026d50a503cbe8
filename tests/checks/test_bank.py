"""The question bank's mechanics: ids, points, specs built once, never raising."""

import pytest

from cnnbook.checks import NumberSpec, bank
from cnnbook.checks.bank import Question, question


@pytest.fixture
def scratch_bank(monkeypatch):
    monkeypatch.setattr(bank, "BANK", {})
    return bank.BANK


def test_a_question_is_named_after_its_module_and_judges_with_its_spec(scratch_bank):
    built = []

    @question(points=3)
    def stride():
        """1a: the stride of the second layer."""
        built.append(1)
        return NumberSpec(2, what="the stride")

    assert isinstance(stride, Question)
    assert stride.qid == "test_bank.stride" and stride.points == 3
    assert stride.title == "1a: the stride of the second layer."
    assert scratch_bank == {"test_bank.stride": stride}
    assert stride(2).correct and not stride(3).correct
    assert stride().status == "unanswered" and stride(None).status == "unanswered"
    assert built == [1]  # the spec is built once


def test_a_judge_that_raises_is_feedback_not_a_traceback(scratch_bank):
    class Fragile:
        def judge(self, answer):
            raise RuntimeError("a bug")

    @question()
    def fragile():
        return Fragile()

    feedback = fragile(1)
    assert feedback.status == "incorrect" and "could not be checked" in feedback.message


def test_bad_declarations_are_value_errors(scratch_bank):
    with pytest.raises(ValueError, match="points must be a positive integer"):
        question(points=0)

    @question()
    def twice():
        return NumberSpec(1)

    with pytest.raises(ValueError, match="declared twice"):
        question()(twice._make_spec)
    with pytest.raises(ValueError, match="chapter must be one of"):
        bank.questions("ch99")


def test_questions_come_in_the_order_of_the_chapters_and_the_notebooks():
    ids = [q.qid for q in bank.questions()]
    assert [i.partition(".")[0] for i in ids] == sorted(
        i.partition(".")[0] for i in ids
    )
    assert [q.qid for q in bank.questions("ch03")][:2] == [
        "ch03.adam_gb",
        "ch03.momentum_gb",
    ]
    assert [q.qid for q in bank.questions("ch07")][:2] == ["ch07.field", "ch07.jump"]
    assert bank.CHAPTERS == tuple(f"ch{n:02d}" for n in range(1, 8))
