"""Study of chapter 1: the designer's predictions against the simulator's truth.

Each seed draws a new designer fixture (simulated spend and sales with AR(1)
noise, a posterior drawn around the true channels) and checks the designer
against what the simulator knows:

- assurance is the detection rate of simulated experiments (the noise process
  simulated, not its formula);
- the true lift of a test (the simulator's channel contribution with and without
  the spend change) lies in the designer's 94 % HDI;
- the top pick is detected when the test is run in the true world (its true lift
  plus simulated noise) at least as often as the significance level's target;
- the learning value comes true: the ROAS sd after outcomes drawn from the true
  world (not from the posterior) is what the designer predicted, within 25 %;
- longer tests and the least certain channel's tests teach more in the true world too.

No MCMC.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtri

from labkit.design import DesignerFixture, ExperimentDesigner, simulate_designer_fixture
from labkit.design.learning import reweighted_sd
from labkit.response import geometric_adstock, logistic
from labkit.stats import credited_autocorr, simulate_ar1

__all__ = ["designer_study", "true_lift", "true_world_outcomes"]

CHECKED = (("search", 0.2, 4), ("tv", -0.5, 6), ("social", 0.3, 8), ("tv", 0.1, 4))
"""Candidates whose assurance and HDI are checked."""

N_OUTCOMES = 400
"""Simulated true-world outcomes per test."""


def true_lift(fixture: DesignerFixture, channel: str, spend_change: float, duration: int) -> float:
    """Return the simulator's lift of a test: its contribution with and without the change.

    The channel's true adstock and curve run on the spend held at the current level
    for ``l_max`` weeks, then changed for ``duration`` weeks, minus the same without
    the change, summed over the test weeks (model scale).
    """
    truth = fixture.truth["channels"][channel]
    l_max = int(fixture.truth["l_max"])
    base = np.full(l_max + duration, fixture.current_spend[channel])
    test = base.copy()
    test[l_max:] *= 1 + spend_change

    def contribution(spend: np.ndarray) -> np.ndarray:
        adstocked = geometric_adstock(spend, truth["alpha"], l_max, True)
        return np.asarray(logistic(adstocked, truth["lam"], truth["beta"]))

    return float((contribution(test) - contribution(base))[l_max:].sum())


def true_world_outcomes(
    fixture: DesignerFixture,
    channel: str,
    spend_change: float,
    duration: int,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Measured lifts of ``n`` tests run in the true world: true lift plus simulated AR(1) noise."""
    noise = simulate_ar1(
        np.array([fixture.truth["noise_sd"]]),
        credited_autocorr(np.array([fixture.truth["noise_autocorr"]])),
        duration,
        (n, 1),
        rng,
    )
    return true_lift(fixture, channel, spend_change, duration) + noise.sum(axis=(-1, -2))


def _realised(
    designer: ExperimentDesigner,
    fixture: DesignerFixture,
    test: tuple[str, float, int],
    rng: np.random.Generator,
) -> float:
    """Mean ROAS-sd reduction after outcomes of the test drawn from the true world."""
    channel, change, weeks = test
    lifts = designer.lift_draws(channel, change, weeks)
    sd = float(designer.sigma_d(weeks))
    roas = designer.steady_state_roas(channel)
    prior = float(roas.std())
    outcomes = true_world_outcomes(fixture, channel, change, weeks, N_OUTCOMES, rng)
    return float(np.mean([1 - reweighted_sd(lifts, sd, roas, y)[0] / prior for y in outcomes]))


def designer_study(seed: int) -> dict[str, Any]:
    """Metrics and claims of chapter 1 for the designer fixture of ``seed``."""
    fixture = simulate_designer_fixture(seed=seed)
    designer = fixture.designer()
    rng = np.random.default_rng([seed, 0xD5])
    gaps, covered = [], 0
    for channel, change, weeks in CHECKED:
        predicted = designer.evaluate(channel, change, weeks).assurance
        simulated = designer.simulate_detection_rate(
            channel, change, weeks, n_experiments=4000, random_seed=seed
        )
        gaps.append(abs(predicted - simulated))
        low, high = designer.evaluate(channel, change, weeks).lift_hdi
        covered += low <= true_lift(fixture, channel, change, weeks) <= high
    recs = designer.recommend(learning_value=True, random_seed=seed)
    top = recs[0]
    z = float(ndtri(1 - 0.05 / 2))
    measured = true_world_outcomes(fixture, top.channel, top.spend_change, top.duration, 4000, rng)
    top_power = float(np.mean(np.abs(measured) / float(designer.sigma_d(top.duration)) > z))
    tv = [("tv", 0.5, w) for w in (4, 8, 12)]
    predicted_tv = [
        float(designer.learning_value(*t, random_seed=seed).loc["roas", "reduction"]) for t in tv
    ]
    realised_tv = [_realised(designer, fixture, t, rng) for t in tv]
    ranks = designer.uncertainty_rank()
    least_certain = min(ranks, key=lambda c: ranks[c])
    by_channel = {c: _realised(designer, fixture, (c, 0.3, 8), rng) for c in designer.channels}
    ratio = realised_tv[1] / predicted_tv[1]
    return {
        "residual_autocorr": float(designer.residual_autocorr[0]),
        "max_detection_gap": float(max(gaps)),
        "hdi_covers": int(covered),
        "top_channel": top.channel,
        "top_assurance": float(top.assurance),
        "top_true_power": top_power,
        "tv_8w_predicted_reduction": predicted_tv[1],
        "tv_8w_realised_reduction": realised_tv[1],
        "tv_8w_ratio": float(ratio),
        "least_certain_channel": least_certain,
        "most_learning_channel_in_truth": max(by_channel, key=lambda c: by_channel[c]),
        "claim_assurance_is_detection_rate": bool(max(gaps) < 0.03),
        "claim_true_lift_in_hdi": bool(covered >= len(CHECKED) - 1),
        "claim_top_pick_detected_in_truth": bool(top_power >= 0.8),
        "claim_learning_value_comes_true": bool(abs(ratio - 1) <= 0.25),
        "claim_longer_tests_teach_more_in_truth": bool(np.all(np.diff(realised_tv) > 0)),
        "claim_least_certain_channel_teaches_most_in_truth": (
            max(by_channel, key=lambda c: by_channel[c]) == least_certain
        ),
    }
