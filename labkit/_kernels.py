"""Compiled hot loops of the experiment designer (numba).

Ranking a grid of lift tests evaluates every candidate on every posterior draw:
84 candidates x 4000 draws must take milliseconds, which plain numpy misses
because each draw needs several transcendental functions. Two loops are
compiled here (the learning value's reweighting is in :mod:`labkit._reweighting`);
everything else stays in numpy.

- :func:`lift_grid`: the total lift of each spend change held for each
  duration, per unit and draw. The adstock ramp, the steady-state adstocked
  spend and the contribution at current spend come in precomputed by
  :mod:`labkit.response`; the kernel only fuses the saturation curve with the
  sum over the weeks of the test.
- :func:`assurance_rows`: the mean power over draws, plain and tempered (the
  same quantity as :func:`labkit.stats.power` averaged over draws).

The saturation curves are written again here as scalar functions, fused into
the loop over draws. They are the formulas of :mod:`labkit.response`, which
``tests/test_response.py`` pins to pymc-marketing's transformations to 1e-10;
``tests/test_design_kernels.py`` pins these scalar versions and the whole lift
to :mod:`labkit.response` to 1e-10, and the assurance to
:func:`labkit.stats.power` to 1e-9.

The kernels are serial (numba's parallel mode triples their compile time and,
on a machine whose cores are busy, makes them slower) and cached on disk
(``cache=True``, in ``__pycache__`` next to this file, or numba's user cache
directory when that is read-only): a fresh checkout compiles them once, in about
two seconds, on the first call, and later processes load them in a fraction of a
second.

Normal CDF
----------
``scipy.special.ndtr`` costs ~15-20 ns per call, which alone would exceed the
time budget. :func:`phi` instead interpolates a table of the normal CDF and its
density on a 1/64 grid with cubic Hermite polynomials, without branches so that
the loop over draws vectorises: the error is below 1e-9 everywhere, far below
anything an assurance is reported to, and it returns exactly 0 below -8.5 and
exactly 1 above 8.3, where ``ndtr`` itself rounds to those values in double
precision.
"""

from __future__ import annotations

import math
import os

import numba
import numpy as np
from scipy.special import ndtr

__all__ = [
    "NUMBA_ENV_VAR",
    "PHI_HIGH",
    "PHI_LOW",
    "SATURATION_CODES",
    "assurance_rows",
    "assurance_rows_numpy",
    "compiled",
    "hill",
    "lift_grid",
    "lift_grid_numpy",
    "logistic",
    "michaelis_menten",
    "phi",
]

PHI_LOW, PHI_HIGH = -8.5, 8.3
_STEPS_PER_UNIT = 64
_GRID = np.linspace(PHI_LOW, PHI_HIGH, round((PHI_HIGH - PHI_LOW) * _STEPS_PER_UNIT) + 1)
_H = float(_GRID[1] - _GRID[0])
_LAST = float(_GRID.size - 1)
_LAST_CELL = _GRID.size - 2
_CDF = ndtr(_GRID)
_CDF[0], _CDF[-1] = 0.0, 1.0  # ndtr(-8.5) ~ 1e-17 and ndtr(8.3) rounds to 1 anyway
_PDF = np.exp(-0.5 * _GRID**2) / math.sqrt(2 * math.pi)

# "contract" allows fused multiply-adds, "reassoc" lets LLVM vectorise the sums over draws
# (the order of a sum of 4000 probabilities changes it by ~1e-15).
_FAST = {"contract", "reassoc"}


@numba.njit(cache=True, fastmath=_FAST)
def phi(x: float) -> float:  # pragma: no cover - compiled
    """Return the normal CDF by cubic Hermite interpolation of a 1/64 table (error < 1e-9)."""
    u = min(max((x - PHI_LOW) / _H, 0.0), _LAST)
    i = min(int(u), _LAST_CELL)
    t = u - i
    t2 = t * t
    t3 = t2 * t
    return (
        (2 * t3 - 3 * t2 + 1) * _CDF[i]
        + (t3 - 2 * t2 + t) * _H * _PDF[i]
        + (-2 * t3 + 3 * t2) * _CDF[i + 1]
        + (t3 - t2) * _H * _PDF[i + 1]
    )


@numba.njit(cache=True, fastmath=_FAST)
def assurance_rows(
    lifts: np.ndarray,
    sigma: np.ndarray,
    z: float,
    one_sided: bool,
    direction: np.ndarray,
    k: float,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Mean power per row of ``lifts`` (draws on axis 1): plain, and tempered by ``k``.

    The tempered draws are spread around their row mean by ``k``. Two-sided:
    ``Phi(|ncp| - z) + Phi(-|ncp| - z)``; one-sided: ``Phi(ncp - z)`` with ``ncp``
    signed by ``direction``.
    """
    n_rows, n_draws = lifts.shape
    plain = np.empty(n_rows)
    tempered = np.empty(n_rows)
    for r in range(n_rows):
        center = 0.0
        for d in range(n_draws):
            center += lifts[r, d]
        center /= n_draws
        scale = direction[r] / sigma[r]
        acc_p = 0.0
        acc_t = 0.0
        if one_sided:
            for d in range(n_draws):
                acc_p += phi(lifts[r, d] * scale - z)
                acc_t += phi((center + k * (lifts[r, d] - center)) * scale - z)
        else:
            for d in range(n_draws):
                a = abs(lifts[r, d] * scale)
                b = abs((center + k * (lifts[r, d] - center)) * scale)
                acc_p += phi(a - z) + phi(-a - z)
                acc_t += phi(b - z) + phi(-b - z)
        plain[r] = acc_p / n_draws
        tempered[r] = acc_t / n_draws
    return plain, tempered


# ---------------------------------------------------------------------- saturation curves
# Scalar versions of labkit.response's curves, parameters in pymc-marketing's order. Every
# family takes three (the unused ones are ignored), so that they share one signature.


@numba.njit(cache=True)
def logistic(x: float, lam: float, beta: float, _unused: float) -> float:  # pragma: no cover
    """``beta * (1 - exp(-lam x)) / (1 + exp(-lam x))`` (``response.logistic``)."""
    e = math.exp(-lam * x)  # x >= 0 here, so e <= 1: no overflow (exp is faster than tanh)
    return beta * (1.0 - e) / (1.0 + e)


@numba.njit(cache=True)
def michaelis_menten(
    x: float, alpha: float, lam: float, _unused: float
) -> float:  # pragma: no cover - compiled
    """``alpha * x / (lam + x)`` (``response.michaelis_menten``)."""
    return alpha * x / (lam + x)


@numba.njit(cache=True)
def hill(x: float, slope: float, kappa: float, beta: float) -> float:  # pragma: no cover
    """``beta * (1 - kappa**slope / (kappa**slope + x**slope))`` (``response.hill``)."""
    ks = kappa**slope
    return beta * (1.0 - ks / (ks + x**slope))


LOGISTIC, MICHAELIS_MENTEN, HILL = 0, 1, 2
SATURATION_CODES = {"logistic": LOGISTIC, "michaelis_menten": MICHAELIS_MENTEN, "hill": HILL}
"""The code :func:`lift_grid` takes for each :data:`labkit.response.SATURATIONS` family."""


@numba.njit(cache=True)
def lift_grid(
    code: int,
    p0: np.ndarray,
    p1: np.ndarray,
    p2: np.ndarray,
    x_ss: np.ndarray,
    base: np.ndarray,
    ramp: np.ndarray,
    changes: np.ndarray,
    durations: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Total lift of each spend change held for each duration, per unit and draw.

    A change of ``change`` (a fraction of current spend) held from week 0 moves the
    adstocked spend of week ``t`` to ``x_ss * (1 + change * ramp[t])`` (floored at 0:
    a go-dark ramp that rounds above 1 must not turn the spend negative); the lift of the
    week is the saturation curve there minus ``base``, and the test's lift is the sum
    over its weeks.

    Parameters
    ----------
    code : int
        The saturation family, one of :data:`SATURATION_CODES`.
    p0, p1, p2 : numpy.ndarray
        The curve's parameters, ``(n_units, n_draws)`` (unused ones: any such array).
    x_ss, base : numpy.ndarray
        Steady-state adstocked spend and the contribution there, ``(n_units, n_draws)``.
    ramp : numpy.ndarray
        ``(n_units, l_max, n_draws)``: the adstock ramp of weeks ``0 .. l_max - 1``
        (:func:`labkit.response.adstock_ramp`), which is exactly 1 from week
        ``l_max - 1`` on; later weeks repeat the lift of that week.
    changes : numpy.ndarray
        ``(K,)`` relative spend changes.
    durations : numpy.ndarray
        ``(T,)`` test lengths in weeks (int64, >= 1).

    Returns
    -------
    numpy.ndarray
        ``(n_units, K, T, n_draws)``.
    """
    n_units, n_weeks, n_draws = ramp.shape
    n_k = changes.shape[0]
    n_t = durations.shape[0]
    n_w = 0
    for j in range(n_t):
        n_w = max(n_w, durations[j])
    n_w = min(n_w, n_weeks)
    lifts = np.empty((n_units, n_k, n_t, n_draws))
    cum = np.empty(n_draws)
    last = np.empty(n_draws)
    for u in range(n_units):
        for k in range(n_k):
            for d in range(n_draws):
                cum[d] = 0.0
            for t in range(n_w):
                # one loop per family, draws innermost: numba compiles no call per draw
                if code == LOGISTIC:
                    for d in range(n_draws):
                        eff = max(x_ss[u, d] * (1.0 + changes[k] * ramp[u, t, d]), 0.0)
                        last[d] = logistic(eff, p0[u, d], p1[u, d], 0.0) - base[u, d]
                elif code == MICHAELIS_MENTEN:
                    for d in range(n_draws):
                        eff = max(x_ss[u, d] * (1.0 + changes[k] * ramp[u, t, d]), 0.0)
                        last[d] = michaelis_menten(eff, p0[u, d], p1[u, d], 0.0) - base[u, d]
                else:
                    for d in range(n_draws):
                        eff = max(x_ss[u, d] * (1.0 + changes[k] * ramp[u, t, d]), 0.0)
                        last[d] = hill(eff, p0[u, d], p1[u, d], p2[u, d]) - base[u, d]
                for d in range(n_draws):
                    cum[d] += last[d]
                for j in range(n_t):
                    if durations[j] == t + 1:
                        for d in range(n_draws):
                            lifts[u, k, j, d] = cum[d]
            for j in range(n_t):
                if durations[j] > n_w:  # past the ramp every week adds the last week's lift
                    for d in range(n_draws):
                        lifts[u, k, j, d] = cum[d] + (durations[j] - n_w) * last[d]
    return lifts


# ---------------------------------------------------------------------- numpy references


NUMBA_ENV_VAR = "LABKIT_NUMBA"
"""``LABKIT_NUMBA=0`` runs the numpy references below instead of the compiled kernels."""


def compiled() -> bool:
    """Whether the compiled kernels run (``LABKIT_NUMBA`` unset or anything but ``0``)."""
    return os.environ.get(NUMBA_ENV_VAR, "1").strip() != "0"


def assurance_rows_numpy(
    lifts: np.ndarray,
    sigma: np.ndarray,
    z: float,
    one_sided: bool,
    direction: np.ndarray,
    k: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`assurance_rows` in plain numpy, with ``scipy.special.ndtr``."""
    scale = (direction / sigma)[:, None]
    center = lifts.mean(axis=1, keepdims=True)
    spread = (center + k * (lifts - center)) * scale
    plain = lifts * scale
    if one_sided:
        return ndtr(plain - z).mean(axis=1), ndtr(spread - z).mean(axis=1)
    a, b = np.abs(plain), np.abs(spread)
    return (ndtr(a - z) + ndtr(-a - z)).mean(axis=1), (ndtr(b - z) + ndtr(-b - z)).mean(axis=1)


def lift_grid_numpy(
    code: int,
    p0: np.ndarray,
    p1: np.ndarray,
    p2: np.ndarray,
    x_ss: np.ndarray,
    base: np.ndarray,
    ramp: np.ndarray,
    changes: np.ndarray,
    durations: np.ndarray,
) -> np.ndarray:
    """:func:`lift_grid` in plain numpy with :mod:`labkit.response`'s curves."""
    from labkit import response

    curves = {
        LOGISTIC: lambda x: response.logistic(x, p0[:, :, None], p1[:, :, None]),
        MICHAELIS_MENTEN: lambda x: response.michaelis_menten(x, p0[:, :, None], p1[:, :, None]),
        HILL: lambda x: response.hill(x, p0[:, :, None], p1[:, :, None], p2[:, :, None]),
    }
    n_w = min(int(np.max(durations)), ramp.shape[1])
    draws = np.moveaxis(ramp[:, :n_w, :], 1, 2)  # (U, D, W)
    out = np.empty((ramp.shape[0], len(changes), len(durations), ramp.shape[2]))
    for k, change in enumerate(changes):
        eff = np.maximum(x_ss[:, :, None] * (1.0 + change * draws), 0.0)
        weekly = curves[code](eff) - base[:, :, None]  # (U, D, W)
        cum = np.cumsum(weekly, axis=-1)
        for j, t in enumerate(durations):
            shown = min(int(t), n_w)
            out[:, k, j, :] = cum[..., shown - 1] + (int(t) - shown) * weekly[..., n_w - 1]
    return out
