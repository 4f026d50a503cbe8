"""Chapter 2's checks: parameters, output shapes and memory of a conv stack, with
the typical mistakes named."""

import pytest

from cnnbook import calc, checks
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


def test_the_seed_figures_the_notebook_relies_on():
    assert PREDICTION.params == 903_400
    assert SHAPES == [(100, 150, 100), (50, 75, 200), (25, 38, 400)]
    assert PREDICTION.inference_bytes == 12_613_600
    assert TRAINING.training_bytes == 565_613_600


def test_parameter_count_and_its_typical_mistakes():
    assert "903,400" in correct(
        checks.ch02.parameter_count(PREDICTION.params, INPUT, SAME)
    )
    correct(checks.ch02.parameter_count("903,400", INPUT, VALID))
    no_bias = PREDICTION.params - sum(layer.filters for layer in SAME)
    wrong(checks.ch02.parameter_count(no_bias, INPUT, SAME), "leaves out the biases")
    no_depth = sum((9 + 1) * layer.filters for layer in SAME)
    wrong(checks.ch02.parameter_count(no_depth, INPUT, SAME), "spans every channel")
    last = PREDICTION.layers[-1].params
    wrong(checks.ch02.parameter_count(last, INPUT, SAME), "count of a single layer")
    wrong(
        checks.ch02.parameter_count(PREDICTION.params + 1, INPUT, SAME),
        "too high",
        "input channels + 1 bias",
    )
    unanswered(checks.ch02.parameter_count(..., INPUT, SAME))


def test_domain_checks_pass_calc_errors_on_as_value_errors():
    with pytest.raises(ValueError, match="layers must contain at least one layer"):
        checks.ch02.parameter_count(1, INPUT, [])
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        checks.ch02.training_memory(1, INPUT, SAME, batch_size=0)
    with pytest.raises(ValueError, match="dtype must be one of"):
        checks.ch02.prediction_memory(1, INPUT, SAME, dtype="float17")


def test_output_shapes_and_their_typical_mistakes():
    correct(checks.ch02.output_shapes(SHAPES, INPUT, SAME))
    correct(
        checks.ch02.output_shapes(
            [[100, 150, 100], (None, 50, 75, 200), (25, 38, 400)], INPUT, SAME
        )
    )
    floor = [(100, 150, 100), (50, 75, 200), (25, 37, 400)]
    message = wrong(
        checks.ch02.output_shapes(floor, INPUT, SAME),
        "The first 2 shapes are right",
        "layer 3",
        "SAME padding rounds up",
    )
    assert "(25, 38, 400)" not in message, "feedback must not give the answer away"
    swapped = [(150, 100, 100), *SHAPES[1:]]
    wrong(checks.ch02.output_shapes(swapped, INPUT, SAME), "Layer 1", "swapped")
    channels = [*SHAPES[:2], (25, 38, 200)]
    wrong(
        checks.ch02.output_shapes(channels, INPUT, SAME), "one feature map per filter"
    )
    wrong(checks.ch02.output_shapes(SHAPES, INPUT, VALID), "other padding rule")
    wrong(checks.ch02.output_shapes(SHAPES[:2], INPUT, SAME), "network has 3 layers")
    wrong(
        checks.ch02.output_shapes((100, 150, 100), INPUT, SAME), "a tuple of integers"
    )
    wrong(checks.ch02.output_shapes("shapes", INPUT, SAME), "one shape per layer")
    unanswered(checks.ch02.output_shapes(..., INPUT, SAME))
    unanswered(checks.ch02.output_shapes([SHAPES[0], ..., None], INPUT, SAME))


@pytest.mark.parametrize("answer", [12.6, "12.6 MB", "12 MiB", "12613600 bytes"])
def test_prediction_memory_right_answers(answer):
    correct(checks.ch02.prediction_memory(answer, INPUT, SAME, unit="MB"))


def test_prediction_memory_mistakes():
    r = PREDICTION

    def check(answer, **kwargs):
        return checks.ch02.prediction_memory(answer, INPUT, SAME, **kwargs)

    every_map = r.param_bytes + r.input_bytes + r.activation_bytes
    wrong(
        check(_mb(every_map)),
        "added up every layer's feature maps",
        "only a layer's input and output must be alive at once",
    )
    wrong(check(_mb(r.inference_bytes - r.param_bytes)), "leaves out the parameters")
    wrong(check(_mb(r.inference_bytes * 8)), "bits", "1 byte = 8 bits")
    wrong(
        check(_mb(r.inference_bytes / 4)),
        "counts values, not bytes",
        "each float32 value takes 4 bytes",
    )
    wrong(check(_mb(r.inference_bytes / 2)), "2 bytes per value (float16)")
    wrong(check(round(r.inference_bytes / MIB, 2)), "right amount in MiB, not in MB")
    half = calc.analyze(INPUT, SAME, dtype="float16").inference_bytes
    correct(check(_mb(half), dtype="float16"))
    wrong(check(_mb(half * 2), dtype="float16"), "float16 takes 2 bytes per value")
    unanswered(check(...))


def test_training_memory_mistakes():
    r = TRAINING

    def check(answer, **kwargs):
        return checks.ch02.training_memory(answer, INPUT, SAME, batch_size=50, **kwargs)

    correct(check(_mb(r.training_bytes)))
    correct(check("565613600 bytes"))
    correct(check(f"{r.training_bytes / MIB:.1f} MiB"))
    # the parameters are under 1% of this total: only a tighter tolerance sees them
    correct(check(_mb(r.training_bytes - r.param_bytes)))
    wrong(
        check(_mb(r.training_bytes - r.param_bytes), rel_tol=0.001),
        "leaves out the parameters",
    )
    wrong(check(_mb(r.training_bytes - r.input_bytes)), "leaves out the input batch")
    wrong(check(_mb(r.activation_bytes)), "the parameters and the input batch")
    wrong(
        check(_mb(r.inference_bytes)),
        "That is the prediction figure",
        "Training keeps every layer's output",
    )
    one_image = calc.analyze(INPUT, SAME).training_bytes
    wrong(check(_mb(one_image)), "figure for one image")
    wrong(check(_mb(r.training_bytes + 49 * r.param_bytes)), "stored once")
    wrong(check(round(r.training_bytes / MIB, 1)), "right amount in MiB, not in MB")
    wrong(check(_mb(r.training_bytes * 8)), "1 byte = 8 bits")
    wrong(
        check(10 * _mb(r.training_bytes)),
        "too high",
        "every layer's output for each image of the batch",
    )
    unanswered(check(None))


def test_padding_mistakes_in_memory_answers():
    valid = calc.analyze(INPUT, VALID)
    same_sizes = calc.analyze(INPUT, SAME)
    correct(checks.ch02.prediction_memory(_mb(valid.inference_bytes), INPUT, VALID))
    wrong(
        checks.ch02.prediction_memory(_mb(same_sizes.inference_bytes), INPUT, VALID),
        "other padding rule",
    )
