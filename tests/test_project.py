"""The promises the README and CI make about the project itself."""

import re

from tests.conftest import REPO

PIN = re.compile(r"^[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.+\-]*$")


def _requirement_lines(name):
    lines = (REPO / name).read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_every_dependency_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        lines = _requirement_lines(name)
        assert lines, name
        for line in lines:
            assert PIN.match(line), f"{name}: {line!r} is not pinned with =="


def test_core_pins_are_the_ones_the_course_is_tested_with():
    pins = dict(line.split("==") for line in _requirement_lines("requirements.txt"))
    assert pins["jupyter-book"] == "1.0.4.post1"
    assert pins["tensorflow-cpu"] == "2.21.0"
    assert pins["keras"].startswith("3.")
    assert pins["ipywidgets"].startswith("8.")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands == ["make book", "make test"]
    ci_commands = [
        line.strip()
        for line in (REPO / ".ci/run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "make test" in ci_commands


def test_binder_can_import_cnnbook():
    assert (REPO / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps -e ." in (REPO / "postBuild").read_text()


def test_generated_and_cache_folders_are_ignored():
    ignored = (REPO / ".gitignore").read_text().splitlines()
    for name in (".venv/", "_build/", "__pycache__/", ".pytest_cache/"):
        assert name in ignored


def test_every_make_command_the_readme_names_has_a_rule():
    readme = (REPO / "README.md").read_text()
    named = set(re.findall(r"^make ([a-z][a-z-]*)", readme, flags=re.MULTILINE))
    rules = set(
        re.findall(
            r"^([a-z][a-z-]*):", (REPO / "Makefile").read_text(), flags=re.MULTILINE
        )
    )
    assert {"book", "test", "outputs-check", "grade", "pdf"} <= named
    assert named - rules == set(), "README names make targets the Makefile lacks"


def test_every_module_stays_under_500_lines():
    """A module past 500 lines holds more than one responsibility: split it at
    its seam (the rule of the developers' guide)."""
    sources = sorted((REPO / "cnnbook").rglob("*.py")) + sorted(
        (REPO / "cnnbook").rglob("*.js")
    )
    assert len(sources) > 100
    long = {
        str(path.relative_to(REPO)): lines
        for path in sources
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) >= 500
    }
    assert long == {}
