"""The live calculators: anywidgets whose ES module computes in the page itself.

Each is a pair, ``name.py`` beside ``name.js``: the Python class a notebook
shows, with ``describe(settings)`` giving what the page must show for those
settings, and the ES module that computes it with no kernel (tests compare the
two). ``common.js`` holds the helpers every module is composed with
(:mod:`cnnbook.widgets.esm`).
"""
