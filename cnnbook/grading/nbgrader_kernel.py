"""nbgrader's autograde, in the kernel: each check cell graded, as the student.

``make nbgrader``'s ``nbgrader_config.py`` starts every kernel nbgrader runs
with this IPython extension (``--ext cnnbook.grading.nbgrader_kernel``). It
acts only under ``nbgrader autograde`` (nbgrader sets
``NBGRADER_EXECUTION=autograde`` for the kernels it starts), where it

* finds the student: nbgrader runs the kernel in the notebook's folder,
  ``autograded/<student id>/<assignment>/``, and sets no variable for the
  student, so the id is that folder's name; every question's variant is then
  the student's (``CNNBOOK_STUDENT_ID``, which ranks above the id the setup
  cell sets, and each check inside :func:`~cnnbook.checks.variants.as_student`);
* turns each check cell (a cell whose last statement calls ``checks``) into
  that call, its feedback displayed, then ``assert feedback.status ==
  "correct"``, so that the cell fails, and nbgrader gives it no points,
  unless the check says Correct.

The check cells themselves are the student's, unchanged: no hidden test is
cut out of them when nbgrader releases the assignment, so the checksum
nbgrader stores for a locked cell is the checksum of the cell it finds in an
untouched submission (hidden tests in locked cells make nbgrader warn
"checksum changed" for every one of them, nbgrader issue #1961).
"""

from __future__ import annotations

import ast
import os
import textwrap
import types
from pathlib import Path

__all__ = ["autograde_student", "load_ipython_extension", "transform"]

FEEDBACK = "__cnnbook_feedback__"
AS_STUDENT = "__cnnbook_as_student__"
DISPLAY = "__cnnbook_display__"


def autograde_student(cwd: Path | None = None) -> str | None:
    """The id of the student whose notebook autograde runs here, or None."""
    if os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return None
    cwd = cwd or Path.cwd()
    if cwd.parent.parent.name != "autograded" or not cwd.parent.name:
        return None
    return cwd.parent.name


def _check_names(namespace: dict) -> frozenset[str]:
    """The names the notebook bound to ``cnnbook.checks`` or its modules."""
    return frozenset(
        name
        for name, value in namespace.items()
        if isinstance(value, types.ModuleType)
        and value.__name__.split(".")[:2] == ["cnnbook", "checks"]
    )


def transform(source: str, names: frozenset[str], student: str | None) -> str:
    """``source`` with its check call asserted Correct (see the module doc);
    any other cell unchanged."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return source
    call = tree.body[-1].value
    if not isinstance(call, ast.Call):
        return source
    head = call.func
    while isinstance(head, ast.Attribute):
        head = head.value
    if not isinstance(head, ast.Name) or head.id not in names or head is call.func:
        return source
    lines = source.splitlines()
    prelude = "\n".join(lines[: tree.body[-1].lineno - 1])
    check = f"{FEEDBACK} = ({ast.get_source_segment(source, call)})"
    if student is not None:
        check = f"with {AS_STUDENT}({student!r}):\n" + textwrap.indent(check, "    ")
    # shown as display data: nbgrader reads a grade cell's execute_result as
    # a partial score and warns when it is not a number
    show = f"{DISPLAY}({FEEDBACK})"
    verdict = f'assert {FEEDBACK}.status == "correct", {FEEDBACK}.message'
    return "\n".join(part for part in (prelude, check, show, verdict) if part)


def load_ipython_extension(ip) -> None:
    """Set up the kernel for autograde (nothing elsewhere)."""
    if os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return
    from IPython.display import display

    from cnnbook.checks import variants

    student = autograde_student()
    if student is not None:
        # above what the notebook's setup cell sets (it sets None: the default)
        os.environ[variants.KERNEL_ENV] = student
    ip.user_ns[AS_STUDENT] = variants.as_student
    ip.user_ns[DISPLAY] = display

    def assert_checks(lines: list[str]) -> list[str]:
        names = _check_names(ip.user_ns)
        new = transform("".join(lines), names, student)
        return [line + "\n" for line in new.splitlines()]

    ip.input_transformers_post.append(assert_checks)
