"""A student's answer, carried out of the kernel as data the grader can judge.

The grader never trusts what the student's kernel says about an answer's
correctness; it asks the kernel for the answer's *value*
(:mod:`cnnbook.grading.capture`, which runs in the kernel and encodes the
value as tagged JSON) and judges it itself. This module is the grader's side:
the user expression that asks (:func:`capture_expression`), reading the reply
(:func:`read_reply`), rebuilding the value (:func:`decode`, with the same
size and depth limits the kernel applies) and quoting it for grades.csv
(:func:`short_text`).

Whatever the kernel sends back is only ever the student's answer: forging it
gains nothing that typing the right value would not.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import reprlib

from cnnbook.grading.capture import MAX_ANSWER_BYTES, MAX_DEPTH, MAX_ITEMS, encode

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_SHOWN",
    "capture_expression",
    "decode",
    "encode",
    "import_dotted",
    "names_expression",
    "one_line",
    "read_reply",
    "short_text",
]

MAX_SHOWN = 200
"""The most characters of an answer grades.csv quotes."""
MAX_INT_DIGITS = 4000
MAX_JSON_DEPTH = 3 * MAX_DEPTH + 10
"""JSON nesting of the deepest answer encode() makes (a level is a dict and a
list), with room to spare: anything deeper came from a kernel that lies."""


def capture_expression(answer: str) -> str:
    """The user expression whose value (a string) is the JSON of ``answer``'s
    value in the kernel (:func:`cnnbook.grading.capture.read`)."""
    return f"__import__('cnnbook.grading.capture', fromlist=['read']).read({answer!r})"


def names_expression(names: list[str]) -> str:
    """The user expression whose value is the JSON of each of ``names``."""
    return (
        "__import__('cnnbook.grading.capture', fromlist=['read_names'])"
        f".read_names({list(names)!r})"
    )


def import_dotted(dotted: str):
    """The object a dotted name denotes (``"cnnbook.checks.ch03.segments"``),
    importing its longest module prefix; None when nothing of it can be
    imported or an attribute is missing."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def read_reply(reply: dict | None, expression_key: str = "answer") -> dict | None:
    """The JSON object a user expression returned, or None if unreadable."""
    try:
        entry = reply["content"]["user_expressions"][expression_key]
        if entry.get("status") != "ok":
            return None
        literal = entry["data"]["text/plain"]
        if not isinstance(literal, str) or len(literal) > 8 * MAX_ANSWER_BYTES:
            return None  # a repr of at most MAX_ANSWER_BYTES of JSON is shorter
        text = ast.literal_eval(literal)
        if not isinstance(text, str) or len(text) > MAX_ANSWER_BYTES:
            return None
        data = json.loads(text)
    except Exception:  # the kernel shapes the reply: anything odd is unreadable
        return None
    if not isinstance(data, dict) or _depth(data) > MAX_JSON_DEPTH:
        return None  # no answer encode() makes is that deep
    return data


def _depth(data: object) -> int:
    """How deep JSON containers nest in ``data`` (without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            values = node.values() if isinstance(node, dict) else node
            todo.extend((value, depth + 1) for value in values)
    return deepest


def decode(data: object, keras_loader=None, depth: int = 0):
    """The value that :func:`~cnnbook.grading.capture.encode` described.
    Raises ValueError on anything that is not such a description (or nested
    deeper than MAX_DEPTH). ``keras_loader(json_text)`` rebuilds a Keras model
    (the judge passes one; without it models are refused)."""
    if depth > MAX_DEPTH:
        raise ValueError(f"the answer is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError(f"not an encoded answer: {str(data)[:80]}")
    kind, value = data["t"], data.get("v")
    simple = {"none": None, "ellipsis": ...}
    if kind in simple:
        return simple[kind]
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, str):
        if len(value) > MAX_INT_DIGITS:
            raise ValueError("integer too long")
        return int(value)
    if kind == "float" and isinstance(value, str):
        return float.fromhex(value)
    if kind == "str" and isinstance(value, str):
        return value
    containers = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
    if kind in containers and isinstance(value, list):
        return containers[kind](decode(v, keras_loader, depth + 1) for v in value)
    if kind == "dict" and isinstance(value, list):
        return {
            decode(k, keras_loader, depth + 1): decode(v, keras_loader, depth + 1)
            for k, v in (_pair(item) for item in value)
        }
    if kind in ("ndarray", "npscalar"):
        return _decode_numpy(data, keras_loader, depth)
    if kind == "keras" and isinstance(value, str):
        if keras_loader is None:
            raise ValueError("a Keras model cannot be rebuilt here")
        return keras_loader(value)
    raise ValueError(f"not an encoded answer: kind {kind!r}")


def _pair(item) -> tuple:
    if not isinstance(item, list) or len(item) != 2:
        raise ValueError("a dict item must be a [key, value] pair")
    return item[0], item[1]


def _decode_numpy(data: dict, keras_loader, depth: int):
    import numpy as np

    dtype = np.dtype(str(data.get("dtype")))
    if dtype.kind not in "biuf":
        raise ValueError(f"dtype {dtype} is not numeric")
    if data["t"] == "npscalar":
        return dtype.type(decode(data.get("v"), keras_loader, depth + 1))
    shape = data.get("shape")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and n >= 0 for n in shape
    ):
        raise ValueError("an array needs a shape of non-negative integers")
    values = [decode(v, keras_loader, depth + 1) for v in data.get("v", [])]
    if len(values) != math.prod(shape):
        raise ValueError("an array's values do not fill its shape")
    return np.array(values, dtype=dtype).reshape(shape)


class _Shown(reprlib.Repr):
    def repr_ellipsis(self, value, level) -> str:  # the stub's answer, as typed
        return "..."


_SHOWN = _Shown()
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxset = _SHOWN.maxfrozenset = 20
_SHOWN.maxdict, _SHOWN.maxstring, _SHOWN.maxlong = 10, MAX_SHOWN, MAX_SHOWN
_SHOWN.maxother, _SHOWN.maxlevel = MAX_SHOWN, 4


def short_text(data: dict | None) -> str:
    """An answer as grades.csv quotes it: the Python literal of its value (a
    model as its kind and layer count, code as its first line), on one line,
    cut to :data:`MAX_SHOWN` characters with "..."; "" for no answer."""
    if not isinstance(data, dict):
        return ""
    kind = data.get("t")
    if kind == "code":
        text = str(data.get("line", ""))
    elif kind == "keras":
        text = _model_text(data.get("v"))
    else:
        try:
            text = _SHOWN.repr(decode(data))
        except (ValueError, TypeError, OverflowError):
            text = ""
    return one_line(text)


def one_line(text: str) -> str:
    """``text`` on one line (runs of whitespace as one space), cut to
    :data:`MAX_SHOWN` characters with "...": how grades.csv shows an answer."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _model_text(config: object) -> str:
    try:
        model = json.loads(str(config))
        layers = model["config"]["layers"]
        return f"<a Keras {model['class_name']} model of {len(layers)} layers>"
    except (ValueError, KeyError, TypeError):
        return "<a Keras model>"
