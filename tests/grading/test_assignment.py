"""Sources read as assignments: questions, ids, points, the bank, the samples."""

import nbformat
import pytest

from cnnbook.authoring.exercises import check_cells
from cnnbook.checks import bank, ch03
from cnnbook.checks.specs import NumberSpec
from cnnbook.grading.assignment import Assignment, chapter_of, load_assignments
from cnnbook.grading.samples import answered, expected_points, question_of_cells
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx


@pytest.fixture
def bank_question():
    """A question declared in the bank for this test only, as ch03.fixture."""

    def fixture():
        """The fixture's bank question."""
        return NumberSpec(42, what="the answer")

    fixture.__module__ = "cnnbook.checks.ch03"
    question = bank.question(points=3)(fixture)
    ch03.fixture = question
    yield question
    del ch03.fixture
    del bank.BANK["ch03.fixture"]


def test_check_cells_are_questions_with_ids_and_points():
    assignment = Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)
    assert assignment.chapter == "ch09"
    assert [c.qid for c in assignment.checks] == [
        "ch09.q1-check",
        "ch09.q2-check",
        "ch05.my_lrn",
        "ch09.q4-check",
    ]
    assert [c.points for c in assignment.checks] == [1, 2, 3, 1]
    assert assignment.max_points == 7
    assert [c.answer for c in assignment.checks] == [
        "answer",
        "pick",
        "my_lrn",
        "shape",
    ]
    assert [c.bank is None for c in assignment.checks] == [True, True, False, True]
    assert [c.code_answer for c in assignment.checks] == [False, False, True, False]
    assert assignment.solution_cells == {
        "q1-answer",
        "q2-answer",
        "q3-answer",
        "q4-answer",
        "why",
    }
    assert "answer = ...  # YOUR ANSWER HERE" in assignment.exercise.cells[2].source


def test_a_bank_question_brings_its_id_and_points(bank_question):
    nb = fx.fixture_notebook()
    nb.cells[3].source = "checks.ch03.fixture(answer)"
    assignment = Assignment.from_notebook(nb, fx.NAME)
    first = assignment.checks[0]
    assert (first.qid, first.points, first.bank) == ("ch03.fixture", 3, "ch03.fixture")
    nb.cells[3].metadata["cnnbook"] = {"points": 5}
    assert Assignment.from_notebook(nb, fx.NAME).checks[0].points == 5


def test_a_bank_question_called_with_more_than_the_answer_is_its_own_question(
    bank_question,
):
    nb = fx.fixture_notebook()
    nb.cells[3].source = "checks.ch03.fixture(answer, 3)"
    check = Assignment.from_notebook(nb, fx.NAME).checks[0]
    assert (check.qid, check.bank, check.points) == ("ch09.q1-check", None, 1)


def test_bad_points_in_metadata_are_refused():
    nb = fx.fixture_notebook()
    nb.cells[3].metadata["cnnbook"] = {"points": -1}
    with pytest.raises(ValueError, match="points must be a non-negative integer"):
        Assignment.from_notebook(nb, fx.NAME)


def test_chapter_names():
    assert chapter_of("02_counting_parameters_and_memory") == "ch02"
    assert chapter_of("notes") == "notes"


def test_every_real_source_is_an_assignment_with_all_its_check_cells():
    assignments = load_assignments(REPO / "notebooks")
    assert len(assignments) == len(list((REPO / "notebooks").glob("*.ipynb")))
    for name, assignment in assignments.items():
        source = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
        assert len(assignment.checks) == len(check_cells(source)) > 0, name
        assert len({c.qid for c in assignment.checks}) == len(assignment.checks)
        assert all(c.answer for c in assignment.checks), name
        for check in assignment.checks:
            if check.bank:
                assert bank.BANK[check.bank].points == check.points


def test_samples_answer_the_first_questions_right():
    assignment = Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)
    owners = question_of_cells(assignment)
    assert owners["q1-answer"] == 0 and owners["q4-answer"] == 3
    half = answered(assignment.exercise, assignment, 2)
    sources = {cell.id: cell.source for cell in half.cells}
    assert sources["q1-answer"] == "answer = base + 2"
    assert sources["q4-answer"] == "shape = -1"
    assert expected_points(assignment, 2) == 3
    with pytest.raises(ValueError, match="right must be a non-negative integer"):
        answered(assignment.exercise, assignment, -1)
