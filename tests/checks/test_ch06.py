"""Chapter 6's questions: the inception module and its bottlenecks, the
projection shortcut, depth against parameters, and AlexNet's largest layer."""

import keras
import pytest

from cnnbook.checks import ch06
from tests.checks.support import correct, wrong

L = keras.layers


def test_module_4a_with_and_without_reductions():
    c_in = 480
    with_1x1 = (
        (c_in + 1) * 192
        + (c_in + 1) * 96
        + (9 * 96 + 1) * 208
        + (c_in + 1) * 16
        + (25 * 16 + 1) * 48
        + (c_in + 1) * 64
    )
    correct(ch06.params_4a(with_1x1))
    wrong(ch06.params_4a(with_1x1 - (192 + 96 + 208 + 16 + 48 + 64)), "one bias")
    wrong(
        ch06.params_4a(with_1x1 - (c_in + 1) * 112), "1x1 reductions are convolutions"
    )
    naive = (c_in + 1) * 192 + (9 * c_in + 1) * 208 + (25 * c_in + 1) * 48
    naive += (c_in + 1) * 64
    correct(ch06.params_naive(naive))
    wrong(ch06.params_naive(with_1x1), "That is the module with its reductions")
    ratio = ch06.ratio.spec().expected
    assert ratio > 1
    wrong(ch06.ratio(1 / ratio), "That is the inverse")


def test_the_reduction_saves_less_than_the_ratio_of_maps():
    """A 1x1 reduction costs weights of its own: 898,560 against 225,792, 3.98x."""
    without, with_reduction = 3 * 3 * 480 * 208, 480 * 96 + 3 * 3 * 96 * 208
    assert (without, with_reduction) == (898_560, 225_792)
    correct(ch06.branch_saving(without / with_reduction))
    correct(ch06.branch_saving(3.98))
    wrong(ch06.branch_saving(480 / 96), "ratio of input maps to reduced maps")


def unit(shortcut_norm=True, use_bias=False, shortcut_kernel=1):
    x = keras.Input((28, 28, 64))
    y = L.Conv2D(128, 3, strides=2, padding="same", use_bias=use_bias)(x)
    y = L.ReLU()(L.BatchNormalization()(y))
    y = L.BatchNormalization()(L.Conv2D(128, 3, padding="same", use_bias=use_bias)(y))
    s = L.Conv2D(128, shortcut_kernel, strides=2, padding="same", use_bias=use_bias)(x)
    if shortcut_norm:
        s = L.BatchNormalization()(s)
    return keras.Model(x, L.ReLU()(L.Add()([s, y])))


def test_the_projection_unit_and_its_slips():
    assert "230,912 parameters" in correct(ch06.residual_unit(unit()))
    wrong(ch06.residual_unit(unit(shortcut_norm=False)), "One batch norm is missing")
    wrong(ch06.residual_unit(unit(use_bias=True)), "use_bias=False")
    wrong(ch06.residual_unit(unit(shortcut_kernel=3)), "a 1x1 convolution, not a 3x3")
    plain = keras.Sequential([keras.Input((28, 28, 64)), L.Conv2D(128, 3, 2, "same")])
    wrong(ch06.residual_unit(plain), "must use BatchNormalization, Add")


def test_the_projection_count():
    correct(ch06.projection(64 * 128 + 4 * 128))
    wrong(ch06.projection(64 * 128), "batch norm after the projection")
    wrong(ch06.projection(64 * 128 + 2 * 128), "4 values per channel")
    wrong(ch06.projection(64 * 128 + 128 + 4 * 128), "no bias here")


@pytest.mark.parametrize("answer", ["3.8", 3.85, "3,8"])
def test_depth_against_parameters(answer):
    correct(ch06.more_millions(answer))


def test_depth_slips_and_the_reason():
    spec = ch06.more_millions.spec()
    wrong(ch06.more_millions(spec.expected * 1e6), "a million times too large")
    wrong(ch06.more_millions(-spec.expected), "not the other way round")
    correct(ch06.why("a"))
    wrong(ch06.why("b"), "one dense layer of 1,000 units")


def test_global_average_pooling_and_alexnet():
    correct(ch06.flatten_dense((7 * 7 * 1024 + 1) * 1000))
    wrong(ch06.flatten_dense(7 * 7 * 1024 * 1000), "Each unit has a bias too.")
    correct(ch06.gap_dense(1_025_000))
    wrong(ch06.gap_dense((7 * 7 * 1024 + 1) * 1000), "That is the flattened count")
    assert ch06.largest.spec().correct == {"c"}
    wrong(ch06.largest("a"), "34,944 parameters")
    wrong(ch06.largest("d"), "4.1 million")
