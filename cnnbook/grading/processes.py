"""The grader's side of the sandbox: a uid per job, and the job's processes.

:mod:`cnnbook.grading.sandbox` sets a sandbox up inside the process it then
replaces with the kernel; this module is what the grader, outside, needs
around it: leasing a uid no other job holds (:class:`UidLease`), finding which
isolation works on this machine (:func:`probe_isolation`), and listing,
measuring and killing every process of a job (:func:`processes_of`,
:func:`resident_bytes`, :class:`MemoryWatch`, :func:`kill_processes`).
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from cnnbook.grading.sandbox import (
    LOCK_DIR,
    SCRATCH,
    UID_BASE,
    UID_COUNT,
    Sandbox,
    visible_paths,
    wrapped_command,
)

__all__ = [
    "MemoryWatch",
    "UidLease",
    "kill_processes",
    "probe_isolation",
    "processes_of",
    "resident_bytes",
]


class UidLease:
    """``count`` uids no other lease holds, for as long as this object lives.

    Each uid is held by an exclusive ``flock`` on a file in a root-only
    folder of the temporary directory: the kernel releases it when the
    holder exits, however it exits. Processes left running under a newly
    leased uid (a grader killed before it could clean up) are killed.
    """

    def __init__(self, count: int) -> None:
        if os.getuid() != 0:
            raise ValueError("uids can only be leased by root")
        folder = Path(tempfile.gettempdir()) / LOCK_DIR
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
            raise ValueError(f"{folder} must be a folder only root can use")
        self.uids: list[int] = []
        self._files = []
        for uid in range(UID_BASE + 1, UID_BASE + UID_COUNT):
            if len(self.uids) == count:
                break
            handle = open(folder / str(uid), "a")  # noqa: SIM115 (held open)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            kill_processes(uid, None)
            self.uids.append(uid)
            self._files.append(handle)
        if len(self.uids) < count:
            self.close()
            raise ValueError(f"no {count} free uids from {UID_BASE + 1}")

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []

    def __enter__(self) -> UidLease:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def probe_isolation(
    work: Path, protected: Iterable[str | Path], uid: int | None = None
) -> tuple[str, str]:
    """The strongest isolation that starts Python here (as ``uid`` when
    given), and why not "full"."""
    work = Path(work)
    kernel_dir, root_dir = work / "probe-kernel", work / "probe-root"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    root_dir.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox(
        isolation="full",
        uid=uid,
        kernel_dir=str(kernel_dir),
        root_dir=str(root_dir),
        read_only=visible_paths(protected),
        env={"PATH": "/usr/bin:/bin", "HOME": SCRATCH},
    )
    if sandbox.uid is not None:
        os.chown(kernel_dir, sandbox.uid, sandbox.uid)
    result = subprocess.run(
        wrapped_command(sandbox, [sys.executable, "-c", "import cnnbook; print('ok')"]),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode == 0 and result.stdout.strip() == "ok":
        return "full", ""
    reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
    return "limits", reason


def processes_of(uid: int | None, root_pid: int | None) -> list:
    """The processes of a job: every process of its uid, or the process tree."""
    import psutil

    found = {}
    if uid is not None:
        for proc in psutil.process_iter(["uids"]):
            try:
                if proc.info["uids"] and proc.info["uids"].real == uid:
                    found[proc.pid] = proc
            except psutil.Error:
                pass
    if root_pid is not None:
        try:
            root = psutil.Process(root_pid)
            found[root.pid] = root
            for child in root.children(recursive=True):
                found[child.pid] = child
        except psutil.Error:
            pass
    return list(found.values())


def resident_bytes(processes: list) -> int:
    import psutil

    total = 0
    for proc in processes:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


class MemoryWatch:
    """Whether a job's processes hold more than its memory limit, sampled at
    most every ``interval`` seconds: a poll loop may ask on every turn, the
    process table is read four times a second."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self._sampled = 0.0

    def over(self, uid: int | None, root_pid: int, limit_mb: float) -> bool:
        now = time.monotonic()
        if now - self._sampled < self.interval:
            return False
        self._sampled = now
        return resident_bytes(processes_of(uid, root_pid)) > limit_mb * 10**6


def kill_processes(uid: int | None, root_pid: int | None, rounds: int = 5) -> None:
    """SIGKILL every process of the job, repeatedly (a fork can race a kill)."""
    import psutil

    for _ in range(rounds):
        procs = processes_of(uid, root_pid)
        if not procs:
            return
        for proc in procs:
            try:
                proc.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=1)
        time.sleep(0.01)
