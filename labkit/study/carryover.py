"""Study of carry-over: what a weekly read teaches of the adstock decay that its total does not.

Each seed simulates a new ``confounded`` world (:func:`labkit.data.simulate_confounded`)
and fits a national MMM without the confounder (:func:`build_carryover_mmm`: geometric
adstock, logistic curve, a linear trend, two yearly modes). On that fit the
designer predicts, for :data:`DESIGNS` of ``x1``, how much a total read and a weekly
read would cut the sd of x1's adstock decay (:func:`labkit.design.carryover.carryover_learning`).
The design :data:`TEST` is then run in the world and read week by week
(:func:`labkit.data.weekly_tests.simulate_weekly_lift_test`, the change and
``l_max - 1`` weeks of decay, each week's error the world's weekly noise sd), and
the model is refitted twice with the same reads:

- as one total (the weekly reads summed, divided by the weeks of the change, its
  sd the weekly sd times ``sqrt(read weeks) / weeks``), along the test's spend path
  (:class:`labkit.roas.PathLiftMMM`);
- as a weekly profile (:func:`labkit.roas.weekly_terms.add_weekly_lift_tests`).

It records x1's alpha (posterior mean and sd) in the three fits against the truth,
and the predicted and realised sd reductions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DESIGNS", "TEST", "build_carryover_mmm", "carryover_study"]

DESIGNS = ((-1.0, 1), (-1.0, 2), (-1.0, 8), (0.5, 8))
"""``(spend_change, weeks)`` of x1 the designer compares: pulses and sustained changes."""

TEST = (-1.0, 8)
"""The design run in the world: x1 dark for eight weeks, read through its decay."""

WEEKS_BEFORE_END = 24
"""The test starts this many weeks before the last week of the data."""


def build_carryover_mmm() -> Any:
    """Build the study's MMM: two channels, geometric adstock and logistic curve, trend, season."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation

    from labkit.roas import PathLiftMMM

    return PathLiftMMM(
        date_column="date",
        channel_columns=["x1", "x2"],
        control_columns=["t"],
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
        yearly_seasonality=2,
    )


def _alpha(mmm: Any) -> np.ndarray:
    return mmm.idata.posterior["adstock_alpha"].sel(channel="x1").to_numpy().ravel()


def carryover_study(seed: int) -> dict[str, Any]:
    """x1's adstock decay before and after one test, read as a total and week by week."""
    from labkit.data import simulate_confounded
    from labkit.data.weekly_tests import simulate_weekly_lift_test
    from labkit.design import ExperimentDesigner
    from labkit.design.carryover import carryover_learning
    from labkit.roas.weekly_terms import add_weekly_lift_tests
    from labkit.sampling import mmm_fit_kwargs

    world = simulate_confounded(seed=seed)
    df = world.data
    X = df[["date", "x1", "x2"]].copy()
    X["t"] = np.arange(len(df), dtype=float) / len(df)
    y = df["y"]
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, nuts_sampler="nutpie") | {"progressbar": False}
    true_alpha = float(world.truth["channels"]["x1"]["adstock_alpha"])

    baseline = build_carryover_mmm()
    baseline.fit(X, y, **fit_kwargs)
    designer = ExperimentDesigner.from_mmm(baseline, random_seed=seed)
    # the reads' weekly error: the world's weekly noise, a week read against its counterfactual
    read_sigma = float(world.truth["noise_sd"] * world.truth["amplitude"])
    predicted = carryover_learning(
        designer, "x1", DESIGNS, weekly_sigma=read_sigma, random_seed=seed
    )
    at = predicted[(predicted["spend_change"] == TEST[0]) & (predicted["weeks"] == TEST[1])].iloc[0]

    change, weeks = TEST
    start = df["date"].iloc[len(df) - WEEKS_BEFORE_END]
    reads = simulate_weekly_lift_test(
        world, "x1", start, weeks, spend_change=change, random_seed=seed
    )
    n = len(reads)
    total = pd.DataFrame(
        [
            {
                "channel": "x1",
                "start": start,
                "weeks": weeks,
                "read_weeks": n,
                "spend_change": change,
                "spend_added": np.nan,
                "delta_y": float(reads["lift"].sum()) / weeks,
                "sigma": float(reads["sigma"].iloc[0]) * np.sqrt(n) / weeks,
            }
        ]
    )
    with_total = build_carryover_mmm()
    with_total.build_model(X, y)
    with_total.add_lift_test_measurements(total)
    with_total.fit(X, y, **fit_kwargs)

    with_weekly = build_carryover_mmm()
    with_weekly.build_model(X, y)
    add_weekly_lift_tests(with_weekly, reads)
    with_weekly.fit(X, y, **fit_kwargs)

    row: dict[str, Any] = {"true_alpha": true_alpha}
    sds = {}
    for name, mmm in (("baseline", baseline), ("total", with_total), ("weekly", with_weekly)):
        a = _alpha(mmm)
        row[f"alpha_mean_{name}"] = float(a.mean())
        row[f"alpha_sd_{name}"] = sds[name] = float(a.std())
        row[f"alpha_abs_error_{name}"] = abs(float(a.mean()) - true_alpha)
    for name in ("total", "weekly"):
        row[f"alpha_sd_reduction_{name}"] = 1 - sds[name] / sds["baseline"]
        row[f"alpha_sd_reduction_{name}_predicted"] = float(at[f"reduction_{name}"])
    best = predicted.loc[predicted["teaches_carryover"]].iloc[0]
    row["teaching_design"] = f"{best['spend_change']:+g} x {int(best['weeks'])}w"
    row["pulse_1w_reduction_weekly_predicted"] = float(predicted["reduction_weekly"].iloc[0])
    row["claim_weekly_narrows_alpha"] = bool(sds["weekly"] < sds["baseline"])
    row["claim_weekly_narrows_alpha_more_than_total"] = bool(sds["weekly"] < sds["total"])
    row["claim_weekly_moves_alpha_toward_truth"] = bool(
        row["alpha_abs_error_weekly"] < row["alpha_abs_error_baseline"]
    )
    row["claim_total_narrows_alpha_by_10_percent"] = bool(row["alpha_sd_reduction_total"] >= 0.10)
    row["claim_weekly_prediction_within_25_percent"] = bool(
        abs(row["alpha_sd_reduction_weekly"] - row["alpha_sd_reduction_weekly_predicted"])
        <= 0.25 * abs(row["alpha_sd_reduction_weekly_predicted"])
    )
    return row
