"""Study of chapter 3: whether calibration with lift tests undoes a hidden confounder.

Each seed simulates a new ``confounded`` world (same parameters, new confounder,
spend and noise), fits the chapter's MMM without and with its four lift tests,
simulated as experiments in that world (:func:`labkit.data.experiments.simulate_lift_tests`),
and measures the ROAS errors against the truth. The tests enter the model along
their spend paths (:class:`labkit.roas.PathLiftMMM`). The time-slice cross-validation
is skipped. The model and the tests are the chapter's: the notebook asserts that
its specification equals :func:`build_confounder_mmm`'s and its tests :data:`LIFT_TESTS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LIFT_TESTS", "build_confounder_mmm", "confounder_study", "lift_test_specs"]

LIFT_TESTS = (
    {"channel": "x1", "weeks_before_end": 60, "weeks": 8, "spend_change": -1.0},
    {"channel": "x2", "weeks_before_end": 40, "weeks": 8, "delta_x": 0.10},
    {"channel": "x1", "weeks_before_end": 24, "weeks": 8, "delta_x": 0.30},
    {"channel": "x2", "weeks_before_end": 22, "weeks": 8, "spend_change": -1.0},
)
"""The chapter's tests: a go-dark test and a spend increase per channel, eight weeks each;
``weeks_before_end`` counts from the first test week to the last week of the series."""

LIFT_SIGMA = 3.0
"""Stated standard error of each test's weekly lift, in sales units."""


def lift_test_specs(end: pd.Timestamp, tests: tuple = LIFT_TESTS) -> list[dict[str, Any]]:
    """Return the tests as :func:`labkit.data.experiments.simulate_lift_tests` arguments."""
    specs = []
    for test in tests:
        spec = {k: v for k, v in test.items() if k != "weeks_before_end"}
        spec["start"] = end - pd.Timedelta(weeks=test["weeks_before_end"])
        specs.append(spec)
    return specs


def build_confounder_mmm(data: pd.DataFrame) -> Any:
    """Build the chapter's MMM (the notebook explains the specification)."""
    import xarray as xr
    from pymc_extras.prior import Prior
    from pymc_marketing.hsgp_kwargs import HSGPKwargs
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation

    from labkit.roas import PathLiftMMM

    channels = ["x1", "x2"]
    cost_share = data[channels].sum() / data[channels].sum().sum()
    model_config = {
        "likelihood": Prior("Normal", sigma=Prior("HalfNormal", sigma=2)),
        "gamma_fourier": Prior("Normal", mu=0, sigma=2, dims="fourier_mode"),
        "intercept_tvp_config": HSGPKwargs(
            m=50, L=None, eta_lam=1.0, ls_mu=5.0, ls_sigma=10.0, cov_func=None
        ),
        "adstock_alpha": Prior("Beta", alpha=2, beta=3, dims="channel"),
        "saturation_lam": Prior("Gamma", alpha=3, beta=1, dims="channel"),
        "saturation_beta": Prior(
            "HalfNormal", sigma=xr.DataArray(cost_share.to_numpy(), dims="channel"), dims="channel"
        ),
    }
    return PathLiftMMM(
        date_column="date",
        channel_columns=channels,
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
        time_varying_intercept=True,
        yearly_seasonality=5,
        model_config=model_config,
    )


def confounder_study(seed: int) -> dict[str, Any]:
    """Baseline and calibrated ROAS of the chapter's model in the ``confounded`` world ``seed``."""
    from labkit.data import simulate_confounded
    from labkit.data.experiments import simulate_lift_tests
    from labkit.roas import (
        dated_lift_tests,
        roas_draws,
        roas_order_probability,
        roas_summary,
        true_roas,
    )
    from labkit.sampling import mmm_fit_kwargs
    from labkit.stats import divergences

    ds = simulate_confounded(seed=seed)
    df = ds.data
    truth = true_roas(df, {"x1": "y01", "x2": "y02"}).to_dict()
    X, y = df[["date", "x1", "x2"]], df["y"]
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, gaussian_process=True) | {"progressbar": False}

    baseline = build_confounder_mmm(df)
    baseline.fit(X, y, **fit_kwargs)
    base = roas_summary(roas_draws(baseline), truth)

    tests = simulate_lift_tests(
        ds, lift_test_specs(df["date"].max(), LIFT_TESTS), sigma=LIFT_SIGMA, random_seed=seed
    )
    calibrated = build_confounder_mmm(df)
    calibrated.build_model(X, y)
    calibrated.add_lift_test_measurements(tests)
    calibrated.fit(X, y, **fit_kwargs)
    cal_draws = roas_draws(calibrated)
    cal = roas_summary(cal_draws, truth)

    shortcut = dated_lift_tests(
        truth,
        [(r.channel, r.x, r.delta_x, r.date) for r in tests.itertuples()],
        sigma=LIFT_SIGMA,
    )
    overstatement = (shortcut["delta_y"].to_numpy() / tests["true_delta_y"].to_numpy()) - 1
    increase = (tests["delta_x"] > 0).to_numpy()
    x1_increase = increase & (tests["channel"] == "x1").to_numpy()
    x1_go_dark = ~increase & (tests["channel"] == "x1").to_numpy()
    read_out_z = ((tests["delta_y"] - tests["true_delta_y"]) / tests["sigma"]).to_numpy()
    p_x2_first = roas_order_probability(cal_draws, "x2", "x1")
    return {
        "corr_x1_z": ds.truth["corr_x1_z"],
        "true_roas_x1": truth["x1"],
        "true_roas_x2": truth["x2"],
        "baseline_roas_x1": base.loc["x1", "mean"],
        "baseline_roas_x2": base.loc["x2", "mean"],
        "calibrated_roas_x1": cal.loc["x1", "mean"],
        "calibrated_roas_x2": cal.loc["x2", "mean"],
        "calibrated_x1_hdi_lower": cal.loc["x1", "hdi_lower"],
        "calibrated_x1_hdi_upper": cal.loc["x1", "hdi_upper"],
        "baseline_x1_hdi_lower": base.loc["x1", "hdi_lower"],
        "baseline_x1_hdi_upper": base.loc["x1", "hdi_upper"],
        "x1_go_dark_noise_z": float(read_out_z[x1_go_dark][0]),
        "baseline_x2_rel_error": base.loc["x2", "error"] / truth["x2"],
        "baseline_ranks_x1_first": bool(base.loc["x1", "mean"] > base.loc["x2", "mean"]),
        "calibrated_p_x2_first": p_x2_first,
        "shortcut_x1_increase_overstatement": float(np.mean(overstatement[x1_increase])),
        "shortcut_go_dark_overstatement": float(np.mean(overstatement[~increase])),
        "divergences_baseline": divergences(baseline),
        "divergences_calibrated": divergences(calibrated),
        "claim_baseline_overstates_x1": bool(base.loc["x1", "error"] > 0),
        "claim_calibrated_x1_covers_truth": bool(cal.loc["x1", "covered"]),
        "claim_calibrated_x1_error_smaller": bool(
            cal.loc["x1", "abs_error"] < base.loc["x1", "abs_error"]
        ),
        "claim_calibrated_ranks_x2_first": bool(p_x2_first > 0.9),
        "claim_shortcut_overstates_increases": bool(np.all(overstatement[increase] > 0)),
    }
