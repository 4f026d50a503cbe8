"""The arithmetic of convolutional networks: shapes, parameters, multiply-adds, memory.

Layer specs are named and parametrised like their Keras counterparts, so a stack
written here reads like the Keras model it stands for, but this module is pure
Python: it never imports TensorFlow or Keras (or numpy), so the book can do the
arithmetic instantly and the answers can be checked against Keras separately.

Definitions used throughout (all shapes exclude the batch axis):

* ``params`` counts what Keras ``model.count_params()`` counts, including the
  non-trainable moving mean and variance of batch normalisation.
* activation bytes of a layer = elements of its output x bytes of the dtype.
* ``inference_bytes`` = parameter bytes + batch x the largest set of tensors that
  are alive at once while running the layers in order, each tensor freed after
  its last consumer. For a plain stack that is the largest (input + output) of
  any one layer.
* ``training_bytes`` = parameter bytes + batch x (input + every layer's output):
  the lower bound kept for backpropagation, ignoring gradients and optimizer
  state (see :meth:`Report.training_breakdown` for those).
* ``macs`` counts multiply-adds of convolution and dense layers only, the way the
  ResNet and MobileNet papers count "FLOPs" / "mult-adds"; biases, batch norm,
  pooling, activations and elementwise products are not counted.
* ``receptive_field`` of a layer (a :class:`ReceptiveField`, per axis) is the
  window of input pixels one of its output units can see, the ``jump`` between
  neighbouring units in input pixels (the effective stride) and where unit 0's
  window starts. Per layer with kernel k, stride s, dilation d:
  ``size_out = size_in + (k - 1) * d * jump_in`` and ``jump_out = jump_in * s``.
  SAME padding follows TensorFlow/Keras: the total padding along an axis is
  ``max((out - 1) * s + (k - 1) * d + 1 - in, 0)`` and the smaller half goes
  *before* (``pad_before = total // 2``), the odd pixel after. So a 3 x 3
  stride-2 SAME layer on an even input pads 0 before: output unit i is centred
  on input 2i + 1, not 2i as with PyTorch's symmetric padding=1.

The package is split at its seams: :mod:`.geometry` (argument checks, sliding
windows, receptive fields, the dtype and optimizer tables), :mod:`.layers` (the
layer specs) and :mod:`.report` (a stack's or a graph's report). Import it as
``from cnnbook import calc``; every name below is ``calc.<name>``.
"""

from cnnbook.calc.geometry import (
    ACTIVATIONS,
    DTYPE_BYTES,
    OPTIMIZER_SLOTS,
    PIXEL,
    POINTWISE,
    ReceptiveField,
    Window,
    merge_fields,
)
from cnnbook.calc.layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Layer,
    LocalResponseNormalization,
    MaxPooling2D,
    ReLU,
    SeparableConv2D,
    ZeroPadding2D,
)
from cnnbook.calc.report import (
    GraphStep,
    LayerReport,
    Report,
    TrainingBreakdown,
    analyze,
    report_from_graph,
)

__all__ = [
    "ACTIVATIONS",
    "DTYPE_BYTES",
    "OPTIMIZER_SLOTS",
    "PIXEL",
    "POINTWISE",
    "Activation",
    "AveragePooling2D",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "DepthwiseConv2D",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "GraphStep",
    "Layer",
    "LayerReport",
    "LocalResponseNormalization",
    "MaxPooling2D",
    "ReLU",
    "ReceptiveField",
    "Report",
    "SeparableConv2D",
    "TrainingBreakdown",
    "Window",
    "ZeroPadding2D",
    "analyze",
    "merge_fields",
    "report_from_graph",
]
