"""Sandboxes for the grader's parallel jobs: a folder, and as root a uid, each.

``jobs`` slots run what is untrusted: the students' kernels, then the code
hosts that run students' functions (:mod:`cnnbook.grading.host`). As many
judge slots, with uids of their own, run the judges: a judge never shares a
uid with student code, so no student process can signal or trace the
process that judges other students.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cnnbook
from cnnbook.grading.kernel import kernel_environment
from cnnbook.grading.processes import UidLease, probe_isolation, processes_of
from cnnbook.grading.sandbox import SCRATCH, Limits, Sandbox, visible_paths
from cnnbook.validate import positive_int

__all__ = ["GradeOptions", "Jobs"]

ISOLATION_TEXT = {
    "full": "own mount and network namespaces, a private read-only root, "
    "a scratch tmpfs, a uid per job",
    "limits": "resource limits only: the kernels can see the files and network "
    "this user can",
}


@dataclass(frozen=True)
class GradeOptions:
    jobs: int = os.cpu_count() or 1
    limits: Limits = field(default_factory=Limits)
    isolation: str = "auto"  # "auto", "full" or "limits"

    def __post_init__(self) -> None:
        positive_int("jobs", self.jobs)
        if self.isolation not in ("auto", "full", "limits"):
            raise ValueError(
                f"isolation must be 'auto', 'full' or 'limits', got {self.isolation!r}"
            )


class Jobs:
    """The slots of the parallel jobs and the sandboxes made in them."""

    def __init__(self, work: Path, options: GradeOptions, protected: list[Path]):
        self.work = work
        self.limits = options.limits
        self.read_only = visible_paths(protected)
        self.python_path = str(Path(cnnbook.__file__).resolve().parent.parent)
        self.root = os.getuid() == 0
        self.count = options.jobs
        self.lease = UidLease(2 * options.jobs) if self.root else None
        self.leftovers = 0
        isolation, self.why_not_full = options.isolation, ""
        if isolation == "auto":
            first = self.lease.uids[0] if self.lease else None
            isolation, self.why_not_full = probe_isolation(work, protected, first)
        self.isolation = isolation
        self.slots: queue.Queue[int] = queue.Queue()
        self.judge_slots: queue.Queue[int] = queue.Queue()
        for slot in range(options.jobs):
            self.slots.put(slot)
            self.judge_slots.put(options.jobs + slot)
        self._numbers = itertools.count(1)

    def uid(self, slot: int) -> int | None:
        if not self.root:
            return None
        if self.isolation == "limits" and not _reachable_by_others(sys.executable):
            return None
        return self.lease.uids[slot]

    def close(self) -> None:
        """Release the uids, counting first any process left under them
        (there should be none: every job kills its uid's processes)."""
        if self.lease is not None:
            self.leftovers = sum(
                len(processes_of(uid, None)) for uid in self.lease.uids
            )
            self.lease.close()

    def sandbox(
        self, slot: int, name: str, env: dict[str, str] | None = None
    ) -> tuple[Sandbox, Path]:
        """A fresh sandbox and its host folder for one run in ``slot``;
        ``env`` adds to the kernel's environment (e.g. the student's id)."""
        folder = self.work / f"{next(self._numbers):04d}-{name}"
        kernel_dir, root_dir = folder / "kernel", folder / "root"
        scratch = folder / "scratch"
        for path in (kernel_dir, root_dir, scratch):
            path.mkdir(parents=True)
        uid = self.uid(slot)
        if uid is not None:
            os.chown(scratch, uid, uid)
            os.chmod(scratch, 0o700)
            os.chown(kernel_dir, uid, uid)
        home = SCRATCH if self.isolation == "full" else str(scratch)
        sandbox = Sandbox(
            isolation=self.isolation,
            uid=uid,
            limits=self.limits,
            kernel_dir=str(kernel_dir),
            root_dir=str(root_dir),
            read_only=self.read_only,
            env={**kernel_environment(home, self.python_path), **(env or {})},
            cwd=str(scratch),
        )
        return sandbox, folder

    @contextlib.contextmanager
    def slot(
        self, name: str, judge: bool = False, env: dict[str, str] | None = None
    ) -> Iterator[tuple[Sandbox, Path]]:
        """A sandbox in a free slot (a judge slot if ``judge``), held for the
        block; its folder is removed at the end."""
        slots = self.judge_slots if judge else self.slots
        slot = slots.get()
        folder = None
        try:
            sandbox, folder = self.sandbox(slot, name, env)
            yield sandbox, folder
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            slots.put(slot)

    def describe(self) -> str:
        text = f"{self.isolation} ({ISOLATION_TEXT[self.isolation]})"
        if self.why_not_full:
            text += f"; full isolation unavailable here: {self.why_not_full}"
        if self.root and self.uid(0) is None:
            text += "; WARNING: the kernels run as root"
        return text


def _reachable_by_others(path: str) -> bool:
    """Whether a user other than the owner can run ``path`` (every folder on
    the way searchable by others)."""
    real = Path(os.path.realpath(path))
    for folder in real.parents:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(real).st_mode & 0o005)
