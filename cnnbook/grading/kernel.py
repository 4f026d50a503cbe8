"""A student's kernel, started in the sandbox and driven one cell at a time.

Plain ZeroMQ and :class:`jupyter_client.session.Session`, synchronous: the
grader needs exact control, not a front end. Every wait checks three things
besides the kernel's reply: the cell's and the notebook's deadlines, whether
the kernel process still lives, and the resident memory of the kernel's
processes. Outputs are read and dropped (only replies matter): a cell is done
when its reply arrives. A message larger than :data:`MAX_MESSAGE_BYTES` (a
50 MB print) is refused by ZeroMQ, which drops the connection and makes a new
one: the output is lost, the cell's reply still arrives, and the reply says
that an output was dropped (:attr:`Reply.dropped`); a reply itself that large
is dropped the same way. So a kernel that prints without end cannot fill the
grader's memory, nor stop the grading.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import zmq
from jupyter_client.session import Session
from zmq.utils.monitor import recv_monitor_message

from cnnbook.grading.processes import MemoryWatch, kill_processes
from cnnbook.grading.sandbox import (
    KERNEL_DIR,
    Sandbox,
    wrapped_command,
)
from cnnbook.runtime import quiet_tensorflow_env

__all__ = ["KernelFailure", "StudentKernel", "kernel_environment"]

MAX_MESSAGE_BYTES = 32 * 2**20
POLL_SECONDS = 0.1
MEMORY_POLL_SECONDS = 0.25
START_SECONDS = 120.0


class KernelFailure(RuntimeError):
    """The kernel cannot go on: ``kind`` is "timeout", "memory", "died" or
    "start"; the message is a sentence for the student's feedback."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Reply:
    status: str  # "ok", "error", "aborted", or "dropped" (the reply was too large)
    error: str  # "NameError: name 'x' is not defined" when status is "error"
    message: dict  # the whole execute_reply ({} when it was dropped)
    dropped: bool = False  # an output or the reply was over MAX_MESSAGE_BYTES


def kernel_environment(home: str, python_path: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's is passed on
    (tokens and paths stay out); TensorFlow quiet, as in the book."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONPATH": python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter",
        "KERAS_HOME": f"{home}/.keras",
    }
    env.update(quiet_tensorflow_env())
    for name in ("CNNBOOK_INTRA_OP_THREADS",):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class StudentKernel:
    """One kernel in one sandbox; use as a context manager."""

    def __init__(
        self, sandbox: Sandbox, kernel_dir: Path, deadline: float, log_path: Path
    ) -> None:
        self.sandbox = sandbox
        self.kernel_dir = Path(kernel_dir)
        self.deadline = deadline  # time.monotonic() by which the notebook ends
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None
        self._memory = MemoryWatch(MEMORY_POLL_SECONDS)
        # One context for every kernel of the grader, never terminated: its
        # sockets are closed one by one (a terminating context waits for all).
        self._context = zmq.Context.instance()
        self.shell = self.iopub = None

    # ------------------------------------------------------------------ start
    def __enter__(self) -> StudentKernel:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        key = secrets.token_hex(32)
        inside = self.sandbox.isolation == "full"
        prefix = f"{KERNEL_DIR if inside else self.kernel_dir}/kernel"
        info = {
            "transport": "ipc",
            "ip": prefix,
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "key": key,
            "signature_scheme": "hmac-sha256",
            "kernel_name": "python3",
        }
        connection = self.kernel_dir / "connection.json"
        connection.write_text(json.dumps(info))
        if self.sandbox.uid is not None and os.getuid() == 0:
            # root owns the folder; the kernel's group may create its sockets
            # until it is ready (see _lock_kernel_dir), and read the file
            os.chown(self.kernel_dir, 0, self.sandbox.uid)
            os.chmod(self.kernel_dir, 0o770)
            os.chown(connection, 0, self.sandbox.uid)
            os.chmod(connection, 0o640)
        inside_connection = f"{KERNEL_DIR}/connection.json" if inside else connection
        command = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            str(inside_connection),
            "--HistoryManager.enabled=False",
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                wrapped_command(self.sandbox, command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                cwd=self.sandbox.cwd or "/",
            )
        self.session = Session(key=key.encode(), signature_scheme="hmac-sha256")
        self._poller = zmq.Poller()  # shell replies and iopub messages, together
        self._monitors: dict[str, zmq.Socket] = {}
        self._connect("shell")
        self._connect("iopub")
        self._wait_ready(min(self.deadline, time.monotonic() + START_SECONDS))
        self._lock_kernel_dir()

    def _connect(self, name: str) -> None:
        """A new connection to the kernel's ``name`` socket ("shell" or
        "iopub"), watched for a dropped connection; it replaces any earlier
        one (ZeroMQ does not reconnect a connection it dropped for a message
        over MAX_MESSAGE_BYTES)."""
        self._disconnect(name)
        kind, port = {"shell": (zmq.DEALER, 1), "iopub": (zmq.SUB, 2)}[name]
        socket = self._context.socket(kind)
        socket.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        socket.setsockopt(zmq.RCVHWM, 100)  # at most 100 messages queued here
        socket.setsockopt(zmq.LINGER, 0)
        if kind == zmq.SUB:
            socket.setsockopt(zmq.SUBSCRIBE, b"")
        self._monitors[name] = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        socket.connect(f"ipc://{self.kernel_dir}/kernel-{port}")
        self._poller.register(socket, zmq.POLLIN)
        setattr(self, name, socket)

    def _disconnect(self, name: str) -> None:
        """Close the connection to ``name`` and its monitor, in the one order
        that cannot leave ZeroMQ's threads waiting on each other (monitoring
        stopped, then the monitor closed, then the socket)."""
        socket = getattr(self, name, None)
        if socket is None:
            return
        socket.disable_monitor()
        self._monitors.pop(name).close(linger=0)
        self._poller.unregister(socket)
        socket.close(linger=0)
        setattr(self, name, None)

    def _wait_ready(self, deadline: float) -> None:
        """Ask for kernel_info until the kernel answers on the shell *and* its
        status for one of those requests arrives on iopub.

        The kernel binds its sockets a second or so after it starts, and a
        subscription to iopub takes effect some time after it connects (ZeroMQ's
        slow joiner): a shell reply alone does not prove that iopub messages
        reach us, and an "idle" lost that way would make the first short cell
        wait until its time limit."""
        asked, requests, replied, heard = 0.0, set(), False, False
        while not (replied and heard):
            now = time.monotonic()
            if now - asked > 0.5:
                request = self.session.msg("kernel_info_request", {})
                self.session.send(self.shell, request)
                requests.add(request["header"]["msg_id"])
                asked = now
            self._check_alive("start")
            if now > deadline:
                raise KernelFailure("start", "the kernel did not start in time")
            ready = dict(self._poller.poll(int(POLL_SECONDS * 1000)))
            if self.shell in ready:
                msg = self._recv(self.shell)
                replied |= bool(msg and msg["msg_type"] == "kernel_info_reply")
            if self.iopub in ready:
                msg = self._recv(self.iopub)
                heard |= bool(msg and msg["parent_header"].get("msg_id") in requests)
        time.sleep(POLL_SECONDS)  # let the last request's status messages arrive
        self._drain_iopub()

    def _lock_kernel_dir(self) -> None:
        """Once its sockets exist, the kernel may no longer create files in
        the grader's folder (that folder is not part of its size-limited scratch)."""
        if self.sandbox.uid is not None and os.getuid() == 0:
            os.chmod(self.kernel_dir, 0o750)

    # ------------------------------------------------------------------ run
    def execute(
        self,
        code: str,
        seconds: float,
        user_expressions: dict | None = None,
        silent: bool = False,
    ) -> Reply:
        """Run ``code`` (``silent``: out of the history, as the grader's own
        reads of answers are); raises :class:`KernelFailure` when a limit is
        hit or the kernel dies, in which case the kernel is killed."""
        request = self.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": silent,
                "store_history": not silent,
                "user_expressions": user_expressions or {},
                "allow_stdin": False,
                "stop_on_error": False,
            },
        )
        self.session.send(self.shell, request)
        msg_id = request["header"]["msg_id"]
        cell_deadline = time.monotonic() + seconds
        reply, dropped = None, set()
        while reply is None:
            now = time.monotonic()
            if now > self.deadline:
                self.kill()
                raise KernelFailure(
                    "timeout",
                    "the notebook ran longer than its limit of "
                    f"{self.sandbox.limits.notebook_seconds:g} s",
                )
            if now > cell_deadline:
                self.kill()
                raise KernelFailure(
                    "timeout", f"a cell ran longer than its limit of {seconds:g} s"
                )
            self._check_alive("died")
            self._check_memory()
            ready = dict(self._poller.poll(int(POLL_SECONDS * 1000)))
            if self.iopub in ready:
                self._drain_iopub()
            if self.shell in ready:
                msg = self._recv(self.shell)
                if msg and msg["parent_header"].get("msg_id") == msg_id:
                    if msg["msg_type"] == "execute_reply":
                        reply = msg
            lost = self._disconnected()
            for name in lost:
                self._connect(name)
            dropped |= lost
            if "shell" in lost and reply is None:
                self._check_alive("died")  # a kernel that died drops it too
                return Reply("dropped", "", {}, True)
        content = reply["content"]
        status = str(content.get("status", "error"))
        error = ""
        if status == "error":
            error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
        return Reply(status, error[:300], reply, bool(dropped))

    def _disconnected(self) -> set[str]:
        """The sockets that lost their connection since the last call: ZeroMQ
        drops one that receives a message over MAX_MESSAGE_BYTES."""
        found = set()
        for name, monitor in self._monitors.items():
            while monitor.poll(0):
                try:
                    recv_monitor_message(monitor)
                except (ValueError, zmq.ZMQError):
                    pass
                found.add(name)
        return found

    def _recv(self, socket):
        """The next message, or None for one that is unsigned or malformed
        (the kernel holds the key: what it sends is the student's to shape)."""
        try:
            _, msg = self.session.recv(socket, mode=zmq.NOBLOCK)
        except zmq.ZMQError:
            return None
        except Exception:  # bad JSON, JSON nested too deep, a bad signature
            return None
        if not (
            isinstance(msg, dict)
            and isinstance(msg.get("parent_header"), dict)
            and isinstance(msg.get("content"), dict)
            and isinstance(msg.get("msg_type"), str)
        ):
            return None
        return msg

    def _drain_iopub(self) -> None:
        """Read and drop every pending output message."""
        for _ in range(10_000):
            if not self.iopub.poll(0):
                break
            self._recv(self.iopub)

    def _check_alive(self, kind: str) -> None:
        code = self.process.poll()
        if code is None:
            return
        self.kill()
        if kind == "start":
            detail = self._log_tail()
            raise KernelFailure(
                "start", f"the kernel could not start (exit code {code}){detail}"
            )
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        raise KernelFailure(
            "died", f"the kernel stopped ({how}): os._exit, a crash or a kill"
        )

    def _check_memory(self) -> None:
        limit = self.sandbox.limits.memory_mb
        if self._memory.over(self.sandbox.uid, self.process.pid, limit):
            self.kill()
            raise KernelFailure(
                "memory",
                f"the kernel used more than its memory limit of "
                f"{self.sandbox.limits.memory_mb:g} MB and was stopped",
            )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return f": {lines[-1][:200]}" if lines else ""

    # ------------------------------------------------------------------ stop
    def kill(self) -> None:
        if self.process is not None:
            kill_processes(self.sandbox.uid, self.process.pid)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def close(self) -> None:
        self.kill()
        for name in ("shell", "iopub"):
            self._disconnect(name)
