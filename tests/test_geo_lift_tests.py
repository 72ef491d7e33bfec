"""Geo lift tests (oracle, checks, comparison, synthetic-control rows) and improvement metrics."""

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from fakes import FakeSyntheticControl, fake_geo_idata

from labkit import load_dataset
from labkit.geo.lift_tests import (
    compare_lift_tests,
    lift_constraint_beta,
    oracle_lift_tests,
    validate_lift_tests,
)
from labkit.geo.metrics import bias_improvement, precision_improvement
from labkit.geo.synthetic_control import lift_test_from_synthetic_control, posterior_adstock_alpha
from labkit.response import adstock_ramp, logistic
from labkit.stats import hdi_width


def _samples(loc, scale, n=4000, seed=0):
    return np.random.default_rng(seed).normal(loc, scale, n)


def test_metrics_by_hand():
    # uniform draws on [0, 1] and [0.25, 0.75]: HDI widths ~0.94 and ~0.47 -> 50 % narrower
    u = np.linspace(0, 1, 10_001)
    c = np.linspace(0.25, 0.75, 10_001)
    assert precision_improvement(u, c) == pytest.approx(50.0, abs=0.1)
    # truth 0.3: |0.5 - 0.3| = 0.2 before, |0.5 - 0.3| = 0.2 after -> no bias change
    assert bias_improvement(u, c, 0.3) == pytest.approx(0.0, abs=1e-9)
    # calibrated centred on the truth: bias 0.2 removed, 0.2 / 0.94 of the width
    moved = np.linspace(0.05, 0.55, 10_001)
    assert bias_improvement(u, moved, 0.3) == pytest.approx(0.2 / 0.94 * 100, rel=1e-3)


def test_metrics_match_arviz_and_vectorise():
    rng = np.random.default_rng(1)
    coords = {"geo": ["a", "b"], "channel": ["c1", "c2"]}
    u = xr.DataArray(
        rng.normal(1, 0.5, (2, 500, 2, 2)), dims=("chain", "draw", "geo", "channel"), coords=coords
    )
    c = xr.DataArray(
        rng.normal(1, 0.2, (2, 500, 2, 2)), dims=("chain", "draw", "geo", "channel"), coords=coords
    )
    out = precision_improvement(u, c)
    assert out.dims == ("geo", "channel")
    for g in coords["geo"]:
        for ch in coords["channel"]:
            wu = np.diff(az.hdi(u.sel(geo=g, channel=ch).to_numpy().ravel(), hdi_prob=0.94))[0]
            wc = np.diff(az.hdi(c.sel(geo=g, channel=ch).to_numpy().ravel(), hdi_prob=0.94))[0]
            assert float(out.sel(geo=g, channel=ch)) == pytest.approx((wu - wc) / wu * 100)
    truth = xr.DataArray([[1.0, 1.2], [0.8, 1.0]], dims=("geo", "channel"), coords=coords)
    assert bias_improvement(u, c, truth).dims == ("geo", "channel")
    assert hdi_width(u).shape == (2, 2)


def test_metric_input_checks():
    with pytest.raises(ValueError, match="chain"):
        precision_improvement(xr.DataArray(np.ones((3, 4)), dims=("a", "b")), np.ones(20))
    with pytest.raises(ValueError, match="1-D"):
        precision_improvement(np.ones((3, 4)), np.ones(20))


def test_oracle_lift_tests_from_truth():
    ds = load_dataset("geo_panel")
    lt = oracle_lift_tests(ds)
    assert list(lt["geo"]) == ds.truth["treated_geos"]
    assert (lt["delta_x"] == 0.15).all() and (lt["delta_y"] > 0).all() and (lt["sigma"] > 0).all()
    assert validate_lift_tests(lt) is lt
    with pytest.raises(ValueError, match="geo_panel"):
        oracle_lift_tests(load_dataset("confounded"))


def test_oracle_of_a_relative_change_uses_its_mean_applied_change():
    from labkit.data.experiments import run_geo_test

    run = run_geo_test(load_dataset("geo_panel"), ["geo_05"], "channel_2", 6, spend_change=0.5)
    (row,) = oracle_lift_tests(run).itertuples()
    test = run.data[run.data["experiment"] & (run.data["geo"] == "geo_05")]
    assert row.geo == "geo_05" and row.channel == "channel_2"
    assert row.delta_x == pytest.approx(0.5 * test["channel_2_counterfactual"].mean(), rel=1e-12)
    t = run.truth
    lam, beta = (
        t["saturation_lam"]["geo_05"]["channel_2"],
        t["saturation_beta"]["geo_05"]["channel_2"],
    )
    scale = t["channel_scale"]["channel_2"]
    expected = logistic((row.x + row.delta_x) / scale, lam, beta) - logistic(
        row.x / scale, lam, beta
    )
    assert row.delta_y == pytest.approx(float(expected), rel=1e-12)


GOOD = pd.DataFrame(
    {"channel": ["c1", "c1"], "geo": ["a", "b"], "x": [0.4, 0.5], "delta_x": [0.1, 0.1],
     "delta_y": [0.05, 0.04], "sigma": [0.01, 0.01]}
)  # fmt: skip


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (GOOD.assign(sigma=[0.0, 0.01]), r"rows \[0\] have sigma <= 0"),
        (GOOD.assign(delta_y=[np.nan, 0.04]), r"rows \[0\] have NaN or infinite"),
        (GOOD.assign(x=[0.4, np.inf]), r"rows \[1\] have NaN or infinite"),
        (GOOD.assign(delta_x=[0.0, 0.1], delta_y=[0.0, 0.04]), r"rows \[0\] have delta_x == 0"),
        (GOOD.assign(delta_y=[0.05, 0.0]), r"rows \[1\] have delta_y == 0"),
        (GOOD.assign(x=[-0.1, 0.5]), r"rows \[0\] have a negative spend"),
        (GOOD.assign(x=[0.05, 0.5], delta_x=[-0.1, 0.1], delta_y=[-0.01, 0.04]), "negative spend"),
    ],
)
def test_validation_names_rows_and_problem(table, match):
    with pytest.raises(ValueError, match=match):
        validate_lift_tests(table)


def test_validation_passes_good_table_and_leaves_columns_to_pymc_marketing():
    assert validate_lift_tests(GOOD) is GOOD
    # columns, channels, geos and signs are pymc-marketing's to check
    assert validate_lift_tests(GOOD.drop(columns=["sigma", "geo"]).assign(channel="tv")) is not None
    assert validate_lift_tests(GOOD.assign(delta_y=[-0.05, 0.04])) is not None
    both = GOOD.assign(sigma=[0.0, 0.01], delta_y=[0.05, np.nan])
    with pytest.raises(ValueError, match=r"rows \[1\] have NaN.*rows \[0\] have sigma <= 0"):
        validate_lift_tests(both)
    with pytest.raises(TypeError, match="DataFrame"):
        validate_lift_tests(GOOD.to_dict())
    with pytest.raises(TypeError, match="must hold numbers"):
        validate_lift_tests(GOOD.assign(x=["a", "b"]))


def test_compare_lift_tests_merges_on_channel_and_geo():
    oracle = GOOD
    estimated = GOOD.iloc[::-1].assign(
        delta_y=[0.05, 0.02], sigma=0.02, delta_y_low=[0.03, 0.0], delta_y_high=[0.07, 0.04],
        ramp_fraction=0.9,
    )  # fmt: skip
    table = compare_lift_tests(oracle, estimated)
    assert list(table["geo"]) == ["b", "a"]  # the estimated table's order
    row = table.set_index("geo").loc["a"]
    assert row["delta_y_oracle"] == 0.05 and row["delta_y_estimated"] == 0.02
    assert row["error"] == pytest.approx(-0.03) and not row["covers_oracle"]
    assert bool(table.set_index("geo").loc["b", "covers_oracle"])  # 0.04 in [0.03, 0.07]
    assert {"sigma_oracle", "sigma_estimated", "delta_x", "ramp_fraction"} <= set(table.columns)
    with pytest.raises(ValueError, match="no oracle row"):
        compare_lift_tests(oracle.iloc[:1], estimated)
    with pytest.raises(ValueError, match=r"estimated is missing column\(s\) \['delta_y_low'"):
        compare_lift_tests(oracle, GOOD)


def test_posterior_adstock_alpha_per_geo():
    geo = load_dataset("geo_panel")
    idata = fake_geo_idata(geo, chains=1, draws=30)
    alpha = posterior_adstock_alpha(idata, "channel_1")
    assert list(alpha) == geo.truth["geos"]
    expected = idata.posterior["adstock_alpha"].sel(geo="geo_02", channel="channel_1").mean()
    assert alpha["geo_02"] == pytest.approx(float(expected))
    with pytest.raises(ValueError, match="channel must be one of"):
        posterior_adstock_alpha(idata, "tv")
    with pytest.raises(TypeError, match="fitted geo MMM"):
        posterior_adstock_alpha(object(), "channel_1")


def test_synthetic_control_unit_conversion():
    weeks, sigma = 8, 0.04
    fake = FakeSyntheticControl(0.05, weeks, sigma, unit="geo_00")
    kw = {"channel": "c1", "geo": "geo_00", "x": 0.4, "delta_x": 0.15}
    row = lift_test_from_synthetic_control(fake, **kw)
    assert row["delta_y"] == pytest.approx(0.05, abs=0.002)  # per week, not the total
    # total sd = sqrt(n) sigma; per-week sd = total sd / n = sigma / sqrt(n)
    assert row["sigma"] == pytest.approx(sigma / np.sqrt(weeks), rel=0.05)
    aware = lift_test_from_synthetic_control(
        fake, **kw, include_noise=False, adstock_alpha=0.5, l_max=8
    )
    fraction = adstock_ramp(0.5, 8, weeks).mean()
    assert aware["ramp_fraction"] == pytest.approx(fraction)
    assert aware["delta_y"] == pytest.approx(0.05 / fraction)
    with pytest.raises(ValueError, match="l_max"):
        lift_test_from_synthetic_control(fake, **kw, adstock_alpha=0.5)
    with pytest.raises(ValueError, match="delta_x"):
        lift_test_from_synthetic_control(fake, **(kw | {"delta_x": 0.0}))


def test_a_placebo_sd_larger_than_causalpys_becomes_the_rows_sigma():
    weeks, sigma = 8, 0.04
    fake = FakeSyntheticControl(0.05, weeks, sigma, unit="geo_00")
    kw = {"channel": "c1", "geo": "geo_00", "x": 0.4, "delta_x": 0.15, "random_seed": 3}
    plain = lift_test_from_synthetic_control(fake, **kw, adstock_alpha=0.5, l_max=8)
    assert np.isnan(plain["sigma_placebo"]) and plain["sigma"] == plain["sigma_causalpy"]
    fraction = adstock_ramp(0.5, 8, weeks).mean()
    # a placebo total sd three times CausalPy's total sd, in the row's units
    total = 3 * plain["sigma_causalpy"] * weeks * fraction
    wide = lift_test_from_synthetic_control(
        fake, **kw, adstock_alpha=0.5, l_max=8, placebo_sigma=total
    )
    assert wide["sigma_placebo"] == pytest.approx(3 * plain["sigma_causalpy"], rel=1e-12)
    assert wide["sigma"] == wide["sigma_placebo"] and wide["delta_y"] == plain["delta_y"]
    for bound in ("delta_y_low", "delta_y_high"):
        assert wide[bound] - wide["delta_y"] == pytest.approx(
            3 * (plain[bound] - plain["delta_y"]), rel=1e-9
        )
    # a smaller placebo sd leaves CausalPy's in place
    narrow = lift_test_from_synthetic_control(
        fake, **kw, adstock_alpha=0.5, l_max=8, placebo_sigma=total / 9
    )
    assert narrow["sigma"] == plain["sigma"] and narrow["delta_y_low"] == plain["delta_y_low"]
    with pytest.raises(ValueError, match=r"^placebo_sigma"):
        lift_test_from_synthetic_control(fake, **kw, placebo_sigma=0.0)


# --------------------------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"adstock_alpha": 1.2, "l_max": 8}, ValueError, r"^adstock_alpha must be .* \[0, 1\)"),
        ({"adstock_alpha": 0.5, "l_max": 2.5}, TypeError, r"^l_max must be an int >= 1"),
        ({"hdi_prob": "94%"}, TypeError, r"^hdi_prob must be a finite number in \(0, 1\)"),
        ({"x": -0.1}, ValueError, "^x must be a finite number >= 0"),
        ({"delta_x": "0.1"}, TypeError, "^delta_x must be a finite number"),
        ({"include_noise": "no"}, TypeError, "^include_noise must be True or False"),
        ({"geo": 0}, TypeError, r"^geo must be a name \(str\)"),
    ],
)
def test_synthetic_control_row_names_the_argument(kwargs, error, match):
    fake = FakeSyntheticControl(0.05, 8, 0.04, unit="geo_00")
    kw = {"channel": "c1", "geo": "geo_00", "x": 0.4, "delta_x": 0.15} | kwargs
    with pytest.raises(error, match=match):
        lift_test_from_synthetic_control(fake, **kw)


def test_metric_and_constraint_arguments():
    samples = np.random.default_rng(0).normal(size=200)
    with pytest.raises(ValueError, match=r"^hdi_prob must be a finite number in \(0, 1\)"):
        hdi_width(samples, hdi_prob=1.0)
    with pytest.raises(TypeError, match=r"^x must be a finite number >= 0"):
        lift_constraint_beta(1.0, "0.4", 0.1, 0.05)
    with pytest.raises(TypeError, match=r"^delta_y must be a finite number"):
        lift_constraint_beta(1.0, 0.4, 0.1, None)
    with pytest.raises(TypeError, match=r"^lam must be a number"):
        lift_constraint_beta("steep", 0.4, 0.1, 0.05)
    with pytest.raises(ValueError, match=r"^base_sigma must be a finite number > 0"):
        oracle_lift_tests(load_dataset("geo_panel"), base_sigma=0.0)
