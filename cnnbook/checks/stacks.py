"""Specs for any stack of layers: its parameters, its output shapes, its memory.

The builders (:func:`parameter_count_spec`, :func:`output_shapes_spec`,
:func:`prediction_memory_spec`, :func:`training_memory_spec`) take any stack of
:mod:`cnnbook.calc` layers: the expected value comes from ``calc`` for that
setup, and the typical slips (biases left out, SAME padding rounded down, every
map summed for a prediction, bits for bytes...) are recognised and named
without the answer or any number of it. Chapters 1, 2 and 4 ask with them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from cnnbook import calc
from cnnbook.checks.reading import check_unit
from cnnbook.checks.shapes import CONV, DENSE, POOL, ShapesSpec, layer_family
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec, check_rel_tol

__all__ = [
    "FLOOR_HINT",
    "PADDING_HINT",
    "output_shapes_spec",
    "parameter_count_spec",
    "prediction_memory_spec",
    "training_memory_spec",
]


def _report(input_shape, layers, batch_size=1, dtype="float32") -> calc.Report:
    return calc.analyze(input_shape, list(layers), batch_size=batch_size, dtype=dtype)


def _changed(input_shape, layers, change, batch_size=1, dtype="float32"):
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
            return dataclasses.replace(layer, **{attr: layer.strides}, padding="valid")
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
    "a size that the stride does not divide keeps one position more than n / s "
    "rounded down."
)
PADDING_HINT = (
    "Your sizes follow the other padding rule: SAME keeps ceil(n / s) positions, "
    "VALID keeps floor((n - kernel) / s) + 1. Check which one each layer uses."
)


def _shape_variants(
    input_shape, layers, batch_size=1, dtype="float32"
) -> list[tuple[calc.Report, str]]:
    variants = []
    for change, hint in ((_floor_same, FLOOR_HINT), (_other_padding, PADDING_HINT)):
        report = _changed(input_shape, layers, change, batch_size, dtype)
        if report is not None:
            variants.append((report, hint))
    return variants


# --------------------------------------------------------------------------- parameters
PARAMETER_HINTS = {
    CONV: "A convolutional layer has (kernel height x kernel width x input channels "
    "+ 1 bias) x filters parameters; padding and strides do not change it.",
    DENSE: "A Dense layer has one weight per input value and unit, plus one bias per "
    "unit; Flatten only reshapes and has none.",
    POOL: "Parameters are the values a layer learns; max pooling takes the largest "
    "value of each window by a fixed rule.",
}


def _families(layers) -> list[str]:
    kinds = [layer_family(type(layer).__name__) for layer in layers]
    return [family for family in (CONV, DENSE, POOL) if family in kinds]


def _params_without_depth(layer, line) -> int:
    """A Conv2D's count with kernels one channel deep."""
    kh, kw = layer.kernel_size
    return kh * kw * layer.filters + layer.filters * layer.use_bias


def _with_conv_counts(layers, report, count) -> int:
    """The total count with each Conv2D's replaced by ``count(layer, line)``."""
    return sum(
        count(layer, line) if type(layer) is calc.Conv2D else line.params
        for layer, line in zip(layers, report.layers, strict=True)
    )


def parameter_count_spec(
    input_shape: Sequence[int], layers: Sequence[calc.Layer]
) -> NumberSpec:
    """The total parameter count of ``layers`` on ``input_shape``, exactly, with
    the slips of the layer kinds present."""
    report = _report(input_shape, layers)
    families = _families(layers)
    mistakes = []
    no_bias = _changed(input_shape, layers, _no_bias)
    if no_bias is not None:
        unit = "filter" if CONV in families else "unit"
        mistakes.append(
            Mistake(
                no_bias.params,
                f"That count leaves out the biases: every {unit} has one bias "
                "besides its weights.",
            )
        )
    if CONV in families:
        flat = _with_conv_counts(layers, report, _params_without_depth)
        mistakes.append(
            Mistake(
                flat,
                "Each filter spans every channel of its input (3 for an RGB image, "
                "the number of feature maps of the previous layer after that): "
                "kernel height x kernel width x input channels weights, plus one "
                "bias.",
            )
        )
        per_position = _with_conv_counts(
            layers,
            report,
            lambda layer, line: line.params * math.prod(line.output_shape[:-1]),
        )
        mistakes.append(
            Mistake(
                per_position,
                "That counts a filter's weights once per output position; a filter "
                "is shared by every position, so count its weights once.",
            )
        )
    if DENSE in families and len(input_shape) == 3 and input_shape[-1] > 1:
        grey = _report((*input_shape[:2], 1), layers)
        mistakes.append(
            Mistake(
                grey.params,
                "The flattened image has height x width x channels values, and "
                "each one is an input of every unit.",
            )
        )
    weighted = [line for line in report.layers if line.params]
    if len(weighted) > 1:
        mistakes += [
            Mistake(
                line.params,
                "That is the count of a single layer; add up the parameters of every "
                "layer.",
            )
            for line in weighted
        ]
    if POOL in families and not report.params:
        pool = next(layer for layer in layers if hasattr(layer, "pool_size"))
        mistakes.append(
            Mistake(
                pool.pool_size[0] * pool.pool_size[1],
                "A pooling window has no weights: it takes the largest value it "
                "covers, by a fixed rule.",
            )
        )
    return NumberSpec(
        report.params,
        mistakes=tuple(mistakes),
        what="the parameter count",
        hint=" ".join(PARAMETER_HINTS[family] for family in families),
    )


# --------------------------------------------------------------------------- shapes
def output_shapes_spec(
    input_shape: Sequence[int], layers: Sequence[calc.Layer]
) -> ShapesSpec:
    """One output shape per layer (no batch axis), with the padding slips."""
    report = _report(input_shape, layers)
    return ShapesSpec(
        tuple(line.output_shape for line in report.layers),
        tuple((line.name, line.kind) for line in report.layers),
        tuple(
            (tuple(line.output_shape for line in variant.layers), hint)
            for variant, hint in _shape_variants(input_shape, layers)
        ),
    )


# --------------------------------------------------------------------------- memory
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
            Mistake(
                inputs + maps,
                "The total leaves out the parameters, which stay in memory "
                "throughout (count them once).",
            ),
            Mistake(
                params + maps,
                "The total leaves out the input batch itself, which must be in "
                "memory too.",
            ),
            Mistake(
                maps,
                "The total leaves out the parameters and the input batch; both are "
                "in memory besides the feature maps.",
            ),
            Mistake(
                report.inference_bytes,
                "That is the prediction figure, where only two layers' maps are "
                "alive at once. Training keeps every layer's output until "
                "backpropagation has used it, so add them all up.",
            ),
            Mistake(
                batch * params + inputs + maps,
                "The parameters are stored once, not once per image: multiply only "
                "the input and the feature maps by the batch size.",
            ),
        ]
        if batch > 1:
            mistakes.append(
                Mistake(
                    params + (inputs + maps) // batch,
                    "That is the figure for one image; the input and every feature "
                    "map are stored for each image of the batch.",
                )
            )
    else:
        mistakes += [
            Mistake(
                params + maps,
                "You added up every layer's feature maps, as the chapter's 'sum "
                "every layer's maps' estimate does. During one prediction a layer's "
                "output is needed only until the next layer has read it: take the "
                "largest input + output of any one layer.",
            ),
            Mistake(
                params + inputs + maps,
                "You added up the input and every layer's feature maps. During one "
                "prediction a layer's output is needed only until the next layer has "
                "read it, so only a layer's input and output must be alive at once: "
                "take the largest such pair.",
            ),
            Mistake(
                peak,
                "The total leaves out the parameters, which stay in memory during "
                "the whole prediction.",
            ),
            Mistake(
                params + largest_out,
                "While a layer runs, its input must be alive as well as its output: "
                "take the largest input + output of any one layer.",
            ),
            Mistake(
                params + inputs,
                "The feature maps are missing: while a layer runs, its input and its "
                "output are both in memory.",
            ),
        ]
    for variant, hint in _shape_variants(input_shape, layers, batch, report.dtype):
        total = variant.training_bytes if training else variant.inference_bytes
        mistakes.append(Mistake(params + total - variant.param_bytes, hint))
    dtype = report.dtype
    plural = "s" if bpv > 1 else ""
    mistakes += [
        Mistake(
            expected * 8,
            "That looks like bits: memory is counted in bytes, and 1 byte = 8 bits.",
        ),
        Mistake(
            expected / bpv,
            f"That counts values, not bytes: each {dtype} value takes {bpv} "
            f"byte{plural}.",
        ),
    ]
    for other, size in (("float16", 2), ("float32", 4), ("float64", 8)):
        if size != bpv:
            mistakes.append(
                Mistake(
                    expected * size / bpv,
                    f"That uses {size} bytes per value ({other}); {dtype} takes "
                    f"{bpv} byte{plural} per value.",
                )
            )
    return mistakes


def prediction_memory_spec(
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int = 1,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> QuantitySpec:
    """RAM to run ``batch_size`` images through ``layers``: the parameters plus
    the largest input + output of any one layer, per image (``calc``'s
    ``inference_bytes``), with the usual slips."""
    unit, rel_tol = check_unit(unit), check_rel_tol(rel_tol)
    report = _report(input_shape, layers, batch_size, dtype)
    return QuantitySpec(
        report.inference_bytes,
        unit=unit,
        rel_tol=rel_tol,
        mistakes=tuple(_memory_mistakes(input_shape, layers, report, training=False)),
        hint="Count the parameters once, plus the largest input + output of any one "
        f"layer for each image, times {report.bytes_per_value} bytes per {dtype} "
        "value.",
    )


def training_memory_spec(
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> QuantitySpec:
    """Lower bound of RAM to train on a batch: the parameters plus, per image, the
    input and every layer's output (``calc``'s ``training_bytes``), with the
    usual slips."""
    unit, rel_tol = check_unit(unit), check_rel_tol(rel_tol)
    report = _report(input_shape, layers, batch_size, dtype)
    return QuantitySpec(
        report.training_bytes,
        unit=unit,
        rel_tol=rel_tol,
        mistakes=tuple(_memory_mistakes(input_shape, layers, report, training=True)),
        hint="Count the parameters once, plus the input and every layer's output for "
        f"each image of the batch, times {report.bytes_per_value} bytes per {dtype} "
        "value.",
    )
