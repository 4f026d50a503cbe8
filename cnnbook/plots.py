"""Figures in the house style: one message per figure, labelled axes with units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

PALETTE = ("#4878a8", "#e49444", "#6a9f58", "#d1615d", "#85b6b2", "#a87c9f")


def stacked_bars(
    data: Mapping[str, Mapping[str, float]],
    parts: Sequence[str],
    scale: float = 1.0,
    unit: str = "",
    title: str = "",
):
    """Horizontal stacked bars: one bar per key of ``data``, one segment per part.

    ``data[bar][part]`` is divided by ``scale`` and the axis is labelled ``unit``.
    Returns the figure (the inline backend displays it).
    """
    if not data:
        raise ValueError("data must hold at least one bar")
    if not parts:
        raise ValueError("parts must name at least one segment")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    if len(parts) > len(PALETTE):
        raise ValueError(f"parts must have at most {len(PALETTE)} entries")
    for bar, values in data.items():
        missing = [p for p in parts if p not in values]
        if missing:
            raise ValueError(f"data[{bar!r}] lacks parts {missing}")
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(data) + 1.6))
    labels = list(data)
    left = [0.0] * len(labels)
    for part, colour in zip(parts, PALETTE, strict=False):
        widths = [data[bar][part] / scale for bar in labels]
        ax.barh(labels, widths, left=left, color=colour, label=part.replace("_", " "))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(f"memory ({unit})" if unit else "memory")
    ax.set_title(title)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, -0.55 - 0.05 * len(data)),
        ncol=len(parts),
        frameon=False,
        fontsize="small",
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def timeline(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    scale: float = 1.0,
    unit: str = "",
    title: str = "",
    xlabel: str = "operation, in the order it runs",
):
    """Memory alive at each operation of a step, one stepped line per series.

    ``labels`` name the operations (the x ticks); each series gives one value
    per operation (``None`` where it has none, e.g. a prediction has no
    backward pass), divided by ``scale``; the y axis is labelled ``unit``.
    The highest point of each series is marked.
    """
    if not labels:
        raise ValueError("labels must name at least one operation")
    if not series:
        raise ValueError("series must hold at least one line")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    if len(series) > len(PALETTE):
        raise ValueError(f"series must have at most {len(PALETTE)} lines")
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(
                f"series[{name!r}] has {len(values)} values for {len(labels)} labels"
            )
    fig, ax = plt.subplots(figsize=(7, 4.2))
    positions = range(len(labels))
    highest = 0.0
    for number, ((name, values), colour) in enumerate(
        zip(series.items(), PALETTE, strict=False)
    ):
        points = [
            (x, v / scale)
            for x, v in zip(positions, values, strict=True)
            if v is not None
        ]
        xs, ys = zip(*points, strict=True)
        ax.step(xs, ys, where="mid", color=colour, label=name, marker="o", markersize=3)
        top = max(points, key=lambda point: point[1])
        highest = max(highest, top[1])
        ax.annotate(  # the first series' peak above its line, the others' below
            f"{top[1]:,.0f}",
            top,
            textcoords="offset points",
            xytext=(0, 5) if number == 0 else (0, -12),
            ha="center",
            fontsize="small",
            color=colour,
        )
    ax.set_xticks(list(positions), labels, rotation=60, ha="right", fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"memory alive ({unit})" if unit else "memory alive")
    ax.set_ylim(0, 1.15 * highest if highest > 0 else 1)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
