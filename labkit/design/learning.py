"""Learning value: how much a lift test would narrow what the model does not know.

Assurance answers "will the test come out significant?". A team paying for a test
also wants "how much will its result teach the model?". The preposterior answer,
without refitting anything:

1. simulate an outcome of the test from the model's own predictive: a posterior
   draw's lift plus the measurement noise (sd ``sigma_d``);
2. reweight the posterior draws by that outcome's likelihood,
   ``w_d ~ N(y | lift_d, sigma_d^2)`` (importance sampling from the current
   posterior to the posterior after the test);
3. measure the weighted sd of the quantity of interest (the channel's ROAS, or a
   saturation parameter);
4. average over many outcomes.

The *learning value* is the expected relative reduction of that sd,
``1 - E[sd after] / sd now``. The effective sample size of the weights
(``(sum w)^2 / sum w^2``) is reported with it: when a test is so informative
that a handful of draws carry all the weight, the reweighted sd is noisy and a
refit with the test (``add_lift_test_measurements``) is the better estimate.

The weighted sums are compiled (:mod:`labkit._reweighting`): for most outcomes a
Taylor series in the outcome whose coefficients are computed once per candidate,
for the rest one weight per draw; both equal plain numpy reweighting to 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from labkit import _kernels, _reweighting

__all__ = ["LearningValue", "expected_sd_reduction", "reweighted_sd"]

DEFAULT_OUTCOMES = 64
"""Simulated outcomes per candidate."""


def _moments() -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Return the compiled reweighting, or its numpy reference under ``LABKIT_NUMBA=0``."""
    if _kernels.compiled():
        return _reweighting.reweighted_moments
    return _reweighting.reweighted_moments_numpy


@dataclass(frozen=True)
class LearningValue:
    """Expected posterior-sd reduction of a quantity, per candidate.

    Attributes
    ----------
    reduction : numpy.ndarray
        ``1 - expected_sd / prior_sd``: 0.3 means the test is expected to cut the
        sd by 30 %.
    expected_sd, prior_sd : numpy.ndarray
        Mean sd after the test over the simulated outcomes, and the sd now.
    ess : numpy.ndarray
        Mean effective sample size of the weights over the outcomes.
    ess_min : numpy.ndarray
        The smallest effective sample size over the outcomes.
    """

    reduction: np.ndarray
    expected_sd: np.ndarray
    prior_sd: np.ndarray
    ess: np.ndarray
    ess_min: np.ndarray


def expected_sd_reduction(
    lifts: np.ndarray,
    sigma: np.ndarray,
    quantity: np.ndarray,
    *,
    n_outcomes: int = DEFAULT_OUTCOMES,
    rng: np.random.Generator,
) -> LearningValue:
    """Preposterior sd reduction of ``quantity`` for each candidate (arguments checked by callers).

    Parameters
    ----------
    lifts : numpy.ndarray
        ``(n, n_draws)`` total lift draws of each candidate.
    sigma : numpy.ndarray
        ``(n,)`` noise sd of each candidate's measurement (> 0).
    quantity : numpy.ndarray
        ``(n, n_draws)`` draws of the quantity to learn about, aligned with ``lifts``.
    n_outcomes : int
        Simulated outcomes per candidate.
    rng : numpy.random.Generator

    Returns
    -------
    LearningValue
    """
    lifts = np.ascontiguousarray(lifts, dtype=float)
    quantity = np.ascontiguousarray(quantity, dtype=float)
    sigma = np.ascontiguousarray(sigma, dtype=float)
    n, n_draws = lifts.shape
    source = rng.integers(0, n_draws, size=(n, n_outcomes))
    noise = rng.standard_normal((n, n_outcomes)) * sigma[:, None]
    outcomes = np.take_along_axis(lifts, source, axis=1) + noise
    moments = _moments()
    sd, ess, _, prior_sd = moments(lifts, sigma, quantity, outcomes)
    expected = sd.mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        reduction = np.where(prior_sd > 0, 1 - expected / prior_sd, 0.0)
    return LearningValue(reduction, expected, prior_sd, ess.mean(axis=1), ess.min(axis=1))


def reweighted_sd(
    lifts: np.ndarray, sigma: float, quantity: np.ndarray, outcome: float
) -> tuple[float, float]:
    """Return the sd of ``quantity`` after one observed outcome, by reweighting the draws.

    Parameters
    ----------
    lifts, quantity : numpy.ndarray
        ``(n_draws,)`` aligned draws.
    sigma : float
        Noise sd of the measured lift.
    outcome : float
        The measured lift.

    Returns
    -------
    (float, float)
        The reweighted sd and the effective sample size of the weights.
    """
    sd, ess, _, _ = _moments()(
        np.ascontiguousarray(lifts, dtype=float)[None, :],
        np.array([float(sigma)]),
        np.ascontiguousarray(quantity, dtype=float)[None, :],
        np.array([[float(outcome)]]),
    )
    return float(sd[0, 0]), float(ess[0, 0])
