"""Prove that no stored output depends on the last bits: rerun under perturbed numerics.

``make outputs-check`` (``cnnbook outputs-check``) runs
strict nbval over ``book/`` and ``solutions/`` once per lever below, each in
fresh kernels with the lever set in their environment, and requires every run
to pass. A lever that changes nothing proves nothing, so each run starts with a
probe: a few computations of the kind the book makes (a float32 convolution, a
short float32 and a float64 training, NumPy's LRN), printed as raw floats and
compared with the same probe without the lever. The report says, per lever,
how far it moved the raw floats and whether nbval passed.

The levers, measured on a 2-core AMD Zen 4 (AVX-512) CI machine:

* ``ONEDNN_MAX_CPU_ISA=AVX2``: oneDNN's float32 matrix and convolution kernels
  for an older CPU; it reproduces, bit for bit, training losses stored by an
  AVX2 machine.
* ``NPY_DISABLE_CPU_FEATURES``: NumPy's AVX-512 code paths off (pow, exp, log
  take others); it reproduces the LRN value an AVX2 machine stored.
* ``CNNBOOK_INTRA_OP_THREADS=1``: TensorFlow reduces in another order.
* ``CNNBOOK_PERTURB=1e-12``: the experiments' data and initial weights move by
  a relative 1e-12 (``cnnbook.runtime.perturbed``), far more than the last-bit
  differences between CPUs in float64.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from cnnbook.project import REPO
from cnnbook.runtime import quiet_tensorflow_env


@dataclass(frozen=True)
class Lever:
    """One way to move the last bits, and what it moves."""

    name: str
    env: dict[str, str]
    moves: str


def _numpy_avx512_features() -> str:
    """The AVX-512 features NumPy dispatches to on this CPU (empty if none)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    wanted = [f for f in __cpu_dispatch__ if f.startswith(("X86_V4", "AVX512"))]
    return " ".join(f for f in wanted if __cpu_features__.get(f))


def levers() -> list[Lever]:
    """The levers this machine can pull (NumPy's only with AVX-512)."""
    found = [
        Lever(
            "oneDNN limited to AVX2",
            {"ONEDNN_MAX_CPU_ISA": "AVX2"},
            "float32 matrix and convolution kernels of another CPU",
        ),
        Lever(
            "one intra-op thread",
            {"CNNBOOK_INTRA_OP_THREADS": "1"},
            "the order of TensorFlow's reductions",
        ),
        Lever(
            "data and initial weights x (1 + 1e-12 u)",
            {"CNNBOOK_PERTURB": "1e-12"},
            "every experiment's starting point, by a relative 1e-12",
        ),
    ]
    features = _numpy_avx512_features()
    if features:
        found.insert(
            1,
            Lever(
                "NumPy without AVX-512",
                {"NPY_DISABLE_CPU_FEATURES": features},
                "NumPy's vectorised pow, exp and log",
            ),
        )
    return found


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **quiet_tensorflow_env(), **extra}
    env.pop("CNNBOOK_FUZZ", None)
    return env


def probe(extra: dict[str, str]) -> dict[str, list[float]]:
    """The probe's raw floats with ``extra`` set in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-m", "cnnbook.authoring.lever_probe"],
        env=_env(extra),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    if result.returncode:
        raise RuntimeError(f"the probe failed: {result.stderr.strip()[-800:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def moved(
    base: dict[str, list[float]], other: dict[str, list[float]]
) -> dict[str, float]:
    """How far each probe quantity moved: the largest absolute change over the
    largest value (0 when bit-identical)."""
    changes = {}
    for key, values in base.items():
        pairs = list(zip(values, other[key], strict=True))
        scale = max((abs(a) for a, _ in pairs), default=0.0) or 1.0
        changes[key] = max((abs(a - b) for a, b in pairs), default=0.0) / scale
    return changes


def nbval(extra: dict[str, str], jobs: int, paths: list[str]) -> tuple[bool, str]:
    """Strict nbval over ``paths`` with ``extra`` in the kernels' environment."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "-n",
        str(jobs),
        "--dist",
        "loadfile",
        *paths,
    ]
    result = subprocess.run(
        command, env=_env(extra), capture_output=True, text=True, cwd=REPO, timeout=3600
    )
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    return result.returncode == 0, summary


@dataclass(frozen=True)
class LeverRun:
    """What one lever did: the floats the probe saw move, and nbval's result."""

    lever: Lever
    changes: dict[str, float]
    passed: bool
    summary: str

    @property
    def effect(self) -> str:
        touched = [f"{k} {v:.0e}" for k, v in self.changes.items() if v > 0]
        return ", ".join(touched) or "nothing (proves nothing)"

    @property
    def proves(self) -> bool:
        """nbval passed while the lever moved some float: evidence, not luck."""
        return self.passed and any(v > 0 for v in self.changes.values())


def decide(runs: list[LeverRun]) -> tuple[bool, list[str]]:
    """The check passes only when every lever moved a float and nbval passed
    under it; the reasons it fails, one per lever, otherwise."""
    if not runs:
        return False, ["no lever was tried: the check proves nothing"]
    reasons = []
    for run in runs:
        if not run.passed:
            reasons.append(f"{run.lever.name}: nbval failed ({run.summary})")
        elif not run.proves:
            reasons.append(f"{run.lever.name}: moved no float, so it proves nothing")
    return not reasons, reasons


def run(jobs: int, paths: list[str], log=print) -> bool:
    """Probe and nbval under every lever; True when every lever moved the last
    bits somewhere and nbval passed under all of them (:func:`decide`)."""
    log("probe without a lever ...", flush=True)
    base = probe({})
    runs = []
    for lever in levers():
        start = time.perf_counter()
        changes = moved(base, probe(lever.env))
        passed, summary = nbval(lever.env, jobs, paths)
        lever_run = LeverRun(lever, changes, passed, summary)
        runs.append(lever_run)
        log(
            f"[{'pass' if passed else 'FAIL'}] {lever.name} "
            f"({' '.join(f'{k}={v}' for k, v in lever.env.items())}): moves "
            f"{lever_run.effect}; nbval: {summary} "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    ok, reasons = decide(runs)
    for reason in reasons:
        log(f"not proven: {reason}", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnbook outputs-check")
    parser.add_argument(
        "paths",
        nargs="*",
        default=["book", "solutions"],
        help="notebooks or folders for nbval (default: book solutions)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be a positive integer, got {args.jobs}")
    return 0 if run(args.jobs, args.paths) else 1


if __name__ == "__main__":
    sys.exit(main())
