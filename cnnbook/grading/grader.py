"""Grade a folder of submitted notebooks: ``make grade SUBMISSIONS=DIR``.

``cnnbook grade DIR`` finds every ``*.ipynb`` under DIR
(hidden folders such as ``.ipynb_checkpoints`` skipped), recognises which
exercise each one answers (:mod:`cnnbook.grading.submission`), and grades
them in parallel, ``jobs`` at a time:

1. each submission runs in a kernel of its own, in the sandbox
   (:mod:`cnnbook.grading.sandbox`), under the time and memory limits;
   at each of the source's check cells the grader reads the student's answer
   out of the kernel as data (:mod:`cnnbook.grading.answers`);
2. one judge per exercise (:mod:`cnnbook.grading.judge`), a fresh
   interpreter no student code ever ran in, judges those answers with the
   source's checks;
3. ``DIR/grades.csv`` gets one row per submission and question:
   ``submission,notebook,question,points,max_points,feedback``, and a table
   per student is printed.

A submission that fails (a cell over its time limit, the kernel over its
memory limit, ``os._exit``, a crash, a file that is not a notebook) keeps the
points of the questions checked before the failure; every later question gets
0 and a feedback line that says what happened. Other submissions are graded
as usual. The command exits 0 when every file was graded, whatever the grades,
and 1 when a file matched no exercise, a kernel could not start, or a check of
the source failed.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

import cnnbook
from cnnbook.grading.answers import capture_code, kernel_check_code, read_reply
from cnnbook.grading.assignment import Assignment, GradedCheck, load_assignments
from cnnbook.grading.kernel import KernelFailure, StudentKernel, kernel_environment
from cnnbook.grading.processes import (
    UidLease,
    kill_processes,
    probe_isolation,
    processes_of,
)
from cnnbook.grading.sandbox import (
    SCRATCH,
    Limits,
    Sandbox,
    visible_paths,
    wrapped_command,
)
from cnnbook.grading.submission import plan, read_submission, recognise
from cnnbook.project import REPO, SOURCES
from cnnbook.validate import positive_int

__all__ = ["CSV_NAME", "GradeOptions", "GradeReport", "Row", "grade_folder"]

DEFAULT_SOURCE = SOURCES
CSV_NAME = "grades.csv"
STATUSES = ("correct", "incorrect", "unanswered")
CSV_FIELDS = ("submission", "notebook", "question", "points", "max_points", "feedback")
IN_KERNEL = (
    " (Judged in your kernel: your answer is code, which the grader cannot "
    "copy out of it.)"
)
NOT_DATA = (
    "the grader reads numbers, text, lists, tuples, sets, dicts, NumPy arrays and "
    "Keras models built with keras.Sequential or the functional API; your answer "
    "is none of those."
)
ISOLATION_TEXT = {
    "full": "own mount and network namespaces, a private read-only root, "
    "a scratch tmpfs, a uid per job",
    "limits": "resource limits only: the kernels can see the files and network "
    "this user can",
}


@dataclass(frozen=True)
class GradeOptions:
    jobs: int = os.cpu_count() or 1
    limits: Limits = field(default_factory=Limits)
    isolation: str = "auto"  # "auto", "full" or "limits"

    def __post_init__(self) -> None:
        positive_int("jobs", self.jobs)
        if self.isolation not in ("auto", "full", "limits"):
            raise ValueError(
                f"isolation must be 'auto', 'full' or 'limits', got {self.isolation!r}"
            )


@dataclass(frozen=True)
class Verdict:
    status: str  # "correct", "incorrect", "unanswered", "not graded"
    message: str


@dataclass(frozen=True)
class Row:
    submission: str
    notebook: str
    question: str
    points: int
    max_points: int
    feedback: str


@dataclass
class SubmissionRun:
    """What running one submission gave: answers to judge, verdicts known."""

    relative: str
    assignment: Assignment | None
    problem: str = ""
    answers: dict[str, dict] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    failure: str = ""
    failure_kind: str = ""  # KernelFailure.kind; "start" is the grader's problem
    seconds: float = 0.0


@dataclass
class GradeReport:
    rows: list[Row]
    runs: list[SubmissionRun]
    isolation: str
    seconds: float
    problems: list[str]
    csv_path: Path | None = None
    run_seconds: float = 0.0  # wall time of the kernels (all submissions)
    judge_seconds: float = 0.0  # wall time of the judges, after the kernels
    leftovers: int = 0  # processes found under the jobs' uids at the end

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


# --------------------------------------------------------------------------- sandboxes
class Jobs:
    """Sandboxes for the parallel jobs: a folder, and as root a uid, each."""

    def __init__(self, work: Path, options: GradeOptions, protected: list[Path]):
        self.work = work
        self.limits = options.limits
        self.read_only = visible_paths(protected)
        self.python_path = str(Path(cnnbook.__file__).resolve().parent.parent)
        self.root = os.getuid() == 0
        self.lease = UidLease(options.jobs) if self.root else None
        self.leftovers = 0
        isolation, self.why_not_full = options.isolation, ""
        if isolation == "auto":
            first = self.lease.uids[0] if self.lease else None
            isolation, self.why_not_full = probe_isolation(work, protected, first)
        self.isolation = isolation
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(options.jobs):
            self.slots.put(slot)
        self._numbers = itertools.count(1)

    def uid(self, slot: int) -> int | None:
        if not self.root:
            return None
        if self.isolation == "limits" and not _reachable_by_others(sys.executable):
            return None
        return self.lease.uids[slot]

    def close(self) -> None:
        """Release the uids, counting first any process left under them
        (there should be none: every job kills its uid's processes)."""
        if self.lease is not None:
            self.leftovers = sum(
                len(processes_of(uid, None)) for uid in self.lease.uids
            )
            self.lease.close()

    def sandbox(self, slot: int, name: str) -> tuple[Sandbox, Path]:
        """A fresh sandbox and its host folder for one run in ``slot``."""
        folder = self.work / f"{next(self._numbers):04d}-{name}"
        kernel_dir, root_dir = folder / "kernel", folder / "root"
        scratch = folder / "scratch"
        for path in (kernel_dir, root_dir, scratch):
            path.mkdir(parents=True)
        uid = self.uid(slot)
        if uid is not None:
            os.chown(scratch, uid, uid)
            os.chmod(scratch, 0o700)
            os.chown(kernel_dir, uid, uid)
        home = SCRATCH if self.isolation == "full" else str(scratch)
        sandbox = Sandbox(
            isolation=self.isolation,
            uid=uid,
            limits=self.limits,
            kernel_dir=str(kernel_dir),
            root_dir=str(root_dir),
            read_only=self.read_only,
            env=kernel_environment(home, self.python_path),
            cwd=str(scratch),
        )
        return sandbox, folder

    def describe(self) -> str:
        text = f"{self.isolation} ({ISOLATION_TEXT[self.isolation]})"
        if self.why_not_full:
            text += f"; full isolation unavailable here: {self.why_not_full}"
        if self.root and self.uid(0) is None:
            text += "; WARNING: the kernels run as root"
        return text


def _reachable_by_others(path: str) -> bool:
    """Whether a user other than the owner can run ``path`` (every folder on
    the way searchable by others)."""
    real = Path(os.path.realpath(path))
    for folder in real.parents:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(real).st_mode & 0o005)


# --------------------------------------------------------------------------- one run
def run_submission(
    path: Path, relative: str, assignments: dict[str, Assignment], jobs: Jobs
) -> SubmissionRun:
    """Run one submission's cells in its sandbox and read its answers."""
    start = time.monotonic()
    nb, problem = read_submission(path)
    assignment = recognise(nb, path, assignments)
    run = SubmissionRun(relative, assignment)
    if assignment is None:
        run.problem = problem or "the notebook matches none of the exercises"
    elif nb is None:
        run.problem = problem
    else:
        slot = jobs.slots.get()
        try:
            _run_kernel(run, nb, assignment, jobs, slot)
        finally:
            jobs.slots.put(slot)
    run.seconds = time.monotonic() - start
    return run


def _run_kernel(run, nb, assignment: Assignment, jobs: Jobs, slot: int) -> None:
    limits = jobs.limits
    steps = plan(nb, assignment)
    sandbox, folder = jobs.sandbox(slot, Path(run.relative).stem[:40])
    deadline = time.monotonic() + limits.notebook_seconds
    step = None
    try:
        with StudentKernel(
            sandbox, folder / "kernel", deadline, folder / "kernel.log"
        ) as kernel:
            for step in steps:
                if step.code.strip():
                    kernel.execute(step.code, limits.cell_seconds)
                if step.check is not None:
                    run.notes[step.check.qid] = step.notes
                    _capture(run, kernel, step.check, assignment, limits)
    except KernelFailure as failure:
        where = f" ({step.label})" if step is not None and step.label else ""
        run.failure = f"{failure}{where}"
        run.failure_kind = failure.kind
        for check in assignment.checks:
            if check.qid not in run.answers and check.qid not in run.verdicts:
                run.verdicts[check.qid] = Verdict(
                    "not graded",
                    f"Not graded: {run.failure}, before this question was checked; "
                    "the answers checked before it count.",
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _capture(run, kernel, check: GradedCheck, assignment, limits) -> None:
    seconds = limits.cell_seconds
    data = None
    if check.answer is not None:
        code, expression = capture_code(check.answer)
        data = read_reply(kernel.execute(code, seconds, {"answer": expression}).message)
        if data is None:
            run.verdicts[check.qid] = Verdict(
                "incorrect",
                "Not quite: your answer could not be read out of the kernel.",
            )
            return
        kind = data.get("t")
        if kind == "missing":
            run.verdicts[check.qid] = Verdict(
                "unanswered",
                f"Not answered yet: {data.get('v')}; run the cell that computes it.",
            )
            return
        if kind == "error":
            run.verdicts[check.qid] = Verdict(
                "incorrect",
                f"Not quite: computing `{check.answer}` raised {data.get('v')}.",
            )
            return
        if kind != "opaque":
            run.answers[check.qid] = data
            return
        if not check.code_answer:  # only code may be judged in the kernel
            run.verdicts[check.qid] = Verdict("incorrect", f"Not quite: {NOT_DATA}")
            return
    code, expression = kernel_check_code(check.call, assignment.bindings)
    verdict = read_reply(kernel.execute(code, seconds, {"answer": expression}).message)
    if not verdict or verdict.get("status") not in STATUSES:
        run.verdicts[check.qid] = Verdict(
            "incorrect", "Not quite: the check could not run in your kernel."
        )
        return
    run.verdicts[check.qid] = Verdict(
        verdict["status"], f"{str(verdict.get('message'))[:1000]}{IN_KERNEL}"
    )


# --------------------------------------------------------------------------- judging
JudgeRunner = Callable[[Assignment, list[dict], Jobs], dict]


def judge_in_sandbox(assignment: Assignment, items: list[dict], jobs: Jobs) -> dict:
    """Run :mod:`cnnbook.grading.judge` in a sandbox of its own."""
    source = nbformat.writes(assignment.source)
    request = json.dumps({"name": assignment.name, "source": source, "items": items})
    slot = jobs.slots.get()
    sandbox, folder = jobs.sandbox(slot, f"judge-{assignment.name[:30]}")
    command = [sys.executable, "-m", "cnnbook.grading.judge"]
    seconds = 2 * jobs.limits.notebook_seconds
    try:
        with open(folder / "judge.log", "wb") as log:
            process = subprocess.Popen(
                wrapped_command(sandbox, command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                cwd=sandbox.cwd,
            )
            try:
                out, _ = process.communicate(request.encode(), timeout=seconds)
            except subprocess.TimeoutExpired:
                return {"failed": f"the judge ran longer than {seconds:g} s"}
            finally:
                kill_processes(sandbox.uid, process.pid)
        try:
            return json.loads(out)
        except ValueError:
            tail = (folder / "judge.log").read_text(errors="replace").strip()
            last = tail.splitlines()[-1][:300] if tail else "no message"
            code = process.returncode
            return {"failed": f"the judge stopped (exit code {code}): {last}"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        jobs.slots.put(slot)


def _judge_all(runs, jobs: Jobs, judge_runner: JudgeRunner, pool) -> list[str]:
    """Judge every captured answer, one judge per assignment; the problems."""
    work: dict[str, tuple[Assignment, list[dict]]] = {}
    for index, run in enumerate(runs):
        for qid, data in run.answers.items():
            name = run.assignment.name
            assignment, items = work.setdefault(name, (run.assignment, []))
            items.append({"key": f"{index}:{qid}", "qid": qid, "answer": data})
    futures = {
        name: pool.submit(judge_runner, assignment, items, jobs)
        for name, (assignment, items) in work.items()
    }
    problems = []
    for name, future in futures.items():
        reply = future.result()
        failed = reply.get("failed")
        if failed:
            problems.append(f"{name}: {failed}")
        problems += [f"{name}: the check {error}" for error in reply.get("errors", [])]
        results = reply.get("results", {})
        for item in work[name][1]:
            run = runs[int(item["key"].split(":")[0])]
            result = results.get(item["key"])
            if isinstance(result, dict) and result.get("status") in STATUSES:
                verdict = Verdict(result["status"], str(result["message"]))
            else:
                message = (result or {}).get("message") or (
                    "Not graded: the grader's judge failed "
                    f"({failed or 'no verdict'}); tell your instructor."
                )
                verdict = Verdict("not graded", str(message))
            run.verdicts[item["qid"]] = verdict
    return problems


# --------------------------------------------------------------------------- report
def rows_of(run: SubmissionRun) -> list[Row]:
    assignment = run.assignment
    if assignment is None:
        return [Row(run.relative, "", "", 0, 0, f"Not graded: {run.problem}.")]
    rows = []
    for check in assignment.checks:
        if run.problem:
            verdict = Verdict("not graded", f"Not graded: {run.problem}.")
        else:
            verdict = run.verdicts.get(
                check.qid, Verdict("not graded", "Not graded: no verdict.")
            )
        feedback = " ".join([verdict.message, *run.notes.get(check.qid, [])])
        points = check.points if verdict.status == "correct" else 0
        name, qid = assignment.name, check.qid
        rows.append(Row(run.relative, name, qid, points, check.points, feedback))
    return rows


def write_csv(rows: list[Row], path: Path) -> None:
    """Write ``rows`` to ``path`` atomically (a new file renamed into place,
    so whatever stands at ``path``, even a link, is replaced, not followed)."""
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=".grades-", suffix=".csv"
    )
    with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for row in rows:
            writer.writerow(
                [
                    row.submission,
                    row.notebook,
                    row.question,
                    row.points,
                    row.max_points,
                    row.feedback,
                ]
            )
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def student_of(relative: str) -> str:
    parts = Path(relative).parts
    return parts[0] if len(parts) > 1 else Path(relative).stem


def summary(report: GradeReport) -> list[str]:
    """A table per student: each notebook's points and what went wrong."""
    lines = [f"{'student':<20} {'notebook':<42} {'points':>9}  note"]
    for run in sorted(report.runs, key=lambda r: r.relative):
        name = run.assignment.name if run.assignment else "?"
        rows = [row for row in report.rows if row.submission == run.relative]
        earned = sum(row.points for row in rows)
        total = sum(row.max_points for row in rows)
        note = run.problem or run.failure
        lines.append(
            f"{student_of(run.relative):<20} {name:<42} {earned:>4} / {total:<3} {note}"
        )
    return lines


# ------------------------------------------------------------------------- the command
def find_submissions(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` under ``folder``, not in hidden folders, sorted."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def grade_folder(
    folder: Path | str,
    source: Path | str = DEFAULT_SOURCE,
    options: GradeOptions | None = None,
    log: Callable[..., None] | None = print,
    judge_runner: JudgeRunner = judge_in_sandbox,
) -> GradeReport:
    """Grade every submission under ``folder`` and write ``folder/grades.csv``."""
    options = options or GradeOptions()
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ValueError(f"submissions must be an existing folder, got {str(folder)!r}")
    assignments = load_assignments(source)
    paths = find_submissions(folder)
    start = time.monotonic()
    protected = [folder, Path(source).resolve(), REPO / "solutions", REPO]
    work = Path(tempfile.mkdtemp(prefix="cnnbook-grade-"))
    os.chmod(work, 0o711)
    jobs = None
    try:
        jobs = Jobs(work, options, protected)
        if log:
            log(
                f"grading {len(paths)} notebooks under {folder}, "
                f"{options.jobs} at a time"
            )
            log(f"sandbox: {jobs.describe()}", flush=True)
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            futures = [
                pool.submit(
                    run_submission,
                    path,
                    path.relative_to(folder).as_posix(),
                    assignments,
                    jobs,
                )
                for path in paths
            ]
            runs = []
            started = time.monotonic()
            for future in futures:
                run = future.result()
                runs.append(run)
                if log:
                    state = run.problem or run.failure or "ran"
                    log(f"  {run.relative}: {state} ({run.seconds:.1f} s)", flush=True)
            ran = time.monotonic()
            problems = _judge_all(runs, jobs, judge_runner, pool)
            judged = time.monotonic()
    finally:
        if jobs is not None:
            jobs.close()
        shutil.rmtree(work, ignore_errors=True)
    problems += [
        f"{run.relative}: {run.problem}" for run in runs if run.assignment is None
    ]
    problems += [  # no student code runs before the kernel is up
        f"{run.relative}: {run.failure}" for run in runs if run.failure_kind == "start"
    ]
    rows = [row for run in runs for row in rows_of(run)]
    report = GradeReport(
        rows,
        runs,
        jobs.isolation,
        time.monotonic() - start,
        problems,
        run_seconds=ran - started,
        judge_seconds=judged - ran,
        leftovers=jobs.leftovers,
    )
    report.csv_path = folder / CSV_NAME
    write_csv(rows, report.csv_path)
    if log:
        for line in summary(report):
            log(line)
        log(
            f"graded {len(runs)} notebooks in {report.seconds:.1f} s; "
            f"wrote {report.csv_path}"
        )
        for problem in problems:
            log(f"problem: {problem}")
    return report
