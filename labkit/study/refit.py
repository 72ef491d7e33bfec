"""A candidate's learning value against a refit with its simulated result.

The designer predicts what a test would teach by reweighting its posterior
(:mod:`labkit.design.learning`); :func:`refit_check` tests one prediction the
direct way: it simulates the test's outcome, adds it to the model as a lift test
and refits. Refitting models is study work, so it lives here, above the designer;
chapter 1 runs it on its own fit and the ``learning`` study on many.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labkit.design.designer import ExperimentDesigner
from labkit.design.learning import reweighted_sd

__all__ = ["RefitCheck", "refit_check"]


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
    roas = designer.steady_state_roas(channel)
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
        realised = 1 - float(after.steady_state_roas(channel).std()) / sd_now
    return RefitCheck(
        snr=float(abs(lifts.mean()) / sd),
        outcome=outcome,
        expected_reduction=float(value.loc["roas", "reduction"]),
        predicted_reduction=1 - reweighted / sd_now,
        predicted_ess=ess,
        realised_reduction=realised,
    )
