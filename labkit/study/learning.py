"""Study of chapter 1's learning value against real refits.

Claims per candidate: the sd reduction the refit realises is within 25 % of the one
the reweighting predicted for the same outcome.

The designer predicts how much a test would narrow the posterior sd of a
channel's ROAS by reweighting the draws it already has
(:mod:`labkit.design.learning`). This study checks the prediction against what a
refit does. Each seed simulates a new designer fixture, fits chapter 1's MMM
(pymc-marketing's defaults, :func:`build_mmm`) and, for each candidate of
:data:`CANDIDATES`:

1. predicts the expected sd reduction of the channel's ROAS (preposterior, 64
   outcomes);
2. simulates one outcome of the test from the model's predictive (a posterior
   draw's lift plus the measurement noise) and predicts the sd after *that*
   outcome by reweighting the draws;
3. turns the outcome into a row of pymc-marketing's lift-test table (the
   steady-state weekly lift at current spend: the total over the ramp-weighted
   weeks), adds it with ``add_lift_test_measurements``, refits, and measures the
   realised sd of the same ROAS.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["CANDIDATES", "build_mmm", "learning_study"]

CANDIDATES = (("tv", -0.5, 12), ("social", -1.0, 12))
"""Channel, relative spend change and weeks of the refitted tests."""

_OUTCOME_STREAM = 0x1EA2


def build_mmm() -> Any:
    """Chapter 1's MMM: pymc-marketing's defaults, geometric adstock (8) and logistic curve."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    return MMM(
        date_column="date",
        channel_columns=["tv", "search", "social"],
        target_column="y",
        adstock=GeometricAdstock(l_max=8),
        saturation=LogisticSaturation(),
    )


def learning_study(seed: int) -> dict[str, Any]:
    """Predicted and realised ROAS-sd reductions of :data:`CANDIDATES` for fixture ``seed``."""
    import pandas as pd

    from labkit.design import ExperimentDesigner, simulate_designer_fixture
    from labkit.design.learning import reweighted_sd
    from labkit.sampling import mmm_fit_kwargs

    fixture = simulate_designer_fixture(seed=seed)
    data = fixture.data
    X, y = data[["date", "tv", "search", "social"]], data["y"]
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, target_accept=0.95) | {"progressbar": False}
    mmm = build_mmm()
    mmm.fit(X, y, **fit_kwargs)
    before = ExperimentDesigner.from_mmm(mmm, random_seed=seed)
    target_scale = float(before.target_scale[0])
    row: dict[str, Any] = {}
    ratios = []
    for i, (channel, change, weeks) in enumerate(CANDIDATES):
        rng = np.random.default_rng([_OUTCOME_STREAM, seed, i])
        value = before.learning_value(channel, change, weeks, random_seed=seed)
        expected = float(value.loc["roas", "reduction"])
        lifts = before.lift_draws(channel, change, weeks)
        sd = float(before.sigma_d(weeks))
        roas = before.roas_draws(channel)
        outcome = float(lifts[rng.integers(len(lifts))] + sd * rng.standard_normal())
        sd_now = float(roas.std())
        reweighted, ess = reweighted_sd(lifts, sd, roas, outcome)
        ramp = before.evaluate(channel, change, weeks).ramp_fraction
        x = float(before.current_spend[channel][0] * before.channel_scale[channel])
        test = pd.DataFrame(
            {
                "channel": [channel],
                "x": [x],
                "delta_x": [change * x],
                "delta_y": [outcome * target_scale / (weeks * ramp)],
                "sigma": [sd * target_scale / (weeks * ramp)],
            }
        )
        key = f"{channel}_{'up' if change > 0 else 'down'}_{weeks}w"
        row |= {
            f"{key}_snr": float(abs(lifts.mean()) / sd),
            f"{key}_outcome_sign_ok": bool(np.sign(outcome) == np.sign(change)),
            f"{key}_expected_reduction": expected,
            f"{key}_predicted_reduction": 1 - reweighted / sd_now,
            f"{key}_predicted_ess": ess,
        }
        if np.sign(outcome) != np.sign(change):
            row[f"{key}_realised_reduction"] = row[f"{key}_ratio"] = np.nan
            row[f"claim_{key}_refit_within_25pct"] = False
            continue
        refit = build_mmm()
        refit.build_model(X, y)
        refit.add_lift_test_measurements(test)
        refit.fit(X, y, **fit_kwargs)
        after = ExperimentDesigner.from_mmm(refit, random_seed=seed)
        realised = 1 - float(after.roas_draws(channel).std()) / sd_now
        row[f"{key}_realised_reduction"] = realised
        ratio = realised / row[f"{key}_predicted_reduction"]
        row[f"{key}_ratio"] = ratio
        row[f"claim_{key}_refit_within_25pct"] = bool(abs(ratio - 1) <= 0.25)
        ratios.append(ratio)
    row["mean_ratio"] = float(np.mean(ratios)) if ratios else np.nan
    return row
