"""What backpropagation must keep, and memory over time through a training step.

Adding up every layer's output (``calc``'s training bound) over-counts what a
framework that differentiates automatically keeps: it keeps, from the forward
pass, only the tensors that some gradient reads. By TensorFlow's gradient
functions (Keras 3 on TensorFlow; a test traces the gradient graph):

* a convolution or dense layer reads its **input** (the weight gradient is
  input x output gradient), not its output;
* batch normalisation reads its input; ReLU, sigmoid, tanh, ELU and softmax
  read their **output**; other activations read their input;
* max pooling reads its input and its output; average pooling, padding,
  flattening and additions read nothing;
* the loss reads the network's output.

A layer with a built-in activation (``Conv2D(..., activation="relu")``) also
keeps its output, or the pre-activation tensor of the same size.

:class:`Graph` holds layer calls (:class:`Node`) with what each gradient reads;
:func:`chain` builds one from a stack of ``calc`` specs. :func:`kept_for_backward`
lists the tensors kept; :func:`inference_timeline` and :func:`training_timeline`
give the bytes alive at each moment of a prediction or a training step of a
stack (:class:`Moment`), for figures that show why training needs so much more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.validate import positive_int

__all__ = [
    "OUTPUT_GRADIENT_ACTIVATIONS",
    "Graph",
    "Moment",
    "Node",
    "backward_reads",
    "chain",
    "inference_timeline",
    "kept_for_backward",
    "peak",
    "training_timeline",
]

OUTPUT_GRADIENT_ACTIVATIONS = frozenset(
    {"relu", "relu6", "elu", "selu", "sigmoid", "tanh", "softmax", "exponential"}
)
"""Activations whose TensorFlow gradient reads the output, not the input."""

_READS_INPUT = frozenset({"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense"})
_READS_NOTHING = frozenset(
    {
        "AveragePooling2D",
        "GlobalAveragePooling2D",
        "ZeroPadding2D",
        "Flatten",
        "Add",
        "Concatenate",
    }
)
_READS_BOTH = frozenset(
    {"MaxPooling2D", "GlobalMaxPooling2D", "LocalResponseNormalization"}
)


def backward_reads(spec: calc.Layer | str) -> frozenset[str]:
    """What the gradient of one layer reads: ``"input"``, ``"output"`` and/or
    ``"hidden"`` (a tensor of the output's size inside the layer: a dropout
    mask, or the pre-activation a built-in GELU or swish reads).

    ``spec`` is a calc layer spec, or the name of a merge layer (``"Add"``).
    """
    kind = spec if isinstance(spec, str) else type(spec).__name__
    if not isinstance(spec, (str, calc.Layer)):
        raise ValueError(f"spec must be a calc layer spec or 'Add', got {spec!r}")
    if kind in _READS_NOTHING:
        return frozenset()
    if kind in _READS_BOTH:
        return frozenset({"input", "output"})
    if kind == "BatchNormalization":
        return frozenset({"input"})
    if kind == "Dropout":
        return frozenset({"hidden"})
    if kind == "ReLU":
        return frozenset({"output"})
    if kind == "Activation":
        name = spec.activation
        if name == "linear":
            return frozenset()
        return frozenset({"output" if name in OUTPUT_GRADIENT_ACTIVATIONS else "input"})
    if kind in _READS_INPUT:
        name = spec.activation
        if name in (None, "linear"):
            return frozenset({"input"})
        extra = "output" if name in OUTPUT_GRADIENT_ACTIVATIONS else "hidden"
        return frozenset({"input", extra})
    raise ValueError(f"backward_reads does not know the layer kind {kind!r}")


@dataclass(frozen=True)
class Node:
    """One layer call: the tensors it reads and writes, and what its gradient reads.

    ``values`` is the size of the output per instance; ``weights`` the
    layer's parameters (those that get a gradient are all of them but batch
    norm's moving statistics, which we count as parameters too, as Keras does).
    """

    name: str
    kind: str
    inputs: tuple[str, ...]
    output: str
    values: int
    params: int
    reads: frozenset[str]


@dataclass(frozen=True)
class Graph:
    """Layer calls in run order, on named graph inputs (values per instance)."""

    inputs: Mapping[str, int]
    nodes: tuple[Node, ...]

    def __post_init__(self) -> None:
        if not self.inputs:
            raise ValueError("inputs must name at least one graph input")
        if not self.nodes:
            raise ValueError("nodes must contain at least one layer call")
        known = set(self.inputs)
        for i, node in enumerate(self.nodes):
            missing = [key for key in node.inputs if key not in known]
            if missing:
                raise ValueError(
                    f"nodes[{i}] ({node.name}) reads {missing} before it is written; "
                    "nodes must be in run order"
                )
            if node.output in known:
                raise ValueError(f"nodes[{i}] ({node.name}) rewrites {node.output!r}")
            known.add(node.output)

    @property
    def output(self) -> str:
        return self.nodes[-1].output

    def sizes(self) -> dict[str, int]:
        """Values per instance of every tensor, graph inputs first."""
        return {**self.inputs, **{node.output: node.values for node in self.nodes}}

    @property
    def every_output(self) -> int:
        """The naive count: every layer's output, per instance."""
        return sum(node.values for node in self.nodes)


def chain(input_shape: Sequence[int], layers: Sequence[calc.Layer]) -> Graph:
    """The :class:`Graph` of a stack of calc specs (each reads the previous)."""
    report = calc.analyze(input_shape, layers)  # validates, names like Keras
    nodes, previous = [], "input"
    for spec, line in zip(layers, report.layers, strict=True):
        nodes.append(
            Node(
                line.name,
                line.kind,
                (previous,),
                line.name,
                line.output_elements,
                line.params,
                backward_reads(spec),
            )
        )
        previous = line.name
    return Graph({"input": math.prod(report.input_shape)}, tuple(nodes))


# ------------------------------------------------------------------- what is kept
def _readers(graph: Graph) -> dict[str, list[int]]:
    """For each tensor, the nodes whose backward reads it (the loss is len(nodes))."""
    readers: dict[str, list[int]] = {}
    for i, node in enumerate(graph.nodes):
        if "input" in node.reads:
            for key in dict.fromkeys(node.inputs):
                readers.setdefault(key, []).append(i)
        if "output" in node.reads:
            readers.setdefault(node.output, []).append(i)
        if "hidden" in node.reads:
            readers.setdefault(node.output + "/hidden", []).append(i)
    readers.setdefault(graph.output, []).append(len(graph.nodes))  # the loss
    return readers


def kept_for_backward(graph: Graph) -> dict[str, int]:
    """Values per instance of every tensor some gradient (or the loss) reads."""
    if not isinstance(graph, Graph):
        raise ValueError(f"graph must be a backprop_memory.Graph, got {graph!r}")
    sizes = graph.sizes()
    for node in graph.nodes:
        sizes[node.output + "/hidden"] = node.values
    order = list(sizes)
    readers = _readers(graph)
    return {key: sizes[key] for key in order if key in readers}


# ---------------------------------------------------------------------- timelines
@dataclass(frozen=True)
class Moment:
    """Bytes alive while one operation of a step runs, by what they are for.

    ``stored``: tensors kept for the backward pass; ``working``: tensors alive
    only for the operation (a prediction's input and output, a recomputed
    map, the gradients flowing back); ``parameter_gradients`` grow during the
    backward pass.
    """

    label: str
    phase: str  # "forward", "loss" or "backward"
    parameters: int
    parameter_gradients: int
    stored: int
    working: int

    @property
    def total(self) -> int:
        return self.parameters + self.parameter_gradients + self.stored + self.working


def _scale(batch_size: int, dtype: str) -> int:
    batch_size = positive_int("batch_size", batch_size)
    if dtype not in calc.DTYPE_BYTES:
        raise ValueError(
            f"dtype must be one of {sorted(calc.DTYPE_BYTES)}, got {dtype!r}"
        )
    return batch_size * calc.DTYPE_BYTES[dtype]


def _chain_only(graph: Graph) -> None:
    if not isinstance(graph, Graph):
        raise ValueError(f"graph must be a backprop_memory.Graph, got {graph!r}")
    previous = next(iter(graph.inputs))
    if len(graph.inputs) != 1:
        raise ValueError("timelines need a stack of layers with one input")
    for node in graph.nodes:
        if node.inputs != (previous,):
            raise ValueError(
                f"timelines need a stack of layers: {node.name} does not read "
                f"only the previous layer's output"
            )
        previous = node.output


def inference_timeline(
    graph: Graph, batch_size: int = 1, dtype: str = "float32"
) -> list[Moment]:
    """A prediction: each layer holds its input and output, then frees the input."""
    _chain_only(graph)
    scale = _scale(batch_size, dtype)
    params = sum(node.params for node in graph.nodes) * calc.DTYPE_BYTES[dtype]
    sizes = graph.sizes()
    moments, previous = [], next(iter(graph.inputs))
    for node in graph.nodes:
        working = (sizes[previous] + node.values) * scale
        moments.append(Moment(node.name, "forward", params, 0, 0, working))
        previous = node.output
    return moments


def training_timeline(
    graph: Graph,
    batch_size: int = 1,
    dtype: str = "float32",
    recompute: Iterable[str] = (),
) -> list[Moment]:
    """A training step of a stack, one :class:`Moment` per operation.

    Forward: each layer's output is stored if a gradient reads it, else freed
    once the next layer has read it. Loss: its gradient (the size of the
    output) is written while the output is alive. Backward, from the last
    layer down: the layer's parameter gradient first, then the stored tensors
    no lower layer reads are freed, then the gradient for the layer below is
    written; each gradient is freed once used. This order needs the least
    memory; a framework that computes both gradients of a layer while its
    input is still stored needs more.

    ``recompute`` names layers whose output is not stored but recomputed from
    the stored tensor before it when the backward pass needs it (gradient
    checkpointing); that tensor must itself be stored.
    """
    _chain_only(graph)
    scale = _scale(batch_size, dtype)
    bpv = calc.DTYPE_BYTES[dtype]
    nodes = graph.nodes
    names = [next(iter(graph.inputs))] + [node.output for node in nodes]
    size = {key: v * scale for key, v in graph.sizes().items()}
    recompute = list(recompute) if not isinstance(recompute, str) else [recompute]
    unknown = [name for name in recompute if name not in names[1:]]
    if unknown:
        raise ValueError(f"recompute must name layers of the stack, got {unknown}")
    readers = _readers(graph)
    hidden = {node.output + "/hidden": node.values * scale for node in nodes}
    size.update(hidden)
    needed = set(readers)  # read by some gradient or the loss
    recomputed = set(recompute)
    for name in recomputed:
        before = names[names.index(name) - 1]
        if before not in needed or before in recomputed:
            raise ValueError(
                f"recompute: {name} is recomputed from {before}, which must be stored"
            )
    stored_keys = needed - recomputed
    params = sum(node.params for node in nodes) * bpv

    moments: list[Moment] = []
    alive: set[str] = set()  # stored tensors alive
    for i, node in enumerate(nodes):
        written = (names[i], node.output, node.output + "/hidden")
        alive |= {key for key in written if key in stored_keys}
        transient = {names[i], node.output} - alive
        moments.append(
            Moment(
                node.name,
                "forward",
                params,
                0,
                sum(size[k] for k in alive),
                sum(size[k] for k in transient),
            )
        )

    def remaining_readers(key: str, below: int) -> bool:
        return any(r < below for r in readers.get(key, []))

    out = nodes[-1].output
    moments.append(
        Moment("loss", "loss", params, 0, sum(size[k] for k in alive), size[out])
    )
    if not remaining_readers(out, len(nodes)):
        alive.discard(out)
    grads = 0
    gradient = size[out]  # dL/d(output of the layer being differentiated)
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        extra = 0
        wanted = [names[i]] if "input" in node.reads else []
        wanted += [node.output] if "output" in node.reads else []
        for key in wanted:
            if key in recomputed:
                extra += size[key]
                moments.append(
                    Moment(
                        f"{node.name}: recompute {key}",
                        "backward",
                        params,
                        grads,
                        sum(size[k] for k in alive),
                        gradient + extra,
                    )
                )
        grads += node.params * bpv
        moments.append(
            Moment(
                f"{node.name}: weight gradient" if node.params else node.name,
                "backward",
                params,
                grads,
                sum(size[k] for k in alive),
                gradient + extra,
            )
        )
        for key in (names[i], node.output, node.output + "/hidden"):
            if key in alive and not remaining_readers(key, i):
                alive.discard(key)
        if i > 0:
            below = size[names[i]]
            moments.append(
                Moment(
                    f"{node.name}: input gradient",
                    "backward",
                    params,
                    grads,
                    sum(size[k] for k in alive),
                    gradient + below,
                )
            )
            gradient = below
    return moments


def peak(moments: Sequence[Moment]) -> Moment:
    """The moment that needs the most memory (the first, if several tie)."""
    if not moments:
        raise ValueError("moments must not be empty")
    return max(moments, key=lambda m: m.total)
