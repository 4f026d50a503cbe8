"""Chapter 3's questions: right answers pass, typical slips get their hint."""

import pytest

from cnnbook.checks import ch03
from cnnbook.science import memory_plan as mp
from tests.checks.support import correct, unanswered, wrong


@pytest.fixture(scope="module")
def report():
    return mp.resnet_report(50)


def test_step_memory_right_answers(report):
    step = mp.step_memory(report, 32)
    correct(ch03.adam_gb(step.total / 1e9))
    correct(ch03.adam_gb(f"{step.total / 1e6:.0f} MB"))
    mixed = mp.step_memory(report, 32, precision="mixed_float16")
    correct(ch03.mixed_gb(mixed.total / 1e9))
    unanswered(ch03.adam_gb(...))


@pytest.mark.parametrize(
    ("question", "slip", "hint"),
    [
        (
            "adam_gb",
            lambda s: s.total - s.gradients - s.optimizer_state,
            "gradients and",
        ),
        ("adam_gb", lambda s: s.total - s.gradients, "as large as the parameters"),
        (
            "adam_gb",
            lambda s: s.total - s.activations + s.activations // 32,
            "one image",
        ),
        (
            "adam_gb",
            lambda s: s.total + 31 * s.fixed,
            "stored once, not once per image",
        ),
        ("momentum_gb", lambda s: s.total + s.parameters, "momentum keeps 1 value per"),
    ],
)
def test_step_memory_slips(report, question, slip, hint):
    setup = {"optimizer": "momentum"} if question == "momentum_gb" else {}
    step = mp.step_memory(report, 32, **setup)
    wrong(getattr(ch03, question)(slip(step) / 1e9), hint)


def test_mixed_precision_and_accumulation_slips(report):
    pure = mp.step_memory(report, 32, precision="float16").total
    wrong(ch03.mixed_gb(pure / 1e9), "float32")
    whole = mp.step_memory(report, 128).total + 4 * report.params
    wrong(ch03.accumulated_gb(whole / 1e9), "one micro-batch")
    plain = mp.step_memory(report, 32).total
    spec = ch03.step_memory_spec(report, 32, checkpointing=True)
    wrong(spec.judge(plain / 1e9), "with checkpointing only")


def test_largest_batch(report):
    setup = {"precision": "mixed_float16"}
    best = mp.largest_batch(report, 24e9, 1e9, **setup)
    correct(ch03.largest(best))
    wrong(ch03.largest(best + 1), "One image too many")
    wrong(ch03.largest(mp.largest_batch(report, 24e9, 0, **setup)), "reserve")
    wrong(
        ch03.largest(mp.largest_batch(report, 24e9, 1e9, precision="float16")),
        "float32",
    )
    unanswered(ch03.largest(None))


def test_checkpointing_questions():
    correct(ch03.segments(8))
    correct(ch03.segments("8"))
    wrong(ch03.segments(64), "one segment per layer")
    correct(ch03.kept_values(15_000_000))
    correct(ch03.kept_values("15e6"))
    wrong(ch03.kept_values(16_000_000), "do not count it twice")
    wrong(ch03.kept_values(64_000_000), "every layer's output")
    for answer in (7 / 8, "7/8", "87.5%", "0.875", "0,875"):
        correct(ch03.recomputed(answer))
    wrong(ch03.recomputed(87.5), "looks like a percentage")
    wrong(ch03.recomputed(1), "it is not recomputed")
    wrong(ch03.recomputed("1/8"), "That is one segment")
    correct(ch03.accumulation_steps(4))
    wrong(ch03.accumulation_steps(0.25), "divide the other way round")


def test_what_does_not_help():
    correct(ch03.no_saving("b"))
    wrong(ch03.no_saving("a"), "2 bytes instead of 4")


def test_instructor_arguments_are_checked(report):
    with pytest.raises(ValueError, match="precision must be one of"):
        ch03.step_memory_spec(report, 32, precision="int4")
    with pytest.raises(ValueError, match="unit must be one of"):
        ch03.step_memory_spec(report, 32, unit="parsecs")
    with pytest.raises(ValueError, match="memory_bytes must be"):
        ch03.largest_batch_spec(report, -5)
