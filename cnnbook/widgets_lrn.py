"""The lateral-inhibition explorer of chapter 5: vary k, n, alpha, beta.

A stack of feature maps (from :func:`cnnbook.lrn.inhibition_stack`) in which
one map is strongly activated at the centre goes through :func:`cnnbook.lrn.lrn`;
the widget shows, map by map, the value at the centre before and after, and
how much of it LRN keeps. Bad settings show the ValueError's message instead.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from cnnbook import lrn
from cnnbook.tables import Table

_STYLE = {"description_width": "7em"}
_BOX = widgets.Layout(width="15em")


def inhibition_rows(stack: np.ndarray, output: np.ndarray) -> list[list[object]]:
    """One row per map at the centre position: input, output, kept fraction."""
    centre = stack.shape[0] // 2
    rows = []
    for channel in range(stack.shape[-1]):
        before = float(stack[centre, centre, channel])
        after = float(output[centre, centre, channel])
        kept = after / before if before else float("nan")
        rows.append([channel, f"{before:,.2f}", f"{after:,.3f}", f"{kept:.3f}"])
    return rows


class LRNExplorer(widgets.VBox):
    """Change AlexNet's constants and see a strong map inhibit its neighbours.

    ``output`` holds the last normalised stack (None while the settings are
    invalid), ``kept`` the fraction of each map's centre value that survives,
    and ``error`` the message shown instead of results.
    """

    def __init__(self, k: float = 2.0, n: int = 5, alpha: float = 1e-4,
                 beta: float = 0.75, strong_value: float = 100.0,
                 weak_value: float = 10.0, channels: int = 9):
        self.k = widgets.FloatText(value=k, description="k (bias)",
                                   layout=_BOX, style=_STYLE)
        self.n = widgets.IntText(value=n, description="n (maps)",
                                 layout=_BOX, style=_STYLE)
        self.alpha = widgets.FloatText(value=alpha, description="alpha", step=1e-4,
                                       layout=_BOX, style=_STYLE)
        self.beta = widgets.FloatText(value=beta, description="beta", step=0.05,
                                      layout=_BOX, style=_STYLE)
        self.strong_value = widgets.FloatText(value=strong_value,
                                              description="strong map",
                                              layout=_BOX, style=_STYLE)
        self.weak_value = widgets.FloatText(value=weak_value,
                                            description="other maps",
                                            layout=_BOX, style=_STYLE)
        self.channels = channels
        self.results = widgets.HTML()
        self.output = self.kept = self.error = None
        for control in self.controls:
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.k, self.n, self.alpha, self.beta]),
            widgets.HBox([self.strong_value, self.weak_value]),
            self.results,
        ])
        self.recompute()

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.k, self.n, self.alpha, self.beta, self.strong_value,
                self.weak_value)

    def _on_change(self, change) -> None:
        self.recompute()

    def recompute(self) -> None:
        """Normalise the stack with the current settings, or show why not."""
        try:
            stack = lrn.inhibition_stack(
                self.channels, strong_value=self.strong_value.value,
                weak_value=self.weak_value.value)
            output = lrn.lrn(stack, self.k.value, self.n.value, self.alpha.value,
                             self.beta.value)
        except ValueError as err:
            self.output = self.kept = None
            self.error = str(err)
            self.results.value = (
                '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">'
                f"&#9888; {html.escape(self.error)}</div>"
            )
            return
        self.error, self.output = None, output
        centre = stack.shape[0] // 2
        with np.errstate(invalid="ignore", divide="ignore"):
            self.kept = output[centre, centre] / stack[centre, centre]
        self.results.value = self._render(stack, output)

    def _render(self, stack: np.ndarray, output: np.ndarray) -> str:
        rows = inhibition_rows(stack, output)
        strong = self.channels // 2
        rows[strong][0] = f"{strong} (strong)"
        table = Table(["map", "input at centre", "output at centre", "kept"], rows)
        largest = max(float(np.max(self.kept[np.isfinite(self.kept)])), 1e-12)
        bars = "".join(
            '<div style="display:flex;align-items:center;gap:0.5em">'
            f'<span style="width:6em">map {c}</span>'
            f'<span style="background:#4878a8;height:1em;'
            f'width:{60 * v / largest:.1f}%"></span><span>{v:.3f}</span></div>'
            for c, v in enumerate(np.nan_to_num(self.kept))
        )
        return (table._repr_html_()
                + "<p><b>Fraction of the centre value each map keeps</b></p>"
                + f'<div class="cnnbook-bars">{bars}</div>')
