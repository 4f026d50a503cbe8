"""Chapter 3's questions: the memory of a training step, the largest batch,
checkpointing and gradient accumulation.

Each student gets their own ResNet (depth, image size), batch, GPU, chain and
accumulation (:func:`variant`); the default differs from the chapter's
ResNet-50 on 224 x 224 images in batches of 32 and 64, whose figures the
chapter prints. Expected values come from :mod:`cnnbook.science.memory_plan`;
typical slips (a part left out, the parameters multiplied by the batch, mixed
precision counted as pure float16, the reserve forgotten...) are recognised
and named. :func:`step_memory_spec` and :func:`largest_batch_spec` build the
specs for any report and setup.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec, distinct
from cnnbook.science import memory_plan as mp

__all__ = ["Setup", "largest_batch_spec", "step_memory_spec", "variant"]


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
        mistakes=distinct(_mistakes(report, batch_size, setup)),
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
            "That batch needs a little more than the memory available: round the "
            "number of images down, not to the nearest.",
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
        mistakes=distinct(mistakes),
        what="the batch size",
        hint="Subtract the reserve and the fixed part from the memory, divide by the "
        "memory one image adds, and round down.",
    )


# --------------------------------------------------------------------------- variants
MEMORY_TOL = 0.001
"""Memory answers count within 0.1% (four significant digits): the input
batch left out moves a step by only a few tenths of a percent."""

NO_SAVING = Options(
    (
        "mixed precision",
        "running the two branches of every residual block in parallel",
        "gradient checkpointing",
        "training on smaller images (say 160 x 160 instead of 224 x 224)",
    ),
    right=1,
    hints={
        0: "Mixed precision stores every layer output in 2 bytes instead of 4.",
        2: "Checkpointing keeps only the segment boundaries and one segment.",
        3: "A smaller input shrinks every feature map, and so the activations.",
    },
)


@dataclass(frozen=True, repr=False)
class Setup(variants.Variant):
    """One student's ResNet, batch and GPU (questions 1, 2, 4) and chain (3)."""

    depth: int
    input_size: int
    batch_size: int
    gpu_gb: int
    reserve_gb: float
    chain_layers: int
    chain_values: int
    accumulation: int

    CHOICES = {"no_saving": NO_SAVING}

    @property
    def effective_batch(self) -> int:
        """Question 4's effective batch: ``accumulation`` micro-batches."""
        return self.batch_size * self.accumulation

    def lines(self) -> list[str]:
        size = self.input_size
        return [
            f"depth = {self.depth}, input_size = {size}: ResNet-{self.depth} on "
            f"{size} x {size} RGB images",
            f"batch_size = {self.batch_size}: the images of one training batch",
            f"gpu_gb = {self.gpu_gb}, reserve_gb = {self.reserve_gb:g}: a GPU of "
            f"{self.gpu_gb} GB, {self.reserve_gb:g} GB of it kept free",
            f"chain_layers = {self.chain_layers}, chain_values = "
            f"{self.chain_values:,}: question 3's chain of {self.chain_layers} "
            f"layers of {self.chain_values:,} output values each",
            f"effective_batch = {self.effective_batch}: question 4's batch per update",
        ]


DEFAULT = Setup(101, 192, 20, 40, 1.5, 49, 800_000, 3)
"""What Binder, Colab and the published solutions show: not the chapter's."""
CHAPTER = {(50, 224, 32), (50, 224, 64)}
"""The chapter's (depth, image size, batch): its figures are printed there."""


def _draw(generator: random.Random) -> Setup:
    return Setup(
        generator.choice(mp.BOTTLENECK_DEPTHS),
        generator.choice((160, 192, 224, 256)),
        generator.choice((16, 20, 24, 28, 32, 40, 48)),
        generator.choice((16, 24, 32, 40, 48, 80)),
        generator.choice((0.5, 1.0, 1.5, 2.0)),
        generator.choice((36, 49, 64, 81, 100, 121, 144)),
        generator.choice((250_000, 400_000, 500_000, 800_000, 1_200_000, 2_000_000)),
        generator.choice((2, 3, 4, 6, 8)),
        orders=variants.shuffled(generator, Setup.CHOICES),
    )


def _valid(v: Setup) -> bool:
    if (v.depth, v.input_size, v.batch_size) in CHAPTER:
        return False
    return all(
        q._make_spec(v).expected > 0 and not clashes(q._make_spec(v)) for q in NUMERIC
    )


def variant() -> Setup:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch03", _draw, DEFAULT, _valid)


@functools.cache
def _resnet(depth: int, input_size: int) -> calc.Report:
    return mp.resnet_report(depth, input_size)


# --------------------------------------------------------------------------- the bank
@question(points=2)
def adam_gb(v: Setup | None = None) -> QuantitySpec:
    """1a: one training step of the ResNet, float32, Adam, in GB."""
    v = v or variant()
    return step_memory_spec(
        _resnet(v.depth, v.input_size),
        v.batch_size,
        rel_tol=MEMORY_TOL,
        optimizer="adam",
    )


@question()
def momentum_gb(v: Setup | None = None) -> QuantitySpec:
    """1b: the same step with SGD with momentum, in GB."""
    v = v or variant()
    return step_memory_spec(
        _resnet(v.depth, v.input_size),
        v.batch_size,
        rel_tol=MEMORY_TOL,
        optimizer="momentum",
    )


@question(points=2)
def mixed_gb(v: Setup | None = None) -> QuantitySpec:
    """2a: the step of 1a under mixed precision, in GB."""
    v = v or variant()
    return step_memory_spec(
        _resnet(v.depth, v.input_size),
        v.batch_size,
        rel_tol=MEMORY_TOL,
        precision="mixed_float16",
    )


@question(points=2)
def largest(v: Setup | None = None) -> NumberSpec:
    """2b: the largest batch on the GPU with mixed precision and Adam, the
    reserve kept free."""
    v = v or variant()
    return largest_batch_spec(
        _resnet(v.depth, v.input_size),
        v.gpu_gb * 1e9,
        v.reserve_gb * 1e9,
        precision="mixed_float16",
    )


@question()
def segments(v: Setup | None = None) -> NumberSpec:
    """3a: how many segments the square-root rule chooses for the chain."""
    v = v or variant()
    return NumberSpec(
        mp.sqrt_segments(v.chain_layers),
        mistakes=(
            Mistake(v.chain_layers, "That is one segment per layer: nothing is saved."),
            Mistake(1, "One segment keeps every output: that is no checkpointing."),
        ),
        hint="The square-root rule makes about sqrt(L) segments of sqrt(L) layers.",
        what="the number of segments",
    )


def _segments(v: Setup) -> tuple[int, int]:
    """(segments, layers of the longest segment) of the chain."""
    count = mp.sqrt_segments(v.chain_layers)
    longest = max(
        stop - start for start, stop in mp.segment_bounds(v.chain_layers, count)
    )
    return count, longest


@question()
def kept_values(v: Setup | None = None) -> NumberSpec:
    """3b: the values per image alive at the peak with those segments."""
    v = v or variant()
    count, longest = _segments(v)
    chain = [v.chain_values] * v.chain_layers
    stored = count * v.chain_values
    return NumberSpec(
        mp.checkpointed_values(chain, count),
        mistakes=(
            Mistake(
                sum(chain),
                "That keeps every layer's output, as without checkpointing.",
            ),
            Mistake(
                stored + longest * v.chain_values,
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
def recomputed(v: Setup | None = None) -> NumberSpec:
    """3c: the fraction of one forward pass computed a second time, counting
    every layer of each recomputed segment."""
    v = v or variant()
    count, longest = _segments(v)
    last_start = mp.segment_bounds(v.chain_layers, count)[-1][0]
    return NumberSpec(
        last_start / v.chain_layers,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                1.0,
                "The last segment's outputs are still in memory when the backward "
                "pass starts: it is not recomputed.",
            ),
            Mistake(1 / count, "That is one segment; all but the last are recomputed."),
            Mistake(
                (count - 1) * (longest - 1) / v.chain_layers,
                "The question counts each recomputed segment whole, its last layer "
                "included: a framework reruns a segment from its stored input to "
                "its end.",
            ),
        ),
        hint="Count the layers of every segment but the last, out of all layers.",
        what="the fraction",
    )


@question()
def accumulation_steps(v: Setup | None = None) -> NumberSpec:
    """4a: how many micro-batches make the effective batch."""
    v = v or variant()
    return NumberSpec(
        v.effective_batch // v.batch_size,
        mistakes=(
            Mistake(
                v.batch_size / v.effective_batch,
                "That is the micro-batch over the effective batch: divide the other "
                "way round.",
            ),
        ),
        hint="Each micro-batch adds its gradients until the effective batch is "
        "complete.",
        what="the number of micro-batches",
    )


@question(points=2)
def accumulated_gb(v: Setup | None = None) -> QuantitySpec:
    """4b: the step with gradient accumulation over those micro-batches, in GB."""
    v = v or variant()
    return step_memory_spec(
        _resnet(v.depth, v.input_size),
        v.effective_batch,
        rel_tol=MEMORY_TOL,
        accumulation_steps=v.accumulation,
    )


@question()
def no_saving(v: Setup | None = None) -> ChoiceSpec:
    """5: which remedy does not reduce a training step's memory."""
    return (v or variant())._choice_spec("no_saving")


NUMERIC = (
    adam_gb,
    momentum_gb,
    mixed_gb,
    largest,
    segments,
    kept_values,
    recomputed,
    accumulation_steps,
    accumulated_gb,
)
"""The questions whose named slips a variant must keep apart."""
