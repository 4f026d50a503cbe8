"""Practice until right: questions on a conv stack drawn in the page, judged there.

`Practice` shows a stack of Conv2D layers drawn from ranges (input size,
channels, depth, maps, kernel, stride, padding, batch, dtype, the unit asked
for) and asks about it: its parameters, each layer's output shape, the memory
of one prediction, the memory of a training step. Its ES module
(``practice.js``) draws the stack, computes the answers with calc's arithmetic
(``layers.js``) and judges what the reader types with the checks' readers and
slips (``answers.js``, and a port of :mod:`cnnbook.checks.stacks`'s spec
builders), so a wrong answer is told which slip it looks like (biases left
out, SAME padding rounded down, every map summed for a prediction, MB read as
MiB, bits for bytes, one image too many) without the number; "New numbers"
draws another stack. The widget's state holds the ranges, a seed and the
networks not to draw (the chapter's worked one), never an answer.

:func:`draw` and :func:`judge` are the Python side of the page's
``drawNetwork`` and ``judge``, which :func:`describe` ties together for the
parity test.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.checks import PREFIXES, ch02
from cnnbook.checks.reading import (
    QUESTION_UNITS,
    TWIN_UNITS,
    UNIT_MEANING,
    UNIT_OF,
    UNITS,
    as_shape,
    quoted,
)
from cnnbook.checks.specs import EXACT, Mistake
from cnnbook.papers import SEED_QUESTION
from cnnbook.widgets.esm import CSS, esm

__all__ = ["ESM", "Practice", "RANGES", "describe", "draw", "generator", "judge"]

ESM = esm("practice.js")
"""The ES module (common.js, layers.js, answers.js, then practice.js)."""

QUESTIONS = ("params", "shapes", "prediction", "training")
DRAW_TRIES = 200
MAX_CHARS = 1000
SEED = 16
"""The stored seed of the chapter's practice (its first variant differs from
the chapter's network and the exercises')."""

RANGES = {
    "height": [28, 240],
    "width": [28, 320],
    "channels": [1, 3],
    "depth": [2, 4],
    "filters": [8, 16, 24, 32, 48, 64, 96, 128, 192, 256],
    "kernel_size": [1, 3, 3, 5, 7],
    "strides": [1, 2, 2],
    "padding": ["same", "valid"],
    "batch_size": [8, 16, 25, 32, 64, 100, 128],
    "dtype": ["float32", "float16", "float64"],
    "unit": ["MB", "MiB"],
}
"""Default ranges: ``height``, ``width`` and ``depth`` (the number of Conv2D
layers) are drawn between two bounds; every other key from its list of
choices (a choice listed twice is drawn twice as often)."""

BETWEEN = {"height": 4096, "width": 4096, "depth": 8}
"""The keys drawn between two bounds, and their largest upper bound."""
CHOICES = {
    "channels": lambda v: _positive(v, 512),
    "filters": lambda v: _positive(v, 4096),
    "kernel_size": lambda v: _positive(v, 15),
    "strides": lambda v: _positive(v, 8),
    "padding": lambda v: v in ("same", "valid"),
    "batch_size": lambda v: _positive(v, 4096),
    "dtype": lambda v: v in calc.DTYPE_BYTES,
    "unit": lambda v: v in QUESTION_UNITS,
}

WORKED = {
    "input_shape": list(SEED_QUESTION["input_shape"]),
    "layers": [
        {
            "filters": filters,
            "kernel_size": SEED_QUESTION["kernel_size"],
            "strides": SEED_QUESTION["strides"],
            "padding": SEED_QUESTION["padding"],
        }
        for filters in SEED_QUESTION["filters"]
    ],
}
"""Chapter 2's worked network, which the practice never draws."""

UNANSWERED = "type your answer in the box, then press Check."
TOO_LONG = (
    f"that answer is longer than {MAX_CHARS} characters; write one number, such as "
    "1234 or '3.5 MB'."
)
SHAPE_FORM = (
    "as whole numbers, height x width x maps, such as 12 x 20 x 64 or (12, 20, 64)"
)
ONE_MORE = (
    "That counts one image more than the batch holds: the input and every feature "
    "map are stored once for each image of the batch."
)
ONE_FEWER = (
    "That counts one image fewer than the batch holds: the input and every feature "
    "map are stored once for each image of the batch."
)


def _positive(value: object, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= high


def check_ranges(ranges: object) -> dict:
    """The ranges as a plain dict of lists; ValueError naming the bad entry."""
    if not isinstance(ranges, Mapping) or set(ranges) != set(RANGES):
        raise ValueError(
            f"ranges must be a dict with the keys {', '.join(RANGES)}, got {ranges!r}"
        )
    checked = {}
    for key, high in BETWEEN.items():
        bounds = ranges[key]
        if (
            not isinstance(bounds, Sequence)
            or len(bounds) != 2
            or not all(_positive(v, high) for v in bounds)
            or bounds[0] > bounds[1]
        ):
            raise ValueError(
                f"ranges[{key!r}] must be [low, high] with 1 <= low <= high <= {high}, "
                f"got {bounds!r}"
            )
        checked[key] = list(bounds)
    for key, ok in CHOICES.items():
        choices = ranges[key]
        if (
            isinstance(choices, (str, bytes))
            or not isinstance(choices, Sequence)
            or not choices
            or not all(ok(v) for v in choices)
        ):
            raise ValueError(
                f"ranges[{key!r}] must be a non-empty list of choices like "
                f"{RANGES[key]!r}, got {choices!r}"
            )
        checked[key] = list(choices)
    return checked


# --------------------------------------------------------------------- drawing
M32 = 0xFFFFFFFF


def generator(seed: int):
    """mulberry32, as practice.js computes it: uniform floats in [0, 1)."""
    state = seed & M32

    def uniform() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 2**32

    return uniform


def _layers(network: Mapping, layers=None) -> list:
    return [
        calc.Conv2D(row["filters"], row["kernel_size"], row["strides"], row["padding"])
        for row in (network["layers"] if layers is None else layers)
    ]


def _analyze(network: Mapping, batch_size: int = 1) -> calc.Report:
    return calc.analyze(
        tuple(network["input_shape"]),
        _layers(network),
        batch_size=batch_size,
        dtype=network["dtype"],
    )


def _same_network(a: Mapping, b: Mapping) -> bool:
    keys = ("filters", "kernel_size", "strides", "padding")
    return list(a["input_shape"]) == list(b["input_shape"]) and [
        [row[k] for k in keys] for row in a["layers"]
    ] == [[row[k] for k in keys] for row in b["layers"]]


def draw(ranges: Mapping, seed: int, variant: int, avoid: Sequence = ()) -> dict | None:
    """Variant ``variant`` of ``ranges`` from ``seed``: the first draw whose
    layers fit (VALID windows within their input) and that is none of
    ``avoid``; None after ``DRAW_TRIES`` draws. The page draws the same."""
    uniform = generator((seed + variant * 0x9E3779B9) & M32)

    def between(bounds):
        return bounds[0] + math.floor(uniform() * (bounds[1] - bounds[0] + 1))

    def pick(choices):
        return choices[math.floor(uniform() * len(choices))]

    for _ in range(DRAW_TRIES):
        input_shape = [between(ranges["height"]), between(ranges["width"])]
        input_shape.append(pick(ranges["channels"]))
        depth = between(ranges["depth"])
        padding = pick(ranges["padding"])
        layers = [
            {
                "filters": pick(ranges["filters"]),
                "kernel_size": pick(ranges["kernel_size"]),
                "strides": pick(ranges["strides"]),
                "padding": padding,
            }
            for _ in range(depth)
        ]
        network = {
            "input_shape": input_shape,
            "layers": layers,
            "batch_size": pick(ranges["batch_size"]),
            "dtype": pick(ranges["dtype"]),
            "unit": pick(ranges["unit"]),
        }
        try:
            _analyze(network)
        except ValueError:
            continue
        if not any(_same_network(network, other) for other in avoid):
            return network
    return None


# --------------------------------------------------------------------- judging
def spec(question: str, network: Mapping):
    """The check's spec for ``question`` about ``network``: chapter 2's spec
    builders (:mod:`cnnbook.checks.stacks`), with the practice's own slips."""
    shape, layers = tuple(network["input_shape"]), _layers(network)
    if question == "params":
        return ch02.parameter_count_spec(shape, layers)
    if question == "shapes":
        return ch02.output_shapes_spec(shape, layers)
    dtype, unit, batch = network["dtype"], network["unit"], network["batch_size"]
    if question == "prediction":
        return ch02.prediction_memory_spec(shape, layers, dtype=dtype, unit=unit)
    found = ch02.training_memory_spec(shape, layers, batch, dtype=dtype, unit=unit)
    slips = [Mistake(_analyze(network, batch + 1).training_bytes, ONE_MORE)]
    if batch > 1:
        slips.append(Mistake(_analyze(network, batch - 1).training_bytes, ONE_FEWER))
    return dataclasses.replace(found, mistakes=found.mistakes + tuple(slips))


def _verdict(status: str, text: str) -> dict:
    return {
        "status": status,
        "message": f"{PREFIXES[status]} {text[:1].upper()}{text[1:]}",
    }


def judge(question: str, network: Mapping, answer: object) -> dict:
    """The page's verdict, ``{status, message}``, on ``answer`` (what was typed;
    one string per layer for "shapes") to ``question`` about ``network``."""
    if question == "shapes":
        count = len(network["layers"])
        boxes = [
            answer[i]
            if isinstance(answer, list)
            and i < len(answer)
            and isinstance(answer[i], str)
            else ""
            for i in range(count)
        ]
        blank = sum(not text.strip() for text in boxes)
        if blank == count:
            return _verdict("unanswered", UNANSWERED)
        if blank:
            return _verdict(
                "unanswered",
                f"fill in the output shape of every layer; {blank} of the {count} "
                "boxes are empty.",
            )
        for i, text in enumerate(boxes, 1):
            too_long = len(text) > MAX_CHARS
            if too_long or as_shape(text) is None:
                got = (
                    f"it is longer than {MAX_CHARS} characters"
                    if too_long
                    else f"got {quoted(text)}"
                )
                return _verdict(
                    "incorrect", f"write layer {i}'s shape {SHAPE_FORM}; {got}."
                )
        feedback = spec(question, network).judge(boxes)
    else:
        text = answer if isinstance(answer, str) else ""
        if not text.strip():
            return _verdict("unanswered", UNANSWERED)
        if len(text) > MAX_CHARS:
            return _verdict("incorrect", TOO_LONG)
        feedback = spec(question, network).judge(text)
    return {"status": feedback.status, "message": feedback.message}


def tables() -> dict:
    """The unit tables and wording of `cnnbook.checks` the page judges with."""
    return {
        "units": dict(UNITS),
        "unit_of": dict(UNIT_OF),
        "question_units": list(QUESTION_UNITS),
        "unit_meaning": dict(UNIT_MEANING),
        "twin": dict(TWIN_UNITS),
        "exact": EXACT,
        "prefixes": dict(PREFIXES),
    }


# --------------------------------------------------------------------- the widget
class Practice(anywidget.AnyWidget):
    """Questions on a conv stack drawn in the page; "New numbers" draws another.

    ``questions`` are some of "params", "shapes", "prediction" and "training";
    ``ranges`` (default :data:`RANGES`) what a stack is drawn from; the first
    stack shown is variant 0 of ``seed``. Chapter 2's worked network is never
    drawn, and neither is any network of ``avoid`` (dicts with ``input_shape``
    and ``layers``, as :func:`draw` returns them).
    """

    _esm = ESM
    _css = CSS
    questions = traitlets.List().tag(sync=True)
    ranges = traitlets.Dict().tag(sync=True)
    seed = traitlets.Int().tag(sync=True)
    variant = traitlets.Int(0).tag(sync=True)
    avoid = traitlets.List().tag(sync=True)
    tables = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        questions: Sequence[str] = QUESTIONS,
        ranges: Mapping = RANGES,
        seed: int = SEED,
        avoid: Sequence[Mapping] = (),
        **kwargs,
    ):
        if (
            isinstance(questions, str)
            or not isinstance(questions, Sequence)
            or not questions
            or len(set(questions)) != len(questions)
            or not set(questions) <= set(QUESTIONS)
        ):
            raise ValueError(
                f"questions must be some of {', '.join(QUESTIONS)}, each once, "
                f"got {questions!r}"
            )
        ranges = check_ranges(ranges)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= M32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        avoid = [WORKED, *(_network_to_avoid(i, n) for i, n in enumerate(avoid))]
        if draw(ranges, seed, 0, avoid) is None:
            raise ValueError(
                f"ranges must give a network whose layers fit their input within "
                f"{DRAW_TRIES} draws, got {ranges!r}"
            )
        super().__init__(
            questions=list(questions),
            ranges=ranges,
            seed=seed,
            avoid=avoid,
            tables=tables(),
            **kwargs,
        )

    @property
    def network(self) -> dict:
        """The stack the page shows now (variant ``variant`` of the seed)."""
        return draw(self.ranges, self.seed, self.variant, self.avoid)

    def __repr__(self) -> str:
        return f"Practice: {', '.join(self.questions)} on a drawn conv stack"


def _network_to_avoid(index: int, network: object) -> dict:
    try:
        rows = [
            {k: row[k] for k in ("filters", "kernel_size", "strides", "padding")}
            for row in network["layers"]
        ]
        return {"input_shape": list(network["input_shape"]), "layers": rows}
    except (KeyError, TypeError, IndexError):
        raise ValueError(
            f"avoid[{index}] must be a network with input_shape and layers, as "
            f"draw() returns, got {network!r}"
        ) from None


def describe(settings: Mapping) -> dict:
    """What the page shows for ``settings`` (the synced ``ranges``, ``seed``,
    ``avoid`` and ``tables``, the ``variant`` shown, one ``question`` and the
    ``answer`` typed): the drawn ``network`` and the verdict."""
    network = draw(
        settings["ranges"], settings["seed"], settings["variant"], settings["avoid"]
    )
    if network is None:
        return {"network": None}
    return {
        "network": network,
        **judge(settings["question"], network, settings["answer"]),
    }
