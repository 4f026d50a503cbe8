"""A Keras layer for local response normalisation (Keras 3 has none built in).

It computes the same function as :func:`cnnbook.science.lrn.lrn` (channels last). On
the TensorFlow backend it calls TensorFlow's fused LRN kernel (float32 and
16-bit floats); elsewhere it runs the formula written in ``keras.ops``
(:meth:`LocalResponseNormalization.call_with_ops`), which the tests check
against TensorFlow too. :func:`cnnbook.referee.keras_bridge.analyze_keras`
recognises the layer by its class name (no parameters, no multiply-adds), which
is how chapter 6 analyses its AlexNet and GoogLeNet builds; keep the name if
you rename things.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from cnnbook.science import lrn as _lrn

__all__ = ["LocalResponseNormalization"]


@keras.saving.register_keras_serializable(package="cnnbook")
class LocalResponseNormalization(keras.layers.Layer):
    """AlexNet's cross-channel normalisation; no parameters, shape unchanged.

    ``k, n, alpha, beta`` mean what they mean in AlexNet's paper (defaults are
    its constants); ``alpha_per_n=True`` divides alpha by n as Caffe does.
    Bad values raise ValueError naming the argument.
    """

    def __init__(self, k=2.0, n=5, alpha=1e-4, beta=0.75, alpha_per_n=False, **kwargs):
        super().__init__(**kwargs)
        args = _lrn.tf_arguments(k, n, alpha, beta, alpha_per_n)  # validates
        self.k, self.n, self.beta = float(k), int(n), float(beta)
        self.alpha, self.alpha_per_n = float(alpha), alpha_per_n
        self._scale = args["alpha"]

    def call(self, inputs):
        if keras.backend.backend() == "tensorflow" and self._fused_dtype(inputs):
            import tensorflow as tf  # TF's fused kernel: same values, faster gradient

            return tf.nn.local_response_normalization(
                inputs,
                depth_radius=self.n // 2,
                bias=self.k,
                alpha=self._scale,
                beta=self.beta,
            )
        return self.call_with_ops(inputs)

    @staticmethod
    def _fused_dtype(inputs) -> bool:
        return str(getattr(inputs.dtype, "name", inputs.dtype)) in (
            "float32",
            "float16",
            "bfloat16",
        )

    def call_with_ops(self, inputs):
        """The formula in ``keras.ops``: used on other backends and dtypes.

        The sum over the ``n`` nearest maps is one product with a band matrix
        (ones where two maps are at most ``n // 2`` apart), and the power is
        written ``exp(-beta * log(...))``: in float64 on a CPU that trains
        about five times faster than padding, slicing and ``power``.
        """
        channels = inputs.shape[-1]
        maps = np.arange(channels)
        band = np.abs(maps[:, None] - maps[None, :]) <= self.n // 2
        window = ops.matmul(ops.square(inputs), ops.cast(band, inputs.dtype))
        divisor_log = ops.log(self.k + self._scale * window)
        return inputs * ops.exp(-self.beta * divisor_log)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            k=self.k,
            n=self.n,
            alpha=self.alpha,
            beta=self.beta,
            alpha_per_n=self.alpha_per_n,
        )
        return config
