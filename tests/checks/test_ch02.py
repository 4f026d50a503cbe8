"""Chapter 2's questions: the parameters, shapes and memory of the student's
network, with the typical mistakes named (and the chapter's own estimates)."""

import pytest

from cnnbook import calc, checks
from cnnbook.checks import ch02
from cnnbook.checks.reading import round_sig
from cnnbook.papers import SEED_QUESTION
from tests.checks.support import correct, unanswered, wrong

V = ch02.DEFAULT
INPUT = V.input_shape
SAME, VALID = list(V.layers()), list(V.layers("valid"))
PREDICTION = calc.analyze(INPUT, SAME)
TRAINING = calc.analyze(INPUT, SAME, batch_size=V.batch_size)
SHAPES = [line.output_shape for line in PREDICTION.layers]
MB, MIB = 10**6, 2**20


def _mb(nbytes: float, digits: int = 5) -> float:
    return round_sig(nbytes / MB, digits)


def test_the_default_is_not_the_chapters_network():
    assert INPUT != SEED_QUESTION["input_shape"]
    assert V.filters != tuple(SEED_QUESTION["filters"])
    assert ch02.params._spec().expected == PREDICTION.params
    assert ch02.training_mb._spec().expected == TRAINING.training_bytes


def test_parameter_count_and_its_typical_mistakes():
    shown = f"{PREDICTION.params:,}"
    assert shown in correct(ch02.params(PREDICTION.params))
    correct(ch02.valid_params(shown))
    no_bias = PREDICTION.params - sum(layer.filters for layer in SAME)
    wrong(ch02.params(no_bias), "leaves out the biases")
    no_depth = sum((V.kernel**2 + 1) * layer.filters for layer in SAME)
    wrong(ch02.params(no_depth), "spans every channel")
    wrong(ch02.params(PREDICTION.layers[-1].params), "count of a single layer")
    wrong(ch02.params(round_sig(PREDICTION.params, 3)), "looks rounded")
    wrong(ch02.params(PREDICTION.params + 1), "too high", "input channels + 1 bias")
    wrong(ch02.params(PREDICTION.params / 1000), "count in thousands")
    unanswered(ch02.params(...))


def test_output_shapes_and_their_typical_mistakes():
    correct(ch02.shapes(SHAPES))
    h, w, c = SHAPES[-1]
    correct(ch02.shapes([list(SHAPES[0]), (None, *SHAPES[1]), f"{h}x{w}x{c}"]))
    floor = [
        line.output_shape
        for line in calc.analyze(
            INPUT, [calc.Conv2D(f, V.stride, strides=V.stride) for f in V.filters]
        ).layers
    ]
    assert floor != SHAPES  # the default has a size the stride does not divide
    message = wrong(ch02.shapes(floor), "rounds up")
    assert str(SHAPES[-1]) not in message, "feedback must not give the answer away"
    assert not any(str(n) in message for n in (h, w)), "nor a number of it"
    swapped = [(SHAPES[0][1], SHAPES[0][0], SHAPES[0][2]), *SHAPES[1:]]
    wrong(ch02.shapes(swapped), "Layer 1", "swapped")
    wrong(ch02.shapes([*SHAPES[:2], (h, w, c // 2)]), "one feature map per filter")
    wrong(ch02.valid_shapes(SHAPES), "other padding rule")
    wrong(ch02.shapes(SHAPES[:2]), "network has 3 layers")
    wrong(ch02.shapes("shapes"), "one shape per layer")
    unanswered(ch02.shapes([SHAPES[0], ..., None]))


def test_prediction_memory_right_answers():
    exact = PREDICTION.inference_bytes
    for answer in (exact / MB, f"{exact / MB:.4g} MB", f"{exact / MIB:.5g} MiB"):
        correct(ch02.prediction_mb(answer))
    correct(ch02.prediction_mb(f"{exact} bytes"))


def test_prediction_memory_mistakes():
    r = PREDICTION
    maps = r.activation_bytes
    wrong(
        ch02.prediction_mb(_mb(r.param_bytes + maps)),
        "the chapter's 'sum every layer's maps' estimate",
    )
    wrong(
        ch02.prediction_mb(_mb(r.param_bytes + r.input_bytes + maps)),
        "added up the input and every layer's feature maps",
    )
    wrong(ch02.prediction_mb(_mb(r.inference_bytes - r.param_bytes)), "parameters")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes * 8)), "1 byte = 8 bits")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes / 4)), "counts values, not bytes")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes / 2)), "2 bytes per value (float16)")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes / MIB * MB)), "MiB, not in MB")
    half = calc.analyze(INPUT, SAME, dtype="float16").inference_bytes
    correct(ch02.prediction_mb_16(_mb(half)))
    wrong(ch02.prediction_mb_16(_mb(half * 2)), "float16 takes 2 bytes per value")


@pytest.mark.parametrize("digits", [1, 2])
def test_a_rounded_megabyte_count_is_asked_for_more_digits(digits):
    answer = round_sig(PREDICTION.inference_bytes / MB, digits)
    message = wrong(ch02.prediction_mb(answer), "significant digit")
    assert "MiB, not in MB" not in message


def test_training_memory_is_told_apart_from_every_slip():
    r = TRAINING
    correct(ch02.training_mb(_mb(r.training_bytes)))
    correct(ch02.training_mb(f"{r.training_bytes} bytes"))
    correct(ch02.training_mb(f"{r.training_bytes / MIB:.5g} MiB"))
    wrong(ch02.training_mb(_mb(r.training_bytes - r.input_bytes)), "input batch")
    wrong(ch02.training_mb(_mb(r.activation_bytes)), "the parameters and the input")
    wrong(ch02.training_mb(_mb(r.inference_bytes)), "That is the prediction figure")
    one_image = calc.analyze(INPUT, SAME).training_bytes
    wrong(ch02.training_mb(_mb(one_image)), "figure for one image")
    extra = (V.batch_size - 1) * r.param_bytes
    wrong(ch02.training_mb(_mb(r.training_bytes + extra)), "stored once")
    wrong(ch02.training_mb(round(r.training_bytes / MIB, 2)), "in MiB, not in MB")
    wrong(ch02.training_mb(10 * _mb(r.training_bytes)), "too high", "each image")
    valid = calc.analyze(INPUT, VALID, batch_size=V.batch_size).training_bytes
    correct(ch02.valid_training_mib(valid / MIB))
    wrong(ch02.valid_training_mib(_mb(valid)), "right amount in MB, not in MiB")
    wrong(ch02.valid_training_mib(r.training_bytes / MIB), "padding")


def test_a_key_that_rounds_or_floors_a_shape_is_not_correct():
    """The chapter's slips move the figure by a few tenths of a percent to a
    percent or two: the 0.1% tolerance tells each of them apart."""
    floor = [calc.Conv2D(f, V.stride, strides=V.stride) for f in V.filters]
    floored = calc.analyze(INPUT, floor, batch_size=V.batch_size)
    slipped = TRAINING.param_bytes + floored.training_bytes - floored.param_bytes
    assert abs(slipped / TRAINING.training_bytes - 1) > 0.002
    wrong(ch02.training_mb(_mb(slipped, 4)), "rounds up")
    key = round(TRAINING.training_bytes / MB * 0.998, 1)  # rounded per layer first
    assert not ch02.training_mb(key).correct


def test_spec_builders_take_any_stack_and_refuse_bad_setups():
    spec = ch02.training_memory_spec(INPUT, SAME, 50, unit="MiB", rel_tol=0.001)
    assert (spec.unit, spec.rel_tol) == ("MiB", 0.001)
    with pytest.raises(ValueError, match="layers must contain at least one layer"):
        ch02.parameter_count_spec(INPUT, [])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        ch02.training_memory_spec(INPUT, SAME, batch_size=0)
    with pytest.raises(ValueError, match="dtype must be one of"):
        ch02.prediction_memory_spec(INPUT, SAME, dtype="float17")
    with pytest.raises(ValueError, match="^unit must be one of"):
        ch02.prediction_memory_spec(INPUT, SAME, unit="bits")


def test_alive_and_the_model():
    import keras

    correct(ch02.alive("b"))
    wrong(ch02.alive("c"), "That is what training keeps")
    layers = [
        keras.Input(V.model_input),
        keras.layers.Conv2D(16, 3, strides=2, padding="same"),
        keras.layers.GlobalAveragePooling2D(),
    ]
    correct(
        ch02.model(
            keras.Sequential(
                [*layers, keras.layers.Dense(V.classes, activation="softmax")]
            )
        )
    )
    wrong(
        ch02.model(keras.Sequential([*layers, keras.layers.Dense(V.classes)])),
        "probabilities",
    )
    assert checks.ch02.model is ch02.model
