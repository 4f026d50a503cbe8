"""Judging every captured answer, each with its own time limit.

After the kernels have run, the answers of each assignment go to one judge
(:mod:`cnnbook.grading.judge`, a fresh interpreter in the sandbox, as a uid no
student code runs as), one answer at a time. The grader holds the limits:

* getting a question's check ready (building its spec, running the exercise
  up to it) may take the notebook's limit; it is the source's doing, and a
  failure there is a problem of the source, not of any student;
* judging one answer may take ``limits.answer_seconds``; an answer that takes
  longer, or that makes the judge stop, is "not graded" and named in the
  problems. The judge is then replaced by a fresh one, which goes on with the
  next answer: one answer's failure costs only that answer;
* an answer that is code runs in a code host of its own
  (:mod:`cnnbook.grading.host`, in a slot of the students' jobs), set up
  within the cell limit; each call the judge makes is relayed to it, and the
  host's time adds up against its own ``answer_seconds``. A function that
  runs too long, exits or crashes is the student's answer: the check says so
  and the answer earns 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat

from cnnbook.grading.answers import MAX_ANSWER_BYTES
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.channel import Child, ChildFailure
from cnnbook.grading.jobs import Jobs

__all__ = [
    "STATUSES",
    "Item",
    "Judged",
    "Verdict",
    "judge_in_process",
    "judge_in_sandbox",
]

STATUSES = ("correct", "incorrect", "unanswered")
MAX_LINE = 4 * MAX_ANSWER_BYTES + 1_000_000


@dataclass(frozen=True)
class Verdict:
    """What became of one answer: a check's verdict (status "correct",
    "incorrect" or "unanswered"), or "not graded" and why (``reason``)."""

    status: str
    message: str
    reason: str = ""

    @property
    def graded(self) -> bool:
        return self.status in STATUSES


def not_graded(reason: str, message: str = "") -> Verdict:
    return Verdict("not graded", message or f"Not graded: {reason}.", reason)


@dataclass(frozen=True)
class Item:
    """One answer to judge."""

    key: str
    qid: str
    student: str
    submission: str  # the file, relative to the folder: names the culprit
    answer: dict  # encoded data, or code (:meth:`cnnbook.grading.carry.Carried.answer`)

    @property
    def code(self) -> bool:
        return self.answer.get("t") == "code"

    def message(self) -> dict:
        """The item as the judge reads it (code without its source)."""
        answer = self.answer
        if self.code:
            answer = {"t": "code", "name": answer.get("name")}
        return {
            "key": self.key,
            "qid": self.qid,
            "student": self.student,
            "answer": answer,
        }


@dataclass
class Judged:
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # by item key
    problems: list[str] = field(default_factory=list)


JudgeRunner = Callable[[Assignment, list[Item], Jobs], Judged]


def _verdict(reply: object) -> Verdict:
    if not isinstance(reply, dict):
        return not_graded("the judge gave no verdict")
    status, message = reply.get("status"), str(reply.get("message", ""))[:2000]
    if status in STATUSES:
        return Verdict(status, message)
    return not_graded(f"the grader could not judge this answer ({message})")


def _in_order(assignment: Assignment, items: list[Item]) -> list[Item]:
    order = {check.qid: n for n, check in enumerate(assignment.checks)}
    return sorted(items, key=lambda item: order.get(item.qid, len(order)))


def judge_in_process(assignment: Assignment, items: list[Item], jobs=None) -> Judged:
    """Judge ``items`` here, without a sandbox or time limits (for tests of
    the checks; code answers are refused)."""
    from cnnbook.grading.judge import Judge

    source = nbformat.writes(assignment.source)
    judge = Judge({"name": assignment.name, "source": source})
    result = Judged()
    prepared = set()
    for item in _in_order(assignment, items):
        if item.qid not in prepared:
            reply = judge.prepare(item.qid)
            if "error" in reply:
                result.problems.append(f"{assignment.name}: {reply['error']}")
            prepared.add(item.qid)
        verdict = result.verdicts[item.key] = _verdict(judge.judge(item.message()))
        if not verdict.graded:
            result.problems.append(f"{item.submission}: {item.qid}: {verdict.reason}")
    return result


def judge_in_sandbox(assignment: Assignment, items: list[Item], jobs: Jobs) -> Judged:
    """Judge ``items`` in the sandbox, each answer with its own limit."""
    session = _Session(assignment, jobs)
    session.keras = {  # questions whose check needs Keras before any clock runs
        item.qid
        for item in items
        if any(node.get("t") == "keras" for node in _walk(item.answer))
    }
    try:
        for item in _in_order(assignment, items):
            session.result.verdicts[item.key] = session.judge(item)
    finally:
        session.close()
    return session.result


class _Session:
    """One assignment's judge, replaced whenever an answer stops it."""

    def __init__(self, assignment: Assignment, jobs: Jobs) -> None:
        self.assignment = assignment
        self.jobs = jobs
        self.limits = jobs.limits
        self.result = Judged()
        self.child: Child | None = None
        self._slot = None
        self.prepared = ""
        self.broken: dict[str, str] = {}  # qid -> why its check cannot run
        self.keras: set[str] = set()

    # ------------------------------------------------------------ the judge
    def _start(self) -> None:
        self._slot = self.jobs.slot(f"judge-{self.assignment.name[:30]}", judge=True)
        sandbox, folder = self._slot.__enter__()
        log = folder / "judge.log"
        self.child = Child(sandbox, "cnnbook.grading.judge", log, MAX_LINE)
        source = nbformat.writes(self.assignment.source)
        seconds = self.limits.notebook_seconds
        self.child.send(
            {"name": self.assignment.name, "source": source}, _after(seconds)
        )

    def _stop(self) -> None:
        if self.child is not None:
            self.child.kill()
            self.child = None
            self.prepared = ""
        if self._slot is not None:
            self._slot.__exit__(None, None, None)
            self._slot = None

    close = _stop

    def _ready(self, item: Item) -> str:
        """Start the judge and prepare ``item``'s question; why not, or ""."""
        if item.qid in self.broken:
            return self.broken[item.qid]
        try:
            if self.child is None:
                self._start()
            if self.prepared != item.qid:
                reply = self.child.ask(
                    {"prepare": item.qid, "keras": item.qid in self.keras},
                    self.limits.notebook_seconds,
                )
                if "ready" not in reply:
                    raise ChildFailure("source", str(reply.get("error", reply))[:300])
                self.prepared = item.qid
        except ChildFailure as failure:
            log = self.child.last_log_line() if self.child else ""
            self._stop()
            why = f"the grader could not run the check {item.qid} ({failure})"
            if failure.kind == "stopped" and log:
                why = f"{why[:-1]}: {log})"
            self.broken[item.qid] = why
            self.result.problems.append(f"{self.assignment.name}: {why}")
        return self.broken.get(item.qid, "")

    # ------------------------------------------------------------ one answer
    def judge(self, item: Item) -> Verdict:
        why = self._ready(item)
        if why:
            return not_graded(why, f"Not graded: {why}; tell your instructor.")
        host = _Host(self.jobs, item) if item.code else None
        try:
            verdict = host.start() if host is not None else None
            verdict = verdict or self._judge(item, host)
        finally:
            if host is not None:
                host.close()
        if not verdict.graded:  # this answer's, named (a broken check is named once)
            problem = f"{item.submission}: {item.qid}: {verdict.reason}"
            self.result.problems.append(problem)
        return verdict

    def _judge(self, item: Item, host: _Host | None) -> Verdict:
        seconds = self.limits.answer_seconds
        budget = seconds
        try:
            self.child.send({"judge": item.message()}, _after(budget))
            while True:
                start = time.monotonic()
                reply = self.child.receive(_after(budget))
                budget -= time.monotonic() - start
                if "verdict" in reply:
                    return _verdict(reply["verdict"])
                if "call" in reply and host is not None:
                    answer = host.call(reply["call"])
                else:
                    answer = {"raised": "RuntimeError", "message": "no code to call"}
                self.child.send(answer, _after(seconds))
        except ChildFailure as failure:
            log = self.child.last_log_line() if failure.kind == "stopped" else ""
            self._stop()
            if failure.kind == "timeout":
                why = f"judging this answer took longer than its limit of {seconds:g} s"
            else:
                why = f"the grader's judge {failure} while judging this answer"
                why += f" ({log})" if log and log != "no message" else ""
            return not_graded(why, f"Not graded: {why}; your instructor has been told.")


def _walk(data: object):
    """Every dict in an encoded answer."""
    todo = [data]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            yield node
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)


def _after(seconds: float) -> float:
    return time.monotonic() + seconds


class _Host:
    """The code host of one code answer, in a slot of the students' jobs."""

    def __init__(self, jobs: Jobs, item: Item) -> None:
        self.jobs = jobs
        self.item = item
        self.seconds = jobs.limits.answer_seconds
        self.budget = self.seconds
        self.child: Child | None = None
        self.failed: dict | None = None
        self._slot = None

    def start(self) -> Verdict | None:
        """Set the answer up; the verdict when that fails, else None."""
        name = self.item.answer.get("name")
        self._slot = self.jobs.slot(f"host-{self.item.qid[:30]}")
        sandbox, folder = self._slot.__enter__()
        request = {key: self.item.answer.get(key) for key in ("name", "source", "data")}
        seconds = self.jobs.limits.cell_seconds
        try:
            log = folder / "host.log"
            self.child = Child(sandbox, "cnnbook.grading.host", log, MAX_LINE)
            hello = self.child.receive(_after(seconds))  # before any student code
        except ChildFailure as failure:
            why = f"the code host {failure}"
            if failure.kind == "stopped":
                why = f"{why}: {self.child.last_log_line()}"
            return not_graded(why, f"Not graded: {why}; tell your instructor.")
        try:
            if "hello" not in hello:
                raise ChildFailure("unreadable", "did not say hello")
            reply = self.child.ask(request, seconds)
        except ChildFailure as failure:
            reply = {"error": f"setting it up {failure}"}
        if "ready" in reply:
            return None
        error = str(reply.get("error", "no reply"))[:300]
        return Verdict(
            "incorrect",
            f"Not quite: your `{name}` could not be set up outside your kernel, where "
            f"the grader runs it: {error}. The grader runs the imports, functions and "
            "classes your cells define at their top level, and nothing else.",
        )

    def call(self, message: dict) -> dict:
        if self.failed is not None:
            return self.failed
        start = time.monotonic()
        try:
            reply = self.child.ask(message, self.budget)
        except ChildFailure as failure:
            self.child.kill()
            if failure.kind == "timeout":
                text = f"your function ran longer than its limit of {self.seconds:g} s"
            else:
                text = f"the process running your function {failure}"
            self.failed = {"raised": _exception_name(failure.kind), "message": text}
            return self.failed
        finally:
            self.budget -= time.monotonic() - start
        return reply  # relayed as it is: the judge reads it as the function's result

    def close(self) -> None:
        if self.child is not None:
            self.child.kill()
        if self._slot is not None:
            self._slot.__exit__(None, None, None)
            self._slot = None


def _exception_name(kind: str) -> str:
    return {"timeout": "TimeoutError", "memory": "MemoryError"}.get(
        kind, "RuntimeError"
    )
