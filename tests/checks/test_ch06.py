"""Chapter 6's questions: the inception module and its bottlenecks, the
projection shortcut, depth against parameters, and AlexNet's largest layer."""

import keras
import pytest

from cnnbook.checks import ch06
from cnnbook.referee import architectures as arch
from tests.checks.support import correct, wrong

L = keras.layers
V = ch06.DEFAULT


def test_the_default_module_and_head_are_not_the_chapters():
    assert V.module != (192, 96, 208, 16, 48, 64) and V.module_input != (14, 14, 480)
    assert (V.maps[-1], V.head_classes) != (1024, 1000) and V.classes != 1000


def _module(bottleneck: bool) -> int:
    def build():
        x = keras.Input(shape=V.module_input)
        return keras.Model(x, arch.inception_module(x, V.module, bottleneck))

    return arch.measure(build)[0]


def test_the_module_counted_by_calc_is_keras_count():
    with_1x1, naive = _module(True), _module(False)
    correct(ch06.params_4a(with_1x1.params))
    correct(ch06.params_naive(naive.params))
    correct(ch06.ratio(naive.macs / with_1x1.macs))


def test_module_with_and_without_reductions():
    c_in = V.module_input[-1]
    f1, r3, f3, r5, f5, fp = V.module
    with_1x1 = (c_in + 1) * (f1 + r3 + r5 + fp) + (9 * r3 + 1) * f3
    with_1x1 += (25 * r5 + 1) * f5
    correct(ch06.params_4a(with_1x1))
    wrong(ch06.params_4a(with_1x1 - sum(V.module)), "one bias")
    wrong(
        ch06.params_4a(with_1x1 - (c_in + 1) * (r3 + r5)),
        "1x1 reductions are convolutions",
    )
    naive = (c_in + 1) * (f1 + fp) + (9 * c_in + 1) * f3 + (25 * c_in + 1) * f5
    correct(ch06.params_naive(naive))
    wrong(ch06.params_naive(with_1x1), "That is the module with its reductions")
    ratio = ch06.ratio._spec().expected
    assert ratio > 1
    wrong(ch06.ratio(1 / ratio), "That is the inverse")


def test_the_reduction_saves_less_than_the_ratio_of_maps():
    c_in, (_, r3, f3, *_) = V.module_input[-1], V.module
    without, with_reduction = 9 * c_in * f3, c_in * r3 + 9 * r3 * f3
    correct(ch06.branch_saving(without / with_reduction))
    wrong(ch06.branch_saving(c_in / r3), "ratio of input maps to reduced maps")


def unit(shortcut_norm=True, use_bias=False, shortcut_kernel=1, add_relu=True):
    f = V.unit_filters
    x = keras.Input(V.unit_input)
    y = L.Conv2D(f, 3, strides=2, padding="same", use_bias=use_bias)(x)
    y = L.ReLU()(L.BatchNormalization()(y))
    y = L.BatchNormalization()(L.Conv2D(f, 3, padding="same", use_bias=use_bias)(y))
    s = L.Conv2D(f, shortcut_kernel, strides=2, padding="same", use_bias=use_bias)(x)
    if shortcut_norm:
        s = L.BatchNormalization()(s)
    out = L.Add()([s, y])
    return keras.Model(x, L.ReLU()(out) if add_relu else out)


def test_the_projection_unit_and_its_slips():
    model = unit()
    assert f"{model.count_params():,} parameters" in correct(ch06.residual_unit(model))
    wrong(ch06.residual_unit(unit(shortcut_norm=False)), "One batch norm is missing")
    wrong(ch06.residual_unit(unit(use_bias=True)), "use_bias=False")
    wrong(ch06.residual_unit(unit(shortcut_kernel=3)), "a 1x1 convolution, not a 3x3")
    wrong(ch06.residual_unit(unit(add_relu=False)), "ReLU right after the Add")
    plain = keras.Sequential(
        [keras.Input(V.unit_input), L.Conv2D(V.unit_filters, 3, 2, "same")]
    )
    wrong(ch06.residual_unit(plain), "must use BatchNormalization, Add")


def test_the_projection_count():
    c, f = V.unit_input[-1], V.unit_filters
    correct(ch06.projection(c * f + 4 * f))
    wrong(ch06.projection(c * f), "batch norm after the projection")
    wrong(ch06.projection(c * f + 2 * f), "4 values per channel")
    wrong(ch06.projection(c * f + f + 4 * f), "no bias here")


@pytest.fixture(scope="module")
def resnets():
    return {
        depth: arch.measure(arch.resnet, depth, num_classes=V.classes)[0].params
        for depth in (34, 50)
    }


def test_depth_against_parameters_for_the_students_classes(resnets):
    difference = (resnets[50] - resnets[34]) / 1e6
    correct(ch06.more_millions(difference))
    correct(ch06.more_millions(f"{difference:.3f}"))
    wrong(ch06.more_millions(difference * 1e6), "a million times too large")
    wrong(ch06.more_millions(-difference), "not the other way round")
    wrong(ch06.more_millions(resnets[50] / 1e6), "ResNet-50's total")
    thousand = (
        arch.measure(arch.resnet, 50)[0].params
        - arch.measure(arch.resnet, 34)[0].params
    )
    wrong(ch06.more_millions(thousand / 1e6), "for 1,000 classes")
    correct(ch06.why("a"))
    message = wrong(ch06.why("b"), "one dense layer")
    assert "1,000" not in message


def test_global_average_pooling_and_alexnet():
    h, w, c = V.maps
    n = V.head_classes
    correct(ch06.flatten_dense((h * w * c + 1) * n))
    wrong(ch06.flatten_dense(h * w * c * n), "Each unit has a bias too.")
    correct(ch06.gap_dense((c + 1) * n))
    wrong(ch06.gap_dense((h * w * c + 1) * n), "That is the flattened count")
    report = arch.measure(arch.alexnet)[0]
    params = {line.name: line.params for line in report.layers}
    assert max(params, key=params.get) == "fc6"
    assert ch06.largest._spec().correct == {"c"}
    for option in ("a", "b", "d"):
        message = wrong(ch06.largest(option), "ount")
        assert not any(f"{p:,}" in message for p in params.values())
