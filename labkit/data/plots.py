"""Figures of the data tour: each data set's spend, sales and experiment at a glance.

One figure per data set, each taking the :class:`~labkit.data.Dataset` that
:func:`~labkit.data.load_dataset` returns and refusing any other data set.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from labkit._figures import FIG_WIDTH, SMALL, concise_dates, shade
from labkit.data import Dataset, check_dataset


def plot_geo_panel(dataset: Dataset) -> Figure:
    """Spend and sales of the geo panel, with the lift test window.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.

    Returns
    -------
    matplotlib.figure.Figure
        Top left: mean ``channel_1`` spend of treated and control geos, with the
        treated geos' counterfactual dashed. Top right: ``channel_1`` vs
        ``channel_2`` spend per week, experiment weeks of treated geos in red.
        Bottom: sales per geo.
    """
    df = check_dataset(dataset, "geo_panel").copy()
    truth = dataset.truth
    df["group"] = np.where(df["treated"], "treated", "control")
    start, end = pd.Timestamp(truth["experiment_start"]), pd.Timestamp(truth["experiment_end"])

    fig = plt.figure(figsize=(FIG_WIDTH, 7), layout="constrained")
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, 0])
    mean = df.groupby(["date", "group"])[["channel_1", "channel_1_counterfactual"]].mean()
    mean = mean.reset_index()
    sns.lineplot(data=mean, x="date", y="channel_1", hue="group", ax=ax)
    treated = mean[mean["group"] == "treated"]
    ax.plot(
        treated["date"], treated["channel_1_counterfactual"], "k--", lw=1, label="counterfactual"
    )
    shade(ax, start, end, "lift test")
    ax.set(title="channel_1 spend (mean over geos)", ylabel="spend (0-1 scale)", xlabel="")
    ax.legend(fontsize=SMALL, ncol=2)
    concise_dates(ax)

    ax = fig.add_subplot(grid[0, 1])
    in_test = df["treated"] & df["experiment"]
    ax.scatter(df.loc[~in_test, "channel_1"], df.loc[~in_test, "channel_2"], s=6, alpha=0.4)
    ax.scatter(
        df.loc[in_test, "channel_1"],
        df.loc[in_test, "channel_2"],
        s=12,
        color="C3",
        label="treated geos during the test",
    )
    ax.set(title="channel_1 vs channel_2 spend", xlabel="channel_1", ylabel="channel_2")
    ax.legend(fontsize=SMALL)

    ax = fig.add_subplot(grid[1, :])
    sns.lineplot(data=df, x="date", y="y", hue="geo", style="group", ax=ax, lw=1)
    shade(ax, start, end, "lift test")
    ax.set(title="sales per geo (model scale)", xlabel="", ylabel="y")
    ax.legend(fontsize=SMALL, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    concise_dates(ax)
    return fig


def plot_confounded(dataset: Dataset) -> Figure:
    """Sales, spend and the hidden confounder of the ``confounded`` data set.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("confounded")``.

    Returns
    -------
    matplotlib.figure.Figure
        Three stacked panels: sales with its two counterfactuals, spend of
        ``x1``/``x2``, and the confounder ``z`` against ``x1``.
    """
    df = check_dataset(dataset, "confounded")
    fig, axes = plt.subplots(3, 1, figsize=(FIG_WIDTH, 8), sharex=True, layout="constrained")
    long = df.melt(id_vars="date", value_vars=["y", "y01", "y02"], var_name="series")
    sns.lineplot(data=long, x="date", y="value", hue="series", ax=axes[0])
    axes[0].set(title="sales y, and without x1 (y01) or without x2 (y02)", ylabel="sales")
    spend = df.melt(id_vars="date", value_vars=["x1", "x2"], var_name="channel")
    sns.lineplot(data=spend, x="date", y="value", hue="channel", ax=axes[1])
    axes[1].set(title="spend", ylabel="spend")
    ax = axes[2]
    ax.plot(df["date"], df["z"], color="C2", label="z (unobserved)")
    ax.set(title="the confounder z drives x1 spend and sales", ylabel="z", xlabel="")
    twin = ax.twinx()
    twin.plot(df["date"], df["x1"], color="C0", alpha=0.5, label="x1")
    twin.set_ylabel("x1 spend")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", fontsize=SMALL)
    for a in axes[:2]:
        a.legend(fontsize=SMALL, ncol=3, loc="upper left")
    concise_dates(ax)
    return fig


def plot_two_countries(dataset: Dataset) -> Figure:
    """Sales of both countries and Venezuela's meta spend around the cut.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("two_countries")``.

    Returns
    -------
    matplotlib.figure.Figure
        Top: Venezuela and Colombia sales with the treatment window. Bottom:
        meta spend (actual and counterfactual) and google spend.
    """
    df = check_dataset(dataset, "two_countries")
    truth = dataset.truth
    start, end = pd.Timestamp(truth["treatment_start"]), pd.Timestamp(truth["treatment_end"])
    fig, axes = plt.subplots(2, 1, figsize=(FIG_WIDTH, 6), sharex=True, layout="constrained")
    sales = df.melt(id_vars="date", value_vars=["venezuela", "colombia"], var_name="country")
    sns.lineplot(data=sales, x="date", y="value", hue="country", ax=axes[0])
    shade(axes[0], start, end, "meta cut in Venezuela")
    axes[0].set(title="weekly sales", ylabel="sales")
    axes[0].legend(fontsize=SMALL)
    ax = axes[1]
    ax.plot(df["date"], df["meta"], label="meta (Venezuela, actual)")
    ax.plot(df["date"], df["meta_counterfactual"], "k--", lw=1, label="meta without the cut")
    ax.plot(df["date"], df["google"], label="google")
    shade(ax, start, end, "treatment window")
    ax.set(title="media spend", ylabel="spend", xlabel="")
    ax.legend(fontsize=SMALL)
    concise_dates(ax)
    return fig
