"""Whose variant of the exercises this is: the student's id, and the seed it gives.

Each student gets their own numbers: a question's parameters are drawn from a
generator seeded by the student's id and the question's id
(:func:`rng`), so two students get different numbers and each always gets the
same ones. Which id, in order:

1. inside ``with as_student(id):`` that id: the grader judges every answer as
   the student whose folder (or roster entry) it came from, never as whoever
   the notebook claims to be;
2. the environment variable ``CNNBOOK_STUDENT_ID`` (:data:`KERNEL_ENV`), which
   a kernel that runs a notebook *for* a student is given: the grader's kernel
   of a submission, ``cnnbook solutions --student ID``; what the notebook's
   setup cell says does not change it;
3. the id set in the notebook's setup cell, ``checks.set_student("jdoe")``;
4. ``JUPYTERHUB_USER`` on a course's own JupyterHub (not on Binder, whose user
   names are random: Binder sets ``BINDER_REPO_URL``, and there it is ignored);
5. none: the default variant, which Binder, Colab and the published solutions
   show.

A chapter's numbers are a :class:`Variant` (a frozen dataclass that prints
itself as the student's numbers), drawn by :func:`draw` from the student's
generator; the default variant is the chapter's own, chosen by hand so that
no answer of it can be read off the chapter.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import random
import textwrap
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import ClassVar, TypeVar

__all__ = [
    "KERNEL_ENV",
    "MAX_ID_LENGTH",
    "Variant",
    "as_student",
    "check_id",
    "draw",
    "rng",
    "seed",
    "set_student",
    "shuffled",
    "student",
]

WIDTH = 88
"""Printed numbers wrap at the notebooks' width, to read on a phone."""
KERNEL_ENV = "CNNBOOK_STUDENT_ID"
"""The environment variable that names the student a kernel works for."""

MAX_ID_LENGTH = 100
"""Longest student id accepted (a login, an email address, a roster id)."""

_judged_as: ContextVar[str | None] = ContextVar("cnnbook_judged_as", default=None)
_set_in_notebook: list[str | None] = [None]


def _valid(student_id: object) -> str | None:
    if student_id is None:
        return None
    if (
        not isinstance(student_id, str)
        or not student_id.strip()
        or len(student_id) > MAX_ID_LENGTH
        or not student_id.isprintable()
    ):
        shown = repr(student_id)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise ValueError(
            f"student_id must be a non-empty printable string of at most "
            f"{MAX_ID_LENGTH} characters (your login or student number), got {shown}"
        )
    return student_id.strip()


def check_id(student_id: object) -> str | None:
    """``student_id`` stripped, or ValueError naming what an id must be."""
    return _valid(student_id)


def set_student(student_id: str | None) -> str | None:
    """Set the id this notebook's questions are drawn for (``None``: the
    default variant); returns it. The setup cell of an exercise calls it."""
    _set_in_notebook[0] = _valid(student_id)
    return _set_in_notebook[0]


def student() -> str | None:
    """The id whose variant is in force (see the module docstring), or None."""
    judged = _judged_as.get()
    if judged is not None:
        return judged or None
    given = os.environ.get(KERNEL_ENV, "")
    if given.strip():
        try:
            return _valid(given)
        except ValueError:
            return None
    if _set_in_notebook[0] is not None:
        return _set_in_notebook[0]
    hub = os.environ.get("JUPYTERHUB_USER", "")
    if hub and not os.environ.get("BINDER_REPO_URL"):
        try:
            return _valid(hub)
        except ValueError:
            return None
    return None


@contextlib.contextmanager
def as_student(student_id: str | None) -> Iterator[None]:
    """Judge as ``student_id`` (``None``: the default variant) inside the block,
    whatever the notebook set: what the grader uses."""
    token = _judged_as.set(_valid(student_id) or "")
    try:
        yield
    finally:
        _judged_as.reset(token)


def seed(qid: str, student_id: str | None = None) -> int:
    """A 64-bit seed for question ``qid`` of ``student_id`` (default: the id
    in force); the default variant's seed depends on ``qid`` only."""
    if not isinstance(qid, str) or not qid:
        raise ValueError(
            f"qid must be a question id such as 'ch02.params', got {qid!r}"
        )
    who = _valid(student_id) if student_id is not None else student()
    digest = hashlib.sha256(f"{who or ''}\x00{qid}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def rng(qid: str, student_id: str | None = None) -> random.Random:
    """A generator of question ``qid``'s parameters for ``student_id``."""
    return random.Random(seed(qid, student_id))


V = TypeVar("V", bound="Variant")
_drawn: dict[tuple[str, str | None], object] = {}
ATTEMPTS = 500
"""Draws tried before a student falls back to the default variant (a test
shows that no id of a sample needs more than a few)."""


def draw(
    group: str,
    make: Callable[[random.Random], V],
    default: V,
    valid: Callable[[V], bool] = lambda variant: True,
) -> V:
    """The variant of ``group`` (``"ch02"``) for the student in force: the
    ``default`` without an id, else the first of ``make(generator)``'s draws
    that is ``valid`` (every named mistake told apart from the answer), the
    same on every call. Variants carry the id they were drawn for."""
    who = student()
    key = (group, who)
    if key not in _drawn:
        chosen = default
        if who is not None:
            generator = rng(group, who)
            for _ in range(ATTEMPTS):
                candidate = make(generator)
                if candidate != default and valid(candidate):
                    chosen = candidate
                    break
        _drawn[key] = dataclasses.replace(chosen, student_id=who)
    return _drawn[key]


def shuffled(generator: random.Random, choices: dict) -> dict[str, tuple[int, ...]]:
    """An order of the options of each choice question of ``choices`` (name:
    Options, or name: number of options): which canonical option each letter
    shows (``order[0]`` as (a))."""
    orders = {}
    for name, options in choices.items():
        count = options if isinstance(options, int) else len(options.texts)
        order = list(range(count))
        generator.shuffle(order)
        orders[name] = tuple(order)
    return orders


@dataclasses.dataclass(frozen=True, repr=False)
class Variant:
    """The numbers of one student's exercises. A chapter subclasses it with its
    parameters and :meth:`lines`; printed (the notebook's variant cell), it
    says whose numbers they are, then each line."""

    student_id: str | None = dataclasses.field(default=None, kw_only=True)
    orders: dict[str, tuple[int, ...]] = dataclasses.field(
        default_factory=dict, kw_only=True
    )
    """The order of each choice question's options (see :meth:`options`)."""

    CHOICES: ClassVar[dict] = {}
    """The chapter's choice questions by name: :class:`~cnnbook.checks.choices.
    Options`."""

    def choices(self) -> dict:
        """The choice questions of this variant by name (by default the
        chapter's :attr:`CHOICES`; a chapter whose options hold the student's
        numbers builds them here)."""
        return self.CHOICES

    def _choice(self, name: str):
        choices = self.choices()
        if name not in choices:
            raise ValueError(
                f"name must be one of the choice questions {sorted(choices)}, "
                f"got {name!r}"
            )
        options = choices[name]
        return options, self.orders.get(name, tuple(range(len(options.texts))))

    def options(self, name: str):
        """Choice question ``name``'s options, lettered as this student sees them."""
        options, order = self._choice(name)
        return options.text(order)

    def letter(self, name: str, words: str) -> str:
        """The letter this student sees for the option of choice question
        ``name`` whose text contains ``words`` (what a solution answers)."""
        options, order = self._choice(name)
        found = [
            "abcdefghijklmnopqrstuvwxyz"[shown]
            for shown, index in enumerate(order)
            if words in options.texts[index]
        ]
        if len(found) != 1:
            raise ValueError(
                f"words must be in exactly one option of {name!r}, got {words!r}"
            )
        return found[0]

    def _choice_spec(self, name: str):
        """The spec of choice question ``name`` in this student's letters
        (private: it holds the answer)."""
        options, order = self._choice(name)
        return options._spec(order)

    def lines(self) -> list[str]:
        """One line per number; by default ``name = value`` per field."""
        return [
            f"{field.name} = {getattr(self, field.name)!r}"
            for field in dataclasses.fields(self)
            if field.name not in ("student_id", "orders")
        ]

    def __repr__(self) -> str:
        whose = (
            f"Your numbers, for student id {self.student_id!r}:"
            if self.student_id
            else "The default numbers (no student id set; the published solutions "
            "use them):"
        )
        lines = [textwrap.fill(whose, WIDTH)]
        lines += [
            textwrap.fill(line, WIDTH, initial_indent="- ", subsequent_indent="  ")
            for line in self.lines()
        ]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))
