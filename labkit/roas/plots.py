"""Figures of the confounder chapter.

The data-generating process (:func:`plot_confounder_dag`); a fit's weekly
contributions against the truth (:func:`plot_contributions_vs_truth`); ROAS
posteriors against the true ROAS (:func:`plot_roas_posteriors`); across
cross-validation folds, ROAS (:func:`plot_roas_by_fold`, one fold:
:func:`plot_fold_roas`) and parameters (:func:`plot_parameter_stability`); and a
test read week by week against the profiles fits predict (:func:`plot_weekly_profile`).
Every figure draws a table or draws computed in :mod:`labkit.roas.summaries`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from labkit._figures import FIG_WIDTH, SMALL, TITLE, panels


def plot_confounder_dag() -> Figure:
    """Draw the data-generating process of the ``confounded`` data set as a small DAG."""
    z, y = "z\n(unobserved)", "y (sales)"
    nodes = {
        z: (0.5, 0.9),
        "x1": (0.2, 0.5),
        "x2": (0.5, 0.5),
        "trend +\nseason": (0.8, 0.5),
        y: (0.5, 0.1),
    }
    edges = [(z, "x1"), (z, y), ("x1", y), ("x2", y), ("trend +\nseason", y)]
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for a, b in edges:
        (xa, ya), (xb, yb) = nodes[a], nodes[b]
        arrow = {"arrowstyle": "->", "lw": 1.5, "color": "C3" if a == z else "k"}
        ax.annotate("", xy=(xb, yb + 0.06), xytext=(xa, ya - 0.06), arrowprops=arrow)
    for name, (x, yy) in nodes.items():
        box = {"boxstyle": "round", "fc": "white", "ec": "C3" if name == z else "k"}
        ax.text(x, yy, name, ha="center", va="center", fontsize=10, bbox=box)
    ax.set(xlim=(0, 1), ylim=(0, 1), title="z drives x1 spend and sales: a confounder")
    ax.axis("off")
    return fig


def plot_roas_by_fold(
    folds: pd.DataFrame, truth: Mapping[str, float], test_dates: pd.Series | None = None
) -> Figure:
    """ROAS posteriors per fold (mean and HDI) against the truth, one panel per channel.

    The folds sit at evenly spaced positions on the x-axis, labelled with their
    training end date: consecutive folds often end a week apart, which on a date
    axis spanning the lift tests would squeeze them into one corner.

    Parameters
    ----------
    folds : pandas.DataFrame
        Columns ``model, fold, train_end, channel, mean, hdi_lower, hdi_upper``.
    truth : dict
        True ROAS per channel.
    test_dates : pandas.Series, optional
        Lift-test dates: each fold's tick label counts the tests dated on or
        before its training end (the tests that fold may use).

    Returns
    -------
    matplotlib.figure.Figure
    """
    channels = list(truth)
    order = folds.drop_duplicates("fold").sort_values("fold")
    position = {f: i for i, f in enumerate(order["fold"])}
    ends = pd.to_datetime(order["train_end"])
    labels = [f"{f}: {d:%Y-%m-%d}" for f, d in zip(order["fold"], ends, strict=True)]
    if test_dates is not None:
        dates = pd.to_datetime(pd.Series(test_dates))
        counts = [int((dates <= d).sum()) for d in ends]
        labels = [f"{lab}\n{n} test{'s' * (n != 1)}" for lab, n in zip(labels, counts, strict=True)]
    models = list(dict.fromkeys(folds["model"]))
    shift = 0.3 if len(models) > 1 else 0.0
    offsets = {m: shift * (i / max(len(models) - 1, 1) - 0.5) for i, m in enumerate(models)}
    fig, axes = plt.subplots(
        len(channels), 1, figsize=(8, 2.8 * len(channels) + 0.4), layout="constrained",
        sharex=True, squeeze=False,
    )  # fmt: skip
    for ax, channel in zip(axes[:, 0], channels, strict=True):
        sub = folds[folds["channel"] == channel]
        for i, model in enumerate(models):
            g = sub[sub["model"] == model].sort_values("fold")
            ax.errorbar(
                g["fold"].map(position) + offsets[model], g["mean"],
                yerr=[g["mean"] - g["hdi_lower"], g["hdi_upper"] - g["mean"]],
                fmt="o-", capsize=3, color=f"C{i}", label=model,
            )  # fmt: skip
        ax.axhline(truth[channel], color="k", ls="--", lw=1.2, label="true ROAS", zorder=0)
        ax.set_title(f"{channel}: ROAS per fold", fontsize=TITLE)
        ax.set_ylabel("ROAS")
    ax = axes[-1, 0]
    ax.set_xticks(range(len(labels)), labels, fontsize=SMALL)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    xlabel = "fold: training end"
    if test_dates is not None:
        xlabel += ", and the lift tests dated on or before it"
    ax.set_xlabel(xlabel)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=len(names), fontsize=SMALL)
    return fig


def plot_parameter_stability(folds: pd.DataFrame) -> Figure:
    """Posterior mean and HDI of each parameter over the folds, per model.

    Parameters
    ----------
    folds : pandas.DataFrame
        Columns ``model, fold, parameter, channel, mean, hdi_lower, hdi_upper``.

    Returns
    -------
    matplotlib.figure.Figure
        One row per parameter and one column per channel (parameters sharing a
        row share the y-axis); with more than three channels, or when some
        parameter lacks a channel, the panels wrap three to a row instead.
    """
    keys = [tuple(k) for k in folds[["parameter", "channel"]].drop_duplicates().to_numpy()]
    params = list(dict.fromkeys(k[0] for k in keys))
    channels = list(dict.fromkeys(k[1] for k in keys))
    by_parameter = len(channels) <= 3 and len(keys) == len(params) * len(channels)
    if by_parameter:
        fig, axes = plt.subplots(
            len(params), len(channels), figsize=(min(FIG_WIDTH, 1.5 + 3.2 * len(channels)),
            2.3 * len(params) + 0.5), layout="constrained", squeeze=False, sharex=True,
            sharey="row",
        )  # fmt: skip
        cells = {(p, c): axes[i, j] for i, p in enumerate(params) for j, c in enumerate(channels)}
    else:
        fig, axes = panels(len(keys), 3, panel_height=2.3, sharex=True)
        cells = dict(zip(keys, axes.flat, strict=False))
    folds_seen = np.sort(folds["fold"].unique())
    models = list(dict.fromkeys(folds["model"]))
    width = 0.3 if len(models) > 1 else 0.0
    offsets = {m: width * (i / max(len(models) - 1, 1) - 0.5) for i, m in enumerate(models)}
    for (param, channel), ax in cells.items():
        sub = folds[(folds["parameter"] == param) & (folds["channel"] == channel)]
        for i, model in enumerate(models):
            g = sub[sub["model"] == model]
            ax.errorbar(
                g["fold"] + offsets[model], g["mean"],
                yerr=[g["mean"] - g["hdi_lower"], g["hdi_upper"] - g["mean"]],
                fmt="o", capsize=2, color=f"C{i}", label=model,
            )  # fmt: skip
        ax.set_title(f"{param} · {channel}", fontsize=TITLE)
        ax.set_xticks(folds_seen)
        ax.set_xlim(folds_seen[0] - 0.5, folds_seen[-1] + 0.5)
    fig.supxlabel("fold", fontsize=TITLE)
    handles, labels = next(iter(cells.values())).get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside upper center", ncol=max(len(labels), 1), fontsize=SMALL
    )
    return fig


def plot_contributions_vs_truth(table: pd.DataFrame) -> Figure:
    """Posterior weekly channel contributions (mean, HDI band) against the true ones.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`labkit.roas.contributions_vs_truth`: ``date, channel, mean,
        hdi_lower, hdi_upper, truth``.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per channel, outcome units.
    """
    date = table.columns[0]
    channels = list(dict.fromkeys(table["channel"]))
    fig, axes = plt.subplots(
        len(channels),
        1,
        figsize=(FIG_WIDTH, 2.8 * len(channels)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    for ax, channel in zip(axes[:, 0], channels, strict=True):
        sub = table[table["channel"] == channel]
        ax.fill_between(sub[date], sub["hdi_lower"], sub["hdi_upper"], color="C1", alpha=0.3)
        ax.plot(sub[date], sub["truth"], color="k", label="true effect")
        ax.plot(sub[date], sub["mean"], color="C1", label="model contribution")
        ax.set(title=channel, ylabel="sales")
        ax.legend(fontsize=SMALL, ncol=2)
    return fig


def plot_roas_posteriors(draws: Mapping[str, xr.DataArray], truth: Mapping[str, float]) -> Figure:
    """ROAS posteriors of several models against the truth, one panel per channel.

    Parameters
    ----------
    draws : dict
        ``{model name: DataArray over chain, draw, channel}`` (e.g.
        :func:`labkit.roas.roas_draws`).
    truth : dict
        True ROAS per channel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    channels = list(truth)
    fig, axes = panels(len(channels), 2, panel_height=3.2)
    for ax, channel in zip(axes.flat, channels, strict=False):
        for i, (name, da) in enumerate(draws.items()):
            values = da.sel(channel=channel).to_numpy().reshape(-1)
            ax.hist(values, bins=50, density=True, alpha=0.45, color=f"C{i}", label=name)
        ax.axvline(truth[channel], color="k", ls="--", label="true ROAS")
        ax.set(title=f"ROAS of {channel}", xlabel="ROAS")
        ax.legend(fontsize=SMALL)
    return fig


def plot_fold_roas(roas: pd.DataFrame, truth: Mapping[str, float]) -> Figure:
    """One fold's ROAS posteriors (mean, HDI) per model against the truth, a panel per channel.

    Parameters
    ----------
    roas : pandas.DataFrame
        The rows of one fold of :func:`labkit.roas.fold_summaries`' ``roas`` tables.
    truth : dict
        True ROAS per channel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    folds = roas["fold"].unique()
    if len(folds) != 1:
        raise ValueError(f"roas must hold the rows of one fold, got folds {sorted(folds)}")
    fold = folds[0]
    channels = list(truth)
    fig, axes = plt.subplots(
        1, len(channels), figsize=(FIG_WIDTH, 3), squeeze=False, layout="constrained"
    )
    for ax, channel in zip(axes[0], channels, strict=True):
        sub = roas[roas["channel"] == channel]
        for i, (_, r) in enumerate(sub.iterrows()):
            ax.errorbar(
                [i], [r["mean"]],
                yerr=[[r["mean"] - r["hdi_lower"]], [r["hdi_upper"] - r["mean"]]],
                fmt="o", capsize=4, color=f"C{i}", label=r["model"],
            )  # fmt: skip
        ax.axhline(truth[channel], color="k", ls="--", label="truth")
        ax.set(title=f"{channel}, fold {fold}", xticks=[], ylabel="ROAS")
        ax.legend(fontsize=SMALL)
    return fig


def plot_weekly_profile(
    reads: pd.DataFrame, profiles: Mapping[str, np.ndarray], hdi_prob: float = 0.94
) -> Figure:
    """Draw a test's weekly reads against the weekly lift profiles fits predict for it.

    Parameters
    ----------
    reads : pandas.DataFrame
        :func:`labkit.data.weekly_tests.simulate_weekly_lift_test`'s table: ``week_index``,
        ``lift`` and ``sigma`` (drawn as points with one-sd bars), ``true_lift`` (a line)
        and ``weeks`` (the change's length, shaded).
    profiles : dict
        ``{label: (n_draws, n_weeks)}`` weekly lifts in the reads' units, per fit
        (e.g. :func:`labkit.design.carryover.weekly_lift_draws` times the target scale).
    hdi_prob : float
        Mass of the central bands drawn around each profile's mean.

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in ("week_index", "lift", "sigma", "true_lift", "weeks") if c not in reads]
    if missing:
        raise ValueError(f"reads is missing columns {missing}")
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.6), layout="constrained")
    week = reads["week_index"].to_numpy()
    ax.axvspan(-0.5, float(reads["weeks"].iloc[0]) - 0.5, color="0.92", label="change held")
    tail = (1 - hdi_prob) / 2
    for j, (label, draws) in enumerate(profiles.items()):
        draws = np.asarray(draws)
        if draws.shape[1] != len(week):
            raise ValueError(
                f"profiles[{label!r}] has {draws.shape[1]} weeks, the reads {len(week)}"
            )
        lo, hi = np.quantile(draws, [tail, 1 - tail], axis=0)
        ax.fill_between(week, lo, hi, color=f"C{j}", alpha=0.2)
        ax.plot(week, draws.mean(axis=0), color=f"C{j}", label=label)
    ax.plot(week, reads["true_lift"], color="black", ls="--", label="true lift")
    ax.errorbar(
        week, reads["lift"], yerr=reads["sigma"], fmt="o", color="black", ms=4, capsize=2,
        label="weekly read ± sd",
    )  # fmt: skip
    ax.set_xlabel("week since the change started")
    ax.set_ylabel("lift (sales / week)")
    ax.legend(fontsize=SMALL, frameon=False, ncols=2)
    ax.set_title("the test read week by week", fontsize=TITLE)
    return fig
