"""Small builders shared by tests: notebooks made in code, run in a subprocess
or in a forked copy of the test process."""

import os
import pickle
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def make_notebook(
    *sources: str, markdown: str = "# A test notebook"
) -> nbformat.NotebookNode:
    """A notebook with one markdown cell and one code cell per source."""
    nb = new_notebook(cells=[new_markdown_cell(markdown)])
    nb.cells += [new_code_cell(s) for s in sources]
    return nb


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run pytest in a subprocess rooted at ``cwd`` (ignores the repo's config)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--rootdir",
            str(cwd),
            "-c",
            "/dev/null",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


REQUIRE_ISOLATION = "CNNBOOK_REQUIRE_ISOLATION"


def full_isolation_or_skip(level: str, why: str) -> None:
    """Skip a test of the grader's full isolation where this machine cannot give
    it, but fail where CI says it can (``CNNBOOK_REQUIRE_ISOLATION=full``, which
    .ci/run sets when it runs as root and namespaces work): a sandbox that
    cannot set itself up must not pass as a skip."""
    if level == "full":
        return
    message = f"full isolation is not available here: {why}"
    if os.environ.get(REQUIRE_ISOLATION) == "full":
        pytest.fail(f"{message} ({REQUIRE_ISOLATION}=full)")
    pytest.skip(message)


def in_fork(probe: Callable[[], object], seconds: int = 60) -> object:
    """``probe()``, run in a forked copy of this process, and what it returned
    (anything pickle can carry), or its exception raised here as an
    AssertionError. The child may change anything about itself (chroot, drop
    its uid, set limits, replace fds): it ends with ``os._exit`` and never
    returns into pytest, and ``seconds`` later an alarm kills it.

    Under coverage the child measures itself with a coverage object that keeps
    its data in memory (it may no longer see the data file, after a chroot),
    sends the data with its result and this process adds it to its own: the
    lines that run only in the child count."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 70
        try:
            os.close(reader)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(seconds)
            measure = _measure_in_child()
            try:
                found = {"result": probe()}
            except BaseException as err:  # reported to the parent
                found = {"error": f"{type(err).__name__}: {err}"}
            found["coverage"] = _measured_in_child(measure)
            with os.fdopen(writer, "wb") as out:
                out.write(pickle.dumps(found))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as received:
        data = received.read()
    _, wait_status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(wait_status)
    assert code == 0 and data, f"the forked child ended with {code} and sent nothing"
    found = pickle.loads(data)
    if found["coverage"] is not None:
        _add_coverage(found["coverage"])
    if "error" in found:
        raise AssertionError(f"in the forked child: {found['error']}")
    return found["result"]


def _measure_in_child():
    import sqlite3.dump  # noqa: F401  (for dumps(), where the child may not see it)

    import coverage

    outer = coverage.Coverage.current()
    if outer is None:
        return None
    outer.stop()  # this child's copy of the test run's coverage
    inner = coverage.Coverage(
        data_file=None,  # in memory
        source=outer.get_option("run:source"),
        branch=outer.get_option("run:branch"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "previously imported, not measured"
        inner.start()
    return inner


def _measured_in_child(inner) -> bytes | None:
    if inner is None:
        return None
    inner.stop()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return inner.get_data().dumps()


def _add_coverage(dumped: bytes) -> None:
    import coverage
    from coverage.data import CoverageData

    child = CoverageData(no_disk=True)
    child.loads(dumped)
    ours = coverage.Coverage.current()
    if ours is not None:
        ours.get_data().update(child)


def run_module_in_fork(module: str, stdin: str, folder: Path) -> tuple[int, str, str]:
    """``python -m module`` with ``stdin``, as its own process would run it
    but in a forked copy of this one (:func:`in_fork`, so that its lines
    count): its exit code, stdout and stderr (kept in ``folder``)."""
    import runpy

    out, err, given = (folder / name for name in ("stdout", "stderr", "stdin"))
    given.write_text(stdin)

    def probe():
        for fd, path in ((1, out), (2, err)):
            with open(path, "w") as handle:
                os.dup2(handle.fileno(), fd)
        # as in a process of its own: line-buffered on fds 1 and 2
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        sys.stdin = open(given)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # already imported
            try:
                runpy.run_module(module, run_name="__main__")
            except SystemExit as exit:
                return exit.code
        return 0

    code = in_fork(probe)
    return code, out.read_text(), err.read_text()
