"""The landmark builders against the papers' figures, with Keras as the referee.

Tolerances: the papers print one or two significant figures ("60 million",
"1.5 billion", "3.8 x 10^9"), so a build agrees when it is within
``PAPER_REL_TOL`` = 6% of the printed figure. Exact counts are pinned as well,
so any change to a builder shows up. Where a remaining difference is explained
in the chapter (two towers, Table 1's own units and conv1 row), the explanation
is checked here with a tighter tolerance.
"""

import math

import numpy as np
import pytest

from cnnbook.referee import architectures as arch
from cnnbook.referee.keras_bridge import analyze_keras
from tests.conftest import REPO  # noqa: F401  (sets the quiet TF environment)

keras = pytest.importorskip("keras")

PAPER_REL_TOL = 0.06
EXPLAINED_REL_TOL = 0.02
PAPERS = arch.PAPERS

# name: (builder, kwargs, params, multiply-adds, depth), full size
PINNED = {
    "LeNet-5": (arch.lenet5, {}, 61_706, 416_520, 5),
    "AlexNet": (arch.alexnet, {}, 62_378_344, 1_135_256_096, 8),
    "GoogLeNet": (arch.googlenet, {}, 6_998_552, 1_582_671_872, 22),
    "ResNet-18": (arch.resnet, {"depth": 18}, 11_699_112, 1_814_073_344, 18),
    "ResNet-34": (arch.resnet, {"depth": 34}, 21_814_696, 3_663_761_408, 34),
    "ResNet-50": (arch.resnet, {"depth": 50}, 25_610_152, 3_857_973_248, 50),
}


@pytest.fixture(scope="module")
def reports():
    return {name: arch.measure(b, **kw) for name, (b, kw, *_) in PINNED.items()}


@pytest.mark.parametrize("name", list(PINNED))
def test_pinned_counts_and_depth(reports, name):
    report, depth = reports[name]
    _, _, params, macs, expected_depth = PINNED[name]
    assert (report.params, report.macs, depth) == (params, macs, expected_depth)
    assert depth == PAPERS[name]["depth"]


@pytest.mark.parametrize("name", [n for n in PINNED if PAPERS[n]["params"]])
def test_params_near_paper(reports, name):
    assert reports[name][0].params == pytest.approx(
        PAPERS[name]["params"], rel=PAPER_REL_TOL
    )


@pytest.mark.parametrize("name", [n for n in PINNED if PAPERS[n]["macs"]])
def test_macs_near_paper(reports, name):
    assert reports[name][0].macs == pytest.approx(
        PAPERS[name]["macs"], rel=PAPER_REL_TOL
    )


def test_resnets_match_table_1_closely(reports):
    for name in ("ResNet-18", "ResNet-34", "ResNet-50"):
        assert reports[name][0].macs == pytest.approx(
            PAPERS[name]["macs"], rel=EXPLAINED_REL_TOL
        ), name


def test_alexnet_neurons_and_two_towers(reports):
    report = reports["AlexNet"][0]
    neurons = sum(
        math.prod(layer.output_shape)
        for layer in report.layers
        if layer.kind in ("Conv2D", "Dense")
    )
    assert neurons == 659_272
    assert neurons == pytest.approx(PAPERS["AlexNet"]["neurons"], rel=EXPLAINED_REL_TOL)
    two, depth = arch.measure(arch.alexnet, two_tower=True)
    assert (two.params, depth) == (60_965_224, 8)
    assert two.params == pytest.approx(60e6, rel=EXPLAINED_REL_TOL)
    # the split halves conv2, conv4 and conv5 only
    saved = report.params - two.params
    assert (
        saved
        == sum(
            layer.params - layer.output_shape[-1]
            for layer in report.layers
            if layer.name in ("conv2", "conv4", "conv5")
        )
        // 2
    )


def test_googlenet_in_table_1_units(reports):
    """Table 1's K is 1024 (3a: 163,328 weights = 159.5 K); its conv1 row is 34M."""
    report = reports["GoogLeNet"][0]
    weights = sum(
        layer.params - layer.output_shape[-1]
        for layer in report.layers
        if layer.kind in ("Conv2D", "Dense")
    )
    assert weights / 1024 / 1000 == pytest.approx(6.8, rel=EXPLAINED_REL_TOL)
    conv1 = next(layer for layer in report.layers if layer.name == "conv1")
    assert conv1.macs == 112 * 112 * 64 * 7 * 7 * 3
    assert report.macs - conv1.macs + 34e6 == pytest.approx(1.5e9, rel=0.01)
    aux, depth = arch.measure(arch.googlenet, aux_classifiers=True)
    assert aux.params == 13_378_280 and depth == 22


def test_inception_3a_bottleneck_saving():
    def module(bottleneck):
        def build():
            x = keras.Input((28, 28, 192))
            y = arch.inception_module(x, (64, 96, 128, 16, 32, 32), bottleneck)
            return keras.Model(x, y)

        return arch.measure(build)[0]

    with_b, without = module(True), module(False)
    assert with_b.layers[-1].output_shape == without.layers[-1].output_shape
    assert with_b.layers[-1].output_shape == (28, 28, 256)
    assert with_b.params == 163_328 + 368
    assert with_b.macs == 28 * 28 * 163_328
    assert without.params == (192 * 64 + 9 * 192 * 128 + 25 * 192 * 32 + 192 * 32 + 256)
    assert round(without.macs / with_b.macs, 2) == 2.41


def test_residual_unit_shortcuts():
    def unit(shortcut, c_in=64, **kw):
        def build():
            x = keras.Input((56, 56, c_in))
            return keras.Model(x, arch.residual_unit(x, 64, shortcut=shortcut, **kw))

        return arch.measure(build)[0]

    basic, plain = unit("B"), unit("none")
    assert basic.params == plain.params == 2 * (9 * 64 * 64 + 4 * 64)
    assert "Add" in {layer.kind for layer in basic.layers}
    assert "Add" not in {layer.kind for layer in plain.layers}
    projected = unit("B", c_in=64, strides=2)
    assert projected.params - basic.params == 64 * 64 + 4 * 64
    assert unit("C").params - basic.params == 64 * 64 + 4 * 64
    bottleneck = unit("B", c_in=256, bottleneck=True)
    assert bottleneck.params == (
        256 * 64 + 9 * 64 * 64 + 64 * 256 + 4 * (64 + 64 + 256)
    )


def test_plain_resnet_differs_by_projections_only():
    plain, depth = arch.measure(arch.resnet, 34, residual=False)
    residual, _ = arch.measure(arch.resnet, 34)
    projections = sum(
        layer.params for layer in residual.layers if "_proj_" in layer.name
    )
    assert depth == 34
    assert residual.params - plain.params == projections
    assert projections == (64 * 128 + 128 * 256 + 256 * 512) + 4 * (128 + 256 + 512)


@pytest.mark.parametrize(
    "build, shape",
    [
        (lambda: arch.lenet5((36, 36, 1), 3), (36, 36, 1)),
        (lambda: arch.alexnet((67, 67, 3), 5), (67, 67, 3)),
        (lambda: arch.alexnet((67, 67, 3), 5, two_tower=True, lrn=False), (67, 67, 3)),
        (lambda: arch.googlenet((64, 64, 3), 4, aux_classifiers=False), (64, 64, 3)),
        (lambda: arch.resnet(18, (32, 32, 3), 7), (32, 32, 3)),
        (lambda: arch.resnet(50, (32, 32, 3), 7, shortcut="C"), (32, 32, 3)),
    ],
)
def test_tiny_versions_run_and_keras_agrees(build, shape):
    model = build()
    report = analyze_keras(model)
    assert report.params == model.count_params()
    probs = np.asarray(model(np.zeros((2, *shape), "float32"), training=False))
    assert probs.shape == (2, model.outputs[0].shape[-1])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    keras.backend.clear_session()


def test_measure_equals_a_real_build():
    model = arch.resnet(18, (32, 32, 3), 10)
    report, depth = arch.measure(arch.resnet, 18, (32, 32, 3), 10)
    assert report.params == model.count_params() == analyze_keras(model).params
    assert report.macs == analyze_keras(model).macs
    assert depth == arch.weight_depth(model) == 18


def test_thin_net_plain_and_residual_share_parameters():
    plain = arch.thin_net(8, residual=False)
    residual = arch.thin_net(8, residual=True)
    assert plain.count_params() == residual.count_params()
    assert arch.weight_depth(plain) == arch.weight_depth(residual) == 8
    kinds = {type(layer).__name__ for layer in residual.layers}
    assert "Add" in kinds
    assert "Add" not in {type(layer).__name__ for layer in plain.layers}


def test_thin_net_identity_init_starts_every_unit_as_the_identity():
    net = arch.thin_net(8, width=4, identity_init=True)
    last_bns = [layer for layer in net.layers if layer.name.endswith("_2_bn")]
    assert len(last_bns) == 3
    for layer in last_bns:
        np.testing.assert_array_equal(np.asarray(layer.gamma), 0.0)
    others = [b for b in net.layers if b.name.endswith("_bn") and b not in last_bns]
    assert all(np.all(np.asarray(b.gamma) == 1.0) for b in others)
    x = np.random.default_rng(0).normal(size=(5, 64)).astype("float32")
    stem = keras.Model(net.inputs[0], net.get_layer("stem_relu").output)
    last = keras.Model(net.inputs[0], net.get_layer("unit3_out").output)
    np.testing.assert_allclose(np.asarray(last(x)), np.asarray(stem(x)), atol=1e-6)


def test_thin_net_he_normal_kernels_have_variance_two_over_fan_in():
    keras.utils.set_random_seed(0)
    net = arch.thin_net(4, width=256, kernel_initializer="he_normal")
    kernel = np.asarray(net.get_layer("unit1_1_dense").kernel)
    assert kernel.var() == pytest.approx(2 / 256, rel=0.02)
    keras.utils.set_random_seed(0)
    glorot = arch.thin_net(4, width=256)  # Keras' default: 2 / (fan-in + fan-out)
    kernel = np.asarray(glorot.get_layer("unit1_1_dense").kernel)
    assert kernel.var() == pytest.approx(2 / 512, rel=0.02)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: arch.lenet5((28, 28, 1)), "input_shape"),
        (lambda: arch.alexnet((66, 66, 3)), "input_shape"),
        (lambda: arch.lenet5((32, 32)), "input_shape"),
        (lambda: arch.lenet5(num_classes=0), "num_classes"),
        (lambda: arch.alexnet(two_tower="yes"), "two_tower"),
        (lambda: arch.googlenet((4, 4, 3)), "input_shape"),
        (lambda: arch.googlenet((64, 64, 3), aux_classifiers=True), "input_shape"),
        (lambda: arch.resnet(20), "depth must be one of"),
        (lambda: arch.resnet(18, shortcut="A"), "shortcut"),
        (lambda: arch.resnet(18, residual=1), "residual"),
        (lambda: arch.thin_net(7), "depth"),
        (lambda: arch.thin_net(8, width=0), "width"),
        (lambda: arch.thin_net(8, residual=False, identity_init=True), "identity_init"),
        (lambda: arch.thin_net(8, kernel_initializer="ones"), "kernel_initializer"),
        (lambda: arch.inception_module(keras.Input((8, 8, 4)), (1, 2, 3)), "filters"),
        (lambda: arch.residual_unit(keras.Input((8, 8, 4)), 4, strides=3), "strides"),
        (
            lambda: arch.residual_unit(keras.Input((8, 8, 4)), 4, shortcut="A"),
            "shortcut",
        ),
        (lambda: arch.measure(42), "builder"),
        (lambda: arch.weight_depth("model"), "model"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
