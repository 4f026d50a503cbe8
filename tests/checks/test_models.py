"""Keras models of any kind are judged; anything else gets what to build; a
model that raises while it is checked is feedback, not a traceback."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from cnnbook.checks import ModelSpec, keras_model
from cnnbook.checks.models import (
    at_least_relus,
    conv_before,
    count_weights,
    depthwise_then_pointwise,
    ends_with_global_pooling,
    no_pooling,
    relu_after,
    relu_after_each,
    softmax_output,
    strided_convolution,
)
from tests.checks.support import correct, unanswered, wrong
from tests.conftest import REPO

L = keras.layers
SPEC = ModelSpec((32, 32, 3), (10,), max_params=20_000, must_contain=("Conv2D",))


def conv_net(head="pool", units=10, filters=8):
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            L.Conv2D(filters, 3, strides=2, padding="same"),
            L.GlobalAveragePooling2D() if head == "pool" else L.Flatten(),
            L.Dense(units, activation="softmax"),
        ]
    )


def functional():
    x = keras.Input((32, 32, 3))
    y = L.Conv2D(8, 3, strides=2, padding="same")(x)
    return keras.Model(x, L.Dense(10)(L.GlobalMaxPooling2D()(y)))


class Subclassed(keras.Model):
    def __init__(self, units=10):
        super().__init__()
        self.conv = L.Conv2D(8, 3)
        self.pool = L.GlobalMaxPooling2D()
        self.dense = L.Dense(units)

    def call(self, x):
        return self.dense(self.pool(self.conv(x)))


def built(model, shape=(1, 32, 32, 3)):
    model(np.zeros(shape, "float32"))
    return model


def nested():
    inner = keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(8, 3)])
    return keras.Sequential([keras.Input((32, 32, 3)), inner, L.Flatten(), L.Dense(10)])


@pytest.mark.parametrize("make", [conv_net, functional, lambda: built(Subclassed())])
def test_every_kind_of_model_is_judged(make):
    message = correct(SPEC.judge(make()))
    assert (
        "Input (32, 32, 3), output (10,)" in message and "(at most 20,000)" in message
    )


def test_what_is_wrong_with_a_model():
    wrong(SPEC.judge(conv_net("flatten")), "the question asks for at most 20,000")
    wrong(SPEC.judge(conv_net(units=5)), "output shape is (5,)", "Dense layer's units")
    wrong(SPEC.judge(built(Subclassed(5))), "output shape is (5,)")
    wrong(ModelSpec((28, 28, 1), (10,)).judge(conv_net()), "input shape is (32, 32, 3)")
    wrong(
        ModelSpec((32, 32, 3), min_params=10_000).judge(conv_net()), "at least 10,000"
    )
    dense = keras.Sequential([keras.Input((32, 32, 3)), L.Flatten(), L.Dense(10)])
    wrong(
        ModelSpec((32, 32, 3), must_contain=("Conv2D",)).judge(dense), "must use Conv2D"
    )
    assert "Conv2D" in ModelSpec((32, 32, 3), must_contain="Conv2D").must_contain
    correct(ModelSpec((32, 32, 3), (10,), must_contain=("Conv2D",)).judge(nested()))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (keras.Sequential([L.Dense(10)]), "no known input yet"),
        (Subclassed(), "no known input yet"),
        (L.Dense(10), "a single Dense layer, not a model"),
        ([L.Conv2D(8, 3), L.Dense(10)], "a list of layers"),
        ("model", "should be a Keras model"),
        (lambda x: x, "should be a Keras model"),
        (np.zeros((32, 32, 3)), "should be a Keras model"),
    ],
)
def test_what_is_not_a_usable_model_gets_what_to_build(answer, words):
    assert " at 0x" not in wrong(SPEC.judge(answer), words)


def test_a_model_that_raises_or_has_two_outputs_is_feedback():
    class Broken(keras.Model):
        def call(self, x):
            raise RuntimeError("student bug")

    broken = Broken()
    broken.built = True
    wrong(SPEC.judge(broken), "does not take a batch of shape (1, 32, 32, 3)", "bug")
    wrong(ModelSpec((28, 28, 1)).judge(built(Subclassed())), "(1, 28, 28, 1)")
    x = keras.Input((32, 32, 3))
    two = keras.Model(x, [L.Flatten()(x), L.Flatten()(x)])
    wrong(SPEC.judge(two), "exactly one input and one output")
    unanswered(SPEC.judge(...))
    unanswered(SPEC.judge(None))


def test_rules():
    block = ModelSpec((32, 32, 16), (8, 8, 32), rules=(no_pooling, strided_convolution))

    def model(*layers):
        return keras.Sequential([keras.Input((32, 32, 16)), *layers])

    strided = model(
        L.Conv2D(16, 3, strides=2, padding="same"), L.Conv2D(32, 3, 2, "same")
    )
    correct(block.judge(strided))
    pooled = model(L.Conv2D(32, 3, padding="same"), L.MaxPooling2D(4))
    wrong(block.judge(pooled), "uses MaxPooling2D")
    wrong(block.judge(model(L.Conv2D(32, 25))), "No Conv2D layer has a stride above 1")
    lrn_first = ModelSpec((8, 8, 1), rules=(conv_before("ReLU"),))
    wrong(
        lrn_first.judge(
            model_lrn := keras.Sequential(
                [keras.Input((8, 8, 1)), L.ReLU(), L.Conv2D(2, 3)]
            )
        ),
        "Put the ReLU layer after a Conv2D layer",
    )
    assert model_lrn is not None


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"max_params": -1}, "max_params"),
        ({"min_params": 30_000, "max_params": 20_000}, "min_params"),
        ({"input_shape": "32x32x"}, "input_shape"),
        ({"must_contain": [3]}, "must_contain"),
        ({"rules": [3]}, "rules"),
        ({"params": 3}, "params"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs, arg):
    kwargs = {"input_shape": (32, 32, 3), **kwargs}
    with pytest.raises(ValueError, match=f"^{arg}"):
        ModelSpec(**kwargs)


def test_checks_do_not_import_keras_unless_a_model_is_checked():
    code = (
        "import sys; from cnnbook import checks\n"
        "print(checks.keras_model(..., input_shape=(8, 8, 1)))\n"
        "print(checks.ch02.params(903_400))\n"
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Not answered yet:")


def test_the_generic_model_check():
    correct(keras_model(conv_net(), (32, 32, 3), (10,), 20_000, must_contain="Conv2D"))


def test_the_depthwise_then_pointwise_rule():
    unit = ModelSpec((8, 8, 4), (8, 8, 6), rules=(depthwise_then_pointwise,))

    def model(*layers):
        return keras.Sequential([keras.Input((8, 8, 4)), *layers])

    separate = model(L.DepthwiseConv2D(3, padding="same"), L.ReLU(), L.Conv2D(6, 1))
    correct(unit.judge(separate))
    fused = model(L.SeparableConv2D(6, 3, padding="same"))
    wrong(unit.judge(fused), "SeparableConv2D fuses the depthwise and the 1x1 step")
    full = model(L.Conv2D(6, 3, padding="same"))
    wrong(unit.judge(full), "no DepthwiseConv2D")
    first = model(L.Conv2D(6, 1), L.DepthwiseConv2D(3, padding="same"))
    wrong(unit.judge(first), "Follow the DepthwiseConv2D with a 1x1 Conv2D")
    wide = model(L.DepthwiseConv2D(3, padding="same"), L.Conv2D(6, 3, padding="same"))
    wrong(unit.judge(wide), "Follow the DepthwiseConv2D with a 1x1 Conv2D")


class Lying(keras.Model):
    """A subclassed model whose own count is a lie."""

    def __init__(self):
        super().__init__()
        self.conv = L.Conv2D(64, 3)
        self.pool = L.GlobalMaxPooling2D()
        self.dense = L.Dense(10, activation="softmax")

    def call(self, x):
        return self.dense(self.pool(self.conv(x)))

    def count_params(self):
        return 100

    @property
    def weights(self):
        return []


def test_a_model_whose_count_params_lies_is_counted_from_its_weights():
    model = built(Lying())
    true_count = (27 + 1) * 64 + (64 + 1) * 10
    assert count_weights(model) == true_count
    spec = ModelSpec((32, 32, 3), (10,), max_params=1_000)
    wrong(spec.judge(model), f"The model has {true_count:,} parameters")


def test_structure_rules_softmax_order_and_activations():
    probabilities = ModelSpec((32, 32, 3), (10,), rules=(softmax_output,))
    correct(probabilities.judge(conv_net()))
    wrong(probabilities.judge(functional()), "probabilities", "softmax")
    with_layer = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            L.Flatten(),
            L.Dense(10),
            L.Softmax(),
            L.Dropout(0.1),
        ]
    )
    correct(probabilities.judge(with_layer))
    pooled_last = ModelSpec(
        (32, 32, 3), rules=(ends_with_global_pooling("GlobalMaxPooling2D"),)
    )
    correct(pooled_last.judge(functional()))
    wrong(pooled_last.judge(conv_net()), "End the feature extraction with")
    relus = ModelSpec((32, 32, 3), activations=(relu_after_each(("Conv2D",)),))
    wrong(relus.judge(conv_net()), "Follow every Conv2D layer with a ReLU")
    relu_net = keras.Sequential(
        [keras.Input((32, 32, 3)), L.Conv2D(8, 3), L.BatchNormalization(), L.ReLU()]
    )
    correct(relus.judge(relu_net))
    correct(ModelSpec((32, 32, 3), activations=(at_least_relus(1),)).judge(relu_net))
    wrong(
        ModelSpec((32, 32, 3), activations=(at_least_relus(2),)).judge(relu_net),
        "2 ReLUs at least",
    )
    x = keras.Input((8, 8, 4))
    added = L.Add()([L.Conv2D(4, 1)(x), x])
    after_add = ModelSpec((8, 8, 4), activations=(relu_after("Add"),))
    correct(after_add.judge(keras.Model(x, L.Activation("relu")(added))))
    wrong(after_add.judge(keras.Model(x, added)), "ReLU right after the Add")
    with pytest.raises(ValueError, match="^activations must be functions"):
        ModelSpec((8, 8, 4), activations=(3,))
    with pytest.raises(ValueError, match="^strict must be True or False"):
        ModelSpec((8, 8, 4), strict="yes")
