"""Study of chapter 2: what geo lift tests teach a hierarchical MMM, over many panels.

Each seed simulates a new ``geo_panel`` (new spend, geo parameters and noise) and
runs the chapter's three fits with the functions the notebook calls: without lift
tests, with the oracle tests, and with the tests a team would have, estimated by
CausalPy synthetic controls (sign-contradicting estimates dropped,
:func:`labkit.geo.screen_lift_signs`). The claims are the chapter's assertions;
the notebook asserts that its sampler options are :data:`FIT_OPTIONS`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FIT_OPTIONS", "geo_calibration_study"]

FIT_OPTIONS: dict[str, Any] = {"hierarchical": True, "target_accept": 0.99}
"""The chapter's sampler options (with :func:`labkit.sampling.mmm_fit_kwargs`)."""


def geo_calibration_study(seed: int) -> dict[str, Any]:
    """Uncalibrated, oracle-calibrated and estimate-calibrated fits of the geo panel ``seed``."""
    from labkit.data import loaded, simulate_geo_panel
    from labkit.geo import (
        CalibrationReport,
        build_geo_mmm,
        calibration_scorecard,
        compare_lift_tests,
        geo_xy,
        oracle_lift_tests,
        posterior_adstock_alpha,
        screen_lift_signs,
        synthetic_control_lift_tests,
    )
    from labkit.sampling import mmm_fit_kwargs

    ds = loaded(simulate_geo_panel(seed=seed))
    X, y = geo_xy(ds)
    fit_kwargs = mmm_fit_kwargs(seed, **FIT_OPTIONS) | {"progressbar": False}
    uncalibrated = build_geo_mmm(ds)
    uncalibrated.fit(X, y, **fit_kwargs)
    oracle = oracle_lift_tests(ds)
    calibrated = build_geo_mmm(ds, lift_tests=oracle)
    calibrated.fit(X, y, **fit_kwargs)

    alpha = posterior_adstock_alpha(uncalibrated, ds.truth["test_channel"])
    sc = synthetic_control_lift_tests(ds, adstock_alpha=alpha, random_seed=seed, progress=False)
    comparison = compare_lift_tests(oracle, sc.table)
    kept, dropped = screen_lift_signs(sc.table)
    estimated = build_geo_mmm(ds, lift_tests=kept)
    estimated.fit(X, y, **fit_kwargs)

    report = CalibrationReport.from_fits(uncalibrated, calibrated, ds, lift_tests=oracle)
    report_est = CalibrationReport.from_fits(uncalibrated, estimated, ds, lift_tests=kept)
    card = calibration_scorecard({"oracle": report, "estimated": report_est})
    one, two = card["channel_1"], card["channel_2"]
    beta1 = report.parameters.query("parameter == 'saturation_beta' and channel == 'channel_1'")
    groups = report.summary().loc[("saturation_beta", "channel_1"), "precision_improvement"]
    oracle_gain = float(one.loc["oracle", "beta_precision"])
    est_gain = float(one.loc["estimated", "beta_precision"])
    n_cover = int(comparison["covers_oracle"].sum())
    r2_change = float(card.loc["oracle", ("fit", "r2")] - card.loc["uncalibrated", ("fit", "r2")])
    lam1_precision = float(one.loc["oracle", "lam_precision"])
    lam1_bias = float(one.loc["oracle", "lam_bias"])
    return {
        "divergences_uncalibrated": report.divergences["uncalibrated"],
        "divergences_calibrated": report.divergences["calibrated"],
        "divergences_estimated": report_est.divergences["calibrated"],
        "beta1_precision_oracle": oracle_gain,
        "beta1_precision_estimated": est_gain,
        "beta1_precision_kept": est_gain / oracle_gain if oracle_gain > 0 else float("nan"),
        "beta1_bias_oracle": float(one.loc["oracle", "beta_bias"]),
        "beta2_bias_oracle": float(two.loc["oracle", "beta_bias"]),
        "beta1_bias_estimated": float(one.loc["estimated", "beta_bias"]),
        "lam1_precision": lam1_precision,
        "lam1_bias": lam1_bias,
        "r2_change": r2_change,
        "sc_covers_oracle": n_cover,
        "sc_dropped": len(dropped),
        "curve_rmse_ratio_1": float(
            one.loc["oracle", "curve_rmse"] / one.loc["uncalibrated", "curve_rmse"]
        ),
        "curve_rmse_ratio_2": float(
            two.loc["oracle", "curve_rmse"] / two.loc["uncalibrated", "curve_rmse"]
        ),
        "claim_beta1_narrows_in_every_treated_geo": bool(
            (beta1.loc[beta1["treated"], "precision_improvement"] > 0).all()
        ),
        "claim_beta1_narrows_in_control_geos": bool(groups["control"] > 0),
        "claim_beta_bias_improves_both_channels": bool(
            one.loc["oracle", "beta_bias"] > 0 and two.loc["oracle", "beta_bias"] > 0
        ),
        "claim_fit_unchanged": bool(abs(r2_change) < 0.01),
        "claim_lam1_narrows_without_moving": bool(lam1_precision > 0 and abs(lam1_bias) < 15),
        "claim_curves_closer_both_channels": bool(
            one.loc["oracle", "curve_rmse"] < one.loc["uncalibrated", "curve_rmse"]
            and two.loc["oracle", "curve_rmse"] < two.loc["uncalibrated", "curve_rmse"]
        ),
        "claim_channel_2_lam_alpha_gain_nothing": bool(
            two.loc["oracle", "lam_precision"] <= 0 and two.loc["oracle", "alpha_precision"] <= 0
        ),
        "claim_sc_covers_three_of_four": bool(n_cover >= 3),
        "claim_estimated_beta1_bias_improves": bool(one.loc["estimated", "beta_bias"] > 0),
        "claim_estimated_curve_1_closer": bool(
            one.loc["estimated", "curve_rmse"] < one.loc["uncalibrated", "curve_rmse"]
        ),
    }
