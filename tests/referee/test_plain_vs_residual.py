"""The plain-vs-residual experiment: data, training loop and comparison."""

import numpy as np
import pytest

from cnnbook.referee import plain_vs_residual as pvr
from cnnbook.referee.architectures import thin_net
from tests.conftest import REPO  # noqa: F401  (sets the quiet TF environment)


def test_digits_split_shapes_and_range():
    x_train, y_train, x_test, y_test = pvr.digits_split()
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert set(np.unique(y_test)) == set(range(10))
    again = pvr.digits_split()
    np.testing.assert_array_equal(again[0], x_train)


def test_training_lowers_the_loss_deterministically():
    x, y, _, _ = pvr.digits_split()
    runs = []
    for _ in range(2):
        import keras

        keras.utils.set_random_seed(0)
        history = pvr.train_full_batch(thin_net(4), x, y, steps=8)
        runs.append(history)
    assert len(runs[0]["loss"]) == 8
    assert runs[0]["loss"][-1] < runs[0]["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in runs[0]["accuracy"])
    assert runs[0] == runs[1]


def test_compare_returns_one_result_per_config():
    results = pvr.compare([(4, False), (4, True)], steps=3)
    assert set(results) == {(4, False), (4, True)}
    assert results[(4, False)]["params"] == results[(4, True)]["params"]
    assert all(len(r["loss"]) == 3 for r in results.values())


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: pvr.digits_split(test_fraction=1.5), "test_fraction"),
        (lambda: pvr.digits_split(seed=-1), "seed"),
        (lambda: pvr.train_full_batch(None, [1], [1], steps=0), "steps"),
        (
            lambda: pvr.train_full_batch(None, [1], [1], learning_rate=-1),
            "learning_rate",
        ),
        (lambda: pvr.train_full_batch(None, [1, 2], [1]), "x and y"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
