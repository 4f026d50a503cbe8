"""The code host: a student's function, run in a process of its own, called as data.

``python -m cnnbook.grading.host`` runs in the sandbox, as a uid of its own,
for one code answer (:mod:`cnnbook.grading.carry`). It reads one JSON line
on stdin (after writing ``{"hello": true}``): ``{"name", "source", "data"}``,
binds the data, runs the source
(the answer's imports, functions and classes) and answers ``{"ready": kind}``
or ``{"error": "ImportError: ..."}``. Then each line ``{"args": [...],
"kwargs": {...}}`` (encoded as :mod:`cnnbook.grading.capture` encodes
answers) is one call of the answer; the reply is ``{"value": encoded}``,
``{"raised": "TypeError", "message": ...}`` or ``{"unreadable": "Tensor"}``
(a result that is not data, not even as a NumPy array).

The judge, in another process and as another uid, holds only a stand-in that
sends the arguments here and reads the result back
(:class:`cnnbook.grading.judge.CodeAnswer`): whatever the student's code
does (patch json, NumPy, the checks, exit), it does it here, and can change
nothing but what its own calls return. The grader relays the lines and
holds the time limits.
"""

from __future__ import annotations

import json
import os
import sys

from cnnbook.grading.answers import decode
from cnnbook.grading.capture import MAX_ANSWER_BYTES, encode

__all__ = ["main"]


def _line(out, message: dict) -> None:
    text = json.dumps(message)
    if len(text) > 2 * MAX_ANSWER_BYTES:
        text = json.dumps({"unreadable": "a value too large to grade"})
    out.write(text + "\n")
    out.flush()


def _error(err: BaseException) -> dict:
    return {"raised": type(err).__name__, "message": str(err)[:300]}


def _result(value) -> dict:
    """The reply for what the student's function returned."""
    try:
        return {"value": encode(value)}
    except BaseException:  # not data: perhaps an array-like (a tf.Tensor)
        pass
    numpy = sys.modules.get("numpy")
    try:
        if numpy is not None and not isinstance(value, (str, bytes)):
            return {"value": encode(numpy.asarray(value))}
    except BaseException:  # the student's object may raise anything
        pass
    return {"unreadable": type(value).__name__[:100]}


def serve(lines, out) -> int:
    """Say hello (the grader then knows the sandbox is up, and that whatever
    happens next is the student's code), set up the answer from the first line
    of ``lines``, then answer calls."""
    _line(out, {"hello": True})
    try:
        request = json.loads(next(lines))
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        for name, value in dict(request["data"]).items():
            namespace[str(name)] = decode(value)
        exec(compile(request["source"], "<your code>", "exec"), namespace)
        answer = namespace[request["name"]]
    except BaseException as err:  # the student's code, run for the first time
        _line(out, {"error": f"{type(err).__name__}: {str(err)[:300]}"})
        return 0
    _line(out, {"ready": type(answer).__name__})
    for text in lines:
        try:
            call = json.loads(text)
            args = [decode(a) for a in call.get("args", [])]
            kwargs = {str(k): decode(v) for k, v in call.get("kwargs", {}).items()}
        except (ValueError, TypeError) as err:
            _line(out, {"raised": "ValueError", "message": f"bad call: {err}"[:300]})
            continue
        try:
            reply = _result(answer(*args, **kwargs))
        except BaseException as err:  # the student's code: SystemExit included
            reply = _error(err)
        _line(out, reply)
    return 0


def main() -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # what the student's code prints goes to stderr, not the reply
    sys.stdout = sys.stderr
    return serve(iter(sys.stdin.readline, ""), out)


if __name__ == "__main__":
    sys.exit(main())
