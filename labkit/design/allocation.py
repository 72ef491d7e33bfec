"""The budget split and its preposterior update, on arrays: the core of the decision value.

- :func:`best_allocation`: the best split of a budget's increments over the
  channels for many weight sets at once, by dynamic programming (no concavity
  assumed); :func:`best_allocation_rows` is the same programme compiled, one set
  at a time, ties broken alike;
- :func:`outcome_weights`: the normalised likelihood weights of the posterior
  draws after each simulated outcome of a test, compiled;
- :func:`preposterior_decision_value`: the plain numpy decision value of one
  test, the reference the fast path of :mod:`labkit.design.decision` is pinned to.

``LABKIT_NUMBA=0`` runs numpy instead of the compiled loops.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from labkit import _kernels, _reweighting

__all__ = [
    "Preposterior",
    "best_allocation",
    "best_allocation_rows",
    "best_rows",
    "outcome_weights",
    "outcome_weights_rows",
    "preposterior_decision_value",
]


def best_allocation(values: list[np.ndarray], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the best split of ``steps`` increments over the channels, for each weight set.

    Parameters
    ----------
    values : list of numpy.ndarray
        Per channel, ``(n_sets, J_c + 1)``: the expected value of giving the channel
        ``j`` increments above its low, ``j = 0 .. J_c``.
    steps : int
        Increments to place in total (``sum J_c >= steps``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The best total value ``(n_sets,)`` and the increments per channel
        ``(n_sets, n_channels)``.
    """
    n_sets = values[0].shape[0]
    neg = -np.inf
    # best[k]: the best value of the channels so far with k increments placed
    best = np.full((n_sets, steps + 1), neg)
    first = values[0]
    width = min(first.shape[1], steps + 1)
    best[:, :width] = first[:, :width]
    choices = []
    for value in values[1:]:
        j_max = value.shape[1] - 1
        # total[s, k, j] = value[s, j] + best[s, k - j]
        k = np.arange(steps + 1)[:, None]
        j = np.arange(j_max + 1)[None, :]
        prev = k - j
        ok = prev >= 0
        total = np.where(ok[None], value[:, None, :] + best[:, np.clip(prev, 0, steps)], neg)
        pick = total.argmax(axis=2)
        best = np.take_along_axis(total, pick[..., None], axis=2)[..., 0]
        choices.append(pick)
    total_value = best[:, steps]
    counts = np.empty((n_sets, len(values)), dtype=np.int64)
    remaining = np.full(n_sets, steps)
    for c in range(len(values) - 1, 0, -1):
        j = choices[c - 1][np.arange(n_sets), remaining]
        counts[:, c] = j
        remaining = remaining - j
    counts[:, 0] = remaining
    return total_value, counts


@numba.njit(cache=True)
def best_allocation_rows(
    values: np.ndarray, starts: np.ndarray, widths: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`best_allocation` compiled, one weight set (row) at a time.

    Parameters
    ----------
    values : numpy.ndarray
        ``(n_sets, G)``: the channels' value columns side by side, channel ``c``
        in ``values[:, starts[c] : starts[c] + widths[c]]``.
    starts, widths : numpy.ndarray
        ``(n_channels,)`` integers.
    steps : int

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        As :func:`best_allocation`, ties broken the same way (the fewest increments
        to the later channel).
    """
    n_sets = values.shape[0]
    n_channels = starts.shape[0]
    total = np.empty(n_sets)
    counts = np.empty((n_sets, n_channels), dtype=np.int64)
    best = np.empty(steps + 1)
    new = np.empty(steps + 1)
    choice = np.zeros((n_channels, steps + 1), dtype=np.int64)
    for s in range(n_sets):
        best[:] = -np.inf
        for k in range(min(widths[0], steps + 1)):
            best[k] = values[s, starts[0] + k]
        for c in range(1, n_channels):
            for k in range(steps + 1):
                top = -np.inf
                pick = 0
                for j in range(min(widths[c] - 1, k) + 1):
                    v = values[s, starts[c] + j] + best[k - j]
                    if v > top:
                        top = v
                        pick = j
                new[k] = top
                choice[c, k] = pick
            best[:] = new
        total[s] = best[steps]
        remaining = steps
        for c in range(n_channels - 1, 0, -1):
            j = choice[c, remaining]
            counts[s, c] = j
            remaining -= j
        counts[s, 0] = remaining
    return total, counts


_LOG2E = 1.4426950408889634


@numba.njit(cache=True, fastmath={"contract", "reassoc"})
def outcome_weights(
    lifts: np.ndarray,
    sigma: np.ndarray,
    outcomes: np.ndarray,
    weights: np.ndarray,
    totals: np.ndarray,
    ess: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Fill ``weights`` with each outcome's draw weights, ``totals`` with their sums, ``ess``.

    Row ``i * K + k`` of ``weights`` (``(n * K, n_draws)``) is
    ``N(outcomes[i, k] | lifts[i], sigma[i]^2)`` over the draws up to a factor: the
    log-weights are shifted by the closest draw's (which weighs 1), so the sum never
    underflows. Dividing a weighted sum by ``totals[row]`` normalises it (cheaper
    than normalising every weight). ``exp`` is :func:`labkit._reweighting.exp2`
    (weights below ``2^-1000`` of the closest draw's are that floor instead of 0).
    """
    n, n_draws = lifts.shape
    n_outcomes = outcomes.shape[1]
    for i in range(n):
        scale = 0.5 * _LOG2E / (sigma[i] * sigma[i])
        for k in range(n_outcomes):
            y = outcomes[i, k]
            closest = np.inf
            for d in range(n_draws):
                r = y - lifts[i, d]
                closest = min(closest, r * r)
            row = i * n_outcomes + k
            total = 0.0
            total2 = 0.0
            for d in range(n_draws):
                r = y - lifts[i, d]
                w = _reweighting.exp2(max((closest - r * r) * scale, -1000.0))
                weights[row, d] = w
                total += w
                total2 += w * w
            totals[row] = total
            ess[i, k] = total * total / total2


def outcome_weights_rows(
    lifts: np.ndarray, sigma: np.ndarray, outcomes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the weights ``(n * K, n_draws)``, their sums ``(n * K,)`` and ESS ``(n, K)``.

    The weights are unnormalised (the closest draw weighs 1); compiled, or numpy
    under ``LABKIT_NUMBA=0``.
    """
    n, n_draws = lifts.shape
    if _kernels.compiled():
        weights = np.empty((n * outcomes.shape[1], n_draws))
        totals = np.empty(n * outcomes.shape[1])
        ess = np.empty(outcomes.shape)
        outcome_weights(
            np.ascontiguousarray(lifts), np.ascontiguousarray(sigma),
            np.ascontiguousarray(outcomes), weights, totals, ess,
        )  # fmt: skip
        return weights, totals, ess
    log_w = -0.5 * ((outcomes[:, :, None] - lifts[:, None, :]) / sigma[:, None, None]) ** 2
    w = np.exp(log_w - log_w.max(axis=2, keepdims=True))
    total = w.sum(axis=2)
    ess = total**2 / (w * w).sum(axis=2)
    return w.reshape(-1, n_draws), total.ravel(), ess


def best_rows(values: np.ndarray, widths: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the best allocation of each row of side-by-side value columns."""
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    if _kernels.compiled():
        return best_allocation_rows(
            np.ascontiguousarray(values), starts, widths.astype(np.int64), steps
        )
    return best_allocation(
        [values[:, a : a + w] for a, w in zip(starts, widths, strict=True)], steps
    )


class Preposterior(NamedTuple):
    """What :func:`preposterior_decision_value` returns (money per week)."""

    per_week: float
    ess: float
    ess_min: float
    switch_share: float
    counts_now: np.ndarray
    value_now: float


def preposterior_decision_value(
    curves: list[np.ndarray],
    lifts: np.ndarray,
    sigma: float,
    steps: int,
    *,
    n_outcomes: int,
    rng: np.random.Generator,
    outcomes: np.ndarray | None = None,
) -> Preposterior:
    """Decision value of one test from arrays (the designer-free core of :func:`decision_value`).

    Parameters
    ----------
    curves : list of numpy.ndarray
        Per channel, ``(n_draws, J_c + 1)``: the value (money per week) of each
        grid spend, per posterior draw.
    lifts : numpy.ndarray
        ``(n_draws,)`` the test's lift per draw, aligned with the curves' draws.
    sigma : float
        Noise sd of the measured lift (> 0).
    steps : int
        Increments to place (:meth:`BudgetDecision.steps`).
    n_outcomes : int
        Simulated outcomes.
    rng : numpy.random.Generator
    outcomes : numpy.ndarray, optional
        Measured lifts to use instead of ``n_outcomes`` simulated ones (a draw's
        lift plus noise of sd ``sigma``).

    Returns
    -------
    Preposterior
        ``per_week``, ``ess``, ``ess_min``, ``switch_share``, ``counts_now``
        (increments per channel today), ``value_now`` (today's expected value).
    """
    n_draws = lifts.shape[0]
    now_values = [c.mean(axis=0)[None, :] for c in curves]
    value_now, counts_now = best_allocation(now_values, steps)
    if outcomes is None:
        source = rng.integers(0, n_draws, size=n_outcomes)
        outcomes = lifts[source] + rng.standard_normal(n_outcomes) * sigma
    log_w = -0.5 * ((outcomes[:, None] - lifts[None, :]) / sigma) ** 2
    weights = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    ess = 1.0 / (weights**2).sum(axis=1)
    after = [weights @ c for c in curves]
    best, counts = best_allocation(after, steps)
    stay = sum(after[i][:, counts_now[0, i]] for i in range(len(curves)))
    gain = np.maximum(best - stay, 0.0)  # >= 0 up to rounding: the grid optimum
    return Preposterior(
        per_week=float(gain.mean()),
        ess=float(ess.mean()),
        ess_min=float(ess.min()),
        switch_share=float((counts != counts_now).any(axis=1).mean()),
        counts_now=counts_now[0],
        value_now=float(value_now[0]),
    )
