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


def paired_differences(
    differences: Mapping[str, object],
    unit: str = "",
    title: str = "",
    xlabel: str = "difference per seed",
):
    """One row per comparison: each seed's difference as a dot, the mean and its
    interval as a bar, and zero as a line, so a reader sees at once whether the
    interval excludes it. Each value of ``differences`` has ``values``,
    ``mean``, ``low`` and ``high`` (a :class:`cnnbook.science.seeds.Difference`).
    """
    if not differences:
        raise ValueError("differences must hold at least one comparison")
    for name, d in differences.items():
        if not all(hasattr(d, a) for a in ("values", "mean", "low", "high")):
            raise ValueError(
                f"differences[{name!r}] must be a Difference (values, mean, low, "
                f"high), got {d!r}"
            )
    labels = list(differences)
    fig, ax = plt.subplots(figsize=(7, 0.7 * len(labels) + 1.4))
    for row, name in enumerate(labels):
        d = differences[name]
        ax.plot(
            d.values,
            [row] * len(d.values),
            "o",
            color=PALETTE[0],
            alpha=0.5,
            markersize=4,
            label="one seed" if row == 0 else None,
        )
        ax.errorbar(
            [d.mean],
            [row],
            xerr=[[d.mean - d.low], [d.high - d.mean]],
            fmt="D",
            color=PALETTE[1],
            capsize=4,
            label="mean, 95% interval" if row == 0 else None,
        )
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(f"{xlabel} ({unit})" if unit else xlabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small", loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
