"""Small tables that show well both in a notebook and in nbval's text comparison.

The book has no pandas dependency; a `Table` renders as HTML on the page and as
aligned plain text for nbval, and both renderings are deterministic.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnbook.units import BYTE_UNITS, format_int

__all__ = ["Table"]


_PAD = "padding:0.15em 0.75em"


@dataclass(frozen=True)
class Table:
    """Rows of already formatted cells under a header; right-aligns numbers."""

    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    caption: str = ""

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("columns must name at least one column")
        for number, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"rows[{number}] has {len(row)} cells, columns has "
                    f"{len(self.columns)}"
                )

    @classmethod
    def from_dicts(cls, rows: Sequence[Mapping[str, object]], caption: str = ""):
        """A table whose columns are the keys of the first row."""
        if not rows:
            raise ValueError("rows must hold at least one row")
        columns = list(rows[0])
        return cls(columns, [[row[c] for c in columns] for row in rows], caption)

    def _numeric_columns(self) -> list[bool]:
        """Columns whose every cell is a number are right-aligned."""
        return [
            bool(self.rows)
            and all(_is_number(row[i]) or _is_measure(row[i]) for row in self.rows)
            for i in range(len(self.columns))
        ]

    def _cells(self) -> list[list[str]]:
        return [[_text(cell) for cell in row] for row in self.rows]

    def __repr__(self) -> str:
        cells = self._cells()
        widths = [
            max([len(str(column))] + [len(row[i]) for row in cells])
            for i, column in enumerate(self.columns)
        ]
        numeric = self._numeric_columns()

        def line(values: Sequence[str]) -> str:
            parts = [
                v.rjust(w) if right else v.ljust(w)
                for v, w, right in zip(values, widths, numeric, strict=True)
            ]
            return "  ".join(parts).rstrip()

        out = [self.caption] if self.caption else []
        out.append(line([str(c) for c in self.columns]))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(row) for row in cells)
        return "\n".join(out)

    def _repr_html_(self) -> str:
        cells = self._cells()
        numeric = self._numeric_columns()
        head = "".join(
            f'<th style="{_PAD}">{html.escape(str(c))}</th>' for c in self.columns
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="{_PAD};text-align:{"right" if right else "left"}">'
                f"{html.escape(value)}</td>"
                for value, right in zip(row, numeric, strict=True)
            )
            + "</tr>"
            for row in cells
        )
        caption = (
            f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        )
        return (
            f'<table class="cnnbook-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


def _text(cell: object) -> str:
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return format_int(cell)
    if isinstance(cell, float):
        return f"{cell:,.2f}"
    if isinstance(cell, tuple):
        return " x ".join(str(v) for v in cell)
    return str(cell)


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _is_measure(cell: object) -> bool:
    """'12.6 MB' and the like: a number followed by one unit word."""
    number, _, unit = str(cell).partition(" ")
    return unit in BYTE_UNITS and number.replace(",", "").replace(".", "").isdigit()
