"""Chapter 3's questions: the memory of a training step, the largest batch,
checkpointing and gradient accumulation.

Expected values come from :mod:`cnnbook.science.memory_plan` on the chapter's
ResNet-50; typical slips (a part left out, the parameters multiplied by the
batch, mixed precision counted as pure float16, the reserve forgotten...) are
recognised and named. :func:`step_memory_spec` and :func:`largest_batch_spec`
build the specs for any report and setup.
"""

from __future__ import annotations

import functools

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec
from cnnbook.science import memory_plan as mp

__all__ = ["largest_batch_spec", "step_memory_spec"]


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


# --------------------------------------------------------------------------- the bank
BATCH = 32
GPU_BYTES, RESERVE_BYTES = 24e9, 1e9
"""Question 2b: a 24 GB GPU, 1 GB kept free."""
CHAIN_LAYERS, CHAIN_VALUES = 64, 1_000_000
"""Question 3: a plain chain of 64 layers of 1,000,000 output values each."""
EFFECTIVE_BATCH = 128


@functools.cache
def _resnet50() -> calc.Report:
    return mp.resnet_report(50)


@question(points=2)
def adam_gb() -> QuantitySpec:
    """1a: one training step of ResNet-50 on 32 images, float32, Adam, in GB."""
    return step_memory_spec(_resnet50(), BATCH, optimizer="adam")


@question()
def momentum_gb() -> QuantitySpec:
    """1b: the same step with SGD with momentum, in GB."""
    return step_memory_spec(_resnet50(), BATCH, optimizer="momentum")


@question(points=2)
def mixed_gb() -> QuantitySpec:
    """2a: the step of 1a under mixed precision, in GB."""
    return step_memory_spec(_resnet50(), BATCH, precision="mixed_float16")


@question(points=2)
def largest() -> NumberSpec:
    """2b: the largest batch on a 24 GB GPU with mixed precision and Adam, 1 GB
    kept free."""
    return largest_batch_spec(
        _resnet50(), GPU_BYTES, RESERVE_BYTES, precision="mixed_float16"
    )


@question()
def segments() -> NumberSpec:
    """3a: how many segments the square-root rule chooses for 64 layers."""
    return NumberSpec(
        mp.sqrt_segments(CHAIN_LAYERS),
        mistakes=(
            Mistake(CHAIN_LAYERS, "That is one segment per layer: nothing is saved."),
            Mistake(1, "One segment keeps every output: that is no checkpointing."),
        ),
        hint="The square-root rule makes about sqrt(L) segments of sqrt(L) layers.",
        what="the number of segments",
    )


@question()
def kept_values() -> NumberSpec:
    """3b: the values per image alive at the peak with those segments."""
    count = mp.sqrt_segments(CHAIN_LAYERS)
    chain = [CHAIN_VALUES] * CHAIN_LAYERS
    stored = count * CHAIN_VALUES
    longest = max(
        stop - start for start, stop in mp.segment_bounds(CHAIN_LAYERS, count)
    )
    return NumberSpec(
        mp.checkpointed_values(chain, count),
        mistakes=(
            Mistake(
                sum(chain),
                "That keeps every layer's output, as without checkpointing.",
            ),
            Mistake(
                stored + longest * CHAIN_VALUES,
                "The recomputed segment's last output is the stored checkpoint: do "
                "not count it twice.",
            ),
            Mistake(
                stored,
                "At the peak the stored segment outputs and the outputs of the "
                "segment being recomputed are alive together: add both.",
            ),
        ),
        hint="Add the stored output of every segment and the other outputs of one "
        "segment.",
        what="the number of values",
    )


@question()
def recomputed() -> NumberSpec:
    """3c: the fraction of one forward pass computed a second time."""
    count = mp.sqrt_segments(CHAIN_LAYERS)
    last_start = mp.segment_bounds(CHAIN_LAYERS, count)[-1][0]
    return NumberSpec(
        last_start / CHAIN_LAYERS,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                1.0,
                "The last segment's outputs are still in memory when the backward "
                "pass starts: it is not recomputed.",
            ),
            Mistake(1 / count, "That is one segment; all but the last are recomputed."),
        ),
        hint="Count the layers of every segment but the last, out of all layers.",
        what="the fraction",
    )


@question()
def accumulation_steps() -> NumberSpec:
    """4a: how many micro-batches of 32 make an effective batch of 128."""
    return NumberSpec(
        EFFECTIVE_BATCH // BATCH,
        mistakes=(
            Mistake(
                BATCH / EFFECTIVE_BATCH,
                "That is the micro-batch over the effective batch: divide the other "
                "way round.",
            ),
        ),
        hint="Each micro-batch adds its gradients until the effective batch is "
        "complete.",
        what="the number of micro-batches",
    )


@question(points=2)
def accumulated_gb() -> QuantitySpec:
    """4b: the step with gradient accumulation over 4 micro-batches, in GB."""
    return step_memory_spec(
        _resnet50(), EFFECTIVE_BATCH, accumulation_steps=EFFECTIVE_BATCH // BATCH
    )


@question()
def no_saving() -> ChoiceSpec:
    """5: which remedy does not reduce a training step's memory."""
    return ChoiceSpec(
        "b",
        "abcd",
        {
            "a": "Mixed precision stores every layer output in 2 bytes instead of 4.",
            "c": "Checkpointing keeps only the segment boundaries and one segment.",
            "d": "A smaller input shrinks every feature map, and so the activations.",
        },
    )
