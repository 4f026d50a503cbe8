"""Command line of the authoring tools.

    python -m cnnbook.authoring execute book/*.ipynb
    python -m cnnbook.authoring solutions notebooks/*.ipynb \
        [--exercises DIR] [--solutions DIR] [--timeout SECONDS] [--ref REF]
    python -m cnnbook.authoring toc-without-solutions _toc.yml OUTPUT
    python -m cnnbook.authoring colab-cell book/*.ipynb [--ref REF]
    python -m cnnbook.authoring release VERSION      (make release VERSION=1.0)
    python -m cnnbook.authoring release --check TAG  (the workflow, on a tag)
    python -m cnnbook.authoring pdf _build/html OUTPUT.pdf [--toc TOC]
"""

import argparse
import sys

from cnnbook.authoring import colab, release
from cnnbook.authoring.execute import (
    DEFAULT_TIMEOUT,
    NotebookExecutionError,
    execute_files,
)
from cnnbook.authoring.exercises import generate_files
from cnnbook.authoring.toc import write_public_toc


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
    parser = argparse.ArgumentParser(prog="python -m cnnbook.authoring")
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
            )
        elif args.command == "colab-cell":
            colab.update_files(args.paths, ref=args.ref)
        elif args.command == "toc-without-solutions":
            write_public_toc(args.source, args.output)
        elif args.command == "release":
            return _release(args)
        elif args.command == "pdf":
            from cnnbook.authoring.pdf import build_pdf

            build_pdf(args.html, args.output, **({"toc": args.toc} if args.toc else {}))
    except (NotebookExecutionError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
