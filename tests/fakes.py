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
