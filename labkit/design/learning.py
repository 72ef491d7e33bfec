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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from labkit import _reweighting

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner

__all__ = ["LearningValue", "RefitCheck", "expected_sd_reduction", "refit_check", "reweighted_sd"]

DEFAULT_OUTCOMES = 64
"""Simulated outcomes per candidate."""


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
    sd, ess, _, prior_sd = _reweighting.reweighted_moments(lifts, sigma, quantity, outcomes)
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
    sd, ess, _, _ = _reweighting.reweighted_moments(
        np.ascontiguousarray(lifts, dtype=float)[None, :],
        np.array([float(sigma)]),
        np.ascontiguousarray(quantity, dtype=float)[None, :],
        np.array([[float(outcome)]]),
    )
    return float(sd[0, 0]), float(ess[0, 0])


@dataclass(frozen=True)
class RefitCheck:
    """One candidate's learning value, predicted by reweighting and realised by a refit.

    Attributes
    ----------
    snr : float
        ``|mean lift| / sigma_d`` of the candidate.
    outcome : float
        The simulated measurement (total lift, model scale).
    expected_reduction : float
        The preposterior learning value (mean over simulated outcomes).
    predicted_reduction, predicted_ess : float
        The ROAS-sd reduction reweighting predicts for ``outcome``, and the
        effective sample size of its weights.
    realised_reduction : float
        The reduction the refit with ``outcome`` as a lift test realises; NaN
        when the outcome's sign contradicts the spend change (no refit: a team
        would not calibrate on it).
    """

    snr: float
    outcome: float
    expected_reduction: float
    predicted_reduction: float
    predicted_ess: float
    realised_reduction: float

    @property
    def ratio(self) -> float:
        """Realised over predicted reduction (NaN when nothing was predicted)."""
        if self.predicted_reduction == 0:
            return float("nan")
        return self.realised_reduction / self.predicted_reduction


def refit_check(
    build_mmm: Callable[[], Any],
    X: pd.DataFrame,
    y: pd.Series,
    designer: ExperimentDesigner,
    channel: str,
    spend_change: float,
    duration: int,
    *,
    fit_kwargs: dict[str, Any],
    outcome_rng: np.random.Generator,
    random_seed: int = 0,
) -> RefitCheck:
    """Check a candidate's learning value against a refit with its simulated result.

    Simulates one outcome of the test from the model's predictive (a posterior
    draw's lift plus the measurement noise), predicts the sd of the channel's
    ROAS after it by reweighting, then adds the outcome to a new fit as a row
    of pymc-marketing's lift-test table (the steady-state weekly lift at
    current spend: the total over the ramp-weighted weeks, ``add_lift_test_measurements``),
    refits, and measures the sd the refit realises.

    Parameters
    ----------
    build_mmm : callable
        Returns a new, unfitted MMM of the specification ``designer`` was read
        from (:meth:`ExperimentDesigner.from_mmm`).
    X, y : pandas.DataFrame, pandas.Series
        The data that model was fitted on.
    designer : ExperimentDesigner
        Read from the fitted model, a national one (one unit).
    channel, spend_change, duration
        The candidate.
    fit_kwargs : dict
        Keyword arguments of the refit's ``fit``.
    outcome_rng : numpy.random.Generator
        Draws the simulated outcome.
    random_seed : int
        Seeds the preposterior's outcomes and the refit's designer.

    Returns
    -------
    RefitCheck
    """
    from labkit.design.designer import ExperimentDesigner

    if not callable(build_mmm):
        raise TypeError(
            f"build_mmm must be a callable returning a new MMM, got {type(build_mmm).__name__}"
        )
    if not isinstance(outcome_rng, np.random.Generator):
        raise TypeError(
            f"outcome_rng must be a numpy.random.Generator, got {type(outcome_rng).__name__}"
        )
    if not isinstance(fit_kwargs, dict):
        raise TypeError(f"fit_kwargs must be a dict, got {type(fit_kwargs).__name__}")
    if not isinstance(designer, ExperimentDesigner) or len(designer.units) != 1:
        raise ValueError(
            "designer must be an ExperimentDesigner of a national model (one unit); "
            "a geo model's lift tests carry a geo column (chapter 5)"
        )
    value = designer.learning_value(channel, spend_change, duration, random_seed=random_seed)
    lifts = designer.lift_draws(channel, spend_change, duration)
    sd = float(designer.sigma_d(duration))
    roas = designer.roas_draws(channel)
    outcome = float(lifts[outcome_rng.integers(len(lifts))] + sd * outcome_rng.standard_normal())
    sd_now = float(roas.std())
    reweighted, ess = reweighted_sd(lifts, sd, roas, outcome)
    realised = float("nan")
    if np.sign(outcome) == np.sign(spend_change):
        target_scale = float(designer.target_scale[0])
        ramp = designer.evaluate(channel, spend_change, duration).ramp_fraction
        x = float(designer.current_spend[channel][0] * designer.channel_scale[channel])
        test = pd.DataFrame(
            {
                "channel": [channel],
                "x": [x],
                "delta_x": [spend_change * x],
                "delta_y": [outcome * target_scale / (duration * ramp)],
                "sigma": [sd * target_scale / (duration * ramp)],
            }
        )
        refit = build_mmm()
        refit.build_model(X, y)
        refit.add_lift_test_measurements(test)
        refit.fit(X, y, **fit_kwargs)
        after = ExperimentDesigner.from_mmm(refit, random_seed=random_seed)
        realised = 1 - float(after.roas_draws(channel).std()) / sd_now
    return RefitCheck(
        snr=float(abs(lifts.mean()) / sd),
        outcome=outcome,
        expected_reduction=float(value.loc["roas", "reduction"]),
        predicted_reduction=1 - reweighted / sd_now,
        predicted_ess=ess,
        realised_reduction=realised,
    )
