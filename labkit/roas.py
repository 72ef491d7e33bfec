"""Return on ad spend against the truth, and dated lift tests (seed 003).

Helpers for the confounder chapter: the true ROAS of a simulated data set from
its counterfactual columns, lift tests dated in time and built from a true ROAS,
a check that a dated lift table can feed a time-slice cross-validation before
any sampling starts, and a summary of ROAS posteriors against the truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from labkit.designer import hdi

__all__ = [
    "check_lift_test_dates",
    "dated_lift_tests",
    "fold_summaries",
    "roas_draws",
    "roas_summary",
    "true_roas",
]


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
        ``{"x1": "y01", "x2": "y02"}``.
    target : str

    Returns
    -------
    pandas.Series
        Indexed by channel. Carryover beyond the end of the series is ignored.
    """
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


def dated_lift_tests(
    roas: Mapping[str, float],
    tests: Sequence[tuple[str, float, float, pd.Timestamp | str]],
    *,
    sigma: float,
) -> pd.DataFrame:
    """Lift tests whose delta_y follows from a true ROAS: delta_y = ROAS x delta_x.

    Parameters
    ----------
    roas : dict
        True ROAS per channel.
    tests : sequence of (channel, x, delta_x, date)
        One tuple per test; ``date`` is when its result became known.
    sigma : float
        Standard deviation of every delta_y (> 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, x, delta_x, delta_y, sigma, date`` sorted by date.
    """
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    rows = []
    for channel, x, delta_x, date in tests:
        if channel not in roas:
            raise ValueError(f"no ROAS for channel {channel!r}; known {sorted(roas)}")
        rows.append(
            (
                channel,
                float(x),
                float(delta_x),
                float(roas[channel] * delta_x),
                sigma,
                pd.Timestamp(date),
            )
        )
    frame = pd.DataFrame(rows, columns=["channel", "x", "delta_x", "delta_y", "sigma", "date"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def check_lift_test_dates(
    lift_tests: pd.DataFrame, train_ends: Sequence[Any], date_column: str = "date"
) -> pd.DataFrame:
    """Check dated lift tests against the training ends of cross-validation folds.

    Run before sampling: pymc-marketing's own error surfaces deep inside a
    cross-validation run.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
    train_ends : sequence
        Last training date of each fold.
    date_column : str

    Returns
    -------
    pandas.DataFrame
        Rows: fold, training end, and how many lift tests it may use (dated on or
        before its training end).

    Raises
    ------
    ValueError
        If the date column is missing or cannot be parsed, or no test is dated
        inside any fold's training window.
    """
    if date_column not in lift_tests.columns:
        raise ValueError(f"lift_tests has no {date_column!r} column")
    try:
        dates = pd.to_datetime(lift_tests[date_column], errors="raise")
    except (ValueError, TypeError) as err:
        raise ValueError(f"lift_tests[{date_column!r}] cannot be parsed as dates: {err}") from err
    ends = pd.to_datetime(pd.Series(list(train_ends)))
    if ends.empty:
        raise ValueError("train_ends must not be empty")
    usable = [(i, end, int((dates <= end).sum())) for i, end in enumerate(ends)]
    table = pd.DataFrame(usable, columns=["fold", "train_end", "n_lift_tests"])
    if table["n_lift_tests"].max() == 0:
        raise ValueError(
            f"no lift test is dated on or before any fold's training end (tests from "
            f"{dates.min().date()}, last training end {ends.max().date()})"
        )
    return table


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
    from labkit.mmm import check_fitted

    check_fitted(mmm)
    channels = list(mmm.channel_columns)
    contribution = mmm.idata.posterior["channel_contribution"].sum("date")
    target_scale = float(np.asarray(mmm.get_scales_as_xarray()["target_scale"]).max())
    spend = xr.DataArray(X[channels].sum().to_numpy(), dims="channel", coords={"channel": channels})
    return (contribution * target_scale / spend).transpose("chain", "draw", "channel")


def roas_summary(
    roas: xr.DataArray, truth: Mapping[str, float], hdi_prob: float = 0.94
) -> pd.DataFrame:
    """ROAS posterior against the truth, per channel.

    Parameters
    ----------
    roas : xarray.DataArray
        Draws over ``chain, draw`` and ``channel``.
    truth : dict
        True ROAS per channel.
    hdi_prob : float

    Returns
    -------
    pandas.DataFrame
        Columns ``mean, hdi_lower, hdi_upper, truth, error, abs_error, covered``.
    """
    if not {"chain", "draw", "channel"} <= set(roas.dims):
        raise ValueError(f"roas needs dims chain, draw and channel, got {roas.dims}")
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
    hdi_prob: float = 0.94,
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
    parameters : sequence of str
        Posterior variables (over ``channel``) to follow across folds.
    hdi_prob : float

    Returns
    -------
    dict of pandas.DataFrame
        ``roas`` (fold, train_end, channel, mean, HDI, error), ``parameters``,
        ``crps`` (pymc-marketing's CRPS of the out-of-sample weeks, original
        scale) and ``lift_tests`` (how many lift measurements each fold's model
        holds, and the latest date it may use).
    """
    from pymc_marketing.metrics import crps

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
