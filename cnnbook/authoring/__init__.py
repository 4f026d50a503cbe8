"""Notebook production: execute notebooks deterministically, generate exercises
and solutions from one source, write the Colab install cell, prove that stored
outputs do not depend on the last bits (``make outputs-check``)."""
