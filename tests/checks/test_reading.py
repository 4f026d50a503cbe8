"""Reading what students write: numbers in every form, their significant digits,
amounts of memory with units, shapes and picked options."""

import decimal
import fractions
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import checks
from cnnbook.checks import choices, reading
from cnnbook.checks.reading import Reading, read_number, read_text
from tests.conftest import examples

MB, MIB = 10**6, 2**20


@pytest.mark.parametrize(
    ("text", "value", "digits"),
    [
        ("903400", 903_400, 4),
        ("903,400", 903_400, 4),
        ("903 400", 903_400, 4),
        ("903_400", 903_400, 4),
        ("12,613,600", 12_613_600, 6),
        ("12,6", 12.6, 3),
        ("12.60", 12.6, 4),
        ("1.2e6", 1.2e6, 2),
        ("1.2E+06", 1.2e6, 2),
        (" 0.0012 ", 0.0012, 2),
        ("87.5%", 0.875, 3),
        ("87.5 %", 0.875, 3),
        ("7/8", 0.875, None),
        ("7 / 8", 0.875, None),
        ("-7/8", -0.875, None),
        ("\u2212" + "5", -5, 1),  # the minus sign of typeset text
        ("\u0663", 3, 1),  # Arabic-Indic three
        ("\uff11\uff12", 12, 2),  # full-width digits
        ("\u0660\u066b\u0668\u0667\u0665", 0.875, 3),  # Arabic decimal separator
        ("1\u00a0234", 1234, 4),
        ("12.", 12, 2),
        (".5", 0.5, 1),
    ],
)
def test_numbers_are_read_in_every_form_with_their_digits(text, value, digits):
    assert read_text(text) == Reading(pytest.approx(value), digits)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "1,2,3", "1/0", "0\n0", "1e400", "inf", "nan", "%", "/", "1/2/3"],
)
def test_what_is_not_a_number_reads_as_none(text):
    assert read_text(text) is None
    assert reading.parse_number(text) is None


@pytest.mark.parametrize(
    ("answer", "value", "digits"),
    [
        (12, 12.0, 2),
        (903_400, 903_400.0, 4),
        (12.0, 12.0, 2),
        (12.6136, 12.6136, 6),
        (np.float64(0.5), 0.5, 1),
        (np.int64(64), 64.0, 2),
        (np.array(3.25), 3.25, 3),
        (fractions.Fraction(7, 8), 0.875, None),
        (decimal.Decimal("14.87"), 14.87, 4),
    ],
)
def test_python_numbers_are_read_with_the_digits_their_repr_shows(
    answer, value, digits
):
    assert read_number(answer) == Reading(value, digits)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (True, "got bool True"),
        (10**400, "is too large to be the answer"),
        (-(10**400), "is too large to be the answer"),
        (float("nan"), "is not a finite number"),
        (decimal.Decimal("Infinity"), "is not a finite number"),
        (1 + 2j, "got complex"),
        (np.zeros(3), "got an array of shape (3,): give one number"),
        ([12.6], "got list [12.6]"),
        (b"12", "got bytes b'12'"),
        ({"a": 1}, "got dict"),
        (lambda: 12, "got function"),
    ],
)
def test_what_is_not_a_number_is_said_in_words(answer, words):
    said = read_number(answer)
    assert isinstance(said, str) and words in said
    assert " at 0x" not in said and "\n" not in said


def test_a_long_or_odd_answer_is_quoted_short_on_one_line():
    assert len(reading.described(10**400)) < 80
    assert "\n" not in reading.described(np.arange(100).reshape(10, 10))

    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    assert reading.described(Hostile()) == "Hostile <Hostile instance>"


@pytest.mark.parametrize(
    ("x", "digits", "rounded", "cut"),
    [
        (12.6136, 2, 13, 12),
        (12.6136, 3, 12.6, 12.6),
        (614_450, 4, 614_500, 614_400),
        (0.000123456, 3, 0.000123, 0.000123),
        (9.96, 2, 10, 9.9),
        (-2.5, 1, -3, -2),
        (1e-5, 1, 1e-5, 1e-5),
    ],
)
def test_rounding_and_cutting_to_significant_digits(x, digits, rounded, cut):
    assert reading.round_sig(x, digits) == pytest.approx(rounded, rel=1e-12)
    assert reading.trunc_sig(x, digits) == pytest.approx(cut, rel=1e-12)


@pytest.mark.parametrize(
    ("answer", "value", "unit", "digits"),
    [
        (12.6, 12.6 * MB, "MB", 3),
        ("12.6", 12.6 * MB, "MB", 3),
        ("12.6 MB", 12.6 * MB, "MB", 3),
        ("12.6mb", 12.6 * MB, "MB", 3),
        ("12,6 MB", 12.6 * MB, "MB", 3),
        ("12 MiB", 12 * MIB, "MiB", 2),
        ("565613600 bytes", 565_613_600, "bytes", 7),
        ("565,613,600 B", 565_613_600, "bytes", 7),
        ("5.656e8 bytes", 5.656e8, "bytes", 4),
        ("12613.6 kB", 12_613_600, "kB", 6),
        ("0.5 GiB", 2**29, "GiB", 1),
        ("100 Mbit", 12.5 * MB, "Mbit", 1),
        ("8 bits", 1, "bits", 1),
        ("\uff11\uff12.6 MB", 12.6 * MB, "MB", 3),
    ],
)
def test_quantities_are_read_in_the_stated_unit(answer, value, unit, digits):
    got = checks.read_quantity(answer, "MB")
    assert got.value == pytest.approx(value) and got.unit == unit
    written = isinstance(answer, str) and any(ch.isalpha() for ch in answer)
    assert got.digits == digits and got.written == written
    assert checks.parse_quantity(answer, "MB")[:2] == (got.value, got.unit)


@pytest.mark.parametrize(
    "answer", ["12.6 furlongs", "MB", "1,2,3 MB", [12.6], "0\n0", 10**400]
)
def test_unreadable_quantities_raise_a_message_for_the_student(answer):
    with pytest.raises(ValueError) as err:
        checks.read_quantity(answer, "MB")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("answer", "shape"),
    [
        ((25, 38, 400), (25, 38, 400)),
        ([25, 38, 400], (25, 38, 400)),
        ((None, 25, 38, 400), (None, 25, 38, 400)),
        (np.array([25, 38, 400]), (25, 38, 400)),
        ((25.0, 38, 400), (25, 38, 400)),
        ("(25, 38, 400)", (25, 38, 400)),
        ("25x38x400", (25, 38, 400)),
        ("[25, 38, 400]", (25, 38, 400)),
        ((25.5, 38, 400), None),
        ((True, 38, 400), None),
        ("shape", None),
        (b"(25, 38)", None),
        ({"h": 25}, None),
        (25, None),
    ],
)
def test_shapes_are_read_from_tuples_lists_arrays_and_text(answer, shape):
    assert reading.as_shape(answer) == shape


def test_a_tensor_shape_is_read():
    import tensorflow as tf

    assert reading.as_shape(tf.TensorShape([None, 8, 8, 3])) == (None, 8, 8, 3)


@pytest.mark.parametrize(
    ("answer", "expected", "stripped", "batch"),
    [
        ((None, 8, 8, 3), (8, 8, 3), (8, 8, 3), True),
        ((1, 8, 8, 3), (8, 8, 3), (8, 8, 3), True),
        ((2, 8, 8, 3), (8, 8, 3), (2, 8, 8, 3), False),
        ((8, 8, 3), (8, 8, 3), (8, 8, 3), False),
    ],
)
def test_a_leading_batch_axis_is_recognised(answer, expected, stripped, batch):
    assert reading.strip_batch(answer, expected) == (stripped, batch)


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("b", {"b"}),
        ("(B)", {"b"}),
        (" b. ", {"b"}),
        ("a, c", {"a", "c"}),
        ("a and c", {"a", "c"}),
        ("a;c", {"a", "c"}),
        ("ac", {"a", "c"}),
        (["A", "c"], {"a", "c"}),
        (("a",), {"a"}),
        ({"a", "d"}, {"a", "d"}),
        (np.array(["a", "d"]), {"a", "d"}),
        ("e", {"e"}),
        (",", None),
        ([], None),
        ([1, 2], None),
        ({"a": 1}, None),
        (2, None),
    ],
)
def test_picked_options(answer, picked):
    assert choices.picked_options(answer, ("a", "b", "c", "d")) == picked


@pytest.mark.parametrize(
    ("answer", "value", "unit"),
    [
        ("8 kbit", 1_000, "kbit"),
        ("8 Gbit", 10**9, "Gbit"),
        ("1 gigabits", 10**9 / 8, "Gbit"),
        ("2 kilobits", 250, "kbit"),
    ],
)
def test_every_bit_unit_has_its_own_factor(answer, value, unit):
    got = checks.read_quantity(answer, "MB")
    assert (got.value, got.unit) == (value, unit)


def test_the_full_width_percent_sign_is_a_percent_sign():
    assert read_text("50\uff05") == Reading(0.5, 1)
    assert read_text("\uff15\uff10\uff05") == Reading(0.5, 1)


# ----------------------------------------------------------- long and hostile text
LONG = reading.MAX_TEXT + 1


@pytest.mark.parametrize(
    ("reader", "text", "read"),
    [
        (read_text, "0" * 9 + "1", Reading(1, 1)),
        (read_number, "0" * 9 + "1", Reading(1, 1)),
        (reading.as_shape, "(1,)" + " " * 6, (1,)),
        (lambda text: choices.picked_options(text, "ab"), "a" + " " * 9, {"a"}),
    ],
)
def test_a_string_over_the_cap_is_not_read(reader, text, read):
    padded = text[:1] * (reading.MAX_TEXT - len(text)) + text
    if text[0] == "(":
        padded = text + " " * (reading.MAX_TEXT - len(text))
    assert len(padded) == reading.MAX_TEXT and reader(padded) == read
    said = reader(padded + " ")
    assert said is None or said == f"this answer is {LONG:,} characters long"


def test_an_amount_over_the_cap_is_refused_with_its_length():
    with pytest.raises(ValueError, match=f"this answer is {LONG:,} characters long"):
        checks.read_quantity("1" * LONG, "MB")
    assert reading.described("x" * LONG).endswith(f"({LONG:,} characters)")
    assert reading.described("x" * reading.MAX_TEXT) == reading.quoted("x" * 41)


def test_a_shape_with_absurd_sizes_is_not_a_shape():
    assert reading.as_shape("(" + "9" * 18 + ", 2)") == (10**18 - 1, 2)
    assert reading.as_shape("(" + "9" * 5000 + ", 2)") is None


def _readers():
    yield read_text
    yield read_number
    yield reading.as_shape
    yield lambda text: choices.picked_options(text, ("a", "b", "c"))
    yield lambda text: reading.read_quantity(text, "MB")


# Every character class the patterns and readers use, and characters they do not.
PIECES = [
    "1", "\u0661", "\uff11", "0", "+", "-", "\u2212", ".", ",", "\u066b", "e", "E",
    " ", "\u00a0", "\u202f", "\t", "\n", "_", "'", "%", "\uff05", "/", "x", "\u00d7",
    "*", "(", ")", "[", "]", ";", "&", "a", "MB", "Gbit", "1,000", "1.5e3", " , ",
]  # fmt: skip


@settings(max_examples=examples(60))
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=3),
    st.sampled_from(PIECES + [""]),
    st.sampled_from(PIECES + [""]),
)
def test_every_reader_is_fast_on_long_adversarial_strings(repeated, middle, end):
    """A string of up to the cap (and past it) made of repeats of the characters
    the patterns use reads in milliseconds: a pattern that backtracks takes
    seconds on such strings (the unit reader took 38 s on 40,000 characters)."""
    unit = "".join(repeated)
    for length in (reading.MAX_TEXT - 10, 4 * reading.MAX_TEXT):
        text = unit * (length // len(unit)) + middle + unit * 3 + end
        for reader in _readers():
            start = time.perf_counter()
            try:
                reader(text)
            except ValueError:
                pass
            assert time.perf_counter() - start < 0.25, (reader, text[:20], len(text))


# The patterns before they were made linear: same language, quadratic time.
BACKTRACKING = {
    "_THOUSANDS": r"[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?",
    "_FLOAT": r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?",
    "_SHAPE_TEXT": r"[\s(\[]*\d+(\s*[,x×*]\s*\d+)*\s*,?[\s)\]]*",
}
SHORT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join) | st.text(
    max_size=12
)


@settings(max_examples=examples(400))
@given(SHORT)
def test_the_linear_patterns_match_what_the_backtracking_ones_matched(text):
    import re

    for name, pattern in BACKTRACKING.items():
        new = getattr(reading, name).fullmatch(text) is not None
        assert new == (re.fullmatch(pattern, text) is not None), (name, text)
    old = re.fullmatch(r"\s*(?P<number>.*?)\s*(?P<unit>[A-Za-z]+)?\s*", text, re.S)
    assert reading._split_unit(text) == (old.group("number"), old.group("unit"))


def test_the_cap_is_the_one_the_readme_states():
    from tests.conftest import REPO

    readme = " ".join((REPO / "README.md").read_text().split())
    assert f"a string longer than {reading.MAX_TEXT:,} characters" in readme
    assert reading.MAX_TEXT == 10_000
