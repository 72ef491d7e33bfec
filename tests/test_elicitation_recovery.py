"""Saturation parameters back in original units: scales, prior and posterior draws, recovery."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pymc_extras.prior import Prior
from pymc_marketing.mmm import LogisticSaturation, MichaelisMentenSaturation

from labkit.elicitation.priors import original_unit_scales
from labkit.elicitation.recovery import (
    posterior_saturation_draws,
    prior_saturation_draws,
    recovery_table,
)
from labkit.response import get_saturation

CHANNELS = ["meta", "google"]
TARGET_SCALE, SCALES = 12.0, {"meta": 4.0, "google": 2.5}


@pytest.mark.parametrize(
    ("name", "mmm_params"),
    [("michaelis_menten", {"alpha": 0.4, "lam": 0.7}), ("logistic", {"lam": 2.0, "beta": 0.3})],
)
def test_original_units_reproduce_the_mmm_curve(name, mmm_params):
    # the MMM's contribution in sales: target_scale * f(spend / channel_scale; MMM-scale params)
    sat, x = get_saturation(name), np.linspace(0.0, 8.0, 9)
    on_mmm_scale = TARGET_SCALE * sat(x / SCALES["meta"], **mmm_params)
    scales = original_unit_scales(name, TARGET_SCALE, SCALES["meta"])
    original = sat(x, **{p: v * scales[p] for p, v in mmm_params.items()})
    np.testing.assert_allclose(original, on_mmm_scale, rtol=1e-12)


def test_original_unit_scales_reject_bad_input():
    with pytest.raises(ValueError, match="michaelis_menten and logistic"):
        original_unit_scales("hill", 1.0, 1.0)
    with pytest.raises(ValueError, match="channel_scale must be a finite number > 0"):
        original_unit_scales("logistic", 1.0, 0.0)


def _fake_mmm(saturation, posterior):
    scales = {
        "target_scale": xr.DataArray(TARGET_SCALE),
        "channel_scale": xr.DataArray(
            [SCALES[c] for c in CHANNELS], dims="channel", coords={"channel": CHANNELS}
        ),
    }
    return SimpleNamespace(
        channel_columns=CHANNELS,
        saturation=saturation,
        get_scales_as_xarray=lambda: scales,
        idata=SimpleNamespace(posterior=posterior),
    )


def _posterior(**values):
    """Two chains of three draws per channel: channel c, draw d -> value * (1 + c) + d / 10."""
    base = np.arange(3)[None, :, None] / 10 + np.zeros((2, 1, 1))
    return xr.Dataset(
        {
            name: (("chain", "draw", "channel"), base + v * np.array([1.0, 2.0]))
            for name, v in values.items()
        },
        coords={"channel": CHANNELS},
    )


def test_posterior_draws_are_scaled_per_parameter_and_channel():
    mmm = _fake_mmm(
        MichaelisMentenSaturation(), _posterior(saturation_alpha=0.5, saturation_lam=0.8)
    )
    draws = posterior_saturation_draws(mmm, "google")
    assert list(draws.columns) == ["alpha", "lam"] and len(draws) == 6
    np.testing.assert_allclose(draws["alpha"], (1.0 + np.tile([0, 0.1, 0.2], 2)) * TARGET_SCALE)
    np.testing.assert_allclose(draws["lam"], (1.6 + np.tile([0, 0.1, 0.2], 2)) * 2.5)
    logistic = _fake_mmm(LogisticSaturation(), _posterior(saturation_lam=3.0, saturation_beta=0.2))
    lam = posterior_saturation_draws(logistic, "meta")["lam"]
    np.testing.assert_allclose(lam, (3.0 + np.tile([0, 0.1, 0.2], 2)) / 4.0)


def test_posterior_draws_name_what_is_wrong():
    mmm = _fake_mmm(MichaelisMentenSaturation(), _posterior(saturation_alpha=0.5))
    with pytest.raises(ValueError, match=r"channel 'tv' is not one of the MMM's channels"):
        posterior_saturation_draws(mmm, "tv")
    unfitted = _fake_mmm(MichaelisMentenSaturation(), None)
    with pytest.raises(ValueError, match="fit it first"):
        posterior_saturation_draws(unfitted, "meta")
    geo = _posterior(saturation_alpha=0.5, saturation_lam=0.8).expand_dims(geo=["a", "b"])
    with pytest.raises(ValueError, match="national model"):
        posterior_saturation_draws(_fake_mmm(MichaelisMentenSaturation(), geo), "meta")


def test_prior_draws_take_each_channel_its_own_parameters():
    def per_channel(meta, google):
        return xr.DataArray([meta, google], dims="channel", coords={"channel": CHANNELS})

    priors = {
        "alpha": Prior(
            "Beta", alpha=per_channel(20.0, 2.0), beta=per_channel(2.0, 20.0), dims="channel"
        ),
        "lam": Prior("Gamma", mu=2, sigma=1, dims="channel"),
    }
    mmm = _fake_mmm(MichaelisMentenSaturation(priors=priors), None)
    meta = prior_saturation_draws(mmm, "meta", draws=20_000, random_seed=0)
    google = prior_saturation_draws(mmm, "google", draws=20_000, random_seed=0)
    # Beta(20, 2) has mean 20/22, Beta(2, 20) 2/22; Gamma(mu=2) on spend / channel scale
    assert meta["alpha"].mean() == pytest.approx(20 / 22 * TARGET_SCALE, rel=0.01)
    assert google["alpha"].mean() == pytest.approx(2 / 22 * TARGET_SCALE, rel=0.02)
    assert meta["lam"].mean() == pytest.approx(2 * 4.0, rel=0.02)
    assert google["lam"].mean() == pytest.approx(2 * 2.5, rel=0.02)
    again = prior_saturation_draws(mmm, "meta", draws=20_000, random_seed=0)
    pd.testing.assert_frame_equal(meta, again)
    with pytest.raises(ValueError, match="draws must be an int >= 1"):
        prior_saturation_draws(mmm, "meta", draws=0)


def test_prior_draws_reject_hierarchical_priors():
    priors = {"alpha": Prior("HalfNormal", sigma=Prior("HalfNormal"), dims="channel")}
    mmm = _fake_mmm(MichaelisMentenSaturation(priors=priors), None)
    with pytest.raises(ValueError, match="hierarchical"):
        prior_saturation_draws(mmm, "meta")


def test_recovery_table_is_tidy_and_exact():
    draws = {
        "generic": pd.DataFrame({"alpha": [1.0, 3.0], "lam": [2.0, 6.0]}),
        "informed": {"alpha": np.array([2.5, 2.9]), "lam": np.array([2.4, 2.6])},
    }
    table = recovery_table(draws, {"alpha": 2.75, "lam": 2.5})
    assert list(table.columns) == ["model", "parameter", "mean", "sd", "truth", "abs_error"]
    assert len(table) == 4
    row = table.set_index(["model", "parameter"]).loc[("generic", "lam")]
    assert (row["mean"], row["sd"], row["abs_error"]) == pytest.approx((4.0, 2.0, 1.5))
    with pytest.raises(ValueError, match=r"draws\['generic'\] has no column\(s\) \['beta'\]"):
        recovery_table(draws, {"beta": 1.0})


@pytest.mark.slow
def test_draws_of_a_built_mmm_agree_with_pymc_prior_samples():
    """PyMC's prior samples on the MMM's scale, moved to original units, match PreliZ's draws."""
    import pymc as pm
    from pymc_marketing.mmm import GeometricAdstock
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.data import load_dataset

    df = load_dataset("two_countries").data
    informed = xr.DataArray([6.0, 2.0], dims="channel", coords={"channel": CHANNELS})
    priors = {
        "alpha": Prior("Beta", alpha=informed, beta=3.0, dims="channel"),
        "lam": Prior("Gamma", mu=2, sigma=1, dims="channel"),
    }
    mmm = MMM(
        date_column="date",
        target_column="venezuela",
        channel_columns=CHANNELS,
        adstock=GeometricAdstock(l_max=4),
        saturation=MichaelisMentenSaturation(priors=priors),
    )
    mmm.build_model(df[["date", *CHANNELS]], df["venezuela"].rename("venezuela"))
    with mmm.model:
        prior = pm.sample_prior_predictive(
            draws=4000, var_names=["saturation_alpha", "saturation_lam"], random_seed=1
        ).prior
    mmm.idata = SimpleNamespace(posterior=prior)
    for channel in CHANNELS:
        from_pymc = posterior_saturation_draws(mmm, channel)
        from_preliz = prior_saturation_draws(mmm, channel, draws=4000, random_seed=2)
        for p in ("alpha", "lam"):
            assert from_pymc[p].mean() == pytest.approx(from_preliz[p].mean(), rel=0.05)
    assert from_pymc["alpha"].max() <= df["venezuela"].abs().max()  # Beta on target / max
