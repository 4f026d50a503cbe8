"""Chapter 3's questions: right answers pass, typical slips get their hint."""

import pytest

from cnnbook.checks import ch03
from cnnbook.science import memory_plan as mp
from tests.checks.support import correct, unanswered, wrong

V = ch03.DEFAULT
B = V.batch_size


@pytest.fixture(scope="module")
def report():
    return mp.resnet_report(V.depth, V.input_size)


def test_the_default_is_not_the_chapters_step():
    assert (V.depth, V.input_size, V.batch_size) not in ch03.CHAPTER


def test_step_memory_right_answers(report):
    step = mp.step_memory(report, B)
    correct(ch03.adam_gb(step.total / 1e9))
    correct(ch03.adam_gb(f"{step.total / 1e6:.0f} MB"))
    mixed = mp.step_memory(report, B, precision="mixed_float16")
    correct(ch03.mixed_gb(mixed.total / 1e9))
    unanswered(ch03.adam_gb(...))


@pytest.mark.parametrize(
    ("question", "slip", "hint"),
    [
        ("adam_gb", lambda s: s.total - 3 * s.parameters, "gradients and"),
        ("adam_gb", lambda s: s.total - s.gradients, "as large as the parameters"),
        ("adam_gb", lambda s: s.total - s.inputs, "input batch is missing"),
        (
            "adam_gb",
            lambda s: s.total - s.activations + s.activations // B,
            "one image",
        ),
        ("adam_gb", lambda s: s.total + (B - 1) * s.fixed, "stored once"),
        ("momentum_gb", lambda s: s.total + s.parameters, "momentum keeps 1 value per"),
    ],
)
def test_step_memory_slips(report, question, slip, hint):
    setup = {"optimizer": "momentum"} if question == "momentum_gb" else {}
    step = mp.step_memory(report, B, **setup)
    wrong(getattr(ch03, question)(slip(step) / 1e9), hint)


def test_mixed_precision_and_accumulation_slips(report):
    pure = mp.step_memory(report, B, precision="float16").total
    wrong(ch03.mixed_gb(pure / 1e9), "float32")
    effective = V.effective_batch
    whole = mp.step_memory(report, effective).total + 4 * report.params
    wrong(ch03.accumulated_gb(whole / 1e9), "one micro-batch")
    plain = mp.step_memory(report, B).total
    spec = ch03.step_memory_spec(report, B, checkpointing=True)
    wrong(spec.judge(plain / 1e9), "with checkpointing only")


def test_largest_batch(report):
    setup = {"precision": "mixed_float16"}
    gpu, reserve = V.gpu_gb * 1e9, V.reserve_gb * 1e9
    best = mp.largest_batch(report, gpu, reserve, **setup)
    correct(ch03.largest(best))
    message = wrong(ch03.largest(best + 1), "round the number of images down")
    assert "too many" not in message and "One" not in message
    wrong(ch03.largest(mp.largest_batch(report, gpu, 0, **setup)), "reserve")
    wrong(
        ch03.largest(mp.largest_batch(report, gpu, reserve, precision="float16")),
        "float32",
    )
    unanswered(ch03.largest(None))


def test_checkpointing_questions():
    k = round(V.chain_layers**0.5)
    values = V.chain_values
    correct(ch03.segments(k))
    correct(ch03.segments(str(k)))
    wrong(ch03.segments(V.chain_layers), "one segment per layer")
    kept = k * values + (k - 1) * values
    correct(ch03.kept_values(kept))
    correct(ch03.kept_values(f"{kept:.3e}"))
    wrong(ch03.kept_values(kept + values), "do not count it twice")
    wrong(ch03.kept_values(V.chain_layers * values), "every layer's output")
    fraction = (k - 1) / k
    for answer in (fraction, f"{k - 1}/{k}", f"{100 * fraction:.2f}%"):
        correct(ch03.recomputed(answer))
    wrong(ch03.recomputed(100 * fraction), "looks like a percentage")
    wrong(ch03.recomputed(1), "it is not recomputed")
    wrong(ch03.recomputed(f"1/{k}"), "That is one segment")
    # 3b's reading (each segment's last output stored) is named, not correct
    wrong(ch03.recomputed((k - 1) ** 2 / V.chain_layers), "its last layer included")
    correct(ch03.accumulation_steps(V.accumulation))
    wrong(ch03.accumulation_steps(1 / V.accumulation), "divide the other way round")


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
