"""A code answer (a function, a class) carried out of the student's kernel as source.

A student's ``def my_lrn(...)`` cannot be copied out of their kernel as data,
and judging it in that kernel lets the student forge the verdict (patch
``json``, the checks, NumPy ...). So the grader takes the function from the
cells it ran (it knows every one), never from the kernel:

* the answer's name must be bound, at the top level of a cell run before the
  check, by a ``def``, a ``class`` or an ``import``; the last such binding is
  the one carried;
* every global name its code uses (found with :mod:`symtable`, decorators,
  defaults and base classes included) is carried the same way: a function or
  class defined in a cell as its source, an imported name as its import, a
  builtin not at all, and anything else as *data* read from the kernel
  (:func:`cnnbook.grading.capture.read_names`): a constant, a list, an
  array.

What cannot be carried (a function nested in another or made by a call, a
global that is an object rather than data) is :class:`CannotCarry`: the
question gets 0 and feedback that says why. What is carried runs in a host of
its own (:mod:`cnnbook.grading.host`), in the sandbox, called by the judge.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field

__all__ = ["CannotCarry", "Carried", "carry", "needed_data"]

MAX_SOURCE = 200_000
"""The most characters of source one answer may carry."""


class CannotCarry(ValueError):
    """Why an answer's code cannot leave the kernel (a sentence for the student)."""


@dataclass(frozen=True)
class Carried:
    """The code of one answer: run ``source`` (imports, then the functions and
    classes in the order they were defined) after binding ``data``'s names."""

    name: str
    source: str
    line: str  # the answer's first line: "def my_lrn(x, k, n, alpha, beta):"
    data_names: tuple[str, ...] = ()
    data: dict = field(default_factory=dict)  # name -> encoded value

    def request(self) -> dict:
        """What the host reads (:mod:`cnnbook.grading.host`)."""
        return {"name": self.name, "source": self.source, "data": self.data}

    def answer(self) -> dict:
        """The item the grader keeps for the judge: code, with its first line."""
        return {"t": "code", "name": self.name, "line": self.line, **self.request()}


@dataclass(frozen=True)
class _Binding:
    kind: str  # "def", "import", "star" or "data"
    node: ast.stmt | None
    position: tuple[int, int]


def _python(code: str) -> ast.Module | None:
    """A cell's code as Python (IPython's magics turned into calls), or None."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(code))
    except (SyntaxError, ValueError):
        return None  # it did not run in the kernel either


def _stored(node: ast.AST) -> set[str]:
    """Names a statement binds in the scope it runs in (not in nested ones)."""
    names, todo = set(), [node]
    while todo:
        current = todo.pop()
        stored = isinstance(getattr(current, "ctx", None), (ast.Store, ast.Del))
        if isinstance(current, ast.Name) and stored:
            names.add(current.id)
        elif isinstance(current, ast.ExceptHandler) and current.name:
            names.add(current.name)
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(current.name)
            continue
        if isinstance(current, ast.Lambda):
            continue
        todo.extend(ast.iter_child_nodes(current))
    return names


def _bindings(cells: list[str]) -> dict[str, _Binding]:
    """The last top-level binding of each name in ``cells`` (in order)."""
    found: dict[str, _Binding] = {}
    for index, code in enumerate(cells):
        tree = _python(code)
        if tree is None:
            continue
        for number, statement in enumerate(tree.body):
            _bind(statement, (index, number), found)
    return found


def _bind(statement: ast.stmt, position, found: dict[str, _Binding]) -> None:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        found[statement.name] = _Binding("def", statement, position)
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        for alias in statement.names:
            if alias.name == "*":
                found[f"*{position}"] = _Binding("star", statement, position)
                continue
            single = (
                ast.Import(names=[alias])
                if isinstance(statement, ast.Import)
                else ast.ImportFrom(statement.module, [alias], statement.level)
            )
            bound = alias.asname or alias.name.split(".")[0]
            found[bound] = _Binding("import", single, position)
    else:
        for name in _stored(statement):
            found[name] = _Binding("data", None, position)


def _globals_used(source: str) -> set[str]:
    """Global names ``source`` (one top-level def or class) reads when it is
    defined and when it runs."""
    names, tables = set(), [symtable.symtable(source, "<answer>", "exec")]
    while tables:
        table = tables.pop()
        for symbol in table.get_symbols():
            if table.get_type() == "module":
                if symbol.is_referenced():
                    names.add(symbol.get_name())
            elif symbol.is_global():
                names.add(symbol.get_name())
        tables.extend(table.get_children())
    return names


def _first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if not line.startswith("@")]
    return lines[0] if lines else ""


def carry(name: str, cells: list[str]) -> Carried:
    """The code of the answer ``name``, from ``cells`` (every cell the grader
    ran before the check, in order); raises :class:`CannotCarry`."""
    bindings = _bindings(cells)
    binding = bindings.get(name)
    if binding is None or binding.kind not in ("def", "import"):
        raise CannotCarry(
            f"`{name}` is not defined by a `def` or `class` statement at the top "
            "level of a cell, so the grader cannot take it out of your kernel "
            "(a function made inside another function, by a call or with lambda "
            "cannot be carried); define it with `def` in a cell of its own"
        )
    stars = sorted(b.position for b in bindings.values() if b.kind == "star")
    carried: dict[str, _Binding] = {}
    data: set[str] = set()
    unresolved = False
    todo = [name]
    while todo:
        current = todo.pop()
        if current in carried or current in data:
            continue
        binding = bindings.get(current)
        if binding is None and hasattr(builtins, current):
            continue
        if binding is None and stars:
            unresolved = True  # perhaps from a star import: carried with them
            continue
        if binding is None or binding.kind == "data":
            data.add(current)
            continue
        carried[current] = binding
        if binding.kind == "def":
            todo.extend(_globals_used(ast.unparse(binding.node)) - {current})
    statements = sorted(
        {id(b.node): b for b in carried.values()}.values(), key=lambda b: b.position
    )
    imports = [b for b in statements if b.kind == "import"]
    if unresolved:
        imports += [b for b in bindings.values() if b.kind == "star"]
    defs = [b for b in statements if b.kind == "def"]
    source = "\n\n".join(ast.unparse(b.node) for b in [*imports, *defs]) + "\n"
    if len(source) > MAX_SOURCE:
        raise CannotCarry(
            f"`{name}` and the code it uses are longer than {MAX_SOURCE:,} characters"
        )
    answer = carried[name]
    line = _first_line(ast.unparse(answer.node))
    return Carried(name, source, line, tuple(sorted(data)))


def needed_data(carried: Carried, values: dict) -> Carried:
    """``carried`` with the data it needs, from ``values`` (what
    :func:`cnnbook.grading.capture.read_names` read in the kernel, decoded as
    JSON); raises :class:`CannotCarry` for a name that is not data. A name
    the kernel does not have is left out: the function raises NameError when
    it uses it, as it would in the kernel."""
    data = {}
    for name in carried.data_names:
        value = values.get(name)
        kind = value.get("t") if isinstance(value, dict) else None
        if kind == "missing":
            continue
        if kind in (None, "opaque", "error"):
            what = value.get("kind") if isinstance(value, dict) else None
            what = {"function": "a function", "class": "a class"}.get(what, "an object")
            raise CannotCarry(
                f"`{carried.name}` uses the global `{name}`, which is not data ("
                f"{what}): the grader copies numbers, text, lists, dicts and arrays "
                "out of your kernel, nothing else; define it with `def`, `class` or "
                "`import`, or pass it as an argument"
            )
        data[name] = value
    return Carried(carried.name, carried.source, carried.line, carried.data_names, data)
