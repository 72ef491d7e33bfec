"""TODO docstring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import (
    check_mapping,
    check_probability,
    check_strings,
)
from labkit.stats import HDI_PROB, hdi


def true_roas(
    data: pd.DataFrame, counterfactuals: Mapping[str, str], target: str = "y"
) -> pd.Series:
    """Return the true ROAS of each channel: sum(target - counterfactual) / sum(spend).

    Parameters
    ----------
    data : pandas.DataFrame
        Must hold ``target``, each channel's spend and its counterfactual column.
    counterfactuals : dict
        ``{channel: column of the target without that channel}``, e.g.
        ``{"x1": "y01", "x2": "y02"}``; not empty.
    target : str

    Returns
    -------
    pandas.Series
        Indexed by channel. Carryover beyond the end of the series is ignored.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a DataFrame, got {type(data).__name__}")
    counterfactuals = check_mapping("counterfactuals", counterfactuals)
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {target!r}")
    missing = [c for c in [target, *counterfactuals, *counterfactuals.values()] if c not in data]
    if missing:
        raise ValueError(f"data is missing column(s) {missing}")
    out = {}
    for channel, column in counterfactuals.items():
        spend = data[channel].sum()
        if spend <= 0:
            raise ValueError(f"channel {channel!r} has no spend: ROAS is undefined")
        out[channel] = float((data[target] - data[column]).sum() / spend)
    return pd.Series(out, name="true_roas")


def roas_draws(mmm: Any, X: pd.DataFrame) -> xr.DataArray:
    """ROAS posterior of a fitted pymc-marketing MMM over the data it saw.

    ``sum over dates of channel_contribution x target_scale / sum of spend``: the
    same definition as :func:`true_roas` (contributions carried past the last date
    are ignored on both sides).

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted, national.
    X : pandas.DataFrame
        The spend it was fitted on (channel columns).

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, channel``.
    """
    from labkit.design.facts import check_fitted

    check_fitted(mmm)
    channels = list(mmm.channel_columns)
    contribution = mmm.idata.posterior["channel_contribution"].sum("date")
    target_scale = float(np.asarray(mmm.get_scales_as_xarray()["target_scale"]).max())
    spend = xr.DataArray(X[channels].sum().to_numpy(), dims="channel", coords={"channel": channels})
    return (contribution * target_scale / spend).transpose("chain", "draw", "channel")


def roas_summary(
    roas: xr.DataArray, truth: Mapping[str, float], hdi_prob: float = HDI_PROB
) -> pd.DataFrame:
    """ROAS posterior against the truth, per channel.

    Parameters
    ----------
    roas : xarray.DataArray
        Draws over ``chain, draw`` and ``channel``.
    truth : dict
        True ROAS per channel (every channel of ``roas``).
    hdi_prob : float
        In (0, 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``mean, hdi_lower, hdi_upper, truth, error, abs_error, covered``.
    """
    if not isinstance(roas, xr.DataArray):
        raise TypeError(f"roas must be an xarray.DataArray, got {type(roas).__name__}")
    if not {"chain", "draw", "channel"} <= set(roas.dims):
        raise ValueError(f"roas needs dims chain, draw and channel, got {roas.dims}")
    truth = check_mapping("truth", truth)
    channels = [str(c) for c in roas.coords["channel"].to_numpy()]
    absent = [c for c in channels if c not in truth]
    if absent:
        raise ValueError(f"truth has no ROAS for channel(s) {absent}; roas has {channels}")
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    rows = {}
    for channel in roas.coords["channel"].to_numpy():
        draws = roas.sel(channel=channel).to_numpy().reshape(-1)
        lo, hi = hdi(draws, hdi_prob)
        t = float(truth[str(channel)])
        mean = float(draws.mean())
        rows[str(channel)] = {
            "mean": mean, "hdi_lower": float(lo), "hdi_upper": float(hi), "truth": t,
            "error": mean - t, "abs_error": abs(mean - t), "covered": bool(lo <= t <= hi),
        }  # fmt: skip
    return pd.DataFrame(rows).T.infer_objects()


def fold_summaries(
    cv_idata: Any,
    models: Sequence[Any],
    truth: Mapping[str, float],
    *,
    label: str,
    parameters: Sequence[str] = ("adstock_alpha", "saturation_lam", "saturation_beta"),
    hdi_prob: float = HDI_PROB,
) -> dict[str, pd.DataFrame]:
    """Per-fold tables from a ``TimeSliceCrossValidator.run(..., return_models=True)``.

    Parameters
    ----------
    cv_idata : arviz.InferenceData
        The combined result (its ``cv_metadata`` and ``posterior_predictive``).
    models : sequence
        The fitted fold models.
    truth : dict
        True ROAS per channel.
    label : str
        Model name for the ``model`` column.
    parameters : str or sequence of str
        Posterior variables (over ``channel``) to follow across folds (one name
        is one variable).
    hdi_prob : float
        In (0, 1).

    Returns
    -------
    dict of pandas.DataFrame
        ``roas`` (fold, train_end, channel, mean, HDI, error), ``parameters``,
        ``crps`` (pymc-marketing's CRPS of the out-of-sample weeks, original
        scale) and ``lift_tests`` (how many lift measurements each fold's model
        holds, and the latest date it may use).
    """
    from pymc_marketing.metrics import crps

    if not isinstance(label, str):
        raise TypeError(f"label must be a model name (str), got {label!r}")
    parameters = check_strings("parameters", parameters)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    truth = check_mapping("truth", truth)
    models = list(models)
    meta = cv_idata.cv_metadata["metadata"].to_numpy()
    roas_rows, param_rows, crps_rows, lift_rows = [], [], [], []
    for fold, (m, info) in enumerate(zip(models, meta, strict=True)):
        train_end = pd.Timestamp(info["X_train"]["date"].max())
        summary = roas_summary(roas_draws(m, info["X_train"]), truth, hdi_prob)
        for channel, row in summary.iterrows():
            roas_rows.append(
                {"model": label, "fold": fold, "train_end": train_end, "channel": channel, **row}
            )
        post = m.idata.posterior
        for p in parameters:
            for channel in post[p].coords["channel"].to_numpy():
                draws = post[p].sel(channel=channel).to_numpy().reshape(-1)
                lo, hi = hdi(draws, hdi_prob)
                param_rows.append(
                    {"model": label, "fold": fold, "parameter": p, "channel": str(channel)}
                    | {"mean": float(draws.mean()), "hdi_lower": float(lo), "hdi_upper": float(hi)}
                )
        test_dates = pd.to_datetime(info["X_test"]["date"])
        pred = (
            cv_idata.posterior_predictive["y_original_scale"]
            .isel(cv=fold)
            .sel(date=test_dates.to_numpy())
        )
        samples = pred.stack(sample=("chain", "draw")).transpose("sample", "date").to_numpy()
        score = float(crps(np.asarray(info["y_test"], dtype=float), samples))
        crps_rows.append({"model": label, "fold": fold, "train_end": train_end, "crps": score})
        observed = m.idata.observed_data
        n_lift = int(observed["lift_measurements"].size) if "lift_measurements" in observed else 0
        lift_rows.append(
            {"model": label, "fold": fold, "train_end": train_end, "n_lift_tests": n_lift}
        )
    return {
        "roas": pd.DataFrame(roas_rows),
        "parameters": pd.DataFrame(param_rows),
        "crps": pd.DataFrame(crps_rows),
        "lift_tests": pd.DataFrame(lift_rows),
    }
