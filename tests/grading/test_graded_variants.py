"""Each student is graded against their own numbers (issue 26), end to end.

The folder a submission sits in names its student: the kernel computes that
student's variant (``CNNBOOK_STUDENT_ID``) whatever id the notebook sets, and
the judge checks the answers as that student. So a notebook that computes its
answers from its numbers earns full marks in any folder, and answers copied
as numbers from another student's notebook do not.
"""

import nbformat

from cnnbook.checks import bank, variants
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import GradeOptions, grade_folder
from cnnbook.grading.samples import answered
from cnnbook.grading.sandbox import Limits
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx

NAME = "02_counting_parameters_and_memory.ipynb"


def test_each_student_is_graded_against_their_own_variant(tmp_path):
    assignment = Assignment.from_file(REPO / "notebooks" / NAME)
    exercise = nbformat.read(REPO / "exercises" / NAME, as_version=4)
    solved = answered(exercise, assignment, len(assignment.checks))
    with variants.as_student("alice"):
        alice = bank.BANK["ch02.params"]._spec().expected
    with variants.as_student("carol"):
        carol = bank.BANK["ch02.params"]._spec().expected
    assert alice != carol  # the two students' networks differ
    claims_alice = fx.insert_after(
        solved, "setup", 'checks.set_student("alice")', "claim"
    )
    copies_alice = fx.set_source(solved, "q1a-answer", f"params = {alice}")
    folder = tmp_path / "class"
    for student, nb in (
        ("alice", solved),
        ("bob", claims_alice),
        ("carol", copies_alice),
    ):
        (folder / student).mkdir(parents=True)
        nbformat.write(nb, folder / student / NAME)
    report = grade_folder(
        folder,
        options=GradeOptions(jobs=2, limits=Limits(cell_seconds=60)),
        log=None,
    )
    rows = {(r.student, r.question): r for r in report.rows}
    full = assignment.max_points
    for student in ("alice", "bob"):  # bob's own numbers, whatever he claims
        earned = sum(r.points for (s, _), r in rows.items() if s == student)
        assert earned == full, student
    copied = rows["carol", "ch02.params"]
    assert copied.status == "graded" and copied.points == 0
    assert copied.feedback.startswith("Not quite")
    assert (
        rows["carol", "ch02.shapes"].points == rows["carol", "ch02.shapes"].max_points
    )
