"""A Keras model the student built: its shapes, its layers, its parameters.

A :class:`ModelSpec` accepts any kind of Keras model: functional,
``Sequential``, or subclassed (a subclassed model has no symbolic input, so it
is called once on a batch of zeros of the question's input shape). Anything
else (a single layer, a list of layers, a string) is answered with what to
build. Parameters are counted from the model's weights, whatever its
``count_params`` says; budgets are strict where the question says "under".
Rules check the structure the question asks for: a softmax output where it
asks for probabilities, the activations, the order of the layers. The
student's model is the student's code: whatever it raises while it is checked
is reported as feedback. Keras is imported only when a model is judged.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.reading import described
from cnnbook.checks.shapes import check_shape_arg
from cnnbook.checks.specs import NumberSpec

__all__ = [
    "ModelSpec",
    "all_layers",
    "at_least_relus",
    "conv_before",
    "count_weights",
    "depthwise_then_pointwise",
    "ends_with_global_pooling",
    "no_bias_in_convolutions",
    "no_pooling",
    "relu_after",
    "relu_after_each",
    "softmax_output",
    "strided_convolution",
]

Rule = Callable[[list], "str | None"]
"""A rule on the model's layers (nested models unrolled, in order): the hint
when the model breaks it, or None."""


def all_layers(model) -> list:
    """Every layer of ``model``, those of nested models included, in order."""
    layers = []
    for layer in getattr(model, "layers", None) or []:
        layers.append(layer)
        if hasattr(layer, "layers"):
            layers += all_layers(layer)
    return layers


def _kind(layer) -> str:
    return type(layer).__name__


def count_weights(model) -> int:
    """The values of every weight of ``model`` (what ``count_params`` counts),
    read from the weights themselves: a subclass's own ``count_params`` or
    ``weights`` is not asked."""
    import keras

    weights = keras.layers.Layer.weights.fget(model)
    return sum(math.prod(int(d) for d in w.shape) for w in weights)


def _activation(layer) -> str:
    """The activation a layer applies last: its ``activation`` argument, or
    the layer itself for ReLU, Softmax and Activation layers."""
    kind = _kind(layer)
    if kind in ("ReLU", "Softmax"):
        return kind.lower()
    function = getattr(layer, "activation", None)
    return getattr(function, "__name__", "") if callable(function) else ""


_PASSIVE = ("InputLayer", "Dropout", "Flatten", "Reshape")
"""Layers that neither compute features nor change what an activation did."""


def softmax_output(layers: list) -> str | None:
    """A rule: the model outputs probabilities, a softmax last."""
    active = [la for la in layers if _kind(la) not in _PASSIVE]
    if not active or _activation(active[-1]) != "softmax":
        return (
            "The question asks for probabilities: end with a softmax, "
            'e.g. Dense(classes, activation="softmax").'
        )
    return None


def ends_with_global_pooling(kind: str) -> Rule:
    """A rule: a ``kind`` layer (``"GlobalMaxPooling2D"``) follows the last
    convolution, and only dense layers come after it."""

    def rule(layers: list) -> str | None:
        kinds = [_kind(la) for la in layers]
        convs = [i for i, k in enumerate(kinds) if "Conv" in k]
        pools = [i for i, k in enumerate(kinds) if k == kind]
        if (
            not pools
            or (convs and pools[-1] < convs[-1])
            or any(
                k not in ("Dense", "Dropout", "Activation", "Softmax", "Flatten")
                for k in kinds[pools[-1] + 1 :]
            )
        ):
            return (
                f"End the feature extraction with {kind}: it comes after the last "
                "convolution, and only Dense layers follow it."
            )
        return None

    rule.__name__ = f"ends_with_{kind}"
    return rule


def relu_after_each(kinds: tuple[str, ...]) -> Rule:
    """A rule: every layer of ``kinds`` is followed by a ReLU (its own
    activation, or a ReLU layer before the next layer of ``kinds``)."""

    def rule(layers: list) -> str | None:
        marks = [i for i, la in enumerate(layers) if _kind(la) in kinds]
        for n, start in enumerate(marks):
            stop = marks[n + 1] if n + 1 < len(marks) else len(layers)
            if not any(_activation(la) == "relu" for la in layers[start:stop]):
                return (
                    f"Follow every {' and every '.join(kinds)} layer with a ReLU, "
                    "as the question asks (after its batch norm, if it has one)."
                )
        return None

    rule.__name__ = f"relu_after_each_{'_'.join(kinds)}"
    return rule


def at_least_relus(count: int) -> Rule:
    """A rule: at least ``count`` ReLUs (layers, or activations of layers)."""

    def rule(layers: list) -> str | None:
        if sum(_activation(la) == "relu" for la in layers) < count:
            return (
                f"The question asks for {count} ReLUs at least: check that each "
                "place it names has one."
            )
        return None

    rule.__name__ = f"at_least_{count}_relus"
    return rule


def relu_after(kind: str) -> Rule:
    """A rule: the layer right after the ``kind`` layer (``"Add"``) is a ReLU."""

    def rule(layers: list) -> str | None:
        kinds = [_kind(la) for la in layers]
        index = kinds.index(kind) if kind in kinds else None
        if (
            index is None
            or index + 1 >= len(layers)
            or _activation(layers[index + 1]) != "relu"
        ):
            return f"Put a ReLU right after the {kind} layer, as the question asks."
        return None

    rule.__name__ = f"relu_after_{kind}"
    return rule


def no_pooling(layers: list) -> str | None:
    """A rule: no pooling layer of any kind."""
    pooling = sorted({_kind(la) for la in layers if "Pooling" in _kind(la)})
    if pooling:
        return (
            f"The model uses {', '.join(pooling)}; downsample with Conv2D layers "
            "whose strides are 2 instead."
        )
    return None


def strided_convolution(layers: list) -> str | None:
    """A rule: at least one Conv2D with a stride above 1."""
    if not any(
        _kind(la) == "Conv2D" and max(getattr(la, "strides", (1,))) > 1 for la in layers
    ):
        return (
            "No Conv2D layer has a stride above 1; pass strides=2 to the convolutions "
            "that should halve the maps."
        )
    return None


def conv_before(kind: str) -> Rule:
    """A rule: a layer of ``kind`` comes after a Conv2D."""

    def rule(layers: list) -> str | None:
        kinds = [_kind(la) for la in layers]
        if kind in kinds and "Conv2D" not in kinds[: kinds.index(kind)]:
            return f"Put the {kind} layer after a Conv2D layer: it normalises maps."
        return None

    rule.__name__ = f"conv_before_{kind}"
    return rule


def no_bias_in_convolutions(layers: list) -> str | None:
    """A rule: every Conv2D has ``use_bias=False``."""
    if any(_kind(la) == "Conv2D" and getattr(la, "use_bias", False) for la in layers):
        return (
            "The question asks for use_bias=False on every convolution: the batch "
            "norm after it has a shift of its own."
        )
    return None


def depthwise_then_pointwise(layers: list) -> str | None:
    """A rule: a ``DepthwiseConv2D`` followed by a 1x1 ``Conv2D``, as separate
    layers (a ``SeparableConv2D`` fuses the two, with nothing between them)."""
    kinds = [_kind(la) for la in layers]
    if "DepthwiseConv2D" not in kinds:
        if "SeparableConv2D" in kinds:
            return (
                "SeparableConv2D fuses the depthwise and the 1x1 step with nothing "
                "between them; build them as a DepthwiseConv2D and a 1x1 Conv2D."
            )
        return (
            "The model has no DepthwiseConv2D: a separable unit filters each map on "
            "its own before a 1x1 Conv2D mixes them."
        )
    after = layers[kinds.index("DepthwiseConv2D") + 1 :]
    if not any(
        _kind(la) == "Conv2D" and tuple(getattr(la, "kernel_size", ())) == (1, 1)
        for la in after
    ):
        return (
            "Follow the DepthwiseConv2D with a 1x1 Conv2D: the pointwise step that "
            "mixes the maps at each position."
        )
    return None


def _check_count(arg: str, value: object) -> None:
    if value is not None and (
        not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0
    ):
        raise ValueError(f"{arg} must be None or a non-negative integer, got {value!r}")


@dataclass(frozen=True)
class ModelSpec:
    """A Keras model with the given shapes (without the batch axis), a
    parameter budget ``[min_params, max_params]``, the layer types it must use
    (Keras class names such as ``"Conv2D"``), ``rules`` it must follow and,
    when the question describes the model exactly, its parameter count
    ``params`` (a :class:`NumberSpec` whose mistakes name the usual slips).
    ``strict``: the budget is "under max_params", which rejects max_params
    itself. ``activations`` are rules checked after the parameter count (whose
    hints name a missing batch norm and ReLU together)."""

    input_shape: tuple
    output_shape: tuple | None = None
    max_params: int | None = None
    min_params: int | None = None
    must_contain: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    params: NumberSpec | None = None
    strict: bool = False
    activations: tuple[Rule, ...] = ()

    kind = "model"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "input_shape", check_shape_arg("input_shape", self.input_shape)
        )
        if self.output_shape is not None:
            object.__setattr__(
                self, "output_shape", check_shape_arg("output_shape", self.output_shape)
            )
        _check_count("max_params", self.max_params)
        _check_count("min_params", self.min_params)
        if (
            self.max_params is not None
            and self.min_params is not None
            and self.min_params > self.max_params
        ):
            raise ValueError(
                f"min_params must not exceed max_params, got {self.min_params} > "
                f"{self.max_params}"
            )
        must: Iterable = self.must_contain
        must = [must] if isinstance(must, str) else list(must)
        if not all(isinstance(name, str) and name for name in must):
            raise ValueError(
                f"must_contain must be Keras layer class names, got {must!r}"
            )
        object.__setattr__(self, "must_contain", tuple(must))
        for arg in ("rules", "activations"):
            rules = getattr(self, arg)
            if not all(callable(rule) for rule in rules):
                raise ValueError(
                    f"{arg} must be functions of the layers, got {rules!r}"
                )
            object.__setattr__(self, arg, tuple(rules))
        if self.params is not None and not isinstance(self.params, NumberSpec):
            raise ValueError(
                f"params must be None or a NumberSpec, got {self.params!r}"
            )
        if not isinstance(self.strict, bool):
            raise ValueError(f"strict must be True or False, got {self.strict!r}")

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        if is_unanswered(answer):
            return unanswered()
        import keras

        if not isinstance(answer, keras.Model):
            return wrong(_not_a_model(answer, keras))
        try:  # the student's model is code of theirs: any error is feedback
            return self._judge(answer)
        except Exception as err:
            return wrong(
                f"checking your model raised {type(err).__name__}: {_detail(err)}. "
                "Fix the model's code, run its cell, then this one again."
            )

    def _shapes(self, model) -> tuple[tuple, tuple] | Feedback:
        """(input shape, output shape) without the batch axis, or why they
        cannot be known."""
        try:  # functional, or Sequential started with keras.Input
            inputs, outputs = list(model.inputs), list(model.outputs)
        except (AttributeError, TypeError, ValueError):  # subclassed, or unbuilt
            inputs = outputs = None
        if inputs:
            if len(inputs) != 1 or len(outputs) != 1:
                return wrong("build a model with exactly one input and one output.")
            return tuple(inputs[0].shape)[1:], tuple(outputs[0].shape)[1:]
        if not model.built:
            return wrong(
                "the model has no known input yet: start it with "
                "keras.Input(shape=...) or call it once on a batch."
            )
        import numpy as np

        batch = (1, *self.input_shape)
        try:
            output = model(np.zeros(batch, dtype="float32"))
        except Exception as err:  # built for another input, or a bug of its own
            return wrong(
                f"the model does not take a batch of shape {batch}: {_detail(err)}."
            )
        if not hasattr(output, "shape"):
            return wrong("build a model with exactly one input and one output.")
        return self.input_shape, tuple(output.shape)[1:]

    def _judge(self, model) -> Feedback:
        shapes = self._shapes(model)
        if isinstance(shapes, Feedback):
            return shapes
        got_in, got_out = shapes
        if got_in != self.input_shape:
            return wrong(
                f"the model's input shape is {got_in}; the question asks for "
                f"{self.input_shape} (without the batch axis)."
            )
        if self.output_shape is not None and got_out != self.output_shape:
            return wrong(
                f"the model's output shape is {got_out}; the question asks for "
                f"{self.output_shape}. {_output_hint(self.output_shape)}"
            )
        layers = all_layers(model)
        kinds = {_kind(layer) for layer in layers}
        missing = [name for name in self.must_contain if name not in kinds]
        if missing:
            return wrong(f"the model must use {', '.join(missing)} layers.")
        for rule in self.rules:
            hint = rule(layers)
            if hint is not None:
                return wrong(hint)
        params = count_weights(model)
        if self.max_params is not None and (
            params > self.max_params or (self.strict and params == self.max_params)
        ):
            budget = "under" if self.strict else "at most"
            return wrong(
                f"the model has {params:,} parameters; the question asks for "
                f"{budget} {self.max_params:,}. Fewer filters, larger strides, or "
                "global average pooling instead of Flatten before a Dense layer all "
                "cut parameters."
            )
        if self.min_params is not None and params < self.min_params:
            return wrong(
                f"the model has {params:,} parameters; the question asks for at "
                f"least {self.min_params:,}."
            )
        if self.params is not None:
            verdict = self.params.judge(params)
            if not verdict.correct:
                matched = [
                    m.hint for m in self.params.mistakes if m.hint in verdict.message
                ]
                hint = matched[0] if matched else self.params.hint
                return wrong(f"the model has {params:,} parameters. {hint}".strip())
        for rule in self.activations:
            hint = rule(layers)
            if hint is not None:
                return wrong(hint)
        budget = ""
        if self.max_params is not None:
            budget = f" ({'under' if self.strict else 'at most'} {self.max_params:,})"
        return right(
            f"input {got_in}, output {got_out}, {params:,} parameters{budget}."
        )


def _detail(err: Exception) -> str:
    """The line of an error message that says what went wrong (Keras wraps a
    layer's error between lines of its own, with terminal colour codes)."""
    lines = [
        line.strip()
        for line in re.sub(r"\x1b\[[0-9;]*m", "", str(err)).splitlines()
        if line.strip()
        and not line.startswith(("Exception encountered", "Arguments received", "  •"))
    ]
    return lines[0][:200].rstrip(".") if lines else "no message"


def _output_hint(output_shape: tuple) -> str:
    if len(output_shape) == 1:
        return (
            "Check the last Dense layer's units, and that the maps are pooled or "
            "flattened before it."
        )
    return (
        "Each layer with stride 2 and SAME padding halves the height and width; the "
        "last Conv2D's filters set the channels."
    )


def _not_a_model(answer: object, keras) -> str:
    build = "keras.Sequential([keras.Input(shape=...), ...])"
    if isinstance(answer, keras.layers.Layer):
        return f"that is a single {type(answer).__name__} layer, not a model: {build}."
    if isinstance(answer, (list, tuple)) and any(
        isinstance(item, keras.layers.Layer) for item in answer
    ):
        return f"that is a list of layers: make it a model with {build}."
    return (
        "`model` should be a Keras model (keras.Sequential([...]) or "
        f"keras.Model(inputs, outputs)); got {described(answer)}."
    )
