"""The probe of ``make outputs-check``: raw floats of the book's kinds of computation.

Run as ``python -m cnnbook.authoring.lever_probe`` in a fresh process with one
lever set in its environment (:mod:`cnnbook.authoring.outputs_check`); it prints,
as JSON, a float32 convolution, a short float32 and float64 training and
NumPy's LRN, unrounded, so that comparing two runs shows what the lever moves.
"""

from __future__ import annotations

import json

import numpy as np

from cnnbook.runtime import configure, perturbed


def probe() -> dict[str, list[float] | float]:
    """The raw floats, keyed by what computed them."""
    configure(seed=0)
    import keras

    from cnnbook.referee.architectures import thin_net
    from cnnbook.referee.plain_vs_residual import digits_split, train_full_batch
    from cnnbook.science import lrn

    out = {}
    x = perturbed(np.random.default_rng(0).random((4, 32, 32, 3), dtype=np.float32))
    conv = keras.layers.Conv2D(8, 3)
    out["float32 convolution"] = np.asarray(conv(x)).ravel()[:2000].tolist()
    x_train, y_train, _, _ = digits_split()
    for floatx in ("float32", "float64"):
        keras.config.set_floatx(floatx)  # the loss's dtype
        keras.config.set_dtype_policy(floatx)  # the layers'
        keras.utils.set_random_seed(0)
        model = thin_net(8, width=16)
        data = perturbed(x_train.astype(floatx))
        out[f"{floatx} training"] = train_full_batch(model, data, y_train, steps=20)[
            "loss"
        ]
    keras.config.set_floatx("float32")
    keras.config.set_dtype_policy("float32")
    stack = np.random.default_rng(1).normal(scale=30.0, size=(7, 7, 16))
    out["NumPy LRN"] = lrn.lrn(perturbed(stack), **lrn.ALEXNET).ravel().tolist()
    return out


if __name__ == "__main__":
    print(json.dumps(probe()))
