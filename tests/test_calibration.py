import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from fakes import FakeSyntheticControl

from labkit import load_dataset
from labkit.geo.lift_tests import (
    lift_test_from_synthetic_control,
    oracle_lift_tests,
    validate_lift_tests,
)
from labkit.geo.metrics import bias_improvement, precision_improvement
from labkit.response import adstock_ramp
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
    validate_lift_tests(lt, channels=ds.truth["channels"], geos=ds.truth["geos"])
    with pytest.raises(ValueError, match="geo_panel"):
        oracle_lift_tests(load_dataset("confounded"))


GOOD = pd.DataFrame(
    {"channel": ["c1", "c1"], "geo": ["a", "b"], "x": [0.4, 0.5], "delta_x": [0.1, 0.1],
     "delta_y": [0.05, 0.04], "sigma": [0.01, 0.01]}
)  # fmt: skip


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (GOOD.drop(columns="sigma"), "missing column"),
        (GOOD.assign(channel=["c1", "tv"]), r"rows \[1\] name channels not in the model"),
        (GOOD.assign(geo=["a", "z"]), r"rows \[1\] name geos"),
        (GOOD.assign(sigma=[0.0, 0.01]), r"rows \[0\] have sigma <= 0"),
        (GOOD.assign(delta_y=[np.nan, 0.04]), r"rows \[0\] have NaN"),
        (GOOD.assign(delta_y=[-0.05, 0.04]), r"delta_x \* delta_y < 0"),
    ],
)
def test_validation_names_rows_and_problem(table, match):
    with pytest.raises(ValueError, match=match):
        validate_lift_tests(table, channels=["c1", "c2"], geos=["a", "b"])


def test_validation_passes_good_table():
    assert validate_lift_tests(GOOD, channels=["c1"], geos=["a", "b"]) is GOOD


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


# --------------------------------------------------------------------------- argument checks


def test_validation_takes_one_channel_or_geo_as_a_name():
    # a single string is one channel, not the characters 'c' and '1'
    assert validate_lift_tests(GOOD, channels="c1", geos=["a", "b"]) is GOOD
    one_geo = GOOD.iloc[:1]
    assert validate_lift_tests(one_geo, channels="c1", geos="a") is one_geo
    with pytest.raises(ValueError, match=r"^channels must not be empty"):
        validate_lift_tests(GOOD, channels=[], geos=["a", "b"])
    with pytest.raises(TypeError, match=r"^geos must be a string or a sequence"):
        validate_lift_tests(GOOD, channels="c1", geos=[1, 2])


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
    from labkit.geo.lift_tests import lift_constraint_beta

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
