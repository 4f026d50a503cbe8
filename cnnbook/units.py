"""Units of memory and how numbers are written with them.

MB = 10^6 bytes and MiB = 2^20 bytes, always labelled: the book's one
vocabulary. Used by the tables, the checks (which units a question may ask in)
and the widgets alike, so a figure reads the same everywhere.
"""

from __future__ import annotations

__all__ = ["BYTE_UNITS", "format_bytes", "format_int"]


def format_int(value: int) -> str:
    """12613600 -> '12,613,600'."""
    return f"{value:,}"


def format_bytes(num_bytes: float, unit: str = "MB", digits: int = 1) -> str:
    """Bytes in a decimal (MB, GB) or binary (MiB, GiB) unit, always labelled."""
    if unit not in BYTE_UNITS:
        raise ValueError(f"unit must be one of {sorted(BYTE_UNITS)}, got {unit!r}")
    return f"{num_bytes / BYTE_UNITS[unit]:,.{digits}f} {unit}"


BYTE_UNITS = {
    "bytes": 1,
    "kB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
}
