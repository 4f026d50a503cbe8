"""Exercise checks for chapter 3: the memory of a training step, the largest batch.

Expected values come from :mod:`cnnbook.science.memory_plan`; typical slips (a part
left out, the parameters multiplied by the batch, mixed precision counted as
pure float16, the reserve forgotten...) are recognised and named. Built on
:mod:`cnnbook.checks.specs`: ``...`` or ``None`` is "Not answered yet", and only the
instructor's arguments raise ValueError.
"""

from __future__ import annotations

from cnnbook import calc
from cnnbook.checks.feedback import Feedback
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec
from cnnbook.science import memory_plan as mp

__all__ = ["largest_batch", "largest_batch_spec", "step_memory", "step_memory_spec"]


def _mistakes(report: calc.Report, batch_size: int, setup: dict) -> list[Mistake]:
    step = mp.step_memory(report, batch_size, **setup)
    total, micro = step.total, step.micro_batch
    mistakes = [
        Mistake(
            total - step.gradients,
            "A part as large as the parameters is missing: the gradients (one per "
            "parameter), or one of the optimizer's slots.",
        ),
        Mistake(
            total - step.gradients - step.optimizer_state,
            "The gradients and the optimizer state are missing: backpropagation "
            "stores one gradient per parameter and the optimizer its slots.",
        ),
        Mistake(
            total - step.inputs, "The input batch is missing: it is on the GPU too."
        ),
        Mistake(
            total - step.activations + step.activations // micro,
            "The activations are counted for one image only: every image of the "
            "(micro-)batch keeps its own layer outputs.",
        ),
        Mistake(
            total + (micro - 1) * step.fixed,
            "The parameters, gradients and optimizer state are stored once, not "
            "once per image.",
        ),
    ]
    if step.optimizer_state:
        mistakes.append(
            Mistake(
                total - step.optimizer_state,
                "The optimizer state is missing: momentum keeps one value per "
                "parameter, Adam two.",
            )
        )
    slots = calc.OPTIMIZER_SLOTS[setup.get("optimizer", "adam")]
    name = setup.get("optimizer", "adam")
    for wrong in (0, 1, 2):
        if wrong != slots:
            mistakes.append(
                Mistake(
                    total + (wrong - slots) * step.parameters,
                    f"The optimizer state has the wrong size: {name} keeps {slots} "
                    f"value{'s' if slots != 1 else ''} per parameter.",
                )
            )
    precision = setup.get("precision", "float32")
    if precision.startswith("mixed"):
        pure = mp.step_memory(report, batch_size, **{**setup, "precision": "float16"})
        mistakes.append(
            Mistake(
                pure.total,
                "Mixed precision keeps the parameters, gradients and optimizer state "
                "in float32 (and feeds the input as float32); only the layer outputs "
                "are 16-bit.",
            )
        )
        full = mp.step_memory(report, batch_size, **{**setup, "precision": "float32"})
        mistakes.append(
            Mistake(
                full.total,
                "That is the float32 figure: under mixed precision the layer outputs "
                "take 2 bytes per value.",
            )
        )
    if setup.get("checkpointing"):
        plain = mp.step_memory(report, batch_size, **{**setup, "checkpointing": False})
        mistakes.append(
            Mistake(
                plain.total,
                "That keeps every activation: with checkpointing only the segment "
                "boundaries and one segment's outputs are kept.",
            )
        )
    if setup.get("accumulation_steps", 1) > 1:
        mistakes.append(
            Mistake(
                total - step.gradient_accumulator,
                "The gradient accumulator is missing: one float32 value per parameter.",
            )
        )
        whole = mp.step_memory(report, batch_size, **{**setup, "accumulation_steps": 1})
        mistakes.append(
            Mistake(
                whole.total + step.gradient_accumulator,
                "With accumulation only one micro-batch's activations are alive at a "
                "time, not the whole batch's.",
            )
        )
    return mistakes


def step_memory(
    answer: object,
    report: calc.Report,
    batch_size: int,
    unit: str = "GB",
    rel_tol: float = 0.002,
    **setup,
) -> Feedback:
    """Memory of one training step; see :func:`step_memory_spec`."""
    return step_memory_spec(
        report, batch_size, unit=unit, rel_tol=rel_tol, **setup
    ).judge(answer)


def step_memory_spec(
    report: calc.Report,
    batch_size: int,
    unit: str = "GB",
    rel_tol: float = 0.002,
    **setup,
) -> QuantitySpec:
    """Memory of one training step (:func:`cnnbook.science.memory_plan.step_memory`),
    answered in ``unit`` or as a string with its own unit.

    The default tolerance is 0.2%: parts such as the gradients are only a few
    percent of the total, and GB and GiB differ by 7%, so a looser tolerance
    would mistake one slip for another."""
    step = mp.step_memory(report, batch_size, **setup)  # validates the setup
    return QuantitySpec(
        step.total,
        unit=unit,
        rel_tol=rel_tol,
        mistakes=tuple(_mistakes(report, batch_size, setup)),
        hint="Add parameters, gradients, optimizer state, the input batch and every "
        "layer's output for every image, each in its precision's bytes.",
    )


def largest_batch(
    answer: object,
    report: calc.Report,
    memory_bytes: float,
    reserve_bytes: float = 0,
    **setup,
) -> Feedback:
    """The largest batch that fits, exactly; see :func:`largest_batch_spec`."""
    return largest_batch_spec(report, memory_bytes, reserve_bytes, **setup).judge(
        answer
    )


def largest_batch_spec(
    report: calc.Report,
    memory_bytes: float,
    reserve_bytes: float = 0,
    **setup,
) -> NumberSpec:
    """The largest batch that fits
    (:func:`cnnbook.science.memory_plan.largest_batch`), exactly."""
    expected = mp.largest_batch(report, memory_bytes, reserve_bytes, **setup)
    per_image = (
        mp.step_memory(report, 2, **setup).total
        - mp.step_memory(report, 1, **setup).total
    )
    mistakes = [
        Mistake(
            expected + 1,
            "One image too many: that batch needs a little more than the memory "
            "available. Round the number of images down.",
        ),
        Mistake(
            mp.largest_batch(report, memory_bytes, 0, **setup),
            "The reserve is not subtracted: keep it free for workspace and the "
            "CUDA context.",
        ),
        Mistake(
            int((memory_bytes - reserve_bytes) // per_image),
            "The fixed part (parameters, gradients, optimizer state) must fit "
            "too: subtract it before dividing by the memory per image.",
        ),
        Mistake(
            mp.largest_batch(
                report, memory_bytes * 2**30 / 1e9, reserve_bytes * 2**30 / 1e9, **setup
            ),
            "The GPU's memory is in GB (10^9 bytes), not GiB.",
        ),
    ]
    precision = setup.get("precision", "float32")
    if precision.startswith("mixed"):
        mistakes.append(
            Mistake(
                mp.largest_batch(
                    report,
                    memory_bytes,
                    reserve_bytes,
                    **{**setup, "precision": "float16"},
                ),
                "Mixed precision keeps parameters, gradients and optimizer state in "
                "float32; only the layer outputs are 16-bit.",
            )
        )
    return NumberSpec(
        expected,
        mistakes=tuple(mistakes),
        what="the batch size",
        hint="Subtract the reserve and the fixed part from the memory, divide by the "
        "memory one image adds, and round down.",
    )
