"""A network's report: per-layer shapes, parameters, multiply-adds and memory,
for a stack (:func:`analyze`) or a graph (:func:`report_from_graph`)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from cnnbook.calc.geometry import (
    OPTIMIZER_SLOTS,
    PIXEL,
    ReceptiveField,
    Shape,
    Window,
    _dtype_bytes,
    _shape,
    _snake_case,
    merge_fields,
)
from cnnbook.calc.layers import Layer
from cnnbook.validate import positive_int


# --------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class LayerReport:
    """One layer's line in a :class:`Report` (shapes exclude the batch axis).

    ``input_shape`` is a tuple of shapes for layers with several inputs (Add,
    Concatenate...). ``activation_bytes`` is per instance.
    ``receptive_field`` is what one output unit sees of the model's input
    (:class:`ReceptiveField`), or None when it sees all of it (after Flatten,
    Dense, global pooling, a squeeze-and-excitation scale) or the geometry is
    not known.
    """

    name: str
    kind: str
    input_shape: tuple
    output_shape: Shape
    params: int
    activation_bytes: int
    macs: int
    receptive_field: ReceptiveField | None = None

    @property
    def output_elements(self) -> int:
        return math.prod(self.output_shape)


@dataclass(frozen=True)
class TrainingBreakdown:
    """Memory for one training step, in bytes, split by what it is for."""

    optimizer: str
    parameters: int
    gradients: int
    optimizer_state: int
    activations: int
    inputs: int

    @property
    def total(self) -> int:
        return (
            self.parameters
            + self.gradients
            + self.optimizer_state
            + self.activations
            + self.inputs
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "parameters": self.parameters,
            "gradients": self.gradients,
            "optimizer_state": self.optimizer_state,
            "activations": self.activations,
            "inputs": self.inputs,
            "total": self.total,
        }


@dataclass(frozen=True)
class Report:
    """Totals for a network; see the module docstring for the definitions.

    ``input_shape`` is a tuple of shapes when a model has several inputs.
    ``peak_live_elements`` is the per-instance activation part of
    ``inference_bytes`` (in values, not bytes).
    """

    input_shape: tuple
    batch_size: int
    dtype: str
    bytes_per_value: int
    layers: tuple[LayerReport, ...]
    params: int
    param_bytes: int
    input_bytes: int
    macs: int
    inference_bytes: int
    training_bytes: int
    peak_live_elements: int

    @property
    def activation_bytes(self) -> int:
        """Every layer's output for the whole batch (kept for backprop)."""
        return self.batch_size * sum(layer.activation_bytes for layer in self.layers)

    def training_breakdown(self, optimizer: str = "adam") -> TrainingBreakdown:
        """Add gradients (one per parameter) and optimizer slots to the bound.

        ``parameters + activations + inputs`` equals ``training_bytes``.
        """
        if optimizer not in OPTIMIZER_SLOTS:
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZER_SLOTS)}, got {optimizer!r}"
            )
        return TrainingBreakdown(
            optimizer=optimizer,
            parameters=self.param_bytes,
            gradients=self.param_bytes,
            optimizer_state=OPTIMIZER_SLOTS[optimizer] * self.param_bytes,
            activations=self.activation_bytes,
            inputs=self.input_bytes,
        )

    def table(self) -> list[dict]:
        """One dict per layer, ready for ``pandas.DataFrame`` or a markdown table."""
        return [
            {
                "name": layer.name,
                "kind": layer.kind,
                "input_shape": layer.input_shape,
                "output_shape": layer.output_shape,
                "params": layer.params,
                "macs": layer.macs,
                "activation_bytes": layer.activation_bytes,
            }
            for layer in self.layers
        ]


@dataclass(frozen=True)
class GraphStep:
    """One layer call in a graph: which tensors it reads and which it writes.

    Tensors are identified by any hashable key; graph inputs are keys given to
    :func:`report_from_graph`. ``input_shape`` may be a tuple of shapes.
    ``window`` says where an output unit reads its inputs (all at the same
    :class:`Window`); None when it reads all of them or is not known.
    """

    name: str
    kind: str
    input_shape: tuple
    output_shape: Shape
    params: int
    macs: int
    inputs: tuple[Hashable, ...]
    output: Hashable
    window: Window | None = None


def report_from_graph(
    inputs: Mapping[Hashable, Shape],
    steps: Sequence[GraphStep],
    batch_size: int = 1,
    dtype: str = "float32",
    outputs: Sequence[Hashable] = (),
) -> Report:
    """Build a :class:`Report` from layer calls listed in a topological order.

    Shared by :func:`analyze` (a chain) and the Keras bridge (any DAG), so both
    use one definition of peak live memory: a tensor lives from the step that
    writes it until its last reader has run; graph inputs live from the start;
    tensors in ``outputs`` or never read live to the end. Receptive fields are
    carried along the graph the same way: a (H, W, C) input starts at
    :data:`PIXEL`, each step merges its inputs' fields and passes them
    through its window.
    """
    batch_size = positive_int("batch_size", batch_size)
    bpv = _dtype_bytes(dtype)
    if not inputs:
        raise ValueError("inputs must name at least one graph input")
    if not steps:
        raise ValueError("steps must contain at least one layer")
    size = {key: math.prod(shape) for key, shape in inputs.items()}
    last_read: dict[Hashable, int] = {}
    for i, step in enumerate(steps):
        for key in step.inputs:
            if key not in size:
                raise ValueError(
                    f"steps[{i}] ({step.name}) reads tensor {key!r} before it is "
                    "written; steps must be in topological order"
                )
            last_read[key] = i
        if step.output in size:
            raise ValueError(
                f"steps[{i}] ({step.name}) rewrites tensor {step.output!r}"
            )
        size[step.output] = math.prod(step.output_shape)
    for key in outputs:
        last_read.pop(key, None)

    field = {key: PIXEL if len(shape) == 3 else None for key, shape in inputs.items()}
    live = peak = sum(size[key] for key in inputs)
    layers = []
    for i, step in enumerate(steps):
        seen = merge_fields([field[key] for key in step.inputs])
        seen = (
            None if seen is None or step.window is None else seen.through(step.window)
        )
        field[step.output] = seen
        out = size[step.output]
        live += out
        peak = max(peak, live)
        for key in set(step.inputs):
            if last_read.get(key) == i:
                live -= size[key]
        layers.append(
            LayerReport(
                name=step.name,
                kind=step.kind,
                input_shape=step.input_shape,
                output_shape=tuple(step.output_shape),
                params=step.params,
                activation_bytes=out * bpv,
                macs=step.macs,
                receptive_field=seen,
            )
        )

    params = sum(layer.params for layer in layers)
    input_elements = sum(size[key] for key in inputs)
    shapes = list(inputs.values())
    outputs_total = sum(layer.output_elements for layer in layers)
    return Report(
        input_shape=tuple(shapes[0]) if len(shapes) == 1 else tuple(shapes),
        batch_size=batch_size,
        dtype=dtype,
        bytes_per_value=bpv,
        layers=tuple(layers),
        params=params,
        param_bytes=params * bpv,
        input_bytes=batch_size * input_elements * bpv,
        macs=sum(layer.macs for layer in layers),
        inference_bytes=(params + batch_size * peak) * bpv,
        training_bytes=(params + batch_size * (input_elements + outputs_total)) * bpv,
        peak_live_elements=peak,
    )


def _layer_names(layers: Sequence[Layer]) -> list[str]:
    """Explicit names kept; others named like Keras: conv2d, conv2d_1, ..."""
    taken: dict[str, int] = {}
    for i, layer in enumerate(layers):
        if layer.name is not None:
            if layer.name in taken:
                raise ValueError(
                    f"name {layer.name!r} is used by layers[{taken[layer.name]}] "
                    f"and layers[{i}]; names must be unique"
                )
            taken[layer.name] = i
    names, counters = [], {}
    for layer in layers:
        if layer.name is not None:
            names.append(layer.name)
            continue
        base = _snake_case(type(layer).__name__)
        n = counters.get(base, 0)
        name = base if n == 0 else f"{base}_{n}"
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        counters[base] = n + 1
        taken[name] = -1
        names.append(name)
    return names


def _is_layer_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _is_layer(value: object) -> bool:
    return isinstance(value, Layer)


def analyze(
    input_shape: Sequence[int],
    layers: Sequence[Layer],
    batch_size: int = 1,
    dtype: str = "float32",
) -> Report:
    """Shapes, parameters, multiply-adds and memory of a stack of layer specs.

    ``input_shape`` excludes the batch axis: (H, W, C) or (N,). A layer that does
    not fit its input raises ValueError naming the layer's index and name.
    """
    shape = _shape("input_shape", input_shape)
    if not _is_layer_list(layers):
        raise ValueError(f"layers must be a list of calc layer specs, got {layers!r}")
    if not layers:
        raise ValueError("layers must contain at least one layer, got an empty list")
    for i, layer in enumerate(layers):
        if not _is_layer(layer):
            raise ValueError(
                f"layers[{i}] must be a calc layer spec such as calc.Conv2D, "
                f"got {layer!r}"
            )
    positive_int("batch_size", batch_size)
    _dtype_bytes(dtype)

    names = _layer_names(layers)
    steps = []
    for i, (layer, name) in enumerate(zip(layers, names, strict=True)):
        kind = type(layer).__name__
        try:
            out = layer.compute_output_shape(shape)
            params = layer.count_params(shape)
            macs = layer.count_macs(shape)
            window = layer.window(shape)
        except ValueError as err:
            raise ValueError(f"layers[{i}] ({name}, {kind}): {err}") from None
        steps.append(
            GraphStep(name, kind, shape, out, params, macs, (i,), i + 1, window)
        )
        shape = out
    return report_from_graph({0: steps[0].input_shape}, steps, batch_size, dtype)
