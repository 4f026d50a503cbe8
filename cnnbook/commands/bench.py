"""The performance budget, measured in one run: ``cnnbook bench``.

A student on Binder has 1-2 GB and a slow CPU; CI has 2 cores. This executes
every notebook of the book and the solutions with the deterministic executor
(in memory: nothing in the repository is rewritten), records wall time and the
peak resident memory of the kernel's process tree, measures the floor (a kernel
that only imports TensorFlow and Keras), times the book build and the
calculator's arithmetic, grades a generated class of 60 as ``make grade``
does, with every output of the term (:func:`measure_grading`), writes
``bench/results.json`` and exits 1 when a budget is broken.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbformat.v4 import new_code_cell, new_notebook

from cnnbook import calc
from cnnbook.authoring.execute import execute_notebook
from cnnbook.project import REPO

BUDGETS = {
    # Binder guarantees 1 GB; 100 MB of margin for a busier kernel there.
    "notebook_peak_rss_mb": 900.0,
    "notebook_seconds": 30.0,
    # The book's computation costs about as much again as its kernels'
    # start-up, with the experiments of chapters 1, 4, 5 and 6 over 10 seeds
    # each (every seed of one experiment trains in one graph): 1.88-2.0 on a
    # quiet 2-core machine; 10% more for the floor's own noise.
    "ratio_to_floor": 2.2,
    "book_build_seconds": 30.0,
    "book_rebuild_seconds": 5.0,
    "analyze_150_layers_ms": 10.0,
    # `make grade`: one submission (two at a time) against one kernel that only
    # imports TensorFlow, and a class of 60 on 2 cores, timed with every output
    "grading_ratio_to_floor": 2.5,
    "grading_class_60_seconds": 300.0,
}
GRADING_SOURCE = REPO / "notebooks" / "02_counting_parameters_and_memory.ipynb"
CLASS_SIZE = 60
FLOOR_SOURCE = "import tensorflow as tf\nimport keras"


@dataclass
class PeakMemory:
    """Polls the resident memory of this process's children (the kernel)."""

    interval: float = 0.05
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(self.interval)


def measure_notebook(nb: nbformat.NotebookNode, cwd: Path, label: str) -> dict:
    """Seconds and peak kernel memory (MB) of one deterministic execution."""
    with PeakMemory() as memory:
        start = time.perf_counter()
        execute_notebook(nb, cwd=cwd, label=label)
        seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(memory.peak_bytes / 1e6, 1),
    }


def measure_floor() -> dict:
    """A kernel that only starts and imports TensorFlow and Keras."""
    nb = new_notebook(cells=[new_code_cell(FLOOR_SOURCE)])
    return measure_notebook(nb, REPO, "floor")


def deep_stack(n_layers: int = 150) -> list[calc.Layer]:
    """Conv-BN-ReLU blocks with an occasional pooling step, ``n_layers`` long."""
    if not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"n_layers must be a positive integer, got {n_layers!r}")
    cycle = [
        lambda i: calc.Conv2D(32 + i % 64, 3, padding="same", use_bias=False),
        lambda i: calc.BatchNormalization(),
        lambda i: calc.ReLU(),
    ]
    layers = [cycle[i % 3](i) for i in range(n_layers)]
    for i in range(len(layers) // 30):  # halve the map a few times on the way down
        layers[30 * i + 29] = calc.MaxPooling2D(padding="same")
    return layers


def measure_analyze(n_layers: int = 150, repeats: int = 20) -> float:
    """Best-of milliseconds for ``calc.analyze`` on an ``n_layers`` stack."""
    layers = deep_stack(n_layers)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        calc.analyze((224, 224, 3), layers, batch_size=32)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def measure_book_build() -> dict:
    """A clean build from stored outputs, then a rebuild with nothing changed."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory() as out:
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(
                [
                    str(jupyter_book),
                    "build",
                    str(REPO),
                    "-W",
                    "-n",
                    "--keep-going",
                    "--path-output",
                    out,
                ],
                check=True,
                capture_output=True,
            )
            timings.append(round(time.perf_counter() - start, 2))
    return {"book_build_seconds": timings[0], "book_rebuild_seconds": timings[1]}


def notebooks_to_measure() -> list[Path]:
    return sorted((REPO / "book").glob("*.ipynb")) + sorted(
        (REPO / "solutions").glob("*.ipynb")
    )


def check_budgets(results: dict) -> list[str]:
    """Every broken budget, as a sentence; empty when all hold."""
    broken = []
    for name, row in results["notebooks"].items():
        if row["peak_rss_mb"] > BUDGETS["notebook_peak_rss_mb"]:
            broken.append(
                f"{name}: peak memory {row['peak_rss_mb']} MB > "
                f"{BUDGETS['notebook_peak_rss_mb']} MB"
            )
        if row["seconds"] > BUDGETS["notebook_seconds"]:
            broken.append(
                f"{name}: {row['seconds']} s > {BUDGETS['notebook_seconds']} s"
            )
    for key in (
        "ratio_to_floor",
        "book_build_seconds",
        "book_rebuild_seconds",
        "analyze_150_layers_ms",
        "grading_ratio_to_floor",
        "grading_class_60_seconds",
    ):
        if key in results and results[key] > BUDGETS[key]:
            broken.append(f"{key}: {results[key]} > {BUDGETS[key]}")
    return broken


def sample_class(folder: Path, source: Path, size: int) -> Path:
    """A class of ``size`` students, right, half right, blank and wrong in
    turn (the prose answers of the right ones written), each in a folder
    ``sNN``, and its roster; returns the roster's path."""
    from cnnbook.authoring.exercises import MODEL_ANSWER_STUB
    from cnnbook.grading.assignment import Assignment
    from cnnbook.grading.samples import answered

    assignment = Assignment.from_file(source)
    count = len(assignment.checks)
    lines = ["id,name"]
    for number in range(size):
        right = (count, count // 2, None, 0)[number % 4]
        nb = assignment.exercise
        if right is not None:
            nb = answered(nb, assignment, right)
        if right == count:
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    cell.source = cell.source.replace(
                        MODEL_ANSWER_STUB, "Training keeps every activation."
                    )
        path = folder / f"s{number:02d}" / source.name
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        lines.append(f"s{number:02d},Student {number}")
    roster = folder.parent / "roster.csv"
    roster.write_text("\n".join(lines) + "\n")
    return roster


def measure_grading(
    samples: int = CLASS_SIZE, jobs: int = 2, source: Path = GRADING_SOURCE
):
    """Grade a generated class of ``samples`` submissions of one exercise
    (:func:`sample_class`), ``jobs`` kernels at a time, and write every output
    of the term (gradebook, LMS file, manual.csv, feedback files, report), as
    ``make grade ROSTER=...`` does; time it all (nothing extrapolated)."""
    if not isinstance(samples, int) or samples < jobs:
        raise ValueError(
            f"samples must be an integer of at least jobs, got {samples!r}"
        )
    from cnnbook.grading.grader import GradeOptions
    from cnnbook.term.outputs import grade_rows, grade_term

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        roster = sample_class(folder, source, samples)
        students = {f"s{n:02d}": f"s{n:02d}" for n in range(samples)}
        start = time.monotonic()
        rows, _ = grade_rows(
            folder, source.parent, GradeOptions(jobs=jobs), students, log=None
        )
        graded = time.monotonic()
        grade_term(
            folder, source.parent, course_file=None, roster_file=roster,
            run=False, log=None,
        )  # fmt: skip
        done = time.monotonic()
        feedback_files = len(list((folder / "feedback").glob("*.html")))
    if feedback_files != samples or len({row.submission for row in rows}) != samples:
        raise RuntimeError("the sample class was not graded whole")
    return {
        "grading_samples": samples,
        "grading_jobs": jobs,
        "grading_seconds_per_submission": round((graded - start) * jobs / samples, 2),
        "grading_outputs_seconds": round(done - graded, 2),
        "grading_class_60_seconds": round(done - start, 1),
    }


def run(paths: list[Path], build: bool = True, grading: bool = True, log=print) -> dict:
    if not paths:
        raise ValueError("paths must name at least one notebook to measure")
    results: dict = {"budgets": BUDGETS, "notebooks": {}}
    log("measuring the floor (a kernel that imports TensorFlow and Keras) ...")
    floor = measure_floor()
    results["floor_seconds"] = floor["seconds"]
    results["floor_peak_rss_mb"] = floor["peak_rss_mb"]
    for path in paths:
        name = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        log(f"executing {name} ...")
        nb = nbformat.read(path, as_version=4)
        results["notebooks"][name] = measure_notebook(nb, path.parent, name)
    total = sum(row["seconds"] for row in results["notebooks"].values())
    results["total_seconds"] = round(total, 2)
    results["ratio_to_floor"] = round(total / (len(paths) * floor["seconds"]), 2)
    results["analyze_150_layers_ms"] = round(measure_analyze(), 3)
    if grading:
        log(f"grading a class of {CLASS_SIZE} (chapter 2), two kernels at a time ...")
        results.update(measure_grading())
        results["grading_ratio_to_floor"] = round(
            results["grading_seconds_per_submission"] / floor["seconds"], 2
        )
    if build:
        log("building the book twice ...")
        results.update(measure_book_build())
    results["broken"] = check_budgets(results)
    return results


def print_table(results: dict, log=print) -> None:
    log(f"{'notebook':<50} {'seconds':>8} {'peak MB':>8}")
    for name, row in results["notebooks"].items():
        log(f"{name:<50} {row['seconds']:>8.1f} {row['peak_rss_mb']:>8.0f}")
    log(
        f"{'floor (import tensorflow, keras)':<50} {results['floor_seconds']:>8.1f} "
        f"{results['floor_peak_rss_mb']:>8.0f}"
    )
    for key in (
        "total_seconds",
        "ratio_to_floor",
        "analyze_150_layers_ms",
        "book_build_seconds",
        "book_rebuild_seconds",
        "grading_seconds_per_submission",
        "grading_ratio_to_floor",
        "grading_outputs_seconds",
        "grading_class_60_seconds",
    ):
        if key in results:
            budget = BUDGETS.get(key)
            limit = f"   (budget {budget})" if budget is not None else ""
            log(f"{key:<50} {results[key]:>8}{limit}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnbook bench")
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="notebooks (default: book/*.ipynb and solutions/*.ipynb)",
    )
    parser.add_argument(
        "--no-build", action="store_true", help="skip timing the book build"
    )
    parser.add_argument(
        "--no-grading", action="store_true", help="skip timing `make grade`"
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.json")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or notebooks_to_measure()
    results = run(paths, build=not args.no_build, grading=not args.no_grading)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"results written to {args.output}")
    for sentence in results["broken"]:
        print(f"BUDGET BROKEN: {sentence}", file=sys.stderr)
    return 1 if results["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
