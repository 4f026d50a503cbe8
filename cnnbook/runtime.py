"""Prepare a notebook kernel so that its outputs are reproducible.

Every chapter and exercise notebook starts with::

    from cnnbook.runtime import configure
    configure()

It must run before anything imports TensorFlow: TensorFlow reads its logging
and oneDNN switches from the environment once, at import time, and its C++ log
lines would otherwise land in stored outputs as stderr.
"""

import os
import random
from contextlib import contextmanager

QUIET_TENSORFLOW_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # no C++ info/warning lines on stderr
    "TF_ENABLE_ONEDNN_OPTS": "0",  # no oneDNN notice; fewer CPU-specific kernels
    "KERAS_BACKEND": "tensorflow",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # no debugger notice on kernel start
}
"""The one place the kernels' environment is set: the executor, the tests
(tests/conftest.py, inherited by nbval's kernels) and :func:`configure` read it.
``TF_ENABLE_ONEDNN_OPTS=0`` avoids oneDNN's notice on stderr; it does not make
floats equal across CPUs (nothing does): stored outputs are rounded instead."""

DEFAULT_SEED = 42

INTRA_OP_THREADS_ENV = "CNNBOOK_INTRA_OP_THREADS"
"""Threads TensorFlow may use inside one op (default 2): `make outputs-check`
sets 1, which changes the order of reductions and so the last bits."""
PERTURB_ENV = "CNNBOOK_PERTURB"
"""Relative size of a perturbation of the experiments' data and initial weights
(default 0, none): `make outputs-check` sets a tiny one to show that no stored
output depends on the last bits."""


def quiet_tensorflow_env() -> dict[str, str]:
    """The environment variables a kernel needs before TensorFlow is imported."""
    return dict(QUIET_TENSORFLOW_ENV)


def configure(seed: int = DEFAULT_SEED, tensorflow: bool = True) -> None:
    """Fix seeds, silence TensorFlow and set rounded printing for a notebook.

    With ``tensorflow=False`` only Python, NumPy and matplotlib are set up, so
    notebooks that need no Keras start in a second instead of ten.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    for name, value in QUIET_TENSORFLOW_ENV.items():
        os.environ.setdefault(name, value)

    import matplotlib
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    np.set_printoptions(precision=4, suppress=True)
    matplotlib.rcParams.update(
        {
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "figure.figsize": (6.4, 3.6),
            "svg.hashsalt": "cnnbook",
            "axes.titlesize": "medium",
        }
    )
    if tensorflow:
        _configure_tensorflow(seed)


def _env_number(name: str, default: float, kind=float, low: float = 0.0):
    """A number from the environment, or ``default`` when it is unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    what = "an integer" if kind is int else "a number"
    message = f"{name} must be {what} of at least {low:g}, got {text!r}"
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(message) from None
    if not value >= low:
        raise ValueError(message)
    return value


def perturbation() -> float:
    """The relative perturbation asked for by ``CNNBOOK_PERTURB`` (0: none)."""
    return _env_number(PERTURB_ENV, 0.0)


def perturbed(values, seed: int = 0):
    """``values`` times (1 + eps u), u uniform in [-1, 1), eps =
    :func:`perturbation`; the array itself (unchanged) when eps is 0.

    Every experiment passes its data and initial weights through it, so that
    ``make outputs-check`` can move the last bits of everything they compute.
    """
    eps = perturbation()
    if eps == 0:
        return values
    import numpy as np

    array = np.asarray(values)
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, size=array.shape)
    return (array * (1.0 + eps * noise)).astype(array.dtype)


def perturb_weights(model, seed: int = 0) -> None:
    """Perturb every weight of a Keras ``model`` in place (see :func:`perturbed`)."""
    if perturbation() == 0:
        return
    model.set_weights(
        [perturbed(w, seed + i) for i, w in enumerate(model.get_weights())]
    )


@contextmanager
def keras_float64():
    """Build, train and run Keras models in float64 inside the ``with`` block.

    The experiments run in float64 so that a CPU's last-bit differences stay
    far below what the book prints. Keras 3 needs two switches for that: the
    dtype policy (layers' weights and computations) and ``floatx`` (which the
    losses and initializers follow); setting only one mixes float32 into a
    float64 model. Both are restored on leaving the block, even on an error.
    """
    import keras

    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)
        keras.config.set_dtype_policy(policy)


def _configure_tensorflow(seed: int) -> None:
    import absl.logging
    import keras
    import tensorflow as tf

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    try:  # only possible before the runtime starts; harmless when repeated
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(
            _env_number(INTRA_OP_THREADS_ENV, 2, int, 1)
        )
    except RuntimeError:
        pass
