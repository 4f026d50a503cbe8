"""The referee layer: everything that imports Keras.

:mod:`~cnnbook.referee.keras_bridge` reads a Keras model into a
:class:`cnnbook.calc.Report`; :mod:`~cnnbook.referee.architectures` builds the
landmark networks; :mod:`~cnnbook.referee.lrn_layer` is the LRN Keras layer;
:mod:`~cnnbook.referee.digit_models` and :mod:`~cnnbook.referee.plain_vs_residual`
run the chapters' training experiments; :mod:`~cnnbook.referee.measure` asks
TensorFlow what a training step allocated. Keras is the referee: the lower
layers are tested against it.
"""
