"""No stored output depends on the last bits of floating point.

The rule (README, "Writing a chapter"): a value is glued and printed at the
precision the text uses, never as a raw float. The last bits of a float differ
from one CPU to the next (vector width, libm, BLAS kernels), so a stored
``0.5836931601907399`` fails strict nbval on a machine that computes
``0.58369316019074``. Here every text a stored output shows, glued values
included, is scanned for a decimal number with 9 or more significant digits.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "book").glob("*.ipynb")) + sorted(
    (REPO / "solutions").glob("*.ipynb")
)
# A decimal number: digits, a point, digits, maybe an exponent; commas are
# thousands separators of an integer part (12,613,600.5).
DECIMAL = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)\.(\d+)(?:[eE][-+]?\d+)?")
MAX_DIGITS = 8
TEXT_TYPES = (
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "application/papermill.record/text/plain",
)


def significant_digits(integer_part: str, fraction: str) -> int:
    digits = (integer_part.replace(",", "") + fraction).lstrip("0")
    return len(digits)


def long_floats(text: str) -> list[str]:
    """The decimals in ``text`` with more than MAX_DIGITS significant digits."""
    return [
        m.group(0)
        for m in DECIMAL.finditer(text)
        if significant_digits(m.group(1), m.group(2)) > MAX_DIGITS
    ]


def stored_texts(nb) -> list[tuple[int, str]]:
    """(cell index, text) for every text a code cell's outputs show."""
    texts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append((index, output["text"]))
            for kind in TEXT_TYPES:
                value = output.get("data", {}).get(kind)
                if value is not None:
                    texts.append(
                        (index, value if isinstance(value, str) else "".join(value))
                    )
    return texts


def test_the_scan_sees_what_it_must():
    assert long_floats("0.5836931601907399 and 0.58369316019074") == [
        "0.5836931601907399",
        "0.58369316019074",
    ]
    assert long_floats("4.956480832 GB") == ["4.956480832"]
    assert long_floats("6.103515625e-05") == ["6.103515625e-05"]
    assert long_floats("12,613,600 bytes = 12.6 MB = 12.03 MiB; 903,400; 0.0001") == []
    assert long_floats("0.00012345678 and 12345678.5") == ["12345678.5"]
    assert long_floats("v1.2.3, 2026-12-01, x1.23456789") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_stored_output_shows_a_raw_float(path):
    nb = nbformat.read(path, as_version=4)
    found = [
        (index, number)
        for index, text in stored_texts(nb)
        for number in long_floats(text)
    ]
    assert found == [], (
        f"{path.name}: cells show floats with 9+ significant digits {found[:5]}; "
        "glue and print them at the precision the text uses "
        "(cnnbook.glued.glue_number, f'{x:.3g}')"
    )
