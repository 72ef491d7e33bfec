r"""Compiled preposterior reweighting for the learning value (numba).

:mod:`labkit.design.learning` asks, for every candidate test ``i`` and every
simulated outcome ``y`` of it, for the weighted sd of a quantity ``q`` and the
effective sample size of the weights

.. math:: w_d = \exp\!\left(-\frac{(y - L_d)^2}{2\sigma_i^2}\right),

over the posterior draws ``d`` of the candidate's lift ``L``. Summed directly,
that is one exponential per draw and outcome: 84 candidates x 64 outcomes x 4000
draws is 21.5 million, about 40 ms even vectorised. Two sums do the work here.

Series (most outcomes)
----------------------
Write the draws around the centre ``c`` of their range, ``delta_d = (L_d - c) /
sigma`` and ``eta = (y - c) / sigma``. Up to a factor common to every draw,

.. math:: w_d \propto g_d\, e^{\eta \delta_d}, \qquad g_d = e^{-\delta_d^2 / 2},

and the Taylor series of :math:`e^{\eta\delta_d}` turns every weighted sum into
a polynomial in ``eta`` whose coefficients do not depend on the outcome:

.. math:: \sum_d w_d q_d^j = \sum_{n=0}^{N} \eta^n \sum_d g_d q_d^j
          \frac{\delta_d^n}{n!},\qquad
          \sum_d w_d^2 = \sum_{n=0}^{N} (2\eta)^n \sum_d g_d^2 \frac{\delta_d^n}{n!}.

The coefficients cost ``N`` passes over the draws once per candidate (four
orders per pass, :func:`_series_moments`); each outcome then costs four
polynomials of degree ``N`` (the Taylor variant of the fast Gauss transform with
one cluster). This pays when the test's noise is wide against the spread of the
lift draws, which is the usual case: the test is informative about the whole
posterior, not about a handful of draws.

The order ``N`` is the smallest whose truncation error
:math:`e^R R^{N+1}/(N+1)!` stays below ``1e-16`` for the largest ``R = |2 eta| max|delta|``
of the outcomes it serves (:data:`R_CAP`, up to :data:`N_MAX`); the outcomes
are split between the series and the direct sum at the cheapest cost. An
outcome keeps its series result only if a bound on its error is below
``1e-10`` relative to the variance and to the effective sample size. The bound
adds the truncation error to the rounding error, which for a polynomial of
positive coefficients scaled by ``e^{eta delta}`` is at most that of the direct
sum times ``1 + s(-eta) / s(eta)`` (:math:`e^{|x|} \le e^x + e^{-x}`), and is
evaluated from the same coefficients. Otherwise the outcome falls back to:

Direct sum (the rest)
---------------------
One weight per draw, the log-weights shifted by that of the draw closest to the
outcome (so the sum never underflows) and the variance summed around the
weighted mean, ``exp`` computed as
``2^t = (2^(t/4096))^4096``: a degree-10 Taylor polynomial squared twelve times,
relative error below 2e-12 on ``[-1000, 32]``, no library call and no integer
arithmetic in the loop, so it vectorises on AVX2. Weights below ``2^-1000`` of
the closest draw's count as 0.

``tests/test_design_learning.py`` pins both paths to plain numpy reweighting
to 1e-9 over informative, uninformative, skewed and degenerate draws.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.special import gammaln

__all__ = ["N_MAX", "R_CAP", "exp2", "reweighted_moments"]

# "contract" allows fused multiply-adds, "reassoc" lets LLVM vectorise the sums over draws.
_FAST = {"contract", "reassoc"}
_LOG2E = 1.4426950408889634
_EPS = float(np.finfo(float).eps)

EXP2_LOW, EXP2_HIGH = -1000.0, 32.0
_EXP2 = tuple(math.log(2.0) ** k / math.factorial(k) / 4096.0**k for k in range(11))


@numba.njit(cache=True, fastmath=_FAST, inline="always")
def exp2(t: float) -> float:  # pragma: no cover - compiled
    """Return ``2**t`` for ``t`` in ``[-1000, 32]`` (relative error < 2e-12)."""
    c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 = _EXP2
    p = c8 + t * (c9 + t * c10)
    p = c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * (c6 + t * (c7 + t * p)))))))
    for _ in range(12):
        p = p * p
    return p


N_MAX = 96
"""The highest order of the series."""
TRUNCATION = 1e-16
"""Bound on the Taylor remainder of ``exp`` relative to the sum it approximates."""
TOLERANCE = 1e-10
"""A series result is kept when its error bound is below this, relative."""
SERIES_COST = 0.13
"""Cost of one order of the series relative to one outcome's direct sum (measured)."""
DELTA_MAX = 8.0
"""Largest ``max|delta|`` for the series (``g_d >= 2^-46``)."""


def _r_cap() -> np.ndarray:
    """``R_CAP[N]``: the largest ``R`` with ``e^R R^(N+1) / (N+1)! <= TRUNCATION``."""
    caps = np.empty(N_MAX + 1)
    for n in range(N_MAX + 1):
        lo, hi = 0.0, 200.0
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            log_remainder = mid + (n + 1) * math.log(mid) - gammaln(n + 2)
            lo, hi = (mid, hi) if log_remainder <= math.log(TRUNCATION) else (lo, mid)
        caps[n] = lo
    return caps


R_CAP = _r_cap()


@numba.njit(cache=True, fastmath=_FAST)
def _direct(
    lifts: np.ndarray, scale: float, quantity: np.ndarray, y: float, w: np.ndarray
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Return the weighted sd of ``quantity`` and the effective sample size, weight by weight.

    ``log2 w = (min_d r_d^2 - r^2) * scale`` with ``r = y - L``: the closest
    draw weighs 1, so the sum never underflows; weights below ``2^-1000`` are 0.
    The variance is summed around the weighted mean (a second pass over the
    weights, kept in ``w``), so a posterior squeezed onto a few draws keeps its
    digits.
    """
    closest = np.inf
    for d in range(lifts.shape[0]):
        r = y - lifts[d]
        closest = min(closest, r * r)
    s0 = 0.0
    s1 = 0.0
    sw2 = 0.0
    for d in range(lifts.shape[0]):
        r = y - lifts[d]
        t = (closest - r * r) * scale
        w[d] = exp2(t) if t > EXP2_LOW else 0.0
        s0 += w[d]
        s1 += w[d] * quantity[d]
        sw2 += w[d] * w[d] if t > -500.0 else 0.0  # no subnormal squares
    mean = s1 / s0
    s2 = 0.0
    for d in range(lifts.shape[0]):
        dev = quantity[d] - mean
        s2 += w[d] * dev * dev
    return math.sqrt(s2 / s0), s0 * s0 / sw2


@numba.njit(cache=True, fastmath=_FAST)
def _series_moments(
    delta: np.ndarray, g: np.ndarray, q: np.ndarray, q2: np.ndarray, n_terms: int, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill ``out[:, n]`` with the sums of ``g``, ``g q``, ``g q^2``, ``g^2`` times ``delta^n/n!``.

    Four orders per pass over the draws: sixteen independent sums keep the
    vector units busy and the draws are read a quarter as often.
    """
    term = g.copy()
    block = np.empty((4, 4))
    for n in range(0, n_terms, 4):
        i0, i1, i2, i3 = 1.0 / (n + 1), 1.0 / (n + 2), 1.0 / (n + 3), 1.0 / (n + 4)
        a00 = a01 = a02 = a03 = 0.0
        a10 = a11 = a12 = a13 = 0.0
        a20 = a21 = a22 = a23 = 0.0
        a30 = a31 = a32 = a33 = 0.0
        for d in range(delta.shape[0]):
            x = delta[d]
            t0 = term[d]
            t1 = t0 * x * i0
            t2 = t1 * x * i1
            t3 = t2 * x * i2
            term[d] = t3 * x * i3
            qd = q[d]
            q2d = q2[d]
            gd = g[d]
            a00 += t0
            a01 += t1
            a02 += t2
            a03 += t3
            a10 += t0 * qd
            a11 += t1 * qd
            a12 += t2 * qd
            a13 += t3 * qd
            a20 += t0 * q2d
            a21 += t1 * q2d
            a22 += t2 * q2d
            a23 += t3 * q2d
            a30 += t0 * gd
            a31 += t1 * gd
            a32 += t2 * gd
            a33 += t3 * gd
        block[0, 0], block[1, 0], block[2, 0], block[3, 0] = a00, a10, a20, a30
        block[0, 1], block[1, 1], block[2, 1], block[3, 1] = a01, a11, a21, a31
        block[0, 2], block[1, 2], block[2, 2], block[3, 2] = a02, a12, a22, a32
        block[0, 3], block[1, 3], block[2, 3], block[3, 3] = a03, a13, a23, a33
        for j in range(min(4, out.shape[1] - n)):
            for m in range(4):
                out[m, n + j] = block[m, j]


@numba.njit(cache=True)
def _horner(coef: np.ndarray, x: float, n_terms: int) -> float:  # pragma: no cover - compiled
    """``sum_n coef[n] x^n`` over the first ``n_terms`` coefficients."""
    acc = 0.0
    for n in range(n_terms - 1, -1, -1):
        acc = acc * x + coef[n]
    return acc


@numba.njit(cache=True)
def _series_order(reach: np.ndarray) -> int:  # pragma: no cover - compiled
    """Return the number of terms of the cheapest split of outcomes sorted by their ``R``.

    The outcomes whose ``R`` the series of that many terms reaches take it, the
    others the direct sum; 0 when the direct sum is cheapest for all.
    """
    n_outcomes = reach.shape[0]
    best = float(n_outcomes)
    n_terms = 0
    for m in range(1, n_outcomes + 1):
        if reach[m - 1] > R_CAP[N_MAX]:
            break
        order = np.searchsorted(R_CAP, reach[m - 1])
        cost = (order + 1) * SERIES_COST + (n_outcomes - m)
        if cost < best:
            best = cost
            n_terms = order + 1
    return n_terms


@numba.njit(cache=True)
def _series_result(
    moments: np.ndarray, eta: float, n_terms: int, gamma: float
) -> tuple[bool, float, float]:  # pragma: no cover - compiled
    """``(ok, sd, ess)`` of one outcome from the series; ``ok`` when its error bound allows."""
    s0 = _horner(moments[0], eta, n_terms)
    s1 = _horner(moments[1], eta, n_terms)
    s2 = _horner(moments[2], eta, n_terms)
    sw2 = _horner(moments[3], 2.0 * eta, n_terms)
    if not (s0 > 0.0 and s2 > 0.0 and sw2 > 0.0):
        return False, 0.0, 0.0
    # rounding: at most gamma * sum g |q|^j e^{|eta delta|} <= gamma * (s(eta) + s(-eta))
    k0 = 1.0 + _horner(moments[0], -eta, n_terms) / s0
    k2 = 1.0 + _horner(moments[2], -eta, n_terms) / s2
    k3 = 1.0 + _horner(moments[3], -2.0 * eta, n_terms) / sw2
    e0 = gamma * k0 + TRUNCATION * moments[0, 0] / s0
    e2 = gamma * k2 + TRUNCATION * moments[2, 0] / s2
    e3 = gamma * k3 + TRUNCATION * moments[3, 0] / sw2
    # sum g |q| e^{|eta delta|} by Cauchy-Schwarz from the other two
    e1 = (
        gamma * math.sqrt(k0 * k2 * s0 * s2) + TRUNCATION * math.sqrt(moments[0, 0] * moments[2, 0])
    ) / s0
    mean = s1 / s0
    var = s2 / s0 - mean * mean
    err_var = s2 / s0 * (e0 + e2) + 2.0 * abs(mean) * (e1 + abs(mean) * e0)
    if var > 0.0 and err_var <= TOLERANCE * var and 2.0 * e0 + e3 <= TOLERANCE:
        return True, math.sqrt(var), s0 * s0 / sw2
    return False, 0.0, 0.0


@numba.njit(cache=True, fastmath=_FAST)
def reweighted_moments(
    lifts: np.ndarray,
    sigma: np.ndarray,
    quantity: np.ndarray,
    outcomes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Posterior sd of ``quantity`` and the effective sample size after each outcome.

    Parameters
    ----------
    lifts, quantity : numpy.ndarray
        ``(n, n_draws)`` aligned draws of each candidate's lift and quantity.
    sigma : numpy.ndarray
        ``(n,)`` noise sd of each candidate's measured lift (> 0).
    outcomes : numpy.ndarray
        ``(n, K)`` measured lifts.

    Returns
    -------
    sd, ess : numpy.ndarray
        ``(n, K)``: the weighted sd of ``quantity[i]`` and ``(sum w)^2 / sum w^2``.
    by_series : numpy.ndarray
        ``(n, K)`` bool: which outcomes the series computed.
    prior_sd : numpy.ndarray
        ``(n,)``: the unweighted sd of ``quantity[i]``.
    """
    n, n_draws = lifts.shape
    n_outcomes = outcomes.shape[1]
    sd = np.empty((n, n_outcomes))
    ess = np.empty((n, n_outcomes))
    by_series = np.zeros((n, n_outcomes), dtype=np.bool_)
    prior_sd = np.empty(n)
    delta = np.empty(n_draws)
    g = np.empty(n_draws)
    weights = np.empty(n_draws)
    qc = np.empty(n_draws)
    q2 = np.empty(n_draws)
    moments = np.empty((4, N_MAX + 1))
    reach = np.empty(n_outcomes)
    gamma = (n_draws + 2 * N_MAX + 10) * _EPS  # worst-case rounding of a sum, relative
    for i in range(n):
        s = sigma[i]
        lo = lifts[i, 0]
        hi = lifts[i, 0]
        mean_q = 0.0
        for d in range(n_draws):
            lo = min(lo, lifts[i, d])
            hi = max(hi, lifts[i, d])
            mean_q += quantity[i, d]
        mean_q /= n_draws
        var_q = 0.0
        for d in range(n_draws):
            qc[d] = quantity[i, d] - mean_q  # the sd does not move; the sums lose less
            var_q += qc[d] * qc[d]
        prior_sd[i] = math.sqrt(var_q / n_draws)
        center = 0.5 * (lo + hi)
        spread = 0.5 * (hi - lo) / s
        n_terms = 0
        if spread <= DELTA_MAX:
            for k in range(n_outcomes):
                reach[k] = 2.0 * abs(outcomes[i, k] - center) / s * spread
            n_terms = _series_order(np.sort(reach))
        if n_terms:
            for d in range(n_draws):
                delta[d] = (lifts[i, d] - center) / s
                g[d] = exp2(-0.5 * _LOG2E * delta[d] * delta[d])
                q2[d] = qc[d] * qc[d]
            _series_moments(delta, g, qc, q2, n_terms, moments)
        scale = _LOG2E * 0.5 / (s * s)
        for k in range(n_outcomes):
            y = outcomes[i, k]
            eta = (y - center) / s
            if n_terms and 2.0 * abs(eta) * spread <= R_CAP[n_terms - 1]:
                ok, sd_k, ess_k = _series_result(moments, eta, n_terms, gamma)
                if ok:
                    sd[i, k] = sd_k
                    ess[i, k] = ess_k
                    by_series[i, k] = True
                    continue
            sd[i, k], ess[i, k] = _direct(lifts[i], scale, qc, y, weights)
    return sd, ess, by_series, prior_sd


def reweighted_moments_numpy(
    lifts: np.ndarray,
    sigma: np.ndarray,
    quantity: np.ndarray,
    outcomes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`reweighted_moments` in plain numpy: one weight per draw for every outcome.

    ``by_series`` is all False: the reference never takes the series.
    """
    n, n_outcomes = outcomes.shape
    sd = np.empty((n, n_outcomes))
    ess = np.empty((n, n_outcomes))
    prior_sd = quantity.std(axis=1)
    for i in range(n):
        r2 = (outcomes[i][:, None] - lifts[i][None, :]) ** 2  # (K, D)
        log_w = -(r2 - r2.min(axis=1, keepdims=True)) / (2 * sigma[i] ** 2)
        w = np.exp(log_w)
        s0 = w.sum(axis=1)
        mean = (w @ quantity[i]) / s0
        var = (w * (quantity[i][None, :] - mean[:, None]) ** 2).sum(axis=1) / s0
        sd[i] = np.sqrt(var)
        ess[i] = s0**2 / (w**2).sum(axis=1)
    return sd, ess, np.zeros((n, n_outcomes), dtype=bool), prior_sd
