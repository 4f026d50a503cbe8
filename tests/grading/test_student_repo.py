"""The student repository: the book without the solutions, nowhere; the
buttons and install cells pointed at it; its own README, Makefile, workflow
and test, and that test passing in a fresh copy."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
import yaml

from cnnbook.authoring import colab
from cnnbook.commands import main
from cnnbook.grading.student_repo import MARKER, write_student_repo
from tests.conftest import REPO

URL = "https://github.com/example-course/convnets-student"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "repo"
    written = write_student_repo(REPO, out, url=URL)
    return out, written


def test_no_solution_and_no_source_is_copied(student):
    out, written = student
    assert not (out / "solutions").exists() and not (out / "notebooks").exists()
    assert not (out / ".ci").exists() and not (out / "course.yml").exists()
    assert all(not name.startswith(("solutions/", "notebooks/")) for name in written)
    for path in out.rglob("*.ipynb"):
        assert "### BEGIN SOLUTION" not in path.read_text(), path
        assert '"rubric"' not in path.read_text(), path
    q1e = (REPO / "exercises" / "02_counting_parameters_and_memory.ipynb").read_text()
    assert '"rubric"' in q1e, "the rubrics to take out are there"


def test_the_toc_lists_only_pages_that_are_there(student):
    out, _ = student
    toc = yaml.safe_load((out / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert files and not any(f.startswith("solutions/") for f in files)
    for name in files:
        assert any((out / f"{name}{ext}").is_file() for ext in (".md", ".ipynb"))


def test_buttons_and_install_cells_open_the_student_repo(student):
    out, _ = student
    for name in ("requirements.txt", "runtime.txt", "postBuild", "pyproject.toml"):
        assert (out / name).is_file()
    assert (out / "cnnbook" / "checks" / "__init__.py").is_file()
    assert len(list((out / "exercises").glob("*.ipynb"))) >= 6
    config = (out / "_config.yml").read_text()
    assert f"url: {URL}" in config
    assert "# The repository's public address" in config, "comments are kept"
    for path in [*out.glob("exercises/*.ipynb"), *out.glob("book/*.ipynb")]:
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if c.get("id") == colab.CELL_ID)
        assert f'REPOSITORY = "{URL}"' in cell.source, path.name


def test_the_student_files_replace_the_instructors(student):
    out, _ = student
    readme = (out / "README.md").read_text()
    for words in ("Binder", "Colab", "make lab", "Submitting", "File > Download",
                  "https://example-course.github.io/convnets-student/"):  # fmt: skip
        assert words in readme
    assert "sandbox" not in readme and "make grade" not in readme
    makefile = (out / "Makefile").read_text()
    rules = [line for line in makefile.splitlines() if line and line[0].isalpha()]
    targets = [line.split(":")[0] for line in rules if ":" in line]
    assert "solutions" not in makefile and "grade" not in makefile
    assert {"book", "test", "lab"} <= set(targets)
    workflow = (out / ".github" / "workflows" / "book.yml").read_text()
    assert "make test" in workflow and ".ci/run" not in workflow
    actionlint = Path(sys.executable).parent / "actionlint"
    shellcheck = Path(sys.executable).parent / "shellcheck"
    lint = subprocess.run(
        [str(actionlint), "-shellcheck", str(shellcheck), "-pyflakes=",
         str(out / ".github" / "workflows" / "book.yml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_without_a_url_it_refuses_and_says_why(tmp_path, capsys):
    assert main(["student-repo", str(tmp_path / "repo")]) == 1
    error = capsys.readouterr().err
    assert "url is required" in error and "solutions included" in error
    assert not (tmp_path / "repo").exists()
    make = subprocess.run(
        ["make", "-s", "student-repo", f"STUDENT_REPO={tmp_path / 'repo'}"],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert make.returncode == 2 and "STUDENT_URL=" in make.stderr


def test_writing_again_keeps_the_git_history_and_refuses_other_folders(tmp_path):
    out = tmp_path / "repo"
    write_student_repo(REPO, out, URL)
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    (out / "stale.txt").write_text("from an older release")
    write_student_repo(REPO, out, URL)
    assert (out / ".git").is_dir() and (out / MARKER).is_file()
    assert not (out / "stale.txt").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="out must be empty or a student repository"):
        write_student_repo(REPO, other, URL)
    with pytest.raises(ValueError, match="out must be outside the repository"):
        write_student_repo(REPO, REPO / "_build" / "student", URL)
    with pytest.raises(ValueError, match="url must be an https:// address"):
        write_student_repo(REPO, tmp_path / "third", url="javascript:alert(1)")


def borrowed_venv(out: Path) -> None:
    """A .venv for the copy whose packages are this environment's (so the test
    installs nothing) and whose cnnbook is the copy's own: a venv without pip,
    a .pth naming the copy first and this site-packages second (whose editable
    cnnbook is not loaded: .pth files of a path named in a .pth are not read),
    and the stamp `make venv` leaves, so its Makefile installs nothing."""
    venv = out / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                   check=True)  # fmt: skip
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    (Path(site) / "borrowed.pth").write_text(f"{out}\n{ours}\n")
    script = venv / "bin" / "jupyter-book"
    script.write_text(
        f"#!{python}\nimport sys\nfrom jupyter_book.cli.main import main\n"
        "sys.exit(main())\n"
    )
    script.chmod(0o755)
    (venv / ".installed").touch()


def test_the_copy_builds_its_book_and_passes_its_own_tests(tmp_path):
    out = tmp_path / "student"
    write_student_repo(REPO, out, URL)
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    borrowed_venv(out)
    which = subprocess.run(
        [str(out / ".venv" / "bin" / "python"), "-c",
         "import cnnbook; print(cnnbook.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert which.stdout.strip() == str(out / "cnnbook" / "__init__.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run(
        ["make", "test"], cwd=out, env=env, capture_output=True, text=True,
        timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "passed" in result.stdout and "failed" not in result.stdout
    assert (out / "_build" / "html" / "index.html").is_file()
    assert not list((out / "_build" / "html").rglob("solutions*"))
