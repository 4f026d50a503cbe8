"""The grader's side of a process in the sandbox (cnnbook.grading.channel):
what it says when the process floods the reply channel, has stopped, or could
not start at all. Real processes, as the grader starts them."""

import time
from pathlib import Path

import pytest

import cnnbook
from cnnbook.grading.channel import Child, ChildFailure
from cnnbook.grading.kernel import kernel_environment
from cnnbook.grading.processes import probe_isolation
from cnnbook.grading.sandbox import SCRATCH, Limits, Sandbox, visible_paths
from tests.conftest import REPO
from tests.helpers import full_isolation_or_skip

PYTHON_PATH = str(Path(cnnbook.__file__).resolve().parents[1])
PROTECTED = [REPO / "solutions", REPO / "notebooks", REPO]


def sandbox(tmp_path, isolation="limits"):
    """A sandbox without a uid of its own (this user's), as on a machine
    where the grader does not run as root."""
    folders = [tmp_path / name for name in ("kernel", "root", "scratch")]
    for folder in folders:
        folder.mkdir()
    home = SCRATCH if isolation == "full" else str(folders[2])
    return Sandbox(
        isolation=isolation,
        limits=Limits(memory_mb=1000),
        kernel_dir=str(folders[0]),
        root_dir=str(folders[1]),
        read_only=visible_paths(PROTECTED),
        env=kernel_environment(home, PYTHON_PATH),
        cwd=str(folders[2]),
    )


def soon(seconds=20):
    return time.monotonic() + seconds


def test_a_reply_longer_than_max_line_is_cut_off(tmp_path):
    """A student's code that writes megabytes to the reply channel (every
    descriptor it can find) without a newline: the grader stops reading at
    ``max_line`` bytes, and says so."""
    child = Child(sandbox(tmp_path), "cnnbook.grading.host", tmp_path / "log", 10**6)
    try:
        assert child.receive(soon()) == {"hello": True}
        flood = (
            "import os\nfor fd in range(3, 10):\n    try:\n"
            "        os.write(fd, b'x' * 3_000_000)\n    except OSError:\n"
            "        pass\nf = 1"
        )
        child.send({"name": "f", "source": flood, "data": {}}, soon())
        with pytest.raises(ChildFailure) as failure:
            child.receive(soon())
    finally:
        child.kill()
    assert failure.value.kind == "too large"
    assert str(failure.value) == "answered more than 1 MB"


def test_a_process_that_has_stopped_is_named_with_its_exit_code_and_last_words(
    tmp_path,
):
    log = tmp_path / "log"
    child = Child(sandbox(tmp_path), "cnnbook.grading.no_such_module", log, 10**6)
    try:
        child.process.wait(timeout=60)
        with pytest.raises(ChildFailure) as failure:  # its stdin is closed
            child.send({"name": "f", "source": "f = 1", "data": {}}, soon())
    finally:
        child.kill()
    assert (failure.value.kind, str(failure.value)) == (
        "stopped",
        "stopped (exit code 1)",
    )
    assert "No module named cnnbook.grading.no_such_module" in child.last_log_line()
    log.write_text("")
    assert child.last_log_line() == "no message"
    log.unlink()
    assert child.last_log_line() == "no message"


def test_a_sandbox_that_could_not_start_says_why(tmp_path):
    level, why = probe_isolation(tmp_path / "probe", PROTECTED)
    full_isolation_or_skip(level, why)
    box = sandbox(tmp_path, isolation="full")
    Path(box.kernel_dir).rmdir()  # the kernel's folder went missing
    child = Child(box, "cnnbook.grading.host", tmp_path / "log", 10**6)
    try:
        with pytest.raises(ChildFailure) as failure:
            child.receive(soon())
    finally:
        child.kill()
    assert failure.value.kind == "sandbox"
    assert str(failure.value) == (
        "could not start: sandbox: could not set up: [Errno 2] mount: No such file "
        "or directory"
    )
