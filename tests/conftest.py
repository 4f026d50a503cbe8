"""Shared test setup: a quiet, deterministic TensorFlow before anything imports it."""

import os
import sys
from pathlib import Path

from cnnbook.runtime import quiet_tensorflow_env

for _name, _value in quiet_tensorflow_env().items():
    os.environ.setdefault(_name, _value)

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
