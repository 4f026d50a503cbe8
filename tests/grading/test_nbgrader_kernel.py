"""The kernel extension nbgrader's autograde loads: check cells asserted Correct,
as the student whose folder autograde runs in; nothing outside autograde."""

from pathlib import Path

from cnnbook.grading.nbgrader_kernel import autograde_student, transform

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
