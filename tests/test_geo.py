"""The geo-calibration chapter's library: priors, model builder, curves, metrics, report."""

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from fakes import fake_geo_idata
from pymc_marketing.mmm.lift_test import UnalignedValuesError

from labkit import load_dataset
from labkit.data import Dataset
from labkit.geo.curves import (
    expected_sales,
    geo_truth,
    lift_test_draws,
    saturation_curves,
    true_curves,
)
from labkit.geo.lift_tests import lift_constraint_beta, oracle_lift_tests
from labkit.geo.metrics import curve_recovery, fit_metrics, precision_improvement
from labkit.geo.model import (
    POOLING,
    build_geo_mmm,
    centred_priors,
    geo_priors,
    geo_xy,
    pooling_table,
    spend_correlation_by_geo,
)
from labkit.geo.report import CalibrationReport
from labkit.geo.synthetic_control import synthetic_control_lift_tests
from labkit.response import logistic

# --------------------------------------------------------------------------- metrics


def test_curve_recovery_by_hand():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    truth = xr.DataArray([0.0, 1.0, 2.0, 3.0], dims="x", coords={"x": x})
    # every draw is truth + 0.5 on the first two points and truth + offsets in [-0.1, 0.1] after
    offsets = np.linspace(-0.1, 0.1, 1001)
    draws = (
        np.tile(truth.to_numpy(), (1001, 1))
        + np.c_[np.full(1001, 0.5), np.full(1001, 0.5), offsets, offsets]
    )
    curves = xr.DataArray(draws[None], dims=("chain", "draw", "x"), coords={"x": x})
    out = curve_recovery(curves, truth)
    # mean error 0.5, 0.5, 0, 0 -> rmse sqrt(0.5 / 4)
    assert float(out["rmse"]) == pytest.approx(np.sqrt(0.5 / 4))
    assert float(out["max_abs_error"]) == pytest.approx(0.5)
    # the band misses the truth where every draw is +0.5, holds it elsewhere
    assert float(out["coverage"]) == pytest.approx(0.5)
    lo, hi = az.hdi(offsets, hdi_prob=0.94)
    assert float(out["band_width"]) == pytest.approx((hi - lo) / 2, rel=1e-6)


def test_curve_recovery_checks():
    c = xr.DataArray(np.ones((1, 20, 3)), dims=("chain", "draw", "x"))
    t = xr.DataArray(np.ones(3), dims="x")
    with pytest.raises(TypeError, match="DataArray"):
        curve_recovery(c.to_numpy(), t)
    with pytest.raises(ValueError, match="dim 'spend'"):
        curve_recovery(c, t, dim="spend")
    with pytest.raises(ValueError, match="hdi_prob"):
        curve_recovery(c, t, hdi_prob=1.5)
    with pytest.raises(ValueError, match="chain"):
        curve_recovery(c.isel(chain=0), t)


def test_fit_metrics_by_hand():
    obs = xr.DataArray([[1.0, 2.0], [2.0, 2.0], [3.0, 5.0]], dims=("date", "geo"))
    pred = xr.DataArray([[1.0, 2.0], [2.0, 3.0], [4.0, 4.0]], dims=("date", "geo"))
    out = fit_metrics(obs, pred)
    # geo 0: residuals 0, 0, -1; SS_tot 2 -> R² 0.5, RMSE sqrt(1/3)
    assert float(out["r2"][0]) == pytest.approx(0.5)
    assert float(out["rmse"][0]) == pytest.approx(np.sqrt(1 / 3))
    # geo 1: residuals 0, -1, 1; mean 3, SS_tot 1 + 1 + 4 = 6 -> R² 1 - 2/6
    assert float(out["r2"][1]) == pytest.approx(1 - 2 / 6)
    # posterior samples reduce to their mean first
    samples = pred.expand_dims(chain=[0], draw=[0, 1]).copy()
    samples[0, 0] += 1
    samples[0, 1] -= 1
    assert np.allclose(fit_metrics(obs, samples)["r2"], out["r2"])
    with pytest.raises(ValueError, match="constant"):
        fit_metrics(xr.DataArray(np.ones((3, 2)), dims=("date", "geo")), pred)
    with pytest.raises(TypeError, match="DataArray"):
        fit_metrics(obs.to_numpy(), pred)
    with pytest.raises(ValueError, match="dim 'week'"):
        fit_metrics(obs, pred, dim="week")


# --------------------------------------------------------------------------- priors and model


def test_geo_priors_are_non_centred_with_channel_hyperpriors():
    table = pooling_table()
    assert set(table["parameter"]) == {"adstock_alpha", "saturation_lam", "saturation_beta"}
    assert not table["centred"].any()
    assert table["pooling"].str.startswith("partial pooling").all()
    for params in geo_priors().values():
        for prior in params.values():
            assert tuple(prior.dims) == ("geo", "channel") and prior.transform in {"exp", "sigmoid"}
    seed = pooling_table(centred_priors())
    assert seed["centred"].all() and seed["pooling"].str.startswith("partial pooling").all()


def test_build_geo_mmm_structure_and_checks(geo):
    mmm = build_geo_mmm(geo, lift_tests=oracle_lift_tests(geo))
    names = {v.name for v in mmm.model.free_RVs}
    assert "saturation_lam_raw_offset" in names and "saturation_beta_raw_offset" in names
    assert any("lift" in v.name for v in mmm.model.observed_RVs)
    centred = build_geo_mmm(geo, parameterization="centered")
    assert "saturation_lam" in {v.name for v in centred.model.free_RVs}
    with pytest.raises(ValueError, match="parameterization"):
        build_geo_mmm(geo, parameterization="funnel")
    bad = oracle_lift_tests(geo).assign(sigma=-1.0)
    with pytest.raises(ValueError, match="sigma <= 0"):
        build_geo_mmm(geo, lift_tests=bad)
    with pytest.raises(ValueError, match="geo_panel"):
        build_geo_mmm(load_dataset("confounded"))


def test_lift_table_checks_left_to_pymc_marketing(geo):
    """What validate_lift_tests does not repeat, add_lift_test_measurements reports."""
    oracle = oracle_lift_tests(geo)
    with pytest.raises(UnalignedValuesError):
        build_geo_mmm(geo, lift_tests=oracle.assign(geo="geo_99"))
    with pytest.raises(ValueError, match="not monotonic"):
        build_geo_mmm(geo, lift_tests=oracle.assign(delta_y=-oracle["delta_y"]))
    with pytest.raises(KeyError, match="geo column is required"):
        build_geo_mmm(geo, lift_tests=oracle.drop(columns="geo"))
    # extra columns (an interval from a synthetic control) are dropped, not an error
    extra = oracle.assign(delta_y_low=0.0, delta_y_high=1.0)
    assert any("lift" in v.name for v in build_geo_mmm(geo, lift_tests=extra).model.observed_RVs)


def test_geo_xy_and_spend_correlation(geo):
    X, y = geo_xy(geo)
    assert list(X.columns) == ["date", "geo", "channel_1", "channel_2"] and y.name == "y"
    corr = spend_correlation_by_geo(geo)
    assert list(corr.columns) == ["geo", "treated", "correlation"]
    assert list(corr["geo"]) == geo.truth["geos"]
    assert set(corr.loc[corr["treated"], "geo"]) == set(geo.truth["treated_geos"])
    g = geo.data[(geo.data["geo"] == "geo_03") & ~geo.data["experiment"]]
    by_hand = np.corrcoef(g["channel_1"], g["channel_2"])[0, 1]
    assert corr.set_index("geo").loc["geo_03", "correlation"] == pytest.approx(by_hand)
    assert (corr["correlation"] > 0.97).all()  # near-collinear in every geo
    with pytest.raises(ValueError, match="geo_panel"):
        spend_correlation_by_geo(load_dataset("confounded"))


def test_geo_truth_and_true_curves(geo):
    t = geo_truth(geo, target_scale=2.0)
    g, c = "geo_03", "channel_2"
    assert float(t["saturation_beta"].sel(geo=g, channel=c)) == pytest.approx(
        geo.truth["saturation_beta"][g][c] / 2.0
    )
    with pytest.raises(ValueError, match="target_scale"):
        geo_truth(geo, target_scale=0.0)
    # a model with another channel scale reads the same curve with lam scaled by its scale
    own = geo.truth["channel_scale"]
    other = geo_truth(geo, channel_scale={"channel_1": own["channel_1"], "channel_2": 2 * own[c]})
    assert float(other["saturation_lam"].sel(geo=g, channel=c)) == pytest.approx(
        2 * geo.truth["saturation_lam"][g][c], rel=1e-12
    )
    same = geo_truth(geo, channel_scale=own)
    assert same["saturation_lam"].equals(geo_truth(geo)["saturation_lam"])
    with pytest.raises(ValueError, match=r"channel_scale must give a scale for channel"):
        geo_truth(geo, channel_scale={"channel_1": 1.0})
    with pytest.raises(ValueError, match=r"channel_scale\['channel_1'\]"):
        geo_truth(geo, channel_scale={"channel_1": -1.0, "channel_2": 1.0})
    x = np.array([0.0, 0.3, 0.9])
    curve = true_curves(geo, x).sel(geo=g, channel=c)
    lam, beta = geo.truth["saturation_lam"][g][c], geo.truth["saturation_beta"][g][c]
    u = np.exp(-lam * x / geo.truth["channel_scale"][c])
    np.testing.assert_allclose(curve, beta * (1 - u) / (1 + u), atol=1e-12)


def test_saturation_curves_and_expected_sales(geo):
    idata = fake_geo_idata(geo, chains=1, draws=20)
    x = np.array([0.0, 0.5, 1.0])
    curves = saturation_curves(idata, x)
    assert curves.dims == ("chain", "draw", "geo", "channel", "x")
    post = idata.posterior.isel(chain=0, draw=3).sel(geo="geo_01", channel="channel_1")
    u = np.exp(-post["saturation_lam"].item() * x / geo.truth["channel_scale"]["channel_1"])
    expected = post["saturation_beta"].item() * (1 - u) / (1 + u)
    np.testing.assert_allclose(
        curves.isel(chain=0, draw=3).sel(geo="geo_01", channel="channel_1"), expected, atol=1e-12
    )
    with pytest.raises(ValueError, match="1-D grid"):
        saturation_curves(idata, np.array([-1.0, 0.5]))
    mu = expected_sales(idata)
    assert mu.dims == ("chain", "draw", "date", "geo")
    manual = (
        idata.posterior["intercept_contribution"]
        + idata.posterior["channel_contribution"].sum("channel")
    ).transpose(*mu.dims)
    np.testing.assert_allclose(mu, manual)


# --------------------------------------------------------------------------- synthetic control


def _known_effect_panel(effect: float, weeks: int = 60, window: int = 8) -> Dataset:
    """Four control geos sharing a common factor; one treated geo gets +effect in the window."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    common = rng.uniform(1.0, 2.0, weeks)
    geos = ["t0", "c0", "c1", "c2", "c3"]
    in_window = np.arange(weeks) >= weeks - window
    frames = []
    for i, g in enumerate(geos):
        y = common + 0.1 * i + rng.normal(0, 0.02, weeks)
        spend = np.full(weeks, 0.5)
        treated = g == "t0"
        if treated:
            y = y + effect * in_window
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "geo": g,
                    "channel_1": spend + 0.2 * (treated & in_window),
                    "channel_1_counterfactual": spend,
                    "experiment": in_window,
                    "y": y,
                }
            )
        )
    truth = {
        "treated_geos": ["t0"],
        "control_geos": ["c0", "c1", "c2", "c3"],
        "test_channel": "channel_1",
        "l_max": 8,
        "experiment_start": str(dates[weeks - window].date()),
    }
    return Dataset("geo_panel", pd.concat(frames, ignore_index=True), truth, "known effect")


@pytest.mark.slow
def test_synthetic_control_lift_tests_recover_a_known_weekly_effect():
    ds = _known_effect_panel(0.3)
    kw = {"chains": 2, "draws": 300, "tune": 300, "random_seed": 1, "progressbar": False}
    sc = synthetic_control_lift_tests(ds, sample_kwargs=kw, progress=False)
    row = sc.table.iloc[0]
    assert row["geo"] == "t0" and row["n_weeks"] == 8
    assert row["x"] == pytest.approx(0.5) and row["delta_x"] == pytest.approx(0.2)
    # per-week lift, not the 8-week total (2.4)
    assert row["delta_y"] == pytest.approx(0.3, abs=0.05)
    assert row["delta_y_low"] < 0.3 < row["delta_y_high"]
    # adstock-aware: the window sees the ramp's mean fraction of the steady state
    aware = synthetic_control_lift_tests(ds, sample_kwargs=kw, adstock_alpha=0.5, progress=False)
    frac = aware.table["ramp_fraction"].iloc[0]
    assert 0.8 < frac < 0.95
    assert aware.table["delta_y"].iloc[0] == pytest.approx(row["delta_y"] / frac, rel=0.02)
    with pytest.raises(ValueError, match="treated geo"):
        synthetic_control_lift_tests(ds, adstock_alpha={"x": 0.5}, progress=False)
    # the same read on a user's panel under its own column names, with any adstock's ramp
    from labkit.geo.synthetic_control import read_geo_tests

    panel = ds.data.rename(columns={"date": "week", "geo": "region", "y": "revenue"})
    mine = read_geo_tests(
        panel[["week", "region", "revenue"]], ["t0"], ds.truth["experiment_start"],
        channel="channel_1", x={"t0": 0.5}, delta_x={"t0": 0.2}, date="week", geo="region",
        value="revenue", ramp_fraction=frac, sample_kwargs=kw,
    )  # fmt: skip
    assert mine.table["delta_y"].iloc[0] == pytest.approx(aware.table["delta_y"].iloc[0], rel=0.02)
    assert mine.table["ramp_fraction"].iloc[0] == frac
    # read on another scale, reported in sales units
    scaled = read_geo_tests(
        ds.data, ["t0"], ds.truth["experiment_start"], channel="channel_1", x={"t0": 0.5},
        delta_x={"t0": 0.2}, scale=0.1, sample_kwargs=kw,
    )  # fmt: skip
    assert scaled.table["delta_y"].iloc[0] == pytest.approx(row["delta_y"], rel=0.05)
    assert scaled.table["delta_y_low"].iloc[0] < 0.3 < scaled.table["delta_y_high"].iloc[0]


def test_read_geo_tests_names_bad_input():
    from labkit.geo.synthetic_control import read_geo_tests

    ds = _known_effect_panel(0.3)
    start = ds.truth["experiment_start"]
    args = {"channel": "channel_1", "x": {"t0": 0.5}, "delta_x": {"t0": 0.2}}
    with pytest.raises(ValueError, match=r"missing column\(s\) \['sales'\].*value="):
        read_geo_tests(ds.data, ["t0"], start, value="sales", **args)
    with pytest.raises(ValueError, match=r"treated geos \['nowhere'\] are not in the panel"):
        read_geo_tests(ds.data, ["nowhere"], start, **args)
    with pytest.raises(ValueError, match="start must fall after the panel's first week"):
        read_geo_tests(ds.data, ["t0"], "1990-01-07", **args)
    with pytest.raises(ValueError, match=r"x has no value for treated geo\(s\) \['t0'\]"):
        read_geo_tests(ds.data, ["t0"], start, **(args | {"x": {"t9": 1.0}}))
    with pytest.raises(ValueError, match="control_geos must be panel geos that are not treated"):
        read_geo_tests(ds.data, ["t0"], start, control_geos=["t0"], **args)
    with pytest.raises(TypeError, match="panel must be a DataFrame"):
        read_geo_tests(ds.data.to_numpy(), ["t0"], start, **args)
    with pytest.raises(ValueError, match=r"^scale must be"):
        read_geo_tests(ds.data, ["t0"], start, scale=0.0, **args)


# --------------------------------------------------------------------------- report


def test_report_tables_match_the_metric_functions(report, geo):
    uncal = fake_geo_idata(geo, beta_sd=0.08, shift=0.05, seed=1)
    cal = fake_geo_idata(geo, beta_sd=0.02, seed=2)
    pi = precision_improvement(uncal.posterior["saturation_beta"], cal.posterior["saturation_beta"])
    row = report.parameters.query(
        "parameter == 'saturation_beta' and geo == 'geo_02' and channel == 'channel_1'"
    )
    assert row["precision_improvement"].item() == pytest.approx(
        float(pi.sel(geo="geo_02", channel="channel_1"))
    )
    assert len(report.parameters) == 8 * 2 * 3
    assert report.parameters["treated"].sum() == 4 * 2 * 3
    # the calibrated fake is narrower and unbiased: positive improvements
    summary = report.summary()
    assert (summary.loc["saturation_beta", "precision_improvement"] > 40).all()
    assert (summary.loc["saturation_beta", "bias_improvement"] > 0).all()
    assert set(report.curves["model"]) == {"uncalibrated", "calibrated"}
    assert report.curves["coverage"].between(0, 1).all()
    fit = report.fit_summary()
    assert list(fit.index) == ["uncalibrated", "calibrated", "change"]
    assert report.divergences == {"uncalibrated": 0, "calibrated": 0}


def test_report_markdown(report):
    md = report.to_markdown()
    for heading in (
        "## Calibration report",
        "### Precision",
        "### Saturation-curve",
        "### In-sample",
    ):
        assert heading in md
    assert "saturation_beta" in md and "| channel_1" in md
    assert repr(report).startswith("CalibrationReport(8 geos, 4 lift tests, 94% HDI")


def test_report_input_checks(geo):
    idata = fake_geo_idata(geo, chains=1, draws=20)
    with pytest.raises(TypeError, match="uncalibrated"):
        CalibrationReport.from_fits(object(), idata, geo)
    broken = idata.copy()
    del broken.posterior["adstock_alpha"]
    with pytest.raises(ValueError, match="adstock_alpha"):
        CalibrationReport.from_fits(idata, broken, geo)
    with pytest.raises(ValueError, match="hdi_prob"):
        CalibrationReport.from_fits(idata, idata, geo, hdi_prob=0)
    with pytest.raises(ValueError, match="n_points"):
        CalibrationReport.from_fits(idata, idata, geo, n_points=1)
    with pytest.raises(ValueError, match="max_curve_draws"):
        CalibrationReport.from_fits(idata, idata, geo, max_curve_draws=2)
    with pytest.raises(ValueError, match="geo_panel"):
        CalibrationReport.from_fits(idata, idata, load_dataset("confounded"))


def test_lift_constraint_beta_passes_the_lift_test():
    lam = np.array([1.0, 3.0, 6.0])
    beta = lift_constraint_beta(lam, 0.4, 0.15, 0.05, channel_scale=1.1)
    lift = logistic(0.55 / 1.1, lam, beta) - logistic(0.4 / 1.1, lam, beta)
    np.testing.assert_allclose(lift, 0.05, rtol=1e-12)
    # a curve in (lam, beta), not a point: the weight the test implies depends on lam
    assert np.ptp(beta) > 0.3
    with pytest.raises(ValueError, match="lam"):
        lift_constraint_beta([0.0, 1.0], 0.4, 0.15, 0.05)
    with pytest.raises(ValueError, match="channel_scale"):
        lift_constraint_beta(lam, 0.4, 0.15, 0.05, channel_scale=-1)
    with pytest.raises(ValueError, match="delta_x"):
        lift_constraint_beta(lam, 0.4, 0.0, 0.05)


# --------------------------------------------------------------------------- argument checks


def test_pooling_table_values_are_short_and_explained():
    table = pooling_table()
    assert list(table.columns) == [
        "parameter", "prior", "dims", "hyperpriors", "centred", "pooling",
    ]  # fmt: skip
    assert set(table["pooling"]) == {"partial pooling"} and "partial pooling" in POOLING
    assert list(table["prior"]) == ["Normal (sigmoid)", "Normal (exp)", "Normal (exp)"]
    with pytest.raises(TypeError, match=r"^priors must be a dict"):
        pooling_table(["lam"])
    with pytest.raises(TypeError, match=r"^priors\['saturation'\]\['lam'\] must be a pymc_extras"):
        pooling_table({"saturation": {"lam": 4.0}})


def test_geo_helpers_name_the_argument(geo):
    idata = fake_geo_idata(geo, chains=1, draws=20)
    with pytest.raises(TypeError, match=r"^target_scale must be a finite number > 0"):
        geo_truth(geo, target_scale="2")
    with pytest.raises(ValueError, match=r"^parameterization must be one of"):
        build_geo_mmm(geo, parameterization=["centered"])
    with pytest.raises(TypeError, match=r"^x must be a 1-D grid"):
        saturation_curves(idata, ["a", "b"])
    with pytest.raises(ValueError, match=r"^x must be a 1-D grid"):
        true_curves(geo, np.array([-0.1]))
    # one spend is a one-point grid, not an error
    assert saturation_curves(idata, 0.5).sizes["x"] == 1
    assert true_curves(geo, 0.5).sizes["x"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"adstock_alpha": 1.5}, ValueError, r"^adstock_alpha must be .* in \[0, 1\)"),
        ({"adstock_alpha": {"t0": -0.1}}, ValueError, r"^adstock_alpha\['t0'\] must be"),
        ({"demean": "yes"}, TypeError, "^demean must be True or False"),
        ({"progress": 1}, TypeError, "^progress must be True or False"),
        ({"random_seed": -1}, ValueError, "^random_seed must be an int >= 0"),
        ({"sample_kwargs": [("draws", 10)]}, TypeError, "^sample_kwargs must be a dict"),
        ({"placebo_sigma": {"x": 0.1}}, ValueError, r"^placebo_sigma has no value for treated"),
        ({"placebo_sigma": [0.1]}, TypeError, r"^placebo_sigma must be a dict"),
    ],
)
def test_synthetic_control_checks_before_sampling(kwargs, error, match):
    with pytest.raises(error, match=match):
        synthetic_control_lift_tests(_known_effect_panel(0.3), **kwargs)


def test_screen_lift_signs_drops_estimates_that_contradict_the_spend_change():
    from labkit.geo import screen_lift_signs, validate_lift_tests

    table = pd.DataFrame(
        {
            "channel": ["channel_1"] * 4,
            "geo": ["geo_00", "geo_02", "geo_04", "geo_06"],
            "x": [0.5] * 4,
            "delta_x": [0.15, 0.15, -0.15, -0.15],
            "delta_y": [0.05, -0.014, -0.03, 0.02],
            "sigma": [0.02] * 4,
        }
    )
    kept, dropped = screen_lift_signs(table)
    assert kept["geo"].tolist() == ["geo_00", "geo_04"]
    assert dropped["geo"].tolist() == ["geo_02", "geo_06"]
    assert dropped["reason"].str.contains("contradicts the spend change").all()
    validate_lift_tests(kept)
    with pytest.raises(ValueError, match="missing column"):
        screen_lift_signs(table.drop(columns="delta_y"))
    with pytest.raises(TypeError, match="DataFrame"):
        screen_lift_signs(table.to_dict())


def test_calibration_scorecard_compares_calibrations_of_one_fit():
    from labkit.geo import calibration_scorecard

    geo = load_dataset("geo_panel")
    uncal = fake_geo_idata(geo, beta_sd=0.08, shift=0.05, seed=1, draws=100)
    tight = fake_geo_idata(geo, beta_sd=0.02, seed=2, draws=100)
    loose = fake_geo_idata(geo, beta_sd=0.06, shift=0.03, seed=3, draws=100)
    oracle = oracle_lift_tests(geo)
    reports = {
        "tight": CalibrationReport.from_fits(uncal, tight, geo, lift_tests=oracle),
        "loose": CalibrationReport.from_fits(uncal, loose, geo, lift_tests=oracle.iloc[:3]),
    }
    card = calibration_scorecard(reports)
    assert list(card.index) == ["uncalibrated", "tight", "loose"]
    for label, report in reports.items():
        per_parameter = report.summary().groupby(level=["parameter", "channel"]).mean()
        expected = per_parameter.loc[("saturation_beta", "channel_1"), "precision_improvement"]
        assert card.loc[label, ("channel_1", "beta_precision")] == pytest.approx(expected)
        rmse = report.curve_summary()["rmse"]
        assert card.loc[label, ("channel_2", "curve_rmse")] == rmse.loc[("calibrated", "channel_2")]
    narrower = card.loc["tight", ("channel_1", "beta_precision")]
    assert narrower > card.loc["loose", ("channel_1", "beta_precision")] > 0
    assert (card.loc["uncalibrated", (slice(None), "beta_bias")] == 0).all()
    assert card[("fit", "lift_tests")].tolist() == [0, 4, 3]
    with pytest.raises(ValueError, match="no label 'uncalibrated'"):
        calibration_scorecard({"uncalibrated": reports["tight"]})
    with pytest.raises(ValueError, match="at least one"):
        calibration_scorecard({})
    with pytest.raises(TypeError, match="dict of label"):
        calibration_scorecard([reports["tight"]])
    other = CalibrationReport.from_fits(loose, tight, geo)
    with pytest.raises(ValueError, match="another uncalibrated fit"):
        calibration_scorecard({"tight": reports["tight"], "other": other})


def test_lift_test_draws_are_the_posterior_curves_rise_and_the_oracle_at_the_truth(geo):
    from labkit.geo import oracle_lift_tests

    idata = fake_geo_idata(geo, beta_sd=0.05, chains=1, draws=50)
    oracle = oracle_lift_tests(geo)
    draws = lift_test_draws(idata, oracle)
    assert draws.dims == ("chain", "draw", "test") and draws.sizes["test"] == len(oracle)
    row = oracle.iloc[1]
    curves = saturation_curves(idata, [row["x"], row["x"] + row["delta_x"]])
    one = curves.sel(geo=row["geo"], channel=row["channel"])
    np.testing.assert_allclose(draws.isel(test=1), one.isel(x=1) - one.isel(x=0), atol=1e-12)
    # a posterior that is the truth gives the oracle's lifts
    exact = idata.copy()
    t = geo_truth(geo)
    for name in ("saturation_lam", "saturation_beta"):
        exact.posterior[name] = exact.posterior[name] * 0 + t[name]
    at_truth = lift_test_draws(exact, oracle).isel(chain=0, draw=0).to_numpy()
    np.testing.assert_allclose(at_truth, oracle["delta_y"], atol=1e-10)
    with pytest.raises(ValueError, match=r"missing \['delta_x'\]"):
        lift_test_draws(idata, oracle.drop(columns="delta_x"))
    with pytest.raises(TypeError, match=r"^lift_tests must be a DataFrame"):
        lift_test_draws(idata, oracle.to_dict())
