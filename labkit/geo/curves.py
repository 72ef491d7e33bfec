"""Saturation curves of the geo panel: the truth and a fitted model's posterior.

A geo MMM's media effect is, per geo and channel, a curve from spend to weekly
sales. Under normalised adstock a constant spend ``x`` keeps its value, so the
steady-state weekly contribution is ``beta * logistic(lam * x / channel_scale)``
on the model's target scale. Functions here evaluate it on a spend grid for the
truth of ``geo_panel`` (:func:`true_curves`, parameters in :func:`geo_truth`)
and for every posterior draw of a fit (:func:`saturation_curves`), in data
units, give the lift a fit expects for each row of a lift-test table
(:func:`lift_test_draws`) and the fit's expected sales (:func:`expected_sales`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import check_positive
from labkit.data import check_dataset
from labkit.geo.model import GEO_DIMS
from labkit.response import logistic

if TYPE_CHECKING:
    import arviz as az
    import numpy.typing as npt

    from labkit.data import Dataset


def geo_truth(
    dataset: Dataset,
    target_scale: float = 1.0,
    channel_scale: Mapping[str, float] | xr.DataArray | None = None,
) -> xr.Dataset:
    """Return the true media parameters of ``geo_panel`` over ``geo x channel`` on a model's scale.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    target_scale : float
        The fitted model's target scale: ``beta`` is in units of ``y / target_scale``.
    channel_scale : mapping or xarray.DataArray, optional
        The fitted model's channel scales (one per channel, > 0). ``lam`` acts on
        spend divided by the channel scale, so a model whose scale differs from the
        generating model's (fitted on other weeks, or on a panel with another
        test) has the true ``lam`` times its scale over the truth's. ``None``: the
        truth's own scales.

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
    lam = grid(t["saturation_lam"])
    if channel_scale is not None:
        model = {c: check_positive(f"channel_scale[{c!r}]", _scale_of(channel_scale, c))
                 for c in channels}  # fmt: skip
        ratio = [model[c] / float(t["channel_scale"][c]) for c in channels]
        lam = lam * xr.DataArray(ratio, dims="channel", coords={"channel": channels})
    return xr.Dataset(
        {
            "saturation_lam": lam,
            "saturation_beta": grid(t["saturation_beta"]) / (t["target_scale"] * target_scale),
            "adstock_alpha": xr.DataArray(alpha, dims=GEO_DIMS, coords=coords),
        }
    )


def _scale_of(channel_scale: Mapping[str, float] | xr.DataArray, channel: str) -> float:
    try:
        value = (
            channel_scale[channel]
            if isinstance(channel_scale, Mapping)
            else (channel_scale.sel(channel=channel))
        )
        return float(np.asarray(value))
    except (KeyError, AttributeError, TypeError, ValueError) as err:
        raise ValueError(
            f"channel_scale must give a scale for channel {channel!r} (a mapping or a DataArray "
            "over channel)"
        ) from err


def _spend_grid(x: npt.ArrayLike) -> np.ndarray:
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
    # arviz sets the groups of an InferenceData with setattr: the class declares none of them
    const = idata.constant_data  # type: ignore[attr-defined]
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
    post = idata.posterior  # type: ignore[attr-defined]  # an arviz group (see _scales)
    xs = xr.DataArray(grid, dims="x", coords={"x": grid}) / channel_scale
    return target_scale * logistic(xs, post["saturation_lam"], post["saturation_beta"])


def lift_test_draws(idata: az.InferenceData, lift_tests: pd.DataFrame) -> xr.DataArray:
    """Posterior draws of the lift each lift-test row measured, in data units.

    Per row, the rise of the geo's posterior steady-state curve
    (:func:`saturation_curves`) from ``x`` to ``x + delta_x``: what the row's
    ``delta_y`` estimates and what pymc-marketing's lift-test likelihood compares it with.

    Parameters
    ----------
    idata : arviz.InferenceData
        A geo fit's ``idata``.
    lift_tests : pandas.DataFrame
        Columns ``channel, geo, x, delta_x`` (data units).

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, test`` (one ``test`` per row, in the table's order).
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    missing = [c for c in ("channel", "geo", "x", "delta_x") if c not in lift_tests]
    if missing or lift_tests.empty:
        raise ValueError(
            f"lift_tests must have rows and columns channel, geo, x, delta_x; missing {missing}"
        )
    x = lift_tests["x"].to_numpy(dtype=float)
    high = x + lift_tests["delta_x"].to_numpy(dtype=float)
    # every row's two spends on one grid: the curves are evaluated once
    curves = saturation_curves(idata, np.r_[x, high]).drop_vars("x")
    lifts = []
    for i, row in enumerate(lift_tests.itertuples(index=False)):
        curve = curves.sel(geo=row.geo, channel=row.channel)
        lifts.append(curve.isel(x=len(x) + i) - curve.isel(x=i))
    return xr.concat(lifts, dim="test").transpose("chain", "draw", "test")


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
    post = idata.posterior  # type: ignore[attr-defined]  # an arviz group (see _scales)
    _, target_scale = _scales(idata)
    mu = post["intercept_contribution"] + post["channel_contribution"].sum("channel")
    return (mu * target_scale).transpose("chain", "draw", "date", "geo")
