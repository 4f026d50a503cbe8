"""Exercise checks for chapter 4: downsampling without pooling layers.

Built on :func:`cnnbook.checks.generic.keras_model`, so the messages read like
every other check in the book.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnnbook.checks.feedback import Feedback
from cnnbook.checks.generic import all_layers, keras_model

__all__ = ["all_convolutional"]


def all_convolutional(
    model: object,
    input_shape: Sequence[int],
    output_shape: Sequence[int],
    max_params: int | None = None,
) -> Feedback:
    """A Keras model with the given shapes that downsamples with strided
    convolutions only: at least one ``Conv2D`` with a stride above 1 and no
    pooling layer of any kind (``MaxPooling2D``, ``AveragePooling2D``, global)."""
    feedback = keras_model(
        model, input_shape, output_shape, max_params=max_params, must_contain=["Conv2D"]
    )
    if not feedback.correct:
        return feedback
    layers = all_layers(model)
    pooling = sorted(
        {type(layer).__name__ for layer in layers if "Pooling" in type(layer).__name__}
    )
    if pooling:
        return Feedback(
            "incorrect",
            f"the model uses {', '.join(pooling)}; downsample with Conv2D layers "
            "whose strides are 2 instead.",
        )
    strided = [
        layer
        for layer in layers
        if type(layer).__name__ == "Conv2D" and max(layer.strides) > 1
    ]
    if not strided:
        return Feedback(
            "incorrect",
            "no Conv2D layer has a stride above 1; pass strides=2 to the "
            "convolutions that should halve the maps.",
        )
    summary = feedback.message.split(": ", 1)[1]  # input, output, parameters
    return Feedback(
        "correct",
        f"{len(strided)} strided Conv2D layer{'s' if len(strided) > 1 else ''}, no "
        f"pooling; {summary[:1].lower()}{summary[1:]}",
    )
