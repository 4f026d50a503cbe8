"""cnnbook.runtime: configure (seeds, quiet TensorFlow, threads) and keras_float64."""

import keras
import numpy as np
import pytest

from cnnbook.runtime import QUIET_TENSORFLOW_ENV, keras_float64


def dtype(tensor) -> str:
    return keras.backend.standardize_dtype(tensor.dtype)


def test_layers_weights_and_losses_are_float64_inside_and_restored_after():
    before = keras.config.floatx(), keras.config.dtype_policy().name
    with keras_float64():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        logits = model(np.ones((4, 3)))
        value = loss(np.array([0, 1, 0, 1]), logits)
        assert dtype(model.layers[0].kernel) == "float64"
        assert dtype(logits) == "float64" and dtype(value) == "float64"
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before
    assert keras.layers.Dense(2).dtype_policy.name == before[1]


def test_a_float32_loss_would_round_what_float64_keeps():
    # Why both switches matter: with only the policy set, the loss follows
    # floatx and casts the float64 predictions down to float32.
    keras.config.set_dtype_policy("float64")
    try:
        value = keras.losses.MeanSquaredError()(
            np.array([0.0]), np.array([1 + 1e-12], dtype="float64")
        )
    finally:
        keras.config.set_dtype_policy(keras.config.floatx())
    assert dtype(value) == "float32"
    with keras_float64():
        value = keras.losses.MeanSquaredError()(
            np.array([0.0]), np.array([1 + 1e-12], dtype="float64")
        )
    assert dtype(value) == "float64" and float(value) != 1.0


def test_the_settings_come_back_after_an_error():
    before = keras.config.floatx(), keras.config.dtype_policy().name
    with pytest.raises(RuntimeError, match="inside"), keras_float64():
        raise RuntimeError("inside")
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before


def _configured(code: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` after ``configure`` in a fresh interpreter (TensorFlow reads
    its switches once, at import) and return the JSON it prints."""
    import json
    import os
    import subprocess
    import sys

    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in QUIET_TENSORFLOW_ENV and not k.startswith("CNNBOOK_")
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_configure_without_tensorflow_seeds_python_and_numpy_only():
    code = (
        "import json, os, random, sys, numpy as np\n"
        "from cnnbook.runtime import configure\n"
        "configure(seed=7, tensorflow=False)\n"
        "print(json.dumps({'r': random.random(), 'n': float(np.random.rand()),\n"
        "  'tf': 'tensorflow' in sys.modules, 'env': dict(os.environ),\n"
        "  'precision': np.get_printoptions()['precision']}))"
    )
    first, again = _configured(code), _configured(code)
    assert (first["r"], first["n"]) == (again["r"], again["n"])
    other = _configured(code.replace("seed=7", "seed=8"))
    assert (other["r"], other["n"]) != (first["r"], first["n"])
    assert first["tf"] is False and first["precision"] == 4
    for name, value in QUIET_TENSORFLOW_ENV.items():
        assert first["env"][name] == value


def test_configure_quiets_seeds_and_threads_tensorflow():
    code = (
        "import json\n"
        "from cnnbook.runtime import configure\n"
        "configure(seed=3)\n"
        "import tensorflow as tf, keras\n"
        "print(json.dumps({'x': float(keras.random.uniform(()).numpy()),\n"
        "  'intra': tf.config.threading.get_intra_op_parallelism_threads(),\n"
        "  'inter': tf.config.threading.get_inter_op_parallelism_threads()}))"
    )
    two = _configured(code)
    assert two["intra"] == 2 and two["inter"] == 1
    one = _configured(code, {"CNNBOOK_INTRA_OP_THREADS": "1"})
    assert one["intra"] == 1
    assert _configured(code)["x"] == two["x"]


@pytest.mark.parametrize("seed", [-1, 1.5, True, "42"])
def test_configure_refuses_a_bad_seed(seed):
    from cnnbook.runtime import configure

    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        configure(seed=seed, tensorflow=False)


def test_a_bad_thread_count_is_named():
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cnnbook.runtime import configure; configure()",
        ],
        env={**os.environ, "CNNBOOK_INTRA_OP_THREADS": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CNNBOOK_INTRA_OP_THREADS must be an integer of at least 1" in result.stderr
