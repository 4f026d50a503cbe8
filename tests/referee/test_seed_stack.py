"""Several seeds trained at once reach what Keras reaches for each seed alone."""

import functools

import keras
import numpy as np
import pytest

from cnnbook.referee import digit_models as dm
from cnnbook.referee.seed_stack import SeedStack, batch_order
from cnnbook.science import shifted_digits as sd


@pytest.fixture(scope="module")
def data():
    return sd.load()


@pytest.fixture(scope="module")
def dense_stack():
    return SeedStack(dm.dense_net, [0, 3], batch_size=32)


def test_batch_order_is_passes_of_permutations_cut_into_batches():
    order = batch_order(10, steps=7, batch_size=4, seed=3)
    assert order.shape == (7, 4)
    flat = order.ravel()
    for start in (0, 10):  # each full pass shows every example once
        assert sorted(flat[start : start + 10]) == list(range(10))
    longer = batch_order(10, steps=9, batch_size=4, seed=3)
    np.testing.assert_array_equal(longer[:7], order)  # a longer run extends it
    assert not np.array_equal(batch_order(10, 7, 4, seed=4), order)


@pytest.mark.parametrize(
    "build",
    [dm.small_cnn, dm.dense_net, functools.partial(dm.small_cnn, filters=(4, 6))],
    ids=["cnn", "dense", "small cnn"],
)
def test_every_seed_reaches_the_weights_keras_reaches_alone(data, build):
    # Keras' own layers, loss and Adam, one seed at a time, are the referee:
    # the stacked steps (pooling before the bias, Adam written out) must give
    # the same weights and the same right answers, seed by seed.
    x, y = data.train(200, shifted=True)
    tests = {"shifted": data.test(shifted=True)}
    stack = SeedStack(build, [0, 3], batch_size=32)
    stacked = stack.train(x, y, (320, 640), tests)
    trainer = dm.Trainer(build, batch_size=32)
    for i, seed in enumerate(stack.seeds):
        alone = trainer.train(x, y, seed, (320, 640), tests)
        for images in (320, 640):
            np.testing.assert_array_equal(
                stacked[images]["shifted"][i], alone[images]["shifted"]
            )
        for mine, theirs in zip(
            stack.weights, trainer.model.get_weights(), strict=True
        ):
            np.testing.assert_allclose(mine.numpy()[i], theirs, rtol=0, atol=1e-12)
    assert stacked[640]["shifted"].shape == (2, 500)
    assert stacked[640]["shifted"].dtype == bool


def test_a_seed_learns_the_same_whatever_seeds_train_beside_it(data, dense_stack):
    x, y = data.train(100)
    tests = {"train": (x, y)}
    both = dense_stack.train(x, y, (640,), tests)[640]["train"]
    alone = SeedStack(dm.dense_net, [3], batch_size=32).train(x, y, (640,), tests)
    np.testing.assert_array_equal(both[1], alone[640]["train"][0])
    again = dense_stack.train(x, y, (640,), tests)[640]["train"]  # from the start
    np.testing.assert_array_equal(both, again)
    assert not np.array_equal(both[0], both[1])  # two seeds, two networks
    assert both.mean() > 0.5  # well above chance (0.1) on what they saw
    assert keras.config.floatx() == "float32"  # the float64 switch was undone


def test_the_start_is_what_keras_draws_for_each_seed(dense_stack):
    trainer = dm.Trainer(dm.dense_net)
    for i, seed in enumerate(dense_stack.seeds):
        for stacked, start in zip(
            dense_stack._start, trainer.initial_weights(seed), strict=True
        ):
            np.testing.assert_array_equal(stacked[i], start)
    assert dense_stack.params == 6586 and dense_stack.input_shape == (20, 20, 1)


def test_predict_scores_every_seed_on_every_image(data, dense_stack):
    x, y = data.test()
    classes = dense_stack.predict(x[:260])  # more than one chunk
    assert classes.shape == (2, 260) and classes.min() >= 0 and classes.max() <= 9
    np.testing.assert_array_equal(
        dense_stack.correct(x[:260], y[:260]), classes == y[:260]
    )


def _model(*layers, softmax=True):
    return keras.Sequential(
        [
            keras.Input((20, 20, 1)),
            *layers,
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax" if softmax else None),
        ]
    )


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: _model(keras.layers.Conv2D(2, 3, padding="same")), "VALID"),
        (lambda: _model(keras.layers.Conv2D(2, 3, strides=2)), "stride 1"),
        (lambda: _model(keras.layers.AveragePooling2D(2)), "not supported"),
        (lambda: _model(keras.layers.MaxPooling2D(2, strides=1)), "stride"),
        (lambda: _model(keras.layers.Conv2D(2, 3, activation="tanh")), "tanh"),
        (lambda: _model(softmax=False), "softmax"),
    ],
)
def test_models_it_cannot_stack_are_refused(build, message):
    with pytest.raises(ValueError, match=f"build.*{message}|{message}"):
        SeedStack(build, [0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s, x, y: SeedStack(None, [0]), "build"),
        (lambda s, x, y: SeedStack(dm.dense_net, []), "seeds"),
        (lambda s, x, y: SeedStack(dm.dense_net, [1, 1]), "seeds"),
        (lambda s, x, y: SeedStack(dm.dense_net, [-1]), "seeds"),
        (lambda s, x, y: SeedStack(dm.dense_net, [0], learning_rate=0), "learning"),
        (lambda s, x, y: SeedStack(dm.dense_net, [0], batch_size=0), "batch_size"),
        (lambda s, x, y: s.train(x[:, :10], y), "x must"),
        (lambda s, x, y: s.train(x, y[:3]), "one label per"),
        (lambda s, x, y: s.train(x, y, budgets=()), "budgets"),
        (lambda s, x, y: s.train(x, y, budgets=(64, 32)), "budgets"),
        (lambda s, x, y: s.predict(x[0]), "x must"),
        (lambda s, x, y: batch_order(0, 1, 1, 0), "count"),
    ],
)
def test_bad_arguments_name_themselves(data, dense_stack, call, message):
    x, y = data.train(10)
    with pytest.raises(ValueError, match=message):
        call(dense_stack, x, y)


@pytest.mark.parametrize(
    "args, named",
    [
        ((None, 0.01, 64), "build must be a function"),
        ((dm.small_cnn, 0, 64), "learning_rate must be a positive number"),
        ((dm.small_cnn, "fast", 64), "learning_rate must be a positive number"),
        ((dm.small_cnn, 0.01, 0), "batch_size"),
    ],
)
def test_both_trainers_name_the_bad_argument(args, named):
    """SeedStack and its referee, digit_models.Trainer, refuse the same inputs
    with the same message, before building anything."""
    build, learning_rate, batch_size = args
    with pytest.raises(ValueError, match=named):
        SeedStack(build, [0, 1], learning_rate, batch_size)
    with pytest.raises(ValueError, match=named):
        dm.Trainer(build, learning_rate, batch_size)
