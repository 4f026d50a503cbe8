"""The Colab install cell: written from _config.yml, inserted once as the first
code cell, silent outside Colab, and, in a Colab-like run (a fake
``google.colab`` module, no network), it installs cnnbook from the repository.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnnbook import project
from cnnbook.authoring import colab
from cnnbook.commands import main
from tests.conftest import REPO

BOOK = {"TensorFlow": "2.21.0", "Keras": "3.15.1"}


def config_file(folder: Path, url: str, branch: str = "main") -> Path:
    path = folder / "_config.yml"
    path.write_text(f"repository:\n  url: {url}\n  branch: {branch}\n")
    return path


# ------------------------------------------------------------------ the cell itself
def test_the_cell_installs_from_the_address_and_branch_of_config_yml():
    cell = colab.install_cell()
    source = project.read_source()
    assert source.url.startswith("https://") and source.ref
    assert f'REPOSITORY = "{source.url}"' in cell.source
    assert f'REF = "{source.ref}"' in cell.source
    assert 'if "google.colab" in sys.modules:' in cell.source
    pins = project.read_pins(names=["anywidget", "tensorflow-cpu", "keras"])
    assert f'"anywidget=={pins["anywidget"]}"' in cell.source
    assert f'"Keras": "{pins["keras"]}"' in cell.source
    assert cell.id == colab.CELL_ID and cell.metadata["tags"] == [colab.HIDE_TAG]
    assert max(len(line) for line in cell.source.splitlines()) <= 88
    compile(cell.source, "colab-install", "exec")  # plain Python, no magics


def test_a_ref_replaces_the_branch_and_bad_settings_are_refused(tmp_path):
    config = config_file(tmp_path, "https://example.org/a/b", "trunk")
    assert project.read_source(config) == project.InstallSource(
        "https://example.org/a/b", "trunk"
    )
    tagged = colab.install_cell(config=config, ref="v1.2.0")
    assert 'REF = "v1.2.0"' in tagged.source
    with pytest.raises(ValueError, match="ref must be a git branch"):
        project.InstallSource("https://example.org/a/b", "main; rm -rf /")
    with pytest.raises(ValueError, match="url must be an https://"):
        project.InstallSource("ssh://example.org/a/b", "main")
    (tmp_path / "empty.yml").write_text("title: x\n")
    with pytest.raises(ValueError, match="sets no repository.url"):
        project.read_source(tmp_path / "empty.yml")
    (tmp_path / "req.txt").write_text("keras>=3\n")
    with pytest.raises(ValueError, match=r"pins no exact version of \['keras'\]"):
        project.read_pins(tmp_path / "req.txt", ["keras"])


def test_outside_colab_the_cell_does_nothing_and_prints_nothing():
    code = textwrap.dedent(
        """
        import subprocess, sys
        sys.modules.pop("google.colab", None)
        def refuse(*args, **kwargs):
            raise AssertionError("pip ran outside Colab")
        subprocess.run = refuse
        exec(compile(sys.stdin.read(), "colab-install", "exec"), {})
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=colab.install_cell().source,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_the_version_note_says_what_differs_and_what_it_changes(monkeypatch):
    from importlib import metadata

    versions = {"tensorflow": "2.19.0", "keras": "3.10.0"}

    def version(name):
        if name not in versions:
            raise metadata.PackageNotFoundError(name)
        return versions[name]

    monkeypatch.setattr(metadata, "version", version)
    note = colab.versions_note(BOOK)
    assert note.startswith(
        "cnnbook is installed. Colab has TensorFlow 2.19.0, Keras 3.10.0; "
        "the book was run with TensorFlow 2.21.0, Keras 3.15.1."
    )
    assert "The checks compute their expected answers in this session" in note
    assert "needs Keras 3" not in note
    versions.update(keras="2.15.0")
    assert "This book needs Keras 3" in colab.versions_note(BOOK)
    versions.update(keras="3.15.1", tensorflow="2.21.0")
    assert "Same versions" in colab.versions_note(BOOK)


# ------------------------------------------------------------------ notebooks
def chapter(executed: bool) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# A chapter"),
            new_code_cell("from cnnbook.runtime import configure\n\nconfigure()"),
            new_markdown_cell("Text."),
            new_code_cell("print(1)"),
        ]
    )
    if executed:
        nb.cells[1].execution_count, nb.cells[3].execution_count = 1, 2
        nb.cells[3].outputs = [
            nbformat.v4.new_output(
                "execute_result", {"text/plain": "1"}, execution_count=2
            )
        ]
    return nb


def test_the_cell_goes_first_among_code_cells_once_and_is_replaced_in_place():
    cell = colab.install_cell()
    nb = colab.with_install_cell(chapter(executed=True), cell)
    assert [c.get("id") == colab.CELL_ID for c in nb.cells] == [
        False,
        True,
        False,
        False,
        False,
    ]
    # Executed notebooks are renumbered as a fresh run numbers them.
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
    assert nb.cells[4].outputs[0].execution_count == 3  # a result's own count too
    assert colab.with_install_cell(nb, cell) == nb  # idempotent
    tagged = colab.install_cell(ref="v2.0")
    again = colab.with_install_cell(nb, tagged)
    assert len(again.cells) == len(nb.cells)
    assert 'REF = "v2.0"' in again.cells[1].source
    fresh = colab.with_install_cell(chapter(executed=False), cell)
    assert [c.execution_count for c in fresh.cells if c.cell_type == "code"] == [
        None,
        None,
        None,
    ]


def test_the_command_updates_notebooks_in_place_and_only_when_needed(tmp_path):
    path = tmp_path / "01_chapter.ipynb"
    nbformat.write(chapter(executed=True), path)
    assert main(["colab-cell", str(path)]) == 0
    first = path.read_text()
    mtime = path.stat().st_mtime_ns
    assert main(["colab-cell", str(path)]) == 0
    assert path.read_text() == first and path.stat().st_mtime_ns == mtime
    assert main(["colab-cell", str(path), "--ref", "v1.0"]) == 0
    nb = nbformat.read(path, as_version=4)
    assert sum(c.get("id") == colab.CELL_ID for c in nb.cells) == 1
    assert 'REF = "v1.0"' in nb.cells[1].source
    assert main(["colab-cell", str(tmp_path / "nope.ipynb")]) == 1


@pytest.mark.parametrize("folder", ["book", "exercises", "solutions"])
def test_every_notebook_with_a_colab_button_starts_with_the_current_cell(folder):
    """Chapters get it from `cnnbook colab-cell book/*.ipynb`,
    exercises and solutions from `make solutions`."""
    cell = colab.install_cell()
    for path in sorted((REPO / folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].id == colab.CELL_ID, path.name
        assert code[0].source == cell.source, f"{folder}/{path.name} is out of date"
        assert code[0].outputs == [], path.name


# ------------------------------------------------------------------ a Colab-like run
def _copy_of_the_package(folder: Path) -> Path:
    """A git repository holding this checkout's package files, committed."""
    repo = folder / "repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, repo / name)
    shutil.copytree(
        REPO / "cnnbook", repo / "cnnbook", ignore=shutil.ignore_patterns("__pycache__")
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    return repo


def _python_without_cnnbook(folder: Path) -> Path:
    """A scratch venv that sees this venv's packages (Colab has its own
    TensorFlow, NumPy, pip...) except cnnbook, which it must install."""
    venv = folder / "scratch"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
    )
    view = folder / "site-view"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        skip = entry.name.startswith(("cnnbook", "__editable__"))
        if not skip and entry.suffix != ".pth":
            (view / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "site-view.pth").write_text(f"{view}\n")
    return python


def test_in_a_colab_like_kernel_the_cell_installs_cnnbook_from_the_repo(tmp_path):
    repo = _copy_of_the_package(tmp_path)
    config = config_file(tmp_path, f"file://localhost{repo}")
    cell = colab.install_cell(config=config)
    python = _python_without_cnnbook(tmp_path)
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",  # no network: everything but cnnbook is installed
        "PIP_NO_BUILD_ISOLATION": "0",  # build with the installed setuptools
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONNOUSERSITE": "1",
    }
    env.pop("PYTHONPATH", None)
    kernel = textwrap.dedent(
        """
        import sys, types
        if sys.argv[1] == "colab":  # what Colab's kernel has imported at start
            sys.modules["google.colab"] = types.ModuleType("google.colab")
        exec(compile(sys.stdin.read(), "colab-install", "exec"), {})
        """
    )

    def run(*args):
        return subprocess.run(
            [str(python), *args],
            input=cell.source,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    where = ["-c", "import cnnbook; print(cnnbook.__file__)"]
    assert run(*where).returncode != 0, "cnnbook must be missing before the cell"
    elsewhere = run("-c", kernel, "elsewhere")
    assert elsewhere.returncode == 0 and elsewhere.stdout == "", elsewhere.stderr
    assert run(*where).returncode != 0, "outside Colab the cell installed cnnbook"

    in_colab = run("-c", kernel, "colab")
    assert in_colab.returncode == 0, in_colab.stderr
    assert in_colab.stdout.startswith("cnnbook is installed. Colab has TensorFlow")
    installed = Path(run(*where).stdout.strip())
    assert installed.is_relative_to(python.parent.parent), installed
    package = installed.parent
    assert (package / "widgets" / "conv_stack.js").is_file()  # ES modules ship
    record = json.loads(
        next(package.parent.glob("cnnbook-*.dist-info/direct_url.json")).read_text()
    )
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    assert record["vcs_info"] == {
        "vcs": "git",
        "requested_revision": "main",
        "commit_id": head,
    }
    calc = run("-c", "from cnnbook import calc; print(calc.__name__)")
    assert calc.stdout.strip() == "cnnbook.calc", calc.stderr
