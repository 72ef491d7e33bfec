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

__all__ = [
    "GEO_LEARNING_STUDY",
    "LearningCheck",
    "LearningValue",
    "expected_sd_reduction",
    "geo_learning_check",
    "reweighted_sd",
]

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


GEO_LEARNING_STUDY = "geo_test_loop"
"""The committed study whose refits measure the learning value on a hierarchical geo MMM."""


@dataclass(frozen=True)
class LearningCheck:
    """How refits of a hierarchical geo MMM met the learning value, over simulated panels.

    Attributes
    ----------
    median_ratio : float
        Median over the panels of the realised ROAS-sd reduction of a refit with
        the test's read over the predicted one: the factor to put on the level.
    within_25 : int
        Panels whose refit realised the prediction within 25 %.
    n_panels : int
        Panels of the study that ran the refit.
    study : str
        The committed study it comes from (``python -m labkit.study <study>``).
    """

    median_ratio: float
    within_25: int
    n_panels: int
    study: str = GEO_LEARNING_STUDY

    def __str__(self) -> str:
        return (
            f"On a hierarchical geo MMM, refits with the test realised a median "
            f"{self.median_ratio:.2f} of the predicted ROAS-sd reduction (within 25 % in "
            f"{self.within_25} of {self.n_panels} simulated panels, study {self.study!r}): "
            "scale the predicted level by that factor."
        )


def geo_learning_check() -> LearningCheck | None:
    """Return what the committed geo study measured of the learning value against refits.

    Returns
    -------
    LearningCheck or None
        From ``data/studies/geo_test_loop.csv``; None while that study is being
        (re)generated.
    """
    import pandas as pd

    from labkit.data import DATA_DIR

    path = DATA_DIR / "studies" / f"{GEO_LEARNING_STUDY}.csv"
    if not path.exists():
        return None
    rows = pd.read_csv(path)
    ok = rows[(rows["status"] == "ok") & rows["learning_ratio"].notna()]
    ratio = ok["learning_ratio"].to_numpy(dtype=float)
    return LearningCheck(
        median_ratio=float(np.median(ratio)),
        within_25=int((np.abs(ratio - 1) <= 0.25).sum()),
        n_panels=len(ratio),
    )
