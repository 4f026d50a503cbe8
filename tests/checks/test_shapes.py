"""Shapes: read from any reasonable form, a batch axis accepted and named, hints
that fit the layer's kind."""

import numpy as np
import pytest

from cnnbook import checks
from cnnbook.checks import ShapeSpec, ShapesSpec
from cnnbook.checks.shapes import BATCH_NOTE
from tests.checks.support import correct, unanswered, wrong


@pytest.mark.parametrize(
    "answer", [(25, 38, 400), [25, 38, 400], np.array([25, 38, 400]), "25x38x400"]
)
def test_a_shape_in_any_form(answer):
    message = correct(ShapeSpec((25, 38, 400)).judge(answer))
    assert BATCH_NOTE not in message


@pytest.mark.parametrize("answer", [(None, 25, 38, 400), (1, 25, 38, 400)])
def test_a_batch_axis_is_accepted_and_said_not_to_be_part_of_the_answer(answer):
    assert BATCH_NOTE in correct(ShapeSpec((25, 38, 400)).judge(answer))


def test_a_wrong_shape_gets_the_hint_of_its_layer_kind():
    conv = ShapeSpec((25, 38, 400), kind="Conv2D")
    pool = ShapeSpec((14, 14, 64), kind="MaxPooling2D")
    dense = ShapeSpec((10,), kind="Dense")
    wrong(conv.judge((38, 25, 400)), "swapped")
    wrong(conv.judge((25, 38, 200)), "one feature map per filter")
    wrong(pool.judge((14, 14, 128)), "pooling keeps the channels")
    wrong(pool.judge((13, 13, 64)), "pool size")
    assert "filter" not in wrong(dense.judge((20,)), "one value per unit")
    wrong(conv.judge((25, 38)), "has 3 axes")
    wrong(conv.judge("25 by 38"), "tuple of integers", "got '25 by 38'")
    unanswered(conv.judge((25, ..., 400)))
    with pytest.raises(ValueError, match="^expected must be a tuple"):
        ShapeSpec((0, 2))


LAYERS = (("conv1", "Conv2D"), ("pool1", "MaxPooling2D"))
SPEC = ShapesSpec(
    ((16, 16, 8), (8, 8, 8)),
    LAYERS,
    (
        (((16, 16, 8), (7, 7, 8)), "The padding slip."),
        (((15, 15, 8), (7, 7, 8)), "Another slip."),
    ),
)


def test_one_shape_per_layer():
    correct(SPEC.judge([(16, 16, 8), (8, 8, 8)]))
    correct(SPEC.judge(np.array([[16, 16, 8], [8, 8, 8]])))
    assert BATCH_NOTE in correct(SPEC.judge([(None, 16, 16, 8), (1, 8, 8, 8)]))
    wrong(
        SPEC.judge([(16, 16, 8), (7, 7, 8)]),
        "The first shape is right, layer 2 (pool1, MaxPooling2D)",
        "The padding slip.",
    )
    wrong(SPEC.judge([(15, 15, 8), (7, 7, 8)]), "Layer 1 (conv1", "Another slip.")
    wrong(SPEC.judge([(16, 16, 8), (8, 8, 16)]), "pooling keeps the channels")
    wrong(SPEC.judge([(16, 16, 8)]), "the network has 2 layers, your list has 1")
    wrong(SPEC.judge((16, 16, 8)), "Each shape should be a tuple")
    wrong(SPEC.judge("shapes"), "one shape per layer", "got 'shapes'")
    wrong(SPEC.judge([(16, 16, 8), (8, 8)]), "layer 2", "It has 3 axes")
    unanswered(SPEC.judge(...))
    unanswered(SPEC.judge([(16, 16, 8), ...]))
    unanswered(SPEC.judge([(16, 16, 8), (8, ..., 8)]))
    with pytest.raises(ValueError, match="^layers must name"):
        ShapesSpec(((1, 1, 1),), ())


def test_the_generic_shape_check():
    correct(checks.shape((None, 25, 38, 400), (25, 38, 400)))
    wrong(checks.shape((38, 25, 400), (25, 38, 400)), "swapped")
