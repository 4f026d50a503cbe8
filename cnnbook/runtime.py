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

QUIET_TENSORFLOW_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # no C++ info/warning lines on stderr
    "TF_ENABLE_ONEDNN_OPTS": "0",  # no oneDNN notice; fewer CPU-specific kernels
    "KERAS_BACKEND": "tensorflow",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # no debugger notice on kernel start
}
"""The one place the kernels' environment is set: the executor, the tests
(tests/conftest.py, inherited by nbval's kernels) and :func:`configure` read it."""

DEFAULT_SEED = 42


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
        tf.config.threading.set_intra_op_parallelism_threads(2)
    except RuntimeError:
        pass
