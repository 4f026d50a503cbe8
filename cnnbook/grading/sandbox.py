"""Run an untrusted process (a student's kernel) in a sandbox, with what Linux offers.

The grader starts ``python -m cnnbook.grading.sandbox CONFIG -- COMMAND...``;
this module, still trusted, sets the sandbox up and then replaces itself with
the command (``os.execve``). What it does, in order:

1. **Namespaces** (isolation ``"full"``): a new mount and network namespace
   (plus a user namespace when not run as root). The network namespace has
   only a loopback device, left down: no address, local or remote, is
   reachable.
2. **A private root**: a small tmpfs becomes ``/``. Only the paths the kernel
   needs are bind-mounted into it, read-only, ``nosuid`` and ``nodev``: the
   system (``/usr``, ``/etc``, ``/lib*``), the Python installation, the
   ``cnnbook`` package. The solutions, the instructor's sources, the
   submissions folder, other home folders and ``/tmp`` are simply not there.
   ``/tmp`` (also ``HOME`` and the working directory) is the scratch folder:
   part of that tmpfs, private to this kernel, capped in size and discarded at
   the end. ``/proc`` is a fresh mount with ``hidepid=invisible`` (other
   users' processes are not listed) and ``/dev`` holds only null, zero, full,
   random, urandom and a private ``/dev/shm``.
3. **Limits** (every isolation level): ``setrlimit`` for the address space,
   CPU seconds, the size of any file written, the number of processes and no
   core dumps; the wall clock and resident memory are watched by the grader.
4. **An unprivileged uid** of its own when run as root (a uid per parallel
   job, so one kernel cannot signal or trace another), no supplementary
   groups, and ``no_new_privs`` so that no setuid program can give privileges
   back.

Isolation ``"limits"`` (when namespaces are not available, e.g. in an
unprivileged container) keeps steps 3 and 4 only;
:func:`cnnbook.grading.processes.probe_isolation` finds which level works
here, and the grader says which one it used. This module is what runs inside
the sandbox before the kernel; :mod:`cnnbook.grading.processes` is the
grader's side (uids, the job's processes).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "KERNEL_DIR",
    "Limits",
    "Sandbox",
    "wrapped_command",
]

KERNEL_DIR = "/kernel"
"""Where the kernel's connection file and sockets appear inside the private root."""
SCRATCH = "/tmp"
"""The kernel's scratch folder (also HOME and the working directory)."""
UID_BASE = 700_000
"""As root, every sandbox runs as a uid (and gid) of its own, leased from
``UID_BASE`` upwards (:class:`UidLease`), so that no two jobs, even of two
graders running at once, share one."""
UID_COUNT = 10_000
LOCK_DIR = "cnnbook-sandbox-uids"
SYSTEM_PATHS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")

# <linux/sched.h>, <linux/mount.h>, <linux/prctl.h>
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Every field is validated on creation."""

    cell_seconds: float = 60.0
    """Wall time of one cell."""
    notebook_seconds: float = 600.0
    """Wall time of the whole notebook, kernel start included."""
    memory_mb: int = 2000
    """Resident memory of all the kernel's processes together."""
    scratch_mb: int = 256
    """Size of the private scratch folder (and of anything else it writes)."""
    file_mb: int = 100
    """Largest file the kernel may write (RLIMIT_FSIZE)."""
    processes: int = 256
    """Processes and threads of the kernel's uid (RLIMIT_NPROC; TensorFlow
    starts a few dozen threads)."""
    answer_seconds: float = 20.0
    """Wall time to judge one answer, and, for an answer that is code, to run
    the student's function on the check's inputs (each apart)."""

    def __post_init__(self) -> None:
        for name, low in (
            ("cell_seconds", 1),
            ("notebook_seconds", 1),
            ("memory_mb", 200),
            ("scratch_mb", 16),
            ("file_mb", 1),
            ("processes", 32),
            ("answer_seconds", 1),
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not value >= low
            ):
                raise ValueError(
                    f"{name} must be a number of at least {low}, got {value!r}"
                )

    @property
    def address_space_bytes(self) -> int:
        """RLIMIT_AS: the memory limit plus 4 GB, since TensorFlow reserves
        about 1.7 GB of address space it never touches; a single huge
        allocation then fails at once instead of waiting for the watchdog."""
        return (self.memory_mb + 4000) * 10**6

    @property
    def cpu_seconds(self) -> int:
        """RLIMIT_CPU: every core busy for the whole notebook time, a backstop
        for a process that would outlive the kernel."""
        return int(self.notebook_seconds * max(os.cpu_count() or 1, 1)) + 10


@dataclass
class Sandbox:
    """How to run one command: isolation level, identity, what it may see."""

    isolation: str = "full"  # "full" or "limits"
    uid: int | None = None  # None: keep the caller's identity
    limits: Limits = field(default_factory=Limits)
    kernel_dir: str = ""  # host folder shown at KERNEL_DIR (full isolation)
    root_dir: str = ""  # an empty host folder, the mount point of the new root
    read_only: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = ""  # working directory under "limits" (the scratch folder)

    def __post_init__(self) -> None:
        if self.isolation not in ("full", "limits"):
            raise ValueError(
                f"isolation must be 'full' or 'limits', got {self.isolation!r}"
            )

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Sandbox:
        data = json.loads(text)
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


def wrapped_command(sandbox: Sandbox, command: list[str]) -> list[str]:
    """The command line that runs ``command`` inside ``sandbox``."""
    return [
        sys.executable,
        "-m",
        "cnnbook.grading.sandbox",
        sandbox.to_json(),
        "--",
        *command,
    ]


# --------------------------------------------------------------------------- paths
def python_paths() -> list[str]:
    """The folders the interpreter and its packages live in (real paths)."""
    import cnnbook

    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    # Package folders only: sys.path also holds the script's folder or the
    # working directory, which may be anything (the repository, /tmp).
    candidates |= {
        p
        for p in sys.path
        if os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages")
    }
    candidates.add(str(Path(cnnbook.__file__).resolve().parent))
    found = set()
    for path in candidates:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if os.path.isdir(variant):
                found.add(variant)
    return sorted(found)


def visible_paths(protected: Iterable[str | Path]) -> list[str]:
    """Folders to show the kernel: the system and Python, minus any folder
    that holds a protected path (the repository root, say, when it is on
    ``sys.path``: the ``cnnbook`` package is then shown on its own)."""
    protected = [os.path.realpath(p) for p in protected]
    chosen = []
    for path in [*SYSTEM_PATHS, *python_paths()]:
        if not os.path.lexists(path):
            continue
        real = os.path.realpath(path)
        if any(_contains(real, p) for p in protected):
            continue
        chosen.append(path)
    return _outermost(chosen)


def _contains(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already inside another chosen path (symlinks kept as given)."""
    result = []
    for path in sorted(set(paths), key=len):
        if not any(_contains(other, path) for other in result):
            result.append(path)
    return result


# --------------------------------------------------------------------------- syscalls
_libc = None


def _syscall(name: str, *args) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if getattr(_libc, name)(*args) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{name}: {os.strerror(code)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    def enc(value):
        return value.encode() if isinstance(value, str) else value

    _syscall(
        "mount",
        enc(source),
        enc(target),
        enc(fstype),
        ctypes.c_ulong(flags),
        enc(data),
    )


def _bind(
    source: str, target: str, writable: bool = False, device: bool = False
) -> None:
    """Bind ``source`` at ``target`` (creating it), read-only unless asked,
    its device nodes unusable unless it is one."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | (0 if device else MS_NODEV)
    _mount(None, target, None, flags | (0 if writable else MS_RDONLY))


def _enter_namespaces() -> None:
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET
    if uid != 0:
        flags |= CLONE_NEWUSER
    _syscall("unshare", ctypes.c_int(flags))
    if uid != 0:  # become root of the new user namespace, mapped to ourselves
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def _build_root(sandbox: Sandbox) -> str:
    root = sandbox.root_dir
    size = f"size={sandbox.limits.scratch_mb}m,mode=755"
    _mount("cnnbook-sandbox", root, "tmpfs", MS_NOSUID | MS_NODEV, size)
    # The scratch folder first: a Python or cnnbook that lives under /tmp (a
    # clone in /tmp) is then bound inside it, read-only, in folders of root's.
    dev = root + "/dev"
    for folder in (root + SCRATCH, dev + "/shm"):
        os.makedirs(folder)
        os.chmod(folder, 0o1777)
    for path in sandbox.read_only:
        target = root + path
        if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(path), target)
        else:
            _bind(path, target)
    _bind(sandbox.kernel_dir, root + KERNEL_DIR, writable=True)
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{dev}/{name}", writable=True, device=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(target, f"{dev}/{name}")
    os.symlink("/proc/self/fd/1", f"{dev}/stdout")
    os.symlink("/proc/self/fd/2", f"{dev}/stderr")
    os.makedirs(root + "/proc")
    try:  # a proc of our own hides other users' processes
        _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV, "hidepid=2")
    except OSError:  # not allowed in a user namespace without a pid namespace
        _mount("/proc", root + "/proc", None, MS_BIND | MS_REC)
    _mount(None, root, None, MS_REMOUNT | MS_NOSUID | MS_NODEV, size)
    return root


def _tasks_of(uid: int) -> int:
    """Threads of ``uid`` running now: RLIMIT_NPROC counts them all."""
    count = 0
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.stat(f"/proc/{pid}").st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return count


def _set_limits(limits: Limits, shared_tasks: int) -> None:
    """``shared_tasks``: threads of the uid the kernel shares with others
    (0 with a uid of its own), added to its process limit."""
    mb = 10**6
    for name, value in (
        (resource.RLIMIT_AS, limits.address_space_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, int(limits.file_mb * mb)),
        (resource.RLIMIT_NPROC, int(limits.processes) + shared_tasks),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(name, (value, value))


def _drop_privileges(uid: int | None) -> None:
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _syscall("prctl", ctypes.c_int(PR_SET_NO_NEW_PRIVS), 1, 0, 0, 0)


def enter(sandbox: Sandbox) -> None:
    """Set up the sandbox in this process (before exec'ing the command)."""
    own_uid = sandbox.uid is not None and os.getuid() == 0
    shared_tasks = 0 if own_uid else _tasks_of(os.getuid())
    if sandbox.isolation == "full":
        _enter_namespaces()
        root = _build_root(sandbox)
        os.chroot(root)
        if sandbox.uid is not None and os.getuid() == 0:
            os.chown(SCRATCH, sandbox.uid, sandbox.uid)
            os.chmod(SCRATCH, 0o700)
        os.chdir(SCRATCH)
    elif sandbox.cwd:
        os.chdir(sandbox.cwd)
    _set_limits(sandbox.limits, shared_tasks)
    _drop_privileges(sandbox.uid)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(
            "usage: python -m cnnbook.grading.sandbox CONFIG -- COMMAND...",
            file=sys.stderr,
        )
        return 2
    sandbox = Sandbox.from_json(argv[0])
    command = argv[2:]
    try:
        enter(sandbox)
    except OSError as err:
        print(f"sandbox: could not set up: {err}", file=sys.stderr)
        return 70
    os.execve(command[0], command, sandbox.env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
