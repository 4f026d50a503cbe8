"""The Colab install cell: the first code cell of every notebook a reader can
open in Colab installs ``cnnbook`` there, and does nothing anywhere else.

Colab opens a notebook straight from the repository and runs it on its own
Python, which has TensorFlow, Keras, NumPy, matplotlib and scikit-learn but
not ``cnnbook`` nor ``anywidget``; without this cell the first import fails
and every later cell with it. Binder and a local ``.venv`` have both already.

The cell (:func:`cell_source`) checks ``"google.colab" in sys.modules``; only
then it runs ``pip install`` of the pinned ``anywidget`` (from
``requirements.txt``) and of ``cnnbook`` from the repository address set once
in ``_config.yml`` (``repository.url``) at a git ref, and prints which
TensorFlow and Keras Colab has against the ones the book was run with
(:func:`versions_note`). Elsewhere it prints nothing, so stored outputs and
nbval are unaffected.

The ref is what pins the package to the book: by default the branch the book
is published from (``repository.branch``; Colab's launch button opens the
notebooks at that same branch), or a tag given with ``--ref`` (a release can
fill in its own tag). The cell is found by its id, :data:`CELL_ID`, so
writing it again replaces it in place (idempotent):

    cnnbook colab-cell book/*.ipynb [--ref v1.0]

:func:`cnnbook.authoring.exercises.generate_files` writes it into every
notebook of ``exercises/`` and ``solutions/``. The cell is tagged
``remove-cell``: the published page leaves it out, the notebook keeps it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

from cnnbook.project import CONFIG, REQUIREMENTS, InstallSource, read_pins, read_source

CELL_ID = "colab-install"
HIDE_TAG = "remove-cell"
# What Colab lacks that the notebooks import, pinned as in requirements.txt.
COLAB_MISSING = ("anywidget",)
# The versions the note compares: (distribution in requirements.txt, name shown).
REFEREE = (("tensorflow-cpu", "TensorFlow"), ("keras", "Keras"))


def cell_source(
    source: InstallSource,
    extras: dict[str, str],
    referee: dict[str, str],
) -> str:
    """The code of the install cell (short lines: the notebooks' lint is 88)."""
    packages = "".join(f'"{name}=={version}", ' for name, version in extras.items())
    versions = ", ".join(f'"{name}": "{version}"' for name, version in referee.items())
    return "\n".join(
        [
            "# Colab only: install cnnbook, this book's package, and what Colab",
            "# lacks. Anywhere else (Binder, your computer) cnnbook is installed",
            "# already and this cell does nothing (`cnnbook colab-cell` writes",
            "# it).",
            "import sys",
            "",
            'if "google.colab" in sys.modules:',
            "    import importlib",
            "    import subprocess",
            "",
            f'    REPOSITORY = "{source.url.rstrip("/")}"',
            f'    REF = "{source.ref}"  # the book\'s branch, or the tag of a release',
            f'    packages = [{packages}f"cnnbook @ git+{{REPOSITORY}}@{{REF}}"]',
            '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]',
            "    subprocess.run(pip + packages, check=True)",
            "    importlib.invalidate_caches()",
            "    from cnnbook.authoring.colab import versions_note",
            "",
            f"    print(versions_note({{{versions}}}))",
        ]
    )


def install_cell(
    config: Path | str = CONFIG,
    requirements: Path | str = REQUIREMENTS,
    ref: str | None = None,
) -> nbformat.NotebookNode:
    """The install cell for this repository (see the module docstring)."""
    pins = read_pins(requirements, [*COLAB_MISSING, *(d for d, _ in REFEREE)])
    referee = {shown: pins[dist] for dist, shown in REFEREE}
    extras = {name: pins[name] for name in COLAB_MISSING}
    cell = nbformat.v4.new_code_cell(
        cell_source(read_source(config, ref), extras, referee)
    )
    cell["id"] = CELL_ID
    cell.metadata["tags"] = [HIDE_TAG]
    return cell


def installed_ref(nb: nbformat.NotebookNode) -> str | None:
    """The ref the notebook's install cell installs cnnbook from, or None
    when it has no install cell."""
    for cell in nb.cells:
        if cell.get("id") == CELL_ID:
            match = re.search(r'^    REF = "([^"]*)"', cell.source, re.MULTILINE)
            return match.group(1) if match else None
    return None


def versions_note(book: dict[str, str]) -> str:
    """What differs on Colab: its TensorFlow and Keras against ``book``'s
    (``{"TensorFlow": "2.21.0", "Keras": "3.15.1"}``), and what that changes."""
    from importlib import metadata

    def installed(shown: str) -> str | None:
        for dist in {"TensorFlow": ("tensorflow", "tensorflow-cpu")}.get(
            shown, (shown.lower(),)
        ):
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
        return None

    have = {shown: installed(shown) for shown in book}
    here = ", ".join(f"{n} {v or 'not installed'}" for n, v in have.items())
    ran = ", ".join(f"{n} {v}" for n, v in book.items())
    lines = [f"cnnbook is installed. Colab has {here}; the book was run with {ran}."]
    if have == book:
        lines.append("Same versions: every output should match the book's.")
    else:
        lines.append(
            "Counts of parameters, shapes and bytes do not depend on the version; "
            "results of training can differ from the book's in the last digits. "
            "The checks compute their expected answers in this session, so they "
            "hold on any version."
        )
    keras = have.get("Keras")
    if keras is not None and int(keras.split(".")[0]) < 3:
        lines.append(
            "This book needs Keras 3: run `%pip install -U keras` and restart."
        )
    return "\n".join(lines)


def _fresh_kernel_counts(nb: nbformat.NotebookNode) -> bool:
    """True when the code cells hold counts 1, 2, ... N, as a top-to-bottom
    run in a fresh kernel (our executor) leaves them."""
    counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
    return bool(counts) and counts == list(range(1, len(counts) + 1))


def with_install_cell(
    nb: nbformat.NotebookNode, cell: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``cell`` as its first code cell, replacing any
    cell of the same id. An executed notebook's counts are renumbered as a
    fresh run would number them (the install cell prints nothing outside
    Colab, so its outputs stay empty), so executing it again changes nothing."""
    nb = copy.deepcopy(nb)
    executed = _fresh_kernel_counts(nb)
    nb.cells = [c for c in nb.cells if c.get("id") != cell["id"]]
    first_code = next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells)
    )
    nb.cells.insert(first_code, copy.deepcopy(cell))
    nb.nbformat_minor = max(nb.nbformat_minor, 5)  # cell ids
    if executed:
        code = [c for c in nb.cells if c.cell_type == "code"]
        for number, code_cell in enumerate(code, start=1):
            code_cell.execution_count = number
            for output in code_cell.outputs:
                if output.output_type == "execute_result":
                    output.execution_count = number
    return nb


def update_files(
    paths: Iterable[Path | str],
    ref: str | None = None,
    log=print,
    config: Path | str = CONFIG,
    requirements: Path | str = REQUIREMENTS,
) -> list[tuple[Path, bool]]:
    """Insert or update the install cell in each notebook, in place; returns
    ``(path, changed)``. A file is rewritten only when its text changes.
    ``config`` and ``requirements`` are another checkout's files (a release
    pins the notebooks of its own worktree)."""
    from cnnbook.authoring.execute import write_if_changed

    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("paths must name at least one .ipynb file")
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    cell = install_cell(config, requirements, ref=ref)
    results = []
    for path in paths:
        nb = with_install_cell(nbformat.read(path, as_version=4), cell)
        changed = write_if_changed(nb, path)
        if log:
            log(f"{path}: {'updated' if changed else 'unchanged'}", flush=True)
        results.append((path, changed))
    return results
