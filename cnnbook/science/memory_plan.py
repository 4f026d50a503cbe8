"""Training memory of a network and what each remedy for "out of memory" saves.

Everything here is arithmetic on a :class:`cnnbook.calc.Report` (from
``calc.analyze`` or ``referee.keras_bridge.analyze_keras``): only its element
counts are used (parameters, the input, every layer's output), so one report,
computed once, answers for any batch size, precision, optimizer and remedy.

Memory of one training step, per device, is counted as:

* parameters, their gradients (one per parameter) and the optimizer's slots
  (``calc.OPTIMIZER_SLOTS``: 0 for SGD, 1 for momentum, 2 for Adam), in the
  precision's parameter bytes;
* a gradient accumulator (one float32 value per parameter) when gradients are
  accumulated over several micro-batches;
* the input batch and every layer's output for every image of the (micro-)
  batch, the lower bound backpropagation keeps (``calc``'s training count); with
  gradient checkpointing only the outputs at segment boundaries plus one
  segment's outputs (recomputed during the backward pass).

"Every layer's output" is the naive count, an upper bound for a framework
that frees what no gradient reads: :func:`autodiff_values` counts what
TensorFlow's gradients read (:mod:`cnnbook.science.backprop_memory`), and
``step_memory(..., activation_values=...)`` uses it instead.

Remedies beyond one device's batch: ``devices`` (data parallelism: every device
a full copy), ``split_maps`` (model parallelism as AlexNet across two GPUs:
every layer's filters and maps split across devices), :func:`pipeline_memory`
(pipeline parallelism: consecutive layers on consecutive devices), and
``offload`` (optimizer state or stored activations kept in host memory).

Not counted: framework workspace (convolution algorithms, temporary gradients),
the CUDA context and allocator fragmentation; reserve memory for them.

The networks planned for are described by :mod:`cnnbook.science.resnet`
(``resnet_report``, ``resnet_graph``, re-exported here because the chapter
and the calculator plan for them).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.science import backprop_memory
from cnnbook.science.resnet import BOTTLENECK_DEPTHS, resnet_graph, resnet_report
from cnnbook.validate import non_negative_int, positive_int

__all__ = [
    "GPU_SIZES_GB",
    "PRECISIONS",
    "BOTTLENECK_DEPTHS",
    "OFFLOADS",
    "Precision",
    "StepMemory",
    "best_segments",
    "checkpoint_extra_macs",
    "checkpointed_values",
    "autodiff_values",
    "largest_batch",
    "largest_pipeline_batch",
    "pipeline_memory",
    "resnet_graph",
    "resnet_report",
    "segment_bounds",
    "sqrt_segments",
    "step_memory",
]

GPU_SIZES_GB = (8, 16, 24, 40, 80)
"""Memory of common training GPUs, in GB as vendors print it."""


@dataclass(frozen=True)
class Precision:
    """Bytes per value of what a training step stores, for one float setting."""

    name: str
    parameter_bytes: int  # parameters, gradients, optimizer slots
    activation_bytes: int  # layer outputs kept for backpropagation
    input_bytes: int  # the input batch
    description: str


PRECISIONS = {
    "float32": Precision("float32", 4, 4, 4, "everything in 32-bit floats"),
    "float16": Precision(
        "float16", 2, 2, 2, "everything in 16-bit floats, parameters included"
    ),
    "mixed_float16": Precision(
        "mixed_float16",
        4,
        2,
        4,
        "Keras mixed precision: float32 parameters, gradients and optimizer "
        "state; float16 layer outputs; the input batch fed as float32",
    ),
    "mixed_bfloat16": Precision(
        "mixed_bfloat16", 4, 2, 4, "as mixed_float16, with bfloat16 layer outputs"
    ),
}
"""Precision settings by name; ``mixed_*`` are Keras' dtype policies."""

OFFLOADS = ("optimizer_state", "activations")
"""What ``step_memory(..., offload=...)`` can keep in host memory instead."""

_PARTS = (
    "parameters",
    "gradients",
    "optimizer_state",
    "gradient_accumulator",
    "inputs",
    "activations",
)


@dataclass(frozen=True)
class StepMemory:
    """Bytes one device holds during one training step, by what they are for."""

    batch_size: int
    micro_batch: int  # images one device processes at once
    precision: str
    optimizer: str
    parameters: int
    gradients: int
    optimizer_state: int
    gradient_accumulator: int
    inputs: int
    activations: int
    host: int = 0  # bytes kept in host memory instead (offloading); not in total

    @property
    def total(self) -> int:
        return sum(getattr(self, part) for part in _PARTS)

    @property
    def fixed(self) -> int:
        """The part that does not grow with the batch."""
        return (
            self.parameters
            + self.gradients
            + self.optimizer_state
            + self.gradient_accumulator
        )

    def as_dict(self) -> dict[str, int]:
        return {**{part: getattr(self, part) for part in _PARTS}, "total": self.total}


# --------------------------------------------------------------------------- checks


def _precision(value: object) -> Precision:
    if isinstance(value, str) and value in PRECISIONS:
        return PRECISIONS[value]
    raise ValueError(f"precision must be one of {list(PRECISIONS)}, got {value!r}")


def _optimizer(value: object) -> int:
    if isinstance(value, str) and value in calc.OPTIMIZER_SLOTS:
        return calc.OPTIMIZER_SLOTS[value]
    raise ValueError(
        f"optimizer must be one of {sorted(calc.OPTIMIZER_SLOTS)}, got {value!r}"
    )


def _report(value: object) -> calc.Report:
    if not isinstance(value, calc.Report):
        raise ValueError(
            "report must be a calc.Report (from calc.analyze or "
            f"keras_bridge.analyze_keras), got {type(value).__name__}"
        )
    return value


def _input_values(report: calc.Report) -> int:
    shapes = report.input_shape
    if shapes and isinstance(shapes[0], tuple):
        return sum(math.prod(shape) for shape in shapes)
    return math.prod(shapes)


# ------------------------------------------------------------------- checkpointing
def segment_bounds(n_layers: int, segments: int) -> list[tuple[int, int]]:
    """Split layers 0..n_layers-1 into ``segments`` runs of near-equal length,
    as ``(start, stop)`` index pairs (stop exclusive)."""
    n_layers = positive_int("n_layers", n_layers)
    segments = positive_int("segments", segments)
    if segments > n_layers:
        raise ValueError(
            f"segments must be between 1 and n_layers={n_layers}, got {segments}"
        )
    edges = [round(i * n_layers / segments) for i in range(segments + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def checkpointed_values(values: Sequence[int], segments: int) -> int:
    """Values kept per image with gradient checkpointing in ``segments`` segments.

    ``values`` lists each layer's output size in run order. The output of the
    last layer of every segment is stored; during the backward pass one
    segment at a time is recomputed, so the peak adds the largest segment's
    outputs (Chen et al. 2016). ``segments=1`` keeps everything.
    """
    values = list(values)
    bounds = segment_bounds(len(values), segments)
    if segments == 1:
        return sum(values)
    stored = sum(values[stop - 1] for _, stop in bounds)
    largest = max(sum(values[start : stop - 1]) for start, stop in bounds)
    return stored + largest


def sqrt_segments(n_layers: int) -> int:
    """The square-root rule: about sqrt(n) segments of sqrt(n) layers each."""
    return max(1, round(math.sqrt(positive_int("n_layers", n_layers))))


def best_segments(values: Sequence[int]) -> tuple[int, int]:
    """``(segments, values kept)`` for the segment count that keeps fewest values."""
    values = list(values)
    positive_int("len(values)", len(values))
    return min(
        ((k, checkpointed_values(values, k)) for k in range(1, len(values) + 1)),
        key=lambda pair: (pair[1], pair[0]),
    )


def checkpoint_extra_macs(report: calc.Report, segments: int) -> int:
    """Multiply-adds recomputed per image: every segment's forward pass but the last."""
    report = _report(report)
    bounds = segment_bounds(len(report.layers), segments)
    last_start = bounds[-1][0]
    return sum(layer.macs for layer in report.layers[:last_start])


# --------------------------------------------------------------------- step memory
def step_memory(
    report: calc.Report,
    batch_size: int,
    precision: str = "float32",
    optimizer: str = "adam",
    checkpointing: bool = False,
    accumulation_steps: int = 1,
    devices: int = 1,
    activation_values: int | None = None,
    split_maps: int = 1,
    offload: Sequence[str] = (),
) -> StepMemory:
    """Memory one device needs for one training step on ``batch_size`` images.

    ``accumulation_steps`` splits each device's share of the batch into that many
    micro-batches whose gradients are added up (same effective batch);
    ``devices`` splits the batch across devices that each hold a full copy of
    the parameters, gradients and optimizer state (``tf.distribute.
    MirroredStrategy``). Micro-batches are rounded up to whole images.
    ``checkpointing`` uses the square-root rule (:func:`sqrt_segments`).

    ``activation_values`` replaces the naive per-image count (every layer's
    output) by another, e.g. :func:`autodiff_values`. ``split_maps`` splits
    every layer's filters and maps across that many devices (model
    parallelism, as AlexNet across two GPUs): each holds that share of the
    parameters, gradients, optimizer state and activations, and the whole
    input. ``offload`` moves ``"optimizer_state"`` and/or ``"activations"`` to
    host memory (``host``): the optimizer then updates on the CPU; stored
    activations leave after the forward pass and return for the backward
    pass, so the device keeps only a window of twice the largest set of
    tensors one layer needs while it runs (one layer at work, one in transit).
    """
    report = _report(report)
    batch_size = positive_int("batch_size", batch_size)
    p = _precision(precision)
    slots = _optimizer(optimizer)
    if not isinstance(checkpointing, bool):
        raise ValueError(f"checkpointing must be True or False, got {checkpointing!r}")
    steps = positive_int("accumulation_steps", accumulation_steps)
    devices = positive_int("devices", devices)
    split = positive_int("split_maps", split_maps)
    offload = _offload(offload)
    micro = -(-batch_size // (devices * steps))
    values = [layer.output_elements for layer in report.layers]
    if activation_values is not None:
        if checkpointing:
            raise ValueError("activation_values cannot be combined with checkpointing")
        kept = non_negative_int("activation_values", activation_values)
    elif checkpointing:
        kept = checkpointed_values(values, sqrt_segments(len(values)))
    else:
        kept = sum(values)
    params = -(-report.params // split)
    state = slots * params * p.parameter_bytes
    activations = micro * -(-kept // split) * p.activation_bytes
    host = 0
    if "optimizer_state" in offload:
        host, state = host + state, 0
    if "activations" in offload:
        window = micro * 2 * -(-report.peak_live_elements // split)
        on_device = min(activations, window * p.activation_bytes)
        host, activations = host + activations - on_device, on_device
    return StepMemory(
        batch_size=batch_size,
        micro_batch=micro,
        precision=p.name,
        optimizer=optimizer,
        parameters=params * p.parameter_bytes,
        gradients=params * p.parameter_bytes,
        optimizer_state=state,
        gradient_accumulator=params * 4 if steps > 1 else 0,
        inputs=micro * _input_values(report) * p.input_bytes,
        activations=activations,
        host=host,
    )


def _offload(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (tuple, list, set, frozenset)) or any(
        v not in OFFLOADS for v in value
    ):
        raise ValueError(
            f"offload must be a sequence of {list(OFFLOADS)} (or empty), got {value!r}"
        )
    return frozenset(value)


def autodiff_values(graph: backprop_memory.Graph) -> int:
    """Values per image the gradients read from the forward pass, graph inputs
    excluded (``step_memory`` counts the input batch apart): what a framework
    that frees everything else must keep (:mod:`backprop_memory`)."""
    kept = backprop_memory.kept_for_backward(graph)
    return sum(v for key, v in kept.items() if key not in graph.inputs)


def pipeline_memory(
    graph: backprop_memory.Graph,
    batch_size: int,
    stages: int,
    precision: str = "float32",
    optimizer: str = "adam",
) -> list[StepMemory]:
    """Memory of each device when consecutive layers run on consecutive devices
    (pipeline parallelism, GPipe-style, no recomputation).

    The layers are cut only where a single tensor passes from one device to
    the next (between residual blocks, not inside one), at the cuts that make
    the busiest device's memory smallest. Each device holds its layers'
    parameters, gradients and optimizer state, the tensor it receives and
    every output of its layers for all ``batch_size`` images (split into
    micro-batches that flow through the pipeline, the activations of all of
    them are kept until their backward pass).
    """
    if not isinstance(graph, backprop_memory.Graph):
        raise ValueError(f"graph must be a backprop_memory.Graph, got {graph!r}")
    batch_size = positive_int("batch_size", batch_size)
    stages = positive_int("stages", stages)
    p, slots = _precision(precision), _optimizer(optimizer)
    cuts, received = _pipeline_cuts(graph)
    if stages > len(cuts) - 1:
        raise ValueError(
            f"stages must be between 1 and {len(cuts) - 1} for this network, "
            f"got {stages}"
        )
    params = [0]
    values = [0]
    for node in graph.nodes:
        params.append(params[-1] + node.params)
        values.append(values[-1] + node.values)

    def stage(start: int, stop: int) -> StepMemory:
        n = params[stop] - params[start]
        bytes_in = p.input_bytes if start == 0 else p.activation_bytes
        return StepMemory(
            batch_size=batch_size,
            micro_batch=batch_size,
            precision=p.name,
            optimizer=optimizer,
            parameters=n * p.parameter_bytes,
            gradients=n * p.parameter_bytes,
            optimizer_state=slots * n * p.parameter_bytes,
            gradient_accumulator=0,
            inputs=batch_size * received[start] * bytes_in,
            activations=batch_size
            * (values[stop] - values[start])
            * p.activation_bytes,
        )

    # best[k][j]: (busiest total, cut list) for nodes[:cuts[j]] on k devices
    best = {
        (1, j): (stage(0, cuts[j]).total, [0, cuts[j]]) for j in range(1, len(cuts))
    }
    for k in range(2, stages + 1):
        for j in range(k, len(cuts)):
            options = []
            for i in range(k - 1, j):
                worst, bounds = best[(k - 1, i)]
                last = stage(cuts[i], cuts[j]).total
                options.append((max(worst, last), bounds + [cuts[j]]))
            best[(k, j)] = min(options, key=lambda option: option[0])
    bounds = best[(stages, len(cuts) - 1)][1]
    return [stage(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _pipeline_cuts(graph: backprop_memory.Graph) -> tuple[list[int], dict[int, int]]:
    """Node indices where a pipeline may cut (exactly one tensor crosses), 0 and
    n included, and the values per instance a stage starting there receives."""
    sizes = graph.sizes()
    last_read = {}
    for i, node in enumerate(graph.nodes):
        for key in node.inputs:
            last_read[key] = i
    alive = dict.fromkeys(graph.inputs)  # written so far and read later
    cuts, received = [0], {0: sum(graph.inputs.values())}
    for cut, node in enumerate(graph.nodes[:-1], start=1):
        alive[node.output] = None
        alive = {k: None for k in alive if last_read.get(k, -1) >= cut}
        if len(alive) == 1:
            cuts.append(cut)
            received[cut] = sizes[next(iter(alive))]
    cuts.append(len(graph.nodes))
    return cuts, received


def largest_batch(
    report: calc.Report,
    memory_bytes: float,
    reserve_bytes: float = 0,
    limit: int = 1_000_000,
    **setup,
) -> int:
    """The largest batch whose :func:`step_memory` total fits in
    ``memory_bytes - reserve_bytes``; 0 if not even one image fits. ``setup``
    takes :func:`step_memory`'s keyword arguments. Searched up to ``limit``."""
    budget = _budget(memory_bytes, reserve_bytes)
    limit = positive_int("limit", limit)
    return _largest(lambda b: step_memory(report, b, **setup).total <= budget, limit)


def largest_pipeline_batch(
    graph: backprop_memory.Graph,
    memory_bytes: float,
    reserve_bytes: float = 0,
    stages: int = 2,
    limit: int = 1_000_000,
    **setup,
) -> int:
    """As :func:`largest_batch`, for :func:`pipeline_memory`: the largest batch
    whose busiest device fits (``setup``: precision, optimizer)."""
    budget = _budget(memory_bytes, reserve_bytes)
    limit = positive_int("limit", limit)

    def fits(batch: int) -> bool:
        busiest = max(s.total for s in pipeline_memory(graph, batch, stages, **setup))
        return busiest <= budget

    return _largest(fits, limit)


def _budget(memory_bytes: object, reserve_bytes: object) -> float:
    for arg, value in (
        ("memory_bytes", memory_bytes),
        ("reserve_bytes", reserve_bytes),
    ):
        if (
            not isinstance(value, numbers.Real)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ValueError(f"{arg} must be a non-negative number, got {value!r}")
    return memory_bytes - reserve_bytes


def _largest(fits, limit: int) -> int:
    """The largest batch in 1..limit for which ``fits`` holds (0 if none);
    memory grows with the batch, so bisect."""
    if not fits(1):
        return 0
    low, high = 1, limit
    if fits(high):
        return high
    while high - low > 1:  # fits(low) and not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low
