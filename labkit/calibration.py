"""Lift-test calibration: lift tables, their validation, and precision/bias metrics.

Lift tables have the columns pymc-marketing's ``add_lift_test_measurements``
expects: ``channel, geo, x, delta_x, delta_y, sigma`` (``x`` and ``delta_x`` in
spend units, ``delta_y`` and ``sigma`` in outcome units *per week*).

The metrics compare an uncalibrated and a calibrated posterior of the same
quantity. They take xarray (reducing ``chain`` and ``draw``, keeping every other
dim, e.g. ``geo x channel``) or plain numpy sample arrays:

* ``precision_improvement = (HDI width uncal - HDI width cal) / HDI width uncal x 100``;
* ``bias_improvement = (|mean uncal - truth| - |mean cal - truth|) / HDI width uncal x 100``;
* :func:`curve_recovery`: error of the posterior-mean curve against the true curve
  over a spend grid, and the share of the grid where the HDI band holds the truth;
* :func:`fit_metrics`: R² and RMSE of posterior-mean predictions, per geo.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import (
    check_bool,
    check_int,
    check_number,
    check_positive,
    check_probability,
    check_strings,
)
from labkit.causal import total_effect_draws
from labkit.response import adstock_ramp, logistic

__all__ = [
    "LIFT_COLUMNS",
    "bias_improvement",
    "curve_recovery",
    "fit_metrics",
    "hdi_width",
    "lift_constraint_beta",
    "lift_test_from_synthetic_control",
    "oracle_lift_tests",
    "precision_improvement",
    "validate_lift_tests",
]

LIFT_COLUMNS = ("channel", "geo", "x", "delta_x", "delta_y", "sigma")


# --------------------------------------------------------------------------- lift tables


def oracle_lift_tests(dataset: Any, *, base_sigma: float = 0.015) -> pd.DataFrame:
    """Lift tests of the ``geo_panel`` experiment computed from the true curves.

    For each treated geo: ``x`` is its mean pre-experiment spend on the tested
    channel, ``delta_x`` the applied increase, ``delta_y`` the weekly change of
    that geo's true curve ``beta * logistic(lam * x / channel_scale)`` (steady
    state, normalised adstock), and ``sigma = base_sigma * sqrt(median geo sales /
    geo sales)``: bigger geos measure more precisely.

    Parameters
    ----------
    dataset : labkit.data.Dataset
        ``load_dataset("geo_panel")``.
    base_sigma : float
        Uncertainty of a median-sized geo (> 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, geo, x, delta_x, delta_y, sigma``.
    """
    if getattr(dataset, "name", None) != "geo_panel":
        raise ValueError("dataset must be load_dataset('geo_panel')")
    base_sigma = check_positive("base_sigma", base_sigma)
    df, truth = dataset.data, dataset.truth
    channel = truth["test_channel"]
    sales = df.groupby("geo")["y"].mean()
    median = sales.median()
    scale = truth["channel_scale"][channel]
    rows = []
    for geo in truth["treated_geos"]:
        pre = df[(df["geo"] == geo) & ~df["experiment"]]
        x = float(pre[channel].mean())
        dx = float(truth["delta_x"])
        lam = truth["saturation_lam"][geo][channel]
        beta = truth["saturation_beta"][geo][channel]
        dy = float(logistic((x + dx) / scale, lam, beta) - logistic(x / scale, lam, beta))
        sigma = float(base_sigma * np.sqrt(median / sales[geo]))
        rows.append((channel, geo, x, dx, dy, sigma))
    return pd.DataFrame(rows, columns=list(LIFT_COLUMNS))


def lift_test_from_synthetic_control(
    result: Any,
    *,
    channel: str,
    geo: str,
    x: float,
    delta_x: float,
    include_noise: bool = True,
    adstock_alpha: float | None = None,
    l_max: int | None = None,
    hdi_prob: float = 0.94,
    random_seed: int | None = 0,
) -> dict[str, Any]:
    """One lift-table row from a CausalPy synthetic control of one treated geo.

    Units: the table wants the *weekly* steady-state effect. The window's total
    effect over n weeks is divided by n, and so is its sd (the sd of a mean of n
    weekly effects that are summed draw by draw is the total's sd / n, not / sqrt n).

    Parameters
    ----------
    result : causalpy.SyntheticControl
    channel, geo : str
    x, delta_x : float
        Spend before the test and the applied change (spend units).
    include_noise : bool
        Add the observation noise CausalPy's ``mu``-based impact leaves out (see
        :func:`labkit.causal.total_effect_draws`).
    adstock_alpha, l_max : optional
        Adstock decay in [0, 1) and number of lags (int >= 1), both or neither.
        Adstock-aware option: under geometric adstock a T-week window captures
        only the mean ramp fraction of the steady-state effect; dividing by it
        estimates the steady-state weekly effect.
    hdi_prob : float
        Probability of the reported interval ``delta_y_low, delta_y_high``, in (0, 1).
    random_seed : int, optional

    Returns
    -------
    dict
        ``channel, geo, x, delta_x, delta_y, sigma`` plus the HDI
        ``delta_y_low, delta_y_high`` of the weekly effect, ``n_weeks`` and
        ``ramp_fraction``.
    """
    import arviz as az

    for name, value in (("channel", channel), ("geo", geo)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a name (str), got {value!r}")
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = _check_delta_x(delta_x)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    include_noise = check_bool("include_noise", include_noise)
    if adstock_alpha is not None:
        adstock_alpha = check_number(
            "adstock_alpha", adstock_alpha, low=0.0, high=1.0, high_open=True
        )
        if l_max is None:
            raise ValueError("l_max is required with adstock_alpha")
        l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
    effect = total_effect_draws(result, include_noise=include_noise, random_seed=random_seed)
    weekly = effect.weekly
    fraction = 1.0
    if adstock_alpha is not None:
        fraction = float(adstock_ramp(adstock_alpha, l_max, effect.n_weeks).mean())
        weekly = weekly / fraction
    low, high = az.hdi(weekly, hdi_prob=hdi_prob)
    return {
        "channel": channel,
        "geo": geo,
        "x": float(x),
        "delta_x": float(delta_x),
        "delta_y": float(weekly.mean()),
        "sigma": float(weekly.std()),
        "delta_y_low": float(low),
        "delta_y_high": float(high),
        "n_weeks": effect.n_weeks,
        "ramp_fraction": fraction,
    }


def _check_delta_x(delta_x: Any) -> float:
    v = check_number("delta_x", delta_x, hint=" (the spend change of the test, not 0)")
    if v == 0:
        raise ValueError(f"delta_x must be a non-zero finite spend change, got {delta_x!r}")
    return v


def validate_lift_tests(
    lift_tests: pd.DataFrame,
    *,
    channels: Sequence[str],
    geos: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Check a lift table against a model before it reaches pymc-marketing.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
        Columns ``channel, x, delta_x, delta_y, sigma`` (and ``geo`` for geo models).
    channels : str or sequence of str
        The model's channels (one name is one channel).
    geos : str or sequence of str, optional
        The model's geos (``None`` for a national model).

    Returns
    -------
    pandas.DataFrame
        The table, unchanged, when it is valid.

    Raises
    ------
    ValueError
        Naming the offending rows and the problem: missing columns, unknown
        channels or geos, NaN, ``sigma <= 0``, or ``delta_x * delta_y < 0`` (a
        spend increase that lowered sales).
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    channels = check_strings("channels", channels)
    geos = None if geos is None else check_strings("geos", geos)
    required = [c for c in LIFT_COLUMNS if c != "geo" or geos is not None]
    missing = [c for c in required if c not in lift_tests.columns]
    if missing:
        raise ValueError(f"lift_tests is missing column(s) {missing}; it needs {required}")
    problems = []

    def rows(mask: pd.Series) -> list:
        return lift_tests.index[mask.to_numpy()].tolist()

    numeric = lift_tests[["x", "delta_x", "delta_y", "sigma"]].astype(float)
    bad = numeric.isna().any(axis=1) | ~np.isfinite(numeric).all(axis=1)
    if bad.any():
        problems.append(f"rows {rows(bad)} have NaN or infinite values")
    unknown = ~lift_tests["channel"].isin(list(channels))
    if unknown.any():
        problems.append(f"rows {rows(unknown)} name channels not in the model {list(channels)}")
    if geos is not None:
        unknown_geo = ~lift_tests["geo"].isin(list(geos))
        if unknown_geo.any():
            problems.append(f"rows {rows(unknown_geo)} name geos not in the model")
    sigma = numeric["sigma"] <= 0
    if sigma.any():
        problems.append(f"rows {rows(sigma)} have sigma <= 0")
    sign = (numeric["delta_x"] * numeric["delta_y"]) < 0
    if sign.any():
        problems.append(
            f"rows {rows(sign)} have delta_x * delta_y < 0 (spend and sales moved in opposite "
            "directions; a saturation curve cannot fit that)"
        )
    if problems:
        raise ValueError("invalid lift tests: " + "; ".join(problems))
    return lift_tests


# --------------------------------------------------------------------------- metrics


def _as_samples(values: Any) -> xr.DataArray:
    if isinstance(values, xr.DataArray):
        if not {"chain", "draw"} <= set(values.dims):
            raise ValueError(f"posterior samples need dims 'chain' and 'draw', got {values.dims}")
        return values
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size < 10:
        raise ValueError("numpy samples must be a 1-D array of at least 10 draws")
    return xr.DataArray(arr[None, :], dims=("chain", "draw"))


def hdi_width(samples: Any, hdi_prob: float = 0.94) -> xr.DataArray:
    """Width of the HDI (ArviZ) over ``chain`` and ``draw``, per remaining coordinate."""
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    low, high = _hdi_bounds(_as_samples(samples), hdi_prob)
    return high - low


def _maybe_float(result: xr.DataArray, *inputs: Any) -> xr.DataArray | float:
    return float(result) if not any(isinstance(i, xr.DataArray) for i in inputs) else result


def precision_improvement(uncalibrated: Any, calibrated: Any, hdi_prob: float = 0.94) -> Any:
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


def bias_improvement(uncalibrated: Any, calibrated: Any, truth: Any, hdi_prob: float = 0.94) -> Any:
    """Reduction of |mean - truth|, in percent of the uncalibrated HDI width.

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
    u, c = _as_samples(uncalibrated), _as_samples(calibrated)
    bias_u = abs(u.mean(("chain", "draw")) - truth)
    bias_c = abs(c.mean(("chain", "draw")) - truth)
    return _maybe_float(
        (bias_u - bias_c) / hdi_width(uncalibrated, hdi_prob) * 100, uncalibrated, calibrated
    )


def _hdi_bounds(samples: xr.DataArray, hdi_prob: float) -> tuple[xr.DataArray, xr.DataArray]:
    import arviz as az

    # a name that cannot clash with a coordinate, so ArviZ can wrap it into a Dataset
    bounds = az.hdi(samples.rename("__samples__"), hdi_prob=hdi_prob)
    if isinstance(bounds, xr.Dataset):
        bounds = bounds[next(iter(bounds.data_vars))]
    return bounds.sel(hdi="lower", drop=True), bounds.sel(hdi="higher", drop=True)


def curve_recovery(
    curves: xr.DataArray, truth: xr.DataArray, *, dim: str = "x", hdi_prob: float = 0.94
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
    _as_samples(curves)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    error = curves.mean(("chain", "draw")) - truth
    low, high = _hdi_bounds(curves, hdi_prob)
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


def lift_constraint_beta(
    lam: np.ndarray, x: float, delta_x: float, delta_y: float, channel_scale: float = 1.0
) -> np.ndarray:
    """Return the ``beta`` that makes a logistic curve of steepness ``lam`` pass a lift test.

    One lift test is one equation in two unknowns,
    ``beta * (h(lam, (x + delta_x) / s) - h(lam, x / s)) = delta_y`` with
    ``h(lam, u) = (1 - exp(-lam u)) / (1 + exp(-lam u))``: a curve in the
    ``(lam, beta)`` plane, not a point.

    Parameters
    ----------
    lam : array-like
        Steepness values (> 0).
    x, delta_x, delta_y : float
        The lift test (spend before, spend change, weekly lift; same units as the curve).
    channel_scale : float
        Spend is divided by it before saturation (> 0).

    Returns
    -------
    numpy.ndarray
        ``beta`` for each ``lam``.
    """
    try:
        lam = np.asarray(lam, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"lam must be a number or an array of numbers > 0, got {lam!r}") from err
    if lam.size == 0 or np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("lam must be finite and > 0 (at least one value)")
    channel_scale = check_positive("channel_scale", channel_scale)
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = _check_delta_x(delta_x)
    delta_y = check_number("delta_y", delta_y)
    step = logistic((x + delta_x) / channel_scale, lam, 1.0) - logistic(x / channel_scale, lam, 1.0)
    return delta_y / step
