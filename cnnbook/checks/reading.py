"""Reading what students write: numbers, amounts of memory, shapes, options.

Every reader here is total: it returns ``None`` (or raises ``ValueError`` with a
message meant for the student, for :func:`read_quantity`) instead of failing on
odd input, so a check can always answer with feedback.

Numbers may be written as Python writes them (``1.2e6``), with thousands
separators (``12,613,600``, ``903 400``), a decimal comma (``12,6``), in any
script's digits (``١٢``, ``１２``), as a fraction (``7/8``) or a percentage
(``87.5%``). A reading keeps how many significant digits were written, so a
check can tell a rounded answer from a wrong one. ``cnnbook/widgets/answers.js``
reads typed answers the same way in the page (tests/widgets/test_answers_js.py).

Every reader takes time linear in the answer's length: no pattern has two
quantifiers that can match the same characters (the patterns use possessive
quantifiers, which never backtrack), and a string longer than
:data:`MAX_TEXT` is refused with its length before anything reads it.
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
import unicodedata
from dataclasses import dataclass

from cnnbook.units import BYTE_UNITS

__all__ = [
    "ALIASES",
    "MAX_TEXT",
    "QUESTION_UNITS",
    "TWIN_UNITS",
    "UNITS",
    "UNIT_MEANING",
    "UNIT_OF",
    "Quantity",
    "Reading",
    "as_number",
    "as_shape",
    "ascii_digits",
    "check_unit",
    "described",
    "digit_unit",
    "parse_number",
    "parse_quantity",
    "quoted",
    "read_number",
    "read_quantity",
    "read_text",
    "round_sig",
    "strip_batch",
    "too_long",
    "trunc_sig",
]

# Bytes per unit: the byte units of cnnbook.tables (which a question may ask for),
# plus bits, which only a student's answer may use.
UNITS = {
    **BYTE_UNITS,
    "bits": 1 / 8,
    "kbit": 10**3 / 8,
    "Mbit": 10**6 / 8,
    "Gbit": 10**9 / 8,
}
QUESTION_UNITS = tuple(BYTE_UNITS)
UNIT_MEANING = {
    "bytes": "bytes",
    "kB": "kilobytes, 10^3 bytes",
    "MB": "megabytes, 10^6 bytes",
    "GB": "gigabytes, 10^9 bytes",
    "KiB": "kibibytes, 2^10 bytes",
    "MiB": "mebibytes, 2^20 bytes",
    "GiB": "gibibytes, 2^30 bytes",
    "bits": "bits, 1/8 byte",
    "kbit": "kilobits, 10^3 bits",
    "Mbit": "megabits, 10^6 bits",
    "Gbit": "gigabits, 10^9 bits",
}
# How students write them (compared case-insensitively): "b" and "mb" are bytes.
ALIASES = {
    "bytes": ("b", "byte", "bytes"),
    "kB": ("kb", "kbyte", "kbytes", "kilobyte", "kilobytes"),
    "MB": ("mb", "mbyte", "mbytes", "megabyte", "megabytes"),
    "GB": ("gb", "gbyte", "gbytes", "gigabyte", "gigabytes"),
    "KiB": ("kib", "kibibyte", "kibibytes"),
    "MiB": ("mib", "mebibyte", "mebibytes"),
    "GiB": ("gib", "gibibyte", "gibibytes"),
    "bits": ("bit", "bits"),
    "kbit": ("kbit", "kbits", "kilobit", "kilobits"),
    "Mbit": ("mbit", "mbits", "megabit", "megabits"),
    "Gbit": ("gbit", "gbits", "gigabit", "gigabits"),
}
UNIT_OF = {alias: unit for unit, aliases in ALIASES.items() for alias in aliases}
TWIN_UNITS = {
    "kB": "KiB",
    "KiB": "kB",
    "MB": "MiB",
    "MiB": "MB",
    "GB": "GiB",
    "GiB": "GB",
}
EXACT = 1e-9  # relative slack for "exact" comparisons of floats such as 903400.0

# Characters other scripts or keyboards use for the signs a number may carry.
SIGNS = {"\u2212": "-", "\uff0d": "-", "\uff0b": "+", "\uff05": "%", "\u2044": "/"}
SIGNS |= {"\uff0f": "/", "\u066b": ".", "\u066c": ","}


@dataclass(frozen=True)
class Reading:
    """A number as a student wrote it: its value and its significant digits
    (``None`` when it is exact, such as ``7/8``)."""

    value: float
    digits: int | None


@dataclass(frozen=True)
class Quantity:
    """An amount of memory as a student wrote it: ``value`` in bytes, the unit
    it was read in, whether that unit was written, and the significant digits."""

    value: float
    unit: str
    written: bool
    digits: int | None

    @property
    def shown(self) -> float:
        """The number as written, in :attr:`unit`."""
        return self.value / UNITS[self.unit]


def check_unit(unit: object) -> str:
    if isinstance(unit, str):
        canonical = UNIT_OF.get(unit.strip().lower())
        if canonical in QUESTION_UNITS:
            return canonical
    raise ValueError(f"unit must be one of {list(QUESTION_UNITS)}, got {unit!r}")


# ------------------------------------------------------------------ numbers
MAX_TEXT = 10_000
"""The longest string read as a number, an amount, a shape or options; a longer
one is answered with its length (no answer is that long)."""

# Possessive quantifiers (``++``, ``*+``, ``?+``): each is followed by characters
# it cannot match, so they match what greedy ones would, without backtracking.
_THOUSANDS = re.compile(
    r"[-+]?+[1-9]\d{0,2}+(?:,\d{3})++(?:\.\d*+)?+(?:[eE][-+]?+\d++)?+"
)
_FLOAT = re.compile(r"[-+]?+(?:\d++(?:\.\d*+)?+|\.\d++)(?:[eE][-+]?+\d++)?+")
_GROUPING = re.compile(r"(?<=\d)[ _'\u00a0\u202f](?=\d)")


def too_long(text: str) -> str | None:
    """Why a string is too long to read ("this answer is 150,000 characters
    long"), or None."""
    if len(text) <= MAX_TEXT:
        return None
    return f"this answer is {len(text):,} characters long"


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit ('١٢' and '１２' read as '12'), and
    the other scripts' minus, percent and fraction signs as ASCII."""
    return "".join(
        str(unicodedata.decimal(ch))
        if ch.isdecimal() and not ch.isascii()
        else SIGNS.get(ch, ch)
        for ch in text
    )


def significant_digits(literal: str) -> int:
    """Significant digits of a plain decimal literal ('12.60' has 4, '12000' 2)."""
    mantissa = literal.lower().partition("e")[0].lstrip("+-")
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
    else:
        digits = mantissa.lstrip("0").rstrip("0")
    return max(len(digits), 1)


def _plain(text: str) -> Reading | None:
    """A number without fraction or percent sign; None if it is not one."""
    text = _GROUPING.sub("", text.strip())
    if "," in text:
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma: 12,6
        else:
            return None
    if not _FLOAT.fullmatch(text):
        return None
    value = float(text)
    return Reading(value, significant_digits(text)) if math.isfinite(value) else None


def read_text(text: str) -> Reading | None:
    """A finite number written in a string (see the module docstring); None if
    the string holds no such number (or is longer than :data:`MAX_TEXT`)."""
    if too_long(text):
        return None
    text = ascii_digits(text).strip()
    if text.endswith("%"):
        reading = _plain(text[:-1])
        if reading is None:
            return None
        return Reading(reading.value / 100, reading.digits)
    if text.count("/") == 1:
        top, bottom = (_plain(part) for part in text.split("/"))
        if top is None or bottom is None or bottom.value == 0:
            return None
        value = top.value / bottom.value
        return Reading(value, None) if math.isfinite(value) else None
    return _plain(text)


def parse_number(text: str) -> float | None:
    """The value of :func:`read_text`, or None."""
    reading = read_text(text)
    return None if reading is None else reading.value


_SHORT = reprlib.Repr()  # keyword arguments need Python 3.12
_SHORT.maxlong, _SHORT.maxother, _SHORT.maxstring = 40, 60, 40
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxfrozenset = 6
_SHORT.maxdict = 4


QUOTED = 40
"""The most characters of a string a message quotes."""


def quoted(text: str) -> str:
    """A string as a message quotes it: its repr, cut to :data:`QUOTED`
    characters (answers.js quotes typed answers the same way)."""
    return repr(text if len(text) <= QUOTED else text[: QUOTED - 3] + "...")


def described(answer: object) -> str:
    """An answer as a message quotes it: a string by :func:`quoted` (with its
    length when it is longer than :data:`MAX_TEXT`), anything else as its
    type and a repr cut to a few dozen characters (a 400-digit integer, an
    array, a model)."""
    if isinstance(answer, str):
        if too_long(answer):
            return f"{quoted(answer)} ({len(answer):,} characters)"
        return quoted(answer)
    kind = type(answer).__name__
    try:
        text = _SHORT.repr(answer)
    except Exception:  # a student's object whose repr raises
        text = f"<{kind}>"
    text = " ".join(text.split())  # one line: an array's repr spans several
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # no memory addresses
    if len(text) > 60:
        text = text[:28] + "..." + text[-28:]
    return f"{kind} {text}"


def _float_digits(value: float) -> int:
    text = repr(float(value))
    return significant_digits(text[:-2] if text.endswith(".0") else text)


def read_number(answer: object) -> Reading | str:
    """A finite number from a student's answer, or why it is not one (the end
    of a sentence: "got str 'abc'", "is not a finite number")."""
    if isinstance(answer, bool):
        return f"got {described(answer)}"
    if isinstance(answer, str):
        length = too_long(answer)
        if length:
            return length
        reading = read_text(answer)
        return reading if reading is not None else f"got {described(answer)}"
    if isinstance(answer, numbers.Integral):
        try:
            value = float(answer)
        except (OverflowError, TypeError, ValueError):
            return f"{described(answer)} is too large to be the answer"
        text = str(abs(int(answer))) if abs(value) < 1e300 else "1"
        return Reading(value, significant_digits(text))
    if isinstance(answer, numbers.Rational):  # fractions.Fraction: exact
        try:
            return Reading(float(answer), None)
        except (OverflowError, TypeError, ValueError, ZeroDivisionError):
            return f"{described(answer)} is too large to be the answer"
    if isinstance(answer, (numbers.Real, numbers.Number)):
        try:
            value = float(answer)  # decimal.Decimal, NumPy floats
        except (OverflowError, TypeError, ValueError):
            return f"got {described(answer)}"
        if not math.isfinite(value):
            return f"{described(answer)} is not a finite number"
        return Reading(value, _float_digits(value))
    shape = _array_shape(answer)
    if shape == ():
        try:
            item = answer.item()  # type: ignore[attr-defined]
        except Exception:  # a student's object whose item() raises
            return f"got {described(answer)}"
        return (
            read_number(item)
            if _array_shape(item) is None
            else f"got {described(item)}"
        )
    if shape is not None:
        return f"got an array of shape {shape}: give one number"
    return f"got {described(answer)}"


def _array_shape(answer: object) -> tuple | None:
    """The shape of a NumPy-like array (with ``item``), or None."""
    try:
        shape = getattr(answer, "shape", None)
        if callable(getattr(answer, "item", None)) and isinstance(shape, tuple):
            return shape
    except Exception:  # a student's object whose attributes raise
        pass
    return None


def as_number(answer: object) -> float | None:
    """A finite float from a real number or a string; None for anything else
    (bools, NaN, infinity, an integer beyond the float range)."""
    reading = read_number(answer)
    return reading.value if isinstance(reading, Reading) else None


def read_quantity(answer: object, unit: str = "MB") -> Quantity:
    """An amount of memory from a number or a string.

    A plain number (or a string without a unit) is read in ``unit``; a string
    may name its own unit: ``"12.6 MB"``, ``"12 MiB"``, ``"565,613,600 bytes"``,
    ``"100 Mbit"`` (units are matched case-insensitively; "b" means bytes).
    Raises ValueError with a student-facing message when it cannot be read.
    """
    unit = check_unit(unit)
    if isinstance(answer, str):
        length = too_long(answer)
        if length:
            raise ValueError(f"{length}; a number such as '3.5 {unit}' is expected")
        number_text, written = _split_unit(answer)
        reading = read_text(number_text) if number_text else None
        if reading is None:
            raise ValueError(
                f"could not read a number in {quoted(answer)}; write e.g. 3.5 or "
                f"'3.5 {unit}'"
            )
        if written is None:
            return Quantity(reading.value * UNITS[unit], unit, False, reading.digits)
        understood = UNIT_OF.get(written.lower())
        if understood is None:
            raise ValueError(
                f"could not read the unit {quoted(written)} in {quoted(answer)}; use "
                "one of "
                f"{', '.join(QUESTION_UNITS)}"
            )
        value = reading.value * UNITS[understood]
        return Quantity(value, understood, True, reading.digits)
    reading = read_number(answer)
    if isinstance(reading, str):
        raise ValueError(
            f"expected a number (in {unit}) or a string such as '12.6 {unit}'; "
            f"{reading}"
        )
    return Quantity(reading.value * UNITS[unit], unit, False, reading.digits)


def _split_unit(text: str) -> tuple[str, str | None]:
    """(number, unit) of "12.6 MB": the unit is the run of ASCII letters at the
    end, the number what comes before it, white space trimmed ("MB" gives an
    empty number, "12" no unit)."""
    text = text.strip()
    start = len(text)
    while start and text[start - 1].isascii() and text[start - 1].isalpha():
        start -= 1
    return text[:start].rstrip(), text[start:] or None


def parse_quantity(answer: object, unit: str = "MB") -> tuple[float, str, bool]:
    """``(bytes, unit understood, unit written)``: :func:`read_quantity`'s reading."""
    quantity = read_quantity(answer, unit)
    return quantity.value, quantity.unit, quantity.written


# ------------------------------------------------------------------ precision
# Powers of ten are parsed, not computed, and scaling multiplies or divides by an
# exact power: answers.js repeats these steps and gets the same doubles.
def _ten(power: int) -> float:
    return float(f"1e{power}")


def _exponent(x: float) -> int:
    """The decimal exponent of ``x``'s first significant digit (x != 0)."""
    return int(f"{abs(x):.16e}".partition("e")[2])


def digit_unit(x: float, digits: int) -> float:
    """One unit of the ``digits``-th significant digit of ``x`` (x != 0)."""
    return _ten(_exponent(x) - digits + 1)


def _shorten(x: float, digits: int, step) -> float:
    if x == 0:
        return 0.0
    k = digits - 1 - _exponent(x)
    if k >= 0:
        return math.copysign(step(abs(x) * _ten(k)) / _ten(k), x)
    return math.copysign(step(abs(x) / _ten(-k)) * _ten(-k), x)


def round_sig(x: float, digits: int) -> float:
    """``x`` rounded (half away from zero) to ``digits`` significant digits."""
    return _shorten(x, digits, lambda v: math.floor(v + 0.5))


def trunc_sig(x: float, digits: int) -> float:
    """``x`` cut (towards zero) to ``digits`` significant digits."""
    return _shorten(x, digits, lambda v: math.floor(v * (1 + 1e-12)))


# ------------------------------------------------------------------ shapes
_SHAPE_TEXT = re.compile(r"[\s(\[]*+\d++(?:\s*+[,x×*]\s*+\d++)*+(?:\s*+,)?+[\s)\]]*+")
_DIGITS = re.compile(r"\d+")
MAX_SHAPE_DIGITS = 18
"""Digits of the largest size a shape string may hold (no axis is that long)."""


def as_shape(answer: object) -> tuple | None:
    """A shape (a tuple of ints and ``None``) from a tuple, list, array,
    TensorShape or a string such as ``'(25, 38, 400)'`` or ``'25x38x400'``;
    None for anything else."""
    if isinstance(answer, str):
        if too_long(answer):
            return None
        text = ascii_digits(answer)
        if not _SHAPE_TEXT.fullmatch(text):
            return None
        sizes = _DIGITS.findall(text)
        if any(len(size) > MAX_SHAPE_DIGITS for size in sizes):
            return None
        return tuple(int(n) for n in sizes)
    if not isinstance(answer, (tuple, list)):
        try:
            if callable(getattr(answer, "as_list", None)):  # a TensorShape
                answer = answer.as_list()
            elif callable(getattr(answer, "tolist", None)):  # a NumPy array
                answer = answer.tolist()
        except Exception:  # a student's object whose methods raise
            return None
        if not isinstance(answer, (tuple, list)):
            return None
    items = []
    for item in answer:
        if item is None:
            items.append(None)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            items.append(int(item))
        elif isinstance(item, float) and item.is_integer() and abs(item) < 2**53:
            items.append(int(item))  # 100.0 from a division
        else:
            return None
    return tuple(items)


def strip_batch(answer: tuple, expected: tuple) -> tuple[tuple, bool]:
    """``answer`` without a leading batch axis (``None`` or 1), and whether it
    had one."""
    if len(answer) == len(expected) + 1 and answer[0] in (None, 1):
        return answer[1:], True
    return answer, False
