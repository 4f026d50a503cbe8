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
from cnnbook.authoring.exercises import check_cells, generate_files
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
    generate_files(
        SOURCES, out / "exercises", out / "solutions", execute=False, log=None
    )
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


def check_feedback(nb) -> list[str]:
    """The text each check cell displayed (one execute_result per check cell);
    check cells are found by what they call (any module of cnnbook.checks)."""
    texts = []
    for index in check_cells(nb):
        cell = nb.cells[index]
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, f"cell {index} should display one feedback"
        assert not [o for o in cell.outputs if o.output_type in ("error", "stream")]
        texts.append(results[0]["data"]["text/plain"])
    assert texts, "a notebook of exercises without a single check cell"
    return texts


@pytest.mark.parametrize("name", NAMES)
def test_untouched_exercise_runs_and_every_check_waits_for_an_answer(name):
    path = REPO / "exercises" / name
    executed = execute_notebook(
        nbformat.read(path, as_version=4), cwd=path.parent, label=str(path)
    )
    for text in check_feedback(executed):
        assert text.startswith(PREFIXES["unanswered"]), text


@pytest.mark.parametrize("name", NAMES)
def test_with_the_solutions_every_check_is_correct(name):
    solution = nbformat.read(REPO / "solutions" / name, as_version=4)
    exercise = nbformat.read(REPO / "exercises" / name, as_version=4)
    texts = check_feedback(solution)
    assert len(texts) == len(check_cells(exercise))
    for text in texts:
        assert text.startswith(PREFIXES["correct"]), text


def _wrong_answer_cells(nb) -> dict[str, int]:
    """For each module of cnnbook.checks a check cell calls, its first such cell
    whose first argument is a plain name (the student's answer)."""
    import ast

    from cnnbook.authoring.exercises import called_check, check_names

    names, chosen = check_names(nb), {}
    for index in check_cells(nb):
        module = called_check(nb.cells[index], names).rpartition(".")[0]
        call = ast.parse(nb.cells[index].source).body[-1].value
        if module not in chosen and call.args and isinstance(call.args[0], ast.Name):
            chosen[module] = index
    return chosen


@pytest.mark.parametrize(
    "name", [n for n in NAMES if n[:2] in {"02", "03", "04", "05", "07"}]
)
def test_a_wrong_answer_to_a_check_of_any_module_fails_verification(name, tmp_path):
    """The verification above reads every check cell, whatever module it calls:
    regenerate a solution with one wrong answer per check module, and the
    feedback it reads for each of those cells is not "Correct"."""
    from nbformat.v4 import new_code_cell

    source = nbformat.read(REPO / "notebooks" / name, as_version=4)
    chosen = _wrong_answer_cells(source)
    assert any(module.startswith("checks.ch") for module in chosen), chosen
    doctored_ids = {source.cells[index].id for index in chosen.values()}
    for index in sorted(chosen.values(), reverse=True):
        answer = ast_first_argument(source.cells[index].source)
        source.cells.insert(index, new_code_cell(f"{answer} = -1  # a wrong answer"))
    doctored = tmp_path / "notebooks" / name
    doctored.parent.mkdir()
    nbformat.write(source, doctored)
    generate_files([doctored], tmp_path / "exercises", tmp_path / "solutions", log=None)
    solution = nbformat.read(tmp_path / "solutions" / name, as_version=4)
    texts = dict(
        zip(
            (solution.cells[i].id for i in check_cells(solution)),
            check_feedback(solution),
            strict=True,
        )
    )
    assert doctored_ids <= set(texts)
    for cell_id in doctored_ids:
        assert not texts[cell_id].startswith(PREFIXES["correct"]), texts[cell_id]


def ast_first_argument(source: str) -> str:
    import ast

    return ast.parse(source).body[-1].value.args[0].id
