"""Settings for the practice widget's parity test: draws and typed answers.

Networks are drawn from the default ranges, from ranges that give every
dtype and unit, and from ranges where few or no stacks fit (VALID windows on
small inputs); each is asked every question with answers a reader might type:
the right one written many ways, each known slip, another unit, bits, odd
text (blank, "0\\n0", 10**400, 100,000 characters, units in many spellings).
"""

from __future__ import annotations

import random

from cnnbook.checks.reading import UNITS
from cnnbook.widgets import practice

ODD = [
    "",
    " ",
    "\n",
    "0\n0",
    "12\n",
    "\t12.6 MB\n",
    "\x1c12\x85",
    "\ufeff12",
    "1,2,3",
    "abc",
    "-5",
    "0",
    "1e400",
    "1" + "0" * 400,
    "inf",
    "nan",
    "12,6",
    "12.6 foo",
    "x MB",
    "12 MB MB",
    "MB",
    "12.6e0MB",
    "٣",
    "１２",
    "\U0001d7cf\U0001d7d0",
    "\u2212" + "5",
    "7/8",
    "1/0",
    "87.5%",
    "'12'\t",
    "12\x00",
    "a" * 60,
    "9" * 400,
    "9" * 100_000,
    " " * 99_999 + "1",
    "12 " + "b" * 50,
    "1e308 MB",
    "-1e308 GB",
    "1.7976931348623157e308",
    "1e-320 MB",
    "5e-324",
    "4.9e-324 GiB",
    "1e-310",
]
SPELLINGS = ["b", "bytes", "kB", "kbyte", "kilobytes", "MB", "mb", "megabytes"]
SPELLINGS += ["MiB", "mib", "mebibytes", "GB", "gigabyte", "KiB", "GiB", "bits"]
SPELLINGS += ["Mbit", "megabits", "kbit", "Gbit"]
SHAPE_ODD = ["", "abc", "0\n0", "1" + "0" * 400, "x" * 100_000, "12, 20", "(3,)"]

WIDE = {
    **practice.RANGES,
    "height": [1, 60],
    "width": [1, 60],
    "depth": [1, 5],
    "channels": [1, 2, 3, 4],
    "kernel_size": [1, 2, 3, 4, 5, 6, 7],
    "strides": [1, 2, 3, 4],
    "batch_size": [1, 2, 3, 8, 50],
    "dtype": ["float32", "float16", "bfloat16", "float64", "int8", "uint8"],
    "unit": ["bytes", "kB", "MB", "GB", "KiB", "MiB", "GiB"],
}
"""Ranges that give every dtype and unit, and windows that often do not fit."""
NOTHING_FITS = {
    **practice.RANGES,
    "height": [1, 2],
    "padding": ["valid"],
    "kernel_size": [7],
}


def _written(value: float, rng: random.Random) -> str:
    """``value`` as a reader might write it."""
    return rng.choice(
        [
            f"{value:.4g}",
            f"{value:,.2f}",
            f"{value:.6g}",
            f"{value:.1f}",
            f"{value:g}",
            f"{value:.3e}",
            f"{value * rng.uniform(0.97, 1.03):.4g}",
        ]
    )


def _number_answers(network: dict, rng: random.Random) -> list[str]:
    spec = practice.spec("params", network)
    values = [spec.expected] + [m.value for m in spec.mistakes]
    answers = [str(spec.expected), f"{spec.expected:,}", f"{spec.expected / 1e3:g}"]
    answers += [f"{int(v):,}" for v in values] + [_written(v, rng) for v in values]
    return answers


def _memory_answers(question: str, network: dict, rng: random.Random) -> list[str]:
    spec = practice.spec(question, network)
    unit = spec.unit
    answers = []
    for value in [spec.expected] + [m.value for m in spec.mistakes]:
        answers.append(_written(value / UNITS[unit], rng))
        answers.append(f"{_written(value / UNITS[unit], rng)} {unit}")
    for spelling in rng.sample(SPELLINGS, 6):
        shown = spec.expected / UNITS[practice.UNIT_OF[spelling.lower()]]
        answers.append(f"{_written(shown, rng)} {spelling}")
    return answers


def _shape_answers(network: dict, rng: random.Random) -> list[list[str]]:
    spec = practice.spec("shapes", network)
    right = [list(s) for s in spec.expected]

    def written(shapes):
        forms = ["{} x {} x {}", "({}, {}, {})", "{}x{}x{}", "[{},{},{}]", "{}×{}×{}"]
        return [
            rng.choice(forms).format(*s) if len(s) == 3 else str(tuple(s))
            for s in shapes
        ]

    answers = [
        written(right),
        written(right),
        [f"(1, {h}, {w}, {c})" for h, w, c in right],
    ]
    answers += [written(shapes) for shapes, _ in spec.variants]
    for index in range(len(right)):
        wrong = [list(s) for s in right]
        h, w, c = wrong[index]
        wrong[index] = rng.choice([[w, h, c], [h, w, c + 1], [h + 1, w, c], [h, w]])
        answers.append(written(wrong))
        blank = written(right)
        blank[index] = rng.choice(SHAPE_ODD)
        answers.append(blank)
    answers += [[""] * len(right), ["12"], "12 x 20 x 64"]
    return answers


def practice_cases(seed: int = 2026, count: int = 40) -> list[dict]:
    """Settings of the page: a drawn variant, a question and a typed answer."""
    rng = random.Random(seed)
    tables = practice.tables()
    cases = []
    for i in range(count):
        ranges = practice.check_ranges(
            [practice.RANGES, WIDE][i % 2] if i else NOTHING_FITS
        )
        settings = {
            "ranges": ranges,
            "seed": rng.randrange(2**32) if i > 1 else practice.SEED,
            "variant": rng.choice([0, 0, 1, 2, 7, 10**6]),
            "avoid": [practice.WORKED],
            "tables": tables,
        }
        network = practice.draw(
            **{k: settings[k] for k in ("ranges", "seed")},
            variant=settings["variant"],
            avoid=[practice.WORKED],
        )
        for question in practice.QUESTIONS:
            if network is None:
                answers = ["1"]
            elif question == "shapes":
                answers = _shape_answers(network, rng)
            else:
                answers = rng.sample(ODD, 6) if i > 2 else list(ODD)
                answers += (
                    _number_answers(network, rng)
                    if question == "params"
                    else _memory_answers(question, network, rng)
                )
            cases += [{**settings, "question": question, "answer": a} for a in answers]
    return cases
