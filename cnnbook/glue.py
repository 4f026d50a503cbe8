"""Numbers for the prose, glued at a precision every CPU agrees on.

The chapters state figures through MyST-NB's ``glue`` and ``{glue:text}``. A
glued float is stored in the notebook as its repr, and the last bits of a float
differ from one CPU to the next, so ``glue("x", 0.58369316019074)`` on one
machine fails strict nbval on another that computes ``0.5836931601907399``.
:func:`glue_number` glues integers as they are and floats rounded to a few
significant digits (6 by default, at most 8): the prose then formats them
further (``{glue:text}`x:.1f```), and nothing stored depends on the last bits.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["MAX_DIGITS", "glue_number", "glue_text", "rounded"]

MAX_DIGITS = 8
"""More significant digits than this would store the CPU's last bits."""


def rounded(value: object, digits: int = 6) -> int | float:
    """``value`` as an int (exact), or a float rounded to ``digits`` significant
    digits: ``rounded(0.5836931601907399, 4) == 0.5837``."""
    if (
        not isinstance(digits, int)
        or isinstance(digits, bool)
        or not (1 <= digits <= MAX_DIGITS)
    ):
        raise ValueError(
            f"digits must be an integer from 1 to {MAX_DIGITS}, got {digits!r}"
        )
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
        raise ValueError(f"value must be a finite number, got {value!r}")
    return float(f"{float(value):.{digits}g}")


def glue_number(name: str, value: object, digits: int = 6) -> None:
    """Glue ``value`` as ``name`` for the prose (not shown in the cell), an int
    as it is and a float rounded to ``digits`` significant digits."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'train_mb', got {name!r}")
    number = rounded(value, digits)
    from myst_nb import glue

    glue(name, number, display=False)


def glue_text(name: str, text: str) -> None:
    """Glue a string (a shape written out, a name) as ``name`` for the prose."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'shape_1', got {name!r}")
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {text!r}")
    from myst_nb import glue

    glue(name, text, display=False)
