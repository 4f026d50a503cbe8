"""Receptive fields against an independent measurement: a gradient through Keras.

:func:`cnnbook.referee.influence.influence` takes the gradient of one output
unit of an all-ones Keras model with respect to an all-ones input; nothing
cancels, so its non-zero pixels are exactly what the unit sees. calc's
arithmetic must predict that region, bounds included, on random stacks with
dilation, strides, SAME and VALID padding, pooling and zero padding, and on a
residual graph read through the Keras bridge.
"""

import keras  # conftest has quieted TensorFlow before this import
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cnnbook import calc
from cnnbook.referee.influence import influence, ones, skeleton
from cnnbook.referee.keras_bridge import analyze_keras
from tests.conftest import examples
from tests.referee.test_keras_bridge import windows

kl = keras.layers


def seen(gradient: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    """((first row, last row), (first column, last column)) of the non-zero
    gradient."""
    rows, cols = np.nonzero(gradient)
    return (int(rows.min()), int(rows.max())), (int(cols.min()), int(cols.max()))


def interior_unit(field: calc.ReceptiveField, out_hw, in_hw):
    """An output unit whose whole field lies inside the input, or None."""
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            span = field.span((i, j))
            if all(lo >= 0 and hi < n for (lo, hi), n in zip(span, in_hw, strict=True)):
                return (i, j)
    return None


@st.composite
def geometric_stacks(draw):
    """(input_shape, layers): 1-5 windowed layers on one channel, valid."""
    shape = (draw(st.integers(6, 40)), draw(st.integers(6, 40)), 1)
    input_shape, layers = shape, []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "depthwise", "separable", "pool", "pad"]))
        conv = kind == "conv"
        kernel, strides, padding, dilation = windows(
            draw, *shape[:2], dilated=kind != "pool", conv=conv
        )
        if kind in ("depthwise", "separable") and not isinstance(strides, int):
            strides = max(strides)  # TensorFlow runs depthwise strides only square
        if kind == "conv":
            layer = calc.Conv2D(1, kernel, strides, padding, dilation_rate=dilation)
        elif kind == "depthwise":
            layer = calc.DepthwiseConv2D(
                kernel, strides, padding, dilation_rate=dilation
            )
        elif kind == "separable":
            layer = calc.SeparableConv2D(
                1, kernel, strides, padding, dilation_rate=dilation
            )
        elif kind == "pool":
            pool = draw(st.sampled_from([calc.MaxPooling2D, calc.AveragePooling2D]))
            layer = pool(kernel, strides=strides, padding=padding)
        else:
            layer = calc.ZeroPadding2D(
                draw(st.sampled_from([1, 2, (1, 0), ((0, 2), (1, 0))]))
            )
        shape = layer.compute_output_shape(shape)
        layers.append(layer)
    return input_shape, layers


@settings(
    max_examples=examples(60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(stack=geometric_stacks())
def test_random_stacks_see_what_calc_says(stack):
    input_shape, layers = stack
    report = calc.analyze(input_shape, layers)
    last = report.layers[-1]
    field, out_hw = last.receptive_field, last.output_shape[:2]
    model = skeleton(input_shape, layers, activation="relu")
    unit = interior_unit(field, out_hw, input_shape[:2])
    if unit is None:
        # the field reaches past the input on every unit: what the gradient
        # shows lies within calc's span, clipped to the input
        event("no unit with its whole field inside the input")
        unit = (out_hw[0] // 2, out_hw[1] // 2)
        gradient = influence(model, unit)
        if gradient.any():
            for (lo, hi), (glo, ghi) in zip(
                field.span(unit), seen(gradient), strict=True
            ):
                assert lo <= glo and ghi <= hi
        return
    event("an interior unit")
    assert seen(influence(model, unit)) == field.span(unit)


def test_chapter_2_network_seen_by_keras():
    layers = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
    field = calc.analyze((200, 300, 3), layers).layers[-1].receptive_field
    gradient = influence(skeleton((200, 300, 3), layers), (10, 10))
    assert seen(gradient) == field.span((10, 10)) == ((80, 94), (76, 90))
    # three overlapping stride-2 kernels cover their 15 pixels unevenly
    row = gradient[87, 76:91] / gradient[87, 76:91].min()
    assert row.tolist() == [1, 1, 2, 1, 3, 2, 3, 1, 3, 2, 3, 1, 2, 1, 1]
    # at the border the field hangs over the padding
    corner = influence(skeleton((200, 300, 3), layers), (0, 0))
    assert seen(corner) == ((0, 14), (0, 10))
    assert field.span((0, 0)) == ((0, 14), (-4, 10))


@pytest.mark.parametrize(
    ("rates", "field", "reached"),
    [
        ((1, 1, 1), 7, 49),
        ((2, 2, 2), 13, 49),  # gridding: only every other row and column
        ((1, 2, 4), 15, 225),
        ((1, 2, 3), 13, 169),
        ((2, 4, 8), 29, 225),
    ],
)
def test_dilated_stacks_and_their_holes(rates, field, reached):
    layers = [calc.Conv2D(1, 3, padding="same", dilation_rate=d) for d in rates]
    report = calc.analyze((41, 41, 1), layers)
    assert report.layers[-1].receptive_field.size == (field, field)
    gradient = influence(skeleton((41, 41, 1), layers), (20, 20))
    assert seen(gradient) == report.layers[-1].receptive_field.span((20, 20))
    assert np.count_nonzero(gradient) == reached


def test_a_residual_graph_through_the_bridge():
    """The 3x3 path and the 1x1 projection shortcut merge into one field."""
    conv = {"use_bias": False, "dtype": "float64"}
    x = keras.Input((33, 33, 1), dtype="float64")
    y = kl.Conv2D(1, 3, strides=2, padding="same", **conv)(x)
    y = kl.Conv2D(1, 3, padding="same", dilation_rate=2, **conv)(y)
    shortcut = kl.Conv2D(1, 1, strides=2, **conv)(x)
    z = kl.ZeroPadding2D(1, dtype="float64")(kl.Add(dtype="float64")([y, shortcut]))

    def head(pool):
        top = pool(3, strides=2, dtype="float64")(z)
        return keras.Model(x, kl.DepthwiseConv2D(3, padding="same", **conv)(top))

    field = analyze_keras(head(kl.MaxPooling2D)).layers[-1].receptive_field
    # 3 + 2 * 2 * 2 = 11 (the shortcut's 1 lies inside), + 2 * 2, + 2 * 4
    assert field == calc.ReceptiveField((23, 23), (4, 4), (-11, -11))
    # max pooling passes one gradient per window: measure a twin that averages
    gradient = influence(ones(head(kl.AveragePooling2D)), (4, 4))
    assert seen(gradient) == field.span((4, 4)) == ((5, 27), (5, 27))


def test_bad_arguments():
    model = skeleton((8, 8, 1), [calc.Conv2D(1, 3)])
    for index in [(6, 0), (0, -1), (1,), "ab", (1.0, 2)]:
        with pytest.raises(ValueError, match="index"):
            influence(model, index)
    with pytest.raises(ValueError, match="layers may hold"):
        skeleton((8, 8, 1), [calc.BatchNormalization()])
    with pytest.raises(ValueError, match="activation"):
        skeleton((8, 8, 1), [calc.Conv2D(1, 3)], activation="tanh")
