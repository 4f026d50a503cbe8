"""Feedback for the exercises: checks that say what to revisit, not the answer.

Every check returns a :class:`Feedback`; as the last line of a cell it shows as
one line of plain text starting with a fixed prefix::

    Correct: ...
    Not quite: ...
    Not answered yet: ...

An answer left as ``...`` (what the exercise stubs contain) or ``None`` is "Not
answered yet" and never raises, so an untouched exercise notebook runs top to
bottom. A student's odd answer is feedback too; only the instructor's arguments
(unknown unit, negative tolerance, a setup calc refuses) raise ``ValueError``
naming the argument.

Generic checks: :func:`number` (a count or plain number, exact or within a
relative tolerance), :func:`quantity` (bytes, answered as a number in the
question's unit or a string such as ``"12.6 MB"``, ``"12 MiB"``,
``"565613600 bytes"``), :func:`shape`, :func:`choice` and :func:`keras_model`
(the only one that imports Keras, lazily).

Domain checks compute the expected value with :mod:`cnnbook.calc` from the
question's setup and recognise the usual mistakes: :func:`parameter_count`,
:func:`output_shapes`, :func:`prediction_memory`, :func:`training_memory`.
Messages are deterministic text: rounded numbers, no ids, no timings.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.tables import BYTE_UNITS

__all__ = [
    "PREFIXES",
    "UNITS",
    "Feedback",
    "Mistake",
    "choice",
    "keras_model",
    "number",
    "output_shapes",
    "parameter_count",
    "parse_quantity",
    "prediction_memory",
    "quantity",
    "shape",
    "training_memory",
]

PREFIXES = {
    "correct": "Correct:",
    "incorrect": "Not quite:",
    "unanswered": "Not answered yet:",
}

UNANSWERED = "replace the ... with your answer and run this cell again."

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
_ALIASES = {
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
_UNIT_OF = {alias: unit for unit, aliases in _ALIASES.items() for alias in aliases}
_TWIN = {"kB": "KiB", "KiB": "kB", "MB": "MiB", "MiB": "MB", "GB": "GiB", "GiB": "GB"}
_EXACT = 1e-9  # relative slack for "exact" comparisons of floats such as 903400.0


# --------------------------------------------------------------------------- feedback
class Feedback:
    """The result of a check: ``status`` and a one-line ``message``.

    ``status`` is "correct", "incorrect" or "unanswered"; ``message`` starts with
    the matching prefix in :data:`PREFIXES` and is also the object's repr, so a
    check on the last line of a cell prints just the message. True when correct.
    """

    __slots__ = ("status", "message")

    def __init__(self, status: str, text: str) -> None:
        if status not in PREFIXES:
            raise ValueError(
                f"status must be one of {sorted(PREFIXES)}, got {status!r}"
            )
        self.status = status
        self.message = f"{PREFIXES[status]} {text[:1].upper()}{text[1:]}"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(self.message)

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def _right(text: str) -> Feedback:
    return Feedback("correct", text)


def _wrong(text: str) -> Feedback:
    return Feedback("incorrect", text)


def _unanswered(text: str = UNANSWERED) -> Feedback:
    return Feedback("unanswered", text)


def _is_unanswered(answer: object) -> bool:
    return answer is ... or answer is None


@dataclass(frozen=True)
class Mistake:
    """A wrong value a typical slip produces, and what to revisit if it is given.

    ``value`` is in the check's base unit (a count, or bytes for quantities).
    """

    value: float
    hint: str


# --------------------------------------------------------------------------- formatting
def _fmt(value: float) -> str:
    """A deterministic, rounded rendering: 903,400 or 12.61 or 0.0012."""
    if isinstance(value, numbers.Integral) or (
        math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15
    ):
        return f"{int(value):,}"
    return f"{value:,.4g}"


def _pct(rel_tol: float) -> str:
    return f"{rel_tol * 100:g}%"


# --------------------------------------------------------------------------- arguments
def _check_rel_tol(rel_tol: object) -> float:
    if (
        not isinstance(rel_tol, numbers.Real)
        or isinstance(rel_tol, bool)
        or not 0 <= rel_tol < 1
    ):
        raise ValueError(
            f"rel_tol must be a number in [0, 1) (0 means exact), got {rel_tol!r}"
        )
    return float(rel_tol)


def _check_unit(unit: object) -> str:
    if isinstance(unit, str):
        canonical = _UNIT_OF.get(unit.strip().lower())
        if canonical in QUESTION_UNITS:
            return canonical
    raise ValueError(f"unit must be one of {list(QUESTION_UNITS)}, got {unit!r}")


def _check_expected(arg: str, value: object) -> float:
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
        raise ValueError(f"{arg} must be a finite number, got {value!r}")
    return value


def _check_mistakes(mistakes: Iterable) -> list[Mistake]:
    result = []
    for item in mistakes:
        if isinstance(item, Mistake):
            result.append(item)
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            result.append(Mistake(_check_expected("mistakes value", item[0]), item[1]))
        else:
            raise ValueError(
                f"mistakes must hold Mistake(value, hint) or (value, hint) pairs, "
                f"got {item!r}"
            )
    return result


# --------------------------------------------------------------------------- parsing
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?([eE][-+]?\d+)?")
_SPLIT = re.compile(r"\s*(?P<number>.*?)\s*(?P<unit>[A-Za-z]+)?\s*")


def _parse_number(text: str) -> float | None:
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


def _as_number(answer: object) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, numbers.Real):
        value = float(answer)
        return value if math.isfinite(value) else None
    if isinstance(answer, str):
        return _parse_number(answer)
    return None


def parse_quantity(answer: object, unit: str = "MB") -> tuple[float, str, bool]:
    """``(bytes, unit understood, unit written)`` for a number or a string.

    A plain number (or a string without a unit) is read in ``unit``; a string
    may name its own unit: ``"12.6 MB"``, ``"12 MiB"``, ``"565,613,600 bytes"``,
    ``"100 Mbit"`` (units are matched case-insensitively; "b" means bytes).
    Raises ValueError with a student-facing message when it cannot be read.
    """
    unit = _check_unit(unit)
    if isinstance(answer, str):
        match = _SPLIT.fullmatch(answer)
        number_text, written = match.group("number"), match.group("unit")
        value = _parse_number(number_text) if number_text else None
        if value is None:
            raise ValueError(
                f"could not read a number in {answer!r}; write e.g. 3.5 or "
                f"'3.5 {unit}'"
            )
        if written is None:
            return value * UNITS[unit], unit, False
        understood = _UNIT_OF.get(written.lower())
        if understood is None:
            raise ValueError(
                f"could not read the unit {written!r} in {answer!r}; use one of "
                f"{', '.join(QUESTION_UNITS)}"
            )
        return value * UNITS[understood], understood, True
    value = _as_number(answer)
    if value is None:
        raise ValueError(
            f"expected a number (in {unit}) or a string such as '12.6 {unit}', "
            f"got {type(answer).__name__} {answer!r}"
        )
    return value * UNITS[unit], unit, False


def _close(value: float, target: float, rel_tol: float) -> bool:
    return abs(value - target) <= max(rel_tol, _EXACT) * abs(target) or value == target


def _match(value: float, mistakes: list[Mistake], expected: float, rel_tol: float):
    """The mistake whose value is nearest the answer, among those within rel_tol."""
    best, distance = None, math.inf
    for mistake in mistakes:
        if _close(mistake.value, expected, rel_tol):
            continue  # this slip gives an accepted answer here: no evidence
        gap = abs(value - mistake.value) / max(abs(mistake.value), 1e-300)
        if _close(value, mistake.value, rel_tol) and gap < distance:
            best, distance = mistake, gap
    return best


# --------------------------------------------------------------------------- generic
def number(
    answer: object,
    expected: float,
    rel_tol: float = 0.0,
    mistakes: Iterable = (),
    hint: str = "",
    what: str = "the answer",
) -> Feedback:
    """A plain number or count, exact (``rel_tol=0``) or within ``rel_tol``.

    Strings such as ``"903,400"`` or ``"903 400"`` are read as numbers.
    ``mistakes`` lists ``(value, hint)`` pairs for typical wrong answers;
    ``hint`` is what to revisit when the answer matches none of them.
    """
    expected = _check_expected("expected", expected)
    rel_tol = _check_rel_tol(rel_tol)
    mistakes = _check_mistakes(mistakes)
    if _is_unanswered(answer):
        return _unanswered()
    value = _as_number(answer)
    if value is None:
        return _wrong(
            f"{what} should be a number (such as 1234 or '1,234'), got "
            f"{type(answer).__name__} {answer!r}."
        )
    if _close(value, expected, rel_tol):
        within = "exactly" if rel_tol == 0 else f"within {_pct(rel_tol)}"
        return _right(f"{_fmt(value)} matches {within}.")
    mistake = _match(value, mistakes, expected, rel_tol)
    if mistake is not None:
        return _wrong(mistake.hint)
    for factor, word in ((10**3, "thousands"), (10**6, "millions")):
        if value and _close(value * factor, expected, max(rel_tol, 5e-3)):
            return _wrong(
                f"{_fmt(value)} looks like a count in {word}; give the full number"
                f"{' exactly' if rel_tol == 0 else ''}."
            )
    direction = "too high" if value > expected else "too low"
    extra = f" {hint}" if hint else ""
    return _wrong(f"{_fmt(value)} is {direction}.{extra}")


def quantity(
    answer: object,
    expected: float,
    unit: str = "MB",
    rel_tol: float = 0.01,
    mistakes: Iterable = (),
    hint: str = "",
) -> Feedback:
    """An amount of memory; ``expected`` in bytes, the question asks in ``unit``.

    The answer is a number in ``unit`` or a string with its own unit (see
    :func:`parse_quantity`); the feedback says which unit it understood. An
    answer that is right in another unit (MiB given as MB, bytes given as MB)
    is named as such.
    """
    expected = _check_expected("expected", expected)
    unit = _check_unit(unit)
    rel_tol = _check_rel_tol(rel_tol)
    mistakes = _check_mistakes(mistakes)
    if _is_unanswered(answer):
        return _unanswered()
    try:
        value, understood, written = parse_quantity(answer, unit)
    except ValueError as err:
        return _wrong(f"{err}.")
    shown = value / UNITS[understood]
    meaning = f"{understood} ({UNIT_MEANING[understood]})"
    if written:
        read = f"{answer!r} was read as {_fmt(shown)} {meaning}"
    else:
        read = f"{_fmt(shown)} was read in {meaning}, the unit asked for"
    if _close(value, expected, rel_tol):
        return _right(
            f"{read}; it is within {_pct(rel_tol)} of the exact "
            f"{_fmt(expected)} bytes ({_fmt(expected / UNITS[unit])} {unit})."
        )
    if understood in _TWIN and _close(
        shown * UNITS[_TWIN[understood]], expected, rel_tol
    ):
        twin = _TWIN[understood]
        return _wrong(
            f"{read}. That number is the right amount in {twin}, not in "
            f"{understood}: MB = 10^6 bytes while MiB = 2^20 bytes (likewise k/Ki, "
            "G/Gi). Convert from bytes with the factor of the unit asked for."
        )
    for other in QUESTION_UNITS:
        if other not in (understood, _TWIN.get(understood)) and _close(
            shown * UNITS[other], expected, rel_tol
        ):
            return _wrong(
                f"{read}. That number is the right amount in {other}: "
                f"convert it to {unit} ({UNIT_MEANING[unit]})."
            )
    mistake = _match(value, mistakes, expected, rel_tol)
    if mistake is not None:
        return _wrong(f"{read}. {mistake.hint}")
    direction = "too high" if value > expected else "too low"
    extra = f" {hint}" if hint else ""
    return _wrong(f"{read}; it is more than {_pct(rel_tol)} {direction}.{extra}")


def _as_shape(answer: object) -> tuple | None:
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


def _strip_batch(answer: tuple, expected: tuple) -> tuple[tuple, bool]:
    if len(answer) == len(expected) + 1 and answer[0] is None:
        return answer[1:], True
    return answer, False


def shape(answer: object, expected: Sequence[int], what: str = "the shape") -> Feedback:
    """A tensor shape such as ``(25, 38, 400)``; a leading ``None`` batch axis is
    accepted and ignored."""
    expected = _check_shape_arg("expected", expected)
    if _is_unanswered(answer):
        return _unanswered()
    if isinstance(answer, (tuple, list)) and any(a is ... for a in answer):
        return _unanswered()
    got = _as_shape(answer)
    if got is None:
        return _wrong(f"{what} should be a tuple of integers such as (32, 32, 3).")
    got, _ = _strip_batch(got, expected)
    if got == expected:
        return _right(f"{what} is {got}.")
    if len(got) != len(expected):
        return _wrong(
            f"{what} has {len(expected)} axes (without the batch axis); yours has "
            f"{len(got)}."
        )
    return _wrong(f"{what} is not right. {_shape_hint(got, expected, [])}")


def _check_shape_arg(arg: str, value: object) -> tuple[int, ...]:
    got = _as_shape(value) if value is not None else None
    if not got or any(v is None or v < 1 for v in got):
        raise ValueError(f"{arg} must be a tuple of positive integers, got {value!r}")
    return got


def _shape_hint(got: tuple, expected: tuple, variants: list[tuple[tuple, str]]) -> str:
    """What to revisit for a wrong shape, without giving the shape."""
    if len(got) == 3 and (got[1], got[0], got[2]) == expected:
        return "Height and width are swapped: shapes are (height, width, channels)."
    for variant, hint in variants:
        if variant != expected and got == variant:
            return hint
    if len(got) == 3 and got[:2] == expected[:2]:
        return (
            "The height and width are right, the number of channels is not: a "
            "convolution outputs one feature map per filter; pooling keeps the "
            "channels."
        )
    return (
        "Along each axis a convolution or pooling layer keeps ceil(n / stride) "
        "positions with SAME padding and floor((n - kernel) / stride) + 1 with VALID "
        "padding."
    )


def choice(
    answer: object,
    correct: str | Iterable[str],
    options: Iterable[str],
    hints: Mapping[str, str] | None = None,
) -> Feedback:
    """Multiple choice: ``correct`` is one option or a collection (select all).

    ``options`` are the labels, e.g. ``"abcd"``; answers are matched
    case-insensitively, and ``"(b)"``, ``"b."``, ``"a, c"`` or ``["a", "c"]`` work.
    ``hints`` maps a wrong option to what to reread when it is chosen.
    """
    labels = [_label(o) for o in options]
    if len(labels) < 2 or len(set(labels)) != len(labels) or "" in labels:
        raise ValueError(
            f"options must be at least two distinct labels, got {options!r}"
        )
    many = not isinstance(correct, str)
    right = {_label(c) for c in ([correct] if not many else correct)}
    if not right or not right <= set(labels):
        raise ValueError(f"correct must be among the options {labels}, got {correct!r}")
    hints = dict(hints or {})
    for key in hints:
        if _label(key) not in labels:
            raise ValueError(f"hints keys must be options {labels}, got {key!r}")
    hints = {_label(k): v for k, v in hints.items()}
    if _is_unanswered(answer) or answer == "":
        return _unanswered()
    picked = _picked(answer)
    if picked is None:
        return _wrong(f"answer with the letter of an option ({', '.join(labels)}).")
    unknown = sorted(picked - set(labels))
    if unknown:
        return _wrong(
            f"{', '.join(map(repr, unknown))} is not one of the options "
            f"{', '.join(labels)}."
        )
    if picked == right:
        verb = "is" if len(picked) == 1 else "are"
        return _right(f"{_join(sorted(picked))} {verb} right.")
    if not many and len(picked) > 1:
        return _wrong("pick exactly one option.")
    wrong = [p for p in labels if p in picked - right]
    if wrong:
        notes = " ".join(hints[p] for p in wrong if p in hints)
        text = f"{_join(wrong)} {'is' if len(wrong) == 1 else 'are'} not right."
        return _wrong(f"{text} {notes}".strip())
    missing = len(right - picked)
    return _wrong(
        f"what you picked is right, but {missing} more option"
        f"{' is' if missing == 1 else 's are'} right too."
    )


def _label(option: object) -> str:
    return str(option).strip().strip("().").strip().lower()


def _picked(answer: object) -> set[str] | None:
    if isinstance(answer, str):
        parts = [p for p in re.split(r"[\s,;]+", answer) if p.strip("().")]
        return {_label(p) for p in parts} or None
    if isinstance(answer, (list, tuple, set, frozenset)) and answer:
        if all(isinstance(a, str) for a in answer):
            return {_label(a) for a in answer}
    return None


def _join(labels: Sequence[str]) -> str:
    return ", ".join(f"({label})" for label in labels)


# --------------------------------------------------------------------------- Keras
def keras_model(
    model: object,
    input_shape: Sequence[int],
    output_shape: Sequence[int] | None = None,
    max_params: int | None = None,
    min_params: int | None = None,
    must_contain: Iterable[str] = (),
) -> Feedback:
    """A Keras model the student built: input and output shape, a parameter
    budget ``[min_params, max_params]`` and the layer types it must use (Keras
    class names such as ``"Conv2D"``). Keras is imported only here."""
    input_shape = _check_shape_arg("input_shape", input_shape)
    if output_shape is not None:
        output_shape = _check_shape_arg("output_shape", output_shape)
    for arg, value in (("max_params", max_params), ("min_params", min_params)):
        if value is not None and (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < 0
        ):
            raise ValueError(
                f"{arg} must be None or a non-negative integer, got {value!r}"
            )
    if max_params is not None and min_params is not None and min_params > max_params:
        raise ValueError(
            f"min_params must not exceed max_params, got {min_params} > {max_params}"
        )
    if isinstance(must_contain, str):
        must_contain = [must_contain]
    must_contain = list(must_contain)
    if not all(isinstance(name, str) and name for name in must_contain):
        raise ValueError(
            f"must_contain must be Keras layer class names, got {must_contain!r}"
        )
    if _is_unanswered(model):
        return _unanswered()

    import keras

    if not isinstance(model, keras.Model):
        return _wrong(
            "`model` should be a Keras model (keras.Sequential([...]) or "
            f"keras.Model(inputs, outputs)), got {type(model).__name__}."
        )
    if not model.built or not model.inputs:
        return _wrong(
            "the model has no known input yet: start it with keras.Input(shape=...)."
        )
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return _wrong("build a model with exactly one input and one output.")
    got_in = tuple(model.inputs[0].shape)[1:]
    if got_in != input_shape:
        return _wrong(
            f"the model's input shape is {got_in}; the question asks for {input_shape} "
            "(without the batch axis)."
        )
    got_out = tuple(model.outputs[0].shape)[1:]
    if output_shape is not None and got_out != output_shape:
        return _wrong(
            f"the model's output shape is {got_out}; the question asks for "
            f"{output_shape}. Check the last layer's units or filters and whether "
            "the maps are flattened or pooled before it."
        )
    kinds = {type(layer).__name__ for layer in _all_layers(model)}
    missing = [name for name in must_contain if name not in kinds]
    if missing:
        return _wrong(f"the model must use {', '.join(missing)} layers.")
    params = model.count_params()
    if max_params is not None and params > max_params:
        return _wrong(
            f"the model has {params:,} parameters, over the budget of {max_params:,}. "
            "Fewer filters, larger strides, or global average pooling instead of "
            "Flatten before a Dense layer all cut parameters."
        )
    if min_params is not None and params < min_params:
        return _wrong(
            f"the model has {params:,} parameters; the question asks for at least "
            f"{min_params:,}."
        )
    budget = f" (budget {max_params:,})" if max_params is not None else ""
    return _right(
        f"input {got_in}, output {got_out}, {params:,} parameters{budget}."
    )


def _all_layers(model) -> list:
    layers = []
    for layer in getattr(model, "layers", []):
        layers.append(layer)
        if hasattr(layer, "layers"):
            layers += _all_layers(layer)
    return layers


# --------------------------------------------------------------------------- domain
def _report(input_shape, layers, batch_size=1, dtype="float32") -> calc.Report:
    return calc.analyze(input_shape, layers, batch_size=batch_size, dtype=dtype)


def _variant(input_shape, layers, change, batch_size=1, dtype="float32"):
    """``layers`` changed by ``change``, analysed; None if unchanged or invalid."""
    changed = [change(layer) for layer in layers]
    if all(new is old for new, old in zip(changed, layers, strict=True)):
        return None
    try:
        return _report(input_shape, changed, batch_size, dtype)
    except ValueError:
        return None


def _padding_of(layer) -> str | None:
    padding = getattr(layer, "padding", None)
    return padding if padding in ("same", "valid") else None


def _floor_same(layer):
    """SAME arithmetic done with floor: VALID with a window equal to the stride."""
    if _padding_of(layer) != "same":
        return layer
    for attr in ("kernel_size", "pool_size"):
        if hasattr(layer, attr):
            return dataclasses.replace(
                layer, **{attr: layer.strides}, padding="valid"
            )
    return layer


def _other_padding(layer):
    padding = _padding_of(layer)
    if padding is None:
        return layer
    return dataclasses.replace(layer, padding="valid" if padding == "same" else "same")


def _no_bias(layer):
    if getattr(layer, "use_bias", False):
        return dataclasses.replace(layer, use_bias=False)
    return layer


FLOOR_HINT = (
    "SAME padding rounds up: a layer with stride s keeps ceil(n / s) positions, so "
    "an odd size such as 75 gives 38 with stride 2, not 37."
)
PADDING_HINT = (
    "Your sizes follow the other padding rule: SAME keeps ceil(n / s) positions, "
    "VALID keeps floor((n - kernel) / s) + 1. Check which one each layer uses."
)


def _shape_variants(input_shape, layers) -> list[tuple[calc.Report, str]]:
    variants = []
    for change, hint in ((_floor_same, FLOOR_HINT), (_other_padding, PADDING_HINT)):
        report = _variant(input_shape, layers, change)
        if report is not None:
            variants.append((report, hint))
    return variants


def parameter_count(
    answer: object, input_shape: Sequence[int], layers: Sequence[calc.Layer]
) -> Feedback:
    """The total parameter count of ``layers`` on ``input_shape``, exactly."""
    report = _report(input_shape, layers)
    mistakes = []
    no_bias = _variant(input_shape, layers, _no_bias)
    if no_bias is not None:
        mistakes.append(Mistake(no_bias.params, (
            "That count leaves out the biases: every filter (and every Dense unit) "
            "has one bias besides its weights."
        )))
    flat = sum(
        _params_without_depth(layer) if _params_without_depth(layer) is not None
        else line.params
        for layer, line in zip(layers, report.layers, strict=True)
    )
    mistakes.append(Mistake(flat, (
        "Each filter spans every channel of its input (3 for an RGB image, the number "
        "of feature maps of the previous layer after that): kernel height x kernel "
        "width x input channels weights, plus one bias."
    )))
    if len(report.layers) > 1:
        for line in report.layers:
            mistakes.append(Mistake(line.params, (
                "That is the count of a single layer; add up the parameters of "
                "every layer."
            )))
    return number(
        answer, report.params, mistakes=mistakes, what="the parameter count",
        hint="Per convolutional layer: (kernel height x kernel width x input "
        "channels + 1 bias) x filters; padding and strides do not change it.",
    )


def _params_without_depth(layer) -> int | None:
    if type(layer) is not calc.Conv2D:
        return None
    kh, kw = layer.kernel_size
    return kh * kw * layer.filters + layer.filters * layer.use_bias


def output_shapes(
    answer: object, input_shape: Sequence[int], layers: Sequence[calc.Layer]
) -> Feedback:
    """One output shape per layer, e.g. ``[(100, 150, 100), ...]`` (no batch axis)."""
    report = _report(input_shape, layers)
    expected = [line.output_shape for line in report.layers]
    if _is_unanswered(answer):
        return _unanswered()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        return _wrong(
            f"give a list with one shape per layer, e.g. [(h, w, c), ...]; got "
            f"{type(answer).__name__}."
        )
    blank = sum(1 for item in answer if _is_unanswered(item))
    if blank:
        return _unanswered(
            f"{blank} of the {len(answer)} shapes are still ... or None; fill them in."
        )
    shapes = [_as_shape(item) for item in answer]
    if any(s is None for s in shapes):
        return _wrong("each shape should be a tuple of integers such as (h, w, c).")
    if len(shapes) != len(expected):
        return _wrong(
            f"give one shape per layer: the network has {len(expected)} layers, your "
            f"list has {len(shapes)}."
        )
    shapes = [_strip_batch(s, e)[0] for s, e in zip(shapes, expected, strict=True)]
    variants = _shape_variants(input_shape, layers)
    for index, (got, want) in enumerate(zip(shapes, expected, strict=True)):
        if got != want:
            line = report.layers[index]
            first = (
                f"the first {index} shape{'s are' if index > 1 else ' is'} right, "
                if index else ""
            )
            layer_variants = [(v.layers[index].output_shape, h) for v, h in variants]
            return _wrong(
                f"{first}layer {index + 1} ({line.name}, {line.kind}) is not right. "
                + _shape_hint(got, want, layer_variants)
            )
    return _right(f"all {len(expected)} output shapes are right.")


def _memory_mistakes(
    input_shape, layers, report: calc.Report, training: bool
) -> list[Mistake]:
    """Typical slips for a memory figure, as bytes (see the hints' text)."""
    batch, bpv = report.batch_size, report.bytes_per_value
    params = report.param_bytes
    inputs = report.input_bytes
    maps = report.activation_bytes  # every layer's output, whole batch
    peak = report.inference_bytes - params
    largest_out = batch * max(line.activation_bytes for line in report.layers)
    expected = report.training_bytes if training else report.inference_bytes
    mistakes = []
    if training:
        mistakes += [
            Mistake(inputs + maps, (
                "The total leaves out the parameters, which stay in memory "
                "throughout (count them once)."
            )),
            Mistake(params + maps, (
                "The total leaves out the input batch itself, which must be in "
                "memory too."
            )),
            Mistake(maps, (
                "The total leaves out the parameters and the input batch; both are "
                "in memory besides the feature maps."
            )),
            Mistake(report.inference_bytes, (
                "That is the prediction figure, where only two layers' maps are "
                "alive at once. Training keeps every layer's output until "
                "backpropagation has used it, so add them all up."
            )),
            Mistake(batch * params + inputs + maps, (
                "The parameters are stored once, not once per image: multiply only "
                "the input and the feature maps by the batch size."
            )),
        ]
        if batch > 1:
            mistakes.append(Mistake(params + (inputs + maps) // batch, (
                "That is the figure for one image; the input and every feature map "
                "are stored for each image of the batch."
            )))
    else:
        mistakes += [
            Mistake(params + inputs + maps, (
                "You added up every layer's feature maps. During one prediction a "
                "layer's output is only needed until the next layer has read it, so "
                "only a layer's input and output must be alive at once: take the "
                "largest such pair."
            )),
            Mistake(peak, (
                "The total leaves out the parameters, which stay in memory during "
                "the whole prediction."
            )),
            Mistake(params + largest_out, (
                "While a layer runs, its input must be alive as well as its output: "
                "take the largest input + output of any one layer."
            )),
            Mistake(params + inputs, (
                "The feature maps are missing: while a layer runs, its input and "
                "its output are both in memory."
            )),
        ]
    for variant, hint in _shape_variants(input_shape, layers):
        mistakes.append(Mistake(
            params + (variant.training_bytes if training else variant.inference_bytes)
            - variant.param_bytes,
            hint,
        ))
    dtype = report.dtype
    mistakes += [
        Mistake(expected * 8, (
            "That looks like bits: memory is counted in bytes, and 1 byte = 8 bits."
        )),
        Mistake(expected / bpv, (
            f"That counts values, not bytes: each {dtype} value takes {bpv} "
            f"byte{'s' if bpv > 1 else ''}."
        )),
    ]
    for other, size in (("float16", 2), ("float32", 4), ("float64", 8)):
        if size != bpv:
            mistakes.append(Mistake(expected * size / bpv, (
                f"That uses {size} bytes per value ({other}); {dtype} takes {bpv} "
                f"byte{'s' if bpv > 1 else ''} per value."
            )))
    return mistakes


def prediction_memory(
    answer: object,
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int = 1,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> Feedback:
    """RAM to run ``batch_size`` images through ``layers``: the parameters plus
    the largest input + output of any one layer, per image (``calc``'s
    ``inference_bytes``)."""
    unit, rel_tol = _check_unit(unit), _check_rel_tol(rel_tol)
    report = _report(input_shape, layers, batch_size, dtype)
    return quantity(
        answer, report.inference_bytes, unit=unit, rel_tol=rel_tol,
        mistakes=_memory_mistakes(input_shape, layers, report, training=False),
        hint="Count the parameters once, plus the largest input + output of any one "
        f"layer for each image, times {report.bytes_per_value} bytes per {dtype} "
        "value.",
    )


def training_memory(
    answer: object,
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> Feedback:
    """Lower bound of RAM to train on a batch: the parameters plus, per image, the
    input and every layer's output (``calc``'s ``training_bytes``)."""
    unit, rel_tol = _check_unit(unit), _check_rel_tol(rel_tol)
    report = _report(input_shape, layers, batch_size, dtype)
    return quantity(
        answer, report.training_bytes, unit=unit, rel_tol=rel_tol,
        mistakes=_memory_mistakes(input_shape, layers, report, training=True),
        hint="Count the parameters once, plus the input and every layer's output for "
        f"each image of the batch, times {report.bytes_per_value} bytes per {dtype} "
        "value.",
    )
