"""Execute notebooks so that running an unchanged notebook twice gives no diff.

The book shows stored outputs and nbval checks that they reproduce, so every
stored byte must be a function of the notebook alone: the kernel gets a quiet,
seeded TensorFlow environment; volatile metadata (timings, kernel versions)
is dropped; random widget model ids are renamed in order of appearance; and a
cell that writes to stderr (TensorFlow log lines, warnings) is refused rather
than stored.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets.config import Config

from cnnbook.runtime import quiet_tensorflow_env

DEFAULT_TIMEOUT = 300  # seconds per cell; a chapter's cells take a few seconds
KERNEL_NAME = "python3"
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": KERNEL_NAME}
ALLOW_STDERR_TAG = "allow-stderr"
WIDGET_STATE_KEY = "application/vnd.jupyter.widget-state+json"
_ID_NAMESPACE = uuid.UUID("6f1d2c1e-2b7a-4c55-9a57-0c2a3e5b7d10")


class NotebookExecutionError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


@dataclass(frozen=True)
class ExecutionResult:
    path: Path
    seconds: float
    changed: bool


def kernel_env() -> dict[str, str]:
    """The kernel's environment: ours plus the switches that quiet TensorFlow."""
    env = dict(os.environ)
    env.update(quiet_tensorflow_env())
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


def ipc_config(folder: str) -> Config:
    """Kernel manager settings for a kernel reached over Unix sockets in ``folder``.

    Over TCP (the default) ipykernel warns on every start that the traffic is
    not encrypted; IPC sockets in a private folder are local by construction,
    and the commands then print only their progress and results.
    """
    return Config(
        {"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}}
    )


def execute_notebook(
    nb: nbformat.NotebookNode,
    cwd: Path,
    timeout: int = DEFAULT_TIMEOUT,
    label: str = "notebook",
) -> nbformat.NotebookNode:
    """Run every cell of a copy of ``nb`` in a fresh kernel and normalise it."""
    if not isinstance(timeout, int) or timeout < 1:
        raise ValueError(
            f"timeout must be a positive number of seconds, got {timeout!r}"
        )
    nb = copy.deepcopy(nb)
    with tempfile.TemporaryDirectory(prefix="cnnbook-kernel-") as sockets:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(cwd)}},
            store_widget_state=True,
            record_timing=False,
            config=ipc_config(sockets),
        )
        _run(client, cwd, timeout, label)
    _refuse_stderr(nb, label)
    # Ids depend on the file name only, so a copy executed elsewhere matches.
    return normalise(nb, seed=Path(label).name)


def _run(client: NotebookClient, cwd: Path, timeout: int, label: str) -> None:
    """Execute, turning nbclient's errors into one naming the notebook and cell."""
    nb = client.nb
    try:
        client.execute(env=kernel_env(), cwd=str(cwd))
    except CellTimeoutError as err:
        raise NotebookExecutionError(
            f"{label}: a cell ran longer than {timeout} s: {_first_line(err)}"
        ) from err
    except CellExecutionError as err:
        index = _failing_cell_index(nb)
        raise NotebookExecutionError(
            f"{label}: cell {index} raised {err.ename}: {err.evalue}"
        ) from err


def normalise(nb: nbformat.NotebookNode, seed: str) -> nbformat.NotebookNode:
    """Drop volatile metadata and give widget models ids derived from ``seed``."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    if "widgets" in nb.metadata and not nb.metadata["widgets"]:
        del nb.metadata["widgets"]  # an empty state is noise, not a widget
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
    model_ids = list(
        nb.metadata.get("widgets", {}).get(WIDGET_STATE_KEY, {}).get("state", {})
    )
    text = nbformat.writes(nb)
    return nbformat.reads(_rename_model_ids(text, model_ids, seed), as_version=4)


def coalesce_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name as one output.

    How a cell's prints are split into messages depends on timing (a slow
    call between two prints makes two), so the stored split would differ from
    run to run; the text does not.
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def _rename_model_ids(text: str, model_ids: list[str], seed: str) -> str:
    """Replace each widget model id by a stable one, in order of creation.

    Kernels name widget models with random UUIDs; the saved state, the views in
    outputs and the references between models all use them, so every
    occurrence is replaced in the serialised notebook. ``model_ids`` comes in
    the order the kernel created the models, which does not depend on the ids.
    """
    if not model_ids:
        return text
    renamed = {
        old: uuid.uuid5(_ID_NAMESPACE, f"{seed}:{number}").hex
        for number, old in enumerate(model_ids)
    }
    pattern = re.compile("|".join(re.escape(old) for old in renamed))
    return pattern.sub(lambda match: renamed[match.group(0)], text)


def _refuse_stderr(nb: nbformat.NotebookNode, label: str) -> None:
    for index, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or ALLOW_STDERR_TAG in tags:
            continue
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                raise NotebookExecutionError(
                    f"{label}: cell {index} wrote to stderr, which would be stored and "
                    f"compared: {output.text.strip()[:300]!r}. Silence it, or tag the "
                    f"cell '{ALLOW_STDERR_TAG}' if the message is the lesson."
                )


def _failing_cell_index(nb: nbformat.NotebookNode) -> int | str:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(
            o.output_type == "error" for o in cell.get("outputs", [])
        ):
            return index
    return "?"


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def execute_file(
    path: Path, out: Path | None = None, timeout: int = DEFAULT_TIMEOUT
) -> ExecutionResult:
    """Execute the notebook at ``path`` and write it to ``out`` (default: in place).

    The file is rewritten only when its content changes, so an unchanged
    notebook keeps its modification time and Sphinx need not rebuild it.
    """
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
    out = Path(out) if out is not None else path
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    executed = execute_notebook(
        nb, cwd=path.parent.resolve(), timeout=timeout, label=str(path)
    )
    seconds = time.perf_counter() - start
    return ExecutionResult(out, seconds, write_if_changed(executed, out))


def write_if_changed(nb: nbformat.NotebookNode, out: Path) -> bool:
    """Write ``nb`` to ``out`` unless the file already holds exactly that text."""
    text = nbformat.writes(nb) + "\n"
    if out.is_file() and out.read_text(encoding="utf-8") == text:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return True


def execute_files(
    paths: Iterable[Path], timeout: int = DEFAULT_TIMEOUT, log=print
) -> list[ExecutionResult]:
    """Execute notebooks in place one after another, reporting progress."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("paths must name at least one .ipynb file")
    results = []
    for number, path in enumerate(paths, start=1):
        log(f"[{number}/{len(paths)}] executing {path} ...", flush=True)
        result = execute_file(path, timeout=timeout)
        state = "updated" if result.changed else "unchanged"
        log(
            f"[{number}/{len(paths)}] {path}: {state} in {result.seconds:.1f} s",
            flush=True,
        )
        results.append(result)
    return results
