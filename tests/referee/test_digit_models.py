"""Chapter 1's models, their Keras trainer, and the grid over models and seeds."""

import functools

import keras
import numpy as np
import pytest

from cnnbook.referee import digit_models as dm
from cnnbook.science import shifted_digits as sd
from cnnbook.science.seeds import Difference


@pytest.fixture(scope="module")
def data():
    return sd.load()


@pytest.fixture(scope="module")
def dense_trainer():
    return dm.Trainer(dm.dense_net)


@pytest.fixture(scope="module")
def runs(data):
    tests = {"shifted": data.test(shifted=True), "centred": data.test()}
    plan = [
        ("centred", 50, [128], ["centred", "shifted"]),
        ("shifted", 50, [64, 128], ["shifted"]),
    ]
    models = {
        "d8": functools.partial(dm.dense_net, units=8),
        "d4": functools.partial(dm.dense_net, units=4),
    }
    return dm.run_grid(models, data, plan, [0, 1, 2], tests, batch_size=32)


def test_models_match_the_chapter_and_keras_counts():
    cnn, dense = dm.small_cnn(20), dm.dense_net(20)
    # (3*3*1+1)*12 + (3*3*12+1)*24 + (24+1)*10 and (400+1)*16 + (16+1)*10
    assert cnn.count_params() == 120 + 2616 + 250 == 2986
    assert dense.count_params() == 6416 + 170 == 6586
    assert dm.dense_net(units=396).count_params() == 401 * 396 + 397 * 10
    assert tuple(cnn.outputs[0].shape) == (None, 10)


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


def test_the_grid_runs_every_setting_model_and_seed(runs):
    # two models, two settings (1 + 2 budgets), 3 seeds each
    assert len(runs) == 2 * (1 + 2) * 3
    assert {(r.model, r.training, r.images) for r in runs} == {
        (model, training, images)
        for model in ("d8", "d4")
        for training, images in (("centred", 128), ("shifted", 64), ("shifted", 128))
    }
    centred = [r for r in runs if r.training == "centred"]
    assert all(set(r.correct) == {"centred", "shifted"} for r in centred)
    assert all(r.correct["shifted"].shape == (500,) for r in runs)
    spread = dm.spread(runs, "shifted", model="d8", training="shifted", images=128)
    assert spread.n == 3 and 0 <= spread.low <= spread.mean <= spread.high <= 1


def test_accuracies_and_paired_differences_match_the_runs(runs):
    d8 = dm.accuracies(runs, "centred", model="d8", training="centred")
    d4 = dm.accuracies(runs, "centred", model="d4", training="centred")
    assert sorted(d8) == [0, 1, 2]
    run = next(r for r in runs if r.model == "d8" and r.training == "centred")
    assert d8[run.seed] == run.correct["centred"].mean()
    diff = dm.difference(
        runs,
        dict(test="centred", model="d8", training="centred"),
        dict(test="centred", model="d4", training="centred"),
    )
    expected = Difference.paired([d8[s] for s in range(3)], [d4[s] for s in range(3)])
    assert diff == expected


def test_large_networks_train_their_seeds_in_groups():
    # five float64 copies of 10 seeds of 162,766 parameters: 65 MB, in 3 groups
    assert dm._groups(162_766, list(range(10))) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert dm._groups(2_986, list(range(10))) == [list(range(10))]
    assert dm._groups(10**9, [4, 5]) == [[4], [5]]


@pytest.mark.parametrize(
    "where, message",
    [
        (dict(training="shifted"), "repeat a seed"),
        (dict(model="CNN"), "no run matches"),
    ],
)
def test_a_result_names_its_runs_exactly(runs, where, message):
    with pytest.raises(ValueError, match=message):
        dm.spread(runs, "shifted", **where)


def test_a_difference_needs_its_tests_and_two_seeds(runs):
    with pytest.raises(ValueError, match="first must name its test"):
        dm.difference(runs, dict(model="d8"), dict(test="shifted", model="d4"))
    with pytest.raises(ValueError, match="was not scored"):
        dm.accuracies(runs, "centred", model="d8", training="shifted", images=64)


def test_the_cnn_learns_shifted_digits_the_dense_net_does_not(data):
    # The chapter's finding, small: 100 shifted examples, 2,000 images, one seed.
    x, y = data.train(100, shifted=True)
    tests = {"shifted": data.test(shifted=True)}
    cnn = dm.Trainer(dm.small_cnn).train(x, y, 0, (2000,), tests)[2000]
    dense = dm.Trainer(dm.dense_net).train(x, y, 0, (2000,), tests)[2000]
    assert cnn["shifted"].mean() > 0.3 > dense["shifted"].mean()


def test_windows_kept_is_what_keras_convolutions_see(data):
    # The count of shifted_digits.windows_kept, checked with the chapter's layers:
    # two digits at the same place, and the outputs of the second convolution that
    # differ between them are exactly the windows that see the digit.
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    layers = keras.Sequential(
        [
            keras.Input((20, 20, 1)),
            keras.layers.Conv2D(4, 3),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(4, 3),
        ]
    )
    for row, col in [(6, 6), (4, 6), (5, 2), (0, 12), (11, 3)]:
        digits = rng.uniform(0.5, 1.0, size=(2, 8, 8)).astype("float32")
        x = sd.place(digits, np.array([[row, col]] * 2), 20)
        a, b = np.asarray(layers(x))
        seen = np.count_nonzero(np.any(np.abs(a - b) > 1e-6, axis=-1))
        assert seen == sd.windows_kept(row, col)[0], (row, col)


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
        (lambda t, x, y: dm.dense_net(units=0), "units"),
        (lambda t, x, y: dm.small_cnn(7), "canvas"),
    ],
)
def test_bad_arguments_name_themselves(data, dense_trainer, call, message):
    x, y = data.train(10)
    with pytest.raises(ValueError, match=message):
        call(dense_trainer, x, y)


@pytest.mark.parametrize(
    "plan, message",
    [
        ([("rotated", 10, [64], [])], "training must be"),
        ([("centred", 10, [64])], "settings"),
        ([("centred", 10, [64], ["nowhere"])], "scored must name"),
        ([("centred", 10, [64], [], ["d"])], "settings"),
    ],
)
def test_a_grid_plan_must_be_well_formed(data, plan, message):
    with pytest.raises(ValueError, match=message):
        dm.run_grid({"d": dm.dense_net}, data, plan, [0], {})
