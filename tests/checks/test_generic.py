"""Exercise checks: right answers pass, typical mistakes get their hint, unanswered
questions say so, units are read as stated, and instructor misuse is a ValueError."""

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import calc, checks
from tests.checks.support import correct, status, unanswered, wrong
from tests.conftest import REPO, examples

INPUT = (200, 300, 3)
SAME = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
VALID = [calc.Conv2D(f, 3, strides=2, padding="valid") for f in (100, 200, 400)]
PREDICTION = calc.analyze(INPUT, SAME)
TRAINING = calc.analyze(INPUT, SAME, batch_size=50)
SHAPES = [line.output_shape for line in PREDICTION.layers]
MB, MIB = 10**6, 2**20


# --------------------------------------------------------------------------- feedback
def test_feedback_prints_its_message_with_a_fixed_prefix():
    feedback = checks.number(42, 42)
    assert feedback and feedback.correct and repr(feedback).startswith("Correct: ")
    assert not checks.number(41, 42)
    assert repr(checks.number(41, 42)).startswith("Not quite: ")
    assert repr(checks.number(..., 42)).startswith("Not answered yet: ")
    with pytest.raises(ValueError, match="status must be one of"):
        checks.Feedback("maybe", "text")


# --------------------------------------------------------------------------- number
@pytest.mark.parametrize("answer", [903_400, 903400.0, "903,400", "903 400", "903_400"])
def test_number_reads_counts_written_in_many_ways(answer):
    correct(checks.number(answer, 903_400))


def test_number_tolerance_mistakes_and_scale_hints():
    correct(checks.number(3.14, 3.14159, rel_tol=0.01))
    wrong(checks.number(3.0, 3.14159, rel_tol=0.01), "too low")
    wrong(
        checks.number(7, 6, mistakes=[(7, "Off by one: count the edges.")]),
        "Off by one: count the edges.",
    )
    wrong(checks.number(903.4, 903_400), "count in thousands")
    wrong(checks.number(0.9034, 903_400), "count in millions")
    wrong(checks.number("lots", 903_400), "should be a number")
    wrong(checks.number(True, 1), "should be a number")
    unanswered(checks.number(..., 1))
    unanswered(checks.number(None, 1))


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"rel_tol": -0.1}, "rel_tol"),
        ({"rel_tol": 1.5}, "rel_tol"),
        ({"expected": "12"}, "expected"),
        ({"mistakes": [3]}, "mistakes"),
    ],
)
def test_number_refuses_bad_instructor_arguments(kwargs, arg):
    kwargs = {"expected": 12, **kwargs}
    with pytest.raises(ValueError, match=f"^{arg}"):
        checks.number(12, **kwargs)


# --------------------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("answer", "value", "unit"),
    [
        (12.6, 12.6 * MB, "MB"),
        ("12.6", 12.6 * MB, "MB"),
        ("12.6 MB", 12.6 * MB, "MB"),
        ("12.6mb", 12.6 * MB, "MB"),
        ("12,6 MB", 12.6 * MB, "MB"),
        ("12 MiB", 12 * MIB, "MiB"),
        ("565613600 bytes", 565_613_600, "bytes"),
        ("565,613,600 B", 565_613_600, "bytes"),
        ("5.656e8 bytes", 5.656e8, "bytes"),
        ("12613.6 kB", 12_613_600, "kB"),
        ("0.5 GiB", 2**29, "GiB"),
        ("100 Mbit", 12.5 * MB, "Mbit"),
        ("8 bits", 1, "bits"),
    ],
)
def test_quantities_are_read_in_the_stated_unit(answer, value, unit):
    got, understood, _ = checks.parse_quantity(answer, "MB")
    assert got == pytest.approx(value) and understood == unit


@pytest.mark.parametrize("answer", ["12.6 furlongs", "MB", "1,2,3 MB", [12.6]])
def test_unreadable_quantities_are_feedback_not_errors(answer):
    with pytest.raises(ValueError):
        checks.parse_quantity(answer, "MB")
    hint = "Could not read" if isinstance(answer, str) else "Expected a number"
    wrong(checks.quantity(answer, 12.6 * MB, "MB"), hint)


def test_quantity_says_which_unit_it_understood():
    assert "read in MB (megabytes, 10^6 bytes)" in correct(
        checks.quantity(12.6, 12_613_600, "MB")
    )
    assert "read as 12 MiB (mebibytes, 2^20 bytes)" in correct(
        checks.quantity("12 MiB", 12_613_600, "MB")
    )
    assert "read as 12,613,600 bytes" in correct(
        checks.quantity("12613600 bytes", 12_613_600, "MB")
    )
    wrong(checks.quantity(12.03, 12_613_600, "MB"), "right amount in MiB, not in MB")
    wrong(
        checks.quantity("12.61 MiB", 12_613_600, "MB"), "right amount in MB, not in MiB"
    )
    wrong(
        checks.quantity(12_613_600, 12_613_600, "MB"),
        "right amount in bytes: convert it to MB",
    )
    wrong(checks.quantity(15, 12_613_600, "MB", rel_tol=0.05), "more than 5% too high")


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"unit": "furlongs"}, "unit"),
        ({"unit": "bits"}, "unit"),
        ({"unit": None}, "unit"),
        ({"rel_tol": -0.01}, "rel_tol"),
    ],
)
def test_quantity_refuses_bad_instructor_arguments(kwargs, arg):
    with pytest.raises(ValueError, match=f"^{arg} must be"):
        checks.quantity(12.6, 12_613_600, **kwargs)
    with pytest.raises(ValueError, match=f"^{arg} must be"):
        checks.ch02.prediction_memory(12.6, INPUT, SAME, **kwargs)


# --------------------------------------------------------------------------- parameters


# --------------------------------------------------------------------------- shapes


def test_shape_check():
    correct(checks.shape((None, 25, 38, 400), (25, 38, 400)))
    wrong(checks.shape((38, 25, 400), (25, 38, 400)), "swapped")
    wrong(checks.shape((25, 38), (25, 38, 400)), "has 3 axes")
    wrong(checks.shape("25x38", (25, 38, 400)), "tuple of integers")
    unanswered(checks.shape((25, ..., 400), (25, 38, 400)))
    with pytest.raises(ValueError, match="^expected must be a tuple"):
        checks.shape((1,), (0, 2))


# --------------------------------------------------------------------------- memory


# --------------------------------------------------------------------------- choice
def test_choice():
    hints = {"c": "That is what training keeps."}

    def check(answer):
        return checks.choice(answer, correct="b", options="abcd", hints=hints)

    for answer in ("b", "B", "(b)", " b. ", ["b"]):
        assert "(b) is right" in correct(check(answer))
    wrong(check("c"), "(c) is not right.", "That is what training keeps.")
    wrong(check("a"), "(a) is not right.")
    wrong(check("e"), "not one of the options a, b, c, d")
    wrong(check("a, b"), "exactly one")
    wrong(check(2), "letter of an option")
    unanswered(check(...))
    unanswered(check(""))


def test_choice_with_several_right_options():
    def check(answer):
        return checks.choice(answer, correct=["a", "c"], options=["a", "b", "c"])

    correct(check("a, c"))
    correct(check(["C", "a"]))
    wrong(check("a"), "1 more option is right")
    wrong(check("a b c"), "(b) is not right")


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"correct": "e"}, "correct"),
        ({"options": "a"}, "options"),
        ({"options": "aab"}, "options"),
        ({"hints": {"z": "?"}}, "hints"),
    ],
)
def test_choice_refuses_bad_instructor_arguments(kwargs, arg):
    kwargs = {"correct": "b", "options": "abcd", **kwargs}
    with pytest.raises(ValueError, match=f"^{arg}"):
        checks.choice("b", **kwargs)


# --------------------------------------------------------------------------- Keras
def test_checks_do_not_import_keras_unless_a_model_is_checked():
    code = (
        "import sys; from cnnbook import checks\n"
        "print(checks.keras_model(..., input_shape=(8, 8, 1)))\n"
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


def test_keras_model():
    import keras

    def conv_net(dense_input="pool", units=10, filters=8):
        return keras.Sequential(
            [
                keras.Input(shape=(32, 32, 3)),
                keras.layers.Conv2D(filters, 3, strides=2, padding="same"),
                keras.layers.GlobalAveragePooling2D()
                if dense_input == "pool"
                else keras.layers.Flatten(),
                keras.layers.Dense(units, activation="softmax"),
            ]
        )

    def check(model, **kwargs):
        kwargs = {
            "input_shape": (32, 32, 3),
            "output_shape": (10,),
            "max_params": 20_000,
            "must_contain": ["Conv2D"],
            **kwargs,
        }
        return checks.keras_model(model, **kwargs)

    message = correct(check(conv_net()))
    assert "Input (32, 32, 3), output (10,)" in message and "(budget 20,000)" in message
    wrong(check(conv_net("flatten")), "over the budget of 20,000")
    wrong(check(conv_net(units=5)), "output shape is (5,)")
    wrong(check(conv_net(), input_shape=(28, 28, 1)), "input shape is (32, 32, 3)")
    wrong(check(conv_net(), min_params=10_000), "at least 10,000")
    dense_only = keras.Sequential(
        [keras.Input(shape=(32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    wrong(check(dense_only, max_params=None), "must use Conv2D")
    wrong(check(keras.Sequential([keras.layers.Dense(10)])), "keras.Input")
    wrong(check("model"), "should be a Keras model")
    unanswered(check(...))
    with pytest.raises(ValueError, match="^max_params must be"):
        check(conv_net(), max_params=-1)
    with pytest.raises(ValueError, match="^min_params must not exceed"):
        check(conv_net(), min_params=30_000)
    with pytest.raises(ValueError, match="^input_shape must be"):
        check(conv_net(), input_shape="32x32")


# --------------------------------------------------------------------------- robustness
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")  # a memory address, not a student's '0X'
ANSWERS = st.one_of(
    st.none(),
    st.just(...),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        ["0\n0", "0X", "12\nMB", "1" + "0" * 400, "\u0663", "\uff11\uff12"]
    ),
    st.just(10**400),
    st.builds(lambda n: np.arange(n), st.integers(0, 3)),
    st.lists(st.integers(-5, 500), max_size=4),
    st.lists(st.tuples(st.integers(-5, 500), st.integers(0, 500)), max_size=4),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@settings(max_examples=examples(150))
@given(answer=ANSWERS)
def test_no_student_answer_makes_a_check_raise(answer):
    results = [
        checks.ch02.parameter_count(answer, INPUT, SAME),
        checks.ch02.output_shapes(answer, INPUT, SAME),
        checks.ch02.prediction_memory(answer, INPUT, SAME),
        checks.ch02.training_memory(answer, INPUT, SAME, batch_size=50, unit="MiB"),
        checks.choice(answer, correct="b", options="abcd"),
        checks.number(answer, 1.5, rel_tol=0.1),
        checks.shape(answer, (2, 3)),
    ]
    for feedback in results:
        assert status(feedback) in checks.PREFIXES
        assert not ADDRESS.search(feedback.message), feedback.message  # no ids
        assert "\n" not in feedback.message
