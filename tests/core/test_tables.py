"""Tables and byte formatting used by every chapter."""

import pytest

from cnnbook.tables import Table
from cnnbook.units import format_bytes


def test_text_and_html_agree_on_content():
    row = ["conv", 903_400, format_bytes(12_613_600)]
    t = Table(["layer", "params", "memory"], [row])
    text = repr(t).splitlines()
    assert text[0].split() == ["layer", "params", "memory"]
    assert text[2].split() == ["conv", "903,400", "12.6", "MB"]
    html = t._repr_html_()
    assert 'text-align:right">903,400</td>' in html
    assert "12.6 MB" in html


def test_units_are_decimal_or_binary_and_always_shown():
    assert format_bytes(565_613_600) == "565.6 MB"
    assert format_bytes(12_613_600, "MiB", 2) == "12.03 MiB"
    with pytest.raises(ValueError, match="unit must be one of"):
        format_bytes(1, "mb")


def test_malformed_tables_are_refused():
    with pytest.raises(ValueError, match="columns must name"):
        Table([], [])
    with pytest.raises(ValueError, match=r"rows\[0\] has 1 cells"):
        Table(["a", "b"], [[1]])
    with pytest.raises(ValueError, match="rows must hold"):
        Table.from_dicts([])
