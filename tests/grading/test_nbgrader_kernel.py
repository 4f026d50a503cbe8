"""The kernel extension nbgrader's autograde loads: check cells asserted Correct,
as the student whose folder autograde runs in; nothing outside autograde."""

import io
import os
import sys
from pathlib import Path

from cnnbook.grading.nbgrader_kernel import autograde_student, transform
from tests.helpers import in_fork

NAMES = frozenset({"checks"})


def test_a_check_cell_is_asserted_correct_as_the_student():
    source = "x = 1\nchecks.number(\n    x, 2, what='x')"
    new = transform(source, NAMES, "jdoe")
    assert new.splitlines() == [
        "x = 1",
        "with __cnnbook_as_student__('jdoe'):",
        "    __cnnbook_feedback__ = (checks.number(",
        "        x, 2, what='x'))",
        "__cnnbook_display__(__cnnbook_feedback__)",
        'assert __cnnbook_feedback__.status == "correct", __cnnbook_feedback__.message',
    ]
    compile(new, "cell", "exec")
    assert "with" not in transform("checks.ch02.params(p)", NAMES, None)


def test_other_cells_are_left_alone():
    for source in ("x = checks.number(1, 1)", "print(1)", "checks", "def f(:", "",
                   "other.number(1, 1)", "checks.number(1, 1)\nx = 2"):  # fmt: skip
        assert transform(source, NAMES, "jdoe") == source


def test_the_student_is_the_folder_autograde_runs_in(monkeypatch):
    folder = Path("/course/autograded/jdoe/ch02")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert autograde_student(folder) is None
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert autograde_student(folder) is None
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert autograde_student(folder) == "jdoe"
    assert autograde_student(Path("/elsewhere/jdoe/ch02")) is None


def _autograde_kernel(folder: Path, execution: str | None, cells: list[str]):
    """A kernel with the extension loaded as nbgrader's config loads it, run
    in ``folder`` (in a forked child): each cell's error and what it shows."""

    def probe():
        from IPython.core.displaypub import CapturingDisplayPublisher
        from IPython.core.interactiveshell import InteractiveShell

        from cnnbook.checks import variants

        os.environ.pop("NBGRADER_EXECUTION", None)
        if execution is not None:
            os.environ["NBGRADER_EXECUTION"] = execution
        os.environ.pop(variants.KERNEL_ENV, None)
        os.chdir(folder)
        sys.stdout = io.StringIO()  # the tracebacks IPython prints
        shell = InteractiveShell.instance()
        shell.display_pub = CapturingDisplayPublisher()
        shell.extension_manager.load_extension("cnnbook.grading.nbgrader_kernel")
        ran = []
        for source in cells:
            shell.display_pub.clear_output()
            error = shell.run_cell(source).error_in_exec
            shown = [out["data"]["text/plain"] for out in shell.display_pub.outputs]
            ran.append((repr(error) if error else None, shown))
        return ran, os.environ.get(variants.KERNEL_ENV)

    return in_fork(probe)


CELLS = ["from cnnbook import checks", "checks.number(41, 42)", "checks.number(42, 42)"]


def test_under_autograde_a_check_cell_fails_unless_correct(tmp_path):
    folder = tmp_path / "autograded" / "jdoe" / "ch02"
    folder.mkdir(parents=True)
    ran, student = _autograde_kernel(folder, "autograde", CELLS)
    assert student == "jdoe"
    imported, wrong, right = ran
    assert imported == (None, [])
    assert wrong[0] == "AssertionError('Not quite: 41 is too low.')"
    assert [text.splitlines()[0] for text in wrong[1]] == ["Not quite: 41 is too low."]
    assert right[0] is None and right[1][0].startswith("Correct")


def test_outside_autograde_the_extension_changes_nothing(tmp_path):
    folder = tmp_path / "autograded" / "jdoe" / "ch02"
    folder.mkdir(parents=True)
    for execution in (None, "validate"):
        ran, student = _autograde_kernel(folder, execution, CELLS)
        assert student is None
        assert [error for error, _ in ran] == [None, None, None]
