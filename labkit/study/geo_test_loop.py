"""Study of the geo design loop: design a geo test, run it, read it with CausalPy, calibrate.

Each seed simulates a new ``geo_panel`` and keeps the weeks before its test: the
data a team has when it designs one. On them it

1. fits the geo MMM (:func:`labkit.geo.build_geo_mmm`, the geo chapter's
   sampler options);
2. ranks single treated geos x channels x spend changes x durations with
   :class:`labkit.design.GeoDesigner` (placebo noise from CausalPy synthetic
   controls on the pre-period) and picks a design with
   :func:`labkit.design.choose_design` (among every candidate when no geo's
   pre-period synthetic control reaches the feasibility R², recorded as
   ``feasible = False``);
3. checks the design's assurance: :data:`N_DETECTION_TESTS` simulated tests in
   new noise draws of the same world, read by the placebo-calibrated synthetic
   control (:func:`labkit.design.simulate_placebo_detection`);
4. runs the design in the panel's world (:func:`labkit.data.experiments.run_geo_test`,
   the sales with and without the change, same noise), reads each treated geo's
   lift with CausalPy (:func:`labkit.geo.synthetic_control_lift_tests`, the
   adstock decay from step 1's posterior, the standard error the larger of
   CausalPy's and the placebo sd the design was ranked with), and
5. refits the same model on the same weeks with those lift tests, and compares
   the two fits with the truth (:class:`labkit.geo.CalibrationReport`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from scipy.special import ndtri

from labkit.stats import HDI_PROB

if TYPE_CHECKING:
    import arviz as az

__all__ = ["CLAIMS", "DESIGN_GRID", "N_DETECTION_TESTS", "geo_test_loop_study"]

DESIGN_GRID: dict[str, Any] = {"spend_changes": (0.5, 1.0), "durations": (4, 6, 8)}
"""Spend changes and durations the designer ranks (with every single geo and both channels)."""

N_DETECTION_TESTS = 12
"""Simulated tests per world that check the chosen design's assurance."""

Z_HDI = float(ndtri(0.5 + HDI_PROB / 2))
"""The normal quantile of a central interval of probability :data:`labkit.stats.HDI_PROB`."""

CLAIMS = [
    "claim_lift_closer",
    "claim_lift_narrows",
    "claim_roas_narrows",
    "claim_learning_within_25_percent",
    "claim_beta_bias_improves_tested_geo",
    "claim_curve_closer",
]
"""The claims that need the calibrated fit (all False when no estimate is kept)."""


def _learning_diagnostics(
    designer: Any, best: Any, model: Any, table: Any, seed: int
) -> dict[str, float]:
    """Why the realised ROAS-sd reduction differs from the predicted one: the read, reweighted.

    ``predicted_read_sigma``: the learning value with the read's own sd instead of the
    design's; ``reweighted_realised``: the reduction the designer's draws give after
    the one read this panel produced (reweighting, no refit); ``reweighted_term``: the
    same with the lift-test term the refit uses (the steady-state rise of the curve at
    the table's ``x``) instead of the designer's ramp-aware lift at current spend;
    ``term_over_designer``: the two lifts' posterior means, on the read's scale.
    """
    import numpy as np

    from labkit.design.learning import expected_sd_reduction, reweighted_sd
    from labkit.geo import lift_test_draws

    d = designer.designer
    read = table.iloc[0]
    geo, channel = str(read["geo"]), str(best["channel"])
    # the read's weekly steady-state lift -> the total the designer predicts, model scale
    span = float(read["n_weeks"] * read["ramp_fraction"]) / float(
        d.target_scale[d.units.index(geo)]
    )
    outcome, sd = float(read["delta_y"]) * span, float(read["sigma"]) * span
    lifts = d.lift_draws(channel, float(best["spend_change"]), int(best["duration"]), geo)
    roas = d.steady_state_roas(channel, geo)
    before = float(roas.std())
    rng = np.random.default_rng(seed)
    predicted = expected_sd_reduction(lifts[None], np.array([sd]), roas[None], rng=rng)
    after, ess = reweighted_sd(lifts, sd, roas, outcome)
    term: Any = lift_test_draws(model.idata, table.iloc[:1]).isel(test=0)
    term = term.stack(sample=("chain", "draw")).to_numpy() * span
    out = {
        "predicted_read_sigma": float(predicted.reduction[0]),
        "reweighted_realised": 1.0 - after / before,
        "reweighted_ess": ess,
        "reweighted_term": float("nan"),
        "term_over_designer": float("nan"),
    }
    if term.shape == lifts.shape:  # the designer keeps every draw in the fit's order
        after_term, _ = reweighted_sd(term, sd, roas, outcome)
        out["reweighted_term"] = 1.0 - after_term / before
        out["term_over_designer"] = float(term.mean() / lifts.mean())
    return out


def geo_test_loop_study(seed: int) -> dict[str, Any]:
    """Design, run, read and calibrate a geo test in the panel ``seed``."""
    import numpy as np

    from labkit.data import loaded, simulate_geo_panel
    from labkit.data.experiments import before_test, geo_expected_sales, run_geo_test
    from labkit.design import (
        ExperimentDesigner,
        GeoDesigner,
        choose_design,
        simulate_placebo_detection,
    )
    from labkit.geo import (
        CalibrationReport,
        build_geo_mmm,
        compare_lift_tests,
        geo_xy,
        lift_test_draws,
        oracle_lift_tests,
        posterior_adstock_alpha,
        screen_lift_signs,
        synthetic_control_lift_tests,
    )
    from labkit.sampling import mmm_fit_kwargs
    from labkit.stats import hdi
    from labkit.study.geo_calibration import FIT_OPTIONS

    panel = loaded(simulate_geo_panel(seed=seed))
    before = before_test(panel)
    X, y = geo_xy(before)
    fit_kwargs = mmm_fit_kwargs(seed, **FIT_OPTIONS) | {"progressbar": False}
    model = build_geo_mmm(before)
    model.fit(X, y, **fit_kwargs)

    designer = GeoDesigner(ExperimentDesigner.from_mmm(model, random_seed=seed), before.data)
    ranking = designer.rank(**DESIGN_GRID, random_seed=seed, progress=False)
    feasible = bool(ranking.table["feasible"].any())
    best = choose_design(ranking, feasible_only=feasible)
    geos = list(best["treated_set"])
    expected, noise_sd = geo_expected_sales(before)
    detection = simulate_placebo_detection(
        designer, expected, noise_sd, geos, best["channel"], best["spend_change"],
        int(best["duration"]), sigma=float(best["sigma"]), n_tests=N_DETECTION_TESTS,
        random_seed=seed,
    )  # fmt: skip

    run = run_geo_test(
        panel, geos, best["channel"], int(best["duration"]), spend_change=best["spend_change"]
    )
    run_before = before_test(run)
    alpha = posterior_adstock_alpha(model, best["channel"])
    (geo,) = geos  # the grid's candidates are single geos
    read = synthetic_control_lift_tests(
        run, adstock_alpha=alpha, placebo_sigma=designer.read_placebo_sigma(best),
        random_seed=seed, progress=False,
    )  # fmt: skip
    table = read.table
    oracle = oracle_lift_tests(run)
    comparison = compare_lift_tests(oracle, table)
    kept, dropped = screen_lift_signs(table)
    row: dict[str, Any] = {
        "treated_set": "+".join(best["treated_set"]),
        "channel": best["channel"],
        "spend_change": float(best["spend_change"]),
        "duration": int(best["duration"]),
        "assurance": float(best["assurance"]),
        "learning_value": float(best["learning_value"]),
        "learning_ess": float(best["learning_ess"]),
        "feasible": feasible,
        "sigma_model": float(best["sigma_model"]),
        "sigma_placebo": float(best["sigma_placebo"]),
        "detected": int(detection["significant"].sum()),
        "n_detection_tests": len(detection),
        "sigma_causalpy": float(table["sigma_causalpy"].iloc[0]),
        "sigma_read": float(table["sigma"].iloc[0]),
        "read_z": float((table["delta_y"] / table["sigma"]).iloc[0]),
        "true_lift_over_se": float((oracle["delta_y"] / table["sigma"]).iloc[0]),
        "read_error_z": float(((table["delta_y"] - oracle["delta_y"]) / table["sigma"]).iloc[0]),
        "read_error_z_causalpy": float(
            ((table["delta_y"] - oracle["delta_y"]) / table["sigma_causalpy"]).iloc[0]
        ),
        "dropped": len(dropped),
    }
    # the simulated reads (new noise, a posterior draw of the lift): does their interval cover?
    # the design's sd, and the placebo sd widened for its few independent windows
    error = detection["estimate"] - detection["true_lift"]
    row["placebo_windows"] = int(best["placebo_windows"])
    row["sigma_read_design"] = float(best["sigma_read"])
    row["sim_reads_covered"] = int((error.abs() < Z_HDI * float(best["sigma"])).sum())
    row["sim_reads_covered_read_sigma"] = int(
        (error.abs() < Z_HDI * float(best["sigma_read"])).sum()
    )
    row["sim_reads_error_z_rms"] = float(np.sqrt(np.mean((error / float(best["sigma"])) ** 2)))
    row |= _learning_diagnostics(designer, best, model, table, seed)
    row["claim_read_covers_truth"] = bool(comparison["covers_oracle"].all())
    row["claim_causalpy_sd_covers_truth"] = bool(abs(row["read_error_z_causalpy"]) < Z_HDI)
    if kept.empty:  # every estimate contradicts the change: nothing to calibrate with
        nan = float("nan")
        metrics = ["lift_error_before", "lift_error_after", "lift_width_ratio"]
        metrics += ["roas_sd_reduction_predicted", "roas_sd_reduction_realised"]
        metrics += ["learning_ratio", "beta_bias_tested_geo", "beta_precision_tested_geo"]
        metrics += ["beta_bias_mean", "curve_rmse_ratio"]
        return row | {"divergences": 0} | dict.fromkeys(metrics, nan) | dict.fromkeys(CLAIMS, False)
    calibrated = build_geo_mmm(run_before, lift_tests=kept)
    calibrated.fit(X, y, **fit_kwargs)
    report = CalibrationReport.from_fits(model, calibrated, run_before, lift_tests=kept)
    params = report.parameters
    beta = params[
        (params["parameter"] == "saturation_beta") & (params["channel"] == best["channel"])
    ]
    tested = beta[beta["geo"].isin(geos)]
    curves = report.curve_summary()["rmse"].unstack("model").loc[best["channel"]]
    lift = {
        name: lift_test_draws(cast("az.InferenceData", fit.idata), oracle).sum("test")
        for name, fit in (("before", model), ("after", calibrated))
    }
    error = {k: abs(float(v.mean()) - float(oracle["delta_y"].sum())) for k, v in lift.items()}
    width = {k: float(np.diff(hdi(v.to_numpy().ravel()))[0]) for k, v in lift.items()}
    after = ExperimentDesigner.from_mmm(calibrated, random_seed=seed)
    sd = {
        k: float(d.steady_state_roas(best["channel"], geo).std())
        for k, d in (("before", designer.designer), ("after", after))
    }
    realised = 1.0 - sd["after"] / sd["before"]
    return row | {
        "divergences": int(max(report.divergences.values())),
        "lift_error_before": error["before"],
        "lift_error_after": error["after"],
        "lift_width_ratio": width["after"] / width["before"],
        "roas_sd_reduction_predicted": float(best["learning_value"]),
        "roas_sd_reduction_realised": float(realised),
        "learning_ratio": float(realised / best["learning_value"]),
        "beta_bias_tested_geo": float(tested["bias_improvement"].mean()),
        "beta_precision_tested_geo": float(tested["precision_improvement"].mean()),
        "beta_bias_mean": float(beta["bias_improvement"].mean()),
        "curve_rmse_ratio": float(curves["calibrated"] / curves["uncalibrated"]),
        "claim_lift_closer": bool(error["after"] < error["before"]),
        "claim_lift_narrows": bool(width["after"] < width["before"]),
        "claim_roas_narrows": bool(realised > 0),
        "claim_learning_within_25_percent": bool(
            abs(realised / best["learning_value"] - 1) <= 0.25
        ),
        "claim_beta_bias_improves_tested_geo": bool(tested["bias_improvement"].mean() > 0),
        "claim_curve_closer": bool(curves["calibrated"] < curves["uncalibrated"]),
    }
