"""The exercise generator: stubs, model answers, cleared outputs, refused markers,
idempotent writes, a source folder that is never written, and the CLI."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

from cnnbook.authoring import colab
from cnnbook.authoring.exercises import (
    MODEL_ANSWER_STUB,
    SOLUTIONS_ONLY_STUB,
    MarkerError,
    called_check,
    check_cells,
    check_names,
    code_stub,
    find_blocks,
    generate_files,
    is_check_cell,
    split_notebook,
)
from cnnbook.commands import main
from tests.conftest import REPO
from tests.helpers import make_notebook, write_notebook

B, E = "### BEGIN SOLUTION", "### END SOLUTION"


def block(*lines: str, indent: str = "") -> str:
    return "\n".join([indent + B, *lines, indent + E])


def split(*sources: str, markdown: str = "# A test notebook"):
    return split_notebook(make_notebook(*sources, markdown=markdown), label="t.ipynb")


# --------------------------------------------------------------------------- stubs
@pytest.mark.parametrize(
    ("solution", "stub"),
    [
        (["answer = 6 * 7"], ["answer = ...  # YOUR ANSWER HERE"]),
        (["model = build(", "    1,", ")"], ["model = ...  # YOUR ANSWER HERE"]),
        (["n: int = 3"], ["n: int = ...  # YOUR ANSWER HERE"]),
        (["a, b = 1, 2"], ["a, b = ...  # YOUR ANSWER HERE"]),
        (["[a, b] = 1, 2"], ["[a, b] = ...  # YOUR ANSWER HERE"]),
        (["a, (b, c.d) = 1, (2, 3)"], ["a, (b, c.d) = ...  # YOUR ANSWER HERE"]),
        # a tuple target with an element that is not a plain target: unpacking
        # ... would fail, so the whole block is the student's code
        (["a, *rest = 1, 2, 3"], ["# YOUR CODE HERE", "..."]),
        (["x = 1", "first, *rest = x, 2"], ["# YOUR CODE HERE", "..."]),
        (["a, (b, *c) = 1, (2, 3)"], ["# YOUR CODE HERE", "..."]),
        (
            ["x = 1", "shapes = [x, x]"],
            ["# YOUR CODE HERE", "shapes = ...  # YOUR ANSWER HERE"],
        ),
        (["for i in range(3):", "    print(i)"], ["# YOUR CODE HERE", "..."]),
        (["total += 1"], ["# YOUR CODE HERE", "..."]),
        (["this is not python"], ["# YOUR CODE HERE", "..."]),
    ],
)
def test_code_stubs(solution, stub):
    assert code_stub(solution, "") == stub


def test_blocks_are_replaced_in_place_and_markers_dropped_from_solutions():
    source = "x = 1\n" + block("answer = 6 * 7") + "\nprint(answer)"
    exercise, solution = split(source)
    assert exercise.cells[1].source == (
        "x = 1\nanswer = ...  # YOUR ANSWER HERE\nprint(answer)"
    )
    assert solution.cells[1].source == "x = 1\nanswer = 6 * 7\nprint(answer)"


def test_stub_keeps_the_indentation_of_the_marker():
    source = "def f():\n" + block("    return 42", indent="    ")
    exercise, solution = split(source)
    assert exercise.cells[1].source == "def f():\n    # YOUR CODE HERE\n    ..."
    assert solution.cells[1].source == "def f():\n    return 42"


def test_two_blocks_in_one_cell():
    source = block("a = 1") + "\nb = 2\n" + block("c = 3")
    exercise, _ = split(source)
    assert exercise.cells[1].source == (
        "a = ...  # YOUR ANSWER HERE\nb = 2\nc = ...  # YOUR ANSWER HERE"
    )


def test_model_answers_are_removed_from_markdown():
    text = "**Why?** Explain.\n\n" + block("**Model answer.** Because.") + "\n\nEnd."
    exercise, solution = split(markdown=text)
    question = "**Why?** Explain.\n\n"
    assert exercise.cells[0].source == f"{question}{MODEL_ANSWER_STUB}\n\nEnd."
    assert solution.cells[0].source == f"{question}**Model answer.** Because.\n\nEnd."
    assert "Because" not in nbformat.writes(exercise)


def test_outputs_cleared_check_cells_and_ids_kept():
    nb = make_notebook(block("answer = 42"), "checks.number(answer, 42)")
    for cell in nb.cells[1:]:
        cell.execution_count = 3
        cell.outputs = [new_output("stream", name="stdout", text="old\n")]
        cell.metadata["execution"] = {"iopub.execute_input": "2024-01-01"}
    nb.cells[2].metadata["tags"] = ["keep-me"]
    exercise, solution = split_notebook(nb, label="t.ipynb")
    for generated in (exercise, solution):
        assert [c.id for c in generated.cells] == [c.id for c in nb.cells]
        for cell in generated.cells[1:]:
            assert cell.outputs == [] and cell.execution_count is None
            assert "execution" not in cell.metadata
        assert generated.cells[2].source == "checks.number(answer, 42)"
        assert generated.cells[2].metadata["tags"] == ["keep-me"]
        assert is_check_cell(generated.cells[2])
        assert not is_check_cell(generated.cells[1])
    assert nb.cells[1].outputs, "the source notebook itself must not be modified"


def test_a_solutions_only_cell_keeps_its_place_but_not_its_text():
    nb = make_notebook("x = 1", markdown="# Title")
    answer = (
        "the answer is forty-two"  # words: cell ids are random hex, "42" may be in one
    )
    nb.cells.append(new_markdown_cell(f"## What you practised\n\n- {answer}"))
    nb.cells[-1].metadata["cnnbook"] = {"solutions_only": True, "points": 1}
    nb.cells.append(new_markdown_cell("Kept."))
    nb.cells[-1].metadata["cnnbook"] = {"solutions_only": False}
    exercise, solution = split_notebook(nb, label="t.ipynb")
    assert [c.id for c in exercise.cells] == [c.id for c in solution.cells]
    assert exercise.cells[2].source == SOLUTIONS_ONLY_STUB
    assert answer in solution.cells[2].source
    assert answer not in nbformat.writes(exercise)
    assert exercise.cells[2].metadata["cnnbook"]["solutions_only"] is True
    assert exercise.cells[3].source == "Kept."


# ------------------------------------------------------------------------- check cells
def test_check_cells_are_found_by_what_they_call_whatever_the_module():
    nb = make_notebook(
        "from cnnbook import calc, checks\nfrom cnnbook.checks import ch03 as c3",
        "import cnnbook.checks\nfrom cnnbook.checks.generic import number as num",
        "checks.number(answer, 42)",
        "checks.ch03.step_memory(gb, report, 32)",
        "c3.largest_batch(n, report, 24e9)",
        "num(answer, 3)",
        "cnnbook.checks.ch02.parameter_count(p, shape, layers)",
        "x = 1\n# a comment\nchecks.choice(\n    pick, correct='b', options='abc')",
        "print(checks.number(answer, 42))",  # the feedback is printed, not shown
        "calc.analyze(shape, layers)",
        "checks.number(answer",  # a syntax error is no check cell
        "answer = checks.number(a, 1)",
    )
    assert check_names(nb) == {"checks", "c3", "cnnbook", "num"}
    assert check_cells(nb) == [3, 4, 5, 6, 7, 8]
    names = check_names(nb)
    assert called_check(nb.cells[4], names) == "checks.ch03.step_memory"
    assert called_check(nb.cells[7], names) == "cnnbook.checks.ch02.parameter_count"
    assert called_check(nb.cells[9], names) is None
    assert called_check(nb.cells[0], names) is None  # markdown


# --------------------------------------------------------------------------- markers
@pytest.mark.parametrize(
    ("source", "line", "problem"),
    [
        (f"x = 1\n{B}\nanswer = 1", 2, "is never closed"),
        (f"x = 1\nanswer = 1\n{E}", 3, "without a matching"),
        (f"{B}\na = 1\n{B}\nb = 2\n{E}\n{E}", 3, "nested"),
        ("## BEGIN SOLUTION\na = 1\n### END SOLUTION", 1, "malformed marker"),
        (f"{B}\na = 1\n### end solution", 3, "malformed marker"),
    ],
)
def test_bad_markers_name_file_cell_and_line(source, line, problem):
    with pytest.raises(MarkerError, match=problem) as info:
        split_notebook(make_notebook("x = 0", source), label="notebooks/bad.ipynb")
    assert str(info.value).startswith(f"notebooks/bad.ipynb: cell 2, line {line}: ")
    assert (info.value.cell, info.value.line) == (2, line)
    assert isinstance(info.value, ValueError)


def test_markers_in_markdown_are_checked_too():
    with pytest.raises(MarkerError, match=r"m\.ipynb: cell 0, line 2: .*never closed"):
        split_notebook(make_notebook(markdown=f"Why?\n{B}\nBecause."), label="m.ipynb")


def test_markers_in_raw_cells_are_refused():
    nb = make_notebook()
    nb.cells.append(new_raw_cell(block("a = 1")))
    with pytest.raises(MarkerError, match="cell 1, line 1: .*not raw cells"):
        split_notebook(nb, label="r.ipynb")


def test_find_blocks_reports_line_pairs():
    assert [(b.begin, b.end) for b in find_blocks(f"x\n{B}\ny\n{E}\nz")] == [(1, 3)]
    prose = "Begin solution attempts early.\nprint('### BEGIN SOLUTION')"
    assert find_blocks(prose) == []


# --------------------------------------------------------------------------- files
@pytest.fixture
def course(tmp_path):
    """A notebooks/ folder with one small source, and output folders to fill."""
    source = tmp_path / "notebooks" / "01_small.ipynb"
    source.parent.mkdir()
    nb = make_notebook(
        block("answer = 6 * 7"),
        "print(answer)",
        markdown="# Small\n\n" + block("Forty-two."),
    )
    nb.cells.append(new_markdown_cell("The end."))
    nb.cells.append(new_code_cell("print('done')"))
    write_notebook(nb, source)
    return source, tmp_path / "out" / "exercises", tmp_path / "out" / "solutions"


def test_generation_writes_both_notebooks_and_is_idempotent(course):
    source, exercises, solutions = course
    source_text, source_mtime = source.read_text(), source.stat().st_mtime_ns
    lines = []
    first = generate_files(
        [source], exercises, solutions, log=lambda text, **_: lines.append(text)
    )
    assert first[0].exercise_changed and first[0].solution_changed
    assert lines[0] == f"[1/1] {source}: generating ..."
    assert "updated" in lines[1] and lines[1].endswith(" s)")

    exercise = nbformat.read(exercises / source.name, as_version=4)
    solution = nbformat.read(solutions / source.name, as_version=4)
    # Both start with the Colab install cell (tests/authoring/test_colab.py).
    assert exercise.cells[1].id == solution.cells[1].id == colab.CELL_ID
    assert exercise.cells[2].source == "answer = ...  # YOUR ANSWER HERE"
    assert MODEL_ANSWER_STUB in exercise.cells[0].source
    assert all(not c.get("outputs") for c in exercise.cells)
    assert solution.cells[1].outputs == []  # not in Colab: nothing printed
    assert solution.cells[3].outputs[0]["text"] == "42\n"
    assert "Forty-two." in solution.cells[0].source
    assert B not in solution.cells[0].source

    written = {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in (exercises / source.name, solutions / source.name)
    }
    second = generate_files([source], exercises, solutions, log=None)
    assert not second[0].exercise_changed and not second[0].solution_changed
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in written} == written
    assert source.read_text() == source_text
    assert source.stat().st_mtime_ns == source_mtime
    assert sorted(p.name for p in source.parent.iterdir()) == [source.name]


def test_default_folders_are_beside_the_sources(course):
    source, _, _ = course
    generate_files([source], execute=False, log=None)
    root = source.parent.parent
    assert (root / "exercises" / source.name).is_file()
    assert (root / "solutions" / source.name).is_file()
    assert sorted(p.name for p in source.parent.iterdir()) == [source.name]


def test_nothing_is_written_when_one_source_is_bad(course, tmp_path):
    source, exercises, solutions = course
    bad = write_notebook(make_notebook(f"{B}\nx = 1"), source.parent / "02_bad.ipynb")
    with pytest.raises(MarkerError, match=r"02_bad\.ipynb: cell 1, line 1"):
        generate_files([source, bad], exercises, solutions, log=None)
    assert not exercises.exists() and not solutions.exists()


def test_output_folders_must_not_be_the_sources_folder(course):
    source, exercises, _ = course
    with pytest.raises(ValueError, match="solutions_dir must not be a folder of sou"):
        generate_files([source], exercises, source.parent, log=None)
    with pytest.raises(ValueError, match="exercises_dir and solutions_dir must differ"):
        generate_files([source], exercises, exercises, log=None)
    with pytest.raises(ValueError, match="path must be an existing .ipynb file"):
        generate_files([source.with_name("nope.ipynb")], log=None)
    with pytest.raises(ValueError, match="paths must name at least one"):
        generate_files([], log=None)


# --------------------------------------------------------------------------- CLI
def test_cli_refuses_bad_markers_with_exit_code_1(tmp_path):
    bad = write_notebook(
        make_notebook("x = 1", f"{B}\na = 1\n{B}\n{E}\n{E}"), tmp_path / "bad.ipynb"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cnnbook",
            "solutions",
            str(bad),
            "--exercises",
            str(tmp_path / "ex"),
            "--solutions",
            str(tmp_path / "sol"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"error: {bad}: cell 2, line 3: nested" in result.stderr
    assert not (tmp_path / "ex").exists() and not (tmp_path / "sol").exists()


def test_cli_generates_into_the_given_folders(course, capsys):
    source, exercises, solutions = course
    argv = [
        "solutions",
        str(source),
        "--exercises",
        str(exercises),
        "--solutions",
        str(solutions),
    ]
    assert main(argv) == 0
    assert (exercises / source.name).is_file() and (solutions / source.name).is_file()
    out = capsys.readouterr().out
    assert f"[1/1] {source}: generating ..." in out and "(executed, " in out


@pytest.fixture
def variant_course(tmp_path):
    """A source whose solution prints the student whose numbers it computes."""
    source = tmp_path / "notebooks" / "01_variant.ipynb"
    source.parent.mkdir()
    nb = make_notebook(
        "from cnnbook import checks\n\nstudent_id = checks.set_student(None)",
        "print(checks.student())",
        block("answer = checks.ch01.variant().units"),
    )
    write_notebook(nb, source)
    return source


def _printed(path) -> str:
    return nbformat.read(path, as_version=4).cells[3].outputs[0]["text"]


def test_solutions_are_the_default_variants_whatever_the_shell_says(
    variant_course, tmp_path, monkeypatch
):
    monkeypatch.setenv("JUPYTERHUB_USER", "the-instructor")
    monkeypatch.setenv("CNNBOOK_STUDENT_ID", "someone")
    generate_files([variant_course], log=None)
    assert _printed(tmp_path / "solutions" / variant_course.name) == "None\n"
    assert (tmp_path / "exercises" / variant_course.name).is_file()


def test_one_students_solutions_go_where_the_instructor_says(variant_course, tmp_path):
    folder = tmp_path / "answers" / "jdoe"
    results = generate_files(
        [variant_course], solutions_dir=folder, student="jdoe", log=None
    )
    assert _printed(folder / variant_course.name) == "jdoe\n"
    assert not results[0].exercise_changed
    assert not (tmp_path / "exercises").exists()  # the same for every student
    assert not (tmp_path / "solutions").exists()


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"student": "jdoe"}, "solutions_dir is required with student"),
        ({"student": "jdoe", "solutions_dir": "solutions"}, "holds the default"),
        ({"student": "two\nlines", "solutions_dir": "x"}, "student_id must be"),
    ],
)
def test_one_students_solutions_never_overwrite_the_default(
    variant_course, tmp_path, kwargs, problem
):
    if kwargs.get("solutions_dir") == "solutions":
        kwargs["solutions_dir"] = tmp_path / "solutions"
    with pytest.raises(ValueError, match=problem):
        generate_files([variant_course], log=None, **kwargs)
    assert not (tmp_path / "solutions").exists()


def test_cli_writes_one_students_solutions_or_refuses(variant_course, tmp_path, capsys):
    default = tmp_path / "solutions"
    argv = ["solutions", str(variant_course), "--student", "jdoe"]
    assert main(argv) == 1
    assert "solutions_dir is required" in capsys.readouterr().err
    assert main([*argv, "--solutions", str(default)]) == 1
    assert "holds the default variant's" in capsys.readouterr().err
    assert main([*argv, "--solutions", str(default), "--overwrite"]) == 0
    assert _printed(default / variant_course.name) == "jdoe\n"


def test_cli_execute_subcommand_still_reports_errors(tmp_path, capsys):
    assert main(["execute", str(tmp_path / "nope.ipynb")]) == 1
    assert "path must be an existing .ipynb file" in capsys.readouterr().err
