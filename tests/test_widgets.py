"""The conv-stack calculator, driven headless: set values, read what it shows."""

import pytest

from cnnbook import calc
from cnnbook.widgets import ConvStackCalculator, layer_spec


def test_starts_on_the_seed_network():
    w = ConvStackCalculator()
    assert w.error is None
    assert w.report.params == 903_400
    assert w.report.inference_bytes == 12_613_600
    assert w.training_report.training_bytes == 565_613_600
    shown = w.results.value
    for text in ("903,400", "12,613,600 bytes", "565,613,600 bytes", "25 x 38 x 400",
                 "train on 50 images"):
        assert text in shown


def test_editing_a_layer_recomputes_with_calc():
    w = ConvStackCalculator()
    w.rows[2].strides.value = 1
    w.rows[2].padding.value = "valid"
    expected = calc.analyze((200, 300, 3), [
        calc.Conv2D(100, 3, strides=2, padding="same"),
        calc.Conv2D(200, 3, strides=2, padding="same"),
        calc.Conv2D(400, 3, strides=1, padding="valid"),
    ])
    shape = w.report.layers[2].output_shape
    assert shape == expected.layers[2].output_shape == (48, 73, 400)
    assert w.report.inference_bytes == expected.inference_bytes
    assert f"{expected.inference_bytes:,} bytes" in w.results.value


def test_add_pooling_and_remove_layers():
    w = ConvStackCalculator()
    row = w.add_layer("MaxPooling2D", kernel_size=2, strides=2)
    assert row.filters.disabled
    assert w.report.layers[-1].output_shape == (13, 19, 400)
    assert w.report.params == 903_400  # pooling has no parameters
    w.remove_layer(0)
    assert len(w.report.layers) == 3
    assert w.report.layers[0].output_shape == (100, 150, 200)


def test_input_dtype_and_batch_controls():
    w = ConvStackCalculator()
    w.dtype.value = "float16"
    assert w.report.inference_bytes == 12_613_600 // 2
    w.batch_size.value = 10
    input_and_maps = 180_000 + 1_500_000 + 750_000 + 380_000
    assert w.training_report.training_bytes == (903_400 + 10 * input_and_maps) * 2
    assert "train on 10 images" in w.results.value
    w.width.value = 150
    assert w.report.layers[2].output_shape == (25, 19, 400)


@pytest.mark.parametrize("edit, message", [
    (lambda w: setattr(w.rows[1].kernel_size, "value", 0), "layer 2: kernel_size"),
    (lambda w: setattr(w.rows[0].filters, "value", -5), "layer 1: filters"),
    (lambda w: setattr(w.batch_size, "value", 0), "batch_size"),
    (lambda w: setattr(w.height, "value", 0), "input_shape"),
    (lambda w: [w.remove_layer(0) for _ in range(3)], "at least one layer"),
])
def test_bad_settings_show_the_message_not_a_traceback(edit, message):
    w = ConvStackCalculator()
    edit(w)
    assert w.report is None and message in w.error
    assert "cnnbook-error" in w.results.value and message in w.results.value


def test_valid_window_larger_than_input_is_explained():
    w = ConvStackCalculator(input_shape=(8, 8, 3), layers=[])
    assert "at least one layer" in w.error
    w.add_layer("Conv2D", filters=4, kernel_size=9, padding="valid")
    assert w.report is None and "kernel" in w.error


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="kind must be one of"):
        layer_spec("Dense", 1, 1, 1, "same")
    with pytest.raises(ValueError, match="input_shape must be"):
        ConvStackCalculator(input_shape=(200, 300))
    with pytest.raises(ValueError, match="index must be between"):
        ConvStackCalculator().remove_layer(7)
