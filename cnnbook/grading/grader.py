"""Grade a folder of submitted notebooks: ``make grade SUBMISSIONS=DIR``.

``cnnbook grade DIR`` looks at every file under DIR (:mod:`cnnbook.grading.
collect`: notebooks are submissions, other files are skipped, a student's
older copy of a notebook is superseded), recognises which exercise each
notebook answers (:mod:`cnnbook.grading.submission`), and grades them:

1. each submission runs in a kernel of its own, in the sandbox, ``jobs`` at a
   time, under the time and memory limits; the answers are read out of the
   kernel as data, a code answer as its source
   (:mod:`cnnbook.grading.running`);
2. one judge per exercise, a fresh interpreter no student code ever ran in,
   judges those answers one at a time, each with its own time limit
   (:mod:`cnnbook.grading.judging`);
3. ``DIR/grades.csv`` gets one row per submission and question, and one per
   skipped file (:mod:`cnnbook.grading.results`), and a table per student is
   printed (:mod:`cnnbook.grading.report`).

The command exits 0 when every file was graded, whatever the grades, and 1
when a notebook matched no exercise, a kernel could not start, a check of the
source failed, or the judge failed on an answer (that answer is named and not
graded; every other answer is graded as usual).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cnnbook.grading.assignment import Assignment, load_assignments
from cnnbook.grading.collect import Found, collect, supersede
from cnnbook.grading.jobs import GradeOptions, Jobs
from cnnbook.grading.judging import Item, JudgeRunner, judge_in_sandbox
from cnnbook.grading.report import rows_of, skipped_row, summary
from cnnbook.grading.results import Row, write_rows
from cnnbook.grading.running import SubmissionRun, run_submission
from cnnbook.grading.submission import read_submission, recognise
from cnnbook.project import REPO, SOURCES

__all__ = ["CSV_NAME", "GradeOptions", "GradeReport", "grade_folder"]

DEFAULT_SOURCE = SOURCES
CSV_NAME = "grades.csv"


@dataclass
class GradeReport:
    rows: list[Row]
    runs: list[SubmissionRun]
    isolation: str
    seconds: float
    problems: list[str]
    skipped: list[Found] = field(default_factory=list)
    csv_path: Path | None = None
    run_seconds: float = 0.0  # wall time of the kernels (all submissions)
    judge_seconds: float = 0.0  # wall time of the judges, after the kernels
    leftovers: int = 0  # processes found under the jobs' uids at the end

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def _prepare(
    found: list[Found],
    assignments: dict[str, Assignment],
    students: Mapping[str, str],
):
    """The submissions, read and recognised, superseded ones marked; each
    belongs to ``students``' id for its folder (the folder's name otherwise)."""
    runs = []
    for entry in found:
        if entry.skipped:
            continue
        nb, problem = read_submission(entry.path)
        assignment = recognise(nb, entry.path, assignments)
        student = students.get(entry.student, entry.student)
        run = SubmissionRun(entry.relative, student, assignment, nb)
        run.mtime = entry.mtime
        if assignment is None:
            run.problem = problem or "the notebook matches none of the exercises"
        elif nb is None:
            run.problem = problem
        runs.append(run)
    newer = supersede(
        [
            (r.relative, r.student, r.mtime, r.assignment.name if r.assignment else "")
            for r in runs
        ]
    )
    for run in runs:
        run.superseded_by = newer.get(run.relative, "")
        if run.superseded_by:
            run.notebook = None
    return runs


def _judge(runs: list[SubmissionRun], jobs: Jobs, judge_runner: JudgeRunner, pool):
    """Judge every captured answer, one judge per assignment; the problems."""
    work: dict[str, tuple[Assignment, list[Item]]] = {}
    owners: dict[str, SubmissionRun] = {}
    for index, run in enumerate(runs):
        for qid, data in run.answers.items():
            item = Item(f"{index}:{qid}", qid, run.student, run.relative, data)
            work.setdefault(run.assignment.name, (run.assignment, []))[1].append(item)
            owners[item.key] = run
    futures = [
        pool.submit(judge_runner, assignment, items, jobs)
        for assignment, items in work.values()
    ]
    problems = []
    for future in futures:
        judged = future.result()
        problems += judged.problems
        for key, verdict in judged.verdicts.items():
            run, qid = owners[key], key.partition(":")[2]
            run.verdicts[qid] = verdict
            if not verdict.graded:
                run.culprits.append(f"{qid} ({verdict.reason})")
    return problems


def grade_folder(
    folder: Path | str,
    source: Path | str = DEFAULT_SOURCE,
    options: GradeOptions | None = None,
    log: Callable[..., None] | None = print,
    judge_runner: JudgeRunner = judge_in_sandbox,
    students: Mapping[str, str] | None = None,
) -> GradeReport:
    """Grade every submission under ``folder`` and write ``folder/grades.csv``.

    ``students`` maps a submission's folder (its first path component) to the
    student's id, from a roster; the id is the variant the answers are drawn
    and judged for, and the ``student`` column. Without it the folder's name
    is the id. Never what the notebook says."""
    options = options or GradeOptions()
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ValueError(f"submissions must be an existing folder, got {str(folder)!r}")
    assignments = load_assignments(source)
    found = collect(folder)
    start = time.monotonic()
    runs = _prepare(found, assignments, students or {})
    protected = [folder, Path(source).resolve(), REPO / "solutions", REPO]
    work = Path(tempfile.mkdtemp(prefix="cnnbook-grade-"))
    os.chmod(work, 0o711)
    jobs = None
    try:
        jobs = Jobs(work, options, protected)
        if log:
            log(
                f"grading {len(runs)} notebooks under {folder}, "
                f"{options.jobs} at a time"
            )
            log(f"sandbox: {jobs.describe()}", flush=True)
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            futures = [pool.submit(run_submission, run, jobs) for run in runs]
            started = time.monotonic()
            for future in futures:
                run = future.result()
                if log:
                    state = (
                        run.problem
                        or run.failure
                        or (
                            f"superseded by {run.superseded_by}"
                            if run.superseded_by
                            else "ran"
                        )
                    )
                    log(f"  {run.relative}: {state} ({run.seconds:.1f} s)", flush=True)
            ran = time.monotonic()
            problems = _judge(runs, jobs, judge_runner, pool)
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
    skipped = [entry for entry in found if entry.skipped]
    rows = [row for run in runs for row in rows_of(run)]
    ids = students or {}
    rows += [skipped_row(entry, ids.get(entry.student)) for entry in skipped]
    rows.sort(key=lambda row: row.submission)  # stable: questions keep their order
    report = GradeReport(
        rows,
        runs,
        jobs.isolation,
        time.monotonic() - start,
        problems,
        skipped,
        run_seconds=ran - started,
        judge_seconds=judged - ran,
        leftovers=jobs.leftovers,
    )
    report.csv_path = folder / CSV_NAME
    write_rows(rows, report.csv_path)
    if log:
        for line in summary(rows, runs):
            log(line)
        log(
            f"graded {len(runs)} notebooks ({len(skipped)} other files skipped) in "
            f"{report.seconds:.1f} s; wrote {report.csv_path}"
        )
        for problem in problems:
            log(f"problem: {problem}")
    return report
