"""cnnbook.calc by hand: the seed example, each layer's rules, and bad input.

No TensorFlow here; these run in well under a second.
"""

import dataclasses
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import calc
from tests.conftest import examples

SEED_LAYERS = [
    calc.Conv2D(100, 3, strides=2, padding="same"),
    calc.Conv2D(200, 3, strides=2, padding="same"),
    calc.Conv2D(400, 3, strides=2, padding="same"),
]


def one(layer, input_shape):
    """Report of a single layer on ``input_shape``."""
    return calc.analyze(input_shape, [layer]).layers[0]


# ------------------------------------------------------------------ seed example
def test_seed_example_params_and_shapes():
    r = calc.analyze((200, 300, 3), SEED_LAYERS)
    assert [layer.params for layer in r.layers] == [2_800, 180_200, 720_400]
    assert r.params == 903_400
    assert [layer.output_shape for layer in r.layers] == [
        (100, 150, 100),
        (50, 75, 200),
        (25, 38, 400),
    ]
    assert r.param_bytes == 3_613_600
    assert r.input_bytes == 200 * 300 * 3 * 4


def test_seed_example_inference_bytes():
    r = calc.analyze((200, 300, 3), SEED_LAYERS)
    # largest input + output is layer 2: 1,500,000 + 750,000 values
    assert r.peak_live_elements == 2_250_000
    assert r.inference_bytes == 12_613_600


def test_seed_example_training_bytes_batch_50():
    r = calc.analyze((200, 300, 3), SEED_LAYERS, batch_size=50)
    assert r.training_bytes == 565_613_600
    # the well-known answer key says 564.6 MB; the arithmetic gives 565.6 MB
    assert round(r.training_bytes / 1e6, 1) == 565.6
    assert r.inference_bytes == 3_613_600 + 50 * 2_250_000 * 4


def test_seed_example_macs():
    r = calc.analyze((200, 300, 3), SEED_LAYERS)
    expected = [
        100 * 150 * 100 * 9 * 3,
        50 * 75 * 200 * 9 * 100,
        25 * 38 * 400 * 9 * 200,
    ]
    assert [layer.macs for layer in r.layers] == expected
    assert r.macs == sum(expected)


def test_report_fields_and_table():
    r = calc.analyze((200, 300, 3), SEED_LAYERS, batch_size=2, dtype="float16")
    assert (r.input_shape, r.batch_size, r.dtype, r.bytes_per_value) == (
        (200, 300, 3),
        2,
        "float16",
        2,
    )
    assert [layer.name for layer in r.layers] == ["conv2d", "conv2d_1", "conv2d_2"]
    assert {layer.kind for layer in r.layers} == {"Conv2D"}
    assert r.layers[1].input_shape == (100, 150, 100)
    assert r.layers[0].activation_bytes == 100 * 150 * 100 * 2
    rows = r.table()
    assert len(rows) == 3
    assert rows[2]["output_shape"] == (25, 38, 400)
    assert set(rows[0]) >= {"name", "kind", "output_shape", "params", "macs"}


# ------------------------------------------------------------------ padding rules
@pytest.mark.parametrize(
    ("size", "k", "s", "same", "valid"),
    [
        (7, 3, 2, 4, 3),
        (8, 3, 2, 4, 3),
        (224, 7, 2, 112, 109),
        (5, 5, 1, 5, 1),
        (6, 1, 3, 2, 2),
        (3, 3, 3, 1, 1),
    ],
)
def test_same_vs_valid(size, k, s, same, valid):
    for padding, expected in (("same", same), ("valid", valid)):
        out = one(calc.Conv2D(4, k, strides=s, padding=padding), (size, size, 2))
        assert out.output_shape == (expected, expected, 4)
        pool = one(calc.MaxPooling2D(k, strides=s, padding=padding), (size, size, 2))
        assert pool.output_shape == (expected, expected, 2)


def test_same_padding_allows_kernel_larger_than_input():
    assert one(calc.Conv2D(4, 5, padding="same"), (3, 3, 1)).output_shape == (3, 3, 4)


def test_non_square_kernels_and_strides():
    out = one(calc.Conv2D(6, (1, 7), strides=(2, 1)), (9, 9, 3))
    assert out.output_shape == (5, 3, 6)
    assert out.params == 1 * 7 * 3 * 6 + 6


# ------------------------------------------------------------------ each layer
def test_conv2d_groups_and_no_bias():
    out = one(calc.Conv2D(8, 3, groups=2), (10, 10, 4))
    assert out.output_shape == (8, 8, 8)
    assert out.params == 3 * 3 * 2 * 8 + 8
    assert out.macs == 8 * 8 * 8 * 9 * 2
    assert one(calc.Conv2D(8, 3, use_bias=False), (10, 10, 4)).params == 288


def test_depthwise_conv2d():
    out = one(calc.DepthwiseConv2D(3, padding="same", depth_multiplier=2), (10, 10, 4))
    assert out.output_shape == (10, 10, 8)
    assert out.params == 9 * 8 + 8
    assert out.macs == 10 * 10 * 8 * 9


def test_separable_conv2d():
    out = one(calc.SeparableConv2D(16, 3), (10, 10, 4))
    assert out.output_shape == (8, 8, 16)
    assert out.params == 9 * 4 + 4 * 16 + 16
    assert out.macs == 8 * 8 * 4 * 9 + 8 * 8 * 4 * 16
    layer = calc.SeparableConv2D(16, 3, depth_multiplier=2, use_bias=False)
    out = one(layer, (9, 9, 4))
    assert out.params == 9 * 8 + 8 * 16


def test_pooling():
    assert one(calc.MaxPooling2D(), (7, 7, 3)).output_shape == (3, 3, 3)
    assert one(calc.MaxPooling2D(3, strides=2), (7, 7, 3)).output_shape == (3, 3, 3)
    assert one(calc.MaxPooling2D(padding="same"), (7, 7, 3)).output_shape == (4, 4, 3)
    avg = one(calc.AveragePooling2D((2, 3)), (8, 9, 5))
    assert (avg.output_shape, avg.params, avg.macs) == ((4, 3, 5), 0, 0)
    assert calc.MaxPooling2D(3).strides == (3, 3)


def test_global_pooling_flatten_dense():
    assert one(calc.GlobalAveragePooling2D(), (7, 7, 512)).output_shape == (512,)
    keep = one(calc.GlobalMaxPooling2D(keepdims=True), (7, 7, 512))
    assert keep.output_shape == (1, 1, 512)
    r = calc.analyze((7, 7, 512), [calc.Flatten(), calc.Dense(10)])
    flat, dense = r.layers
    assert flat.output_shape == (25_088,)
    assert (dense.output_shape, dense.params, dense.macs) == ((10,), 250_890, 250_880)
    assert one(calc.Dense(5, use_bias=False), (4,)).params == 20
    assert one(calc.Flatten(), (6,)).output_shape == (6,)


def test_batch_normalization_counts_moving_statistics():
    assert one(calc.BatchNormalization(), (5, 5, 32)).params == 4 * 32
    assert one(calc.BatchNormalization(center=False), (5, 5, 32)).params == 3 * 32
    assert one(calc.BatchNormalization(), (10,)).params == 40
    assert one(calc.BatchNormalization(), (5, 5, 32)).macs == 0


@pytest.mark.parametrize(
    "layer",
    [
        calc.Dropout(0.5),
        calc.Dropout(0),
        calc.Activation("relu"),
        calc.Activation("softmax"),
        calc.ReLU(),
        calc.ReLU(6.0),
        calc.LocalResponseNormalization(),
        calc.LocalResponseNormalization(2, bias=2.0, alpha=2e-5, beta=0.75),
    ],
)
def test_shape_preserving_layers(layer):
    out = one(layer, (6, 5, 4))
    assert (out.output_shape, out.params, out.macs) == ((6, 5, 4), 0, 0)


@pytest.mark.parametrize(
    ("padding", "shape"),
    [
        (1, (7, 7, 3)),
        ((1, 2), (7, 9, 3)),
        (((1, 2), (3, 4)), (8, 12, 3)),
        (0, (5, 5, 3)),
    ],
)
def test_zero_padding(padding, shape):
    assert one(calc.ZeroPadding2D(padding), (5, 5, 3)).output_shape == shape


def test_zero_padding_normalised():
    assert calc.ZeroPadding2D((1, 2)).padding == ((1, 1), (2, 2))


def test_alexnet_like_stack():
    layers = [
        calc.Conv2D(96, 11, strides=4, activation="relu"),
        calc.LocalResponseNormalization(2, bias=2.0, alpha=2e-5, beta=0.75),
        calc.MaxPooling2D(3, strides=2),
        calc.ZeroPadding2D(2),
        calc.Conv2D(256, 5, activation="relu"),
    ]
    r = calc.analyze((227, 227, 3), layers)
    assert [layer.output_shape for layer in r.layers] == [
        (55, 55, 96),
        (55, 55, 96),
        (27, 27, 96),
        (31, 31, 96),
        (27, 27, 256),
    ]
    assert r.params == (11 * 11 * 3 * 96 + 96) + (5 * 5 * 96 * 256 + 256)


# ------------------------------------------------------------------ names, dtypes
def test_auto_names_like_keras_and_explicit_names():
    layers = [
        calc.Conv2D(4, 3, name="conv2d_1"),
        calc.Conv2D(4, 3),
        calc.Conv2D(4, 3),
        calc.MaxPooling2D(),
        calc.ReLU(),
        calc.GlobalAveragePooling2D(),
    ]
    names = [layer.name for layer in calc.analyze((20, 20, 3), layers).layers]
    assert names == [
        "conv2d_1",
        "conv2d",
        "conv2d_2",
        "max_pooling2d",
        "re_lu",
        "global_average_pooling2d",
    ]


@pytest.mark.parametrize(
    ("dtype", "size"), [("float32", 4), ("float16", 2), ("bfloat16", 2), ("float64", 8)]
)
def test_dtype_sizes(dtype, size):
    r = calc.analyze((8, 8, 3), [calc.Conv2D(2, 3)], dtype=dtype)
    assert r.bytes_per_value == size
    assert r.param_bytes == 56 * size
    assert r.layers[0].activation_bytes == 6 * 6 * 2 * size
    assert r.inference_bytes == (56 + 8 * 8 * 3 + 6 * 6 * 2) * size


# ------------------------------------------------------------------ training memory
@pytest.mark.parametrize(
    ("optimizer", "slots"),
    [("sgd", 0), ("momentum", 1), ("adam", 2), ("rmsprop", 1), ("adagrad", 1)],
)
def test_training_breakdown(optimizer, slots):
    r = calc.analyze((200, 300, 3), SEED_LAYERS, batch_size=50)
    b = r.training_breakdown(optimizer)
    assert b.parameters == b.gradients == r.param_bytes
    assert b.optimizer_state == slots * r.param_bytes
    assert b.inputs == r.input_bytes == 50 * 180_000 * 4
    assert b.activations == 50 * (1_500_000 + 750_000 + 380_000) * 4
    assert b.parameters + b.activations + b.inputs == r.training_bytes
    assert b.total == r.training_bytes + (1 + slots) * r.param_bytes
    assert b.as_dict()["total"] == b.total
    assert sum(v for k, v in b.as_dict().items() if k != "total") == b.total


def test_training_breakdown_default_is_adam():
    r = calc.analyze((8, 8, 3), [calc.Conv2D(2, 3)])
    assert r.training_breakdown().optimizer_state == 2 * r.param_bytes


# ------------------------------------------------------------------ graphs
def test_report_from_graph_peak_live_on_a_branch():
    # x -> a, x -> b, (a, b) -> c: x stays alive until b has run
    steps = [
        calc.GraphStep("a", "Conv2D", (4,), (10,), 0, 0, ("x",), "a"),
        calc.GraphStep("b", "Conv2D", (4,), (20,), 0, 0, ("x",), "b"),
        calc.GraphStep("c", "Add", ((10,), (20,)), (1,), 0, 0, ("a", "b"), "c"),
    ]
    r = calc.report_from_graph({"x": (4,)}, steps)
    assert r.peak_live_elements == 4 + 10 + 20
    assert r.training_bytes == (4 + 10 + 20 + 1) * 4
    with pytest.raises(ValueError, match="topological"):
        calc.report_from_graph({"x": (4,)}, steps[::-1])


# ------------------------------------------------------------------ dilation
@pytest.mark.parametrize(
    "make",
    [
        lambda d: calc.Conv2D(5, 3, dilation_rate=d),
        lambda d: calc.DepthwiseConv2D(3, dilation_rate=d, depth_multiplier=2),
        lambda d: calc.SeparableConv2D(5, 3, dilation_rate=d),
    ],
)
def test_dilation_widens_the_window_but_not_the_cost_per_output(make):
    plain, dilated = one(make(1), (20, 30, 4)), one(make((2, 3)), (20, 30, 4))
    assert plain.output_shape[:2] == (18, 28)
    assert dilated.output_shape[:2] == (20 - 4, 30 - 6)  # spans of 5 and 7 pixels
    assert dilated.params == plain.params
    per_output = [
        r.macs / (r.output_shape[0] * r.output_shape[1]) for r in (plain, dilated)
    ]
    assert per_output[0] == per_output[1]
    wide = one(make(4), (20, 30, 4))  # spans of 9 pixels
    assert wide.output_shape[:2] == (12, 22)


def test_dilated_valid_window_larger_than_the_input_is_named():
    with pytest.raises(
        ValueError,
        match=r"kernel_size 3 at dilation_rate 4 spans 9 pixels, which is larger than "
        r"the input size 8 with padding='valid'",
    ):
        calc.analyze((8, 8, 1), [calc.DepthwiseConv2D(3, dilation_rate=4)])
    out = one(calc.Conv2D(2, 3, padding="same", dilation_rate=4), (8, 8, 1))
    assert out.output_shape == (8, 8, 2)


def test_strides_with_dilation_only_where_keras_allows_them():
    with pytest.raises(ValueError, match="strides and dilation_rate cannot both"):
        calc.Conv2D(4, 3, strides=(1, 2), dilation_rate=(2, 1))
    out = one(calc.DepthwiseConv2D(3, strides=2, dilation_rate=2), (9, 9, 2))
    assert out.output_shape == (3, 3, 2)  # span 5: (9 - 5) // 2 + 1


# ------------------------------------------------------------------ receptive fields
def test_chapter_2_network_fields_and_centres_follow_keras_same_padding():
    r = calc.analyze((200, 300, 3), SEED_LAYERS)
    fields = [layer.receptive_field for layer in r.layers]
    assert [f.size for f in fields] == [(3, 3), (7, 7), (15, 15)]
    assert [f.jump for f in fields] == [(2, 2), (4, 4), (8, 8)]
    # even inputs pad nothing before: unit i is centred on 2i + 1, 4i + 3, 8i + 7;
    # the width's 75 is odd, so conv_3 pads one column before: 8i + 3
    assert [f.centre((5, 0))[0] for f in fields] == [11, 23, 47]
    assert fields[2].centre((0, 5)) == (7, 43)
    assert fields[2].span((0, 0)) == ((0, 14), (-4, 10))


def test_same_padding_puts_the_odd_pixel_after():
    # a 2 x 2 stride-1 SAME kernel reads i and i + 1: half a pixel of drift
    field = one(calc.Conv2D(1, 2, padding="same"), (6, 6, 1)).receptive_field
    assert field.span((3, 3)) == ((3, 4), (3, 4))
    # 4 x 4, stride 2, even input: 1 before, 2 after; unit 4 sees rows 7 ... 10
    field = one(calc.Conv2D(1, 4, strides=2, padding="same"), (16, 16, 1))
    assert field.receptive_field.span((4, 4))[0] == (7, 10)


def test_vgg16_fields_match_the_published_table():
    layers = []
    for convs, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        layers += [calc.Conv2D(filters, 3, padding="same")] * convs
        layers.append(calc.MaxPooling2D(2))
    r = calc.analyze((224, 224, 3), layers)
    pools = [
        layer.receptive_field for layer in r.layers if layer.kind == "MaxPooling2D"
    ]
    assert [f.size[0] for f in pools] == [6, 16, 44, 100, 212]
    assert [f.jump[0] for f in pools] == [2, 4, 8, 16, 32]
    assert pools[-1].start == (-90, -90)  # effective padding 90 (Araujo et al.)


def test_dilation_grows_the_field_exponentially_without_parameters():
    rates = [calc.Conv2D(8, 3, padding="same", dilation_rate=d) for d in (1, 2, 4)]
    plain = [calc.Conv2D(8, 3, padding="same")] * 3
    dilated, undilated = (
        calc.analyze((32, 32, 8), rates),
        calc.analyze((32, 32, 8), plain),
    )
    assert [x.receptive_field.size[0] for x in dilated.layers] == [3, 7, 15]
    assert [x.receptive_field.size[0] for x in undilated.layers] == [3, 5, 7]
    assert dilated.params == undilated.params and dilated.macs == undilated.macs


def test_fields_end_where_a_unit_sees_everything():
    layers = [
        calc.ZeroPadding2D(((2, 0), (1, 3))),
        calc.BatchNormalization(),
        calc.AveragePooling2D(3, strides=2),
        calc.GlobalAveragePooling2D(keepdims=True),
        calc.Flatten(),
        calc.Dense(3),
    ]
    fields = [x.receptive_field for x in calc.analyze((9, 9, 2), layers).layers]
    assert fields[0] == calc.ReceptiveField((1, 1), (1, 1), (-2, -1))
    assert fields[1] == fields[0]
    assert fields[2] == calc.ReceptiveField((3, 3), (2, 2), (-2, -1))
    assert fields[3:] == [None, None, None]
    assert calc.analyze((12,), [calc.Dense(3)]).layers[0].receptive_field is None


def test_merged_fields_are_the_union_on_one_grid():
    a = calc.ReceptiveField((3, 3), (2, 2), (0, -1))
    b = calc.ReceptiveField((7, 5), (2, 2), (-2, 0))
    assert calc.merge_fields([a, b]) == calc.ReceptiveField((7, 6), (2, 2), (-2, -1))
    assert calc.merge_fields([a, None]) is None
    assert calc.merge_fields([a, calc.ReceptiveField((3, 3), (4, 4), (0, 0))]) is None
    assert calc.PIXEL.through(calc.Window((3, 3), (2, 2), (1, 1), (1, 0))) == (
        calc.ReceptiveField((3, 3), (2, 2), (-1, 0))
    )


# ------------------------------------------------------------------ bad input
BAD_SPECS = [
    (lambda: calc.Conv2D(0, 3), "filters"),
    (lambda: calc.Conv2D(-2, 3), "filters"),
    (lambda: calc.Conv2D(3.0, 3), "filters"),
    (lambda: calc.Conv2D(True, 3), "filters"),
    (lambda: calc.Conv2D("8", 3), "filters"),
    (lambda: calc.Conv2D(8, 0), "kernel_size"),
    (lambda: calc.Conv2D(8, 3.0), "kernel_size"),
    (lambda: calc.Conv2D(8, (3,)), "kernel_size"),
    (lambda: calc.Conv2D(8, (3, -1)), "kernel_size"),
    (lambda: calc.Conv2D(8, 3, strides=0), "strides"),
    (lambda: calc.Conv2D(8, 3, strides=(1, 1.5)), "strides"),
    (lambda: calc.Conv2D(8, 3, padding="full"), "padding"),
    (lambda: calc.Conv2D(8, 3, padding=None), "padding"),
    (lambda: calc.Conv2D(8, 3, activation="relux"), "activation"),
    (lambda: calc.Conv2D(8, 3, use_bias=1), "use_bias"),
    (lambda: calc.Conv2D(8, 3, groups=0), "groups"),
    (lambda: calc.Conv2D(8, 3, groups=3), "groups"),
    (lambda: calc.Conv2D(8, 3, name=""), "name"),
    (lambda: calc.DepthwiseConv2D(0), "kernel_size"),
    (lambda: calc.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
    (lambda: calc.SeparableConv2D(0, 3), "filters"),
    (lambda: calc.SeparableConv2D(4, 3, padding="causal"), "padding"),
    (lambda: calc.MaxPooling2D(0), "pool_size"),
    (lambda: calc.MaxPooling2D(2, strides=-1), "strides"),
    (lambda: calc.AveragePooling2D(2, padding="VALIDISH"), "padding"),
    (lambda: calc.GlobalAveragePooling2D(keepdims="yes"), "keepdims"),
    (lambda: calc.Dense(0), "units"),
    (lambda: calc.Dense(2.5), "units"),
    (lambda: calc.Dense(3, activation="nope"), "activation"),
    (lambda: calc.BatchNormalization(scale=None), "scale"),
    (lambda: calc.Dropout(1.0), "rate"),
    (lambda: calc.Dropout(-0.1), "rate"),
    (lambda: calc.Dropout("0.5"), "rate"),
    (lambda: calc.Dropout(True), "rate"),
    (lambda: calc.Dropout(float("nan")), "rate"),
    (lambda: calc.Activation("nope"), "activation"),
    (lambda: calc.Activation(None), "activation"),
    (lambda: calc.ReLU(max_value=-1), "max_value"),
    (lambda: calc.ReLU(negative_slope="a"), "negative_slope"),
    (lambda: calc.ZeroPadding2D(-1), "padding"),
    (lambda: calc.ZeroPadding2D((1, 2, 3)), "padding"),
    (lambda: calc.ZeroPadding2D(((1, 2), 3)), "padding"),
    (lambda: calc.LocalResponseNormalization(depth_radius=-1), "depth_radius"),
    (lambda: calc.LocalResponseNormalization(alpha="x"), "alpha"),
    (lambda: calc.Conv2D(8, 3, dilation_rate=0), "dilation_rate"),
    (lambda: calc.Conv2D(8, 3, dilation_rate=(2, 1.0)), "dilation_rate"),
    (lambda: calc.Conv2D(8, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: calc.DepthwiseConv2D(3, dilation_rate=None), "dilation_rate"),
    (lambda: calc.SeparableConv2D(4, 3, dilation_rate=-2), "dilation_rate"),
]


@pytest.mark.parametrize(("make", "arg"), BAD_SPECS)
def test_bad_spec_arguments(make, arg):
    with pytest.raises(ValueError, match=rf"\b{arg}\b"):
        make()


def test_message_example():
    with pytest.raises(ValueError, match="^filters must be a positive integer, got 0$"):
        calc.Conv2D(0, 3)


CONV = [calc.Conv2D(4, 3)]
BAD_ANALYZE = [
    (lambda: calc.analyze((8, 8, 3), []), "layers"),
    (lambda: calc.analyze((8, 8, 3), "conv"), "layers"),
    (lambda: calc.analyze((8, 8, 3), ["conv"]), r"layers\[0\]"),
    (lambda: calc.analyze((8, 8, 3), CONV, batch_size=0), "batch_size"),
    (lambda: calc.analyze((8, 8, 3), CONV, batch_size=2.0), "batch_size"),
    (lambda: calc.analyze((8, 8, 3), CONV, batch_size=True), "batch_size"),
    (lambda: calc.analyze((8, 8, 3), CONV, dtype="float8"), "dtype"),
    (lambda: calc.analyze((8, 8, 3), CONV, dtype=None), "dtype"),
    (lambda: calc.analyze((8, 8), CONV), "input_shape"),
    (lambda: calc.analyze((0, 8, 3), CONV), "input_shape"),
    (lambda: calc.analyze((8.0, 8, 3), CONV), "input_shape"),
    (lambda: calc.analyze("abc", CONV), "input_shape"),
    (lambda: calc.analyze(8, CONV), "input_shape"),
    (lambda: calc.analyze((2, 2, 3), CONV), r"layers\[0\] \(conv2d.*kernel_size"),
    (
        lambda: calc.analyze((4, 4, 3), [calc.ReLU(), calc.MaxPooling2D(5)]),
        r"layers\[1\] \(max_pooling2d.*pool_size",
    ),
    (lambda: calc.analyze((4, 4, 3), [calc.Dense(3)]), r"Dense.*input_shape"),
    (lambda: calc.analyze((10,), CONV), r"Conv2D.*input_shape"),
    (lambda: calc.analyze((10,), [calc.DepthwiseConv2D(1)]), "input_shape"),
    (lambda: calc.analyze((10,), [calc.GlobalAveragePooling2D()]), "input_shape"),
    (lambda: calc.analyze((10,), [calc.ZeroPadding2D()]), "input_shape"),
    (lambda: calc.analyze((10,), [calc.LocalResponseNormalization()]), "input_shape"),
    (lambda: calc.analyze((8, 8, 3), [calc.Conv2D(4, 1, groups=2)]), "groups"),
    (
        lambda: calc.analyze((8, 8, 3), [calc.ReLU(name="a"), calc.ReLU(name="a")]),
        "name",
    ),
    (
        lambda: calc.analyze((8, 8, 3), CONV).training_breakdown("lbfgs"),
        "optimizer",
    ),
]


@pytest.mark.parametrize(("call", "arg"), BAD_ANALYZE)
def test_bad_analyze_arguments(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["same", "valid", "relu", "softmax"]),
    st.tuples(st.integers(-1, 5), st.integers(-1, 5)),
    st.tuples(st.tuples(st.integers(-1, 3), st.integers(-1, 3)), st.integers(0, 3)),
    st.lists(st.integers(0, 4), max_size=3),
)
KINDS = [
    calc.Conv2D,
    calc.DepthwiseConv2D,
    calc.SeparableConv2D,
    calc.MaxPooling2D,
    calc.AveragePooling2D,
    calc.GlobalAveragePooling2D,
    calc.GlobalMaxPooling2D,
    calc.Flatten,
    calc.Dense,
    calc.BatchNormalization,
    calc.Dropout,
    calc.Activation,
    calc.ReLU,
    calc.ZeroPadding2D,
    calc.LocalResponseNormalization,
]


def _arity(kind):
    """(required, total) positional arguments of a spec class."""
    positional = [f for f in dataclasses.fields(kind) if not f.kw_only]
    required = [f for f in positional if f.default is dataclasses.MISSING]
    return len(required), len(positional)


@settings(max_examples=examples(400))
@given(
    data=st.data(),
    kind=st.sampled_from(KINDS),
    shape=st.one_of(
        st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 6)),
        st.tuples(st.integers(1, 30)),
        GARBAGE,
    ),
    batch=st.one_of(st.integers(1, 4), GARBAGE),
)
def test_garbage_gives_value_error_or_a_sane_report(data, kind, shape, batch):
    """Whatever goes in, the only failure is a ValueError (never Type/ZeroDivision)."""
    low, high = _arity(kind)
    args = data.draw(st.lists(GARBAGE, min_size=low, max_size=high))
    try:
        layer = kind(*args)
        r = calc.analyze(shape, [layer], batch_size=batch)
    except ValueError:
        return
    assert r.params >= 0 and r.macs >= 0
    assert all(d >= 1 for d in r.layers[0].output_shape)
    assert r.param_bytes < r.inference_bytes <= r.training_bytes


def test_calc_imports_no_tensorflow_or_keras():
    code = (
        "import sys, cnnbook.calc, cnnbook.referee.keras_bridge; "
        "bad = sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'tensorflow', 'keras', 'tf_keras'}); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
