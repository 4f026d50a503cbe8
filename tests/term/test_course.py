"""The course file and the roster: what they say, and every bad line named."""

from datetime import UTC, datetime

import pytest

from cnnbook.term.course import LateRule, load_course, load_roster
from tests.conftest import REPO

NOTEBOOKS = ["01_a", "02_b"]
A = "assignments:\n  - {name: x, notebooks: [01_a]}\n"


def course(tmp_path, text):
    path = tmp_path / "course.yml"
    path.write_text(text)
    return path


def test_the_repositorys_course_file_lists_every_exercise_with_no_due_date():
    names = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    result = load_course(REPO / "course.yml", names)
    assert [nb for a in result.assignments for nb in a.notebooks] == names
    assert all(a.due is None and a.late == LateRule() for a in result.assignments)
    assert result.roster is None


def test_due_dates_late_rules_and_the_roster_path(tmp_path):
    path = course(tmp_path, """\
roster: people/roster.csv
timezone: Europe/Berlin
late: {percent_per_day: 10, zero_after_days: 3}
assignments:
  - {name: one, notebooks: [01_a], due: "2027-02-14 23:59", lms_name: "Week 1"}
  - {name: two, notebooks: 02_b, due: 2027-03-01, late: none}
""")  # fmt: skip
    one, two = load_course(path, NOTEBOOKS).assignments
    assert one.due == datetime(2027, 2, 14, 22, 59, tzinfo=UTC)  # CET is UTC+1
    assert two.due.hour == 23 and two.late.factor(5) == 1.0
    assert one.lms_name == "Week 1" and two.lms_name == "two"
    assert load_course(path, NOTEBOOKS).roster == tmp_path / "people" / "roster.csv"
    late = one.late
    assert [late.factor(d) for d in (0, 1, 3, 4)] == [1.0, 0.9, pytest.approx(0.7), 0]
    assert one.days_late(datetime(2027, 2, 14, 23, 0, tzinfo=UTC)) == 1
    assert one.days_late(datetime(2027, 2, 16, 23, 0, tzinfo=UTC)) == 3
    assert one.days_late(datetime(2027, 2, 14, 22, 0, tzinfo=UTC)) == 0
    assert late.describe() == "-10% a day, 0 after 3 days"


@pytest.mark.parametrize(
    "text, message",
    [
        ("assignments: []\n", "assignments must be a list"),
        ("colour: red\nassignments: []\n", "the course file has the keys"),
        ("assignments:\n  - {name: x, notebooks: [03_c]}\n", "got '03_c'"),
        ("assignments:\n  - {name: x, notebooks: [01_a], due: soon}\n",
         "assignment 1: due must be a date"),
        (A + "  - {name: x, notebooks: [02_b]}\n",
         "assignment 2: name must be a new"),
        (A + "  - {name: y, notebooks: [01_a]}\n",
         "01_a is in two assignments"),
        ("late: {percent_per_day: 150}\n" + A,
         "percent_per_day must be a number from 0 to 100"),
        ("timezone: Mars/Olympus\n" + A,
         "timezone must be a zone"),
    ],
)  # fmt: skip
def test_a_bad_course_file_is_an_error_that_says_where(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_course(course(tmp_path, text), NOTEBOOKS)


def test_the_roster_reads_optional_columns(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffID,Name,Email,Folder,Section\ns1,Ada,a@x.org,ada,A\n"
                    "s2,Bob,,,\n\n")  # fmt: skip
    roster = load_roster(path)
    assert [(s.id, s.folder, s.section) for s in roster.students] == [
        ("s1", "ada", "A"),
        ("s2", "s2", ""),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("id,email\ns1,a@x\n", "a roster needs the columns id and name"),
        ("id,name\ns1,A\ns1,B\n", "line 3: the id 's1' is listed twice"),
        ("id,name\n../x,A\n", "line 2: id must be printable"),
        ("id,name,folder\ns1,A,f\ns2,B,f\n", "line 3: the folder 'f' is listed twice"),
        ("id,name\n", "the roster lists no student"),
    ],
)
def test_a_bad_roster_is_an_error_that_names_the_line(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_roster(path)
