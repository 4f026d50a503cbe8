r"""The ``cnnbook`` command: every tool of the course behind one command line.

    cnnbook execute book/*.ipynb                 (make outputs)
    cnnbook solutions notebooks/*.ipynb \        (make solutions)
        [--exercises DIR] [--solutions DIR] [--timeout SECONDS] [--ref REF]
        [--student ID --solutions DIR [--overwrite]]
    cnnbook colab-cell book/*.ipynb [--ref REF]
    cnnbook outputs-check [--jobs N]              (make outputs-check)
    cnnbook toc-without-solutions _toc.yml OUTPUT
    cnnbook pdf _build/html OUTPUT.pdf [--toc TOC] (make pdf)
    cnnbook release VERSION | --check TAG         (make release VERSION=1.0)
    cnnbook vendor [--check]
    cnnbook grade DIR [--source notebooks] [--jobs N] [--cell-timeout S] ...
        [--course course.yml] [--roster R.csv] [--manual M.csv] [--only ID]
    cnnbook nbgrader notebooks/*.ipynb --out DIR  (make nbgrader)
    cnnbook student-repo OUT [--url https://...]  (make student-repo)
    cnnbook bench [NOTEBOOK ...] [--no-build] [--no-grading]   (make bench)

``cnnbook COMMAND --help`` describes each. Installed as a console script by
``pip install -e .``; ``python -m cnnbook`` is the same. The commands are
grouped by the package that does the work: ``authoring`` (notebooks),
``publishing`` (the book, PDF, releases), ``grading`` (a class's submissions).
"""

import argparse
import os
import sys
from pathlib import Path

from cnnbook.authoring import colab
from cnnbook.authoring.execute import (
    DEFAULT_TIMEOUT,
    NotebookExecutionError,
    execute_files,
)
from cnnbook.authoring.exercises import generate_files
from cnnbook.grading.grader import DEFAULT_SOURCE, REPO, GradeOptions
from cnnbook.grading.nbgrader_course import write_course
from cnnbook.grading.sandbox import Limits
from cnnbook.grading.student_repo import write_student_repo
from cnnbook.publishing import release
from cnnbook.publishing.toc import write_public_toc
from cnnbook.term.outputs import grade_term


def _add_ref_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ref",
        default=None,
        help="git branch or tag the Colab install cell installs cnnbook from "
        "(default: repository.branch in _config.yml)",
    )


def _release(args) -> int:
    if args.check:
        problems = release.check(release.REPO, args.check)
        for problem in problems:
            print(f"error: not pinned to {args.check}: {problem}", file=sys.stderr)
        if problems:
            print(
                "Tags are made by `make release VERSION=x.y`, which pins them.",
                file=sys.stderr,
            )
        return 1 if problems else 0
    if not args.version:
        raise ValueError("version is required: e.g. 1.0 (or --check TAG)")
    release.make_release(args.version)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cnnbook", description="The tools of Convolutional Networks, Measured."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "execute",
        help="execute notebooks in place, "
        "deterministically, storing outputs and widget state",
    )
    run.add_argument("paths", nargs="+", help=".ipynb files")
    run.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds allowed per cell (default %(default)s)",
    )
    gen = commands.add_parser(
        "solutions",
        help="write student exercises (solutions removed, no outputs) and executed "
        "solutions from instructor notebooks marked with ### BEGIN/END SOLUTION",
    )
    gen.add_argument("paths", nargs="+", help="instructor .ipynb files (notebooks/)")
    gen.add_argument(
        "--exercises",
        metavar="DIR",
        default=None,
        help="folder for the student notebooks "
        "(default: exercises/ beside the sources' folder)",
    )
    gen.add_argument(
        "--solutions",
        metavar="DIR",
        default=None,
        help="folder for the executed solutions "
        "(default: solutions/ beside the sources' folder)",
    )
    gen.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds allowed per cell (default %(default)s)",
    )
    gen.add_argument(
        "--student",
        metavar="ID",
        default=None,
        help="write the solutions of this student's variant (their own numbers) "
        "into --solutions DIR, and no exercises (default: the default variant, "
        "what Binder, Colab and solutions/ show)",
    )
    gen.add_argument(
        "--overwrite",
        action="store_true",
        help="with --student, allow --solutions to be the default solutions/ folder",
    )
    _add_ref_argument(gen)
    toc = commands.add_parser(
        "toc-without-solutions",
        help="write a copy of the table of contents without the Solutions part",
    )
    toc.add_argument("source", help="the book's _toc.yml")
    toc.add_argument("output", help="where to write the derived toc")
    cell = commands.add_parser(
        "colab-cell",
        help="insert or update the Colab install cell (the first code cell) in "
        "notebooks, in place",
    )
    cell.add_argument("paths", nargs="+", help=".ipynb files (book/*.ipynb)")
    _add_ref_argument(cell)
    _add_grade_parser(commands)
    course = commands.add_parser(
        "nbgrader",
        help="write an nbgrader course directory (source/chNN/...) from the sources",
    )
    course.add_argument("paths", nargs="+", help="instructor .ipynb files (notebooks/)")
    course.add_argument("--out", required=True, help="the course directory to write")
    student = commands.add_parser(
        "student-repo",
        help="write a copy of the repository without solutions/ and notebooks/, "
        "for students (Binder)",
    )
    student.add_argument("out", help="folder to write (empty, or written before)")
    student.add_argument(
        "--url",
        default=None,
        help="the student repository's address, for the "
        "book's Binder, Colab and repository buttons",
    )
    tag = commands.add_parser(
        "release",
        help="tag a release of HEAD whose launch buttons and Colab install cells "
        "name the tag (your checkout is not changed); or --check a tag",
    )
    tag.add_argument("version", nargs="?", help="x.y or x.y.z: tags vx.y")
    tag.add_argument(
        "--check",
        metavar="TAG",
        help="fail unless this checkout's _config.yml and install cells name TAG",
    )
    pdf = commands.add_parser(
        "pdf", help="print the built book (make book) to one PDF with Chromium"
    )
    pdf.add_argument("html", help="the built book, _build/html")
    pdf.add_argument("output", help="the PDF to write (and OUTPUT.json)")
    pdf.add_argument(
        "--toc", default=None, help="table of contents (default: _toc.yml)"
    )
    for name, text in DELEGATED.items():
        commands.add_parser(name, help=text, add_help=False)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in DELEGATED:  # its options, --help included, are its own
        return _delegate(argv[0], argv[1:])
    args = parser.parse_args(argv)
    try:
        if args.command == "execute":
            execute_files(args.paths, timeout=args.timeout)
        elif args.command == "solutions":
            generate_files(
                args.paths,
                exercises_dir=args.exercises,
                solutions_dir=args.solutions,
                timeout=args.timeout,
                colab_ref=args.ref,
                student=args.student,
                overwrite=args.overwrite,
            )
        elif args.command == "colab-cell":
            colab.update_files(args.paths, ref=args.ref)
        elif args.command == "toc-without-solutions":
            write_public_toc(args.source, args.output)
        elif args.command == "grade":
            return _grade(args)
        elif args.command == "nbgrader":
            for path in write_course(args.paths, args.out):
                print(f"wrote {path}")
        elif args.command == "student-repo":
            files = write_student_repo(REPO, args.out, url=args.url)
            print(f"wrote {len(files)} files to {args.out}")
        elif args.command == "release":
            return _release(args)
        elif args.command == "pdf":
            from cnnbook.publishing.pdf import build_pdf  # Playwright: only here

            build_pdf(args.html, args.output, **({"toc": args.toc} if args.toc else {}))
    except (NotebookExecutionError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


DELEGATED = {
    "bench": "time and memory of every notebook, the build and grading, "
    "against the budgets (bench/results.json)",
    "outputs-check": "strict nbval over book/ and solutions/ again, once per "
    "lever that moves the last bits of floating point",
    "vendor": "re-vendor the pinned JavaScript the book serves (maintainers)",
}
"""Commands with options of their own: ``cnnbook bench --help`` is the bench's."""


def _delegate(command: str, argv: list[str]) -> int:
    if command == "bench":
        from cnnbook.commands import bench as tool
    elif command == "outputs-check":
        from cnnbook.authoring import outputs_check as tool
    else:
        from cnnbook.publishing import vendor as tool
    return tool.main(argv)


def _add_grade_parser(commands) -> None:
    grade = commands.add_parser(
        "grade",
        help="grade every submitted notebook under a folder, each in a sandboxed "
        "kernel, and write FOLDER/grades.csv",
    )
    grade.add_argument("folder", help="the submissions (e.g. one folder per student)")
    grade.add_argument(
        "--source",
        default=str(DEFAULT_SOURCE),
        help="folder of the instructor's source notebooks (default %(default)s)",
    )
    defaults = Limits()
    grade.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: the number of cores, %(default)s)",
    )
    for flag, name, unit, kind in (
        ("--cell-timeout", "cell_seconds", "seconds per cell", float),
        ("--notebook-timeout", "notebook_seconds", "seconds per notebook", float),
        ("--memory", "memory_mb", "MB of resident memory per kernel", int),
        ("--scratch", "scratch_mb", "MB of private scratch space per kernel", int),
        ("--file-size", "file_mb", "MB of the largest file a kernel may write", int),
        ("--processes", "processes", "processes and threads per kernel", int),
        (
            "--answer-timeout",
            "answer_seconds",
            "seconds to judge one answer (or run a function the answer is)",
            float,
        ),
    ):
        grade.add_argument(
            flag,
            dest=name,
            type=kind,
            default=getattr(defaults, name),
            help=f"{unit} (default %(default)s)",
        )
    grade.add_argument(
        "--isolation",
        choices=("auto", "full", "limits"),
        default="auto",
        help="'full': namespaces, a private root and a uid per job; 'limits': "
        "resource limits only; 'auto' (default): full if this machine allows it",
    )
    _add_term_arguments(grade)


def _add_term_arguments(grade) -> None:
    grade.add_argument(
        "--course",
        default=None,
        help="the course file: assignments, due dates, late rules, roster "
        "(default: course.yml of the repository when grading its own sources); "
        "'none': every exercise an assignment, no due date",
    )
    grade.add_argument(
        "--roster",
        default=None,
        help="the roster CSV (id, name; email, folder, section optional); "
        "default: the course file's, else every folder is a student",
    )
    grade.add_argument(
        "--manual",
        default=None,
        help="manual.csv with the hand grades filled in, to merge into every output",
    )
    grade.add_argument(
        "--only",
        metavar="ID",
        default=None,
        help="grade this student again and update their rows in every output",
    )
    grade.add_argument(
        "--no-run",
        dest="run",
        action="store_false",
        help="run no kernel: rebuild every output from FOLDER/grades.csv "
        "(to merge hand grades)",
    )


def _course_file(args) -> str | None:
    if args.course == "none":
        return None
    if args.course is not None:
        return args.course
    default = REPO / "course.yml"
    same = Path(args.source).resolve() == Path(DEFAULT_SOURCE).resolve()
    return str(default) if same and default.is_file() else None


def _grade(args) -> int:
    limits = Limits(
        cell_seconds=args.cell_seconds,
        notebook_seconds=args.notebook_seconds,
        memory_mb=args.memory_mb,
        scratch_mb=args.scratch_mb,
        file_mb=args.file_mb,
        processes=args.processes,
        answer_seconds=args.answer_seconds,
    )
    options = GradeOptions(jobs=args.jobs, limits=limits, isolation=args.isolation)
    _, code = grade_term(
        args.folder,
        args.source,
        options,
        course_file=_course_file(args),
        roster_file=args.roster,
        manual_file=args.manual,
        only=args.only,
        run=args.run,
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
