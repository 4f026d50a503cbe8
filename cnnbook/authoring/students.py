"""Solutions for one student: the id their kernel works for, and where they go.

``cnnbook solutions --student jdoe --solutions DIR`` writes the solutions of
that student's variant (an instructor answering a question about them): the
kernels get the id through :data:`cnnbook.checks.variants.KERNEL_ENV`, and
the default variant's ``solutions/`` is never overwritten unless asked. Without
a student, the kernels get no id at all, whatever the shell says (an
instructor on JupyterHub has a ``JUPYTERHUB_USER``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from cnnbook.checks import variants

__all__ = ["check_student_folder", "kernel_student"]


def check_student_folder(
    paths: list[Path], solutions_dir: Path | str | None, overwrite: bool
) -> None:
    """One student's solutions go to a folder the instructor names, never over
    the default variant's ``solutions/`` unless asked."""
    if solutions_dir is None:
        raise ValueError(
            "solutions_dir is required with student: name a folder for that "
            "student's solutions (e.g. --solutions answers/jdoe)"
        )
    default = (paths[0].parent.parent / "solutions").resolve()
    if Path(solutions_dir).resolve() == default and not overwrite:
        raise ValueError(
            f"solutions_dir {str(solutions_dir)!r} holds the default variant's "
            "solutions: choose another folder for one student's (or pass "
            "overwrite=True, --overwrite)"
        )


@contextlib.contextmanager
def kernel_student(student: str | None) -> Iterator[None]:
    """The kernels started inside work for ``student`` (None: the default
    variant, whatever JUPYTERHUB_USER or an earlier id says)."""
    saved = {
        name: os.environ.get(name) for name in ("JUPYTERHUB_USER", variants.KERNEL_ENV)
    }
    os.environ.pop("JUPYTERHUB_USER", None)
    if student is None:
        os.environ.pop(variants.KERNEL_ENV, None)
    else:
        os.environ[variants.KERNEL_ENV] = student
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
