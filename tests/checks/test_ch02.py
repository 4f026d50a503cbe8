"""Chapter 2's questions: the parameters, shapes and memory of the chapter's
network, with the typical mistakes named (and the chapter's own estimates)."""

import pytest

from cnnbook import calc, checks
from cnnbook.checks import ch02
from tests.checks.support import correct, unanswered, wrong

INPUT = (200, 300, 3)
SAME = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
VALID = [calc.Conv2D(f, 3, strides=2, padding="valid") for f in (100, 200, 400)]
PREDICTION = calc.analyze(INPUT, SAME)
TRAINING = calc.analyze(INPUT, SAME, batch_size=50)
SHAPES = [line.output_shape for line in PREDICTION.layers]
MB, MIB = 10**6, 2**20


def _mb(nbytes: float) -> float:
    return round(nbytes / MB, 2)


def test_the_seed_figures_the_questions_rely_on():
    assert ch02.params.spec().expected == PREDICTION.params == 903_400
    assert SHAPES == [(100, 150, 100), (50, 75, 200), (25, 38, 400)]
    assert (
        ch02.prediction_mb.spec().expected == PREDICTION.inference_bytes == 12_613_600
    )
    assert ch02.training_mb.spec().expected == TRAINING.training_bytes == 565_613_600


def test_parameter_count_and_its_typical_mistakes():
    assert "903,400" in correct(ch02.params(PREDICTION.params))
    correct(ch02.valid_params("903,400"))
    no_bias = PREDICTION.params - sum(layer.filters for layer in SAME)
    wrong(ch02.params(no_bias), "leaves out the biases")
    no_depth = sum((9 + 1) * layer.filters for layer in SAME)
    wrong(ch02.params(no_depth), "spans every channel")
    wrong(ch02.params(PREDICTION.layers[-1].params), "count of a single layer")
    wrong(ch02.params(903_000), "looks rounded: give the exact number")
    wrong(ch02.params(PREDICTION.params + 1), "too high", "input channels + 1 bias")
    wrong(ch02.params(903.4), "count in thousands")
    unanswered(ch02.params(...))


def test_output_shapes_and_their_typical_mistakes():
    correct(ch02.shapes(SHAPES))
    correct(ch02.shapes([[100, 150, 100], (None, 50, 75, 200), "25x38x400"]))
    floor = [(100, 150, 100), (50, 75, 200), (25, 37, 400)]
    message = wrong(
        ch02.shapes(floor), "The first 2 shapes are right", "layer 3", "rounds up"
    )
    assert "(25, 38, 400)" not in message, "feedback must not give the answer away"
    wrong(ch02.shapes([(150, 100, 100), *SHAPES[1:]]), "Layer 1", "swapped")
    wrong(ch02.shapes([*SHAPES[:2], (25, 38, 200)]), "one feature map per filter")
    wrong(ch02.valid_shapes(SHAPES), "other padding rule")
    wrong(ch02.shapes(SHAPES[:2]), "network has 3 layers")
    wrong(ch02.shapes("shapes"), "one shape per layer")
    unanswered(ch02.shapes([SHAPES[0], ..., None]))


@pytest.mark.parametrize(
    "answer", [12.6, "12.6 MB", "12.61", "12 MiB", "12613600 bytes", "12,613.6 kB"]
)
def test_prediction_memory_right_answers(answer):
    correct(ch02.prediction_mb(answer))


def test_prediction_memory_mistakes():
    r = PREDICTION
    maps = r.activation_bytes
    wrong(
        ch02.prediction_mb(_mb(r.param_bytes + maps)),
        "the chapter's 'sum every layer's maps' estimate",
    )
    wrong(ch02.prediction_mb("14.1 MB"), "'sum every layer's maps' estimate")
    wrong(
        ch02.prediction_mb(_mb(r.param_bytes + r.input_bytes + maps)),
        "added up the input and every layer's feature maps",
    )
    wrong(ch02.prediction_mb(_mb(r.inference_bytes - r.param_bytes)), "parameters")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes * 8)), "1 byte = 8 bits")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes / 4)), "counts values, not bytes")
    wrong(ch02.prediction_mb(_mb(r.inference_bytes / 2)), "2 bytes per value (float16)")
    wrong(ch02.prediction_mb(12.03), "right amount in MiB, not in MB")
    half = calc.analyze(INPUT, SAME, dtype="float16").inference_bytes
    correct(ch02.prediction_mb_16(_mb(half)))
    wrong(ch02.prediction_mb_16(_mb(half * 2)), "float16 takes 2 bytes per value")


@pytest.mark.parametrize("answer", ["12 MB", "12", 12, 13])
def test_twelve_megabytes_is_not_told_it_is_mebibytes(answer):
    message = wrong(ch02.prediction_mb(answer), "give at least 3 significant digits")
    assert "MiB, not in MB" not in message


def test_training_memory_mistakes():
    r = TRAINING
    correct(ch02.training_mb(_mb(r.training_bytes)))
    correct(ch02.training_mb("565613600 bytes"))
    correct(ch02.training_mb(f"{r.training_bytes / MIB:.1f} MiB"))
    correct(ch02.training_mb(564.6))  # the answer key that rounds first: within 1%
    wrong(ch02.training_mb(_mb(r.training_bytes - r.input_bytes)), "input batch")
    wrong(ch02.training_mb(_mb(r.activation_bytes)), "the parameters and the input")
    wrong(ch02.training_mb(_mb(r.inference_bytes)), "That is the prediction figure")
    one_image = calc.analyze(INPUT, SAME).training_bytes
    wrong(ch02.training_mb(_mb(one_image)), "figure for one image")
    wrong(ch02.training_mb(_mb(r.training_bytes + 49 * r.param_bytes)), "stored once")
    wrong(ch02.training_mb(round(r.training_bytes / MIB, 1)), "in MiB, not in MB")
    wrong(ch02.training_mb(10 * _mb(r.training_bytes)), "too high", "each image")
    valid = calc.analyze(INPUT, VALID, batch_size=50).training_bytes
    correct(ch02.valid_training_mib(valid / MIB))
    wrong(ch02.valid_training_mib(_mb(valid)), "right amount in MB, not in MiB")
    wrong(ch02.valid_training_mib(_mb(TRAINING.training_bytes) / 1.048576), "padding")


def test_spec_builders_take_any_stack_and_refuse_bad_setups():
    spec = ch02.training_memory_spec(INPUT, SAME, 50, unit="MiB", rel_tol=0.001)
    assert (spec.unit, spec.rel_tol) == ("MiB", 0.001)
    wrong(
        spec.judge(_mb(TRAINING.training_bytes - TRAINING.param_bytes) / 1.048576),
        "leaves out the parameters",
    )
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
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Conv2D(16, 3, strides=2, padding="same"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10),
        ]
    )
    correct(ch02.model(model))
    assert checks.ch02.model is ch02.model
