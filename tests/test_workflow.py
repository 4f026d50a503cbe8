"""The GitHub workflow (.github/workflows/book.yml) does what README's
"Publishing" promises: it tests with .ci/run on the project's Debian, and
deploys main and release tags with the official Pages actions. `make lint`
runs actionlint over it; here we also see that actionlint refuses a broken
copy, so that lint is not a check that cannot fail."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "book.yml"
BIN = Path(sys.executable).parent


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as True
    return data


def steps(job: dict) -> list[dict]:
    return job["steps"]


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


def test_it_tests_every_push_and_pull_request_with_ci_run_on_debian():
    data = workflow()
    assert data["on"]["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert "pull_request" in data["on"]
    test = data["jobs"]["test"]
    # The project's machines: Debian 12 with Python 3.11 (runtime.txt), root.
    assert test["container"] == "python:3.11-bookworm"
    assert (REPO / "runtime.txt").read_text().strip() == "python-3.11"
    assert [s["run"] for s in steps(test) if s.get("run") == ".ci/run"] == [".ci/run"]
    assert test["timeout-minutes"] <= 90


def test_it_deploys_main_and_tags_with_the_official_pages_actions():
    data = workflow()
    test, deploy = data["jobs"]["test"], data["jobs"]["deploy"]
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(
        uses(test)
    )
    upload = next(
        s for s in steps(test) if "upload-pages-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "_build/html"
    assert uses(deploy) == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["needs"] == ["test", "isolation"]
    assert data["permissions"] == {"contents": "read"}
    publish = data["env"]["PUBLISH"]
    assert "refs/heads/main" in publish and "github.ref_type == 'tag'" in publish
    assert "pull_request" in publish  # pull requests are tested, never published


def test_the_sandbox_isolation_tests_run_for_real_as_root():
    """The container of the test job cannot make namespaces, so the isolation
    tests would skip there: a job on the virtual machine runs them as root with
    CNNBOOK_REQUIRE_ISOLATION=full (tests/helpers.py), where they fail instead,
    and nothing is published unless it passes."""
    jobs = workflow()["jobs"]
    isolation = jobs["isolation"]
    assert "container" not in isolation and isolation["runs-on"].startswith("ubuntu")
    run = next(s["run"] for s in steps(isolation) if "pytest" in s.get("run", ""))
    assert run.startswith("sudo ") and "CNNBOOK_REQUIRE_ISOLATION=full" in run
    for test_file in ("test_sandbox.py", "test_grading_hostile.py", "test_grader.py"):
        assert f"tests/grading/{test_file}" in run
        assert (REPO / "tests" / "grading" / test_file).is_file()
    assert "isolation" in jobs["release"]["needs"]
    helpers = (REPO / "tests" / "helpers.py").read_text(encoding="utf-8")
    assert "CNNBOOK_REQUIRE_ISOLATION" in helpers


def test_one_setting_picks_the_variant_without_solutions():
    data = workflow()
    assert "vars.BOOK_SOLUTIONS" in data["env"]["BOOK_SOLUTIONS"]
    build = next(
        s["run"] for s in steps(data["jobs"]["test"]) if "make pdf" in s.get("run", "")
    )
    assert 'make book SOLUTIONS="$BOOK_SOLUTIONS"' in build
    assert 'make pdf SOLUTIONS="$BOOK_SOLUTIONS"' in build
    # `make test` itself must not see it: it tests the whole book.
    assert "SOLUTIONS" not in data["env"]


def test_actionlint_refuses_a_broken_workflow(tmp_path):
    actionlint = shutil.which("actionlint", path=str(BIN))
    assert actionlint, "actionlint is pinned in requirements-dev.txt"
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    (broken / "book.yml").write_text(
        text.replace("pages: write", "pages: publish").replace(
            "run: .ci/run", "run: echo $UNQUOTED && .ci/run"
        )
    )
    command = [actionlint, "-shellcheck", str(BIN / "shellcheck"), "-pyflakes="]
    good = subprocess.run(command + [str(WORKFLOW)], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
    bad = subprocess.run(
        command + [".github/workflows/book.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "publish" in bad.stdout and "SC2086" in bad.stdout
