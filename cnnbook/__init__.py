"""Helpers for *Convolutional Networks, Measured*.

Folders are layers, and imports point down (``tests/test_layers.py``): the core
modules here (:mod:`~cnnbook.calc`, :mod:`~cnnbook.units`,
:mod:`~cnnbook.validate`, :mod:`~cnnbook.tables`, :mod:`~cnnbook.plots`,
:mod:`~cnnbook.papers`), then :mod:`cnnbook.science`, :mod:`cnnbook.referee`
(with :mod:`cnnbook.runtime`, the kernel's setup), :mod:`cnnbook.checks`,
:mod:`cnnbook.widgets`, :mod:`cnnbook.authoring`, :mod:`cnnbook.publishing`,
:mod:`cnnbook.grading` and :mod:`cnnbook.commands`.
"""

__version__ = "0.1.0"
