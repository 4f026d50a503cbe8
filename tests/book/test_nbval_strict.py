"""nbval really compares stored outputs: a changed output makes it fail."""

import json

from cnnbook.authoring.execute import execute_file
from tests.conftest import REPO
from tests.helpers import make_notebook, run_pytest, write_notebook


def test_nbval_fails_when_a_stored_output_changes(tmp_path):
    path = write_notebook(make_notebook("print(sum(range(10)))"), tmp_path / "n.ipynb")
    execute_file(path)
    passed = run_pytest("--nbval", path.name, cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout

    nb = json.loads(path.read_text())
    nb["cells"][1]["outputs"][0]["text"] = ["46\n"]
    path.write_text(json.dumps(nb))
    failed = run_pytest("--nbval", path.name, cwd=tmp_path)
    assert failed.returncode == 1, failed.stdout
    assert "46" in failed.stdout and "45" in failed.stdout


def test_no_lax_mode_anywhere():
    for name in ("Makefile", ".ci/run", "pyproject.toml"):
        assert "nbval-lax" not in (REPO / name).read_text(), name
