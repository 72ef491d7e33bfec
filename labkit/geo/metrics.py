"""How much a calibrated fit improves on an uncalibrated one, measured against the truth.

Parameter-level metrics compare two posteriors of the same quantity:
:func:`precision_improvement` (how much narrower the HDI became) and
:func:`bias_improvement` (how much closer the mean moved to the truth), both in
percent of the uncalibrated HDI width. Curve-level and fit-level metrics score
one posterior at a time: :func:`curve_recovery` (error and HDI coverage of the
true saturation curve) and :func:`fit_metrics` (in-sample R² and RMSE).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from labkit._validate import check_probability
from labkit.stats import HDI_PROB, as_samples, hdi_bounds, hdi_width

Samples = xr.DataArray | np.ndarray
"""Posterior samples: xarray with ``chain, draw`` dims, or 1-D numpy draws."""


def _maybe_float(result: xr.DataArray, *inputs: Samples) -> xr.DataArray | float:
    return float(result) if not any(isinstance(i, xr.DataArray) for i in inputs) else result


def precision_improvement(
    uncalibrated: Samples, calibrated: Samples, hdi_prob: float = HDI_PROB
) -> xr.DataArray | float:
    """Percent by which calibration narrows the HDI: (w_uncal - w_cal) / w_uncal x 100.

    Parameters
    ----------
    uncalibrated, calibrated : xarray.DataArray or numpy.ndarray
        Posterior samples (xarray with ``chain, draw`` and any other dims, or 1-D numpy).
    hdi_prob : float

    Returns
    -------
    xarray.DataArray or float
        Per remaining coordinate (xarray in, xarray out), or a float for numpy input.
    """
    w_u = hdi_width(uncalibrated, hdi_prob)
    w_c = hdi_width(calibrated, hdi_prob)
    return _maybe_float((w_u - w_c) / w_u * 100, uncalibrated, calibrated)


def bias_improvement(
    uncalibrated: Samples,
    calibrated: Samples,
    truth: float | xr.DataArray,
    hdi_prob: float = HDI_PROB,
) -> xr.DataArray | float:
    """Reduction of ``|mean - truth|``, in percent of the uncalibrated HDI width.

    ``(|mean uncal - truth| - |mean cal - truth|) / HDI width uncal x 100``; positive
    when calibration moved the posterior mean toward the truth.

    Parameters
    ----------
    uncalibrated, calibrated : xarray.DataArray or numpy.ndarray
    truth : float or xarray.DataArray
        True value(s), broadcastable against the non-sample dims.
    hdi_prob : float

    Returns
    -------
    xarray.DataArray or float
    """
    u, c = as_samples(uncalibrated), as_samples(calibrated)
    bias_u = abs(u.mean(("chain", "draw")) - truth)
    bias_c = abs(c.mean(("chain", "draw")) - truth)
    return _maybe_float(
        (bias_u - bias_c) / hdi_width(uncalibrated, hdi_prob) * 100, uncalibrated, calibrated
    )


def curve_recovery(
    curves: xr.DataArray, truth: xr.DataArray, *, dim: str = "x", hdi_prob: float = HDI_PROB
) -> xr.Dataset:
    """How well posterior response curves recover the true curve.

    Parameters
    ----------
    curves : xarray.DataArray
        Posterior curves with dims ``chain, draw``, the grid ``dim`` and any
        others (e.g. ``geo, channel``).
    truth : xarray.DataArray
        True curves on the same grid, broadcastable against ``curves`` without
        ``chain, draw``.
    dim : str
        The spend-grid dim.
    hdi_prob : float
        Probability of the band whose coverage is reported.

    Returns
    -------
    xarray.Dataset
        Per remaining coordinate: ``rmse`` and ``max_abs_error`` of the
        posterior-mean curve over the grid, ``coverage`` (share of grid points
        whose true value lies inside the HDI band, in [0, 1]) and ``band_width``
        (mean HDI width over the grid).
    """
    if not isinstance(curves, xr.DataArray) or not isinstance(truth, xr.DataArray):
        raise TypeError("curves and truth must be xarray.DataArray")
    if not isinstance(dim, str) or dim not in curves.dims or dim not in truth.dims:
        raise ValueError(f"dim {dim!r} must be a dim of both curves {curves.dims} and truth")
    as_samples(curves)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    error = curves.mean(("chain", "draw")) - truth
    low, high = hdi_bounds(curves, hdi_prob)
    inside = (truth >= low) & (truth <= high)
    return xr.Dataset(
        {
            "rmse": np.sqrt((error**2).mean(dim)),
            "max_abs_error": abs(error).max(dim),
            "coverage": inside.mean(dim),
            "band_width": (high - low).mean(dim),
        }
    )


def fit_metrics(
    observed: xr.DataArray, predicted: xr.DataArray, *, dim: str = "date"
) -> xr.Dataset:
    """R² and RMSE of posterior-mean predictions, per remaining coordinate (e.g. per geo).

    Parameters
    ----------
    observed : xarray.DataArray
        Observed outcome with the time ``dim`` (and e.g. ``geo``).
    predicted : xarray.DataArray
        Posterior samples of the expected outcome (``chain, draw`` plus the
        dims of ``observed``) or already their mean. The mean of the posterior
        predictive equals the posterior mean of the expected outcome, so either
        gives the posterior-predictive means.
    dim : str
        The dim summed over.

    Returns
    -------
    xarray.Dataset
        ``r2 = 1 - SS_res / SS_tot`` (within ``dim``) and ``rmse``.
    """
    if not isinstance(observed, xr.DataArray) or not isinstance(predicted, xr.DataArray):
        raise TypeError("observed and predicted must be xarray.DataArray")
    if not isinstance(dim, str) or dim not in observed.dims or dim not in predicted.dims:
        raise ValueError(f"dim {dim!r} must be a dim of both observed and predicted")
    mean = predicted.mean([d for d in ("chain", "draw") if d in predicted.dims])
    resid = observed - mean
    ss_res = (resid**2).sum(dim)
    ss_tot = ((observed - observed.mean(dim)) ** 2).sum(dim)
    if bool((ss_tot == 0).any()):
        raise ValueError("observed is constant along dim for some coordinate: R² is undefined")
    return xr.Dataset({"r2": 1 - ss_res / ss_tot, "rmse": np.sqrt((resid**2).mean(dim))})
