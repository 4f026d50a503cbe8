"""Run the widgets' ES modules under Node.js, as the page runs them.

The parity tests hold each widget's JavaScript to its Python twin; in Node
they need no browser, so they never skip (Node.js comes with the machine, as
npm does for `npm ci --prefix tests/js`). A module is a widget's composed
`_esm` (or a library composed with what it needs), written to a temporary
``.mjs`` file and imported by ``tests/js/map.mjs``, which calls one export on
every case.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAP = REPO / "tests" / "js" / "map.mjs"


def node() -> str:
    """The node executable; a missing Node.js fails the test (never skips)."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is not installed: the widgets' parity tests need `node`")
    return found


def _tagged(value):
    """NaN and infinities as {"$float": ...}: JSON has none (map.mjs revives them)."""
    if isinstance(value, float) and not math.isfinite(value):
        name = "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
        return {"$float": name}
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tagged(item) for item in value]
    return value


def _untagged(obj: dict):
    if set(obj) == {"$float"}:
        return float(obj["$float"])
    return obj


def node_map(source: str, export: str, cases: list) -> list:
    """``[export(case) for case in cases]`` computed by the ES module ``source``
    under Node (BigInts come back as decimal strings; an exception as
    ``{"thrown": message}``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "module.mjs"
        path.write_text(source, encoding="utf-8")
        done = subprocess.run(
            [node(), str(MAP), str(path), export],
            input=json.dumps(_tagged(cases), allow_nan=False),
            capture_output=True,
            text=True,
            timeout=600,
        )
    if done.returncode != 0:
        pytest.fail(f"node failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout, object_hook=_untagged)
