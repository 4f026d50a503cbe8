"""Chapter 5's experiment: the same small CNN with and without LRN, over seeds."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnbook.referee import lrn_digits
from cnnbook.referee.lrn_layer import LocalResponseNormalization
from tests.conftest import REPO  # noqa: F401  (sets the quiet TF environment)


def test_digit_images_scale_and_split():
    x_train, y_train, x_test, y_test = lrn_digits.digit_images()
    assert x_train.shape == (1438, 8, 8, 1) and x_test.shape == (359, 8, 8, 1)
    assert x_train.dtype == np.float64 and x_train.max() == 16.0
    big = lrn_digits.digit_images(255.0)[0]
    np.testing.assert_array_equal(big, x_train / 16.0 * 255.0)
    np.testing.assert_array_equal(y_test, lrn_digits.digit_images(255.0)[3])


def test_the_three_networks_differ_only_in_the_normalisation():
    weights = {}
    for norm in lrn_digits.NORMS:
        keras.utils.set_random_seed(3)
        model = lrn_digits.small_cnn(norm)
        assert model.count_params() == 5_130
        weights[norm] = model.get_weights()
    kinds = [type(layer).__name__ for layer in lrn_digits.small_cnn("lrn").layers]
    assert kinds.count("LocalResponseNormalization") == 2
    scale = lrn_digits.small_cnn("constant").get_layer("norm1").scale
    assert scale == pytest.approx(2.0**-0.75)
    for norm in ("lrn", "constant"):  # same seed, same initial weights
        for a, b in zip(weights["none"], weights[norm], strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("maps", [(16, 32), (8, 16)])
def test_initial_weights_are_small_cnns_without_building_it(maps):
    from cnnbook.runtime import keras_float64

    with keras_float64():
        keras.utils.set_random_seed(5)
        model = lrn_digits.small_cnn("lrn", maps)
        found = lrn_digits.initial_weights(5, maps)
    for a, b in zip(found, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert lrn_digits.small_cnn_params(maps) == model.count_params()


def _keras_and_stacked(norm, seeds, maps=(8, 16)):
    """Keras models of ``norm`` with each seed's initial weights, and the
    stacked trainer's variables holding the same weights."""
    from cnnbook.runtime import keras_float64

    x, y, _, _ = lrn_digits.digit_images(255.0)
    x, y = x[:50], y[:50]
    models = []
    with keras_float64():
        for seed in seeds:
            model = lrn_digits.small_cnn(norm, maps)
            model.set_weights(lrn_digits.initial_weights(seed, maps))
            models.append(model)
        data = tf.constant(x[None])
        train, load, weights, bands = lrn_digits._trainer(
            norm, len(seeds), data, tf.constant(y), maps, batch_size=50
        )
        load([lrn_digits.initial_weights(seed, maps) for seed in seeds])
    return x, y, models, train, weights, bands


@pytest.mark.parametrize("norm", lrn_digits.NORMS)
def test_stacked_network_computes_what_keras_computes(norm):
    x, _, models, _, weights, bands = _keras_and_stacked(norm, [1, 2])
    batch = tf.constant(np.stack([x, x[::-1]]))  # each member its own images
    logits, (conv1, conv2) = lrn_digits._network(batch, weights, norm, bands)
    for member, model in enumerate(models):
        probe = keras.Model(
            model.inputs[0], [model.get_layer(n).output for n in ("conv1", "conv2")]
        )
        images = np.asarray(batch[member])
        expected = np.asarray(model(images))
        found = np.asarray(tf.nn.softmax(logits[member]))
        np.testing.assert_allclose(found, expected, rtol=1e-11, atol=1e-15)
        for ours, theirs in zip((conv1, conv2), probe(images), strict=True):
            theirs = np.asarray(theirs).reshape(len(images), -1, ours.shape[-1])
            np.testing.assert_allclose(ours[member], theirs, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("norm", lrn_digits.NORMS)
def test_stacked_gradients_are_keras_gradients(norm):
    """The stacked loss (Keras' clipped cross-entropy, as a traced step computes
    it) has each member's Keras gradient; rounding aside, nothing differs."""
    from cnnbook.runtime import keras_float64

    x, y, models, _, weights, bands = _keras_and_stacked(norm, [3, 4])

    @tf.function
    def stacked():
        with tf.GradientTape() as tape:
            logits, _ = lrn_digits._network(
                tf.constant(x[None].repeat(2, 0)), weights, norm, bands
            )
            labels = tf.constant(y[None].repeat(2, 0))
            loss = tf.reduce_sum(
                tf.reduce_mean(lrn_digits._keras_cross_entropy(labels, logits), axis=1)
            )
        return tape.gradient(loss, weights)

    ours = stacked()
    for member, model in enumerate(models):
        with keras_float64():
            loss_fn = keras.losses.SparseCategoricalCrossentropy()  # float64 too

            @tf.function
            def keras_gradients(model=model, loss_fn=loss_fn):
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                return tape.gradient(loss, model.trainable_variables)

            theirs = keras_gradients()
        for a, b in zip(ours, theirs, strict=True):
            a, b = np.asarray(a[member]).ravel(), np.asarray(b).ravel()
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12 * np.abs(b).max())


def test_adam_steps_are_keras_adam_steps():
    """Given the same gradients, the written-out Adam (one learning rate per
    member) moves every weight as Keras' Adam does, step after step."""
    from cnnbook.runtime import keras_float64

    rng = np.random.default_rng(0)
    start = rng.normal(size=(2, 3, 4))
    gradients = [rng.normal(size=(2, 3, 4)) * 10.0**-e for e in (0, 3, 8)]
    rates = [0.01, 0.003]
    ours = [tf.Variable(start)]
    slots = [(tf.Variable(tf.zeros_like(ours[0])), tf.Variable(tf.zeros_like(ours[0])))]
    for step, g in enumerate(gradients):
        lrn_digits._adam_step(
            ours,
            [tf.constant(g)],
            slots,
            step,
            tf.constant([[[r]] for r in rates], tf.float64),
        )
    for member, rate in enumerate(rates):
        with keras_float64():
            theirs = keras.Variable(start[member])
            optimizer = keras.optimizers.Adam(rate)
            for g in gradients:
                optimizer.apply_gradients([(tf.constant(g[member]), theirs)])
        np.testing.assert_allclose(
            np.asarray(ours[0][member]), np.asarray(theirs), rtol=1e-14, atol=1e-15
        )


def test_train_seeds_is_deterministic_and_measures_each_seed():
    first = lrn_digits.train_seeds("lrn", seeds=[0, 1], epochs=3)
    again = lrn_digits.train_seeds("lrn", seeds=[1], epochs=3)
    assert [r["seed"] for r in first] == [0, 1]
    # a seed's run does not depend on the others trained beside it (to rounding:
    # a stack of one and of two networks sums in other orders)
    assert first[1]["accuracy"] == again[0]["accuracy"]
    assert first[1]["reach"] == pytest.approx(again[0]["reach"], rel=1e-9)
    assert lrn_digits.train_seeds("lrn", seeds=[0, 1], epochs=3) == first
    for result in first:
        assert 0.5 < result["accuracy"] <= 1.0  # 3 epochs: far above chance (0.1)
        assert 0.0 < result["reach"] < 1.0  # pixels 0..16 stay below the crossover
        assert set(result["correlations"]) == {"neighbours", "others", "dead"}
    found = lrn_digits.summary(first)
    assert found["accuracy"].n == 2
    assert found["accuracy"].low <= found["accuracy"].mean <= found["accuracy"].high
    assert found["reach"] == max(r["reach"] for r in first)


def test_lrn_layer_in_float64_matches_its_float32_kernel():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=40.0, size=(2, 3, 3, 12))
    fused = np.asarray(LocalResponseNormalization()(x.astype("float32")))
    ops64 = np.asarray(LocalResponseNormalization(dtype="float64")(x))
    np.testing.assert_allclose(ops64, fused, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: lrn_digits.small_cnn("batchnorm"), "norm must be one of"),
        (lambda: lrn_digits.train_seeds("x"), "norm must be one of"),
        (lambda: lrn_digits.train_seeds("lrn", seeds=[-1]), "seeds must be"),
        (lambda: lrn_digits.train_seeds("lrn", seeds=[]), "seeds must be"),
        (lambda: lrn_digits.train_seeds("lrn", epochs=0), "epochs must be"),
        (lambda: lrn_digits.train_seeds("lrn", batch_size=2.5), "batch_size must"),
        (lambda: lrn_digits.train_seeds("lrn", learning_rate=0), "learning_rate"),
        (lambda: lrn_digits.digit_images(0), "pixel_max must be"),
        (lambda: lrn_digits.digit_images(True), "pixel_max must be"),
        (lambda: lrn_digits.small_cnn("lrn", maps=(0, 4)), "maps"),
        (lambda: lrn_digits.train_grid(("lrn",), settings={}), "settings"),
        (
            lambda: lrn_digits.train_grid(("lrn",), settings={"a": (16.0, 0)}),
            "settings",
        ),
        (lambda: lrn_digits.train_grid("lrn"), "norm must be one of"),
        (lambda: lrn_digits.train_grid(("lrn",), group=0), "group"),
        (lambda: lrn_digits.summary([]), "results must"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
