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


@pytest.mark.parametrize(
    "residual, identity_init, init",
    [
        (True, False, "glorot_uniform"),
        (False, False, "he_normal"),
        (True, True, "he_normal"),
    ],
)
def test_train_seeds_equals_keras_seed_by_seed(residual, identity_init, init):
    """The stacked float64 trainer, with its gradients written out, computes
    what Keras' automatic differentiation computes, seed by seed."""
    import keras

    from cnnbook.runtime import keras_float64

    found = pvr.train_seeds(
        6, residual, [2, 0], 4, identity_init, examples=100, kernel_initializer=init
    )
    x, y, _, _ = pvr.digits_split()
    for column, seed in enumerate([2, 0]):
        with keras_float64():
            keras.utils.set_random_seed(seed)
            model = thin_net(
                6,
                width=16,
                residual=residual,
                identity_init=identity_init,
                kernel_initializer=init,
            )
            history = pvr.train_full_batch(model, x[:100].astype("float64"), y[:100], 4)
        np.testing.assert_allclose(
            found["loss"][:, column], history["loss"], rtol=1e-12
        )
        np.testing.assert_allclose(found["accuracy"][:, column], history["accuracy"])
    assert found["params"] == model.count_params()


@pytest.mark.parametrize("init", ["glorot_uniform", "he_normal"])
@pytest.mark.parametrize("identity_init", [False, True])
def test_initial_weights_are_thin_nets_without_building_it(init, identity_init):
    import keras

    from cnnbook.runtime import keras_float64

    with keras_float64():
        keras.utils.set_random_seed(7)
        model = thin_net(
            8, width=5, identity_init=identity_init, kernel_initializer=init
        )
        expected = [np.asarray(w) for w in model.trainable_weights]
        found = pvr.initial_weights(8, 5, 7, identity_init, init)
    assert len(found) == len(expected)
    for a, b in zip(found, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert pvr.thin_net_params(8, 5) == model.count_params()
    assert pvr.thin_net_params(56, 16) == thin_net(56, width=16).count_params()


def test_groups_of_members_train_as_one_group_does():
    networks = {"plain": (6, False), "residual": (6, True, True)}
    one = pvr.train_networks(networks, seeds=[0, 1, 2], steps=3, examples=32)
    groups = pvr.train_networks(networks, [0, 1, 2], 3, examples=32, group=4)
    for name in networks:  # 6 members in groups of 3: the traced function is reused
        np.testing.assert_allclose(groups[name]["loss"], one[name]["loss"], rtol=1e-12)


def test_networks_of_one_depth_train_together_as_they_train_alone():
    networks = {"plain": (6, False), "residual": (6, True, True), "other": (4, True)}
    together = pvr.train_networks(networks, seeds=[1, 3], steps=5, examples=64)
    assert list(together) == ["plain", "residual", "other"]
    for name, (depth, residual, *init) in networks.items():
        alone = pvr.train_seeds(
            depth, residual, [1, 3], 5, identity_init=bool(init), examples=64
        )
        np.testing.assert_allclose(together[name]["loss"], alone["loss"], rtol=1e-12)
        assert together[name]["loss"].shape == (5, 2)
        assert together[name]["params"] == alone["params"]


def test_deep_plain_nets_stall_where_shallow_and_residual_ones_train():
    """Chapter 6's experiment in miniature, on two seeds: 56 plain layers stay
    above a loss of 1, 8 plain ones fall below 0.1, and the 56 layers with
    shortcuts fall below the plain ones, far below with gamma starting at 0."""
    networks = {
        "shallow": (8, False),
        "plain": (56, False),
        "residual": (56, True, False),
        "identity": (56, True, True),
    }
    found = pvr.train_networks(
        networks, [0, 1], 60, examples=128, kernel_initializer="he_normal"
    )
    shallow, plain, residual, identity = (found[name]["loss"] for name in networks)
    assert (plain[30:] > 1.0).all() and (shallow[-1] < 0.1).all()
    assert (residual[-1] < plain[-1]).all() and (identity[-1] < 0.01).all()


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
        (lambda: pvr.train_seeds(8, False, seeds=[]), "seeds"),
        (lambda: pvr.train_seeds(8, False, steps=0), "steps"),
        (lambda: pvr.train_seeds(8, False, examples=5000), "examples"),
        (lambda: pvr.train_seeds(8, False, momentum=-1), "momentum"),
        (lambda: pvr.train_seeds(8, False, identity_init=True), "identity_init"),
        (lambda: pvr.train_networks({}), "networks must name"),
        (lambda: pvr.train_networks({"a": 8}), "networks must map"),
        (lambda: pvr.train_networks({"a": (7, False)}), "depth"),
        (lambda: pvr.train_networks({"a": (8, 1)}), "residual"),
        (
            lambda: pvr.train_seeds(8, True, kernel_initializer="x"),
            "kernel_initializer",
        ),
        (lambda: pvr.train_seeds(8, True, group=0), "group"),
        (lambda: pvr.train_seeds(8, True, width=0), "width"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
