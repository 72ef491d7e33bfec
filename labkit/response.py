"""Numpy adstock and saturation math, vectorised over posterior draws.

pymc-marketing's transformations are the source of truth; the functions here
re-implement the few the book needs in plain numpy so that thousands of
posterior draws x candidate experiments evaluate in milliseconds.
``tests/test_response.py`` proves each one equals the library's own
``.function(...).eval()`` to 1e-10.

Conventions follow pymc-marketing 0.19.2:

* geometric adstock weights ``alpha**k`` for ``k = 0 .. l_max - 1``, divided by
  their sum when ``normalize=True``; the convolution only looks back;
* ``logistic``: ``beta * (1 - exp(-lam x)) / (1 + exp(-lam x))``;
* ``michaelis_menten``: ``alpha * x / (lam + x)``;
* ``hill``: ``beta * (1 - kappa**slope / (kappa**slope + x**slope))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

from labkit._validate import check_int

if TYPE_CHECKING:
    import xarray as xr
    from pymc_marketing.mmm.components.saturation import SaturationTransformation

__all__ = [
    "SATURATIONS",
    "Saturation",
    "adstock_ramp",
    "adstock_weights",
    "geometric_adstock",
    "get_saturation",
    "hill",
    "logistic",
    "michaelis_menten",
    "steady_state_multiplier",
]


def _l_max(l_max: int) -> int:
    return check_int("l_max", l_max, minimum=1, unit="weeks")


def _alpha(alpha: np.ndarray | float) -> np.ndarray:
    try:
        a = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"alpha (adstock decay) must be a number or array in [0, 1), got {alpha!r}"
        ) from err
    if not np.all(np.isfinite(a)) or np.any((a < 0) | (a >= 1)):
        shown = alpha if a.size <= 5 else f"an array with min {a.min():g}, max {a.max():g}"
        raise ValueError(f"alpha (adstock decay) must lie in [0, 1), got {shown!r}")
    return a


def adstock_weights(alpha: np.ndarray | float, l_max: int, normalize: bool) -> np.ndarray:
    """Geometric adstock weights.

    Parameters
    ----------
    alpha : float or array
        Decay rate(s) in [0, 1); any shape.
    l_max : int
        Number of lags (the current week included).
    normalize : bool
        Divide the weights by their sum.

    Returns
    -------
    numpy.ndarray
        Shape ``alpha.shape + (l_max,)``.
    """
    a = _alpha(alpha)
    w = a[..., None] ** np.arange(_l_max(l_max))
    return w / w.sum(axis=-1, keepdims=True) if normalize else w


def geometric_adstock(
    x: np.ndarray, alpha: np.ndarray | float, l_max: int, normalize: bool = True
) -> np.ndarray:
    """Geometric adstock of series along the last axis.

    Parameters
    ----------
    x : numpy.ndarray
        Spend, time on the last axis.
    alpha : float or array
        Decay, broadcastable against ``x.shape[:-1]``.
    l_max : int
        Number of lags.
    normalize : bool
        Normalise the weights to sum to one.

    Returns
    -------
    numpy.ndarray
        Adstocked spend, same shape as ``x`` broadcast with ``alpha``.
    """
    x = np.asarray(x, dtype=float)
    w = adstock_weights(alpha, l_max, normalize)
    n = x.shape[-1]
    out = np.zeros(np.broadcast_shapes(x.shape, (*w.shape[:-1], n)))
    for k in range(w.shape[-1]):
        if k >= n:
            break
        out[..., k:] += w[..., k : k + 1] * x[..., : n - k]
    return out


def steady_state_multiplier(alpha: np.ndarray | float, l_max: int, normalize: bool) -> np.ndarray:
    """Ratio of steady-state adstocked spend to constant weekly spend.

    ``sum(alpha**k, k < l_max)`` without normalisation, 1 with it.
    """
    return adstock_weights(alpha, l_max, normalize).sum(axis=-1)


def adstock_ramp(
    alpha: np.ndarray | float, l_max: int, n_weeks: int, normalize: bool = True
) -> np.ndarray:
    """Share of a sustained spend change that has reached the adstocked spend.

    A change that starts in week 0 and is held enters the adstocked spend of
    week ``t`` with weight ``sum(w_k, k <= min(t, l_max - 1))``: the partial sum
    stops growing once ``t`` reaches ``l_max - 1`` because older lags carry no
    weight. Dividing by the full sum gives the ramp fraction, which is exactly 1
    from week ``l_max - 1`` on. (The untruncated geometric series
    ``(1 - alpha**(t+1)) / (1 - alpha)`` keeps growing past ``l_max`` and
    overstates the lift of long tests.)

    Parameters
    ----------
    alpha : float or array
        Decay rate(s) in [0, 1).
    l_max : int
        Number of lags.
    n_weeks : int
        Number of weeks of the change.
    normalize : bool
        Unused for the fraction (it cancels); kept for a uniform signature.

    Returns
    -------
    numpy.ndarray
        Shape ``alpha.shape + (n_weeks,)``, values in (0, 1].
    """
    check_int("n_weeks", n_weeks, minimum=1)
    cum = np.cumsum(adstock_weights(alpha, l_max, normalize=False), axis=-1)
    cum = cum / cum[..., -1:]  # exactly 1 at the last lag: a go-dark test reaches zero spend
    idx = np.minimum(np.arange(n_weeks), cum.shape[-1] - 1)
    return cum[..., idx]


# --------------------------------------------------------------------------- saturation


@overload
def logistic(
    x: xr.DataArray, lam: xr.DataArray | np.ndarray | float, beta: xr.DataArray | np.ndarray | float
) -> xr.DataArray: ...
@overload
def logistic(
    x: np.ndarray | float, lam: np.ndarray | float, beta: np.ndarray | float
) -> np.ndarray: ...
def logistic(
    x: xr.DataArray | np.ndarray | float,
    lam: xr.DataArray | np.ndarray | float,
    beta: xr.DataArray | np.ndarray | float,
) -> xr.DataArray | np.ndarray:
    """Logistic saturation ``beta * (1 - exp(-lam x)) / (1 + exp(-lam x))``.

    Evaluated as the identical ``beta * tanh(lam x / 2)``: one transcendental call
    and no overflow for large ``lam x``.
    """
    return beta * np.tanh(0.5 * np.multiply(lam, x, dtype=float))


def michaelis_menten(
    x: np.ndarray, alpha: np.ndarray | float, lam: np.ndarray | float
) -> np.ndarray:
    """Michaelis-Menten saturation ``alpha * x / (lam + x)``."""
    x = np.asarray(x)
    return alpha * x / (lam + x)


def hill(x: np.ndarray, slope: np.ndarray, kappa: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Hill saturation ``beta * (1 - kappa**slope / (kappa**slope + x**slope))``."""
    ks = np.power(kappa, slope)
    return beta * (1 - ks / (ks + np.power(x, slope)))


@dataclass(frozen=True)
class Saturation:
    """A saturation family: its numpy function and pymc-marketing names.

    Attributes
    ----------
    name : str
        labkit's name (``logistic``, ``michaelis_menten``, ``hill``).
    function : callable
        ``function(x, **params)``.
    params : tuple of str
        Parameter names as pymc-marketing's transformation uses them.
    library_class : str
        Name of the pymc-marketing class.
    """

    name: str
    function: Callable[..., np.ndarray]
    params: tuple[str, ...]
    library_class: str

    def __call__(self, x: np.ndarray, **params: np.ndarray) -> np.ndarray:
        """Evaluate the curve."""
        return self.function(x, **params)

    def library(self) -> SaturationTransformation:
        """Return a fresh instance of the pymc-marketing transformation."""
        # imported on use: the numpy curves serve the designer without loading pymc-marketing
        from pymc_marketing.mmm import components

        return getattr(components.saturation, self.library_class)()


SATURATIONS: dict[str, Saturation] = {
    "logistic": Saturation("logistic", logistic, ("lam", "beta"), "LogisticSaturation"),
    "michaelis_menten": Saturation(
        "michaelis_menten", michaelis_menten, ("alpha", "lam"), "MichaelisMentenSaturation"
    ),
    "hill": Saturation("hill", hill, ("slope", "kappa", "beta"), "HillSaturation"),
}
_CLASS_TO_NAME = {s.library_class: s.name for s in SATURATIONS.values()}


def get_saturation(saturation: str | object) -> Saturation:
    """Look up a saturation family by name or by pymc-marketing instance.

    Parameters
    ----------
    saturation : str or pymc-marketing SaturationTransformation
        ``"logistic"``, ``"michaelis_menten"`` or ``"hill"``, or an instance of
        ``LogisticSaturation``, ``MichaelisMentenSaturation`` or ``HillSaturation``.

    Returns
    -------
    Saturation

    Raises
    ------
    ValueError
        For an unknown name or class; the message lists the supported ones.
    """
    if isinstance(saturation, str):
        key = saturation.lower().replace("-", "_")
        if key in SATURATIONS:
            return SATURATIONS[key]
    else:
        name = _CLASS_TO_NAME.get(type(saturation).__name__)
        if name is not None:
            return SATURATIONS[name]
    raise ValueError(
        f"saturation must be one of {sorted(SATURATIONS)} (or the matching pymc-marketing "
        f"class {sorted(_CLASS_TO_NAME)}), got {saturation!r}"
    )
