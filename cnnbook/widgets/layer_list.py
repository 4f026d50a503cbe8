"""The editable list of layers of the stack calculators (conv stack, receptive field).

Each keeps its input shape and its layers (one dict of settings per layer) in
synced traits. These helpers check what Python hands them, with the same
messages for every calculator, and add and remove layers; what the page edits
is not checked here but shown as calc's message in place of the results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cnnbook.validate import is_int

__all__ = ["LayerList", "check_input_shape", "check_layers", "layer_row"]


def check_input_shape(input_shape: object) -> list:
    """(height, width, channels) of integers, as a list for the trait."""
    if (
        isinstance(input_shape, (str, bytes))
        or not isinstance(input_shape, Sequence)
        or len(input_shape) != 3
        or not all(is_int(v) for v in input_shape)
    ):
        raise ValueError(
            "input_shape must be (height, width, channels) of "
            f"integers, got {input_shape!r}"
        )
    return list(input_shape)


def layer_row(
    index: int,
    settings: object,
    defaults: Mapping[str, object],
    choices: Mapping[str, Sequence[str]],
) -> dict:
    """One layer's settings as a complete dict: keys among ``defaults``', each
    key of ``choices`` one of its options, every other value an integer."""
    keys = ", ".join(defaults)
    if not isinstance(settings, Mapping):
        raise ValueError(
            f"layers[{index}] must be a dict with keys {keys}, got {settings!r}"
        )
    unknown = sorted(set(settings) - set(defaults))
    if unknown:
        raise ValueError(
            f"layers[{index}] has unknown keys {unknown}; allowed keys are {keys}"
        )
    row = {**defaults, **settings}
    for key, options in choices.items():
        if row[key] not in options:
            raise ValueError(
                f"layers[{index}][{key!r}] must be one of {', '.join(options)}, "
                f"got {row[key]!r}"
            )
    for key in defaults:
        if key not in choices and not is_int(row[key]):
            raise ValueError(
                f"layers[{index}][{key!r}] must be an integer, got {row[key]!r}"
            )
    return row


def check_layers(
    layers: object,
    defaults: Mapping[str, object],
    choices: Mapping[str, Sequence[str]],
) -> list[dict]:
    """A list of layer settings, each completed and checked by :func:`layer_row`."""
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Sequence):
        raise ValueError(f"layers must be a list of layer dicts, got {layers!r}")
    return [layer_row(i, row, defaults, choices) for i, row in enumerate(layers)]


class LayerList:
    """``add_layer``, ``remove_layer`` and ``layer_specs`` for a calculator whose
    ``layers`` trait holds rows described by ``LAYER_DEFAULTS`` and
    ``LAYER_CHOICES``."""

    LAYER_DEFAULTS: Mapping[str, object] = {}
    LAYER_CHOICES: Mapping[str, Sequence[str]] = {}

    def layer_specs(self, layer_spec: Callable[..., object]) -> list:
        """calc's layers for the rows as the page left them: ``layer_spec`` takes
        a row's values in the order of ``LAYER_DEFAULTS``; its ValueError comes
        back naming the layer ("layer 2: ..."), as the page shows it."""
        specs = []
        for number, row in enumerate(self.layers, 1):
            try:
                specs.append(layer_spec(*(row.get(key) for key in self.LAYER_DEFAULTS)))
            except ValueError as err:
                raise ValueError(f"layer {number}: {err}") from None
        return specs

    def add_layer(self, **settings) -> None:
        """Append a layer; settings left out take ``LAYER_DEFAULTS``."""
        row = layer_row(
            len(self.layers), settings, self.LAYER_DEFAULTS, self.LAYER_CHOICES
        )
        self.layers = [*self.layers, row]

    def remove_layer(self, index: int) -> None:
        """Remove layer ``index`` (0-based)."""
        if not is_int(index) or not 0 <= index < len(self.layers):
            raise ValueError(
                f"index must be between 0 and {len(self.layers) - 1}, got {index!r}"
            )
        self.layers = [row for i, row in enumerate(self.layers) if i != index]
