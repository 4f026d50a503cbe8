"""Helpers for *Convolutional Networks, Measured*.

`cnnbook.calc` is the pure arithmetic of layers (no TensorFlow import);
`cnnbook.runtime` prepares a notebook kernel (seeds, quiet TensorFlow);
`cnnbook.authoring` executes notebooks and generates exercises.
"""

__version__ = "0.1.0"
