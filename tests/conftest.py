"""Shared test setup: a quiet, deterministic TensorFlow before anything imports it,
and the Hypothesis profiles.

Property tests are derandomised by default (profile ``ci``, what ``make test``
and CI run): the same examples on every run, so a test that passes passes
again, and a bug it finds is found every time. ``make fuzz`` sets
``CNNBOOK_FUZZ=1``: profile ``fuzz``, random seeds and :func:`examples` times
more cases, to explore; what it finds becomes a fix and an explicit example.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

from cnnbook.runtime import quiet_tensorflow_env

for _name, _value in quiet_tensorflow_env().items():
    os.environ.setdefault(_name, _value)

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FUZZ = os.environ.get("CNNBOOK_FUZZ") == "1"
FUZZ_FACTOR = 25

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("fuzz", derandomize=False, deadline=None, print_blob=True)
settings.load_profile("fuzz" if FUZZ else "ci")


def examples(count: int) -> int:
    """How many examples a property test runs: ``count``, or many more under
    ``make fuzz``."""
    return count * FUZZ_FACTOR if FUZZ else count
