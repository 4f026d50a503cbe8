"""The live widgets: anywidgets whose ES module computes in the page itself.

Each is a pair, ``name.py`` beside ``name.js``: the Python class a notebook
shows, with ``describe(settings)`` giving what the page must show for those
settings, and the ES module that computes it with no kernel (tests compare the
two under Node.js and in Chromium). ``common.js`` holds the helpers every
module is composed with, ``layers.js`` calc's layer arithmetic and
``answers.js`` the reading and judging of typed answers, for the modules that
use them (:mod:`cnnbook.widgets.esm`). Every widget follows the page's light
or dark theme (the theme's colour variables, ``cnnbook-pages.css``).
"""
