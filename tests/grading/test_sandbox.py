"""What the sandbox prevents, tried from inside it (README, "Instructors").

Each test runs a few lines of Python in the sandbox exactly as the grader
starts a kernel, and checks the claim the README makes. Full isolation needs
mount and network namespaces (root, or unprivileged user namespaces); where
the machine refuses them those tests skip and say why.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from cnnbook.grading.kernel import kernel_environment
from cnnbook.grading.processes import (
    UidLease,
    kill_processes,
    probe_isolation,
    processes_of,
)
from cnnbook.grading.sandbox import (
    SCRATCH,
    Limits,
    Sandbox,
    visible_paths,
    wrapped_command,
)
from tests.conftest import REPO
from tests.helpers import full_isolation_or_skip

PROTECTED = [REPO / "solutions", REPO / "notebooks", REPO]
ROOT = os.getuid() == 0


@pytest.fixture(scope="module")
def uids():
    """Two uids of this module's own (as root; graders running at the same
    time lease others)."""
    if not ROOT:
        yield [None, None]
        return
    with UidLease(2) as lease:
        yield lease.uids


@pytest.fixture(scope="module")
def full(tmp_path_factory, uids):
    level, why = probe_isolation(tmp_path_factory.mktemp("probe"), PROTECTED, uids[0])
    full_isolation_or_skip(level, why)
    return uids


def run(
    tmp_path,
    uid,
    code,
    isolation="full",
    limits=None,
    protected=PROTECTED,
    shown=(),
):
    kernel_dir, root_dir, scratch = (
        tmp_path / n for n in ("kernel", "root", "scratch")
    )
    for folder in (kernel_dir, root_dir, scratch):
        folder.mkdir(exist_ok=True)
    uid = uid if isolation == "full" else None
    if uid is not None:
        os.chown(kernel_dir, uid, uid)
    home = SCRATCH if isolation == "full" else str(scratch)
    sandbox = Sandbox(
        isolation=isolation,
        uid=uid,
        limits=limits or Limits(),
        kernel_dir=str(kernel_dir),
        root_dir=str(root_dir),
        read_only=[*visible_paths(protected), *map(str, shown)],
        env=kernel_environment(home, str(Path(__file__).parents[2])),
        cwd=str(scratch),
    )
    command = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(
        wrapped_command(sandbox, command), capture_output=True, text=True, timeout=60
    )


def lines(result):
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_the_repository_and_the_submissions_are_not_there(full, tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "grades.csv").write_text("x")
    hidden = [REPO / "solutions", REPO / "notebooks", REPO / ".git", submissions]
    result = run(
        tmp_path,
        full[0],
        f"""
        import json, os
        print(json.dumps([os.path.exists(p) for p in {[str(p) for p in hidden]!r}]))
        import cnnbook.checks, numpy
        print(json.dumps(sorted(os.listdir({str(REPO)!r}))))
        home = os.path.expanduser("~root")
        print(json.dumps(os.path.exists(home + "/.bashrc")))
        """,
        protected=[*PROTECTED, submissions],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    exists, listing, bashrc = map(json.loads, result.stdout.splitlines())
    assert exists == [False] * len(hidden)
    assert set(listing) <= {"cnnbook", ".venv"}
    assert bashrc is False


def test_writes_stay_in_the_scratch_folder(full, tmp_path):
    result = run(
        tmp_path,
        full[0],
        f"""
        import os
        for path in ["/etc/x", "/usr/x", {str(REPO / "cnnbook" / "x")!r}, "/x",
                     "/proc/x"]:
            try:
                open(path, "w").close()
                print("wrote", path)
            except OSError:
                print("refused")
        open("/tmp/mine", "w").write("ok")
        print(open(os.path.expanduser("~/mine")).read())
        """,
    )
    assert lines(result) == ["refused"] * 5 + ["ok"]
    assert not (REPO / "cnnbook" / "x").exists()


def test_a_python_under_tmp_is_shown_and_tmp_is_still_the_scratch(full, tmp_path):
    # A clone in /tmp puts .venv and cnnbook under /tmp: the private root then
    # holds them, read-only, inside the kernel's scratch /tmp.
    tool = tmp_path / "clone" / ".venv"
    tool.mkdir(parents=True)
    (tool / "marker").write_text("shown")
    assert str(tool).startswith("/tmp/")
    result = run(
        tmp_path,
        full[0],
        f"""
        print(open({str(tool / "marker")!r}).read())
        open("/tmp/mine", "w").write("ok")
        print(open("/tmp/mine").read())
        for path in [{str(tool / "x")!r}, {str(tool.parent / "x")!r}]:
            try:
                open(path, "w").close()
                print("wrote", path)
            except OSError:
                print("refused")
        """,
        shown=[tool],
    )
    assert lines(result) == ["shown", "ok", "refused", "refused"]


def test_the_scratch_folder_and_files_have_a_size_limit(full, tmp_path):
    limits = Limits(scratch_mb=32, file_mb=8)
    write = "open('/tmp/big', 'wb').write(b'x' * 9 * 10**6)"
    too_big = run(tmp_path, full[0], write, limits=limits)
    assert too_big.returncode != 0  # SIGXFSZ, or EFBIG when the signal is ignored
    full_disk = run(
        tmp_path,
        full[0],
        """
        import errno
        try:
            for n in range(10):
                open(f"/tmp/f{n}", "wb").write(b"x" * 7 * 10**6)
        except OSError as err:
            print(errno.errorcode[err.errno])
        """,
        limits=limits,
    )
    assert lines(full_disk) == ["ENOSPC"]


def test_no_network_not_even_the_grader_machine(full, tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []
    server.settimeout(5)
    thread = threading.Thread(target=lambda: accepted.append(_accept(server)))
    thread.start()
    result = run(
        tmp_path,
        full[0],
        f"""
        import socket
        for host in ("127.0.0.1", "1.1.1.1", "localhost"):
            try:
                socket.create_connection((host, {port}), timeout=3)
                print("connected")
            except OSError as err:
                print(type(err).__name__)
        """,
    )
    thread.join()
    server.close()
    assert "connected" not in lines(result)
    assert accepted == [None]


def _accept(server):
    try:
        return server.accept()
    except OSError:
        return None


@pytest.mark.skipif(not ROOT, reason="a uid per job needs root")
def test_a_job_cannot_see_or_signal_another_jobs_processes(full, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    sleeper = subprocess.Popen(
        wrapped_command(
            _sandbox_for(other, full[1]),
            [sys.executable, "-c", "import time; time.sleep(60)"],
        )
    )
    try:
        result = run(
            tmp_path,
            full[0],
            f"""
            import os
            print([p for p in os.listdir("/proc") if p.isdigit()] == [str(os.getpid())])
            try:
                os.kill({sleeper.pid}, 9)
                print("killed")
            except OSError as err:
                print(type(err).__name__)
            print(os.getuid() != 0, os.getgroups() == [])
            print(open("/proc/self/status").read().split("NoNewPrivs:")[1].split()[0])
            """,
        )
        assert lines(result) in (
            ["True", "PermissionError", "True", "True", "1"],
            ["True", "ProcessLookupError", "True", "True", "1"],
        )
        assert sleeper.poll() is None, "the other job's process must survive"
    finally:
        kill_processes(full[1], sleeper.pid)


def _sandbox_for(folder, uid):
    for name in ("kernel", "root"):
        (folder / name).mkdir()
    return Sandbox(
        uid=uid,
        kernel_dir=str(folder / "kernel"),
        root_dir=str(folder / "root"),
        read_only=visible_paths(PROTECTED),
        env={"PATH": "/usr/bin:/bin"},
    )


def test_processes_are_limited_and_all_killed_at_the_end(full, tmp_path):
    result = run(
        tmp_path,
        full[0],
        """
        import os, time
        children = 0
        try:
            for _ in range(100):
                if os.fork() == 0:
                    os.closerange(0, 3)
                    time.sleep(60)
                    os._exit(0)
                children += 1
        except OSError:
            pass
        print(children < 100)
        """,
        limits=Limits(processes=40),
    )
    assert lines(result) == ["True"]
    if ROOT:
        kill_processes(full[0], None)
        assert processes_of(full[0], None) == []


def test_the_graders_environment_does_not_leak(full, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "token")
    result = run(tmp_path, full[0], "import os; print('GRADER_SECRET' in os.environ)")
    assert lines(result) == ["False"]


def test_limits_alone_still_cap_the_address_space(tmp_path):
    result = run(
        tmp_path,
        None,
        """
        import resource
        print(resource.getrlimit(resource.RLIMIT_AS)[0])
        try:
            bytearray(10**10)
        except MemoryError:
            print("MemoryError")
        """,
        isolation="limits",
        limits=Limits(memory_mb=500),
    )
    assert lines(result) == [str(4500 * 10**6), "MemoryError"]


def test_limits_are_validated():
    with pytest.raises(ValueError, match="memory_mb must be a number of at least"):
        Limits(memory_mb=10)
    with pytest.raises(ValueError, match="isolation must be"):
        Sandbox(isolation="none")
