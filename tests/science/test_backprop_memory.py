"""What backpropagation keeps, and memory over time, on hand-checked stacks."""

import pytest

from cnnbook import calc
from cnnbook.science import backprop_memory as bm

SEED = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
SEED_INPUT = (200, 300, 3)
# values per image: input 180,000; maps 1,500,000, 750,000, 380,000
A0, A1, A2, A3 = 180_000, 1_500_000, 750_000, 380_000
PARAMS = 903_400


def test_backward_reads_follows_tensorflow_gradients():
    assert bm.backward_reads(calc.Conv2D(4, 3)) == {"input"}
    assert bm.backward_reads(calc.Conv2D(4, 3, activation="relu")) == {
        "input",
        "output",
    }
    assert bm.backward_reads(calc.Conv2D(4, 3, activation="gelu")) == {
        "input",
        "hidden",
    }
    assert bm.backward_reads(calc.BatchNormalization()) == {"input"}
    assert bm.backward_reads(calc.Activation("relu")) == {"output"}
    assert bm.backward_reads(calc.Activation("gelu")) == {"input"}
    assert bm.backward_reads(calc.Activation("linear")) == set()
    assert bm.backward_reads(calc.MaxPooling2D()) == {"input", "output"}
    assert bm.backward_reads(calc.AveragePooling2D()) == set()
    assert bm.backward_reads("Add") == set()
    assert bm.backward_reads(calc.Dropout(0.5)) == {"hidden"}


def test_seed_network_keeps_its_input_and_every_map():
    graph = bm.chain(SEED_INPUT, SEED)
    kept = bm.kept_for_backward(graph)
    # conv weight gradients read their inputs; the loss reads the last map
    assert kept == {"input": A0, "conv2d": A1, "conv2d_1": A2, "conv2d_2": A3}
    assert graph.every_output == A1 + A2 + A3


def test_separate_relu_layers_free_the_pre_activation_maps():
    layers = [calc.Conv2D(8, 3), calc.ReLU(), calc.Conv2D(8, 3), calc.ReLU()]
    graph = bm.chain((10, 10, 3), layers)
    kept = bm.kept_for_backward(graph)
    # conv outputs (8x8x8, 6x6x8) are read by no gradient: ReLU reads its output
    assert kept == {"input": 300, "re_lu": 512, "re_lu_1": 288}
    assert graph.every_output == 2 * 512 + 2 * 288
    # batch norm in between reads the conv output: it is kept again
    layers = [calc.Conv2D(8, 3), calc.BatchNormalization(), calc.ReLU()]
    kept = bm.kept_for_backward(bm.chain((10, 10, 3), layers))
    assert kept == {"input": 300, "conv2d": 512, "re_lu": 512}


def test_inference_timeline_holds_one_layers_input_and_output():
    graph = bm.chain(SEED_INPUT, SEED)
    moments = bm.inference_timeline(graph)
    assert [m.total for m in moments] == [
        4 * (PARAMS + A0 + A1),
        4 * (PARAMS + A1 + A2),
        4 * (PARAMS + A2 + A3),
    ]
    assert bm.peak(moments).total == calc.analyze(SEED_INPUT, SEED).inference_bytes


def test_training_timeline_of_the_seed_network():
    moments = bm.training_timeline(bm.chain(SEED_INPUT, SEED), batch_size=50)
    by_label = {m.label: m for m in moments}
    end_of_forward = by_label["conv2d_2"]
    training_bound = calc.analyze(SEED_INPUT, SEED, batch_size=50).training_bytes
    assert end_of_forward.total == training_bound == 565_613_600
    # the loss gradient (as large as the last map) joins everything stored
    assert by_label["loss"].total == training_bound + 50 * 4 * A3
    assert bm.peak(moments) is by_label["loss"]
    # backward: conv2d_1's input gradient is the size of conv2d's output
    below = by_label["conv2d_1: input gradient"]
    assert below.stored == 50 * 4 * A0
    assert below.working == 50 * 4 * (A2 + A1)
    last = moments[-1]
    assert last.parameter_gradients == 4 * PARAMS
    assert [m.phase for m in moments].count("backward") == 5


def test_recomputing_the_largest_map_goes_below_the_stored_bound():
    graph = bm.chain(SEED_INPUT, SEED)
    plain = bm.peak(bm.training_timeline(graph, 50)).total
    moments = bm.training_timeline(graph, 50, recompute=["conv2d"])
    assert any("recompute" in m.label for m in moments)
    assert bm.peak(moments).total < 565_613_600 < plain
    with pytest.raises(ValueError, match="must be stored"):
        bm.training_timeline(graph, 50, recompute=["conv2d", "conv2d_1"])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda g: bm.training_timeline(g, 0), "batch_size must be"),
        (lambda g: bm.training_timeline(g, 1, dtype="float8"), "dtype must be"),
        (lambda g: bm.training_timeline(g, 1, recompute=["x"]), "recompute must"),
        (lambda g: bm.kept_for_backward("graph"), "graph must be"),
        (lambda g: bm.peak([]), "moments must not be empty"),
        (lambda g: bm.backward_reads("Merge"), "does not know the layer kind"),
        (lambda g: bm.Graph({}, g.nodes), "inputs must name"),
        (lambda g: bm.Graph({"input": 1}, g.nodes[1:]), "before it is written"),
    ],
)
def test_bad_arguments_are_value_errors(call, message):
    graph = bm.chain(SEED_INPUT, SEED)
    with pytest.raises(ValueError, match=message):
        call(graph)


def test_timelines_need_a_stack():
    node = bm.Node("add", "Add", ("input", "input"), "add", 4, 0, frozenset())
    with pytest.raises(ValueError, match="stack of layers"):
        bm.training_timeline(bm.Graph({"input": 4}, (node,)))
