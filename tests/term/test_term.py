"""A term on the small fixture source: a roster of 6 with one student who
submitted nothing, one late submission, an unknown folder, two prose answers
graded by hand and given back, one student regraded (ONLY=). Every output file
is read back and checked against the others and against a count by hand.

Points of the fixture (tests/grading/grading_fixtures.py): q1 1, q2 2, q3 3,
q4 1, and here the prose question "why" is graded by hand for 2: 9 in all.
"""

import copy
import csv
import os
import re
from datetime import UTC, datetime

import nbformat
import pytest

from cnnbook.commands import main
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import GradeOptions
from cnnbook.grading.results import read_rows
from cnnbook.grading.samples import answered
from cnnbook.grading.sandbox import Limits
from cnnbook.term.outputs import grade_term
from tests.grading import grading_fixtures as fx

OPTIONS = GradeOptions(jobs=2, limits=Limits(cell_seconds=20, notebook_seconds=90))
DUE = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
RUBRIC = ["1: says the answer is 42", "1: says why"]
WHY = "ch09.why"
COURSE = """\
roster: roster.csv
timezone: Europe/Berlin
late: {percent_per_day: 10}
assignments:
  - name: fixture
    notebooks: [09_fixture]
    due: 2027-01-10T12:00:00+00:00
    lms_name: Fixture (123)
"""
ROSTER = """\
id,name,email,folder
s1,Ada Lovelace,ada@example.org,
s2,Bob Smith,bob@example.org,bob-folder
s3,Cy Young,cy@example.org,
s4,Di Late,di@example.org,
s5,Ed Wrong,ed@example.org,
s6,Flo Absent,flo@example.org,
"""


def source_notebook():
    nb = fx.fixture_notebook()
    why = nb.cells[fx.cell_index(nb, "why")]
    why.metadata["cnnbook"] = {"points": 2, "rubric": RUBRIC}
    return nb


def with_prose(nb, text):
    nb = copy.deepcopy(nb)
    cell = nb.cells[fx.cell_index(nb, "why")]
    cell.source = cell.source.replace("*Write your answer here.*", text)
    return nb


def submit(folder, name, nb, when):
    path = folder / name / "09_fixture.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def outputs(folder):
    names = ["grades.csv", "gradebook.csv", "canvas.csv", "manual.csv", "report.html"]
    files = {name: (folder / name).read_bytes() for name in names}
    for page in sorted((folder / "feedback").glob("*.html")):
        files[f"feedback/{page.name}"] = page.read_bytes()
    return files


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    source = fx.write_source(root / "source", source_notebook())
    assignment = Assignment.from_file(source)
    exercise = assignment.exercise
    subs = root / "submissions"
    early = DUE.replace(day=9)
    perfect = answered(exercise, assignment, 4)
    submit(
        subs, "s1", with_prose(perfect, "It is 42 <script>alert(1)</script>."), early
    )
    submit(
        subs, "bob-folder", with_prose(answered(exercise, assignment, 2), "42."), early
    )
    submit(subs, "s3", exercise, early)  # blank: nothing answered
    late = DUE.replace(day=11, hour=23)  # 1.5 days late: 2 days of penalty
    submit(subs, "s4", with_prose(perfect, "Forty-two."), late)
    submit(subs, "s5", with_prose(answered(exercise, assignment, 0), "No idea"), early)
    submit(subs, "stranger", perfect, early)
    (root / "course.yml").write_text(COURSE)
    (root / "roster.csv").write_text(ROSTER)
    term, code = grade_term(
        subs, source.parent, OPTIONS, course_file=root / "course.yml", log=None
    )
    first = outputs(subs)
    return root, subs, source, term, code, first


def test_the_gradebook_has_one_row_per_roster_student(term):
    _, subs, _, result, code, _ = term
    assert code == 0
    table = read_csv(subs / "gradebook.csv")
    assert table[0] == [
        "id",
        "name",
        "email",
        "fixture",
        "fixture note",
        "total",
        "max",
    ]
    rows = {line[0]: line for line in table[1:]}
    assert list(rows) == ["s1", "s2", "s3", "s4", "s5", "s6"]
    # by hand: checks of s1 all right (7), prose to grade; s2 q1+q2 (3);
    # s3 blank (0, prose blank: 0 without a person); s4 7 late 2 days: 5.6;
    # s5 nothing right; s6 nothing submitted
    assert rows["s1"][3:] == ["7", "1 to grade by hand", "7", "9"]
    assert rows["s2"][3:] == ["3", "1 to grade by hand", "3", "9"]
    assert rows["s3"][3:] == ["0", "", "0", "9"]
    assert rows["s4"][3] == "5.6"
    assert rows["s4"][4].startswith("late 2 days (-10% a day): 7 -> 5.6")
    assert rows["s6"][3:] == ["", "missing", "0", "9"]
    assert [s.id for s in result.absent] == ["s6"]
    assert result.unknown == ["stranger"]


def test_grades_csv_has_roster_ids_and_the_hand_graded_rows(term):
    _, subs, _, _, _, _ = term
    rows = read_rows(subs / "grades.csv")
    students = {row.submission.split("/")[0]: row.student for row in rows}
    assert students["bob-folder"] == "s2" and students["stranger"] == "stranger"
    why = {row.student: row for row in rows if row.question == WHY}
    assert set(why) == {"s1", "s2", "s3", "s4", "s5", "stranger"}
    assert why["s3"].status == "graded" and why["s3"].points == 0
    assert why["s1"].status.startswith("not graded") and why["s1"].points is None
    assert why["s1"].answer == "It is 42 <script>alert(1)</script>."
    assert why["stranger"].status == "graded" and why["stranger"].points == 0


def test_manual_csv_lists_the_prose_answers_to_grade(term):
    _, subs, _, _, _, _ = term
    table = read_csv(subs / "manual.csv")
    header, rows = table[0], table[1:]
    assert header[:9] == [
        "student", "name", "notebook", "question", "max_points", "rubric",
        "answer", "points", "comment",
    ]  # fmt: skip
    assert [(r[0], r[3], r[7]) for r in rows] == [
        (s, WHY, "") for s in ("s1", "s2", "s4", "s5")
    ]
    assert rows[0][5] == "\n".join(RUBRIC) and rows[0][4] == "2"


def test_the_canvas_file_holds_the_same_points(term):
    _, subs, _, _, _, _ = term
    table = read_csv(subs / "canvas.csv")
    assert table[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Fixture (123)",
    ]  # fmt: skip
    assert table[1] == ["Points Possible", "", "", "", "", "9"]
    book = {line[0]: line[3] for line in read_csv(subs / "gradebook.csv")[1:]}
    assert {line[2]: line[5] for line in table[2:]} == book


def fill(subs, path, grades):
    table = read_csv(subs / "manual.csv")
    for row in table[1:]:
        if row[0] in grades:
            row[7], row[8] = grades[row[0]]
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(table)


def test_hand_grades_merge_into_every_output_and_refill_is_idempotent(term, tmp_path):
    root, subs, source, _, _, first = term
    filled = tmp_path / "filled.csv"
    fill(subs, filled, {"s1": ("2", "Right, & well put."), "s5": ("1", "<b>half</b>")})
    args = dict(course_file=root / "course.yml", manual_file=filled, log=None)
    merged, _ = grade_term(subs, source.parent, OPTIONS, run=False, **args)
    after = outputs(subs)
    rows = {(r.student, r.question): r for r in read_rows(subs / "grades.csv")}
    assert rows["s1", WHY].points == 2 and rows["s1", WHY].status == "graded"
    assert rows["s5", WHY].feedback == "<b>half</b>"
    book = {line[0]: line for line in read_csv(subs / "gradebook.csv")[1:]}
    assert book["s1"][3:] == ["9", "", "9", "9"]
    assert book["s5"][3] == "1"
    assert book["s2"][4] == "1 to grade by hand"
    canvas = {line[2]: line[5] for line in read_csv(subs / "canvas.csv")[2:]}
    assert canvas["s1"] == "9" and canvas["s5"] == "1"
    page = (subs / "feedback" / "s5.html").read_text()
    assert "&lt;b&gt;half&lt;/b&gt;" in page and "<b>half</b>" not in page
    ada = (subs / "feedback" / "s1.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ada and "<script>" not in ada
    assert "Right, &amp; well put." in ada
    assert merged.pending == 2  # s2 and s4 still to grade
    # the same file again, and no file (manual.csv remembers): nothing changes
    grade_term(subs, source.parent, OPTIONS, run=False, **args)
    assert outputs(subs) == after
    args["manual_file"] = None
    grade_term(subs, source.parent, OPTIONS, run=False, **args)
    assert outputs(subs) == after
    assert after != first


@pytest.mark.parametrize(
    "student, points, message",
    [
        ("s1", "3", r"row 2 \(student 's1', question 'ch09.why'\): points must be "
         r"a whole number from 0 to 2, got '3'"),
        ("s1", "abc", r"points must be a whole number from 0 to 2, got 'abc'"),
        ("s1", "1.5", r"got '1.5'"),
        ("nobody", "1", r"row 2: student 'nobody' has no answer to question "
         r"'ch09.why'"),
    ],
)  # fmt: skip
def test_bad_hand_grades_are_errors_that_name_the_row(
    term, tmp_path, student, points, message
):
    root, subs, source, _, _, _ = term
    before = outputs(subs)
    table = read_csv(subs / "manual.csv")
    table[1][0], table[1][7] = student, points
    bad = tmp_path / "bad.csv"
    with open(bad, "w", newline="") as out:
        csv.writer(out).writerows(table)
    with pytest.raises(ValueError, match=message):
        grade_term(
            subs, source.parent, OPTIONS, course_file=root / "course.yml",
            manual_file=bad, run=False, log=None,
        )  # fmt: skip
    assert outputs(subs) == before  # nothing written


def test_the_report_shows_each_question_and_the_problems(term):
    _, subs, _, _, _, _ = term
    page = (subs / "report.html").read_text()
    images = re.findall(r"<img src='data:image/png;base64,[^']+' alt='([^']+)'", page)
    assert len(images) == 5  # q1..q4 and why
    assert "a folder the roster does not know: stranger" in page
    assert "nothing submitted: s6 (Flo Absent)" in page
    assert "late: fixture" in page and "missing: fixture" in page
    assert "<script>" not in page


def test_regrading_one_student_updates_only_their_rows(term, capsys):
    root, subs, source, _, _, _ = term
    before = read_rows(subs / "grades.csv")
    book_before = read_csv(subs / "gradebook.csv")
    assignment = Assignment.from_file(source)
    path = subs / "s3" / "09_fixture.ipynb"
    stamp = path.stat().st_mtime
    nbformat.write(answered(assignment.exercise, assignment, 1), path)
    os.utime(path, (stamp, stamp))
    code = main(
        ["grade", str(subs), "--source", str(source.parent), "--jobs", "1",
         "--course", str(root / "course.yml"), "--only", "s3"]
    )  # fmt: skip
    assert code == 0
    assert "grading 1 notebooks" in capsys.readouterr().out
    after = read_rows(subs / "grades.csv")
    assert [r for r in after if r.student != "s3"] == [
        r for r in before if r.student != "s3"
    ]
    s3 = {r.question: r.points for r in after if r.student == "s3"}
    assert s3["ch09.q1-check"] == 1 and sum(s3.values()) == 1
    book = read_csv(subs / "gradebook.csv")
    assert [line for line in book if line[0] != "s3"] == [
        line for line in book_before if line[0] != "s3"
    ]
    assert next(line for line in book if line[0] == "s3")[3] == "1"
