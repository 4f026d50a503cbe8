"""A student's answer, carried out of the kernel as data the grader can judge.

The grader never trusts what the student's kernel says about an answer's
correctness; it asks the kernel for the answer's *value* and judges it itself.
:func:`capture_code` is the code the grader runs in the kernel at each check:
it evaluates the answer expression and encodes the value as tagged JSON:

* plain data: ``None``, ``...``, booleans, integers, floats, strings, lists,
  tuples, sets, dicts and NumPy numbers and arrays (subclasses are converted
  to the base type, so an ``int`` whose ``__eq__`` always says yes arrives as
  a plain ``int``);
* a Keras model built with ``keras.Sequential`` or the functional API: its
  architecture as Keras' JSON config, rebuilt by the grader (weights do not
  matter to any check);
* anything else (a function, a subclassed model) is ``opaque``: only the
  kernel can run it, so the source's check is run there (see
  :func:`kernel_check_code`) and the verdict is marked as judged in the kernel.

Whatever the kernel sends back is only ever the student's answer: forging it
gains nothing that typing the right value would not.
"""

from __future__ import annotations

import ast
import json
import math

__all__ = [
    "MAX_ANSWER_BYTES",
    "capture_code",
    "decode",
    "encode",
    "kernel_check_code",
    "read_reply",
]

MAX_ANSWER_BYTES = 2_000_000
MAX_ITEMS = 200_000
KERNEL_FUNCTION = "__cnnbook_grader__"

# The encoder runs in the student's kernel, so it is sent as source code; it is
# also exec'd here (ENCODER_NAMESPACE) so that the tests and the judge share it.
ENCODER = r"""
def __cnnbook_encode__(value, budget=None, depth=0):
    import math, numbers, sys
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > 50:
        raise OverflowError("the answer is too large to grade")
    np = sys.modules.get("numpy")
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if np is not None and isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.size > budget[0]:
            raise TypeError("an array of numbers of at most MAX_ITEMS values")
        budget[0] -= value.size
        flat = [__cnnbook_encode__(v.item(), budget, depth + 1) for v in value.ravel()]
        return {"t": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                "v": flat}
    if np is not None and isinstance(value, np.generic):
        if value.dtype.kind not in "iuf":
            raise TypeError("a NumPy number")
        return {"t": "npscalar", "dtype": value.dtype.str,
                "v": __cnnbook_encode__(value.item(), budget, depth + 1)}
    if isinstance(value, numbers.Integral):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, numbers.Real):
        return {"t": "float", "v": float(value).hex()}
    if isinstance(value, str):
        return {"t": "str", "v": str.__str__(value)}
    for kind in (list, tuple, set, frozenset):
        if isinstance(value, kind):
            items = list(value) if kind in (list, tuple) else sorted(value, key=repr)
            return {"t": kind.__name__,
                    "v": [__cnnbook_encode__(v, budget, depth + 1) for v in items]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[__cnnbook_encode__(k, budget, depth + 1),
                                    __cnnbook_encode__(v, budget, depth + 1)]
                                   for k, v in dict.items(value)]}
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(value, keras.Model):
        kind = type(value)
        if kind.__module__.startswith("keras.") and kind.__name__ in (
            "Sequential", "Functional"
        ):
            text = value.to_json()
            keras.models.model_from_json(text)  # what the grader will do
            return {"t": "keras", "v": text}
    raise TypeError(type(value).__qualname__)
""".replace("MAX_ITEMS", str(MAX_ITEMS))

IMPORTER = r'''
def __cnnbook_import__(dotted):
    """The object a dotted name denotes, importing its longest module prefix;
    None when nothing of it can be imported or an attribute is missing."""
    import importlib
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
'''

ENCODER_NAMESPACE: dict = {}
exec(ENCODER + IMPORTER, ENCODER_NAMESPACE)
import_dotted = ENCODER_NAMESPACE["__cnnbook_import__"]
"""``import_dotted("cnnbook.checks.ch03.segments")``: the object, or None. The
same code runs in the kernel (:func:`kernel_check_code`)."""


def encode(value: object) -> dict:
    """The tagged JSON of ``value`` (raises TypeError for opaque values)."""
    return ENCODER_NAMESPACE["__cnnbook_encode__"](value)


def capture_code(answer: str) -> tuple[str, str]:
    """(code, expression): run ``code`` in the kernel, then evaluate
    ``expression`` as a user expression: its text is a Python string literal
    of the JSON describing the answer."""
    code = ENCODER + _CAPTURE.replace("ANSWER", repr(answer)).replace(
        "LIMIT", str(MAX_ANSWER_BYTES)
    )
    return code, f"{KERNEL_FUNCTION}()"


_CAPTURE = r"""
def __cnnbook_grader__():
    import json
    try:
        value = eval(ANSWER, get_ipython().user_ns)
    except NameError as err:
        return json.dumps({"t": "missing", "v": str(err)[:200]})
    except BaseException as err:
        return json.dumps({"t": "error", "v": f"{type(err).__name__}: {err}"[:300]})
    try:
        text = json.dumps(__cnnbook_encode__(value))
    except BaseException as err:
        return json.dumps({"t": "opaque", "v": f"{type(err).__name__}: {err}"[:300]})
    if len(text) > LIMIT:
        return json.dumps({"t": "error", "v": "the answer is too large to grade"})
    return text
"""

_KERNEL_CHECK = r"""
def __cnnbook_grader__():
    import importlib, json, sys
    saved = {name: module for name, module in sys.modules.items()
             if name == "cnnbook.checks" or name.startswith("cnnbook.checks.")}
    for name in saved:
        del sys.modules[name]
    try:
        namespace = dict(get_ipython().user_ns)
        for name, dotted in BINDINGS.items():
            namespace[name] = __cnnbook_import__(dotted)
        feedback_type = importlib.import_module("cnnbook.checks.feedback").Feedback
        result = eval(CALL, namespace)
        if type(result) is not feedback_type:
            return json.dumps({"status": "incorrect",
                               "message": "Not quite: the check did not run."})
        return json.dumps({"status": str(result.status),
                           "message": str(result.message)})
    except BaseException as err:
        return json.dumps({"status": "incorrect", "message":
                           f"Not quite: the check raised {type(err).__name__}."})
    finally:
        sys.modules.update(saved)
"""


def kernel_check_code(call: str, bindings: dict[str, str]) -> tuple[str, str]:
    """(code, expression) that run the source's check ``call`` in the kernel,
    with :mod:`cnnbook.checks` imported afresh (a monkeypatched copy of the
    student's is set aside); the expression's text is the verdict as JSON."""
    code = IMPORTER + _KERNEL_CHECK.replace("BINDINGS", repr(dict(bindings))).replace(
        "CALL", repr(call)
    )
    return code, f"{KERNEL_FUNCTION}()"


def read_reply(reply: dict | None, expression_key: str = "answer") -> dict | None:
    """The JSON object a user expression returned, or None if unreadable."""
    try:
        entry = reply["content"]["user_expressions"][expression_key]
        if entry.get("status") != "ok":
            return None
        text = ast.literal_eval(entry["data"]["text/plain"])
        data = json.loads(text)
    except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def decode(data: object, keras_loader=None):
    """The value that :func:`encode` described. Raises ValueError on anything
    that is not such a description. ``keras_loader(json_text)`` rebuilds a
    Keras model (the judge passes one; without it models are refused)."""
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ValueError(f"not an encoded answer: {str(data)[:80]}")
    kind, value = data["t"], data.get("v")
    simple = {"none": None, "ellipsis": ...}
    if kind in simple:
        return simple[kind]
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, str):
        if len(value) > 4000:
            raise ValueError("integer too long")
        return int(value)
    if kind == "float" and isinstance(value, str):
        return float.fromhex(value)
    if kind == "str" and isinstance(value, str):
        return value
    containers = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
    if kind in containers and isinstance(value, list):
        return containers[kind](decode(v, keras_loader) for v in value)
    if kind == "dict" and isinstance(value, list):
        return {
            decode(k, keras_loader): decode(v, keras_loader)
            for k, v in (_pair(item) for item in value)
        }
    if kind in ("ndarray", "npscalar"):
        return _decode_numpy(data, keras_loader)
    if kind == "keras" and isinstance(value, str):
        if keras_loader is None:
            raise ValueError("a Keras model cannot be rebuilt here")
        return keras_loader(value)
    raise ValueError(f"not an encoded answer: kind {kind!r}")


def _pair(item) -> tuple:
    if not isinstance(item, list) or len(item) != 2:
        raise ValueError("a dict item must be a [key, value] pair")
    return item[0], item[1]


def _decode_numpy(data: dict, keras_loader):
    import numpy as np

    dtype = np.dtype(str(data.get("dtype")))
    if dtype.kind not in "biuf":
        raise ValueError(f"dtype {dtype} is not numeric")
    if data["t"] == "npscalar":
        return dtype.type(decode(data.get("v"), keras_loader))
    shape = data.get("shape")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and n >= 0 for n in shape
    ):
        raise ValueError("an array needs a shape of non-negative integers")
    values = [decode(v, keras_loader) for v in data.get("v", [])]
    if len(values) != math.prod(shape):
        raise ValueError("an array's values do not fill its shape")
    return np.array(values, dtype=dtype).reshape(shape)
