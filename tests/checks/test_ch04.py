"""The all-convolutional check: strided Conv2D layers, and no pooling layer."""

import keras

from cnnbook.checks.ch04 import all_convolutional


def _model(*layers):
    return keras.Sequential([keras.Input((32, 32, 16)), *layers])


def test_strided_convolutions_pass():
    model = _model(
        keras.layers.Conv2D(16, 3, strides=2, padding="same"),
        keras.layers.Conv2D(32, 3, strides=2, padding="same"),
    )
    feedback = all_convolutional(model, (32, 32, 16), (8, 8, 32), max_params=10_000)
    assert feedback.correct, feedback
    assert "2 strided Conv2D layers, no pooling" in feedback.message


def test_pooling_is_refused_even_with_the_right_shape():
    model = _model(
        keras.layers.Conv2D(32, 3, padding="same"), keras.layers.MaxPooling2D(4)
    )
    feedback = all_convolutional(model, (32, 32, 16), (8, 8, 32))
    assert feedback.status == "incorrect" and "MaxPooling2D" in feedback.message


def test_no_stride_and_wrong_shape_and_unanswered():
    model = _model(keras.layers.Conv2D(32, 17))  # VALID 17x17: 16 x 16, stride 1
    feedback = all_convolutional(model, (32, 32, 16), (16, 16, 32))
    assert feedback.status == "incorrect" and "strides=2" in feedback.message
    wrong = all_convolutional(model, (32, 32, 16), (8, 8, 32))
    assert wrong.status == "incorrect" and "output shape" in wrong.message
    assert all_convolutional(..., (32, 32, 16), (8, 8, 32)).status == "unanswered"
