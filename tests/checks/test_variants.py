"""cnnbook.checks.variants: which student's numbers, and their seed."""

import dataclasses

import pytest

from cnnbook.checks import variants


@pytest.fixture(autouse=True)
def _no_student(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("BINDER_REPO_URL", raising=False)
    monkeypatch.delenv(variants.KERNEL_ENV, raising=False)
    variants.set_student(None)
    yield
    variants.set_student(None)


def test_the_default_variant_without_an_id():
    assert variants.student() is None
    assert variants.seed("ch02.params") == variants.seed("ch02.params", None)


def test_each_student_and_question_has_its_own_fixed_seed():
    a = variants.seed("ch02.params", "alice")
    assert a == variants.seed("ch02.params", "alice")
    assert a != variants.seed("ch02.params", "bob")
    assert a != variants.seed("ch02.shapes", "alice")
    assert a != variants.seed("ch02.params")
    assert variants.rng("ch02.params", "alice").random() == (
        variants.rng("ch02.params", "alice").random()
    )


def test_the_order_of_ids_judged_as_then_notebook_then_hub(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    assert variants.student() == "hub-user"
    assert variants.set_student("  typed  ") == "typed"
    assert variants.student() == "typed"
    with variants.as_student("from-folder"):
        assert variants.student() == "from-folder"
        assert variants.seed("q") == variants.seed("q", "from-folder")
    with variants.as_student(None):  # the grader's default variant wins too
        assert variants.student() is None
    assert variants.student() == "typed"


def test_binder_user_names_are_not_ids(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "jovyan-abc123")
    monkeypatch.setenv("BINDER_REPO_URL", "https://github.com/x/y")
    assert variants.student() is None


@pytest.mark.parametrize("bad", ["", "   ", "x" * 101, "a\nb", 42, ["alice"], b"alice"])
def test_bad_ids_are_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="student_id must be a non-empty printable"):
        variants.set_student(bad)
    with pytest.raises(ValueError, match="student_id must be a non-empty printable"):
        variants.seed("ch02.params", bad)
    with pytest.raises(ValueError, match="student_id must be a non-empty printable"):
        with variants.as_student(bad):
            pass


def test_a_question_id_is_required():
    with pytest.raises(ValueError, match="qid must be a question id"):
        variants.seed("")


def test_a_kernel_run_for_a_student_wins_over_the_notebook(monkeypatch):
    variants.set_student("typed-in-the-notebook")
    monkeypatch.setenv(variants.KERNEL_ENV, "from-the-grader")
    assert variants.student() == "from-the-grader"
    with variants.as_student("judged"):
        assert variants.student() == "judged"
    monkeypatch.setenv(variants.KERNEL_ENV, "  ")
    assert variants.student() == "typed-in-the-notebook"
    monkeypatch.setenv(variants.KERNEL_ENV, "bad\nid")
    assert variants.student() is None


@dataclasses.dataclass(frozen=True, repr=False)
class Numbers(variants.Variant):
    size: int

    def lines(self):
        return [f"size = {self.size}"]


def test_draw_gives_the_default_without_an_id_and_a_valid_draw_with_one():
    calls = []

    def make(generator):
        calls.append(1)
        return Numbers(generator.randint(1, 6))

    default = Numbers(100)
    assert variants.draw("test.numbers", make, default) == default and not calls
    with variants.as_student("alice"):
        alice = variants.draw("test.numbers", make, default, lambda v: v.size > 3)
        assert alice.size > 3 and alice.student_id == "alice"
        count = len(calls)
        again = variants.draw("test.numbers", make, default, lambda v: v.size > 3)
        assert again is alice and len(calls) == count  # drawn once
    with variants.as_student("nobody-valid"):
        fallback = variants.draw("test.never", make, default, lambda v: False)
        assert fallback == dataclasses.replace(default, student_id="nobody-valid")
    assert repr(alice) == "Your numbers, for student id 'alice':\n- size = " + str(
        alice.size
    )
    assert repr(default).startswith("The default numbers (no student id set")


def test_shuffled_orders_are_permutations_fixed_by_the_generator():
    import random

    orders = variants.shuffled(random.Random(3), {"one": 4, "two": 6})
    assert sorted(orders["one"]) == [0, 1, 2, 3] and sorted(orders["two"]) == list(
        range(6)
    )
    assert orders == variants.shuffled(random.Random(3), {"one": 4, "two": 6})
    with pytest.raises(ValueError, match="^name must be one of the choice questions"):
        Numbers(1).options("nothing")
