"""answers.js and common.js's number formatting against Python, under Node.js.

The page reads typed answers and words its verdicts with ports of
cnnbook.checks.reading and of Python's formatting; these tests hold the ports
to the originals on odd and random inputs (never skipped: Node.js only).
"""

from __future__ import annotations

import math
import random
import struct
from decimal import Decimal

from cnnbook.checks.feedback import fmt
from cnnbook.checks.reading import as_shape, read_text
from cnnbook.widgets.esm import COMMON, compose
from tests.node_support import node_map

HELPERS = """
export function formatted(x) {
  return [formatG(x, 4, true), formatG(x), fmt(x), formatFixed(x, 2),
    formatFixed(x, 0, false)];
}
export function exactly(x) { return exactDecimal(x); }
export function read(text) {
  const r = readText(text);
  return [r && r.value, r && r.digits, asShape(text), pyStrip(text)];
}
"""
MODULE = compose(COMMON, "answers.js") + HELPERS


def doubles(seed: int = 3, count: int = 600) -> list[float]:
    rng = random.Random(seed)
    values = [0.5, 1.0, 12.5, 0.00012345, 1234.5, 12345.5, 99995.0, 9.9995, 1e-5]
    values += [123456789.0, 0.1, 2.675, 1e16 + 2, -3.14159, 1e22, 1e300, 5e-324]
    values += [1e-320, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0]
    values += [math.inf, -math.inf, 0.125, 0.0625, 2.5, 3.5, -2.5]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 22) for _ in range(count)]
    values += [struct.unpack("<d", rng.randbytes(8))[0] for _ in range(count // 3)]
    return [v for v in values if not math.isnan(v)]


def python_formatted(x: float) -> list[str]:
    return [f"{x:,.4g}", f"{x:g}", fmt(x), f"{x:,.2f}", f"{x:.0f}"]


def test_number_formatting_is_pythons():
    values = doubles()
    have = node_map(MODULE, "formatted", values)
    wrong = [
        (v, w, h)
        for v, h in zip(values, have, strict=True)
        if (w := python_formatted(v)) != h
    ]
    assert wrong == [], wrong[:3]


def test_exact_decimals_are_exact():
    values = [v for v in doubles() if math.isfinite(v)]
    have = node_map(MODULE, "exactly", values)
    for value, text in zip(values, have, strict=True):
        assert Decimal(text) == Decimal(value).copy_abs(), value


TEXTS = [
    "",
    " 12 ",
    "\x1c12\x85",
    "\ufeff12",
    "\u3000\u200a12\u2029",
    "0\n0",
    "12,613,600",
    "12,6",
    "1 234",
    "1_234",
    "7/8",
    "87.5%",
    "\u0663\u0664",
    "\uff11\uff12",
    "\U0001d7cf\U0001d7d0",
    "1e400",
    "-0",
    "(25, 38, 400)",
    "25x38x400",
    "25 × 38 × 400",
    "[1, 25, 38, 400]",
    "(3,)",
    "25 x 38 x",
    "((25, 38))",
    "9" * 18 + " x 2",
    "9" * 19 + " x 2",
    "9" * 400,
    "\u0662\u0665 x \u0663\u0668",
    "9" * 400,
]


def test_typed_text_is_read_as_python_reads_it():
    rng = random.Random(5)
    texts = TEXTS + [
        "".join(rng.choice("0123456789 ,.x()%/-e\u00a0\u202f_'") for _ in range(12))
        for _ in range(1500)
    ]
    have = node_map(MODULE, "read", texts)
    for text, (value, digits, shape, stripped) in zip(texts, have, strict=True):
        reading = read_text(text)
        want = [None, None] if reading is None else [reading.value, reading.digits]
        assert [value, digits] == want, text
        got = as_shape(text)  # sizes past 2**53 lose precision in JS: both "big"
        big = [v if v < 2**53 else "big" for v in got or []]
        assert (shape and [v if v < 2**53 else "big" for v in shape]) == (
            got and big
        ), text
        assert stripped == text.strip(), text
