"""Exercise checks for chapter 2: parameters, output shapes, memory of a conv stack.

Expected values come from :mod:`cnnbook.calc` for the question's setup; typical
slips (biases left out, SAME padding rounded down, every map summed for a
prediction, bits for bytes...) are recognised and named without the answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from cnnbook import calc
from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.generic import shape_hint
from cnnbook.checks.reading import as_shape, check_unit, strip_batch
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec, check_rel_tol

__all__ = [
    "output_shapes",
    "parameter_count",
    "parameter_count_spec",
    "prediction_memory",
    "prediction_memory_spec",
    "training_memory",
    "training_memory_spec",
]


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
    return parameter_count_spec(input_shape, layers).judge(answer)


def parameter_count_spec(
    input_shape: Sequence[int], layers: Sequence[calc.Layer]
) -> NumberSpec:
    """What :func:`parameter_count` compares against, with the usual slips."""
    report = _report(input_shape, layers)
    mistakes = []
    no_bias = _variant(input_shape, layers, _no_bias)
    if no_bias is not None:
        mistakes.append(
            Mistake(
                no_bias.params,
                (
                    "That count leaves out the biases: every filter (and every Dense "
                    "unit) has one bias besides its weights."
                ),
            )
        )
    flat = sum(
        _params_without_depth(layer)
        if _params_without_depth(layer) is not None
        else line.params
        for layer, line in zip(layers, report.layers, strict=True)
    )
    mistakes.append(
        Mistake(
            flat,
            (
                "Each filter spans every channel of its input (3 for an RGB image, "
                "the number of feature maps of the previous layer after that): kernel "
                "height x kernel width x input channels weights, plus one bias."
            ),
        )
    )
    if len(report.layers) > 1:
        for line in report.layers:
            mistakes.append(
                Mistake(
                    line.params,
                    (
                        "That is the count of a single layer; add up the parameters of "
                        "every layer."
                    ),
                )
            )
    return NumberSpec(
        report.params,
        mistakes=tuple(mistakes),
        what="the parameter count",
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
    if is_unanswered(answer):
        return unanswered()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        return wrong(
            f"give a list with one shape per layer, e.g. [(h, w, c), ...]; got "
            f"{type(answer).__name__}."
        )
    blank = sum(1 for item in answer if is_unanswered(item))
    if blank:
        return unanswered(
            f"{blank} of the {len(answer)} shapes are still ... or None; fill them in."
        )
    shapes = [as_shape(item) for item in answer]
    if any(s is None for s in shapes):
        return wrong("each shape should be a tuple of integers such as (h, w, c).")
    if len(shapes) != len(expected):
        return wrong(
            f"give one shape per layer: the network has {len(expected)} layers, your "
            f"list has {len(shapes)}."
        )
    shapes = [strip_batch(s, e)[0] for s, e in zip(shapes, expected, strict=True)]
    variants = _shape_variants(input_shape, layers)
    for index, (got, want) in enumerate(zip(shapes, expected, strict=True)):
        if got != want:
            line = report.layers[index]
            first = (
                f"the first {index} shape{'s are' if index > 1 else ' is'} right, "
                if index
                else ""
            )
            layer_variants = [(v.layers[index].output_shape, h) for v, h in variants]
            return wrong(
                f"{first}layer {index + 1} ({line.name}, {line.kind}) is not right. "
                + shape_hint(got, want, layer_variants)
            )
    return right(f"all {len(expected)} output shapes are right.")


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
                (
                    "The total leaves out the parameters, which stay in memory "
                    "throughout (count them once)."
                ),
            ),
            Mistake(
                params + maps,
                (
                    "The total leaves out the input batch itself, which must be in "
                    "memory too."
                ),
            ),
            Mistake(
                maps,
                (
                    "The total leaves out the parameters and the input batch; both are "
                    "in memory besides the feature maps."
                ),
            ),
            Mistake(
                report.inference_bytes,
                (
                    "That is the prediction figure, where only two layers' maps are "
                    "alive at once. Training keeps every layer's output until "
                    "backpropagation has used it, so add them all up."
                ),
            ),
            Mistake(
                batch * params + inputs + maps,
                (
                    "The parameters are stored once, not once per image: multiply only "
                    "the input and the feature maps by the batch size."
                ),
            ),
        ]
        if batch > 1:
            mistakes.append(
                Mistake(
                    params + (inputs + maps) // batch,
                    (
                        "That is the figure for one image; the input and every "
                        "feature map are stored for each image of the batch."
                    ),
                )
            )
    else:
        mistakes += [
            Mistake(
                params + inputs + maps,
                (
                    "You added up every layer's feature maps. During one prediction a "
                    "layer's output is only needed until the next layer has read it, "
                    "so only a layer's input and output must be alive at once: take "
                    "the largest such pair."
                ),
            ),
            Mistake(
                peak,
                (
                    "The total leaves out the parameters, which stay in memory during "
                    "the whole prediction."
                ),
            ),
            Mistake(
                params + largest_out,
                (
                    "While a layer runs, its input must be alive as well as its "
                    "output: take the largest input + output of any one layer."
                ),
            ),
            Mistake(
                params + inputs,
                (
                    "The feature maps are missing: while a layer runs, its input and "
                    "its output are both in memory."
                ),
            ),
        ]
    for variant, hint in _shape_variants(input_shape, layers):
        mistakes.append(
            Mistake(
                params
                + (variant.training_bytes if training else variant.inference_bytes)
                - variant.param_bytes,
                hint,
            )
        )
    dtype = report.dtype
    mistakes += [
        Mistake(
            expected * 8,
            ("That looks like bits: memory is counted in bytes, and 1 byte = 8 bits."),
        ),
        Mistake(
            expected / bpv,
            (
                f"That counts values, not bytes: each {dtype} value takes {bpv} "
                f"byte{'s' if bpv > 1 else ''}."
            ),
        ),
    ]
    for other, size in (("float16", 2), ("float32", 4), ("float64", 8)):
        if size != bpv:
            mistakes.append(
                Mistake(
                    expected * size / bpv,
                    (
                        f"That uses {size} bytes per value ({other}); {dtype} takes "
                        f"{bpv} byte{'s' if bpv > 1 else ''} per value."
                    ),
                )
            )
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
    return prediction_memory_spec(
        input_shape,
        layers,
        batch_size=batch_size,
        dtype=dtype,
        unit=unit,
        rel_tol=rel_tol,
    ).judge(answer)


def prediction_memory_spec(
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int = 1,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> QuantitySpec:
    """What :func:`prediction_memory` compares against, with the usual slips."""
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
    return training_memory_spec(
        input_shape,
        layers,
        batch_size=batch_size,
        dtype=dtype,
        unit=unit,
        rel_tol=rel_tol,
    ).judge(answer)


def training_memory_spec(
    input_shape: Sequence[int],
    layers: Sequence[calc.Layer],
    batch_size: int,
    dtype: str = "float32",
    unit: str = "MB",
    rel_tol: float = 0.01,
) -> QuantitySpec:
    """What :func:`training_memory` compares against, with the usual slips."""
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
