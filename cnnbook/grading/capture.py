"""What the grader runs in a student's kernel: an answer's value, as data.

At each check the grader asks the kernel for one user expression,
``__import__("cnnbook.grading.capture", fromlist=["read"]).read("answer")``,
whose value is a string: the JSON of the answer's value, tagged by type
(:func:`encode`). The same module runs in the code host
(:mod:`cnnbook.grading.host`, to send back what a student's function returned)
and in the judge and the grader, which decode it
(:func:`cnnbook.grading.answers.decode`).

What is data: ``None``, ``...``, booleans, integers, floats, strings, lists,
tuples, sets, dicts, NumPy numbers and arrays (subclasses are converted to the
base type, so an ``int`` whose ``__eq__`` always says yes arrives as a plain
``int``), and a Keras model built with ``keras.Sequential`` or the functional
API, as its architecture (Keras' JSON config). Anything else (a function, a
class, a subclassed model) is ``opaque``, with its kind: the grader carries a
function or a class out of the kernel as its source
(:mod:`cnnbook.grading.carry`), never as a verdict.

A student can patch anything in their kernel, this module included: what the
kernel returns is only ever read as an answer, so forging it gains nothing
that typing the right value would not.
"""

from __future__ import annotations

import json
import numbers
import sys

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "encode",
    "opaque",
    "read",
    "read_names",
]

MAX_ANSWER_BYTES = 2_000_000
"""The longest JSON an answer may take (a larger one is "too large to grade")."""
MAX_ITEMS = 200_000
"""The most values (numbers, strings, items of containers) one answer may hold."""
MAX_DEPTH = 50
"""The deepest nesting of containers in an answer (a list in a list ...)."""


def encode(value: object, budget: list[int] | None = None, depth: int = 0) -> dict:
    """The tagged JSON of ``value``; TypeError for what is not data (see the
    module docstring), OverflowError for an answer over MAX_ITEMS values or
    MAX_DEPTH levels."""
    if budget is None:
        budget = [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise OverflowError("the answer is too large to grade")
    np = sys.modules.get("numpy")
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if np is not None and isinstance(value, np.ndarray):
        return _array(value, budget, depth)
    if np is not None and isinstance(value, np.generic):
        if value.dtype.kind not in "iuf":
            raise TypeError("a NumPy number")
        item = encode(value.item(), budget, depth + 1)
        return {"t": "npscalar", "dtype": value.dtype.str, "v": item}
    if isinstance(value, numbers.Integral):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, numbers.Real):
        return {"t": "float", "v": float(value).hex()}
    if isinstance(value, str):
        return {"t": "str", "v": str.__str__(value)}
    for kind in (list, tuple, set, frozenset):
        if isinstance(value, kind):
            items = list(value) if kind in (list, tuple) else sorted(value, key=repr)
            encoded = [encode(v, budget, depth + 1) for v in items]
            return {"t": kind.__name__, "v": encoded}
    if isinstance(value, dict):
        pairs = [
            [encode(k, budget, depth + 1), encode(v, budget, depth + 1)]
            for k, v in dict.items(value)
        ]
        return {"t": "dict", "v": pairs}
    model = _keras_model(value)
    if model is not None:
        return model
    raise TypeError(type(value).__qualname__)


def _array(value, budget: list[int], depth: int) -> dict:
    if value.dtype.kind not in "biuf" or value.size > budget[0]:
        raise TypeError(f"an array of numbers of at most {MAX_ITEMS} values")
    budget[0] -= value.size
    flat = [encode(v.item(), budget, depth + 1) for v in value.ravel()]
    shape = list(value.shape)
    return {"t": "ndarray", "dtype": value.dtype.str, "shape": shape, "v": flat}


def _keras_model(value) -> dict | None:
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(value, keras.Model):
        return None
    kind = type(value)
    if kind.__module__.startswith("keras.") and kind.__name__ in (
        "Sequential",
        "Functional",
    ):
        return {"t": "keras", "v": value.to_json()}  # rebuilt by the judge
    return None


def opaque(value: object, err: BaseException) -> dict:
    """What the grader learns of a value that is not data: its kind
    ("function", "class" or "object") and why it could not be encoded."""
    import inspect

    if inspect.isfunction(value) or inspect.isbuiltin(value):
        kind = "function"
    elif isinstance(value, type):
        kind = "class"
    else:
        kind = "object"
    return {"t": "opaque", "kind": kind, "v": f"{type(err).__name__}: {err}"[:300]}


def _text(data: dict) -> str:
    text = json.dumps(data)
    if len(text) > MAX_ANSWER_BYTES:
        return json.dumps({"t": "error", "v": "the answer is too large to grade"})
    return text


def _value(expression: str, namespace: dict) -> dict:
    try:
        value = eval(expression, namespace)
    except NameError as err:
        return {"t": "missing", "v": str(err)[:200]}
    except BaseException as err:  # the student's code: whatever it raises
        return {"t": "error", "v": f"{type(err).__name__}: {err}"[:300]}
    try:
        return encode(value)
    except BaseException as err:  # a student's object may raise anything
        return opaque(value, err)


def _user_namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def read(expression: str, namespace: dict | None = None) -> str:
    """The JSON of the value of ``expression`` in the kernel's namespace:
    data (see :func:`encode`), or ``{"t": "missing"}`` (a NameError),
    ``{"t": "error"}`` (it raised) or ``{"t": "opaque"}``."""
    namespace = _user_namespace() if namespace is None else namespace
    return _text(_value(expression, namespace))


def read_names(names: list[str], namespace: dict | None = None) -> str:
    """The JSON of ``{name: what read(name) gives}``: the globals a student's
    function needs, carried out of the kernel with it."""
    namespace = _user_namespace() if namespace is None else namespace
    return _text({name: _value(name, namespace) for name in names})
