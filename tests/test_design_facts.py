"""What the designer reads off a posterior (from_idata) and a fitted MMM (from_mmm).

Fitting is too slow for a unit test, so each MMM is "fitted" by copying prior draws into
its posterior: every extraction path runs on the library's real objects.
"""

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM

from labkit.design.designer import ExperimentDesigner
from labkit.design.facts import mmm_facts, posterior_draws
from labkit.design.fixture import simulate_designer_fixture
from labkit.response import get_saturation


@pytest.fixture(scope="module")
def fixture():
    return simulate_designer_fixture(n_chains=2, n_draws=100)


# ----------------------------------------------------------------- from a posterior


def test_posterior_draws_per_unit(fixture):
    post = fixture.idata.posterior.expand_dims(geo=["north", "south"]).copy()
    post["adstock_alpha"] = post["adstock_alpha"].isel(geo=0, drop=True)  # shared by the geos
    draws = posterior_draws(post, get_saturation("logistic"), units=["south", "north"])
    assert draws.units == ["south", "north"] and draws.channels == ["tv", "search", "social"]
    lam = post["saturation_lam"].sel(channel="tv").stack(sample=("chain", "draw"))
    np.testing.assert_array_equal(draws.saturation["tv"]["lam"][0], lam.sel(geo="south"))
    assert draws.adstock_alpha["tv"].shape == (2, 200)
    np.testing.assert_array_equal(draws.adstock_alpha["tv"][0], draws.adstock_alpha["tv"][1])
    national = posterior_draws(fixture.idata.posterior, get_saturation("logistic"))
    assert national.units == ["national"] and national.saturation["tv"]["beta"].shape == (1, 200)


def test_posterior_draws_rejects_other_dims(fixture):
    post = fixture.idata.posterior.expand_dims(region=["a"])
    with pytest.raises(ValueError, match=r"dims \['region'\] besides channel and geo"):
        posterior_draws(post, get_saturation("logistic"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"residual_std": 0.0}, "residual_std"),
        ({"residual_std": np.nan}, "residual_std"),
        ({"residual_std": -1.0}, "residual_std"),
        ({"residual_autocorr": 1.0}, "residual_autocorr"),
        ({"residual_autocorr": -1.2}, "residual_autocorr"),
        ({"current_spend": {"tv": 0.5, "radio": 1.0}}, "unknown channel"),
        ({"saturation": "tanh"}, "saturation must be one of"),
    ],
)
def test_from_idata_bad_input(fixture, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fixture.designer(**kwargs)


def test_posterior_missing_variable(fixture):
    post = fixture.idata.posterior.drop_vars("adstock_alpha")
    with pytest.raises(ValueError, match="adstock_alpha"):
        ExperimentDesigner.from_idata(post, current_spend=fixture.current_spend, residual_std=0.1)
    with pytest.raises(ValueError, match="saturation_alpha"):
        ExperimentDesigner.from_idata(
            fixture.idata, current_spend=fixture.current_spend, residual_std=0.1,
            saturation="michaelis_menten",
        )  # fmt: skip


def test_unfitted_mmm_is_rejected():
    mmm = MMM(
        date_column="date",
        channel_columns=["tv"],
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
    )
    with pytest.raises(ValueError, match="not fitted"):
        ExperimentDesigner.from_mmm(mmm)
    with pytest.raises(TypeError, match="MMM"):
        ExperimentDesigner.from_mmm(pd.DataFrame())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"residual_std": [0.1, 0.2]}, ValueError, "^residual_std must be one number or 1"),
        ({"residual_std": "big"}, TypeError, "^residual_std must be a number"),
        ({"current_spend": {"tv": 0.5}}, ValueError, r"no value for channel\(s\) \['search'"),
        ({"current_spend": [0.5, 0.5, 0.5]}, TypeError, "^current_spend must be a dict"),
        ({"current_spend": {"tv": "a", "search": 1, "social": 1}}, TypeError, "current_spend"),
        ({"l_max": 8.0}, TypeError, r"^l_max must be an int >= 1 \(weeks\)"),
        ({"l_max": 0}, ValueError, r"^l_max must be an int >= 1 \(weeks\)"),
        ({"normalize": "yes"}, TypeError, "^normalize must be True or False"),
        ({"target_scale": 0.0}, ValueError, "^target_scale must be finite and > 0"),
        ({"channel_scale": {"tv": -1.0}}, ValueError, r"^channel_scale\['tv'\] must be"),
        ({"channel_scale": [1.0]}, TypeError, "^channel_scale must be a dict"),
    ],
)
def test_from_idata_names_the_argument(fixture, kwargs, error, match):
    with pytest.raises(error, match=match):
        fixture.designer(**kwargs)


# ----------------------------------------------------------------- from a fitted MMM


def _mmm(geos):
    rng = np.random.default_rng(0)
    n = 40
    dates = pd.date_range("2023-01-02", periods=n, freq="W-MON")
    frames = []
    for g in geos or [None]:
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    **({"geo": g} if g else {}),
                    "tv": rng.uniform(50, 100, n),
                    "search": rng.uniform(10, 40, n),
                }
            )
        )
    X = pd.concat(frames, ignore_index=True)
    y = pd.Series(1000 + 3 * X["tv"] + rng.normal(0, 20, len(X)), name="y")
    mmm = MMM(
        date_column="date",
        channel_columns=["tv", "search"],
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
        dims=("geo",) if geos else (),
    )
    mmm.build_model(X, y)
    with mmm.model:
        prior = pm.sample_prior_predictive(draws=60, random_seed=1)
    prior.add_groups(posterior=prior.prior)
    mmm.idata = prior
    return mmm, X


@pytest.mark.slow
def test_from_mmm_national():
    mmm, X = _mmm(None)
    facts = mmm_facts(mmm, max_ppc_draws=30)
    scale = float(mmm.get_scales_as_xarray()["channel_scale"].sel(channel="tv"))
    assert facts.units == ["national"]
    assert facts.current_spend["tv"][0] == pytest.approx(X["tv"].iloc[-8:].mean() / scale)
    assert facts.channel_scale["tv"] == pytest.approx(scale)
    assert facts.residual_std[0] > 0 and -1 < facts.residual_autocorr[0] < 1
    assert facts.spend_correlation.loc["tv", "tv"] == 1.0
    d = ExperimentDesigner.from_mmm(mmm, max_ppc_draws=30)
    assert d.l_max == 4 and d.engine.normalize and d.saturation.name == "logistic"
    assert d.engine.name == "kernel"
    assert d.n_draws == 60
    r = d.recommend(min_snr=0.0)[0]
    assert r.net_cost_original == pytest.approx(r.net_cost * d.channel_scale[r.channel])


@pytest.mark.slow
def test_from_mmm_geo():
    mmm, _ = _mmm(["a", "b"])
    d = ExperimentDesigner.from_mmm(mmm, max_ppc_draws=30)
    assert d.units == ["a", "b"]
    recs = d.recommend(min_snr=0.0)
    assert recs[0].geo == "national"
    assert d.recommend(geo="a", min_snr=0.0)[0].geo == "a"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"last_weeks": 0}, ValueError, r"^last_weeks must be an int >= 1"),
        ({"last_weeks": 8.0}, TypeError, r"^last_weeks must be an int >= 1"),
        ({"max_ppc_draws": 0}, ValueError, r"^max_ppc_draws must be an int >= 1"),
        ({"random_seed": -1}, ValueError, r"^random_seed must be an int >= 0"),
    ],
)
def test_mmm_facts_checks_its_arguments_first(kwargs, error, match):
    fitted_looking = type(
        "FakeMMM",
        (),
        {
            "channel_columns": ["tv"],
            "adstock": None,
            "saturation": None,
            "idata": az.InferenceData(posterior=xr.Dataset({"a": (("chain", "draw"), [[0.0]])})),
        },
    )()
    with pytest.raises(error, match=match):
        mmm_facts(fitted_looking, **kwargs)
