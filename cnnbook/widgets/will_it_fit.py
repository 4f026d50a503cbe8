"""The "will it fit?" calculator of chapter 3: the largest batch a GPU can train.

Choose the GPU's memory, a network, the precision, the optimizer and whether to
checkpoint gradients; the calculator shows the largest batch whose training step
fits (:func:`cnnbook.science.memory_plan.largest_batch`) and what the memory holds at
that batch.

:class:`WillItFit` is an anywidget: its settings are synced traits and its ES
module (``will_it_fit.js``) does the arithmetic in the page, so
the published book recomputes with no kernel. Python precomputes, once per
offered network, the only numbers the arithmetic needs (:func:`network_facts`:
parameters, input values, layer-output values kept per image with and without
checkpointing) and passes them in the ``options`` trait with the precisions and
optimizers. The JavaScript mirrors :func:`memory_plan.step_memory` and
:func:`memory_plan.largest_batch`; ``batch``, ``memory``, ``budget``, ``error``
and :meth:`WillItFit.text` give the Python side's answer for the current
settings; :func:`describe` is the parity contract the page's
``describeJSON(settings)`` must meet (tests compare the two in Node and Chromium).
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.science import memory_plan
from cnnbook.units import format_bytes
from cnnbook.widgets.esm import CSS, esm

__all__ = ["ESM", "WillItFit", "describe", "network_facts", "page_options"]

ESM = esm("will_it_fit.js")
"""The ES module that renders the calculator and does its arithmetic
(common.js, then will_it_fit.js)."""

NETWORKS = {
    "ResNet-50, 224 x 224": {"depth": 50},
    "ResNet-101, 224 x 224": {"depth": 101},
    "ResNet-152, 224 x 224": {"depth": 152},
    "ResNet-50, 160 x 160": {"depth": 50, "input_size": 160},
    "ResNet-50, half the maps": {"depth": 50, "width": 0.5},
    "ResNet-50, stride 2 in stage 1": {"depth": 50, "stage1_stride": 2},
}
"""Networks the calculator offers, as :func:`memory_plan.resnet_report` arguments."""

CUSTOM = "custom"
GPU_CHOICES = tuple(f"{gb} GB" for gb in memory_plan.GPU_SIZES_GB) + (CUSTOM,)
OPTIMIZERS = ("sgd", "momentum", "adam")
BATCH_LIMIT = 1_000_000
"""The largest batch searched (:func:`memory_plan.largest_batch`'s ``limit``)."""

PART_NAMES = {
    "parameters": "parameters",
    "gradients": "gradients",
    "optimizer_state": "optimizer state",
    "inputs": "input batch",
    "activations": "activations (layer outputs)",
}
"""The rows the calculator shows, in order (no gradient accumulation here)."""


@functools.cache
def network_report(name: str) -> calc.Report:
    """The calc report of one of :data:`NETWORKS` (computed once)."""
    if name not in NETWORKS:
        raise ValueError(f"network must be one of {list(NETWORKS)}, got {name!r}")
    return memory_plan.resnet_report(**NETWORKS[name])


@functools.cache
def network_facts(name: str) -> dict[str, int]:
    """What the page needs of one network, per image, in values (not bytes).

    ``params``; ``input_values`` of one image; ``activation_values``, every
    layer output kept for backpropagation; ``checkpointed_values``, what
    gradient checkpointing with the square-root rule keeps instead.
    """
    report = network_report(name)
    values = [layer.output_elements for layer in report.layers]
    segments = memory_plan.sqrt_segments(len(values))
    return {
        "params": report.params,
        "input_values": math.prod(report.input_shape),
        "activation_values": sum(values),
        "checkpointed_values": memory_plan.checkpointed_values(values, segments),
    }


def page_options() -> dict:
    """The choices and per-network numbers the ES module computes with."""
    return {
        "gpus": list(GPU_CHOICES),
        "custom": CUSTOM,
        "networks": {name: network_facts(name) for name in NETWORKS},
        "precisions": {
            name: [p.parameter_bytes, p.activation_bytes, p.input_bytes]
            for name, p in memory_plan.PRECISIONS.items()
        },
        "optimizers": {name: calc.OPTIMIZER_SLOTS[name] for name in OPTIMIZERS},
        "limit": BATCH_LIMIT,
    }


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _choice(arg: str, value: object, choices) -> None:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{arg} must be one of {list(choices)}, got {value!r}")


class WillItFit(anywidget.AnyWidget):
    """GPU memory, network, precision, optimizer, checkpointing -> largest batch.

    ``gpu`` is one of :data:`GPU_CHOICES` ("custom" reads ``custom_gb``);
    ``reserve_gb`` is kept free for what is not counted (workspace, CUDA
    context, fragmentation). Numbers out of range (a negative reserve, a
    custom size of 0 GB) are accepted and shown as a message in place of the
    results, as the page does when they are typed in.
    """

    _esm = ESM
    _css = CSS
    gpu = traitlets.Unicode().tag(sync=True)
    custom_gb = traitlets.Float(allow_none=True).tag(sync=True)
    reserve_gb = traitlets.Float(allow_none=True).tag(sync=True)
    network = traitlets.Unicode().tag(sync=True)
    precision = traitlets.Unicode().tag(sync=True)
    optimizer = traitlets.Unicode().tag(sync=True)
    checkpointing = traitlets.Bool().tag(sync=True)
    options = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        gpu: str = "16 GB",
        network: str = "ResNet-50, 224 x 224",
        precision: str = "float32",
        optimizer: str = "adam",
        checkpointing: bool = False,
        custom_gb: float = 12.0,
        reserve_gb: float = 1.0,
        **kwargs,
    ):
        _choice("gpu", gpu, GPU_CHOICES)
        _choice("network", network, NETWORKS)
        _choice("precision", precision, memory_plan.PRECISIONS)
        _choice("optimizer", optimizer, OPTIMIZERS)
        if not isinstance(checkpointing, bool):
            raise ValueError(
                f"checkpointing must be True or False, got {checkpointing!r}"
            )
        for arg, value in (("custom_gb", custom_gb), ("reserve_gb", reserve_gb)):
            if not _is_number(value):
                raise ValueError(f"{arg} must be a number of GB, got {value!r}")
        super().__init__(
            gpu=gpu,
            network=network,
            precision=precision,
            optimizer=optimizer,
            checkpointing=checkpointing,
            custom_gb=float(custom_gb),
            reserve_gb=float(reserve_gb),
            options=page_options(),
            **kwargs,
        )

    # ------------------------------------------------------------ the arithmetic
    def memory_bytes(self) -> float:
        """The GPU's memory in bytes, from the choice or ``custom_gb``."""
        _choice("gpu", self.gpu, GPU_CHOICES)
        if self.gpu == CUSTOM:
            gb = self.custom_gb
            if gb is None or not (math.isfinite(gb) and gb > 0):
                raise ValueError(
                    f"custom GPU memory must be a positive number of GB, got {gb!r}"
                )
        else:
            gb = float(self.gpu.split()[0])
        return gb * 1e9

    def _solve(self):
        """(largest batch, StepMemory or None, budget, one image's StepMemory)."""
        memory = self.memory_bytes()
        reserve = self.reserve_gb
        if reserve is None or not (math.isfinite(reserve) and reserve >= 0):
            raise ValueError(
                f"reserve must be a non-negative number of GB, got {reserve!r}"
            )
        _choice("network", self.network, NETWORKS)
        _choice("precision", self.precision, memory_plan.PRECISIONS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        report = network_report(self.network)
        setup = {
            "precision": self.precision,
            "optimizer": self.optimizer,
            "checkpointing": self.checkpointing,
        }
        batch = memory_plan.largest_batch(
            report, memory, reserve_bytes=reserve * 1e9, limit=BATCH_LIMIT, **setup
        )
        budget = memory - reserve * 1e9
        if batch == 0:
            return 0, None, budget, memory_plan.step_memory(report, 1, **setup)
        return batch, memory_plan.step_memory(report, batch, **setup), budget, None

    def _result(self):
        try:
            return self._solve(), None
        except ValueError as err:
            return None, str(err)

    @property
    def error(self) -> str | None:
        """The message the page shows in place of results, or None."""
        return self._result()[1]

    @property
    def batch(self) -> int | None:
        """The largest batch that fits (0 if none), None while invalid."""
        solved = self._result()[0]
        return None if solved is None else solved[0]

    @property
    def memory(self) -> memory_plan.StepMemory | None:
        """The step's memory at the largest batch; None if none fits or invalid."""
        solved = self._result()[0]
        return None if solved is None else solved[1]

    @property
    def budget(self) -> float | None:
        """Bytes available after the reserve, None while invalid."""
        solved = self._result()[0]
        return None if solved is None else solved[2]

    def text(self) -> dict:
        """What the page shows, as text: ``{"error"}``, ``{"none_fits"}`` or the
        headline and the breakdown's rows (the page's JS must show the same)."""
        solved, error = self._result()
        if error is not None:
            return {"error": error}
        batch, memory, budget, one = solved
        if batch == 0:
            return {
                "none_fits": (
                    f"Not even one image fits: one image needs "
                    f"{format_bytes(one.total, 'GB', 2)}, the GPU offers "
                    f"{format_bytes(budget, 'GB', 2)} after the reserve."
                )
            }
        parts = memory.as_dict()
        rows = [
            [name, format_bytes(parts[part], "GB", 2)]
            for part, name in PART_NAMES.items()
        ]
        rows.append(["total", format_bytes(memory.total, "GB", 2)])
        rows.append(["available after the reserve", format_bytes(budget, "GB", 2)])
        return {
            "headline": (
                f"Largest batch that fits: {batch} images "
                f"({memory.precision}, {memory.optimizer})"
            ),
            "rows": rows,
        }

    def __repr__(self) -> str:
        shown = self.text()
        return "WillItFit: " + (
            shown.get("headline") or shown.get("none_fits") or shown["error"]
        )


SETTINGS = (
    "gpu",
    "custom_gb",
    "reserve_gb",
    "network",
    "precision",
    "optimizer",
    "checkpointing",
)
"""The synced settings the page edits (``options`` comes from Python)."""


def describe(settings: Mapping) -> dict:
    """What the page computes for ``settings`` (as the page sets them, with no
    checks): ``{"text"}`` (see :meth:`WillItFit.text`) and, when valid, the
    ``batch``, the ``budget`` and the step's memory parts in bytes as decimal
    strings (``memory`` at the largest batch, or ``one`` image when none fits).
    """
    widget = WillItFit()
    for name in SETTINGS:
        setattr(widget, name, settings[name])
    answer = {"text": widget.text()}
    if widget.error is not None:
        return answer
    setup = {k: settings[k] for k in ("precision", "optimizer", "checkpointing")}
    report = network_report(settings["network"])
    batch, budget = widget.batch, widget.budget
    step = memory_plan.step_memory(report, max(batch, 1), **setup)
    answer.update(batch=batch, budget=budget)
    answer["memory" if batch else "one"] = {
        k: str(v) for k, v in step.as_dict().items()
    }
    return answer
