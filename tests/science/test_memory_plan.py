"""Training-memory arithmetic and remedies; calc's ResNets refereed by Keras."""

import gc
import math

import keras  # conftest has quieted TensorFlow before this import
import pytest

from cnnbook.referee.keras_bridge import analyze_keras
from cnnbook.science import backprop_memory as bm
from cnnbook.science import memory_plan as mp


@pytest.fixture(scope="module")
def resnet50():
    return mp.resnet_report(50)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"depth": 50},
        {"depth": 50, "input_size": 160},
    ],
)
def test_resnet_report_equals_keras_applications(kwargs):
    size = kwargs.get("input_size", 224)
    model = keras.applications.ResNet50(weights=None, input_shape=(size, size, 3))
    try:
        keras_report = analyze_keras(model)
        ours = mp.resnet_report(**kwargs)
        assert ours.params == keras_report.params == model.count_params()
        assert ours.macs == keras_report.macs
        assert ours.training_bytes == keras_report.training_bytes
        assert ours.inference_bytes == keras_report.inference_bytes

        def lines(report):
            return sorted((x.name, x.output_shape, x.params) for x in report.layers)

        assert lines(ours) == lines(keras_report)
    finally:
        del model
        keras.backend.clear_session()
        gc.collect()


def test_resnet_depths_and_variants():
    assert mp.resnet_report(50).params == 25_636_712  # count_params(), NOTES.md
    assert mp.resnet_report(101).params > mp.resnet_report(50).params
    base = mp.resnet_report(50)
    half = mp.resnet_report(50, width=0.5)
    assert half.params < base.params / 3
    strided = mp.resnet_report(50, stage1_stride=2)
    assert strided.params == base.params
    assert strided.activation_bytes < base.activation_bytes
    small = mp.resnet_report(50, input_size=112)
    assert small.params == base.params
    assert small.layers[-3].output_shape == (4, 4, 2048)


def test_step_memory_parts(resnet50):
    r = resnet50
    values = sum(layer.output_elements for layer in r.layers)
    m = mp.step_memory(r, 32, "float32", "adam")
    assert m.parameters == m.gradients == 4 * r.params
    assert m.optimizer_state == 2 * 4 * r.params
    assert m.inputs == 32 * 224 * 224 * 3 * 4
    assert m.activations == 32 * values * 4
    # calc's own training breakdown counts the same parts
    calc_batch = mp.resnet_report(50, batch_size=32).training_breakdown("adam")
    assert m.total == calc_batch.total
    assert mp.step_memory(r, 32, optimizer="sgd").optimizer_state == 0
    assert mp.step_memory(r, 32, optimizer="momentum").optimizer_state == 4 * r.params


def test_precisions(resnet50):
    full = mp.step_memory(resnet50, 16, "float32")
    half = mp.step_memory(resnet50, 16, "float16")
    mixed = mp.step_memory(resnet50, 16, "mixed_float16")
    assert half.total * 2 == full.total
    assert mixed.parameters == full.parameters  # float32 master weights
    assert mixed.optimizer_state == full.optimizer_state
    assert mixed.activations * 2 == full.activations
    assert mixed.inputs == full.inputs


def test_accumulation_and_devices(resnet50):
    whole = mp.step_memory(resnet50, 64)
    accumulated = mp.step_memory(resnet50, 64, accumulation_steps=4)
    assert accumulated.micro_batch == 16
    assert accumulated.activations * 4 == whole.activations
    assert accumulated.gradient_accumulator == 4 * resnet50.params
    split = mp.step_memory(resnet50, 64, devices=4)
    assert split.activations == accumulated.activations
    assert split.gradient_accumulator == 0 and split.fixed == whole.fixed
    assert mp.step_memory(resnet50, 10, devices=4).micro_batch == 3  # rounded up


def test_checkpointing_square_root_rule():
    values = [10] * 100
    assert mp.checkpointed_values(values, 1) == 1000
    assert mp.checkpointed_values(values, 10) == 10 * 10 + 9 * 10
    assert mp.sqrt_segments(100) == 10
    segments, kept = mp.best_segments(values)
    assert segments == 10 and kept == 190
    assert mp.segment_bounds(5, 2) == [(0, 2), (2, 5)]
    uneven = [1, 1, 100, 1, 1]
    assert mp.checkpointed_values(uneven, 5) == sum(uneven)
    assert mp.best_segments(uneven)[1] <= sum(uneven)


def test_checkpointing_on_resnet(resnet50):
    plain = mp.step_memory(resnet50, 32)
    ckpt = mp.step_memory(resnet50, 32, checkpointing=True)
    assert ckpt.activations < plain.activations / 3
    assert ckpt.fixed == plain.fixed
    k = mp.sqrt_segments(len(resnet50.layers))
    extra = mp.checkpoint_extra_macs(resnet50, k)
    assert 0.8 * resnet50.macs < extra < resnet50.macs
    assert mp.checkpoint_extra_macs(resnet50, 1) == 0


def test_largest_batch_is_the_boundary(resnet50):
    gb = 10**9
    for setup in (
        {},
        {"precision": "mixed_float16"},
        {"checkpointing": True},
        {"optimizer": "sgd", "precision": "float16"},
    ):
        b = mp.largest_batch(resnet50, 16 * gb, **setup)
        assert b >= 1
        assert mp.step_memory(resnet50, b, **setup).total <= 16 * gb
        assert mp.step_memory(resnet50, b + 1, **setup).total > 16 * gb
    assert mp.largest_batch(resnet50, 0.1 * gb) == 0
    assert mp.largest_batch(resnet50, 16 * gb, reserve_bytes=16 * gb) == 0
    assert mp.largest_batch(resnet50, 1e30, limit=50) == 50
    fixed = mp.step_memory(resnet50, 1).fixed
    per_image = mp.step_memory(resnet50, 2).total - mp.step_memory(resnet50, 1).total
    expected = math.floor((16 * gb - fixed) / per_image)
    assert mp.largest_batch(resnet50, 16 * gb) == expected


def test_resnet_graph_matches_its_report():
    graph = mp.resnet_graph(50)
    report = mp.resnet_report(50)
    assert [n.name for n in graph.nodes] == [x.name for x in report.layers]
    assert graph.every_output == sum(x.output_elements for x in report.layers)
    assert sum(n.params for n in graph.nodes) == report.params


def test_autodiff_keeps_conv_relu_and_pooling_tensors_not_add_or_bn(resnet50):
    graph = mp.resnet_graph(50)
    kept = bm.kept_for_backward(graph)
    kinds = {n.name: n.kind for n in graph.nodes}
    by_kind = {}
    for name in kept:
        by_kind[kinds[name]] = by_kind.get(kinds[name], 0) + 1
    # every conv output (read by batch norm) and every ReLU output are kept,
    # no Add and no batch-norm output; two paddings, the max pool, the head
    assert by_kind == {
        "Conv2D": 53,
        "Activation": 49,
        "ZeroPadding2D": 2,
        "MaxPooling2D": 1,
        "GlobalAveragePooling2D": 1,
        "Dense": 1,
    }
    conv = sum(x.output_elements for x in resnet50.layers if x.kind == "Conv2D")
    relu = sum(x.output_elements for x in resnet50.layers if x.kind == "Activation")
    assert conv + relu < mp.autodiff_values(graph) < 0.6 * graph.every_output
    step = mp.step_memory(resnet50, 8, activation_values=mp.autodiff_values(graph))
    assert step.activations == 8 * 4 * mp.autodiff_values(graph)


def test_split_maps_offload_and_bfloat16(resnet50):
    whole = mp.step_memory(resnet50, 64)
    split = mp.step_memory(resnet50, 64, split_maps=2)
    assert split.parameters * 2 == whole.parameters
    assert split.activations * 2 == whole.activations
    assert split.inputs == whole.inputs  # every device sees the whole input
    state = mp.step_memory(resnet50, 64, offload="optimizer_state")
    assert state.optimizer_state == 0 and state.host == whole.optimizer_state
    acts = mp.step_memory(resnet50, 64, offload=["activations"])
    window = 64 * 2 * resnet50.peak_live_elements * 4
    assert acts.activations == window
    assert acts.host == whole.activations - window
    assert acts.total + acts.host == whole.total
    bf16 = mp.step_memory(resnet50, 64, precision="mixed_bfloat16")
    assert bf16.total == mp.step_memory(resnet50, 64, precision="mixed_float16").total


def test_pipeline_stages_cut_between_blocks_and_share_the_memory(resnet50):
    graph = mp.resnet_graph(50)
    whole = mp.step_memory(resnet50, 64)
    (one,) = mp.pipeline_memory(graph, 64, 1)
    assert one.total == whole.total
    four = mp.pipeline_memory(graph, 64, 4)
    assert sum(s.parameters for s in four) == whole.parameters
    assert sum(s.activations for s in four) == whole.activations
    assert whole.total / 4 <= max(s.total for s in four) < whole.total / 3
    # every later stage receives exactly one tensor: a block's output
    assert all(s.inputs > 0 for s in four)
    with pytest.raises(ValueError, match="stages must be between 1 and"):
        mp.pipeline_memory(graph, 64, 500)
    gb = 10**9
    b = mp.largest_pipeline_batch(graph, 16 * gb, stages=4)
    assert max(s.total for s in mp.pipeline_memory(graph, b, 4)) <= 16 * gb
    assert max(s.total for s in mp.pipeline_memory(graph, b + 1, 4)) > 16 * gb
    assert mp.largest_pipeline_batch(graph, 16 * gb, stages=1) == mp.largest_batch(
        resnet50, 16 * gb
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: mp.step_memory(r, 0), "batch_size must be a positive integer"),
        (lambda r: mp.step_memory(r, 8, precision="int8"), "precision must be one of"),
        (lambda r: mp.step_memory(r, 8, optimizer="lion"), "optimizer must be one of"),
        (lambda r: mp.step_memory(r, 8, checkpointing="yes"), "checkpointing must be"),
        (lambda r: mp.step_memory(r, 8, devices=0), "devices must be"),
        (lambda r: mp.step_memory(r, 8, accumulation_steps=1.5), "accumulation_steps"),
        (lambda r: mp.step_memory("resnet", 8), "report must be a calc.Report"),
        (lambda r: mp.largest_batch(r, -1), "memory_bytes must be"),
        (
            lambda r: mp.largest_batch(r, 1e9, reserve_bytes=float("nan")),
            "reserve_bytes",
        ),
        (lambda r: mp.segment_bounds(3, 4), "segments must be between 1 and"),
        (lambda r: mp.resnet_report(34), "depth must be one of"),
        (lambda r: mp.resnet_report(50, width=0), "width must be a positive"),
        (lambda r: mp.resnet_report(50, stage1_stride=3), "stage1_stride must be"),
        (lambda r: mp.resnet_report(50, input_size=16), "input_size must be at least"),
        (lambda r: mp.step_memory(r, 8, split_maps=0), "split_maps must be"),
        (lambda r: mp.step_memory(r, 8, offload=["weights"]), "offload must be"),
        (lambda r: mp.step_memory(r, 8, activation_values=-1), "activation_values"),
        (
            lambda r: mp.step_memory(r, 8, activation_values=5, checkpointing=True),
            "cannot be combined",
        ),
        (lambda r: mp.pipeline_memory(r, 8, 2), "graph must be"),
    ],
)
def test_bad_arguments_are_value_errors(resnet50, call, message):
    with pytest.raises(ValueError, match=message):
        call(resnet50)
