"""Read a built Keras model into a :class:`cnnbook.calc.Report`, by duck typing.

Nothing here imports Keras: the model is read through what every built Keras 3
model exposes (``inputs``/``outputs``, a symbolic tensor's ``_keras_history``, a
layer's ``_inbound_nodes``, ``get_config()`` and ``count_params()``). So the
book can check its pencil-and-paper arithmetic against whatever Keras built the
model, and ``cnnbook.calc`` stays importable without TensorFlow.

Parameters are Keras' own ``count_params()`` (once per layer, even if the layer
is shared); shapes are Keras' own; only multiply-adds are computed here, from
each layer's config and shapes, by the rules in :mod:`cnnbook.calc`, and where
each layer's outputs read its input (kernel, strides, ``dilation_rate``, the
SAME padding before), from which the report carries receptive fields.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from cnnbook import calc

__all__ = ["KNOWN_LAYERS", "analyze_keras"]

_CONV = frozenset({"Conv1D", "Conv2D", "Conv3D"})
_TRANSPOSED = frozenset({"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"})
_DEPTHWISE = frozenset({"DepthwiseConv1D", "DepthwiseConv2D"})
_SEPARABLE = frozenset({"SeparableConv1D", "SeparableConv2D"})
_POINTWISE_NO_MACS = frozenset(
    {
        # each output position reads the same position of every input
        "Activation",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "PReLU",
        "Softmax",
        "BatchNormalization",
        "LocalResponseNormalization",
        "Dropout",
        "SpatialDropout2D",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "ActivityRegularization",
        "Identity",
        "Rescaling",
        "Normalization",
        # merging branches
        "Add",
        "Subtract",
        "Multiply",
        "Average",
        "Maximum",
        "Minimum",
        "Concatenate",
    }
)
_NO_MACS = _POINTWISE_NO_MACS | frozenset(
    {
        # normalisation and dropout over more than one position
        "LayerNormalization",
        "GroupNormalization",
        "UnitNormalization",
        "SpatialDropout1D",
        "SpatialDropout3D",
        # reshaping, padding, pooling
        "Flatten",
        "Reshape",
        "Permute",
        "RepeatVector",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "ZeroPadding3D",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "UpSampling1D",
        "UpSampling2D",
        "UpSampling3D",
        "MaxPooling1D",
        "MaxPooling2D",
        "MaxPooling3D",
        "AveragePooling1D",
        "AveragePooling2D",
        "AveragePooling3D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling3D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
        # preprocessing and augmentation that moves pixels
        "Resizing",
        "CenterCrop",
        "RandomCrop",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
    }
)
KNOWN_LAYERS = (
    _CONV | _TRANSPOSED | _DEPTHWISE | _SEPARABLE | _NO_MACS | {"Dense", "InputLayer"}
)
"""Keras layer class names the bridge understands (plus nested models)."""

_SLIDING_2D = frozenset({"Conv2D", "DepthwiseConv2D", "SeparableConv2D"})
_POOLING_2D = frozenset({"MaxPooling2D", "AveragePooling2D"})
_POINTWISE = _POINTWISE_NO_MACS | {"Dense"}  # Dense on a map: per position


def analyze_keras(model, batch_size: int = 1, dtype: str | None = None) -> calc.Report:
    """Report on a built Sequential or functional Keras model, branches included.

    Layers run in Keras' own order (deepest first, as a functional model runs
    its graph); inference memory is the peak of live tensors in that order.
    ``dtype=None`` takes the model's compute dtype. InputLayers are not listed.
    Layers of nested models are listed as ``outer/inner``.
    """
    if dtype is None:
        dtype = _model_dtype(model)
    inputs, outputs = _io(model)
    graph_inputs = {_key(t, ()): _shape(t, "input") for t in inputs}
    steps = _steps(model, (), {}, "", {})
    out_keys = [_key(t, ()) for t in outputs]
    return calc.report_from_graph(graph_inputs, steps, batch_size, dtype, out_keys)


def _model_dtype(model) -> str:
    policy = getattr(model, "dtype_policy", None)
    dtype = getattr(policy, "compute_dtype", None) or getattr(
        model, "compute_dtype", None
    )
    dtype = dtype or getattr(model, "dtype", None)
    return str(getattr(dtype, "name", dtype))


def _flat(structure) -> list:
    if isinstance(structure, dict):
        structure = list(structure.values())
    if isinstance(structure, (list, tuple)):
        return [t for item in structure for t in _flat(item)]
    return [structure]


def _io(model) -> tuple[list, list]:
    kind = type(model).__name__
    try:
        return _flat(model.inputs), _flat(model.outputs)
    except (AttributeError, ValueError, TypeError) as err:
        raise ValueError(
            f"model must be a built Keras Sequential or functional model "
            f"(start it with keras.Input), got {kind}: {err}"
        ) from None


def _history(tensor):
    try:
        operation, node_index, tensor_index = tensor._keras_history
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"{tensor!r} is not a symbolic Keras tensor") from None
    return operation, node_index, tensor_index


def _key(tensor, prefix: tuple) -> Hashable:
    """Identify a tensor by who made it; ``prefix`` separates nested calls."""
    operation, node_index, tensor_index = _history(tensor)
    return (prefix, id(operation), node_index, tensor_index)


def _node_of(tensor):
    operation, node_index, _ = _history(tensor)
    return operation._inbound_nodes[node_index]


def _node_operation(node):
    operation = getattr(node, "operation", None)
    return operation if operation is not None else node.layer  # tf.keras 2


def _node_inputs(node) -> list:
    tensors = getattr(node, "input_tensors", None)
    if tensors is None:
        tensors = node.keras_inputs  # tf.keras 2
    return _flat(tensors)


def _node_outputs(node) -> list:
    return _flat(node.outputs)


def _shape(tensor, what: str) -> tuple[int, ...]:
    shape = tuple(tensor.shape)[1:]
    if not all(isinstance(d, int) for d in shape):
        raise ValueError(
            f"{what} has an undefined size in shape {tuple(tensor.shape)}; build the "
            "model on a keras.Input with a fixed shape"
        )
    return shape


def _is_input(node) -> bool:
    return type(_node_operation(node)).__name__ == "InputLayer"


def _is_model(operation) -> bool:
    return all(hasattr(operation, a) for a in ("layers", "inputs", "outputs"))


def _ordered_nodes(model) -> list:
    """Nodes needed for the outputs, in Keras' run order: deepest first."""
    roots = [_node_of(t) for t in _flat(model.outputs)]
    postorder: list = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(_node_inputs(root)))]
        while stack:
            node, pending = stack[-1]
            for tensor in pending:
                parent = _node_of(tensor)
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append((parent, iter(_node_inputs(parent))))
                    break
            else:
                stack.pop()
                postorder.append(node)
    depth = {id(node): 0 for node in postorder}
    for node in reversed(postorder):  # every consumer comes before its producers
        for tensor in _node_inputs(node):
            parent = id(_node_of(tensor))
            depth[parent] = max(depth[parent], depth[id(node)] + 1)
    index = {id(node): i for i, node in enumerate(postorder)}
    return sorted(postorder, key=lambda n: (-depth[id(n)], index[id(n)]))


def _steps(model, prefix: tuple, rename: dict, name_prefix: str, calls: dict) -> list:
    """GraphSteps of one (possibly nested) model; ``rename`` binds its tensors.

    ``calls`` counts calls per layer across the whole model, so a shared layer's
    parameters are counted once and its later calls are named ``name#1``...
    """
    _io(model)

    def key(tensor) -> Hashable:
        k = _key(tensor, prefix)
        return rename.get(k, k)

    steps: list[calc.GraphStep] = []
    for node in _ordered_nodes(model):
        if _is_input(node):
            continue
        layer = _node_operation(node)
        ins, outs = _node_inputs(node), _node_outputs(node)
        if _is_model(layer):
            steps += _nested(layer, node, prefix, key, name_prefix, calls)
            continue
        kind = type(layer).__name__
        name = name_prefix + getattr(layer, "name", kind)
        if kind not in KNOWN_LAYERS:
            raise ValueError(
                f"analyze_keras does not know the layer class {kind!r} (layer "
                f"{name!r}); known classes are in keras_bridge.KNOWN_LAYERS"
            )
        if len(outs) != 1:
            raise ValueError(f"layer {name!r} ({kind}) has {len(outs)} outputs")
        in_shapes = tuple(_shape(t, f"input of layer {name!r}") for t in ins)
        out_shape = _shape(outs[0], f"output of layer {name!r}")
        call = calls.get(id(layer), 0)
        calls[id(layer)] = call + 1
        steps.append(
            calc.GraphStep(
                name=f"{name}#{call}" if call else name,
                kind=kind,
                input_shape=in_shapes[0] if len(in_shapes) == 1 else in_shapes,
                output_shape=out_shape,
                params=0 if call else layer.count_params(),
                macs=_macs(layer, kind, in_shapes, out_shape),
                inputs=tuple(key(t) for t in ins),
                output=key(outs[0]),
                window=_window(layer, kind, in_shapes, out_shape),
            )
        )
    return steps


def _nested(model, node, prefix, outer_key, name_prefix, calls) -> list:
    """Splice a model used as a layer into the outer graph."""
    inner_ins, inner_outs = _io(model)
    ins, outs = _node_inputs(node), _node_outputs(node)
    if len(ins) != len(inner_ins) or len(outs) != len(inner_outs):
        raise ValueError(f"cannot match the inputs and outputs of model {model.name!r}")
    inner = prefix + (id(node),)
    rename = {_key(t, inner): outer_key(o) for t, o in zip(inner_ins, ins, strict=True)}
    for t, o in zip(inner_outs, outs, strict=True):
        if _key(t, inner) in rename:
            raise ValueError(f"model {model.name!r} passes an input straight through")
        rename[_key(t, inner)] = outer_key(o)
    return _steps(model, inner, rename, f"{name_prefix}{model.name}/", calls)


def _macs(layer, kind: str, in_shapes: tuple, out_shape: tuple) -> int:
    """Multiply-adds of one call, by the rules in cnnbook.calc's docstring."""
    if kind in _NO_MACS:
        return 0
    config = layer.get_config()
    in_shape = in_shapes[0]
    channels_first = config.get("data_format") == "channels_first"
    c_in = in_shape[0] if channels_first else in_shape[-1]
    out = math.prod(out_shape)
    if kind == "Dense":
        return out * in_shape[-1]
    window = math.prod(config["kernel_size"])
    groups = config.get("groups") or 1
    if kind in _CONV:
        return out * window * c_in // groups
    if kind in _TRANSPOSED:
        return math.prod(in_shape) * window * config["filters"] // groups
    if kind in _DEPTHWISE:
        return out * window
    # separable: depthwise (window per mid channel) then 1x1 pointwise
    positions = out // config["filters"]
    mid = c_in * config["depth_multiplier"]
    return positions * mid * window + positions * mid * config["filters"]


def _window(layer, kind: str, in_shapes: tuple, out_shape: tuple) -> calc.Window | None:
    """Where an output unit of a 2-D layer reads its (H, W, C) inputs, from the
    config and Keras' shapes; None for layers that read everything or that
    ``calc.Window`` cannot describe (upsampling, 1-D and 3-D layers...)."""
    config = layer.get_config()
    if config.get("data_format") == "channels_first" or any(
        len(shape) != 3 for shape in (*in_shapes, out_shape)
    ):
        return None
    if kind in _POINTWISE:
        if kind == "Concatenate" and config.get("axis") not in (-1, 3):
            return None  # joined along height or width: not one grid
        if len({shape[:2] for shape in (*in_shapes, out_shape)}) > 1:
            return None  # positions do not line up one to one
        return calc.POINTWISE
    if kind == "ZeroPadding2D":
        (top, _), (left, _) = config["padding"]
        return calc.Window(pad_before=(top, left))
    if kind == "Cropping2D":
        (top, _), (left, _) = config["cropping"]
        return calc.Window(pad_before=(-top, -left))
    if kind in _SLIDING_2D:
        kernel, dilation = config["kernel_size"], config["dilation_rate"]
    elif kind in _POOLING_2D:
        kernel, dilation = config["pool_size"], (1, 1)
    else:
        return None
    strides, padding = tuple(config["strides"]), config["padding"]
    pads = []
    for n, out, k, d, s in zip(
        in_shapes[0][:2], out_shape[:2], kernel, dilation, strides, strict=True
    ):
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append(total // 2 if padding == "same" else 0)
    return calc.Window(tuple(kernel), strides, tuple(dilation), tuple(pads))
