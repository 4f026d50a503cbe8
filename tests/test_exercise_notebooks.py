"""The committed exercises/ and solutions/ match their sources in notebooks/, and the
student journey works: untouched, every check says "Not answered yet"; solved,
every check says "Correct".

Drift is checked without running kernels: the sources are split again into a
temporary folder (solutions unexecuted) and compared with the committed files;
nbval checks the stored outputs of solutions/ separately.
"""

import nbformat
import pytest

from cnnbook.authoring.execute import execute_notebook
from cnnbook.authoring.exercises import generate_files, is_check_cell
from cnnbook.checks import PREFIXES
from tests.conftest import REPO

SOURCES = sorted((REPO / "notebooks").glob("*.ipynb"))
NAMES = [path.name for path in SOURCES]


def test_there_are_exercise_sources():
    assert NAMES, "notebooks/ holds no exercise source: these tests would be vacuous"


def test_every_generated_notebook_has_a_source():
    for folder in ("exercises", "solutions"):
        generated = sorted(p.name for p in (REPO / folder).glob("*.ipynb"))
        assert generated == NAMES, f"{folder}/ does not match notebooks/"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("regenerated")
    generate_files(SOURCES, out / "exercises", out / "solutions", execute=False,
                   log=None)
    return out


def _cells(nb):
    return [(cell.get("id"), cell.cell_type, cell.source) for cell in nb.cells]


@pytest.mark.parametrize("name", NAMES)
def test_committed_exercise_is_regenerated_exactly(regenerated, name):
    fresh = (regenerated / "exercises" / name).read_text(encoding="utf-8")
    committed = (REPO / "exercises" / name).read_text(encoding="utf-8")
    assert committed == fresh, (
        f"exercises/{name} differs from what notebooks/{name} generates: edit the "
        "source and run `make solutions` instead of editing generated files"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_solution_has_the_sources_cells(regenerated, name):
    fresh = nbformat.read(regenerated / "solutions" / name, as_version=4)
    committed = nbformat.read(REPO / "solutions" / name, as_version=4)
    assert _cells(committed) == _cells(fresh), (
        f"solutions/{name} differs from what notebooks/{name} generates: run "
        "`make solutions`"
    )
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "solutions are executed"


def _check_outputs(nb) -> list[str]:
    """The text each check cell displayed (one execute_result per check cell)."""
    texts = []
    for index, cell in enumerate(nb.cells):
        if not is_check_cell(cell):
            continue
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, f"cell {index} should display one feedback"
        assert not [o for o in cell.outputs if o.output_type in ("error", "stream")]
        texts.append(results[0]["data"]["text/plain"])
    assert texts, "a notebook of exercises without a single check cell"
    return texts


@pytest.mark.parametrize("name", NAMES)
def test_untouched_exercise_runs_and_every_check_waits_for_an_answer(name):
    path = REPO / "exercises" / name
    executed = execute_notebook(nbformat.read(path, as_version=4),
                                cwd=path.parent, label=str(path))
    for text in _check_outputs(executed):
        assert text.startswith(PREFIXES["unanswered"]), text


@pytest.mark.parametrize("name", NAMES)
def test_with_the_solutions_every_check_is_correct(name):
    solution = nbformat.read(REPO / "solutions" / name, as_version=4)
    exercise = nbformat.read(REPO / "exercises" / name, as_version=4)
    texts = _check_outputs(solution)
    assert len(texts) == sum(is_check_cell(cell) for cell in exercise.cells)
    for text in texts:
        assert text.startswith(PREFIXES["correct"]), text
