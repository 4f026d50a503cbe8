"""Numbers and amounts of memory: right answers within the tolerance the question
asks for, rounded answers asked for digits, slips named only when the answer
fits them better than anything else, and the specs' own arguments checked."""

import pytest

from cnnbook import checks
from cnnbook.checks import NumberSpec, QuantitySpec
from tests.checks.support import correct, unanswered, wrong

MB, MIB = 10**6, 2**20


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    "answer", [903_400, 903400.0, "903,400", "903 400", "903_400", "9.034e5"]
)
def test_a_count_is_read_in_many_forms(answer):
    assert "matches exactly" in correct(NumberSpec(903_400).judge(answer))


@pytest.mark.parametrize(
    "answer", [0.875, "7/8", "87.5%", "0,875", "\u0660.\u0668\u0667\u0665"]
)
def test_a_fraction_is_read_as_a_fraction_a_percentage_or_a_decimal(answer):
    correct(NumberSpec(7 / 8, rel_tol=0.01).judge(answer))


def test_tolerance_slips_and_scale_hints():
    spec = NumberSpec(3.14159, rel_tol=0.01, hint="Revisit the circle.")
    correct(spec.judge(3.14))
    wrong(spec.judge(2.5), "2.5 is too low. Revisit the circle.")
    wrong(NumberSpec(6, mistakes=[(7, "Off by one.")]).judge(7), "Off by one.")
    wrong(NumberSpec(903_400).judge(903.4), "count in thousands")
    wrong(NumberSpec(903_400).judge(0.9034), "count in millions")
    wrong(NumberSpec(2.2, rel_tol=0.02).judge(2_200_000), "a million times too large")
    wrong(NumberSpec(0.875, rel_tol=0.01).judge(87.5), "looks like a percentage")
    wrong(NumberSpec(1e-4, rel_tol=1e-6).judge(0.01), "too high")  # not a percentage
    wrong(NumberSpec(903_400).judge("lots"), "should be a number", "got 'lots'")
    wrong(NumberSpec(1).judge(True), "should be a number", "got bool True")
    wrong(NumberSpec(1).judge(10**400), "too large to be the answer")
    unanswered(NumberSpec(1).judge(...))
    unanswered(NumberSpec(1).judge(None))


def test_an_answer_rounded_too_far_is_asked_for_digits_not_told_a_slip():
    spec = NumberSpec(12.61, rel_tol=0.01, mistakes=[(12.03, "Mebibytes?")])
    wrong(spec.judge(12), "12 is too rounded to be checked within 1%", "at least 3")
    wrong(spec.judge("13"), "too rounded")
    wrong(spec.judge(12.0), "too rounded")  # a float shows the digits of its repr
    wrong(spec.judge("12.0"), "Mebibytes?")  # three digits: 12.03, not 12.61
    wrong(NumberSpec(903_450).judge(903_000), "looks rounded: give the exact number")


def test_an_answer_equal_to_a_slip_gets_its_hint_even_when_it_looks_rounded():
    spec = NumberSpec(614_450, mistakes=[(614_400, "The biases are missing.")])
    wrong(spec.judge(614_400), "The biases are missing.")
    wrong(spec.judge(614_000), "looks rounded")


def test_a_hint_needs_the_answer_nearer_the_slip_than_the_right_value():
    spec = NumberSpec(100, rel_tol=0.05, mistakes=[(108, "A slip.")])
    wrong(spec.judge(106), "A slip.")  # 1.9% from the slip, 6% from the answer
    assert "A slip." not in wrong(spec.judge(114), "too high")
    two = NumberSpec(100, rel_tol=0.05, mistakes=[(110, "Ten."), (112, "Twelve.")])
    wrong(two.judge(111.5), "Twelve.")
    wrong(two.judge(110.5), "Ten.")


def test_slips_that_cannot_be_told_from_the_answer_or_each_other_are_dropped():
    spec = NumberSpec(
        100,
        rel_tol=0.05,
        mistakes=[(102, "Too close."), (120, "First."), (120, "Twin.")],
    )
    assert [m.hint for m in spec.mistakes] == ["First."]


def test_digits_asked_for_are_what_the_answer_is_judged_to():
    spec = NumberSpec(14.866752773556597, digits=4, what="the value")
    for answer in (14.87, "14.87", 14.866752773556597, 14.86, "14.8668"):
        assert "matches to 4 significant digits" in correct(spec.judge(answer))
    wrong(spec.judge(14.9), "14.9 has 3 significant digits", "at least 4")
    wrong(spec.judge(15), "15 has 2 significant digits")
    wrong(spec.judge(14.88), "too high")


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"rel_tol": -0.1}, "rel_tol"),
        ({"rel_tol": 1.5}, "rel_tol"),
        ({"expected": "12"}, "expected"),
        ({"expected": float("inf")}, "expected"),
        ({"mistakes": [3]}, "mistakes"),
        ({"mistakes": [(1, 2)]}, "mistakes"),
        ({"digits": 0}, "digits"),
        ({"digits": 3, "expected": 0}, "digits"),
        ({"hint": 3}, "hint"),
    ],
)
def test_number_specs_refuse_bad_arguments(kwargs, arg):
    kwargs = {"expected": 12, **kwargs}
    with pytest.raises(ValueError, match=f"^{arg}"):
        NumberSpec(**kwargs)


# --------------------------------------------------------------------------- memory
def test_quantity_says_which_unit_it_understood():
    spec = QuantitySpec(12_613_600, "MB")
    assert "read in MB (megabytes, 10^6 bytes)" in correct(spec.judge(12.6))
    assert "read as 12 MiB (mebibytes, 2^20 bytes)" in correct(spec.judge("12 MiB"))
    assert "read as 12,613,600 bytes" in correct(spec.judge("12613600 bytes"))
    wrong(spec.judge(12.03), "right amount in MiB, not in MB")
    wrong(spec.judge("12.61 MiB"), "right amount in MB, not in MiB")
    wrong(spec.judge(12_613_600), "right amount in bytes: convert it to MB")
    wrong(spec.judge("12,613,600"), "right amount in bytes")
    wrong(QuantitySpec(12_613_600, rel_tol=0.05).judge(15), "more than 5% too high")
    wrong(spec.judge("0\n0"), "Could not read a number in '0\\n0'")
    wrong(spec.judge(10**400), "too large to be the answer")
    wrong(spec.judge([12.6]), "Expected a number")


def test_12_mb_is_too_rounded_not_mebibytes_by_coincidence():
    """12 MiB is 12.58 MB, within 1% of 12.61 MB: '12' is 12.61 cut to two
    digits as much as it is 12.03 rounded, so it is asked for digits."""
    spec = QuantitySpec(12_613_600, "MB", mistakes=[(14_133_600, "Every map.")])
    for answer in ("12 MB", "12", 12, "13"):
        message = wrong(spec.judge(answer), "at least 3 significant digits")
        assert "MiB" not in message.partition(".")[2]
    wrong(spec.judge("14.1 MB"), "Every map.")
    wrong(spec.judge("0.01 GB"), "too rounded")


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"unit": "furlongs"}, "unit"),
        ({"unit": "bits"}, "unit"),
        ({"unit": None}, "unit"),
        ({"rel_tol": -0.01}, "rel_tol"),
    ],
)
def test_quantity_specs_refuse_bad_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=f"^{arg} must be"):
        QuantitySpec(12_613_600, **kwargs)


def test_the_generic_checks_judge_with_the_specs():
    assert checks.number("7/8", 0.875, rel_tol=0.01).correct
    assert checks.quantity("12.6 MB", 12_613_600).correct
    assert checks.number(14.87, 14.8668, digits=4).correct
