"""The referee layer: everything that imports Keras.

:mod:`~cnnbook.referee.keras_bridge` reads a Keras model into a
:class:`cnnbook.calc.Report`; :mod:`~cnnbook.referee.architectures` builds the
landmark networks; :mod:`~cnnbook.referee.lrn_layer` is the LRN Keras layer;
:mod:`~cnnbook.referee.modern` builds what came after ResNet (SE, separable and
MBConv blocks); :mod:`~cnnbook.referee.seed_stack` trains several seeds of one
small network in one graph (chapter 1's digit models run on it);
:mod:`~cnnbook.referee.digit_models`, :mod:`~cnnbook.referee.downsampling`,
:mod:`~cnnbook.referee.lrn_digits` and :mod:`~cnnbook.referee.plain_vs_residual`
run the chapters' training experiments; :mod:`~cnnbook.referee.influence`
measures receptive fields with a gradient; :mod:`~cnnbook.referee.measure`
asks TensorFlow what a training step allocated. Keras is the referee: the
lower layers are tested against it.
"""
