"""Releases: `make release` pins a tag to itself and leaves main alone, and a
book built from the tag names the tag in every launch link, install cell and
footer (built here in a temporary copy of the repository, tagged v9.9)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnbook import project
from cnnbook.authoring import colab
from cnnbook.commands import main
from cnnbook.publishing import release
from cnnbook.publishing.toc import toc_documents
from tests.conftest import REPO

TAG = "v9.9"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Release Test",
    "GIT_AUTHOR_EMAIL": "release@example.org",
    "GIT_COMMITTER_NAME": "Release Test",
    "GIT_COMMITTER_EMAIL": "release@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return result.stdout


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


def copy_of_repository(target: Path) -> Path:
    """The repository's working files (tracked and new, not ignored) in a
    fresh git repository on main, committed."""
    # The checkout may belong to another user (a CI container): trust it.
    files = subprocess.run(
        ["git", "-c", "safe.directory=*", "ls-files", "--cached", "--others"]
        + ["--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "--quiet", "--initial-branch", "main", cwd=target)
    git("add", "--all", cwd=target)
    git("commit", "--quiet", "-m", "the book", cwd=target)
    return target


# ------------------------------------------------------------------ the parts
def test_with_ref_changes_the_branch_line_only():
    text = (REPO / "_config.yml").read_text(encoding="utf-8")
    pinned = release.with_ref(text, "v1.2")
    changed = [
        (a, b)
        for a, b in zip(text.splitlines(), pinned.splitlines(), strict=True)
        if a != b
    ]
    assert changed == [("  branch: main", "  branch: v1.2")]
    with pytest.raises(ValueError, match="'repository:' block with a 'branch:'"):
        release.with_ref("title: x\nbranch: main\n", "v1.2")
    with pytest.raises(ValueError, match="ref must be a git branch"):
        release.with_ref(text, "v1; rm -rf /")


def test_versions_and_tags_are_checked(tmp_path):
    for bad in ("1", "v1.0", "1.0-rc1", "", "1.0.0.0"):
        with pytest.raises(ValueError, match="version must be x.y or x.y.z"):
            release.make_release(bad, repo=tmp_path, log=None)
    assert main(["release"]) == 1  # no version: a message, not a traceback


def test_a_release_needs_a_clean_tree_and_a_new_tag(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.txt").write_text("a\n")
    git("init", "--quiet", "--initial-branch", "main", cwd=repo)
    git("add", "a.txt", cwd=repo)
    git("commit", "--quiet", "-m", "a", cwd=repo)
    git("tag", "v1.0", cwd=repo)
    with pytest.raises(ValueError, match="the tag v1.0 exists already"):
        release.make_release("1.0", repo=repo, log=None)
    (repo / "a.txt").write_text("changed\n")
    with pytest.raises(ValueError, match="uncommitted changes"):
        release.make_release("1.1", repo=repo, log=None)


def test_check_names_what_is_not_pinned(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/a/b\n  branch: main\n"
    )
    (tmp_path / "book").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "book" / "01_x.ipynb")
    assert release.check(tmp_path, "v1.0") == [
        "_config.yml: repository.branch is 'main'",
        "book/01_x.ipynb: install cell installs None",
    ]
    (tmp_path / "requirements.txt").write_text(
        (REPO / "requirements.txt").read_text(encoding="utf-8")
    )
    changed = release.pin(tmp_path, "v1.0")
    assert [p.name for p in changed] == ["_config.yml", "01_x.ipynb"]
    assert release.check(tmp_path, "v1.0") == []
    assert release.pin(tmp_path, "v1.0") == []  # idempotent
    assert release.check(tmp_path, "v1.1") != []


# ------------------------------------------------------------------ a whole release
@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A copy of the repository on main after `make release VERSION=9.9`."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in GIT_ENV.items():
            patch.setenv(name, value)
        repo = copy_of_repository(tmp_path_factory.mktemp("repo"))
        head = git("rev-parse", "HEAD", cwd=repo).strip()
        assert release.make_release("9.9", repo=repo, log=None) == TAG
    return repo, head


def test_release_pins_the_tag_and_leaves_main_alone(released):
    repo, head = released
    assert git("rev-parse", "HEAD", cwd=repo).strip() == head
    assert git("status", "--porcelain", cwd=repo) == ""
    assert release.check(repo, "main") == []  # main still follows main
    tagged = git("rev-parse", f"{TAG}^{{commit}}", cwd=repo).strip()
    assert git("rev-parse", f"{tagged}^", cwd=repo).strip() == head
    on_main = subprocess.run(
        ["git", "merge-base", "--is-ancestor", tagged, "main"], cwd=repo
    )
    assert on_main.returncode == 1, "the release commit must be on no branch"
    assert git("worktree", "list", "--porcelain", cwd=repo).count("worktree ") == 1
    changed = git("diff", "--name-only", head, tagged, cwd=repo).split()
    assert "_config.yml" in changed
    assert set(changed) <= {"_config.yml", *map(str, _notebooks(repo))}


def _notebooks(repo: Path) -> list[Path]:
    return [p.relative_to(repo) for p in release.notebooks(repo)]


def test_the_check_of_the_workflow_accepts_main_here_and_refuses_a_tag(capsys):
    assert main(["release", "--check", "main"]) == 0
    assert main(["release", "--check", TAG]) == 1
    assert "not pinned to v9.9: _config.yml" in capsys.readouterr().err


@pytest.fixture(scope="module")
def tag_build(released, tmp_path_factory):
    """The tag checked out as CI checks it out (a clone at the tag), and its
    book built with jupyter-book."""
    repo, _ = released
    tree = tmp_path_factory.mktemp("tag") / "tree"
    git("clone", "--quiet", "--branch", TAG, str(repo), str(tree), cwd=repo)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [str(jupyter_book), "build", str(tree), "-W", "-n", "--keep-going"],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    return tree


LAUNCH = re.compile(
    r'href="(https://(?:mybinder\.org/v2/|colab\.research\.google\.com/github/)[^"]*)"'
)


def test_a_book_built_from_the_tag_names_it_everywhere(tag_build):
    tree = tag_build
    assert release.check(tree, TAG) == []
    source = project.read_source(tree / "_config.yml")
    repo = source.url.removeprefix("https://github.com/").rstrip("/")
    documents = toc_documents(tree / "_toc.yml")
    notebook_pages = 0
    for _caption, document in documents:
        page = (tree / "_build" / "html" / f"{document}.html").read_text("utf-8")
        assert f'data-ref="{TAG}">Edition 9.9: ' in page, document
        links = LAUNCH.findall(page)
        if (tree / f"{document}.ipynb").is_file():
            notebook_pages += 1
            binder = f"https://mybinder.org/v2/gh/{repo}/{TAG}?urlpath=lab/tree/"
            colab_at = f"https://colab.research.google.com/github/{repo}/blob/{TAG}/"
            assert links == [
                binder + f"{document}.ipynb",
                colab_at + f"{document}.ipynb",
            ]
        else:
            assert links == [], document
        assert "/main" not in " ".join(links)
        # The notebook a reader downloads from the page installs the tag too.
        download = tree / "_build" / "html" / "_sources" / f"{document}.ipynb"
        if download.is_file():
            nb = nbformat.read(download, as_version=4)
            assert colab.installed_ref(nb) == TAG, download
    assert notebook_pages == len(release.notebooks(tree)) >= 21
