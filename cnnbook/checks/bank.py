"""The question bank: every exercise question, with its points and its spec.

A chapter module (``cnnbook/checks/ch03.py``) declares each question of its
exercise notebook once, as a function of the chapter's variant (the student's
numbers, :mod:`cnnbook.checks.variants`)::

    @question(points=2)
    def segments(v: Variant | None = None) -> NumberSpec:
        '''3a: how many segments the square-root rule chooses.'''
        v = v or variant()
        return NumberSpec(memory_plan.sqrt_segments(v.chain_layers), ...)

The function returns the question's spec for that variant: the expected
answer, its tolerance, its known mistakes and hints (any object with
``judge(answer) -> Feedback``). The notebook's check cell names the question
and passes only the student's variable::

    checks.ch03.segments(segments)

and the question judges it against the spec of the student in force (the
grader's ``as_student(id)``, else the notebook's id, else the default), built
once per student. The expected value, its formula and the right options never
appear in the student's notebook, and a question shows no spec: the grader
knows each question by its id (``"ch03.segments"``) and its points.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from cnnbook.checks import variants
from cnnbook.checks.feedback import Feedback, wrong

__all__ = ["BANK", "CHAPTERS", "Question", "question", "questions"]

CHAPTERS = ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07")
"""The chapter modules of the bank, ``cnnbook/checks/chNN.py``."""

BANK: dict[str, Question] = {}
"""Every declared question by id (``"ch03.segments"``), in declaration order."""


@dataclass(frozen=True)
class Question:
    """One question: ``question(answer)`` is the feedback on a student's answer."""

    qid: str
    points: int
    _make_spec: Callable[[], object] = field(repr=False)
    title: str = ""

    def _spec(self):
        """The spec of the student in force (built once per student). Private:
        it holds the answer; tests and the grader's tools may read it."""
        return _spec_of(self.qid, self._make_spec, variants.student())

    def __call__(self, answer: object = ...) -> Feedback:
        """The feedback on ``answer``. Never raises: an error while judging (a
        bug of the bank, or a student's object that misbehaves, even with
        ``sys.exit()``) is feedback; only an interrupt the student presses
        (KeyboardInterrupt) still interrupts."""
        try:
            return self._spec().judge(answer)
        except KeyboardInterrupt:
            raise
        except BaseException as err:  # the student's object: report, never raise
            return wrong(
                f"this answer could not be checked ({type(err).__name__}); "
                "check its type against the question, or ask your instructor."
            )


@functools.lru_cache(maxsize=4096)
def _spec_of(qid: str, make_spec: Callable[[], object], student_id: str | None):
    spec = make_spec()  # reads the variant of the student in force
    if not callable(getattr(spec, "judge", None)):
        raise TypeError(
            f"question {qid} must return a spec with judge(answer), got {spec!r}"
        )
    return spec


def question(points: int = 1) -> Callable[[Callable[[], object]], Question]:
    """Declare a question of a chapter module; its id is ``"<module>.<name>"``."""
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise ValueError(f"points must be a positive integer, got {points!r}")

    def declare(make_spec: Callable[[], object]) -> Question:
        module = make_spec.__module__.rpartition(".")[2]
        qid = f"{module}.{make_spec.__name__}"
        paragraph = (make_spec.__doc__ or "").strip().split("\n\n")[0]
        declared = Question(qid, points, make_spec, " ".join(paragraph.split()))
        if qid in BANK:
            raise ValueError(f"question {qid} is declared twice")
        BANK[qid] = declared
        return declared

    return declare


def questions(chapter: str | None = None) -> list[Question]:
    """The declared questions, of one chapter module (``"ch03"``) or of all
    (importing the chapter modules, which declare them)."""
    if chapter is not None and chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {list(CHAPTERS)}, got {chapter!r}")
    for name in CHAPTERS if chapter is None else (chapter,):
        importlib.import_module(f"cnnbook.checks.{name}")
    return [
        q
        for name in CHAPTERS
        for qid, q in BANK.items()
        if qid.partition(".")[0] == name and chapter in (None, name)
    ]
