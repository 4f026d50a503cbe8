"""The science layer: NumPy and :mod:`cnnbook.calc`, never TensorFlow.

Pooling and strided convolution (:mod:`~cnnbook.science.pooling`), translation
equivariance (:mod:`~cnnbook.science.equivariance`), the memory of a training
step (:mod:`~cnnbook.science.memory_plan`), local response normalisation
(:mod:`~cnnbook.science.lrn`) and the shifted digits of chapter 1
(:mod:`~cnnbook.science.shifted_digits`): each the reference the Keras side is
checked against, fast enough for a widget or a check.
"""
