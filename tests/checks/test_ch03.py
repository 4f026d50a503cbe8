"""Chapter 3's exercise checks: right answers pass, typical slips get their hint."""

import pytest

from cnnbook.checks import ch03 as checks_memory
from cnnbook.science import memory_plan as mp


@pytest.fixture(scope="module")
def report():
    return mp.resnet_report(50)


def test_step_memory_right_answers(report):
    step = mp.step_memory(report, 32)
    assert checks_memory.step_memory(step.total / 1e9, report, 32).correct
    assert checks_memory.step_memory(f"{step.total / 1e6:.0f} MB", report, 32).correct
    mixed = mp.step_memory(report, 32, precision="mixed_float16")
    assert checks_memory.step_memory(
        mixed.total / 1e9, report, 32, precision="mixed_float16"
    ).correct
    assert checks_memory.step_memory(..., report, 32).status == "unanswered"


@pytest.mark.parametrize(
    "wrong, setup, hint",
    [
        (
            lambda s: s.total - s.gradients - s.optimizer_state,
            {},
            "gradients and the optimizer state are missing",
        ),
        (lambda s: s.total - s.gradients, {}, "as large as the parameters is missing"),
        (lambda s: s.total - s.activations + s.activations // 32, {}, "one image only"),
        (lambda s: s.total + 31 * s.fixed, {}, "stored once, not once per image"),
        (
            lambda s: s.total + s.parameters,
            {"optimizer": "momentum"},
            "momentum keeps 1 value per parameter",
        ),
    ],
)
def test_step_memory_slips(report, wrong, setup, hint):
    step = mp.step_memory(report, 32, **setup)
    feedback = checks_memory.step_memory(wrong(step) / 1e9, report, 32, **setup)
    assert feedback.status == "incorrect" and hint in feedback.message


def test_mixed_precision_and_checkpointing_slips(report):
    pure = mp.step_memory(report, 32, precision="float16").total
    fb = checks_memory.step_memory(pure / 1e9, report, 32, precision="mixed_float16")
    assert "float32" in fb.message and not fb
    plain = mp.step_memory(report, 32).total
    fb = checks_memory.step_memory(plain / 1e9, report, 32, checkpointing=True)
    assert "with checkpointing only" in fb.message
    whole = mp.step_memory(report, 128).total + 4 * report.params
    fb = checks_memory.step_memory(whole / 1e9, report, 128, accumulation_steps=4)
    assert "one micro-batch" in fb.message


def test_largest_batch(report):
    setup = {"precision": "mixed_float16"}
    best = mp.largest_batch(report, 24e9, 1e9, **setup)
    assert checks_memory.largest_batch(best, report, 24e9, 1e9, **setup).correct
    fb = checks_memory.largest_batch(best + 1, report, 24e9, 1e9, **setup)
    assert "One image too many" in fb.message
    no_reserve = mp.largest_batch(report, 24e9, 0, **setup)
    fb = checks_memory.largest_batch(no_reserve, report, 24e9, 1e9, **setup)
    assert "reserve is not subtracted" in fb.message
    pure = mp.largest_batch(report, 24e9, 1e9, precision="float16")
    fb = checks_memory.largest_batch(pure, report, 24e9, 1e9, **setup)
    assert "float32" in fb.message
    assert checks_memory.largest_batch(None, report, 24e9).status == "unanswered"


def test_instructor_arguments_are_checked(report):
    with pytest.raises(ValueError, match="precision must be one of"):
        checks_memory.step_memory(1.0, report, 32, precision="int4")
    with pytest.raises(ValueError, match="unit must be one of"):
        checks_memory.step_memory(1.0, report, 32, unit="parsecs")
    with pytest.raises(ValueError, match="memory_bytes must be"):
        checks_memory.largest_batch(1, report, -5)
