"""Building blocks shared by the seeded simulators.

Every simulator returns a :class:`SimulatedDataset`: the observations and the
truth that generated them. The helpers here draw the random inputs the
simulators have in common (mean-and-sd Gamma spend, moving-average smoothing,
series with an exact correlation) and check their arguments. The simulators
themselves live one per data set: :mod:`labkit.data.geo_panel`,
:mod:`labkit.data.confounded` and :mod:`labkit.data.two_countries`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number

__all__ = ["SimulatedDataset", "correlated_series"]


@dataclass
class SimulatedDataset:
    """A simulated data set and the truth behind it.

    Attributes
    ----------
    name : str
        Registry name (``geo_panel``, ``confounded``, ``two_countries``).
    data : pandas.DataFrame
        The observations, one row per date (and geo for panels).
    truth : dict
        True parameters and design facts, JSON-serialisable.
    """

    name: str
    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"SimulatedDataset(name={self.name!r}, rows={len(self.data)}, "
            f"columns={list(self.data.columns)}, truth keys={sorted(self.truth)})"
        )


def positive_int(name: str, value: Any, minimum: int = 1) -> int:
    return check_int(name, value, minimum=minimum)


def check_seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise TypeError(f"seed must be a non-negative int, got {value!r}")
    return int(value)


def in_range(name: str, value: float, low: float, high: float, *, closed: bool = True) -> float:
    return check_number(name, value, low=low, high=high, low_open=not closed, high_open=not closed)


def correlated_series(base: np.ndarray, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Return a standardised series whose sample correlation with ``base`` is exact.

    The new series is ``r * z(base) + sqrt(1 - r**2) * e``, where ``e`` is Gaussian
    noise made exactly orthogonal to ``base`` and standardised, so the Pearson
    correlation of the result with ``base`` equals ``correlation`` up to rounding.

    Parameters
    ----------
    base : numpy.ndarray
        One-dimensional series with at least 3 points and non-zero variance.
    correlation : float
        Target Pearson correlation, in ``[-1, 1]``.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    numpy.ndarray
        Zero-mean, unit-variance series of the same length as ``base``.

    Raises
    ------
    ValueError
        If ``correlation`` is outside ``[-1, 1]`` or ``base`` is constant or too short.
    """
    r = in_range("correlation", correlation, -1.0, 1.0)
    base = np.asarray(base, dtype=float)
    if base.ndim != 1 or base.size < 3:
        raise ValueError(f"base must be a 1-D series of at least 3 points, got shape {base.shape}")
    sd = base.std()
    if not np.isfinite(sd) or sd == 0:
        raise ValueError("base must have finite, non-zero variance")
    zb = (base - base.mean()) / sd
    noise = rng.normal(size=base.size)
    noise -= noise.mean()
    noise -= (noise @ zb) / (zb @ zb) * zb
    noise /= noise.std()
    return r * zb + np.sqrt(1.0 - r**2) * noise


def gamma_draws(rng: np.random.Generator, mu: float, sigma: float, size: int) -> np.ndarray:
    """Gamma draws parameterised by mean and standard deviation (as PreliZ does)."""
    shape = (mu / sigma) ** 2
    return rng.gamma(shape, sigma**2 / mu, size=size)


def smooth(x: np.ndarray, window: int) -> np.ndarray:
    """Smooth with a moving average; the edges take the neighbouring window's mean."""
    out = np.convolve(x, np.ones(window) / window, mode="same")
    out[:window] = out[window : 2 * window].mean()
    out[-window:] = out[-2 * window : -window].mean()
    return out
