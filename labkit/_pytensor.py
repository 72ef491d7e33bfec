"""PyTensor's named-dimension tensors (``pytensor.xtensor``), imported quietly.

pymc-marketing 0.19.2 writes its adstock and saturation functions on
``pytensor.xtensor`` variables; importing that module warns that it is
experimental. :func:`xtensor` scopes the silencing of that one notice to the
block that builds a graph, and hands out a converter to named dims.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytensor.xtensor.type import XTensorVariable

__all__ = ["xtensor"]


@contextmanager
def xtensor() -> Iterator[Callable[[Any, tuple[str, ...] | None], XTensorVariable]]:
    """Yield ``as_x(tensor, dims)``: a tensor with named dims (``dims=None``: already named).

    Raises
    ------
    NotImplementedError
        From ``as_x(value, None)`` when ``value`` has no named dims: a component
        whose function does not return an xtensor cannot be evaluated by labkit.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="xtensor module is experimental")
        from pytensor.xtensor import as_xtensor
        from pytensor.xtensor.type import XTensorVariable

        def as_x(value: Any, dims: tuple[str, ...] | None) -> XTensorVariable:
            if dims is not None:
                return as_xtensor(value, dims=dims)
            if not isinstance(value, XTensorVariable):
                raise NotImplementedError(
                    "a pymc-marketing component returned a tensor without named dims "
                    f"({type(value).__name__}); labkit evaluates components written on "
                    "pytensor.xtensor, as pymc-marketing >= 0.19 writes them"
                )
            return value

        yield as_x
