"""from_mmm / mmm_facts on real (built, not sampled) pymc-marketing MMMs.

Fitting is too slow for a unit test, so each model is "fitted" by copying prior draws into
its posterior: every extraction path runs on the library's real objects.
"""

import numpy as np
import pandas as pd
import pymc as pm
import pytest
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM

from labkit.design.designer import ExperimentDesigner
from labkit.design.facts import mmm_facts


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
    assert d.l_max == 4 and d.normalize and d.saturation.name == "logistic"
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
    import arviz as az
    import xarray as xr

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
