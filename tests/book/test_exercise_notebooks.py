"""The committed exercises/ and solutions/ match their sources in notebooks/, and the
student journey works: untouched, every check says "Not answered yet"; solved,
every check says "Correct", for the default variant (the stored solutions) and
for a sample of students (the solutions' code run in this process, judged as
each of them); the exercises hold no recap of the answers.

Drift is checked without running kernels: the sources are split again into a
temporary folder (solutions unexecuted) and compared with the committed files;
nbval checks the stored outputs of solutions/ separately.
"""

import ast

import nbformat
import pytest

from cnnbook.authoring.execute import execute_notebook
from cnnbook.authoring.exercises import (
    SOLUTIONS_ONLY_STUB,
    called_check,
    check_cells,
    check_names,
    generate_files,
    solutions_only,
    split_notebook,
)
from cnnbook.checks import PREFIXES, variants
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


def _check_calls(name: str) -> list[tuple[int, str]]:
    """(cell index, source) of every check cell of exercises/NAME."""
    nb = nbformat.read(REPO / "exercises" / name, as_version=4)
    return [(i, nb.cells[i].source) for i in check_cells(nb)]


def shown_answer(source: str, chapter: str) -> str | None:
    """What a check cell would show a student beyond naming its question and
    passing variables: a number, a formula, a keyword such as `correct=`, a
    generic check, more than one statement; None if nothing."""
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return "more than the call"
    call = tree.body[0].value
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.keyword)):
            return ast.unparse(node)
    if not ast.unparse(call.func).startswith(f"checks.{chapter}."):
        return ast.unparse(call.func)
    if not call.args or not all(isinstance(a, ast.Name) for a in call.args):
        return "arguments other than the student's variables"
    return None


@pytest.mark.parametrize("name", NAMES)
def test_check_cells_name_their_question_and_pass_only_the_students_variables(name):
    """No check cell of a student's notebook shows an answer."""
    for index, source in _check_calls(name):
        shown = shown_answer(source, f"ch{name[:2]}")
        assert shown is None, f"exercises/{name}, cell {index} shows {shown!r}"


@pytest.mark.parametrize(
    "source",
    [
        'checks.choice(alive, correct="b", options="abcd")',
        "checks.ch05.depth_radius(depth_radius, 2)",
        "checks.ch06.projection(1 * 1 * 64 * 128 + 4 * 128)",
        "checks.ch03.recomputed(recomputed, rel_tol=tol)",
        "checks.ch03.recomputed(-recomputed)",
        "checks.number(segments, sqrt_segments(chain))",
        "checks.ch01.model(model)",  # another chapter's question
        "expected = 4\nchecks.ch03.accumulation_steps(accumulation_steps)",
    ],
)
def test_the_scanner_finds_an_answer_shown_in_a_check_cell(source):
    assert shown_answer(source, "ch03") is not None


def test_every_question_of_the_bank_is_asked_once():
    from cnnbook.checks import questions

    asked = [
        ast.unparse(ast.parse(source).body[0].value.func).removeprefix("checks.")
        for name in NAMES
        for _, source in _check_calls(name)
    ]
    assert len(asked) == len(set(asked))
    assert sorted(asked) == sorted(q.qid for q in questions())


def _wrong_answer_cells(nb) -> dict[str, int]:
    """For each module of cnnbook.checks a check cell calls, its first such cell
    whose first argument is a plain name (the student's answer)."""
    from cnnbook.authoring.exercises import called_check, check_names

    names, chosen = check_names(nb), {}
    for index in check_cells(nb):
        module = called_check(nb.cells[index], names).rpartition(".")[0]
        call = ast.parse(nb.cells[index].source).body[-1].value
        if module not in chosen and call.args and isinstance(call.args[0], ast.Name):
            chosen[module] = index
    return chosen


@pytest.mark.parametrize("name", NAMES)
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
    return ast.parse(source).body[-1].value.args[0].id


# --------------------------------------------------------------------------- students
STUDENTS = [None, "alice", "s1234567", "jane.doe@example.org"]
"""The default variant and a sample of ids whose solutions are run."""


def run_solution(path, student):
    """{check cell id: feedback} of the source's solution, every code cell run
    in this process as ``student`` (the kernel's setup cell excepted)."""
    _, solution = split_notebook(nbformat.read(path, as_version=4), str(path))
    names, namespace, verdicts = check_names(solution), {}, {}
    with variants.as_student(student):
        for cell in solution.cells:
            if cell.cell_type != "code" or "cnnbook.runtime" in cell.source:
                continue
            tree = ast.parse(cell.source)
            if called_check(cell, names):
                *body, last = tree.body
                exec(compile(ast.Module(body, []), cell.id, "exec"), namespace)
                call = compile(ast.Expression(last.value), cell.id, "eval")
                verdicts[cell.id] = eval(call, namespace)
            else:
                exec(compile(tree, cell.id, "exec"), namespace)
    return verdicts


@pytest.mark.parametrize("name", NAMES)
def test_the_solutions_are_correct_for_every_student_of_a_sample(name):
    """The same source answers any student: its code reads the student's numbers."""
    checked = check_cells(nbformat.read(REPO / "notebooks" / name, as_version=4))
    for student in STUDENTS:
        verdicts = run_solution(REPO / "notebooks" / name, student)
        assert len(verdicts) == len(checked)
        for cell_id, feedback in verdicts.items():
            assert feedback.correct, (student, cell_id, feedback.message)


@pytest.mark.parametrize("name", NAMES)
def test_the_exercises_hold_no_recap_and_the_solutions_do(name):
    source = nbformat.read(REPO / "notebooks" / name, as_version=4)
    exercise = nbformat.read(REPO / "exercises" / name, as_version=4)
    solution = nbformat.read(REPO / "solutions" / name, as_version=4)
    recaps = [cell.id for cell in source.cells if "What you practised" in cell.source]
    assert recaps, "each source ends with a recap of what it practised"
    for cell in source.cells:
        if cell.id in recaps:
            assert solutions_only(cell), f"{name}: the recap {cell.id} is not marked"
    by_id = {cell.id: cell for cell in exercise.cells}
    solved = {cell.id: cell for cell in solution.cells}
    for cell_id in recaps:
        assert by_id[cell_id].source == SOLUTIONS_ONLY_STUB
        assert "What you practised" in solved[cell_id].source
