"""The sandbox's set-up, done by a forked copy of the test process and checked
from inside it.

tests/grading/test_sandbox.py starts commands in the sandbox, as the grader
starts a kernel; what set the sandbox up (:func:`cnnbook.grading.sandbox.enter`,
run by ``python -m cnnbook.grading.sandbox CONFIG -- COMMAND`` before it execs
the command) is gone by the time the command runs. Here a forked child sets
the sandbox up itself, looks around from inside, in the state the command
would start in, and sends what it found back (:func:`tests.helpers.in_fork`).
"""

import ctypes
import errno
import os
import resource
import runpy
import socket
import sys
import tempfile
import warnings
from io import StringIO
from pathlib import Path

import pytest

from cnnbook.grading import sandbox as sandbox_module
from cnnbook.grading.processes import UidLease, probe_isolation
from cnnbook.grading.sandbox import (
    DEVICES,
    KERNEL_DIR,
    SCRATCH,
    SYSTEM_PATHS,
    Limits,
    Sandbox,
    enter,
    main,
    visible_paths,
)
from tests.conftest import REPO
from tests.helpers import full_isolation_or_skip, in_fork

PROTECTED = [REPO / "solutions", REPO / "notebooks", REPO]
LIMITS = Limits(memory_mb=20_000, scratch_mb=32, file_mb=8, processes=64)
RLIMITS = {
    "AS": resource.RLIMIT_AS,
    "CPU": resource.RLIMIT_CPU,
    "FSIZE": resource.RLIMIT_FSIZE,
    "NPROC": resource.RLIMIT_NPROC,
    "CORE": resource.RLIMIT_CORE,
}
ROOT = os.getuid() == 0


@pytest.fixture(scope="module")
def uid():
    """A uid of this module's own (as root), or None."""
    if not ROOT:
        yield None
        return
    with UidLease(1) as lease:
        yield lease.uids[0]


@pytest.fixture(scope="module")
def full(tmp_path_factory, uid):
    level, why = probe_isolation(tmp_path_factory.mktemp("probe"), PROTECTED, uid)
    full_isolation_or_skip(level, why)
    return uid


def make_sandbox(tmp_path, uid, isolation="full", protected=PROTECTED):
    folders = [tmp_path / name for name in ("kernel", "root", "scratch")]
    for folder in folders:
        folder.mkdir()
    kernel_dir, root_dir, scratch = folders
    if uid is not None:
        os.chown(kernel_dir, uid, uid)
    (kernel_dir / "from-grader").write_text("connection file")
    return Sandbox(
        isolation=isolation,
        uid=uid,
        limits=LIMITS,
        kernel_dir=str(kernel_dir),
        root_dir=str(root_dir),
        read_only=visible_paths(protected),
        env={"PATH": "/usr/bin:/bin", "HOME": SCRATCH},
        cwd=str(scratch),
    )


def namespaces():
    return {name: os.readlink(f"/proc/self/ns/{name}") for name in ("mnt", "net")}


def writable(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
    except OSError:
        return False
    return True


def look_around(hidden=(), refused=()):
    """What a command started now would find (run in the child)."""
    with socket.socket() as client:
        client.settimeout(2)
        try:
            client.connect(("127.0.0.1", 9))
            loopback = "connected"
        except OSError as err:
            loopback = errno.errorcode.get(err.errno, str(err))
    status = open("/proc/self/status").read()
    return {
        "ids": (os.getresuid(), os.getresgid(), os.getgroups()),
        "cwd": os.getcwd(),
        "namespaces": namespaces(),
        "hidden": [os.path.exists(path) for path in hidden],
        "refused": [not writable(path) for path in refused],
        "rlimits": {name: resource.getrlimit(n) for name, n in RLIMITS.items()},
        "no_new_privs": status.split("NoNewPrivs:")[1].split()[0],
        "interfaces": [name for _, name in socket.if_nameindex()],
        "loopback": loopback,
        "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
        "pid": os.getpid(),
    }


def look_inside_the_root():
    """The private root (full isolation), in the child."""
    with open(f"{KERNEL_DIR}/from-kernel", "w") as handle:
        handle.write("kernel")
    space = os.statvfs("/")
    return {
        "root": sorted(os.listdir("/")),
        "dev": sorted(os.listdir("/dev")),
        "scratch": writable(f"{SCRATCH}/mine") and writable("/dev/shm/mine"),
        "scratch_mode": oct(os.stat(SCRATCH).st_mode & 0o7777),
        "scratch_owner": os.stat(SCRATCH).st_uid,
        "root_size": space.f_blocks * space.f_frsize,
        "kernel": open(f"{KERNEL_DIR}/from-grader").read(),
    }


def test_run_as_a_module_it_sets_up_the_sandbox_then_execs_the_command(full, tmp_path):
    """``python -m cnnbook.grading.sandbox`` as the grader runs it, up to the
    exec: the command is exec'd with the sandbox's environment only, in a
    private root, as the job's uid, with the limits set."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "grades.csv").write_text("x")
    protected = [*PROTECTED, submissions]
    sandbox = make_sandbox(tmp_path, full, protected=protected)
    hidden = [REPO / "solutions", REPO / "notebooks", REPO / "tests", submissions]
    refused = ["/etc/x", "/usr/x", "/x", "/proc/x", REPO / "cnnbook" / "x"]
    command = [sys.executable, "-c", "print('the kernel')"]

    def probe():
        execs = []
        os.execve = lambda path, args, env: execs.append((path, list(args), env))
        sys.argv = ["sandbox.py", sandbox.to_json(), "--", *command]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # already imported
            try:
                runpy.run_module("cnnbook.grading.sandbox", run_name="__main__")
            except SystemExit as exit:
                code = exit.code
        return {
            "code": code,
            "execs": execs,
            **look_around(map(str, hidden), map(str, refused)),
            **look_inside_the_root(),
        }

    found = in_fork(probe)
    assert not (REPO / "cnnbook" / "x").exists()
    assert found["code"] == 0
    assert found["execs"] == [(command[0], command, sandbox.env)]
    assert found["namespaces"]["mnt"] != namespaces()["mnt"]
    assert found["namespaces"]["net"] != namespaces()["net"]
    assert found["hidden"] == [False] * len(hidden)
    assert found["refused"] == [True] * len(refused)
    assert found["scratch"] and found["cwd"] == SCRATCH
    assert found["kernel"] == "connection file"
    assert (tmp_path / "kernel" / "from-kernel").read_text() == "kernel"
    shown = {path.split("/")[1] for path in sandbox.read_only}
    assert set(found["root"]) == shown | {"tmp", "kernel", "dev", "proc"}
    names = {*DEVICES, "shm", "fd", "stdin", "stdout", "stderr"}
    assert set(found["dev"]) == names
    assert found["root_size"] == LIMITS.scratch_mb * 2**20
    assert found["interfaces"] == ["lo"] and found["loopback"] == "ENETUNREACH"
    assert found["no_new_privs"] == "1"
    expected = {
        "AS": LIMITS.address_space_bytes,
        "CPU": LIMITS.cpu_seconds,
        "FSIZE": LIMITS.file_mb * 10**6,
        "NPROC": LIMITS.processes,  # a uid of its own: nothing shared
        "CORE": 0,
    }
    if not ROOT:  # the user's processes count too (next test)
        expected["NPROC"] = found["rlimits"]["NPROC"][0]
        assert expected["NPROC"] > LIMITS.processes
    assert found["rlimits"] == {name: (v, v) for name, v in expected.items()}
    if ROOT:
        assert found["ids"] == ((full,) * 3, (full,) * 3, [])
        assert found["pids"] == [str(found["pid"])]  # hidepid: no one else's
        assert found["scratch_owner"] == full and found["scratch_mode"] == "0o700"


def test_without_a_uid_of_its_own_the_process_limit_counts_the_uids_threads(
    full, tmp_path
):
    """Kept as this user (no uid given), the kernel shares the uid's process
    count (RLIMIT_NPROC counts every thread of the uid): its limit is what
    the uid runs already plus the kernel's own."""
    sandbox = make_sandbox(tmp_path, None)

    def probe():
        enter(sandbox)
        return look_around(refused=["/etc/x"])

    found = in_fork(probe)
    soft, hard = found["rlimits"]["NPROC"]
    assert soft == hard > LIMITS.processes  # this child is one of them
    assert found["ids"][0] == (os.getuid(),) * 3
    assert found["refused"] == [True] and found["cwd"] == SCRATCH
    assert found["no_new_privs"] == "1"


def test_limits_alone_set_the_limits_in_the_scratch_folder(tmp_path):
    """Isolation "limits" (no namespaces here): the same mounts and network as
    the grader, but the working directory, limits and no_new_privs set."""
    sandbox = make_sandbox(tmp_path, None, isolation="limits")

    def probe():
        enter(sandbox)
        return look_around(hidden=[str(REPO / "solutions")])

    found = in_fork(probe)
    assert found["namespaces"] == namespaces()
    assert found["hidden"] == [(REPO / "solutions").exists()]
    assert found["cwd"] == sandbox.cwd
    assert found["rlimits"]["AS"] == (LIMITS.address_space_bytes,) * 2
    assert found["rlimits"]["NPROC"][0] > LIMITS.processes
    assert found["no_new_privs"] == "1"


def test_a_usage_error_says_how_to_run_it(capsys):
    for argv in ([], ["{}"], ["{}", "python", "-c", "1"]):
        assert main(argv) == 2
        assert "usage: python -m cnnbook.grading.sandbox CONFIG -- COMMAND" in (
            capsys.readouterr().err
        )


def test_a_sandbox_that_cannot_be_set_up_exits_70_and_says_why(full, tmp_path):
    """The grader reads exit code 70 as "the sandbox could not start" and
    shows the last line of its log (cnnbook.grading.channel)."""
    sandbox = make_sandbox(tmp_path, full)
    (tmp_path / "kernel" / "from-grader").unlink()
    (tmp_path / "kernel").rmdir()  # the kernel's folder went missing

    def probe():
        execs = []
        os.execve = lambda *args: execs.append(args)
        sys.stderr = StringIO()
        code = main([sandbox.to_json(), "--", sys.executable])
        return code, sys.stderr.getvalue(), execs

    code, said, execs = in_fork(probe)
    assert (code, execs) == (70, [])
    assert said == (
        "sandbox: could not set up: [Errno 2] mount: No such file or directory\n"
    )


LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE = 4


def become(uid):
    """Make this (forked) process a process of user ``uid``, as if the user
    had started it (dumpable again, so its /proc/self files are its own)."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


def _unprivileged_user_namespaces(uid):
    """Whether ``uid`` may make a user namespace here (a bare unshare)."""

    def probe():
        become(uid)
        return LIBC.unshare(sandbox_module.CLONE_NEWUSER) == 0

    return in_fork(probe)


@pytest.mark.skipif(not ROOT, reason="drops to a leased uid first")
def test_as_another_user_the_sandbox_is_root_of_a_user_namespace(full):
    """A grader run by a user (not root) gets the same private root through a
    user namespace, where it is root, mapped to itself."""
    if not _unprivileged_user_namespaces(full):
        pytest.skip("this machine refuses user namespaces to users")
    with tempfile.TemporaryDirectory() as work:  # a folder the user can reach
        os.chown(work, full, full)
        sandbox = make_sandbox(Path(work), full)
        sandbox.uid = None  # the user's own identity
        # the system only: this test's Python may live where the user cannot go
        sandbox.read_only = [p for p in SYSTEM_PATHS if os.path.lexists(p)]

        def probe():
            become(full)
            enter(sandbox)
            return {
                **look_around([str(REPO)], ["/etc/x"]),
                "uid_map": open("/proc/self/uid_map").read().split(),
                "setgroups": open("/proc/self/setgroups").read().strip(),
                **look_inside_the_root(),
            }

        found = in_fork(probe)
    assert found["ids"][0] == (0, 0, 0)
    assert found["uid_map"] == ["0", str(full), "1"]
    assert found["setgroups"] == "deny"
    assert found["hidden"] == [False] and found["refused"] == [True]
    assert found["interfaces"] == ["lo"] and found["loopback"] == "ENETUNREACH"
    assert found["kernel"] == "connection file" and found["scratch"]
    assert found["rlimits"]["NPROC"][0] > LIMITS.processes
