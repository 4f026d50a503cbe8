"""Reading what students write: numbers, amounts of memory, shapes, options.

Every reader here is total: it returns ``None`` (or raises ``ValueError`` with a
message meant for the student, for :func:`parse_quantity`) instead of failing
on odd input, so a check can always answer with feedback.
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
import unicodedata
from collections.abc import Sequence

from cnnbook.units import BYTE_UNITS

__all__ = [
    "ALIASES",
    "QUESTION_UNITS",
    "TWIN_UNITS",
    "UNITS",
    "UNIT_MEANING",
    "UNIT_OF",
    "as_number",
    "as_shape",
    "check_unit",
    "join_options",
    "option_label",
    "parse_number",
    "parse_quantity",
    "picked_options",
    "strip_batch",
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


def check_unit(unit: object) -> str:
    if isinstance(unit, str):
        canonical = UNIT_OF.get(unit.strip().lower())
        if canonical in QUESTION_UNITS:
            return canonical
    raise ValueError(f"unit must be one of {list(QUESTION_UNITS)}, got {unit!r}")


_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?")
# DOTALL, as live_check.js reads it (/s): a newline belongs to the number part.
_SPLIT = re.compile(r"\s*(?P<number>.*?)\s*(?P<unit>[A-Za-z]+)?\s*", re.DOTALL)


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit: '١٢' and '１２' read as '12'."""
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        for ch in text
    )


def parse_number(text: str) -> float | None:
    """A finite number written as Python, with thousands separators or a decimal
    comma, in any script's digits; None if it is not one."""
    text = ascii_digits(text)
    text = re.sub(r"(?<=\d)[ _'\u00a0\u202f](?=\d)", "", text.strip())
    if "," in text:
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma: 12,6
        else:
            return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_SHORT = reprlib.Repr()  # keyword arguments need Python 3.12
_SHORT.maxlong, _SHORT.maxother, _SHORT.maxstring = 40, 60, 40
_SHORT.maxlist = _SHORT.maxtuple = 6
_SHORT.maxdict = 4


def described(answer: object) -> str:
    """An answer as a message quotes it: a string whole (the page quotes it the
    same way), anything else as its type and a repr cut to a few dozen
    characters (a 400-digit integer, an array, a model)."""
    if isinstance(answer, str):
        return repr(answer)
    try:
        text = _SHORT.repr(answer)
    except Exception:  # a student's object whose repr raises
        text = f"<{type(answer).__name__}>"
    if len(text) > 60:
        text = text[:28] + "..." + text[-28:]
    return f"{type(answer).__name__} {text}"


def as_number(answer: object) -> float | None:
    """A finite float from a real number or a string; None for anything else
    (bools, NaN, infinity, an integer beyond the float range)."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, numbers.Real):
        try:
            value = float(answer)
        except (OverflowError, TypeError, ValueError):
            return None
        return value if math.isfinite(value) else None
    if isinstance(answer, str):
        return parse_number(answer)
    return None


def parse_quantity(answer: object, unit: str = "MB") -> tuple[float, str, bool]:
    """``(bytes, unit understood, unit written)`` for a number or a string.

    A plain number (or a string without a unit) is read in ``unit``; a string
    may name its own unit: ``"12.6 MB"``, ``"12 MiB"``, ``"565,613,600 bytes"``,
    ``"100 Mbit"`` (units are matched case-insensitively; "b" means bytes).
    Raises ValueError with a student-facing message when it cannot be read.
    """
    unit = check_unit(unit)
    if isinstance(answer, str):
        match = _SPLIT.fullmatch(answer)
        number_text, written = match.group("number"), match.group("unit")
        value = parse_number(number_text) if number_text else None
        if value is None:
            raise ValueError(
                f"could not read a number in {answer!r}; write e.g. 3.5 or '3.5 {unit}'"
            )
        if written is None:
            return value * UNITS[unit], unit, False
        understood = UNIT_OF.get(written.lower())
        if understood is None:
            raise ValueError(
                f"could not read the unit {written!r} in {answer!r}; use one of "
                f"{', '.join(QUESTION_UNITS)}"
            )
        return value * UNITS[understood], understood, True
    value = as_number(answer)
    if value is None:
        raise ValueError(
            f"expected a number (in {unit}) or a string such as '12.6 {unit}', "
            f"got {described(answer)}"
        )
    return value * UNITS[unit], unit, False


def as_shape(answer: object) -> tuple | None:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        try:  # numpy arrays, TensorShapes
            answer = tuple(answer)  # type: ignore[arg-type]
        except TypeError:
            return None
    items = []
    for item in answer:
        if item is None:
            items.append(None)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            items.append(int(item))
        else:
            return None
    return tuple(items)


def strip_batch(answer: tuple, expected: tuple) -> tuple[tuple, bool]:
    if len(answer) == len(expected) + 1 and answer[0] is None:
        return answer[1:], True
    return answer, False


def option_label(option: object) -> str:
    return str(option).strip().strip("().").strip().lower()


def picked_options(answer: object) -> set[str] | None:
    if isinstance(answer, str):
        parts = [p for p in re.split(r"[\s,;]+", answer) if p.strip("().")]
        return {option_label(p) for p in parts} or None
    if isinstance(answer, (list, tuple, set, frozenset)) and answer:
        if all(isinstance(a, str) for a in answer):
            return {option_label(a) for a in answer}
    return None


def join_options(labels: Sequence[str]) -> str:
    return ", ".join(f"({label})" for label in labels)
