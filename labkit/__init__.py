"""labkit: notebook-first Bayesian marketing measurement.

Public API
----------
load_dataset
    Read a simulated data set and its truth from ``data/``.
sampling
    Fast mode (``LABKIT_FAST=1``) and sampler settings for every fit in the book.
simulate
    Seeded data-generating processes with known ground truth.
"""

from importlib.metadata import PackageNotFoundError, version

from labkit import sampling, simulate
from labkit.data import load_dataset
from labkit.sampling import is_fast, mode_banner

try:
    __version__ = version("labkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "is_fast", "load_dataset", "mode_banner", "sampling", "simulate"]
