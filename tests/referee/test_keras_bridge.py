"""cnnbook.calc against Keras: random stacks, branching graphs, unknown layers.

Building Keras models is the cost here, so stacks are short and inputs small.
"""

import keras  # conftest has quieted TensorFlow before this import
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cnnbook import calc
from cnnbook.referee.keras_bridge import analyze_keras
from tests.conftest import examples

kl = keras.layers

ACTIVATION_NAMES = ["relu", "sigmoid", "tanh", "softmax", "gelu", "swish", "elu"]


# ------------------------------------------------------------------ calc -> Keras
def to_keras(spec: calc.Layer):
    """The Keras layer a calc spec stands for (same argument names)."""
    kind = type(spec).__name__
    if isinstance(spec, calc.Conv2D):
        return kl.Conv2D(
            spec.filters,
            spec.kernel_size,
            strides=spec.strides,
            padding=spec.padding,
            use_bias=spec.use_bias,
            groups=spec.groups,
            activation=spec.activation,
            dilation_rate=spec.dilation_rate,
        )
    if isinstance(spec, calc.DepthwiseConv2D):
        return kl.DepthwiseConv2D(
            spec.kernel_size,
            strides=spec.strides,
            padding=spec.padding,
            depth_multiplier=spec.depth_multiplier,
            use_bias=spec.use_bias,
            dilation_rate=spec.dilation_rate,
        )
    if isinstance(spec, calc.SeparableConv2D):
        return kl.SeparableConv2D(
            spec.filters,
            spec.kernel_size,
            strides=spec.strides,
            padding=spec.padding,
            depth_multiplier=spec.depth_multiplier,
            use_bias=spec.use_bias,
            dilation_rate=spec.dilation_rate,
        )
    if isinstance(spec, (calc.MaxPooling2D, calc.AveragePooling2D)):
        return getattr(kl, kind)(
            spec.pool_size, strides=spec.strides, padding=spec.padding
        )
    if isinstance(spec, (calc.GlobalAveragePooling2D, calc.GlobalMaxPooling2D)):
        return getattr(kl, kind)(keepdims=spec.keepdims)
    if isinstance(spec, calc.Dense):
        return kl.Dense(spec.units, use_bias=spec.use_bias, activation=spec.activation)
    if isinstance(spec, calc.BatchNormalization):
        return kl.BatchNormalization(center=spec.center, scale=spec.scale)
    if isinstance(spec, calc.Dropout):
        return kl.Dropout(spec.rate)
    if isinstance(spec, calc.Activation):
        return kl.Activation(spec.activation)
    if isinstance(spec, calc.ReLU):
        return kl.ReLU(max_value=spec.max_value)
    if isinstance(spec, calc.ZeroPadding2D):
        return kl.ZeroPadding2D(spec.padding)
    if isinstance(spec, calc.Flatten):
        return kl.Flatten()
    raise AssertionError(f"no Keras twin for {kind}")


def sequential(input_shape, specs):
    return keras.Sequential([keras.Input(input_shape), *map(to_keras, specs)])


# ------------------------------------------------------------------ random stacks
DILATIONS = [1, 1, 1, 2, 3, (1, 2), (2, 1)]


def windows(draw, h, w, pad_options=("valid", "same"), dilated=False, conv=False):
    """Kernel, strides, padding and dilation that fit an h x w map.

    A VALID window spans (k - 1) * d + 1 pixels, which must fit; Keras' Conv2D
    refuses strides and dilation both above 1 (``conv``), its depthwise and
    separable layers take both."""
    padding = draw(st.sampled_from(pad_options))
    dilation = draw(st.sampled_from(DILATIONS)) if dilated else 1
    d_h, d_w = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "same":
        limit_h, limit_w = 4, 4
    else:
        limit_h, limit_w = min((h - 1) // d_h + 1, 4), min((w - 1) // d_w + 1, 4)
    kernel = (draw(st.integers(1, limit_h)), draw(st.integers(1, limit_w)))
    if draw(st.booleans()):
        kernel = min(kernel)
    strides = draw(st.sampled_from([1, 1, 2, 3, (1, 2), (2, 1)]))
    if conv and max(d_h, d_w) > 1:
        strides = 1
    return kernel, strides, padding, dilation


def draw_map_layer(draw, shape):
    h, w, c = shape
    kind = draw(
        st.sampled_from(
            [
                "conv",
                "conv",
                "depthwise",
                "separable",
                "max",
                "avg",
                "pad",
                "bn",
                "dropout",
                "act",
                "relu",
                "gap",
                "gmp",
                "flatten",
            ]
        )
    )
    if kind == "conv":
        kernel, strides, padding, dilation = windows(
            draw, h, w, dilated=True, conv=True
        )
        divisors = [g for g in range(1, c + 1) if c % g == 0]
        groups = draw(st.sampled_from(divisors)) if draw(st.booleans()) else 1
        filters = groups * draw(st.integers(1, max(1, 8 // groups)))
        return calc.Conv2D(
            filters,
            kernel,
            strides=strides,
            padding=padding,
            use_bias=draw(st.booleans()),
            groups=groups,
            activation=draw(st.sampled_from([None, "relu"])),
            dilation_rate=dilation,
        )
    if kind == "depthwise":
        kernel, strides, padding, dilation = windows(draw, h, w, dilated=True)
        return calc.DepthwiseConv2D(
            kernel,
            strides=strides,
            padding=padding,
            depth_multiplier=draw(st.integers(1, 2)),
            use_bias=draw(st.booleans()),
            dilation_rate=dilation,
        )
    if kind == "separable":
        kernel, strides, padding, dilation = windows(draw, h, w, dilated=True)
        return calc.SeparableConv2D(
            draw(st.integers(1, 8)),
            kernel,
            strides=strides,
            padding=padding,
            depth_multiplier=draw(st.integers(1, 2)),
            use_bias=draw(st.booleans()),
            dilation_rate=dilation,
        )
    if kind in ("max", "avg"):
        pool, strides, padding, _ = windows(draw, h, w)
        if draw(st.booleans()):
            strides = None
        cls = calc.MaxPooling2D if kind == "max" else calc.AveragePooling2D
        return cls(pool, strides=strides, padding=padding)
    if kind == "pad":
        return calc.ZeroPadding2D(
            draw(st.sampled_from([0, 1, 2, (1, 0), (0, 2), ((1, 0), (2, 1))]))
        )
    if kind == "gap":
        return calc.GlobalAveragePooling2D(keepdims=draw(st.booleans()))
    if kind == "gmp":
        return calc.GlobalMaxPooling2D(keepdims=draw(st.booleans()))
    if kind == "flatten":
        return calc.Flatten()
    return draw_any_rank_layer(draw, kind)


def draw_any_rank_layer(draw, kind):
    if kind == "bn":
        return calc.BatchNormalization(
            center=draw(st.booleans()), scale=draw(st.booleans())
        )
    if kind == "dropout":
        return calc.Dropout(draw(st.sampled_from([0.0, 0.25, 0.5])))
    if kind == "act":
        return calc.Activation(draw(st.sampled_from(ACTIVATION_NAMES)))
    if kind == "relu":
        return calc.ReLU(draw(st.sampled_from([None, 6.0])))
    units = draw(st.integers(1, 12))
    return calc.Dense(
        units,
        use_bias=draw(st.booleans()),
        activation=draw(st.sampled_from([None, "relu", "softmax"])),
    )


@st.composite
def stacks(draw):
    """(input_shape, specs): 1-6 layers, valid by construction."""
    if draw(st.integers(0, 5)) == 0:
        shape = (draw(st.integers(1, 20)),)
    else:
        shape = (
            draw(st.integers(1, 12)),
            draw(st.integers(1, 12)),
            draw(st.integers(1, 6)),
        )
    input_shape, specs = shape, []
    for _ in range(draw(st.integers(1, 6))):
        if len(shape) == 3:
            spec = draw_map_layer(draw, shape)
        else:
            kind = draw(
                st.sampled_from(
                    ["dense", "dense", "bn", "dropout", "act", "relu", "flatten"]
                )
            )
            spec = (
                calc.Flatten() if kind == "flatten" else draw_any_rank_layer(draw, kind)
            )
        shape = spec.compute_output_shape(shape)
        specs.append(spec)
    return input_shape, specs


def same_report(a: calc.Report, b: calc.Report) -> None:
    """Equal in everything but the layer names."""
    for attr in (
        "input_shape",
        "batch_size",
        "dtype",
        "params",
        "param_bytes",
        "input_bytes",
        "macs",
        "inference_bytes",
        "training_bytes",
    ):
        assert getattr(a, attr) == getattr(b, attr), attr
    strip = [{k: v for k, v in row.items() if k != "name"} for row in a.table()]
    assert strip == [{k: v for k, v in row.items() if k != "name"} for row in b.table()]
    fields = [layer.receptive_field for layer in a.layers]
    assert fields == [layer.receptive_field for layer in b.layers]


@settings(
    max_examples=examples(500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(stack=stacks(), batch_size=st.integers(1, 64))
def test_random_stacks_match_keras(stack, batch_size):
    input_shape, specs = stack
    for spec in specs:
        grouped = getattr(spec, "groups", 1) > 1
        event(type(spec).__name__ + (" (groups > 1)" if grouped else ""))
        if max(getattr(spec, "dilation_rate", (1,))) > 1:
            event(type(spec).__name__ + " (dilated)")
    report = calc.analyze(input_shape, specs, batch_size=batch_size)
    model = sequential(input_shape, specs)
    assert len(model.layers) == len(report.layers)
    for ours, theirs in zip(report.layers, model.layers, strict=True):
        assert ours.kind == type(theirs).__name__
        assert ours.output_shape == tuple(theirs.output.shape[1:])
        assert ours.params == theirs.count_params()
    assert report.params == model.count_params()
    same_report(analyze_keras(model, batch_size=batch_size), report)


# ------------------------------------------------------------------ fixed models
def test_seed_example_through_keras():
    specs = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
    model = sequential((200, 300, 3), specs)
    assert model.count_params() == 903_400
    r = analyze_keras(model)
    assert (r.params, r.inference_bytes) == (903_400, 12_613_600)
    assert analyze_keras(model, batch_size=50).training_bytes == 565_613_600
    assert r.dtype == "float32"
    assert analyze_keras(model, dtype="float16").bytes_per_value == 2


def inception_residual():
    """x -> [1x1 | 3x3 | pool+1x1] -> concat -> 1x1 -> add(shortcut 1x1 of x)."""
    x = keras.Input((8, 8, 4))
    a = kl.Conv2D(2, 1, name="a")(x)
    b = kl.Conv2D(3, 3, padding="same", name="b")(x)
    p = kl.MaxPooling2D(3, strides=1, padding="same", name="p")(x)
    pc = kl.Conv2D(1, 1, name="pc")(p)
    cat = kl.Concatenate(name="cat")([a, b, pc])
    m = kl.Conv2D(6, 1, name="m")(cat)
    s = kl.Conv2D(6, 1, use_bias=False, name="s")(x)
    y = kl.Add(name="add")([m, s])
    y = kl.ReLU(name="relu")(y)
    return keras.Model(x, y)


def test_inception_residual_model():
    model = inception_residual()
    r = analyze_keras(model, batch_size=3)
    assert r.params == model.count_params() == 10 + 111 + 5 + 42 + 24
    by_name = {layer.name: layer for layer in r.layers}
    assert set(by_name) == {"a", "b", "p", "pc", "cat", "m", "s", "add", "relu"}
    assert by_name["cat"].input_shape == ((8, 8, 2), (8, 8, 3), (8, 8, 1))
    assert by_name["cat"].output_shape == (8, 8, 6)
    hw = 64
    assert by_name["b"].macs == hw * 3 * 9 * 4
    assert r.macs == hw * (2 * 4 + 3 * 9 * 4 + 1 * 4 + 6 * 6 + 6 * 4)
    # Keras' run order (deepest first) and the tensors alive, per instance
    # (x=256, a=128, b=192, p=256, pc=64, cat=384, m=384, s=384, add=384):
    #   p   : x p             = 512
    #   a   : x p a           = 640
    #   b   : x p a b         = 832
    #   pc  : x p a b pc      = 896   (p freed after)
    #   cat : x a b pc cat    = 1024  (a, b, pc freed after)
    #   m   : x cat m         = 1024  (cat freed after)
    #   s   : x m s           = 1024  (x freed after: s is its last reader)
    #   add : m s add         = 1152  (m, s freed after)
    #   relu: add relu        = 768
    order = [layer.name for layer in r.layers]
    assert order == ["p", "a", "b", "pc", "cat", "m", "s", "add", "relu"]
    assert r.peak_live_elements == 1152
    assert r.inference_bytes == (model.count_params() + 3 * 1152) * 4
    outputs = 128 + 192 + 256 + 64 + 384 + 384 + 384 + 384 + 384
    assert r.training_bytes == (model.count_params() + 3 * (256 + outputs)) * 4
    # receptive fields merge where branches meet: the 3x3 branches win
    three = calc.ReceptiveField((3, 3), (1, 1), (-1, -1))
    fields = {layer.name: layer.receptive_field for layer in r.layers}
    assert fields["a"] == fields["s"] == calc.PIXEL
    assert fields["b"] == fields["p"] == fields["pc"] == three
    assert fields["cat"] == fields["m"] == fields["add"] == fields["relu"] == three


def test_fields_through_keras_only_layers():
    x = keras.Input((12, 12, 2))
    y = kl.Cropping2D(((2, 1), (0, 3)), name="crop")(x)
    y = kl.Conv2D(2, 3, dilation_rate=2, name="dilated")(y)
    gate = kl.Dense(2, name="dense_on_map")(y)  # per position
    wide = kl.UpSampling2D(2, name="up")(y)
    tall = kl.Concatenate(axis=1, name="tall")([y, y])
    model = keras.Model(x, [gate, wide, tall])
    fields = {
        layer.name: layer.receptive_field for layer in analyze_keras(model).layers
    }
    assert fields["crop"] == calc.ReceptiveField((1, 1), (1, 1), (2, 0))
    assert fields["dilated"] == calc.ReceptiveField((5, 5), (1, 1), (2, 0))
    assert fields["dense_on_map"] == fields["dilated"]
    assert fields["up"] is None and fields["tall"] is None  # not one grid


def test_merge_layers_and_preprocessing():
    x = keras.Input((6, 6, 3))
    y = kl.Rescaling(1 / 255)(x)
    a = kl.Conv2D(4, 3, padding="same")(y)
    b = kl.Conv2D(4, 1)(y)
    merged = [kl.Multiply()([a, b]), kl.Average()([a, b]), kl.Maximum()([a, b])]
    z = kl.Concatenate()(merged)
    z = kl.Reshape((36, 12))(z)
    z = kl.Dense(5)(z)  # Keras' Dense on a sequence: per position
    model = keras.Model(x, z)
    r = analyze_keras(model)
    assert r.params == model.count_params()
    assert r.layers[-1].output_shape == (36, 5)
    assert r.layers[-1].macs == 36 * 12 * 5
    assert r.macs == 36 * 4 * 27 + 36 * 4 * 3 + 36 * 12 * 5


def test_nested_and_shared_layers():
    block = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            kl.Conv2D(3, 3, padding="same", name="c"),
            kl.ReLU(name="r"),
        ],
        name="block",
    )
    x = keras.Input((8, 8, 3))
    y = block(block(x))  # the same weights twice
    shared = kl.Dense(4, name="shared")
    flat = kl.Flatten(name="flat")(y)
    z = kl.Add(name="add")([shared(flat), shared(flat)])
    model = keras.Model(x, z)
    r = analyze_keras(model)
    assert r.params == model.count_params() == 84 + (192 * 4 + 4)
    assert [layer.name for layer in r.layers] == [
        "block/c",
        "block/r",
        "block/c#1",
        "block/r#1",
        "flat",
        "shared",
        "shared#1",
        "add",
    ]
    assert [layer.params for layer in r.layers] == [84, 0, 0, 0, 0, 192 * 4 + 4, 0, 0]
    assert r.macs == 2 * (64 * 3 * 9 * 3) + 2 * 192 * 4


class Doubler(kl.Layer):
    def call(self, inputs):
        return inputs * 2


@pytest.mark.parametrize(
    ("make", "cls"),
    [
        (lambda x: kl.LSTM(3)(kl.Reshape((8, 24))(x)), "LSTM"),
        (lambda x: Doubler()(x), "Doubler"),
    ],
)
def test_unknown_layer_class_is_named(make, cls):
    x = keras.Input((8, 8, 3))
    model = keras.Model(x, make(x))
    with pytest.raises(ValueError, match=cls):
        analyze_keras(model)


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="model must be a built"):
        analyze_keras(keras.Sequential([kl.Dense(3)]))


def test_bad_arguments_through_keras():
    model = sequential((4, 4, 1), [calc.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="batch_size"):
        analyze_keras(model, batch_size=0)
    with pytest.raises(ValueError, match="dtype"):
        analyze_keras(model, dtype="float128")


def test_two_inputs_concatenated():
    a, b = keras.Input((4,)), keras.Input((6,))
    model = keras.Model([a, b], kl.Dense(2)(kl.Concatenate()([a, b])))
    r = analyze_keras(model, batch_size=2)
    assert r.input_shape == ((4,), (6,))
    assert r.input_bytes == 2 * 10 * 4
    assert r.peak_live_elements == 4 + 6 + 10  # both inputs and their concatenation
    assert r.params == model.count_params() == 22
    assert r.macs == 20


def test_other_convolutions_macs():
    x = keras.Input((4, 4, 3))
    t = kl.Conv2DTranspose(5, 3, strides=2, padding="same")(x)  # -> (8, 8, 5)
    s = keras.Input((10, 3))
    c = kl.Conv1D(4, 3)(s)  # -> (8, 4)
    up = analyze_keras(keras.Model(x, t))
    assert (up.layers[0].output_shape, up.macs) == ((8, 8, 5), 4 * 4 * 3 * 9 * 5)
    assert analyze_keras(keras.Model(s, c)).macs == 8 * 4 * 3 * 3
