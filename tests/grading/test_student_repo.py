"""The student repository: the book without the solutions, nowhere."""

import subprocess

import pytest
import yaml

from cnnbook.grading.student_repo import MARKER, write_student_repo
from tests.conftest import REPO


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "repo"
    written = write_student_repo(REPO, out, url="https://example.org/student-repo")
    return out, written


def test_no_solution_and_no_source_is_copied(student):
    out, written = student
    assert not (out / "solutions").exists() and not (out / "notebooks").exists()
    assert not (out / "tests").exists()
    assert all(not name.startswith(("solutions/", "notebooks/")) for name in written)
    for path in out.rglob("*.ipynb"):
        assert "### BEGIN SOLUTION" not in path.read_text(), path


def test_the_toc_lists_only_pages_that_are_there(student):
    out, _ = student
    toc = yaml.safe_load((out / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert files and not any(f.startswith("solutions/") for f in files)
    for name in files:
        assert any((out / f"{name}{ext}").is_file() for ext in (".md", ".ipynb"))


def test_what_binder_needs_is_there_and_points_at_the_student_repo(student):
    out, _ = student
    for name in ("requirements.txt", "runtime.txt", "postBuild", "pyproject.toml"):
        assert (out / name).is_file()
    assert (out / "cnnbook" / "checks" / "__init__.py").is_file()
    assert len(list((out / "exercises").glob("*.ipynb"))) >= 6
    config = (out / "_config.yml").read_text()
    assert "url: https://example.org/student-repo" in config
    assert "# The repository's public address" in config, "comments are kept"


def test_writing_again_keeps_the_git_history_and_refuses_other_folders(tmp_path):
    out = tmp_path / "repo"
    write_student_repo(REPO, out)
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    (out / "stale.txt").write_text("from an older release")
    write_student_repo(REPO, out)
    assert (out / ".git").is_dir() and (out / MARKER).is_file()
    assert not (out / "stale.txt").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="out must be empty or a student repository"):
        write_student_repo(REPO, other)
    with pytest.raises(ValueError, match="out must be outside the repository"):
        write_student_repo(REPO, REPO / "_build" / "student")
    with pytest.raises(ValueError, match="url must be an https:// address"):
        write_student_repo(REPO, tmp_path / "third", url="javascript:alert(1)")
