"""A world drawn from a practitioner's own pymc-marketing model (chapter 6).

The other chapters simulate worlds with labkit's simulators. Chapter 6 takes the
MMM a team would have (its adstock, saturation, controls and seasonality are the
team's choice) and draws its world from that model's own prior predictive:

- :func:`spend_panel`: weekly spend of a few channels in a few geos, with a
  control column (a price index), as a team's data would look;
- :func:`draw_world`: one draw of the model's prior (its parameters are the
  world's truth) and the sales the model then generates on that spend;
- :func:`truth_model`: the same model with the world's parameters as its only
  "posterior" draw, so every labkit tool that reads a fitted model reads the
  truth (e.g. the true lift of a test, through
  :func:`labkit.design.counterfactual.model_lift_draws`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_strings

if TYPE_CHECKING:
    from collections.abc import Sequence

    import xarray as xr

__all__ = ["draw_world", "spend_panel", "truth_model"]


def spend_panel(
    geos: Sequence[str] = ("north", "south", "east", "west"),
    channels: Sequence[str] = ("tv", "search", "social"),
    *,
    n_weeks: int = 104,
    start: str = "2024-01-07",
    seed: int = 0,
) -> pd.DataFrame:
    """Weekly spend per geo and channel, and a price control, in long format.

    Each channel's spend is a geo-specific level times a mild yearly cycle (the
    channels peak at different times of year) times log-normal campaign bursts
    from week to week, which dominate: spend that only followed the seasons would
    be confounded with the model's seasonality. The geos differ in size.
    ``price`` is a slowly drifting index around 1.

    Parameters
    ----------
    geos, channels : sequence of str
    n_weeks : int
        Weeks (>= 20).
    start : str
        First week (a Sunday).
    seed : int

    Returns
    -------
    pandas.DataFrame
        ``date``, ``geo``, one column per channel, ``price``.
    """
    geos = check_strings("geos", geos)
    channels = check_strings("channels", channels)
    n_weeks = check_int("n_weeks", n_weeks, minimum=20, unit="weeks")
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng([0x0B0, seed])
    dates = pd.date_range(start, periods=n_weeks, freq="W-SUN")
    t = np.arange(n_weeks)
    size = rng.uniform(0.6, 1.6, len(geos))
    base = rng.uniform(20.0, 120.0, len(channels))
    phase = rng.uniform(0, 2 * np.pi, len(channels))
    frames = []
    for g, geo in enumerate(geos):
        frame = pd.DataFrame({"date": dates, "geo": geo})
        for c, channel in enumerate(channels):
            cycle = 1 + 0.15 * np.sin(2 * np.pi * t / 52.18 + phase[c])
            noise = rng.lognormal(0.0, 0.4, n_weeks)
            frame[channel] = np.round(size[g] * base[c] * cycle * noise, 2)
        frame["price"] = np.round(1 + np.cumsum(rng.normal(0, 0.01, n_weeks)), 4)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def draw_world(mmm: Any, X: pd.DataFrame, *, seed: int = 0) -> tuple[pd.Series, xr.Dataset]:
    """Draw a world from a built-but-unfitted MMM's own prior predictive.

    The model is built on ``X`` with a placeholder target (1000 in every week:
    the target scale), then one prior draw gives the parameters and the sales.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Not yet built; it is built here on ``X``.
    X : pandas.DataFrame
        The model's columns (date, dims, channels, controls).
    seed : int

    Returns
    -------
    y : pandas.Series
        The sales, aligned with ``X``'s rows, named as the model's target.
    truth : xarray.Dataset
        The prior draw of every parameter (``chain`` and ``draw`` of length 1).
    """
    import pymc as pm

    from labkit.mmm import check_mmm

    seed = check_int("seed", seed, minimum=0)
    placeholder = pd.Series(np.full(len(X), 1000.0), index=X.index, name=mmm.target_column)
    mmm.build_model(X, placeholder)
    check_mmm(mmm, fitted=False)
    with mmm.model:
        prior = pm.sample_prior_predictive(draws=1, random_seed=seed)
    y = (
        prior.prior_predictive["y"].isel(chain=0, draw=0)
        * mmm.get_scales_as_xarray()["target_scale"]
    )
    dims = [d for d in ("geo",) if d in y.dims]
    frame = y.to_dataframe(name="y").reset_index()
    keys = ["date", *dims]
    lookup = X.rename(columns={mmm.date_column: "date"})[keys].merge(frame, on=keys, how="left")
    sales = pd.Series(lookup["y"].to_numpy(), index=X.index, name=mmm.target_column)
    return sales, prior.prior


def truth_model(mmm: Any, truth: xr.Dataset, world: Any) -> Any:
    """Return a copy of a fitted MMM whose posterior is the world's one draw of parameters.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted on the world's data.
    truth : xarray.Dataset
        From :func:`draw_world`.
    world : pymc_marketing.mmm.multidimensional.MMM
        The model :func:`draw_world` built: the truth's parameters live on its
        scales (a target scale of 1000), not on the fitted model's.

    Returns
    -------
    pymc_marketing.mmm.multidimensional.MMM
        Reads as a fitted model; every draw is the truth, on the world's scales
        (compare with a fitted model in the data's units, not on the model scale).
    """
    import arviz as az

    from labkit.mmm import check_mmm

    check_mmm(mmm)
    out = copy.copy(mmm)
    names = [v for v in mmm.idata.posterior.data_vars if v in truth]
    out.idata = az.InferenceData(posterior=truth[names])
    out.scalers = world.scalers
    return out
