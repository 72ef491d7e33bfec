"""Return on ad spend and channel contributions, measured against the truth.

The ``confounded`` data set keeps the sales without each channel, so both the
weekly contribution of a channel (:func:`true_contributions`) and its ROAS
(:func:`true_roas`) are known exactly. A fitted MMM's answers come from
pymc-marketing's own helpers: the counterfactual ROAS of its
``Incrementality`` (:func:`roas_draws`) and the contributions of its data
wrapper (:func:`contributions_vs_truth`). The tables here set them side by
side: per channel (:func:`roas_summary`), per week (:func:`contributions_vs_truth`)
and per cross-validation fold (:func:`fold_summaries`, :func:`roas_error_by_fold`).

ROAS throughout is ``sum over the series of contribution / sum of spend``:
contribution carried past the last week is ignored on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr
from pymc_marketing.metrics import crps
from pymc_marketing.mmm.multidimensional import MMM

from labkit._validate import check_mapping, check_probability, check_strings
from labkit.mmm import check_mmm
from labkit.stats import HDI_PROB, hdi, hdi_bounds

if TYPE_CHECKING:
    import arviz as az


def true_contributions(
    data: pd.DataFrame,
    counterfactuals: Mapping[str, str],
    *,
    target: str = "y",
    date_column: str = "date",
) -> pd.DataFrame:
    """Return each channel's true weekly contribution: target minus its counterfactual.

    Parameters
    ----------
    data : pandas.DataFrame
        Holds ``date_column``, ``target`` and each channel's counterfactual column.
    counterfactuals : dict
        ``{channel: column of the target without that channel}``, e.g.
        ``{"x1": "y01", "x2": "y02"}``; not empty.
    target, date_column : str

    Returns
    -------
    pandas.DataFrame
        Indexed by date, one column per channel, in target units.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a DataFrame, got {type(data).__name__}")
    counterfactuals = check_mapping("counterfactuals", counterfactuals)
    for name, value in (("target", target), ("date_column", date_column)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a column name (str), got {value!r}")
    needed = [date_column, target, *counterfactuals.values()]
    missing = [c for c in needed if c not in data]
    if missing:
        raise ValueError(f"data is missing column(s) {missing}")
    out = pd.DataFrame(
        {ch: (data[target] - data[col]).to_numpy() for ch, col in counterfactuals.items()},
        index=pd.Index(data[date_column], name=date_column),
    )
    out.columns.name = "channel"
    return out


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


def roas_draws(mmm: MMM) -> xr.DataArray:
    """ROAS posterior of a fitted pymc-marketing MMM over the weeks it was fitted on.

    pymc-marketing's counterfactual ROAS, ``mmm.incrementality.contribution_over_spend``
    over the whole series (``frequency="all_time"``): per draw, the model's sales
    with the actual spend minus its sales with the channel's spend set to zero,
    summed over the weeks, divided by the channel's total spend. This is the
    definition of :func:`true_roas` applied to the model instead of the world.
    Over the whole series it equals the sum of the posterior channel contributions
    (original scale) over the total spend, as nothing carries in from before the
    first week and the carryover past the last week is dropped on both sides.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted, national.

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, channel``.
    """
    check_mmm(mmm)
    if mmm.dims:
        raise ValueError(f"mmm must be a national model (no dims), got dims {mmm.dims}")
    roas = mmm.incrementality.contribution_over_spend(frequency="all_time")
    # a target fitted as a one-column frame leaves a length-1 scale dimension behind
    extra = [d for d in roas.dims if d not in ("chain", "draw", "channel")]
    if any(roas.sizes[d] != 1 for d in extra):
        raise ValueError(f"ROAS has unexpected dims {extra}: expected one value per channel")
    return roas.isel({d: 0 for d in extra}, drop=True).transpose("chain", "draw", "channel")


def contributions_vs_truth(
    mmm: MMM,
    data: pd.DataFrame,
    counterfactuals: Mapping[str, str],
    *,
    target: str = "y",
    hdi_prob: float = HDI_PROB,
) -> pd.DataFrame:
    """Posterior weekly channel contributions of a fitted MMM next to the true ones.

    The contributions are pymc-marketing's ``mmm.data.get_channel_contributions``
    in the target's units; the truth is :func:`true_contributions`.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted, national.
    data : pandas.DataFrame
        The data set, with ``mmm.date_column``, ``target`` and the counterfactual columns.
    counterfactuals : dict
        ``{channel: column of the target without that channel}``.
    target : str
    hdi_prob : float
        In (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per date and channel: ``date, channel, mean, hdi_lower, hdi_upper,
        truth, error`` (``mean - truth``).
    """
    check_mmm(mmm)
    if mmm.dims:
        raise ValueError(f"mmm must be a national model (no dims), got dims {mmm.dims}")
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    date = mmm.date_column
    truth = true_contributions(data, counterfactuals, target=target, date_column=date)
    unknown = [c for c in truth.columns if c not in mmm.channel_columns]
    if unknown:
        raise ValueError(f"counterfactuals name channel(s) {unknown} the model does not have")
    draws = mmm.data.get_channel_contributions(original_scale=True).sel(channel=list(truth.columns))
    low, high = hdi_bounds(draws, hdi_prob)
    table = xr.Dataset(
        {"mean": draws.mean(("chain", "draw")), "hdi_lower": low, "hdi_upper": high}
    ).to_dataframe()
    table = table.reset_index()[["date", "channel", "mean", "hdi_lower", "hdi_upper"]]
    table = table.rename(columns={"date": date})
    tidy_truth = truth.stack().rename("truth").reset_index()
    merged = table.merge(tidy_truth, on=[date, "channel"], how="inner", validate="one_to_one")
    if len(merged) != len(table):
        raise ValueError("data does not hold every date the model was fitted on")
    merged["error"] = merged["mean"] - merged["truth"]
    return merged


def roas_summary(
    roas: xr.DataArray, truth: Mapping[str, float], hdi_prob: float = HDI_PROB
) -> pd.DataFrame:
    """ROAS posterior against the truth, per channel.

    Parameters
    ----------
    roas : xarray.DataArray
        Draws over ``chain, draw`` and ``channel`` (e.g. :func:`roas_draws`).
    truth : dict
        True ROAS per channel (every channel of ``roas``).
    hdi_prob : float
        In (0, 1).

    Returns
    -------
    pandas.DataFrame
        Indexed by channel: ``mean, hdi_lower, hdi_upper, truth, error, abs_error,
        covered``.
    """
    _check_roas(roas)
    truth = check_mapping("truth", truth)
    channels = [str(c) for c in roas.coords["channel"].to_numpy()]
    absent = [c for c in channels if c not in truth]
    if absent:
        raise ValueError(f"truth has no ROAS for channel(s) {absent}; roas has {channels}")
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    rows = {}
    for channel in channels:
        draws = roas.sel(channel=channel).to_numpy().reshape(-1)
        lo, hi = hdi(draws, hdi_prob)
        t = float(truth[channel])
        mean = float(draws.mean())
        rows[channel] = {
            "mean": mean, "hdi_lower": float(lo), "hdi_upper": float(hi), "truth": t,
            "error": mean - t, "abs_error": abs(mean - t), "covered": bool(lo <= t <= hi),
        }  # fmt: skip
    return pd.DataFrame(rows).T.infer_objects()


def _check_roas(roas: Any) -> None:
    if not isinstance(roas, xr.DataArray):
        raise TypeError(f"roas must be an xarray.DataArray, got {type(roas).__name__}")
    if set(roas.dims) != {"chain", "draw", "channel"}:
        raise ValueError(f"roas needs dims chain, draw and channel (only), got {roas.dims}")


def roas_order_probability(roas: xr.DataArray, higher: str, lower: str) -> float:
    """Posterior probability that one channel's ROAS exceeds another's.

    Parameters
    ----------
    roas : xarray.DataArray
        Draws over ``chain, draw, channel``.
    higher, lower : str
        Channels of ``roas``.

    Returns
    -------
    float
        Share of draws with ``ROAS[higher] > ROAS[lower]``.
    """
    _check_roas(roas)
    channels = [str(c) for c in roas.coords["channel"].to_numpy()]
    for name, value in (("higher", higher), ("lower", lower)):
        if value not in channels:
            raise ValueError(f"{name} must be one of {channels}, got {value!r}")
    return float((roas.sel(channel=higher) > roas.sel(channel=lower)).mean())


def fold_summaries(
    cv_idata: az.InferenceData,
    models: Sequence[MMM],
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
    models : sequence of MMM
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
        ``roas`` (fold, train_end, channel and :func:`roas_summary`'s columns),
        ``parameters``, ``crps`` (pymc-marketing's CRPS of the out-of-sample
        weeks, original scale) and ``lift_tests`` (how many lift measurements
        each fold's model holds).
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a model name (str), got {label!r}")
    parameters = check_strings("parameters", parameters)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    truth = check_mapping("truth", truth)
    models = list(models)
    # arviz sets the groups of an InferenceData with setattr: the class declares none of them
    meta = cv_idata.cv_metadata["metadata"].to_numpy()  # type: ignore[attr-defined]
    roas_rows, param_rows, crps_rows, lift_rows = [], [], [], []
    for fold, (m, info) in enumerate(zip(models, meta, strict=True)):
        key = {"model": label, "fold": fold}
        train_end = pd.Timestamp(info["X_train"]["date"].max())
        summary = roas_summary(roas_draws(m), truth, hdi_prob)
        for channel, row in summary.iterrows():
            roas_rows.append(key | {"train_end": train_end, "channel": channel, **row})
        assert m.idata is not None  # a fitted fold model
        post = m.idata.posterior  # type: ignore[attr-defined]
        for p in parameters:
            for channel in post[p].coords["channel"].to_numpy():
                draws = post[p].sel(channel=channel).to_numpy().reshape(-1)
                lo, hi = hdi(draws, hdi_prob)
                param_rows.append(
                    key
                    | {"parameter": p, "channel": str(channel), "mean": float(draws.mean())}
                    | {"hdi_lower": float(lo), "hdi_upper": float(hi)}
                )
        test_dates = pd.to_datetime(info["X_test"]["date"])
        pred = (
            cv_idata.posterior_predictive["y_original_scale"]  # type: ignore[attr-defined]
            .isel(cv=fold)
            .sel(date=test_dates.to_numpy())
        )
        samples = pred.stack(sample=("chain", "draw")).transpose("sample", "date").to_numpy()
        score = float(crps(np.asarray(info["y_test"], dtype=float), samples))
        crps_rows.append(key | {"train_end": train_end, "crps": score})
        observed = m.idata.observed_data  # type: ignore[attr-defined]
        n_lift = int(observed["lift_measurements"].size) if "lift_measurements" in observed else 0
        lift_rows.append(key | {"train_end": train_end, "n_lift_tests": n_lift})
    return {
        "roas": pd.DataFrame(roas_rows),
        "parameters": pd.DataFrame(param_rows),
        "crps": pd.DataFrame(crps_rows),
        "lift_tests": pd.DataFrame(lift_rows),
    }


def roas_error_by_fold(roas_folds: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute ROAS error over the channels, per fold and model.

    Parameters
    ----------
    roas_folds : pandas.DataFrame
        :func:`fold_summaries`' ``roas`` tables of one or more models, concatenated.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``fold``, one column per model (in order of appearance).
    """
    if not isinstance(roas_folds, pd.DataFrame):
        raise TypeError(f"roas_folds must be a DataFrame, got {type(roas_folds).__name__}")
    missing = [c for c in ("model", "fold", "abs_error") if c not in roas_folds.columns]
    if missing:
        raise ValueError(f"roas_folds is missing column(s) {missing}")
    models = list(dict.fromkeys(roas_folds["model"]))
    table = roas_folds.groupby(["fold", "model"])["abs_error"].mean().unstack("model")
    table = table[models]
    table.columns.name = None
    return table
