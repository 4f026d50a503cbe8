"""A process in the sandbox, spoken to in JSON lines, every wait with a deadline.

The judge and the code hosts (:mod:`cnnbook.grading.judging`) are driven
this way: the grader writes one line (a JSON object) to the process's stdin
and reads one from its stdout, never blocking past a deadline, never holding
more than ``max_line`` bytes of a reply, and checking the process's resident
memory while it waits. :class:`ChildFailure` says what went wrong, in words
for the feedback.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from cnnbook.grading.processes import MemoryWatch, kill_processes
from cnnbook.grading.sandbox import Sandbox, wrapped_command

__all__ = ["Child", "ChildFailure"]

POLL_SECONDS = 0.25
SANDBOX_FAILED = 70  # the exit code of cnnbook.grading.sandbox when it cannot set up


class ChildFailure(RuntimeError):
    """``kind`` is "timeout", "memory", "stopped", "too large" or "unreadable";
    the message is a sentence ("ran longer than its limit of 20 s")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Child:
    """``python -m <module>`` in ``sandbox``; stderr goes to ``log``."""

    def __init__(self, sandbox: Sandbox, module: str, log: Path, max_line: int) -> None:
        self.sandbox = sandbox
        self.log = Path(log)
        self.max_line = max_line
        command = wrapped_command(sandbox, [sys.executable, "-m", module])
        with open(self.log, "ab") as handle:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=handle,
                start_new_session=True,
                cwd=sandbox.cwd or "/",
            )
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._buffer = bytearray()
        self._searched = 0
        self._memory = MemoryWatch(POLL_SECONDS)

    # ------------------------------------------------------------------ talk
    def send(self, message: dict, deadline: float) -> None:
        data = memoryview((json.dumps(message) + "\n").encode())
        while data:
            self._wait(deadline, write=True)
            try:
                written = os.write(self._in, data)
            except BlockingIOError:
                continue
            except OSError:
                raise self._stopped() from None
            data = data[written:]

    def receive(self, deadline: float) -> dict:
        while True:
            newline = self._buffer.find(b"\n", self._searched)
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[: newline + 1]
                self._searched = 0
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):  # a host's reply is untrusted
                    message = None
                if not isinstance(message, dict):
                    raise ChildFailure("unreadable", "answered something unreadable")
                return message
            self._searched = len(self._buffer)
            if len(self._buffer) > self.max_line:
                raise ChildFailure(
                    "too large", f"answered more than {self.max_line // 10**6} MB"
                )
            self._wait(deadline, write=False)
            try:
                chunk = os.read(self._out, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise self._stopped()
            self._buffer += chunk

    def ask(self, message: dict, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        self.send(message, deadline)
        return self.receive(deadline)

    def _wait(self, deadline: float, write: bool) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildFailure("timeout", "ran longer than its limit")
            fds = ([], [self._in]) if write else ([self._out], [])
            ready = select.select(*fds, [], min(remaining, POLL_SECONDS))
            self._check_memory()
            if ready[0] or ready[1]:
                return
            if self.process.poll() is not None and write:
                raise self._stopped()

    def _check_memory(self) -> None:
        limit = self.sandbox.limits.memory_mb
        if self._memory.over(self.sandbox.uid, self.process.pid, limit):
            self.kill()
            raise ChildFailure(
                "memory", f"used more than its memory limit of {limit} MB"
            )

    def _stopped(self) -> ChildFailure:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code == SANDBOX_FAILED:
            return ChildFailure("sandbox", f"could not start: {self.last_log_line()}")
        how = (
            "no exit code"
            if code is None
            else (f"signal {-code}" if code < 0 else f"exit code {code}")
        )
        return ChildFailure("stopped", f"stopped ({how})")

    def last_log_line(self) -> str:
        """The last line the process wrote to stderr (read from the end: the
        log may be as large as the file size limit)."""
        try:
            with open(self.log, "rb") as handle:
                handle.seek(max(0, handle.seek(0, os.SEEK_END) - 4096))
                tail = handle.read().decode(errors="replace")
        except OSError:
            return "no message"
        lines = tail.strip().splitlines()
        return lines[-1][:300] if lines else "no message"

    # ------------------------------------------------------------------ stop
    def kill(self) -> None:
        kill_processes(self.sandbox.uid, self.process.pid)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
