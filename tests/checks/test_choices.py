"""Multiple choice: one right option, or select all; a select-all answer is never
told which of its options are wrong, nor anything about an option it did not
pick; a question of the bank shows its options in each student's order."""

import numpy as np
import pytest

from cnnbook.checks import ChoiceSpec
from cnnbook.checks.choices import Options
from tests.checks.support import correct, unanswered, wrong

ONE = ChoiceSpec("b", "abcd", {"c": "That is what training keeps."})
ALL = ChoiceSpec(
    ["a", "d"],
    "abcd",
    {
        "a": "Why a holds.",
        "b": "Why b fails.",
        "c": "Why c fails.",
        "d": "Why d holds.",
    },
)


@pytest.mark.parametrize(
    "answer", ["b", "B", "(b)", " b. ", ["b"], ("b",), np.array(["b"])]
)
def test_one_right_option_in_any_spelling(answer):
    assert "(b) is right" in correct(ONE.judge(answer))


def test_one_wrong_option_gets_its_hint():
    wrong(ONE.judge("c"), "(c) is not right.", "That is what training keeps.")
    assert wrong(ONE.judge("a"), "(a) is not right.").endswith("not right.")
    wrong(ONE.judge("e"), "'e' is not among the options a, b, c, d")
    wrong(ONE.judge("a, b"), "exactly one")
    wrong(ONE.judge(2), "letter of an option", "got int 2")
    wrong(ONE.judge({"b": 1}), "letter of an option")
    unanswered(ONE.judge(...))
    unanswered(ONE.judge(""))
    unanswered(ONE.judge("   "))


@pytest.mark.parametrize(
    "answer", ["a, d", "d a", "ad", "a and d", ["D", "a"], {"a", "d"}]
)
def test_select_all(answer):
    assert "(a), (d) are right" in correct(ALL.judge(answer))


@pytest.mark.parametrize(
    ("answer", "counts", "hint"),
    [
        ("a b c d", "2 of the 4 options you picked are not right.", "Why b fails."),
        ("a c d", "1 of the 3 options you picked is not right.", "Why c fails."),
        ("a", "1 more right option is missing.", None),
        ("d", "1 more right option is missing.", None),
        (
            "a b",
            "1 of the 2 options you picked is not right and 1 right option is missing.",
            "Why b fails.",
        ),
        ("b c", "All 2 options you picked are not right and 2 right options", "Why b"),
        (
            "c",
            "The option you picked is not right and 2 right options are missing.",
            "",
        ),
    ],
)
def test_select_all_says_how_many_and_gives_one_hint(answer, counts, hint):
    message = wrong(ALL.judge(answer), counts, hint or "")
    assert "(b)" not in message and "(c)" not in message  # the wrong ones unnamed
    assert sum(h in message for h in ALL.hints.values()) == (hint is not None)
    picked = {letter for letter in "abcd" if letter in answer}
    for label, text in ALL.hints.items():  # only hints about options picked
        assert text not in message or label in picked


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"correct": "e"}, "correct"),
        ({"correct": []}, "correct"),
        ({"options": "a"}, "options"),
        ({"options": "aab"}, "options"),
        ({"hints": {"z": "?"}}, "hints"),
        ({"hints": {"a": 3}}, "hints"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs, arg):
    kwargs = {"correct": "b", "options": "abcd", **kwargs}
    with pytest.raises(ValueError, match=f"^{arg}"):
        ChoiceSpec(**kwargs)


OPTIONS = Options(
    ("first", "second", "third", "fourth"), right=2, hints={0: "Not the first."}
)


def test_options_follow_each_students_order():
    order = (3, 0, 2, 1)
    assert OPTIONS.text(order) == "(a) fourth\n(b) first\n(c) third\n(d) second"
    assert repr(OPTIONS.text(order)) == str(OPTIONS.text(order))  # shown as is
    spec = OPTIONS._spec(order)
    correct(spec.judge("c"))
    wrong(spec.judge("b"), "(b) is not right. Not the first.")
    assert OPTIONS._spec((0, 1, 2, 3)).correct == {"c"}
    assert OPTIONS._spec((2, 0, 1, 3)).correct == {"a"}
    many = Options(("w", "x", "y", "z"), right=[0, 3])
    assert many._spec((3, 2, 1, 0)).correct == {"a", "d"} and many._spec(order).many


@pytest.mark.parametrize(
    "kwargs",
    [
        {"texts": ("only",), "right": 0},
        {"texts": ("a", "b"), "right": 2},
        {"texts": ("a", "b"), "right": 0, "hints": {0: "a hint on the right one"}},
        {"texts": ("a", ""), "right": 0},
    ],
)
def test_bad_options_are_value_errors(kwargs):
    with pytest.raises(ValueError, match="^texts must be"):
        Options(**kwargs)
    with pytest.raises(ValueError, match="^order must be a permutation"):
        OPTIONS.text((0, 1, 2))
