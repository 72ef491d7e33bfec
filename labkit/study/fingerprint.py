"""What a study's results depend on, hashed, so that a committed study cannot go stale unnoticed.

A study's rows are only as current as the labkit code that produced them. The
fingerprint of a study is a hash per labkit module it can run (its own module and
every labkit module reachable from it through imports, including the imports
inside functions) plus a hash of its parameters (name, sampling, fidelity and
seeds). A module's hash is taken over its syntax tree without what only documents or
types the code (docstrings, comments, annotations, ``typing`` imports and
``cast``, ``@overload`` signatures, ``if TYPE_CHECKING:`` blocks and ``assert x
is not None`` narrowing), so that documentation, formatting and typing do not
make a study stale while any change to what the code does does.

:func:`study_fingerprint` computes it; :func:`stale_modules` compares it with the
one recorded in a study's JSON.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

__all__ = ["Fingerprint", "labkit_imports", "module_hash", "stale_modules", "study_fingerprint"]

_ROOT = "labkit"

_NOT_RESULTS = frozenset({"labkit._notices"})
"""Modules that cannot change a study's rows (they only silence third-party notices)."""


class Fingerprint(TypedDict):
    """A study's fingerprint: a hash of its parameters and one per labkit module."""

    parameters: str
    modules: dict[str, str]


def _source_path(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class _Normalise(ast.NodeTransformer):
    """Drop docstrings and annotations: what remains is what the code does."""

    def _strip_docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]  # any node with a body

    def visit_Module(self, node: ast.Module) -> ast.AST:
        self._strip_docstring(node)
        return self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self._strip_docstring(node)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST | None:
        if any(
            (isinstance(d, ast.Name) and d.id == "overload")
            or (isinstance(d, ast.Attribute) and d.attr == "overload")
            for d in node.decorator_list
        ):
            return None  # a signature for the type checker; the implementation follows
        self._strip_docstring(node)
        node.returns = None
        return self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self._strip_docstring(node)
        node.returns = None
        return self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.annotation = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None and node.simple:  # ``x: T = v`` runs as ``x = v``
            return self.generic_visit(ast.Assign(targets=[node.target], value=node.value))
        # a bare dataclass field needs an annotation, not its type
        node.annotation = ast.Constant(None)
        return self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> ast.AST | None:
        # ``assert x is not None`` narrows a type for the checker
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.IsNot)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        ):
            return None
        return self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST | None:
        return None if node.module == "typing" else node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # ``cast(T, value)`` is ``value`` at run time
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "cast" and len(node.args) == 2 and not node.keywords:
            return self.visit(node.args[1])
        return self.generic_visit(node)

    def visit_If(self, node: ast.If) -> ast.AST | None:
        # ``if TYPE_CHECKING:`` blocks import for the type checker only
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            return None
        return self.generic_visit(node)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_hash(module: str) -> str:
    """Hash a labkit module's code without its docstrings and annotations.

    Parameters
    ----------
    module : str
        A dotted module name, e.g. ``"labkit.design.grid"``.

    Returns
    -------
    str
        The first 16 hex digits of a SHA-256.
    """
    path = _source_path(module)
    if path is None:
        raise ValueError(f"module must be a labkit module with Python source, got {module!r}")
    tree = _Normalise().visit(_tree(path))
    dump = ast.dump(tree, annotate_fields=False, include_attributes=False)
    return hashlib.sha256(dump.encode()).hexdigest()[:16]


def _imports(module: str) -> set[str]:
    """Labkit modules a module imports anywhere in its body (type-checking imports excluded)."""
    path = _source_path(module)
    if path is None:
        return set()
    tree = _Normalise().visit(_tree(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            names = [stem] + [f"{stem}.{a.name}" for a in node.names]
        # a package's __init__ that runs only as the parent of what is imported is not
        # followed: labkit.study's registry would tie every study to every other
        found.update(n for n in names if n.split(".")[0] == _ROOT and _is_module(n))
    return found


def labkit_imports(module: str) -> list[str]:
    """Every labkit module reachable from ``module`` through its imports, sorted.

    Parameters
    ----------
    module : str
        A dotted labkit module name.

    Returns
    -------
    list of str
        ``module`` and everything it (transitively) imports from labkit, but the
        modules that cannot change its rows (``labkit._notices``).
    """
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_imports(name) - seen)
    return sorted(seen - _NOT_RESULTS)


def study_fingerprint(module: str, parameters: Mapping[str, object]) -> Fingerprint:
    """Fingerprint a study: its parameters and every labkit module it can run.

    Parameters
    ----------
    module : str
        The module holding the study's function.
    parameters : mapping
        JSON-serialisable settings that change its rows (name, sampling, seeds ...).

    Returns
    -------
    Fingerprint
        ``{"parameters": <hash>, "modules": {name: hash}}``.
    """
    text = json.dumps(dict(parameters), sort_keys=True, default=str)
    return {
        "parameters": hashlib.sha256(text.encode()).hexdigest()[:16],
        "modules": {m: module_hash(m) for m in labkit_imports(module)},
    }


def stale_modules(recorded: Mapping[str, Any], current: Fingerprint) -> list[str]:
    """Return what changed between a recorded fingerprint and the current one.

    Parameters
    ----------
    recorded, current : mapping
        Fingerprints as :func:`study_fingerprint` returns them.

    Returns
    -------
    list of str
        Changed, added or removed module names, and ``"parameters"`` if those
        changed; empty when the study is current.
    """
    out = []
    if recorded.get("parameters") != current.get("parameters"):
        out.append("parameters")
    old = {m: h for m, h in dict(recorded.get("modules") or {}).items() if m not in _NOT_RESULTS}
    new = {m: h for m, h in current["modules"].items() if m not in _NOT_RESULTS}
    out += sorted(m for m in old.keys() | new.keys() if old.get(m) != new.get(m))
    return out
