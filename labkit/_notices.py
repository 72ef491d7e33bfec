"""Third-party notices that say nothing about a reader's results, silenced where they are raised.

Each notice is silenced only while the code that raises it runs, by its exact
text, so the process's warning filters stay the user's:

- PyTensor installed from PyPI finds no BLAS to link its C code against and says
  so the first time its BLAS flags are read (the hook reads them while PyTensor is
  imported). labkit's models are small; its samplers (nutpie, numba)
  and CI's fast-mode runs work without it, only some C ops are slower.
- pymc-marketing imports PyTensor's experimental xtensor module, which announces
  itself when imported.
- ArviZ announces its coming refactor once a day when imported (labkit pins ArviZ 0.23).
- PreliZ evaluates densities with PyTensor's numba backend, which notes once that it
  runs one op (XlogY0) in Python object mode: slower, same numbers
  (:func:`third_party_notices` around labkit's PreliZ calls).

:func:`install` adds an import hook that runs the imports of ``pytensor``,
``pytensor.xtensor`` and ``arviz`` inside :func:`third_party_notices`; filters
those libraries add while they are imported are kept.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

__all__ = ["NOTICES", "install", "third_party_notices"]

NOTICES: tuple[tuple[str, type[Warning]], ...] = (
    ("PyTensor could not link to a BLAS", UserWarning),
    ("xtensor module is experimental", UserWarning),
    (r"\s*ArviZ is undergoing", FutureWarning),
    ("Numba will use object mode", UserWarning),
)
"""``(message regex, category)`` of each notice."""

_NOISY_IMPORTS = frozenset({"pytensor", "pytensor.xtensor", "arviz"})


@contextmanager
def third_party_notices() -> Iterator[None]:
    """Silence :data:`NOTICES` inside the block; filters added inside it are kept after it."""
    before = list(warnings.filters)
    with warnings.catch_warnings():
        for message, category in NOTICES:
            warnings.filterwarnings("ignore", message=message, category=category)
        mine = list(warnings.filters)
        try:
            yield
        finally:
            added = [f for f in warnings.filters if f not in mine and f not in before]
    if added:  # e.g. PyTensor registers its own filters when it is imported
        filters: list[Any] = warnings.filters  # type: ignore[assignment]  # a list at run time
        filters[:0] = added
        warnings._filters_mutated()  # type: ignore[attr-defined]  # what filterwarnings calls


def _quiet(exec_module: Callable[[ModuleType], None]) -> Callable[[ModuleType], None]:
    def exec_quietly(module: ModuleType) -> None:
        with third_party_notices():
            exec_module(module)
            if module.__name__ == "pytensor":
                # PyTensor looks for BLAS the first time its flags are read (at the first C
                # compile), not on import: read them here, inside the scope
                _ = module.config.blas__ldflags

    return exec_quietly


class _QuietImports(importlib.abc.MetaPathFinder):
    """Find the noisy modules with the other finders, and load them quietly."""

    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _NOISY_IMPORTS or fullname in self._busy:
            return None
        self._busy.add(fullname)  # another finder may look the name up again through us
        try:
            return self._find(fullname, path, target)
        finally:
            self._busy.discard(fullname)

    def _find(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None
    ) -> importlib.machinery.ModuleSpec | None:
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                # the module's own loader (it also serves the package's resources),
                # running the module's code inside the scope
                loader: Any = spec.loader
                loader.exec_module = _quiet(loader.exec_module)
                return spec
        return None


def install() -> None:
    """Add the import hook (once); if PyTensor came first, read its BLAS flags quietly now."""
    if not any(isinstance(f, _QuietImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietImports())
    pytensor = sys.modules.get("pytensor")
    if pytensor is not None:  # imported before labkit (e.g. through pymc-marketing)
        with third_party_notices():
            _ = pytensor.config.blas__ldflags
