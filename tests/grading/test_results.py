"""grades.csv's rows: written and read back exactly, statuses that say whether
points mean anything; the class folder's files: submissions, skipped, superseded."""

import os

import pytest

from cnnbook.grading.collect import collect, student_of, supersede
from cnnbook.grading.results import (
    CSV_FIELDS,
    GRADED,
    Row,
    not_graded,
    read_rows,
    skipped,
    superseded,
    write_csv_atomically,
    write_rows,
)

ROWS = [
    Row("alice/02.ipynb", "alice", "02", "ch02.params", GRADED, 1, 1, "903400", "Ok"),
    Row("alice/02.ipynb", "alice", "02", "ch02.model", GRADED, 0, 3, "", 'No, "x"'),
    Row(
        "bob/02.ipynb",
        "bob",
        "02",
        "ch02.params",
        not_graded("a cell ran"),
        None,
        1,
        "",
        "Not graded:\na cell ran.",
    ),  # fmt: skip
    Row(
        "bob/old.ipynb",
        "bob",
        "02",
        "ch02.params",
        superseded("bob/02.ipynb"),
        None,
        1,
        "",
        "",
    ),  # fmt: skip
    Row("bob/x.py", "bob", "", "", skipped("not a notebook"), None, None, "", ""),
]


def test_rows_are_written_and_read_back_exactly(tmp_path):
    path = tmp_path / "grades.csv"
    write_rows(ROWS, path)
    assert read_rows(path) == ROWS
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(CSV_FIELDS)
    assert lines[3].startswith(
        "bob/02.ipynb,bob,02,ch02.params,not graded: a cell ran,,1,"
    )


def test_writing_replaces_a_link_instead_of_following_it(tmp_path):
    target = tmp_path / "elsewhere.csv"
    (tmp_path / "grades.csv").symlink_to(target)
    write_rows(ROWS[:1], tmp_path / "grades.csv")
    assert not target.exists() and not (tmp_path / "grades.csv").is_symlink()
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    """grades.csv, gradebook.csv, canvas.csv and manual.csv are all written this
    way: a reader sees the old file or the new one, never half of one."""
    path = tmp_path / "gradebook.csv"
    path.write_text("old\n")

    def fails(out):
        out.write("half,")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_csv_atomically(path, fails)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]
    write_csv_atomically(path, lambda out: out.write("new\n"))
    assert path.read_text() == "new\n" and oct(path.stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize(
    ("status", "points", "message"),
    [
        (GRADED, None, "points must be an integer exactly when status is 'graded'"),
        (GRADED, True, "points must be an integer"),
        (not_graded("x"), 0, "points must be an integer exactly when"),
        ("maybe", None, "status must be 'graded' or start with one of"),
    ],
)
def test_a_row_whose_points_and_status_disagree_is_refused(status, points, message):
    with pytest.raises(ValueError, match=message):
        Row("a.ipynb", "a", "02", "q", status, points, 1, "", "")


def test_a_file_that_is_not_a_grades_csv_is_refused_with_its_line(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("submission,points\na,1\n")
    with pytest.raises(ValueError, match="path must be a grades.csv with the columns"):
        read_rows(path)
    write_rows(ROWS[:1], path)
    path.write_text(path.read_text().replace(",1,1,", ",one,1,"))
    with pytest.raises(
        ValueError, match="points must be an integer or empty, got 'one' on line 2"
    ):
        read_rows(path)


def test_every_file_is_a_submission_or_skipped_and_hidden_ones_are_ignored(tmp_path):
    files = ["alice/02.ipynb", "alice/notes.py", "bob.ipynb", "carol/README"]
    files += [".hidden/x.ipynb", "dave/.ipynb_checkpoints/02.ipynb"]
    for relative in files:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}")
    (tmp_path / "grades.csv").write_text("")
    (tmp_path / "eve").symlink_to(tmp_path / "alice")
    (tmp_path / "alice" / "copy.ipynb").symlink_to(tmp_path / "bob.ipynb")
    os.mkfifo(tmp_path / "alice" / "pipe.ipynb")
    found = {entry.relative: entry.skipped for entry in collect(tmp_path)}
    assert found == {
        "alice/02.ipynb": "",
        "alice/copy.ipynb": f"a symbolic link (to {str(tmp_path / 'bob.ipynb')!r}), "
        "not followed",
        "alice/notes.py": "not a notebook (a .py file)",
        "alice/pipe.ipynb": "not a regular file",
        "bob.ipynb": "",
        "carol/README": "not a notebook (a file with no extension)",
        "eve": f"a symbolic link (to {str(tmp_path / 'alice')!r}), not followed",
    }
    assert [student_of(r) for r in ("alice/x/02.ipynb", "bob.ipynb")] == [
        "alice",
        "bob",
    ]


def test_the_newest_submission_of_a_notebook_counts():
    entries = [
        ("alice/a.ipynb", "alice", 10.0, "02"),
        ("alice/b.ipynb", "alice", 20.0, "02"),  # newest
        ("alice/c.ipynb", "alice", 5.0, "05"),  # another notebook
        ("alice/d.ipynb", "alice", 30.0, ""),  # recognised as nothing
        ("bob/a.ipynb", "bob", 10.0, "02"),  # another student
        ("bob/b.ipynb", "bob", 10.0, "02"),  # a tie: the last in path order
    ]
    assert supersede(entries) == {
        "alice/a.ipynb": "alice/b.ipynb",
        "bob/a.ipynb": "bob/b.ipynb",
    }
