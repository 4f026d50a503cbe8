"""The grader's jobs (cnnbook.grading.jobs, cnnbook.grading.processes): the uids
they lease, the isolation they fall back to, and what they say about it."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

from cnnbook.grading import processes
from cnnbook.grading.jobs import GradeOptions, Jobs
from cnnbook.grading.processes import MemoryWatch, UidLease, probe_isolation
from cnnbook.grading.sandbox import LOCK_DIR
from tests.conftest import REPO
from tests.helpers import in_fork

ROOT = os.getuid() == 0
PROTECTED = [REPO / "solutions", REPO / "notebooks", REPO]
as_root = pytest.mark.skipif(not ROOT, reason="uids are leased by root only")


@pytest.fixture
def lock_dir(tmp_path, monkeypatch):
    """A temporary directory of this test's own, and uids far from the ones
    other graders lease (a lease kills what runs under the uids it takes)."""
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(processes, "UID_BASE", 2_000_000_000)
    monkeypatch.setattr(processes, "UID_COUNT", 3)  # two uids to lease
    return tmp_path / LOCK_DIR


@as_root
def test_a_uid_is_leased_once_until_its_lease_ends(lock_dir):
    with UidLease(2) as first:
        assert first.uids == [2_000_000_001, 2_000_000_002]
        with pytest.raises(ValueError, match="no 1 free uids from 2000000001"):
            UidLease(1)
    with UidLease(1) as second:
        assert second.uids == [2_000_000_001]
    assert oct(lock_dir.stat().st_mode & 0o777) == "0o700"


@as_root
def test_a_lock_folder_others_could_use_is_refused(lock_dir):
    """Another user who made the lock folder (or a link in its place) could
    hold or free the locks: the lease refuses it rather than share uids."""
    lock_dir.mkdir(mode=0o755)
    lock_dir.chmod(0o755)
    with pytest.raises(ValueError, match="must be a folder only root can use"):
        UidLease(1)
    lock_dir.rmdir()
    (lock_dir.parent / "elsewhere").mkdir(mode=0o700)
    lock_dir.symlink_to(lock_dir.parent / "elsewhere")
    with pytest.raises(ValueError, match="must be a folder only root can use"):
        UidLease(1)


@as_root
def test_only_root_leases_uids():
    with UidLease(1) as lease:
        uid = lease.uids[0]

        def probe():
            os.setresuid(uid, uid, uid)
            try:
                UidLease(1)
            except ValueError as err:
                return str(err)

        assert in_fork(probe) == "uids can only be leased by root"


def test_where_python_cannot_start_in_the_private_root_the_grader_says_why(
    tmp_path,
):
    """The Python the grader runs is inside a protected folder: the private
    root cannot show it, the probe falls back to limits and the grader names
    the reason with the isolation it uses."""
    protected = [*PROTECTED, sys.base_prefix]
    level, why = probe_isolation(tmp_path, protected)
    assert level == "limits" and why
    jobs = Jobs(tmp_path, GradeOptions(jobs=1), protected)
    try:
        assert (jobs.isolation, jobs.why_not_full) == ("limits", why)
        said = jobs.describe()
    finally:
        jobs.close()
    assert said.startswith("limits (resource limits only: the kernels can see")
    assert f"; full isolation unavailable here: {why}" in said


def test_an_unknown_isolation_is_refused():
    with pytest.raises(ValueError, match="isolation must be 'auto', 'full' or"):
        GradeOptions(isolation="none")


def _python(folder: Path, mode: int) -> str:
    """A stand-in for the interpreter, in ``folder`` (of ``mode``)."""
    folder.mkdir(mode=mode)
    folder.chmod(mode)
    python = folder / "python"
    python.write_text("")
    python.chmod(0o755)
    return str(python)


def test_under_limits_a_job_runs_as_its_uid_only_if_that_uid_can_run_python(
    monkeypatch,
):
    """Without a private root the kernel runs the grader's own Python: as a
    leased uid only when others may run it (every folder on the way
    searchable); else as the grader's user, and the grader warns when that
    is root."""
    with tempfile.TemporaryDirectory() as work:  # under /tmp, searchable
        Path(work).chmod(0o755)
        said = {}
        for name, mode in (("open", 0o755), ("closed", 0o700)):
            monkeypatch.setattr(sys, "executable", _python(Path(work) / name, mode))
            jobs = Jobs(Path(work), GradeOptions(jobs=1, isolation="limits"), [])
            try:
                said[name] = (jobs.uid(0), jobs.describe(), jobs.lease)
            finally:
                jobs.close()
    (open_uid, open_text, lease), (closed_uid, closed_text, _) = said.values()
    for text in (open_text, closed_text):
        assert text.startswith("limits (resource limits only")
        assert "full isolation unavailable" not in text  # not probed: asked for
    if ROOT:
        assert open_uid == lease.uids[0] and "WARNING" not in open_text
        assert closed_uid is None
        assert closed_text.endswith("; WARNING: the kernels run as root")
    else:
        assert open_uid is None and closed_uid is None


def test_a_memory_watch_samples_the_tree_at_most_once_per_interval():
    """The kernel's and the judge's poll loops ask on every turn; the watch
    reads the process table only when its interval has passed."""
    this = os.getpid()
    watch = MemoryWatch(interval=3600)
    assert watch.over(None, this, limit_mb=0)  # this process holds more than 0 MB
    assert not watch.over(None, this, limit_mb=0)  # within the interval: no sample
    every_time = MemoryWatch(interval=0)
    assert every_time.over(None, this, limit_mb=0)
    assert every_time.over(None, this, limit_mb=0)
    assert not every_time.over(None, this, limit_mb=10**9)
