"""Study of chapter 1's learning value against real refits.

Claims per candidate: the sd reduction the refit realises is within 25 % of the one
the reweighting predicted for the same outcome.

The designer predicts how much a test would narrow the posterior sd of a
channel's ROAS by reweighting the draws it already has
(:mod:`labkit.design.learning`). This study checks the prediction against what a
refit does. Each seed simulates a new designer fixture, fits chapter 1's MMM
(pymc-marketing's defaults, :func:`build_designer_mmm`) and, for each candidate of
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

Steps 2 and 3 are :func:`labkit.study.refit.refit_check`, which chapter 1 also
runs on its own fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["CANDIDATES", "build_designer_mmm", "learning_study"]

CANDIDATES = (("tv", -0.5, 12), ("social", -1.0, 12))
"""Channel, relative spend change and weeks of the refitted tests."""

_OUTCOME_STREAM = 0x1EA2


def build_designer_mmm() -> Any:
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
    from labkit.design import ExperimentDesigner, simulate_designer_fixture
    from labkit.sampling import mmm_fit_kwargs
    from labkit.study.refit import refit_check

    fixture = simulate_designer_fixture(seed=seed)
    data = fixture.data
    X, y = data[["date", "tv", "search", "social"]], data["y"]
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, target_accept=0.95) | {"progressbar": False}
    mmm = build_designer_mmm()
    mmm.fit(X, y, **fit_kwargs)
    before = ExperimentDesigner.from_mmm(mmm, random_seed=seed)
    row: dict[str, Any] = {}
    ratios = []
    for i, (channel, change, weeks) in enumerate(CANDIDATES):
        check = refit_check(
            build_designer_mmm, X, y, before, channel, change, weeks, fit_kwargs=fit_kwargs,
            outcome_rng=np.random.default_rng([_OUTCOME_STREAM, seed, i]), random_seed=seed,
        )  # fmt: skip
        key = f"{channel}_{'up' if change > 0 else 'down'}_{weeks}w"
        row |= {
            f"{key}_snr": check.snr,
            f"{key}_outcome_sign_ok": bool(np.sign(check.outcome) == np.sign(change)),
            f"{key}_expected_reduction": check.expected_reduction,
            f"{key}_predicted_reduction": check.predicted_reduction,
            f"{key}_predicted_ess": check.predicted_ess,
            f"{key}_realised_reduction": check.realised_reduction,
            f"{key}_ratio": check.ratio,
            f"claim_{key}_refit_within_25pct": bool(abs(check.ratio - 1) <= 0.25),
        }
        if np.isfinite(check.ratio):
            ratios.append(check.ratio)
    row["mean_ratio"] = float(np.mean(ratios)) if ratios else np.nan
    return row
