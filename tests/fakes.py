"""Test doubles shared by several test modules."""

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr


class FakeSyntheticControl:
    """The two attributes labkit reads from a CausalPy ``SyntheticControl`` result.

    A constant weekly effect over ``weeks`` post-treatment weeks, and a likelihood
    sd ``sigma``, for ``unit``.
    """

    def __init__(self, effect_per_week, weeks, sigma, unit="a", draws=1000):
        idx = pd.date_range("2024-01-07", periods=weeks, freq="W")
        self.post_impact = xr.DataArray(
            np.full((2, draws, weeks, 1), effect_per_week),
            dims=("chain", "draw", "obs_ind", "treated_units"),
            coords={"obs_ind": idx, "treated_units": [unit]},
        )
        sig = xr.DataArray(
            np.full((2, draws, 1), sigma),
            dims=("chain", "draw", "treated_units"),
            coords={"treated_units": [unit]},
        )
        self.model = type(
            "Model", (), {"idata": az.InferenceData(posterior=xr.Dataset({"y_hat_sigma": sig}))}
        )()


def fake_geo_idata(dataset, *, beta_sd=0.05, shift=0.0, seed=0, chains=2, draws=300):
    """An InferenceData shaped like a fit of labkit's geo MMM on ``geo_panel``.

    Parameters are the truth plus N(shift, sd) noise; the channel contribution is
    ``beta * logistic(lam * x / scale)`` of the raw spend (no adstock), which is all
    the report's fit metrics need.
    """
    from labkit.geo.curves import geo_truth

    rng = np.random.default_rng(seed)
    truth = geo_truth(dataset)
    geos, channels = list(truth.geo.values), list(truth.channel.values)
    shape = (chains, draws, len(geos), len(channels))
    dims = ("chain", "draw", "geo", "channel")
    coords = {"geo": geos, "channel": channels}

    def around(values, sd):
        return xr.DataArray(
            values.to_numpy() + rng.normal(shift, sd, shape), dims=dims, coords=coords
        )

    lam = around(truth["saturation_lam"], 0.3)
    beta = around(truth["saturation_beta"], beta_sd)
    alpha = around(truth["adstock_alpha"], 0.02)
    df = dataset.data
    scale = np.array([dataset.truth["channel_scale"][c] for c in channels])
    x = df.set_index(["date", "geo"])[channels].to_xarray().to_array("channel")
    x = x.transpose("date", "geo", "channel") / xr.DataArray(
        scale, dims="channel", coords={"channel": channels}
    )
    contribution = beta * np.tanh(0.5 * lam * x)
    intercept = xr.DataArray(
        np.broadcast_to([dataset.truth["intercept"][g] for g in geos], (chains, draws, len(geos))),
        dims=("chain", "draw", "geo"),
        coords={"geo": geos},
    )
    posterior = xr.Dataset(
        {
            "saturation_lam": lam,
            "saturation_beta": beta,
            "adstock_alpha": alpha,
            "intercept_contribution": intercept,
            "channel_contribution": contribution.transpose(
                "chain", "draw", "date", "geo", "channel"
            ),
        }
    )
    const = xr.Dataset(
        {
            "channel_scale": xr.DataArray(scale, dims="channel", coords={"channel": channels}),
            "target_scale": xr.DataArray([1.0], dims="target_scale_dim_0"),
        }
    )
    stats = xr.Dataset(
        {"diverging": xr.DataArray(np.zeros((chains, draws), bool), dims=("chain", "draw"))}
    )
    return az.InferenceData(posterior=posterior, constant_data=const, sample_stats=stats)
