"""The "will it fit?" calculator of chapter 3: the largest batch a GPU can train.

Choose the GPU's memory, a network, the precision, the optimizer and whether to
checkpoint gradients; the widget shows the largest batch whose training step
fits (:func:`cnnbook.memory_plan.largest_batch`) and what the memory holds at
that batch. All arithmetic is :mod:`cnnbook.memory_plan` on calc reports; bad
settings show the ValueError's message in place of results.
"""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets

from cnnbook import memory_plan
from cnnbook.tables import Table, format_bytes

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
PART_NAMES = {
    "parameters": "parameters",
    "gradients": "gradients",
    "optimizer_state": "optimizer state",
    "gradient_accumulator": "gradient accumulator",
    "inputs": "input batch",
    "activations": "activations (layer outputs)",
}

_STYLE = {"description_width": "8em"}
_BOX = widgets.Layout(width="20em")


@functools.cache
def network_report(name: str):
    """The calc report of one of :data:`NETWORKS` (computed once)."""
    if name not in NETWORKS:
        raise ValueError(f"network must be one of {list(NETWORKS)}, got {name!r}")
    return memory_plan.resnet_report(**NETWORKS[name])


class WillItFit(widgets.VBox):
    """GPU memory, network, precision, optimizer, checkpointing -> largest batch.

    ``batch`` is the largest batch that fits (0 if none) and ``memory`` the
    :class:`memory_plan.StepMemory` at that batch (None when none fits or the
    settings are invalid); ``error`` holds the message shown instead.
    """

    def __init__(self, gpu: str = "16 GB", network: str = "ResNet-50, 224 x 224",
                 precision: str = "float32", optimizer: str = "adam",
                 checkpointing: bool = False, custom_gb: float = 12.0,
                 reserve_gb: float = 1.0):
        self.gpu = widgets.Dropdown(options=GPU_CHOICES, value=gpu,
                                    description="GPU memory", layout=_BOX, style=_STYLE)
        self.custom_gb = widgets.FloatText(value=custom_gb, description="custom (GB)",
                                           layout=_BOX, style=_STYLE)
        self.reserve_gb = widgets.FloatText(value=reserve_gb,
                                            description="reserve (GB)",
                                            layout=_BOX, style=_STYLE)
        self.network = widgets.Dropdown(options=list(NETWORKS), value=network,
                                        description="network", layout=_BOX,
                                        style=_STYLE)
        self.precision = widgets.Dropdown(options=list(memory_plan.PRECISIONS),
                                          value=precision, description="precision",
                                          layout=_BOX, style=_STYLE)
        self.optimizer = widgets.Dropdown(options=OPTIMIZERS, value=optimizer,
                                          description="optimizer", layout=_BOX,
                                          style=_STYLE)
        self.checkpointing = widgets.Checkbox(value=checkpointing,
                                              description="gradient checkpointing",
                                              style=_STYLE)
        self.results = widgets.HTML()
        self.batch = self.memory = self.error = None
        for control in self.controls:
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.gpu, self.custom_gb, self.reserve_gb]),
            widgets.HBox([self.network, self.precision, self.optimizer]),
            self.checkpointing,
            self.results,
        ])
        self.recompute()

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.gpu, self.custom_gb, self.reserve_gb, self.network,
                self.precision, self.optimizer, self.checkpointing)

    def memory_bytes(self) -> float:
        """The GPU's memory in bytes, from the dropdown or the custom field."""
        self.custom_gb.disabled = self.gpu.value != CUSTOM
        if self.gpu.value == CUSTOM:
            gb = self.custom_gb.value
            if not gb > 0:
                raise ValueError(f"custom GPU memory must be a positive number of GB, "
                                 f"got {gb!r}")
        else:
            gb = float(self.gpu.value.split()[0])
        return gb * 1e9

    def _on_change(self, change) -> None:
        self.recompute()

    def recompute(self) -> None:
        """Find the largest batch for the current settings, or show why not."""
        try:
            memory = self.memory_bytes()
            reserve = self.reserve_gb.value * 1e9
            report = network_report(self.network.value)
            setup = {"precision": self.precision.value,
                     "optimizer": self.optimizer.value,
                     "checkpointing": self.checkpointing.value}
            batch = memory_plan.largest_batch(report, memory, reserve_bytes=reserve,
                                              **setup)
        except ValueError as err:
            self.batch = self.memory = None
            self.error = str(err)
            self.results.value = (
                '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">'
                f"&#9888; {html.escape(self.error)}</div>"
            )
            return
        self.error, self.batch = None, batch
        if batch == 0:
            self.memory = None
            one = memory_plan.step_memory(report, 1, **setup)
            self.results.value = (
                f"<p><b>Not even one image fits</b>: one image needs "
                f"{format_bytes(one.total, 'GB', 2)}, the GPU offers "
                f"{format_bytes(memory - reserve, 'GB', 2)} after the reserve.</p>")
            return
        self.memory = memory_plan.step_memory(report, batch, **setup)
        self.results.value = render(self.memory, memory - reserve)


def render(memory: memory_plan.StepMemory, budget: float) -> str:
    """HTML: the largest batch, then the breakdown of the step's memory."""
    parts = memory.as_dict()
    rows = [[PART_NAMES[part], format_bytes(value, "GB", 2)]
            for part, value in parts.items() if part != "total"]
    rows.append(["total", format_bytes(parts["total"], "GB", 2)])
    rows.append(["available after the reserve", format_bytes(budget, "GB", 2)])
    table = Table(["memory for", f"at a batch of {memory.batch_size}"], rows)
    return (f"<p><b>Largest batch that fits: {memory.batch_size} images</b> "
            f"({memory.precision}, {memory.optimizer})</p>" + table._repr_html_())
