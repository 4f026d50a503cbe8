"""Running one submission: its cells in a sandboxed kernel, its answers read as data.

Each submission runs in a kernel of its own (:mod:`cnnbook.grading.kernel`),
in a sandbox of the jobs' slots, under the time and memory limits, following
the plan of :mod:`cnnbook.grading.submission`. At each of the source's check
cells the grader reads the student's answer out of the kernel as data
(:mod:`cnnbook.grading.capture`); an answer that is code is taken from the
cells the grader ran (:mod:`cnnbook.grading.carry`), with the data it needs.
Nothing is judged here: the answers go to the judge
(:mod:`cnnbook.grading.judging`) once every kernel has finished.

A submission that fails (a cell over its time limit, the kernel over its
memory limit, ``os._exit``, a crash) keeps the answers read before the
failure; every later question is not graded, and says why. A cell whose
output is too large loses that output, and the grading goes on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cnnbook.checks import variants
from cnnbook.grading.answers import (
    capture_expression,
    names_expression,
    read_reply,
    short_text,
)
from cnnbook.grading.assignment import Assignment, GradedCheck
from cnnbook.grading.carry import CannotCarry, carry, needed_data
from cnnbook.grading.jobs import Jobs
from cnnbook.grading.judging import Verdict, not_graded
from cnnbook.grading.kernel import MAX_MESSAGE_BYTES, KernelFailure, StudentKernel
from cnnbook.grading.submission import plan

__all__ = ["NOT_DATA", "SubmissionRun", "run_submission"]

NOT_DATA = (
    "the grader reads numbers, text, lists, tuples, sets, dicts, NumPy arrays and "
    "Keras models built with keras.Sequential or the functional API; your answer "
    "is none of those."
)
DROPPED = (
    "The output of {label} was larger than {mib} MiB and was dropped; the grading "
    "went on."
)


@dataclass
class SubmissionRun:
    """One submitted file: what running it gave, answers to judge, verdicts."""

    relative: str  # the file, relative to the folder (posix)
    student: str
    assignment: Assignment | None
    notebook: nbformat.NotebookNode | None = None
    problem: str = ""  # why the file is not graded at all
    superseded_by: str = ""  # the newer submission of the same notebook
    mtime: float = 0.0
    answers: dict[str, dict] = field(default_factory=dict)  # qid -> to judge
    shown: dict[str, str] = field(default_factory=dict)  # qid -> answer as read
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    failure: str = ""
    failure_kind: str = ""  # KernelFailure.kind; "start" is the grader's problem
    culprits: list[str] = field(default_factory=list)  # answers the judge failed on
    seconds: float = 0.0


def run_submission(run: SubmissionRun, jobs: Jobs) -> SubmissionRun:
    """Run ``run``'s notebook in a sandbox of a free slot, reading its answers."""
    start = time.monotonic()
    if run.assignment is not None and run.notebook is not None:
        # The student's numbers: the variant cell computes them in the kernel
        # for this id, whatever id the notebook sets (checks.variants).
        student = {variants.KERNEL_ENV: run.student}
        with jobs.slot(Path(run.relative).stem[:40], env=student) as (sandbox, folder):
            _run_kernel(run, sandbox, folder, jobs.limits)
        run.notebook = None  # not needed any more; a class's notebooks add up
    run.seconds = time.monotonic() - start
    return run


def _run_kernel(run: SubmissionRun, sandbox, folder: Path, limits) -> None:
    steps = plan(run.notebook, run.assignment)
    deadline = time.monotonic() + limits.notebook_seconds
    ran: list[str] = []  # every cell's code run so far: code answers come from it
    pending: list[str] = []  # notes for the next question
    step = None
    try:
        with StudentKernel(
            sandbox, folder / "kernel", deadline, folder / "kernel.log"
        ) as kernel:
            for step in steps:
                if step.code.strip():
                    ran.append(step.code)
                    reply = kernel.execute(step.code, limits.cell_seconds)
                    if reply.dropped:
                        mib = MAX_MESSAGE_BYTES // 2**20
                        pending.append(DROPPED.format(label=step.label, mib=mib))
                if step.check is not None:
                    run.notes[step.check.qid] = [*step.notes, *pending]
                    pending.clear()
                    _capture(run, kernel, step.check, ran, limits.cell_seconds)
    except KernelFailure as failure:
        where = f" ({step.label})" if step is not None and step.label else ""
        run.failure = f"{failure}{where}"
        run.failure_kind = failure.kind
        for check in run.assignment.checks:
            if check.qid not in run.answers and check.qid not in run.verdicts:
                run.verdicts[check.qid] = not_graded(
                    run.failure,
                    f"Not graded: {run.failure}, before this question was checked; "
                    "the answers checked before it count.",
                )


def _read(kernel: StudentKernel, expression: str, seconds: float) -> dict | None:
    reply = kernel.execute("", seconds, {"answer": expression}, silent=True)
    return read_reply(reply.message)


def _capture(run, kernel, check: GradedCheck, ran: list[str], seconds) -> None:
    qid = check.qid
    if check.answer is None:
        run.verdicts[qid] = not_graded("the source's check names no answer")
        return
    data = _read(kernel, capture_expression(check.answer), seconds)
    kind = data.get("t") if data else None
    if data is None:
        run.verdicts[qid] = Verdict(
            "incorrect", "Not quite: your answer could not be read out of the kernel."
        )
    elif kind == "missing":
        run.verdicts[qid] = Verdict(
            "unanswered",
            f"Not answered yet: {data.get('v')}; run the cell that computes it.",
        )
    elif kind == "error":
        run.verdicts[qid] = Verdict(
            "incorrect",
            f"Not quite: computing `{check.answer}` raised {data.get('v')}.",
        )
    elif kind != "opaque":
        run.answers[qid] = data
        run.shown[qid] = short_text(data)
    elif not check.code_answer:
        run.verdicts[qid] = Verdict("incorrect", f"Not quite: {NOT_DATA}")
    else:
        _carry(run, kernel, check, ran, seconds)


def _carry(run, kernel, check: GradedCheck, ran: list[str], seconds) -> None:
    """Carry a code answer out of the kernel: its source from the cells, the
    data it needs from the kernel; or 0 and why not."""
    try:
        carried = carry(check.answer, ran)
        run.shown[check.qid] = carried.line
        if carried.data_names:
            values = _read(kernel, names_expression(list(carried.data_names)), seconds)
            if values is None or values.get("t") == "error":
                raise CannotCarry(
                    f"the data `{check.answer}` uses "
                    f"({', '.join(carried.data_names)}) could not be read out of your "
                    "kernel: more than 2 MB, or unreadable"
                )
            carried = needed_data(carried, values)
    except CannotCarry as why:
        run.verdicts[check.qid] = Verdict(
            "incorrect",
            f"Not quite: {why}. (An answer that is code is judged outside your "
            "kernel, from the cells you ran.)",
        )
        return
    run.answers[check.qid] = carried.answer()
