"""Whose variant of the exercises this is: the student's id, and the seed it gives.

Each student gets their own numbers: a question's parameters are drawn from a
generator seeded by the student's id and the question's id
(:func:`rng`), so two students get different numbers and each always gets the
same ones. Which id, in order:

1. inside ``with as_student(id):`` that id: the grader judges every answer as
   the student whose folder (or roster entry) it came from, never as whoever
   the notebook claims to be;
2. the id set in the notebook's setup cell, ``checks.set_student("jdoe")``;
3. ``JUPYTERHUB_USER`` on a course's own JupyterHub (not on Binder, whose user
   names are random: Binder sets ``BINDER_REPO_URL``, and there it is ignored);
4. none: the default variant, which Binder, Colab and the published solutions
   show.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["MAX_ID_LENGTH", "as_student", "rng", "seed", "set_student", "student"]

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
