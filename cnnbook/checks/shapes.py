"""Tensor shapes: one shape, or one shape per layer of a network.

Shapes are written without the batch axis, e.g. ``(25, 38, 400)``; a tuple, a
list, an array, a TensorShape or a string such as ``'25x38x400'`` is read. A
leading batch axis (``None`` or 1) is accepted, and the feedback says that it
is not part of the answer. A wrong shape gets the hint of a known slip it
equals (a padding rule applied the wrong way, height and width swapped), or
one that fits the layer's kind: a convolution, a pooling layer, a dense layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.reading import as_shape, described, strip_batch

__all__ = ["BATCH_NOTE", "ShapeSpec", "ShapesSpec", "check_shape_arg", "shape_hint"]

BATCH_NOTE = (
    "The leading batch axis is not part of the answer: shapes here are given "
    "without it."
)

CONV, POOL, DENSE, FLAT, OTHER = "conv", "pool", "dense", "flatten", "other"


def layer_family(kind: str) -> str:
    """The family of a layer kind (a calc or Keras class name) for hints."""
    if "Pooling" in kind and "Global" not in kind:
        return POOL
    if "Conv" in kind:
        return CONV
    if kind == "Dense":
        return DENSE
    if kind == "Flatten" or "Global" in kind:
        return FLAT
    return OTHER


SIZE_HINTS = {
    CONV: "Along each axis a convolution keeps ceil(n / stride) positions with SAME "
    "padding and floor((n - kernel) / stride) + 1 with VALID padding.",
    POOL: "Along each axis a pooling layer keeps ceil(n / stride) positions with "
    "SAME padding and floor((n - pool size) / stride) + 1 with VALID padding.",
    DENSE: "A Dense layer outputs one value per unit: its shape is (units,).",
    FLAT: "Flatten lays every value out in one axis; global pooling keeps one value "
    "per feature map.",
    OTHER: "Work the shape out axis by axis from the layer's input.",
}
CHANNEL_HINTS = {
    CONV: "The height and width are right, the number of channels is not: a "
    "convolution outputs one feature map per filter.",
    POOL: "The height and width are right, the number of channels is not: pooling "
    "keeps the channels of its input.",
}
SWAPPED = "Height and width are swapped: shapes are (height, width, channels)."


def check_shape_arg(arg: str, value: object) -> tuple[int, ...]:
    got = as_shape(value) if value is not None else None
    if not got or any(v is None or v < 1 for v in got):
        raise ValueError(f"{arg} must be a tuple of positive integers, got {value!r}")
    return got


def shape_hint(
    got: tuple, expected: tuple, variants: Sequence[tuple[tuple, str]], family: str
) -> str:
    """What to revisit for a wrong shape, without giving the shape."""
    for variant, hint in variants:
        if variant != expected and got == variant:
            return hint
    if len(got) == 3 and (got[1], got[0], got[2]) == expected:
        return SWAPPED
    if len(got) == 3 and got[:2] == expected[:2] and family in CHANNEL_HINTS:
        return CHANNEL_HINTS[family]
    return SIZE_HINTS[family]


def _has_blank(answer: object) -> bool:
    return isinstance(answer, (tuple, list)) and any(a is ... for a in answer)


@dataclass(frozen=True)
class ShapeSpec:
    """One shape; ``variants`` are ``(shape, hint)`` pairs of known slips and
    ``kind`` the layer's kind (``"Conv2D"``...), for the hints."""

    expected: tuple
    variants: tuple[tuple[tuple, str], ...] = ()
    kind: str = "Conv2D"
    what: str = "the shape"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", check_shape_arg("expected", self.expected))

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected, what = self.expected, self.what
        if is_unanswered(answer) or _has_blank(answer):
            return unanswered()
        got = as_shape(answer)
        if got is None:
            return wrong(
                f"{what} should be a tuple of integers such as (32, 32, 3); got "
                f"{described(answer)}."
            )
        got, batch = strip_batch(got, expected)
        note = f" {BATCH_NOTE}" if batch else ""
        if got == expected:
            return right(f"{what} is right.{note}")
        if len(got) != len(expected):
            return wrong(
                f"{what} has {len(expected)} axes (without the batch axis); yours has "
                f"{len(got)}."
            )
        hint = shape_hint(got, expected, self.variants, layer_family(self.kind))
        return wrong(f"{what} is not right. {hint}{note}")


@dataclass(frozen=True)
class ShapesSpec:
    """One output shape per layer, e.g. ``[(100, 150, 100), ...]``.

    ``layers`` names each layer as ``(name, kind)``; ``variants`` are
    ``(shapes, hint)`` pairs: the shapes a known slip gives for every layer.
    """

    expected: tuple[tuple, ...]
    layers: tuple[tuple[str, str], ...]
    variants: tuple[tuple[tuple[tuple, ...], str], ...] = ()

    def __post_init__(self) -> None:
        shapes = tuple(check_shape_arg("expected", s) for s in self.expected)
        if len(self.layers) != len(shapes) or not shapes:
            raise ValueError(
                f"layers must name each of the {len(shapes)} layers, got "
                f"{self.layers!r}"
            )
        object.__setattr__(self, "expected", shapes)

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected = self.expected
        if is_unanswered(answer):
            return unanswered()
        try:  # a NumPy array of shapes
            if callable(getattr(answer, "tolist", None)) and not isinstance(
                answer, str
            ):
                answer = answer.tolist()
        except Exception:  # a student's object whose attributes raise
            pass
        if not isinstance(answer, (list, tuple)):
            return wrong(
                "give a list with one shape per layer, e.g. [(h, w, c), ...]; got "
                f"{described(answer)}."
            )
        blank = sum(1 for item in answer if is_unanswered(item) or _has_blank(item))
        if blank:
            return unanswered(
                f"{blank} of the {len(answer)} shapes are still ... or None; fill "
                "them in."
            )
        shapes = [as_shape(item) for item in answer]
        if any(s is None for s in shapes):
            return wrong(
                "each shape should be a tuple of integers such as (h, w, c); a "
                "list of shapes is [(h, w, c), (h, w, c), ...]."
            )
        if len(shapes) != len(expected):
            return wrong(
                f"give one shape per layer: the network has {len(expected)} layers, "
                f"your list has {len(shapes)}."
            )
        stripped = [strip_batch(s, e) for s, e in zip(shapes, expected, strict=True)]
        note = f" {BATCH_NOTE}" if any(batch for _, batch in stripped) else ""
        for index, ((got, _), want) in enumerate(zip(stripped, expected, strict=True)):
            if got == want:
                continue
            name, kind = self.layers[index]
            first = ""
            if index:
                first = (
                    f"the first {index} shapes are right, "
                    if index > 1
                    else "the first shape is right, "
                )
            variants = [(shapes[index], hint) for shapes, hint in self.variants]
            if len(got) != len(want):
                hint = (
                    f"It has {len(want)} axes (without the batch axis); yours has "
                    f"{len(got)}."
                )
            else:
                hint = shape_hint(got, want, variants, layer_family(kind))
            return wrong(
                f"{first}layer {index + 1} ({name}, {kind}) is not right. {hint}{note}"
            )
        return right(f"all {len(expected)} output shapes are right.{note}")
