"""The builders after ResNet against keras.applications, and against the papers.

Keras is the referee: a builder that claims to be a keras.applications model
must have its parameters, trainable parameters and multiply-adds exactly.
The papers print rounded figures; each comparison states its tolerance, and
where a paper counts differently (weights only, FLOPs with the SE rescaling)
the test counts that way and says so.
"""

import math

import keras  # conftest has quieted TensorFlow before this import
import pytest

from cnnbook import calc
from cnnbook.papers import MODERN, MODERN_CLAIMS, RECEPTIVE_FIELDS
from cnnbook.referee import modern

SE_STAGES = ((3, 256), (4, 512), (6, 1024), (3, 2048))  # ResNet-50 units, maps


def same_counts(a: modern.Counts, b: modern.Counts) -> None:
    assert (a.report.params, a.trainable, a.kernels, a.report.macs) == (
        b.report.params,
        b.trainable,
        b.kernels,
        b.report.macs,
    )


@pytest.mark.parametrize("name", ["B0", "B1", "B2", "B3"])
def test_efficientnet_builder_is_keras_applications(name):
    mine = modern.count(modern.efficientnet, *modern.EFFICIENTNET_SCALING[name])
    keras_app = getattr(keras.applications, f"EfficientNet{name}")
    same_counts(mine, modern.count(keras_app, weights=None))


def test_resnet_without_se_is_keras_applications_resnet50():
    mine = modern.count(modern.se_resnet, 50, ratio=None)
    same_counts(mine, modern.count(keras.applications.ResNet50, weights=None))
    assert mine.report.params == 25_636_712


@pytest.mark.parametrize("ratio", [4, 16])
def test_se_adds_hu_et_al_equation_5_and_the_biases(ratio):
    plain = modern.count(modern.se_resnet, 50, ratio=None).report
    gated = modern.count(modern.se_resnet, 50, ratio=ratio).report
    weights = sum(2 * n * c * c // ratio for n, c in SE_STAGES)  # (2/r) sum N C^2
    biases = sum(n * (c + c // ratio) for n, c in SE_STAGES)
    assert gated.params - plain.params == weights + biases
    assert gated.macs - plain.macs == weights  # two dense layers per gate
    if ratio == 16:
        assert weights == 2_514_944  # "about 2.5 million" (Section 4)
        assert round(weights / 1e6, 1) == MODERN_CLAIMS["se_extra_params"][0] / 1e6


def test_se_resnet50_against_hu_et_al():
    """28.1 M parameters and 3.87 GFLOPs (ResNet-50: 3.86)."""
    se = modern.count(modern.se_resnet).report
    conv_biases = sum(
        layer.output_shape[-1]
        for layer in se.layers
        if layer.kind == "Conv2D"  # keras.applications gives each one a bias
    )
    # Keras' count rounds to 28.2 M; without the convolution biases (redundant
    # before batch norm, absent from the original ResNet) it is the paper's 28.1 M
    assert round(se.params / 1e6, 1) == 28.2
    paper = MODERN["SE-ResNet-50"]["params"]
    assert round((se.params - conv_biases) / 1e6, 1) == paper / 1e6
    # FLOPs: calc's multiply-adds plus one multiply per rescaled value
    rescaling = sum(
        layer.output_elements for layer in se.layers if layer.kind == "Multiply"
    )
    maps = {256: 56 * 56, 512: 28 * 28, 1024: 14 * 14, 2048: 7 * 7}
    assert rescaling == sum(n * c * maps[c] for n, c in SE_STAGES) == 5_519_360
    assert round(se.macs / 1e9, 2) == MODERN_CLAIMS["resnet50_gflops"][0]
    assert (
        round((se.macs + rescaling) / 1e9, 2) == MODERN["SE-ResNet-50"]["flops"] / 1e9
    )


def test_mobilenet_counts_as_howard_et_al():
    counts = modern.count(keras.applications.MobileNet, weights=None)
    # 569 M mult-adds to 0.1%; 4.2 M is the kernels' weights (no BN, no biases)
    assert counts.report.macs == pytest.approx(MODERN["MobileNet"]["flops"], rel=1e-3)
    assert round(counts.kernels / 1e6, 1) == MODERN["MobileNet"]["params"] / 1e6
    assert counts.kernels == 4_209_088
    assert counts.report.params == 4_253_864


def test_mobilenet_table_3_layer():
    full = calc.analyze(
        (14, 14, 512), [calc.Conv2D(512, 3, padding="same", use_bias=False)]
    )
    separable = calc.analyze(
        (14, 14, 512), [calc.SeparableConv2D(512, 3, padding="same", use_bias=False)]
    )
    assert round(full.macs / 1e6) == MODERN_CLAIMS["mobilenet_conv_macs"][0] / 1e6
    assert (
        round(full.params / 1e6, 2) == MODERN_CLAIMS["mobilenet_conv_params"][0] / 1e6
    )
    assert round(separable.macs / 1e6, 1) == (
        MODERN_CLAIMS["mobilenet_separable_macs"][0] / 1e6
    )
    assert round(separable.params / 1e6, 2) == (
        MODERN_CLAIMS["mobilenet_separable_params"][0] / 1e6
    )
    assert separable.macs / full.macs == pytest.approx(1 / 512 + 1 / 9, rel=1e-12)


def test_xception_trainable_is_chollet_table_3_exactly():
    counts = modern.count(keras.applications.Xception, weights=None)
    assert counts.trainable == MODERN["Xception"]["params"] == 22_855_952
    moving = counts.report.params - counts.trainable
    assert moving == 54_528  # batch norm's moving means and variances
    assert counts.report.macs == pytest.approx(
        MODERN_CLAIMS["xception_flops_efficientnet"][0], rel=0.01
    )


def test_efficientnet_b0_against_tan_and_le():
    counts = modern.count(keras.applications.EfficientNetB0, weights=None)
    assert (
        round(counts.report.params / 1e6, 1)
        == MODERN["EfficientNet-B0"]["params"] / 1e6
    )
    assert round(counts.trainable / 1e6, 1) == 5.3
    # 0.386 G against the printed 0.39 B: within the paper's rounding (2%)
    assert counts.report.macs == pytest.approx(
        MODERN["EfficientNet-B0"]["flops"], rel=0.02
    )


def test_compound_scaling_coefficients():
    alpha, beta, gamma = (
        MODERN_CLAIMS[f"efficientnet_{x}"][0] for x in ("alpha", "beta", "gamma")
    )
    assert alpha * beta**2 * gamma**2 == pytest.approx(1.92027, abs=1e-5)


@pytest.mark.parametrize(
    ("name", "application", "side"),
    [
        ("VGG-16", "VGG16", 224),
        ("ResNet-50", "ResNet50", 224),
        ("MobileNet", "MobileNet", 224),
        ("Inception-v3", "InceptionV3", 299),
    ],
)
def test_last_feature_maps_see_what_araujo_et_al_publish(name, application, side):
    build = getattr(keras.applications, application)
    report = modern.count(
        build, weights=None, include_top=False, input_shape=(side, side, 3)
    ).report
    field = report.layers[-1].receptive_field
    size, jump, padding = RECEPTIVE_FIELDS[name]
    assert field.size == (size, size) and field.jump == (jump, jump)
    if name != "ResNet-50":  # TF-Slim pads ResNet's stem 2 pixels less than Keras
        assert field.start == (-padding, -padding)


def test_se_gate_gives_every_unit_the_whole_image():
    report = modern.count(
        modern.se_resnet, 50, ratio=16, input_shape=(64, 64, 3)
    ).report
    fields = {x.name: x.receptive_field for x in report.layers}
    assert fields["conv2_block1_3_bn"] == calc.ReceptiveField(
        (19, 19), (4, 4), (-9, -9)
    )
    first_gate = [x.kind for x in report.layers].index("Multiply")
    assert all(x.receptive_field is None for x in report.layers[first_gate:])


def test_blocks_count_as_their_formulas():
    def block(make, shape=(16, 16, 32)):
        def build():
            x = keras.Input(shape)
            return keras.Model(x, make(x))

        return modern.count(build)

    gate = block(lambda x: modern.se_block(x, 8))
    assert gate.report.params == 2 * 32 * 8 + 8 + 32
    unit = block(lambda x: modern.separable_unit(x, 64, strides=2))
    assert unit.kernels == 3 * 3 * 32 + 32 * 64
    assert unit.report.layers[-1].output_shape == (8, 8, 64)
    mb = block(lambda x: modern.mbconv_block(x, 32, kernel_size=5))
    expanded, squeezed = 32 * 6, 8
    assert mb.kernels == 32 * expanded + 25 * expanded + 2 * expanded * squeezed + (
        expanded * 32
    )
    assert mb.report.layers[-1].kind == "Add"
    no_add = block(lambda x: modern.mbconv_block(x, 40, strides=2, expansion=1))
    assert no_add.report.layers[-1].kind == "BatchNormalization"


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda: modern.se_resnet(34), "depth"),
        (lambda: modern.se_resnet(50, ratio=0), "ratio"),
        (lambda: modern.se_resnet(50, input_shape=(224, 224)), "input_shape"),
        (lambda: modern.efficientnet(width=0), "width"),
        (lambda: modern.efficientnet(depth=math.nan), "depth"),
        (lambda: modern.efficientnet(resolution=16), "resolution"),
        (lambda: modern.count("EfficientNetB0"), "builder"),
        (lambda: modern.mbconv_block(keras.Input((8, 8, 4)), 8, strides=3), "strides"),
        (
            lambda: modern.mbconv_block(keras.Input((8, 8, 4)), 8, se_ratio=2),
            "se_ratio",
        ),
        (lambda: modern.se_block(keras.Input((8, 8, 4)), 0), "squeezed"),
        (lambda: modern.separable_unit(keras.Input((8, 8, 4)), -1), "filters"),
    ],
)
def test_bad_arguments(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
