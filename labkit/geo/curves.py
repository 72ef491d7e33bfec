"""Saturation curves of the geo panel: the truth and a fitted model's posterior.

A geo MMM's media effect is, per geo and channel, a curve from spend to weekly
sales. Under normalised adstock a constant spend ``x`` keeps its value, so the
steady-state weekly contribution is ``beta * logistic(lam * x / channel_scale)``
on the model's target scale. Functions here evaluate it on a spend grid for the
truth of ``geo_panel`` (:func:`true_curves`, parameters in :func:`geo_truth`)
and for every posterior draw of a fit (:func:`saturation_curves`), in data
units, and give the fit's expected sales (:func:`expected_sales`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from labkit._validate import check_positive
from labkit.data import check_dataset
from labkit.geo.model import GEO_DIMS
from labkit.response import logistic

if TYPE_CHECKING:
    import arviz as az

    from labkit.data import Dataset


def geo_truth(dataset: Dataset, target_scale: float = 1.0) -> xr.Dataset:
    """Return the true media parameters of ``geo_panel`` over ``geo x channel`` on a model's scale.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    target_scale : float
        The fitted model's target scale: ``beta`` is in units of ``y / target_scale``.

    Returns
    -------
    xarray.Dataset
        ``saturation_lam``, ``saturation_beta`` and ``adstock_alpha``.
    """
    check_dataset(dataset, "geo_panel")
    target_scale = check_positive("target_scale", target_scale)
    t = dataset.truth
    geos, channels = list(t["geos"]), list(t["channels"])
    coords = {"geo": geos, "channel": channels}

    def grid(values: dict) -> xr.DataArray:
        arr = np.array([[values[g][c] for c in channels] for g in geos], dtype=float)
        return xr.DataArray(arr, dims=GEO_DIMS, coords=coords)

    alpha = np.array([[t["adstock_alpha"][c] for c in channels] for _ in geos], dtype=float)
    return xr.Dataset(
        {
            "saturation_lam": grid(t["saturation_lam"]),
            "saturation_beta": grid(t["saturation_beta"]) / (t["target_scale"] * target_scale),
            "adstock_alpha": xr.DataArray(alpha, dims=GEO_DIMS, coords=coords),
        }
    )


def _spend_grid(x: Any) -> np.ndarray:
    """Return ``x`` as a 1-D float array of spends; one number is a one-point grid."""
    try:
        grid = np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError) as err:
        raise TypeError(f"x must be a 1-D grid of finite spends >= 0, got {x!r}") from err
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(
            f"x must be a 1-D grid (at least one point) of finite spends >= 0, got shape "
            f"{grid.shape}"
        )
    return grid


def _scales(idata: az.InferenceData) -> tuple[xr.DataArray, float]:
    const = idata.constant_data
    return const["channel_scale"], float(np.asarray(const["target_scale"]).max())


def saturation_curves(idata: az.InferenceData, x: np.ndarray) -> xr.DataArray:
    """Posterior saturation curves of a fitted geo MMM, in data units.

    ``target_scale * beta * logistic(lam * x / channel_scale)`` for every draw,
    geo and channel: the steady-state weekly contribution of a constant spend
    ``x`` (normalised adstock leaves a constant spend unchanged).

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit's ``idata`` (posterior and constant_data).
    x : array-like
        Spend grid (data units), 1-D.

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, geo, channel, x``.
    """
    grid = _spend_grid(x)
    channel_scale, target_scale = _scales(idata)
    post = idata.posterior
    xs = xr.DataArray(grid, dims="x", coords={"x": grid}) / channel_scale
    return target_scale * logistic(xs, post["saturation_lam"], post["saturation_beta"])


def true_curves(dataset: Dataset, x: np.ndarray) -> xr.DataArray:
    """Return the true steady-state curves of ``geo_panel`` in data units (``geo, channel, x``)."""
    truth = geo_truth(dataset)
    grid = _spend_grid(x)
    scale = xr.DataArray(
        [dataset.truth["channel_scale"][c] for c in truth.channel.values],
        dims="channel",
        coords={"channel": truth.channel.values},
    )
    xs = xr.DataArray(grid, dims="x", coords={"x": grid}) / scale
    return logistic(xs, truth["saturation_lam"], truth["saturation_beta"])


def expected_sales(idata: az.InferenceData) -> xr.DataArray:
    """Posterior of the expected outcome ``mu`` per date and geo, in data units.

    Intercept plus the media contributions, times the target scale. Its
    posterior mean equals the mean of the posterior predictive.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit's ``idata`` (posterior and constant_data).

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, date, geo``.
    """
    post = idata.posterior
    _, target_scale = _scales(idata)
    mu = post["intercept_contribution"] + post["channel_contribution"].sum("channel")
    return (mu * target_scale).transpose("chain", "draw", "date", "geo")
