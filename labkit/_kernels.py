"""Compiled hot loops of the experiment designer (numba).

The designer's arithmetic is written once in plain numpy (``labkit.response``,
``labkit.stats.power``) and once here, fused, for speed: ranking the docs example's
grid (84 candidates x 4000 draws) must take milliseconds. ``tests/test_designer.py``
checks these kernels against the numpy versions.

Normal CDF
----------
``scipy.special.ndtr`` costs ~15-20 ns per call, which alone would exceed the
time budget. :func:`phi` instead interpolates a table of the normal CDF and its
density on a 1/64 grid with cubic Hermite polynomials: the error is below 1e-9
everywhere (``tests/test_designer.py::test_fast_normal_cdf_matches_scipy``), far
below anything an assurance is reported to, and it returns exactly 1 above 8.3
and 0 below -8.5, where ``ndtr`` itself rounds to those values in double precision.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.special import ndtr

__all__ = ["PHI_HIGH", "PHI_LOW", "assurance_rows", "hdi_rows", "lift_grid", "phi"]

PHI_LOW, PHI_HIGH = -8.5, 8.3
_STEPS_PER_UNIT = 64
_GRID = np.linspace(PHI_LOW, PHI_HIGH, round((PHI_HIGH - PHI_LOW) * _STEPS_PER_UNIT) + 1)
_H = float(_GRID[1] - _GRID[0])
_CDF = ndtr(_GRID)
_PDF = np.exp(-0.5 * _GRID**2) / math.sqrt(2 * math.pi)

LOGISTIC, MICHAELIS_MENTEN, HILL = 0, 1, 2
SATURATION_CODES = {"logistic": LOGISTIC, "michaelis_menten": MICHAELIS_MENTEN, "hill": HILL}


@numba.njit(cache=True)
def phi(x: float) -> float:  # pragma: no cover - compiled
    """Return the normal CDF by cubic Hermite interpolation of a 1/64 table (error < 1e-9)."""
    if x >= PHI_HIGH:
        return 1.0
    if x <= PHI_LOW:
        return 0.0
    u = (x - PHI_LOW) / _H
    i = int(u)
    t = u - i
    t2 = t * t
    t3 = t2 * t
    return (
        (2 * t3 - 3 * t2 + 1) * _CDF[i]
        + (t3 - 2 * t2 + t) * _H * _PDF[i]
        + (-2 * t3 + 3 * t2) * _CDF[i + 1]
        + (t3 - t2) * _H * _PDF[i + 1]
    )


@numba.njit(parallel=True, cache=True)
def assurance_rows(
    lifts: np.ndarray,
    sigma: np.ndarray,
    z: float,
    one_sided: bool,
    direction: np.ndarray,
    k: float,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Mean power per row of ``lifts`` (draws on axis 1): plain, and tempered by ``k``."""
    n_rows, n_draws = lifts.shape
    plain = np.empty(n_rows)
    tempered = np.empty(n_rows)
    for r in numba.prange(n_rows):
        center = 0.0
        for d in range(n_draws):
            center += lifts[r, d]
        center /= n_draws
        scale = direction[r] / sigma[r]
        acc_p = 0.0
        acc_t = 0.0
        for d in range(n_draws):
            ncp = lifts[r, d] * scale
            ncp_t = (center + k * (lifts[r, d] - center)) * scale
            if one_sided:
                acc_p += phi(ncp - z)
                acc_t += phi(ncp_t - z)
            else:
                a = abs(ncp)
                b = abs(ncp_t)
                acc_p += phi(a - z) + phi(-a - z)
                acc_t += phi(b - z) + phi(-b - z)
        plain[r] = acc_p / n_draws
        tempered[r] = acc_t / n_draws
    return plain, tempered


@numba.njit(cache=True, inline="always")
def _saturate(code: int, x: float, p0: float, p1: float, p2: float) -> float:  # pragma: no cover
    if code == LOGISTIC:  # p0 = lam, p1 = beta; (1 - e) / (1 + e) with e = exp(-lam x)
        e = math.exp(-p0 * x)
        return p1 * (1.0 - e) / (1.0 + e)
    if code == MICHAELIS_MENTEN:  # p0 = alpha, p1 = lam
        return p0 * x / (p1 + x)
    ks = p1**p0  # HILL: p0 = slope, p1 = kappa, p2 = beta
    return p2 * (1.0 - ks / (ks + x**p0))


@numba.njit(parallel=True, cache=True)
def lift_grid(
    code: int,
    p0: np.ndarray,
    p1: np.ndarray,
    p2: np.ndarray,
    alpha: np.ndarray,
    spend: np.ndarray,
    changes: np.ndarray,
    durations: np.ndarray,
    l_max: int,
    normalize: bool,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Total lift and mean ramp fraction of every (change, duration), per unit and draw.

    Parameters are ``(n_units, n_draws)`` arrays (``p2`` unused unless Hill);
    ``spend`` is ``(n_units,)``. Returns lifts ``(n_units, K, T, n_draws)`` and
    ramp fractions ``(n_units, T, n_draws)``. The ramp is truncated at ``l_max``:
    from week ``l_max - 1`` on the weekly lift is constant, so only the first
    ``min(max(T), l_max)`` weeks go through the saturation curve.
    """
    n_units, n_draws = alpha.shape
    n_k = changes.shape[0]
    n_t = durations.shape[0]
    t_max = 0
    for j in range(n_t):
        t_max = max(t_max, durations[j])
    n_w = min(t_max, l_max)
    lifts = np.empty((n_units, n_k, n_t, n_draws))
    ramps = np.empty((n_units, n_t, n_draws))
    ramp_w = np.empty((n_units, n_w, n_draws))  # ramp fraction of weeks 0 .. n_w - 1
    x_ss = np.empty((n_units, n_draws))
    base = np.empty((n_units, n_draws))
    for flat in numba.prange(n_units * n_draws):
        u = flat // n_draws
        d = flat % n_draws
        a = alpha[u, d]
        total = 0.0
        w = 1.0
        for _ in range(l_max):
            total += w
            w *= a
        x_ss[u, d] = (1.0 if normalize else total) * spend[u]
        base[u, d] = _saturate(code, x_ss[u, d], p0[u, d], p1[u, d], p2[u, d])
        partial = 0.0
        w = 1.0
        acc = 0.0
        for t in range(n_w):
            partial += w
            w *= a
            ramp_w[u, t, d] = partial / total
            acc += partial / total
            for j in range(n_t):
                if durations[j] == t + 1:
                    ramps[u, j, d] = acc / (t + 1)
        for j in range(n_t):
            if durations[j] > n_w:  # weeks past l_max - 1 add a full ramp of 1 each
                ramps[u, j, d] = (acc + (durations[j] - n_w)) / durations[j]
    for pair in numba.prange(n_units * n_k):
        u = pair // n_k
        k = pair % n_k
        cum = np.zeros(n_draws)
        last = np.empty(n_draws)
        for t in range(n_w):
            # draws innermost and contiguous, one loop per family: LLVM vectorises these
            if code == LOGISTIC:
                for d in range(n_draws):
                    eff = x_ss[u, d] * (1.0 + changes[k] * ramp_w[u, t, d])
                    e = math.exp(-p0[u, d] * eff)
                    last[d] = p1[u, d] * (1.0 - e) / (1.0 + e) - base[u, d]
            elif code == MICHAELIS_MENTEN:
                for d in range(n_draws):
                    eff = x_ss[u, d] * (1.0 + changes[k] * ramp_w[u, t, d])
                    last[d] = p0[u, d] * eff / (p1[u, d] + eff) - base[u, d]
            else:
                for d in range(n_draws):
                    eff = x_ss[u, d] * (1.0 + changes[k] * ramp_w[u, t, d])
                    last[d] = _saturate(code, eff, p0[u, d], p1[u, d], p2[u, d]) - base[u, d]
            for d in range(n_draws):
                cum[d] += last[d]
            for j in range(n_t):
                if durations[j] == t + 1:
                    lifts[u, k, j, :] = cum
        for j in range(n_t):
            if durations[j] > n_w:
                for d in range(n_draws):
                    lifts[u, k, j, d] = cum[d] + (durations[j] - n_w) * last[d]
    return lifts, ramps


@numba.njit(cache=True)
def _tails(row: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Return the ``m`` smallest and ``m`` largest values of ``row``, each sorted.

    A subsample gives thresholds a little beyond the m-th order statistics; one pass
    collects the values beyond them and only those few are sorted. If a threshold
    turns out too tight (fewer than m values beyond it), the row is fully sorted, so
    the result is always exact.
    """
    n = row.shape[0]
    step = max(1, n // 512)
    sub = np.sort(row[::step])
    k = sub.shape[0]
    reach = min(k - 1, int(1.3 * m / n * k) + 3)
    lo_t = sub[reach]
    hi_t = sub[k - 1 - reach]
    low_buf = np.empty(n)
    high_buf = np.empty(n)
    n_low = 0
    n_high = 0
    for v in row:
        if v <= lo_t:
            low_buf[n_low] = v
            n_low += 1
        if v >= hi_t:
            high_buf[n_high] = v
            n_high += 1
    if n_low < m or n_high < m:
        ordered = np.sort(row)
        return ordered[:m].copy(), ordered[n - m :].copy()
    low = np.sort(low_buf[:n_low])[:m]
    high = np.sort(high_buf[:n_high])[n_high - m :]
    return low, high


@numba.njit(parallel=True, cache=True)
def hdi_rows(x: np.ndarray, interval: int) -> np.ndarray:  # pragma: no cover - compiled
    """Narrowest window spanning ``interval`` sorted draws, per row (ArviZ's HDI rule).

    Only the ``n - interval`` smallest and largest draws can bound such a window, so
    only those two tails are found and sorted (see :func:`_tails`).
    """
    n_rows, n = x.shape
    n_windows = n - interval
    out = np.empty((n_rows, 2))
    for r in numba.prange(n_rows):
        low, high = _tails(x[r], n_windows)
        best = 0
        width = high[0] - low[0]
        for i in range(1, n_windows):
            w = high[i] - low[i]
            if w < width:
                width = w
                best = i
        out[r, 0] = low[best]
        out[r, 1] = high[best]
    return out
