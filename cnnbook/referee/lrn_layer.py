"""A Keras layer for local response normalisation (Keras 3 has none built in).

It computes the same function as :func:`cnnbook.science.lrn.lrn` (channels last). On
the TensorFlow backend it calls TensorFlow's fused LRN kernel (float32 and
16-bit floats); elsewhere it runs the formula written in ``keras.ops``
(:meth:`LocalResponseNormalization.call_with_ops`), which the tests check
against TensorFlow too. ``cnnbook.calc.analyze_keras`` recognises the layer
by its class name (no parameters, no multiply-adds), which is how chapter 6
analyses its AlexNet and GoogLeNet builds; keep the name if you rename things.
"""

from __future__ import annotations

import keras
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
        """The formula in ``keras.ops``: used on other backends and dtypes."""
        radius = self.n // 2
        channels = inputs.shape[-1]
        squares = ops.square(inputs)
        pad = [[0, 0]] * (len(inputs.shape) - 1) + [[radius, radius]]
        padded = ops.pad(squares, pad)
        window = padded[..., 0:channels]
        for j in range(1, self.n):
            window = window + padded[..., j : j + channels]
        return inputs / ops.power(self.k + self._scale * window, self.beta)

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
