"""Chapter 1's two small models, their float64 trainer and the grid over seeds."""

import keras
import numpy as np
import pytest

from cnnbook.referee import digit_models as dm
from cnnbook.science import shifted_digits as sd


@pytest.fixture(scope="module")
def data():
    return sd.load()


@pytest.fixture(scope="module")
def dense_trainer():
    return dm.Trainer(dm.dense_net)


def test_models_match_the_chapter_and_keras_counts():
    cnn, dense = dm.small_cnn(20), dm.dense_net(20)
    # (3*3*1+1)*12 + (3*3*12+1)*24 + (24+1)*10 and (400+1)*16 + (16+1)*10
    assert cnn.count_params() == 120 + 2616 + 250 == 2986
    assert dense.count_params() == 6416 + 170 == 6586
    assert tuple(cnn.outputs[0].shape) == (None, 10)


def test_batch_order_is_passes_of_permutations_cut_into_batches():
    order = dm.batch_order(10, steps=7, batch_size=4, seed=3)
    assert order.shape == (7, 4)
    flat = order.ravel()
    for start in (0, 10):  # each full pass shows every example once
        assert sorted(flat[start : start + 10]) == list(range(10))
    longer = dm.batch_order(10, steps=9, batch_size=4, seed=3)
    np.testing.assert_array_equal(longer[:7], order)  # a longer run extends it
    assert not np.array_equal(dm.batch_order(10, 7, 4, seed=4), order)


def test_trainer_works_in_float64_and_restarts_from_each_seeds_start(
    data, dense_trainer
):
    x, y = data.train(200)
    tests = {"train": (x, y)}
    first = dense_trainer.train(x, y, seed=1, budgets=(400, 800), tests=tests)
    assert dense_trainer.model.layers[-1].kernel.dtype == "float64"
    assert keras.config.floatx() == "float32"  # the float64 switch was undone
    again = dense_trainer.train(x, y, seed=1, budgets=(800,), tests=tests)
    np.testing.assert_array_equal(first[800]["train"], again[800]["train"])
    other = dense_trainer.train(x, y, seed=2, budgets=(800,), tests=tests)
    assert not np.array_equal(first[800]["train"], other[800]["train"])
    assert first[800]["train"].dtype == bool and first[800]["train"].shape == (200,)
    assert first[800]["train"].mean() > 0.5  # well above chance (0.1) on what it saw
    start = dense_trainer.initial_weights(1)  # what a model built with seed 1 gets
    assert start[0].dtype == np.float64
    np.testing.assert_array_equal(
        start[0], dm.Trainer(dm.dense_net).initial_weights(1)[0]
    )
    assert not np.array_equal(start[0], dense_trainer.initial_weights(2)[0])


def test_the_grid_runs_every_setting_and_seed(data, dense_trainer):
    tests = {"shifted": data.test(shifted=True)}
    plan = [("centred", 50, [128]), ("shifted", 50, [64, 128])]
    runs = dm.run_grid({"dense": dense_trainer}, data, plan, [0, 1], tests)
    assert len(runs) == 2 + 4
    assert {(r.training, r.images) for r in runs} == {
        ("centred", 128),
        ("shifted", 64),
        ("shifted", 128),
    }
    spread = dm.spread(runs, "shifted", training="shifted", images=128)
    assert spread.n == 2 and 0 <= spread.low <= spread.mean <= spread.high <= 1
    with pytest.raises(ValueError, match="repeat a seed"):
        dm.spread(runs, "shifted", training="shifted")
    with pytest.raises(ValueError, match="no run matches"):
        dm.spread(runs, "shifted", model="CNN")


def test_the_cnn_learns_shifted_digits_the_dense_net_does_not(data):
    # The chapter's finding, small: 100 shifted examples, 2,000 images, one seed.
    x, y = data.train(100, shifted=True)
    tests = {"shifted": data.test(shifted=True)}
    cnn = dm.Trainer(dm.small_cnn).train(x, y, 0, (2000,), tests)[2000]
    dense = dm.Trainer(dm.dense_net).train(x, y, 0, (2000,), tests)[2000]
    assert cnn["shifted"].mean() > 0.3 > dense["shifted"].mean()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda t, x, y: t.train(x, y, 0, budgets=()), "budgets"),
        (lambda t, x, y: t.train(x, y, 0, budgets=(100, 50)), "budgets"),
        (lambda t, x, y: t.train(x, y, -1), "seed"),
        (lambda t, x, y: t.train(x[:3], y, 0), "one label per"),
        (lambda t, x, y: t.train(x[0], y[:1], 0), "one label per"),
        (lambda t, x, y: dm.Trainer(None), "build"),
        (lambda t, x, y: dm.Trainer(dm.dense_net, learning_rate=0), "learning_rate"),
        (lambda t, x, y: dm.batch_order(0, 1, 1, 0), "count"),
        (lambda t, x, y: dm.dense_net(units=0), "units"),
        (lambda t, x, y: dm.small_cnn(7), "canvas"),
    ],
)
def test_bad_arguments_name_themselves(data, dense_trainer, call, message):
    x, y = data.train(10)
    with pytest.raises(ValueError, match=message):
        call(dense_trainer, x, y)


def test_a_grid_plan_must_name_centred_or_shifted(data, dense_trainer):
    with pytest.raises(ValueError, match="training must be"):
        dm.run_grid({"d": dense_trainer}, data, [("rotated", 10, [64])], [0], {})
