"""Figures the notebooks show.

Every function returns a matplotlib ``Figure`` and never calls ``plt.show()``, so
the book, JupyterLab and the tests all render the same object.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from labkit.data import Dataset

__all__ = [
    "plot_adstock_posterior",
    "plot_adstock_ramp",
    "plot_calibration_curve",
    "plot_candidate",
    "plot_channel_diagnostics",
    "plot_confounded",
    "plot_confounder_dag",
    "plot_contributions_vs_truth",
    "plot_curve_recovery",
    "plot_derivative_fan",
    "plot_derivative_space",
    "plot_elicitation_view",
    "plot_fitted_priors",
    "plot_geo_correlation",
    "plot_geo_fit",
    "plot_geo_panel",
    "plot_improvement",
    "plot_lift_comparison",
    "plot_lift_constraint",
    "plot_lift_distributions",
    "plot_lift_tests",
    "plot_parameter_recovery",
    "plot_parameter_stability",
    "plot_posterior_pair",
    "plot_power_cost",
    "plot_prior_vs_truth",
    "plot_roas_by_fold",
    "plot_roas_posteriors",
    "plot_saturation_curves",
    "plot_saturation_posterior",
    "plot_spend_correlation",
    "plot_surface",
    "plot_two_countries",
]


# The book's content column is about 800 px wide and the notebooks render at dpi 100, so a
# figure wider than ~8-9 in is scaled down (a 12 in figure shrinks 10 pt text to ~6.6 pt).
# Figures here stay within _WIDTH and use at least _SMALL pt for legends and panel titles.
_WIDTH = 9.0
_SMALL = 9
_TITLE = 10


def _grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    """Rows and columns of a balanced grid for ``n`` panels, at most ``max_cols`` wide.

    Four panels with ``max_cols=3`` make a 2 x 2 grid, not 3 + 1.
    """
    n = max(n, 1)
    nrows = int(np.ceil(n / max_cols))
    return nrows, int(np.ceil(n / nrows))


def _panels(
    n: int,
    max_cols: int = 3,
    *,
    width: float = _WIDTH,
    panel_height: float = 2.6,
    **kwargs: Any,
) -> tuple[Figure, np.ndarray]:
    """Make a grid figure with ``n`` panels (row-major), removing the surplus axes.

    Returns the figure and the ``(nrows, ncols)`` array of axes, surplus entries ``None``.
    """
    nrows, ncols = _grid(n, max_cols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width, panel_height * nrows), layout="constrained",
        squeeze=False, **kwargs,
    )  # fmt: skip
    axes = axes.astype(object)
    for k in range(n, nrows * ncols):
        ax = axes.flat[k]
        # keep the tick labels of the panel above when it becomes the bottom of its column
        above = axes.flat[k - ncols] if k - ncols >= 0 else None
        if above is not None:
            above.xaxis.set_tick_params(labelbottom=True)
        ax.remove()
        axes.flat[k] = None
    return fig, axes


def _check(dataset: Dataset, name: str) -> pd.DataFrame:
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a labkit Dataset, got {type(dataset).__name__}")
    if dataset.name != name:
        raise ValueError(f"dataset must be the {name!r} data set, got {dataset.name!r}")
    return dataset.data


def _concise_dates(ax: plt.Axes, maxticks: int = 8) -> None:
    """Short date tick labels ("2023", "Apr", ...) that fit narrow panels."""
    import matplotlib.dates as mdates

    # minticks=2: with the default 5 a short axis leaves no valid interval and matplotlib warns
    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _shade(ax: plt.Axes, start: pd.Timestamp, end: pd.Timestamp, label: str) -> None:
    ax.axvspan(start, end, color="C3", alpha=0.12, label=label)


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
    df = _check(dataset, "geo_panel").copy()
    truth = dataset.truth
    df["group"] = np.where(df["treated"], "treated", "control")
    start, end = pd.Timestamp(truth["experiment_start"]), pd.Timestamp(truth["experiment_end"])

    fig = plt.figure(figsize=(_WIDTH, 7), layout="constrained")
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, 0])
    mean = df.groupby(["date", "group"])[["channel_1", "channel_1_counterfactual"]].mean()
    mean = mean.reset_index()
    sns.lineplot(data=mean, x="date", y="channel_1", hue="group", ax=ax)
    treated = mean[mean["group"] == "treated"]
    ax.plot(
        treated["date"], treated["channel_1_counterfactual"], "k--", lw=1, label="counterfactual"
    )
    _shade(ax, start, end, "lift test")
    ax.set(title="channel_1 spend (mean over geos)", ylabel="spend (0-1 scale)", xlabel="")
    ax.legend(fontsize=_SMALL, ncol=2)
    _concise_dates(ax)

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
    ax.legend(fontsize=_SMALL)

    ax = fig.add_subplot(grid[1, :])
    sns.lineplot(data=df, x="date", y="y", hue="geo", style="group", ax=ax, lw=1)
    _shade(ax, start, end, "lift test")
    ax.set(title="sales per geo (model scale)", xlabel="", ylabel="y")
    ax.legend(fontsize=_SMALL, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _concise_dates(ax)
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
    df = _check(dataset, "confounded")
    fig, axes = plt.subplots(3, 1, figsize=(_WIDTH, 8), sharex=True, layout="constrained")
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
    ax.legend(handles=handles, loc="upper left", fontsize=_SMALL)
    for a in axes[:2]:
        a.legend(fontsize=_SMALL, ncol=3, loc="upper left")
    _concise_dates(ax)
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
    df = _check(dataset, "two_countries")
    truth = dataset.truth
    start, end = pd.Timestamp(truth["treatment_start"]), pd.Timestamp(truth["treatment_end"])
    fig, axes = plt.subplots(2, 1, figsize=(_WIDTH, 6), sharex=True, layout="constrained")
    sales = df.melt(id_vars="date", value_vars=["venezuela", "colombia"], var_name="country")
    sns.lineplot(data=sales, x="date", y="value", hue="country", ax=axes[0])
    _shade(axes[0], start, end, "meta cut in Venezuela")
    axes[0].set(title="weekly sales", ylabel="sales")
    axes[0].legend(fontsize=_SMALL)
    ax = axes[1]
    ax.plot(df["date"], df["meta"], label="meta (Venezuela, actual)")
    ax.plot(df["date"], df["meta_counterfactual"], "k--", lw=1, label="meta without the cut")
    ax.plot(df["date"], df["google"], label="google")
    _shade(ax, start, end, "treatment window")
    ax.set(title="media spend", ylabel="spend", xlabel="")
    ax.legend(fontsize=_SMALL)
    _concise_dates(ax)
    return fig


# --------------------------------------------------------------------------- experiment designer

_MARKERS = {"increase": "^", "decrease": "v", "go-dark": "X"}


def _direction(change: float) -> str:
    return "go-dark" if change == -1 else ("increase" if change > 0 else "decrease")


def _channel_colors(channels: list[str]) -> dict[str, str]:
    return {c: f"C{i}" for i, c in enumerate(channels)}


def plot_spend_correlation(designer: Any) -> Figure:
    """Heatmap of the spend correlation between channels.

    Pairs above 0.7 in absolute value trigger the identification caution.
    """
    fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
    sns.heatmap(
        designer.spend_correlation, vmin=-1, vmax=1, cmap="RdBu_r", annot=True, fmt=".2f", ax=ax
    )
    ax.set_title("spend correlation between channels")
    return fig


def plot_saturation_posterior(designer: Any, unit: int = 0, max_points: int = 800) -> Figure:
    """Joint posterior of the two leading saturation parameters, one panel per channel."""
    p0, p1 = designer.saturation.params[:2]
    channels = designer.channels
    _, ncols = _grid(len(channels), 3)
    fig, axes = _panels(len(channels), 3, width=min(_WIDTH, 3.0 * ncols), panel_height=3.0)
    rng = np.random.default_rng(0)
    colors = _channel_colors(channels).values()
    for ax, c, color in zip(axes.flat, channels, colors, strict=False):
        x, y = designer.params[c][p0][unit], designer.params[c][p1][unit]
        idx = rng.choice(x.size, size=min(max_points, x.size), replace=False)
        ax.scatter(x[idx], y[idx], s=4, alpha=0.25, color=color)
        sns.kdeplot(x=x[idx], y=y[idx], levels=4, color=color, ax=ax, linewidths=1)
        ax.set(title=c, xlabel=p0, ylabel=p1)
    fig.suptitle(f"joint posterior of {p0} and {p1}")
    return fig


def plot_adstock_posterior(designer: Any, unit: int = 0) -> Figure:
    """Marginal posterior of the adstock decay alpha per channel."""
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    for c, color in _channel_colors(designer.channels).items():
        sns.kdeplot(designer.alpha[c][unit], ax=ax, color=color, label=c, fill=True, alpha=0.2)
    ax.set(title="adstock decay alpha (higher = longer carryover)", xlabel="alpha")
    ax.legend(fontsize=_SMALL)
    return fig


def plot_saturation_curves(
    designer: Any,
    spend_changes: tuple[float, ...] = (0.2, 0.5),
    hdi_prob: float = 0.94,
    unit: int = 0,
) -> Figure:
    """Posterior saturation curves on the adstocked-spend axis.

    Each panel shows the posterior mean curve and its HDI band, the operating
    point (steady-state adstocked current spend, dashed) and where the candidate
    spend changes would move it (dotted).
    """
    from labkit.designer import hdi
    from labkit.response import steady_state_multiplier

    channels = designer.channels
    fig, axes = plt.subplots(
        len(channels), 1, figsize=(8, 2.6 * len(channels)), layout="constrained", squeeze=False
    )
    for ax, c, color in zip(axes[:, 0], channels, _channel_colors(channels).values(), strict=True):
        m = steady_state_multiplier(designer.alpha[c][unit], designer.l_max, designer.normalize)
        x_ss = float(np.median(m) * designer.current_spend[c][unit])
        grid = np.linspace(0, max(2.0 * x_ss, x_ss * (1 + max(spend_changes)) * 1.2, 1e-3), 120)
        pars = {p: v[unit][:, None] for p, v in designer.params[c].items()}
        curves = designer.saturation(grid[None, :], **pars)
        band = hdi(curves.T, hdi_prob)
        ax.fill_between(
            grid, band[:, 0], band[:, 1], color=color, alpha=0.25, label=f"{hdi_prob:.0%} HDI"
        )
        ax.plot(grid, curves.mean(axis=0), color=color, label="posterior mean")
        ax.axvline(x_ss, color="k", ls="--", lw=1, label="current (adstocked)")
        for change in spend_changes:
            ax.axvline(x_ss * (1 + change), color="grey", ls=":", lw=1)
        ax.set(title=c, ylabel="contribution", xlabel="adstocked spend (model scale)")
        ax.legend(fontsize=_SMALL, loc="lower right")
    return fig


def plot_power_cost(recommendations: Any) -> Figure:
    """Assurance against |net cost| for every candidate that passed the SNR filter.

    Colour is the channel; the marker is the direction (up = increase, down =
    decrease, X = go-dark). The best tests sit top left.
    """
    df = recommendations.to_dataframe()
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    colors = _channel_colors(sorted(df["channel"].unique()))
    for (channel, direction), g in df.groupby([df["channel"], df["spend_change"].map(_direction)]):
        ax.scatter(
            g["net_cost"].abs(), g["assurance"], color=colors[channel], marker=_MARKERS[direction],
            s=45, alpha=0.8, label=f"{channel}, {direction}",
        )  # fmt: skip
    ax.set(xlabel="|net cost| (model scale)", ylabel="assurance", title="power vs cost")
    ax.legend(fontsize=_SMALL, ncol=2)
    return fig


def plot_lift_distributions(
    designer: Any,
    channel: str,
    spend_changes: tuple[float, ...] = (0.2, 0.5, -0.5, -1.0),
    durations: tuple[int, ...] = (4, 6, 8, 12),
    hdi_prob: float = 0.94,
    geo: str | None = None,
) -> Figure:
    """Posterior lift distributions: spend changes in rows, durations in columns.

    The shaded region is the HDI, the dashed line zero lift, and each panel title
    gives the assurance.
    """
    from labkit.designer import hdi

    size = (min(_WIDTH, 2.3 * len(durations)), 1.9 * len(spend_changes))
    fig, axes = plt.subplots(
        len(spend_changes), len(durations), figsize=size, layout="constrained", squeeze=False,
        sharex="row",
    )  # fmt: skip
    color = _channel_colors(designer.channels)[channel]
    for i, change in enumerate(spend_changes):
        for j, weeks in enumerate(durations):
            ax = axes[i, j]
            summary = designer.evaluate(channel, change, weeks, geo=geo, hdi_prob=hdi_prob)
            draws = summary.lift_draws
            lo, hi = hdi(draws, hdi_prob)
            ax.hist(draws, bins=40, color=color, alpha=0.35, density=True)
            ax.axvspan(lo, hi, color=color, alpha=0.15)
            ax.axvline(0, color="k", ls="--", lw=1)
            ax.set_yticks([])
            ax.set_title(f"{change:+.0%}, {weeks}w: A={summary.assurance:.2f}", fontsize=_SMALL)
    fig.suptitle(f"{channel}: total lift over the test (model scale)")
    return fig


def plot_adstock_ramp(designer: Any, max_weeks: int = 16, unit: int = 0) -> Figure:
    """Share of the steady-state effect reached each week after a spend change.

    Median and 89 % interval over the posterior; the ramp reaches exactly 1 at
    week ``l_max`` (it is truncated there).
    """
    from labkit.response import adstock_ramp

    fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    weeks = np.arange(1, max_weeks + 1)
    for c, color in _channel_colors(designer.channels).items():
        ramp = adstock_ramp(designer.alpha[c][unit], designer.l_max, max_weeks)
        lo, mid, hi = np.quantile(ramp, [0.055, 0.5, 0.945], axis=0)
        ax.fill_between(weeks, lo, hi, color=color, alpha=0.2)
        ax.plot(weeks, mid, color=color, marker="o", ms=3, label=c)
    ax.axvline(designer.l_max, color="grey", ls=":", lw=1, label="l_max")
    ax.set(xlabel="week of the test", ylabel="ramp (share of steady state)", ylim=(0, 1.05))
    ax.set_title("adstock ramp after a spend change")
    ax.legend(fontsize=_SMALL)
    return fig


def plot_channel_diagnostics(designer: Any, recommendations: Any) -> Figure:
    """Compact per-channel overview: uncertainty, spend correlation, best assurance, ramp at 8w."""
    from labkit.response import adstock_ramp

    channels = designer.channels
    df = recommendations.to_dataframe()
    cv = designer.contribution_cv
    corr = designer.spend_correlation.abs().to_numpy() - np.eye(len(channels))
    panels = {
        "relative uncertainty (CV)": [cv[c] for c in channels],
        "max |spend correlation|": corr.max(axis=1),
        "best assurance": [df.loc[df.channel == c, "assurance"].max() for c in channels],
        "ramp after 8 weeks": [
            adstock_ramp(designer.alpha[c][0], designer.l_max, 8)[:, :8].mean() for c in channels
        ],
    }
    fig, axes = _panels(len(panels), 2, width=8, panel_height=2.4)
    colors = list(_channel_colors(channels).values())
    for ax, (title, values) in zip(axes.flat, panels.items(), strict=True):
        ax.bar(channels, np.nan_to_num(np.asarray(values, dtype=float)), color=colors)
        ax.set_title(title, fontsize=_TITLE)
        ax.tick_params(axis="x", rotation=30 if len(channels) > 4 else 0)
    return fig


def plot_candidate(summary: Any, significance_level: float = 0.05) -> Figure:
    """One candidate's lift distribution with its detection thresholds (for the explorer)."""
    from scipy.special import ndtri

    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.hist(
        summary.lift_draws, bins=50, density=True, alpha=0.5, color="C0", label="predicted lift"
    )
    prob = getattr(summary, "hdi_prob", None)
    hdi_label = "HDI" if prob is None else f"{prob:.0%} HDI"
    ax.axvspan(*summary.lift_hdi, color="C0", alpha=0.12, label=hdi_label)
    threshold = ndtri(1 - significance_level / 2) * summary.sigma_d
    for sign in (-1, 1):
        ax.axvline(sign * threshold, color="C3", ls="--", lw=1)
    ax.axvline(0, color="k", lw=0.8)
    ax.set(
        xlabel="total lift (model scale)",
        title=(
            f"{summary.channel} {summary.spend_change:+.0%} for {summary.duration}w: "
            f"SNR {summary.snr:.2f}, assurance {summary.assurance:.2f} "
            f"(tempered {summary.assurance_tempered:.2f})"
        ),
    )
    ax.set_yticks([])
    ax.legend(fontsize=_SMALL, title="red: significance thresholds", title_fontsize=_SMALL)
    return fig


# --------------------------------------------------------------------------- elicitation


def _observation_bars(observations: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points and error bars of experiments: an observation's rate HDI, or +-2 sd."""
    from labkit.elicitation import ExperimentObservation

    if isinstance(observations, ExperimentObservation):
        lo, hi = observations.rate_hdi
        x, y = np.array([observations.x]), np.array([observations.rate_mean])
        return x, y, np.array([[y[0] - lo], [hi - y[0]]])
    x, y = observations["x"].to_numpy(), observations["rate"].to_numpy()
    return x, y, 2 * observations["rate_sd"].to_numpy()


def plot_derivative_space(
    observations: Any, ax: plt.Axes | None = None, label: str = "experiment"
) -> Figure:
    """Experiments as points in the saturation curve's derivative space (95 % HDI bars).

    Parameters
    ----------
    observations : ExperimentObservation or DataFrame
        An observation (its rate HDI is drawn), or a table ``x, rate, rate_sd``
        (bars of +-2 sd).
    ax : matplotlib.axes.Axes, optional
    label : str
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    x, y, err = _observation_bars(observations)
    ax.errorbar(x, y, yerr=err, fmt="o", color="C2", capsize=5, ms=8, label=label, zorder=5)
    ax.set(xlabel="spend x", ylabel="rate of change dy/dx", title="experiments in derivative space")
    ax.legend(fontsize=_SMALL)
    return ax.figure


def plot_surface(
    axes: dict[str, np.ndarray],
    surface: np.ndarray,
    *,
    truth: tuple[float, float] | None = None,
    title: str = "",
    near_peak: float = 1.5,
    ax: plt.Axes | None = None,
) -> Figure:
    """Contours of a log-density surface over two parameters, with its near-peak region.

    Parameters
    ----------
    axes : dict
        Two 1-D axes keyed by parameter name (first = x-axis).
    surface : numpy.ndarray
        Log-density, shape ``(len(second), len(first))``.
    truth : tuple, optional
        True parameter values, marked in red.
    near_peak : float
        Cells within this many log units of the maximum are dotted in gold.
    """
    (p0, a0), (p1, a1) = axes.items()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    finite = np.where(np.isfinite(surface), surface, np.nan)
    top = np.nanmax(finite)
    levels = np.linspace(top - 30, top, 25)
    ax.contour(a0, a1, finite, levels=levels, cmap="viridis", linewidths=0.8)
    g0, g1 = np.meshgrid(a0, a1)
    near = finite >= top - near_peak
    ax.plot(
        g0[near], g1[near], ".", color="gold", alpha=0.15, ms=3, label=f"within {near_peak} of peak"
    )
    if truth is not None:
        ax.plot(*truth, "o", color="red", ms=8, zorder=10, label="truth")
    ax.set(xlabel=p0, ylabel=p1, title=title)
    ax.legend(fontsize=_SMALL, loc="upper right")
    return ax.figure


def plot_derivative_fan(
    result: Any,
    *,
    x_max: float = 8.0,
    n_curves: int = 200,
    truth: dict[str, float] | None = None,
    random_seed: int = 0,
    ax: plt.Axes | None = None,
    headroom: float = 2.5,
) -> Figure:
    """Plot derivative curves of posterior draws, the observations and the true curve.

    A few draws (tiny ``lam``) have derivatives that shoot up near zero spend; letting
    them set the y-axis would flatten everything else. The y-axis therefore stops at
    the 99th percentile of the plotted curves, but at most ``headroom`` times the top
    of the observations' error bars, the median curve and the true curve; the legend
    says how many curves leave the frame.
    """
    from labkit.elicitation import saturation_derivative

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    rng = np.random.default_rng(random_seed)
    grid = np.linspace(1e-3, x_max, 200)
    params = result.saturation.params
    n = result.posterior.sizes["chain"] * result.posterior.sizes["draw"]
    idx = rng.choice(n, size=min(n_curves, n), replace=False)
    draws = {p: result.draws(p)[idx][:, None] for p in params}
    curves = saturation_derivative(result.saturation.name, grid[None, :], **draws)
    median = np.median(curves, axis=0)
    # one collection, not one Line2D per curve: the explorer redraws this on every update
    segments = np.stack([np.broadcast_to(grid, curves.shape), curves], axis=-1)
    ax.add_collection(LineCollection(segments, colors="C0", alpha=0.04))
    ax.plot(grid, median, color="C0", ls="--", label="posterior median derivative")
    data_top = [float(np.nanmax(median))]
    if truth is not None:
        true = saturation_derivative(result.saturation.name, grid, **truth)
        ax.plot(grid, true, "k", lw=1.5, label="true derivative")
        data_top.append(float(np.nanmax(true)))
    plot_derivative_space(result.observations, ax=ax)
    _, y, err = _observation_bars(result.observations)
    upper = err[1] if err.ndim == 2 else err
    data_top.append(float(np.max(y + upper)))
    top = float(np.nanmax(data_top))
    fan_top = float(np.nanmax(np.nanquantile(curves, 0.99, axis=0)))
    top = 1.05 * max(top, min(fan_top, headroom * top))
    n_out = int((np.nanmax(curves, axis=1) > top).sum())
    ax.set(ylim=(0, top), title="derivative curves consistent with the experiments")
    note = f"{n_out} of {len(curves)} curves leave the frame" if n_out else None
    ax.legend(fontsize=_SMALL, loc="upper right", title=note, title_fontsize=_SMALL)
    return ax.figure


def plot_elicitation_view(
    result: Any, truth: dict[str, float] | None = None, *, title: str = "grid posterior"
) -> Figure:
    """Draw the elicitation explorer's view: grid posterior surface beside the derivative fan.

    Parameters
    ----------
    result : labkit.elicitation.ElicitationResult
        A grid elicitation.
    truth : dict, optional
        True parameters of ``result``'s saturation family, marked on both panels.
    title : str
        Title of the surface panel.
    """
    fig, axes = plt.subplots(1, 2, figsize=(_WIDTH, 3.6), layout="constrained")
    grid = result.grid
    p0, p1 = result.saturation.params
    plot_surface(
        {p0: grid[p0], p1: grid[p1]}, grid["log_posterior"], ax=axes[0],
        truth=(truth[p0], truth[p1]) if truth else None, title=title,
    )  # fmt: skip
    plot_derivative_fan(result, ax=axes[1], n_curves=100, truth=truth)
    return fig


def plot_fitted_priors(result: Any, fitted: dict[str, Any]) -> Figure:
    """Scaled elicitation posterior (histogram) against the fitted prior (line), per parameter."""
    fig, axes = _panels(len(fitted), 2, panel_height=3.2)
    for ax, (p, fp) in zip(axes.flat, fitted.items(), strict=False):
        scaled = result.draws(p) / fp.scale
        ax.hist(scaled, bins=60, density=True, alpha=0.4, color="C0", label="elicitation posterior")
        grid = np.linspace(max(scaled.min() * 0.5, 1e-4), scaled.max() * 1.3, 400)
        ax.plot(grid, fp.dist().pdf(grid), color="C1", lw=2, label=f"fitted {fp.family}")
        ax.axvspan(
            fp.lower, fp.upper, color="C1", alpha=0.08, label=f"target interval ({fp.mass:.1%})"
        )
        # a long thin tail would squeeze the bulk into a corner: stop at its 99.5th percentile
        right = 1.15 * max(fp.upper, float(np.quantile(scaled, 0.995)))
        ax.set_xlim(min(0.0, float(scaled.min())), right)
        ax.set(title=f"{p} on the MMM's scale", xlabel=p)
        ax.legend(fontsize=_SMALL)
    return fig


def plot_prior_vs_truth(
    samples: dict[str, dict[str, np.ndarray]], truth: dict[str, float]
) -> Figure:
    """Violin plots of prior draws in original units, one row per prior, with the truth dashed.

    Parameters
    ----------
    samples : dict
        ``{prior name: {param: draws}}``.
    truth : dict
        ``{param: true value}``.
    """
    names = list(samples)
    params = list(truth)
    fig, axes = plt.subplots(
        len(names), len(params), figsize=(min(_WIDTH, 4.5 * len(params)), 1.8 * len(names)),
        layout="constrained",
        sharex="col", squeeze=False,
    )  # fmt: skip
    for i, name in enumerate(names):
        for j, p in enumerate(params):
            ax = axes[i, j]
            sns.violinplot(x=samples[name][p], ax=ax, color=f"C{i}", orient="h", cut=0)
            ax.axvline(truth[p], color="k", ls="--")
            ax.set(ylabel=name if j == 0 else "", title=p if i == 0 else "")
    return fig


def plot_posterior_pair(
    results: dict[str, Any], truth: tuple[float, float] | None = None
) -> Figure:
    """Joint draws of two elicitation posteriors side by side, on shared axes.

    Parameters
    ----------
    results : dict
        ``{label: ElicitationResult}`` (for example grid and NUTS).
    truth : tuple, optional
        True values of the two parameters.
    """
    fig, axes = plt.subplots(
        1,
        len(results),
        figsize=(min(_WIDTH, 4.5 * len(results)), 4),
        layout="constrained",
        sharex=True,
        sharey=True,
    )
    for i, (ax, (label, res)) in enumerate(zip(np.atleast_1d(axes), results.items(), strict=True)):
        p0, p1 = res.saturation.params[:2]
        ax.scatter(res.draws(p0)[:3000], res.draws(p1)[:3000], s=3, alpha=0.2, color=f"C{i}")
        if truth is not None:
            ax.plot(*truth, "ro", ms=7, label="truth")
            ax.legend(fontsize=_SMALL)
        ax.set(xlabel=p0, ylabel=p1, title=label)
    return fig


# --------------------------------------------------------------------------- confounders


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
    folds: pd.DataFrame, truth: dict[str, float], test_dates: pd.Series | None = None
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
        ax.set_title(f"{channel}: ROAS per fold", fontsize=_TITLE)
        ax.set_ylabel("ROAS")
    ax = axes[-1, 0]
    ax.set_xticks(range(len(labels)), labels, fontsize=_SMALL)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    xlabel = "fold: training end"
    if test_dates is not None:
        xlabel += ", and the lift tests dated on or before it"
    ax.set_xlabel(xlabel)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncol=len(names), fontsize=_SMALL)
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
            len(params), len(channels), figsize=(min(_WIDTH, 1.5 + 3.2 * len(channels)),
            2.3 * len(params) + 0.5), layout="constrained", squeeze=False, sharex=True,
            sharey="row",
        )  # fmt: skip
        cells = {(p, c): axes[i, j] for i, p in enumerate(params) for j, c in enumerate(channels)}
    else:
        fig, axes = _panels(len(keys), 3, panel_height=2.3, sharex=True)
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
        ax.set_title(f"{param} · {channel}", fontsize=_TITLE)
        ax.set_xticks(folds_seen)
        ax.set_xlim(folds_seen[0] - 0.5, folds_seen[-1] + 0.5)
    fig.supxlabel("fold", fontsize=_TITLE)
    handles, labels = next(iter(cells.values())).get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside upper center", ncol=max(len(labels), 1), fontsize=_SMALL
    )
    return fig


def plot_contributions_vs_truth(contributions: pd.DataFrame, truth: pd.DataFrame) -> Figure:
    """Posterior-mean channel contributions against the true effects, one panel per channel.

    Parameters
    ----------
    contributions, truth : pandas.DataFrame
        Indexed by date, one column per channel, outcome units.
    """
    channels = list(truth.columns)
    fig, axes = plt.subplots(
        len(channels), 1, figsize=(_WIDTH, 2.8 * len(channels)), sharex=True, layout="constrained"
    )
    for ax, channel in zip(np.atleast_1d(axes), channels, strict=True):
        ax.plot(truth.index, truth[channel], color="k", label="true effect")
        ax.plot(contributions.index, contributions[channel], color="C1", label="model contribution")
        ax.set(title=channel, ylabel="sales")
        ax.legend(fontsize=_SMALL, ncol=2)
    return fig


def plot_roas_posteriors(draws: dict[str, Any], truth: dict[str, float]) -> Figure:
    """ROAS posteriors of several models against the truth, one panel per channel.

    Parameters
    ----------
    draws : dict
        ``{model name: DataArray over chain, draw, channel}``.
    truth : dict
        True ROAS per channel.
    """
    channels = list(truth)
    fig, axes = _panels(len(channels), 2, panel_height=3.2)
    for ax, channel in zip(axes.flat, channels, strict=False):
        for i, (name, da) in enumerate(draws.items()):
            values = da.sel(channel=channel).to_numpy().reshape(-1)
            ax.hist(values, bins=50, density=True, alpha=0.45, color=f"C{i}", label=name)
        ax.axvline(truth[channel], color="k", ls="--", label="true ROAS")
        ax.set(title=f"ROAS of {channel}", xlabel="ROAS")
        ax.legend(fontsize=_SMALL)
    return fig


# --------------------------------------------------------------------------- geo calibration

_MODEL_COLORS = {"uncalibrated": "C0", "calibrated": "C2"}


def _geo_axes(n: int, ncols: int = 4) -> tuple[Figure, np.ndarray]:
    """Return a shared-axes grid with one panel per geo (surplus panels removed)."""
    fig, axes = _panels(n, ncols, panel_height=2.3, sharex=True, sharey=True)
    return fig, np.asarray([ax for ax in axes.flat if ax is not None])


def plot_geo_correlation(dataset: Dataset) -> Figure:
    """``channel_1`` vs ``channel_2`` spend per geo, with each geo's pre-test correlation.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per geo; the treated geos' test weeks in red.
    """
    df = _check(dataset, "geo_panel")
    geos = list(dataset.truth["geos"])
    fig, axes = _geo_axes(len(geos))
    for ax, geo in zip(axes, geos, strict=True):
        g = df[df["geo"] == geo]
        test = g["treated"] & g["experiment"]
        pre = g[~g["experiment"]]
        r = np.corrcoef(pre["channel_1"], pre["channel_2"])[0, 1]
        ax.scatter(g.loc[~test, "channel_1"], g.loc[~test, "channel_2"], s=8, alpha=0.5)
        ax.scatter(g.loc[test, "channel_1"], g.loc[test, "channel_2"], s=14, color="C3")
        kind = "treated" if g["treated"].iloc[0] else "control"
        ax.set_title(f"{geo} ({kind})\nr = {r:.3f}", fontsize=_TITLE)
    fig.supxlabel("channel_1 spend")
    fig.supylabel("channel_2 spend")
    return fig


def _lift_triangle(ax: plt.Axes, row: pd.Series, y0: float, color: str = "C3") -> None:
    x, dx, dy = float(row["x"]), float(row["delta_x"]), float(row["delta_y"])
    ax.plot([x, x + dx], [y0, y0], color="k", lw=1.2)
    ax.plot([x + dx, x + dx], [y0, y0 + dy], color=color, lw=2)
    ax.plot([x], [y0], "ko", ms=4)
    ax.plot([x + dx], [y0 + dy], marker="^", color=color, ms=7)


def plot_lift_tests(dataset: Dataset, lift_tests: pd.DataFrame, n_points: int = 100) -> Figure:
    """Each lift test on its geo's true saturation curve: spend x, step delta_x, lift delta_y.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    lift_tests : pandas.DataFrame
        ``channel, geo, x, delta_x, delta_y, sigma``.
    n_points : int
        Points of the curve.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from labkit.geo import true_curves

    df = _check(dataset, "geo_panel")
    grid = np.linspace(0, float(df[dataset.truth["channels"]].to_numpy().max()), n_points)
    truth = true_curves(dataset, grid)
    _, ncols = _grid(len(lift_tests), 3)
    fig, axes = _panels(
        len(lift_tests), 3, width=min(_WIDTH, 3.2 * ncols), panel_height=2.8, sharey=True
    )
    for ax, (_, row) in zip(axes.flat, lift_tests.iterrows(), strict=False):
        curve = truth.sel(geo=row["geo"], channel=row["channel"])
        ax.plot(grid, curve, color="k", lw=1.5, label="true curve")
        y0 = float(curve.interp(x=row["x"]))
        _lift_triangle(ax, row, y0)
        ax.errorbar(
            row["x"] + row["delta_x"],
            y0 + row["delta_y"],
            yerr=1.96 * row["sigma"],
            color="C3",
            capsize=3,
        )
        ax.set_title(f"{row['geo']}: Δy = {row['delta_y']:.3f}", fontsize=_TITLE)
        ax.set_xlabel(f"{row['channel']} spend")
    for ax in axes[:, 0]:
        ax.set_ylabel("weekly contribution")
    return fig


def plot_lift_comparison(
    oracle: pd.DataFrame,
    estimated: pd.DataFrame,
    label: str = "CausalPy",
    *,
    interval_prob: float = 0.94,
) -> Figure:
    """Estimated lift tests (their interval) next to the oracle lift, per treated geo.

    Parameters
    ----------
    oracle : pandas.DataFrame
        From :func:`labkit.calibration.oracle_lift_tests`.
    estimated : pandas.DataFrame
        With ``delta_y_low`` and ``delta_y_high`` (e.g.
        :func:`labkit.geo.synthetic_control_lift_tests`).
    label : str
    interval_prob : float
        Probability of the ``delta_y_low, delta_y_high`` interval, for the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    merged = oracle.merge(estimated, on=["channel", "geo"], suffixes=("_oracle", ""))
    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    pos = np.arange(len(merged))
    ax.errorbar(
        pos,
        merged["delta_y"],
        yerr=[
            merged["delta_y"] - merged["delta_y_low"],
            merged["delta_y_high"] - merged["delta_y"],
        ],
        fmt="o",
        color="C1",
        capsize=4,
        label=f"{label} ({interval_prob:.0%} interval)",
    )
    ax.errorbar(
        pos + 0.15,
        merged["delta_y_oracle"],
        yerr=1.96 * merged["sigma_oracle"],
        fmt="s",
        color="k",
        capsize=4,
        label="oracle (±1.96 σ)",
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(pos + 0.075, merged["geo"])
    ax.set(ylabel="weekly lift Δy", title="Lift per treated geo: estimated vs oracle")
    ax.legend(fontsize=_SMALL)
    return fig


def plot_improvement(parameters: pd.DataFrame, metric: str = "precision") -> Figure:
    """Precision or bias improvement per geo, one panel per parameter x channel.

    Parameters
    ----------
    parameters : pandas.DataFrame
        :attr:`labkit.report.CalibrationReport.parameters`.
    metric : {"precision", "bias"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    if metric not in ("precision", "bias"):
        raise ValueError(f"metric must be 'precision' or 'bias', got {metric!r}")
    column = f"{metric}_improvement"
    params = list(dict.fromkeys(parameters["parameter"]))
    channels = list(dict.fromkeys(parameters["channel"]))
    fig, axes = plt.subplots(
        len(params),
        len(channels),
        figsize=(min(_WIDTH, 4.5 * len(channels)), 2.4 * len(params)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    for i, p in enumerate(params):
        for j, c in enumerate(channels):
            ax = axes[i, j]
            sub = parameters[(parameters["parameter"] == p) & (parameters["channel"] == c)]
            colors = np.where(sub["treated"], "C3", "C0")
            ax.bar(sub["geo"], sub[column], color=colors)
            ax.axhline(0, color="k", lw=0.8)
            ax.set_title(f"{p}, {c}", fontsize=_TITLE)
            ax.tick_params(axis="x", labelrotation=45, labelsize=_SMALL)
    axes[0, 0].legend(
        handles=[
            plt.Rectangle((0, 0), 1, 1, color="C3", label="treated"),
            plt.Rectangle((0, 0), 1, 1, color="C0", label="control"),
        ],
        fontsize=_SMALL,
    )
    unit = "HDI width reduction (%)" if metric == "precision" else "bias reduction (% of HDI)"
    fig.supylabel(unit)
    fig.suptitle(f"{metric.capitalize()} improvement from calibration")
    return fig


def plot_parameter_recovery(report: Any, channel: str | None = None) -> Figure:
    """Posterior (lam, beta) per geo for both models: mean, HDI crosses and the truth.

    Parameters
    ----------
    report : labkit.report.CalibrationReport
    channel : str, optional
        Default: the first channel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = report.parameters
    channels = list(dict.fromkeys(p["channel"]))
    channel = channels[0] if channel is None else channel
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    sub = p[p["channel"] == channel].set_index(["geo", "parameter"])
    geos = list(dict.fromkeys(p["geo"]))
    fig, axes = _geo_axes(len(geos))
    for ax, geo in zip(axes, geos, strict=True):
        lam, beta = sub.loc[(geo, "saturation_lam")], sub.loc[(geo, "saturation_beta")]
        for model, color in _MODEL_COLORS.items():
            ax.errorbar(
                lam[f"mean_{model}"],
                beta[f"mean_{model}"],
                xerr=lam[f"hdi_width_{model}"] / 2,
                yerr=beta[f"hdi_width_{model}"] / 2,
                fmt="o",
                color=color,
                capsize=2,
                label=model,
            )
        ax.plot(lam["truth"], beta["truth"], "k*", ms=12, label="truth")
        kind = "treated" if bool(lam["treated"]) else "control"
        ax.set_title(f"{geo} ({kind})", fontsize=_TITLE)
    axes[0].legend(fontsize=_SMALL)
    fig.supxlabel("λ (saturation steepness)")
    fig.supylabel("β (channel weight, model scale)")
    fig.suptitle(
        f"{channel}: posterior mean ± half the {report.hdi_prob:.0%} HDI width, per geo",
        fontsize=_TITLE + 1,
    )
    return fig


def plot_calibration_curve(
    report: Any, geo: str, channel: str, ax: plt.Axes | None = None, legend: bool = True
) -> Figure:
    """One geo x channel: both models' posterior curves (HDI band), the truth and the lift test.

    Parameters
    ----------
    report : labkit.report.CalibrationReport
    geo, channel : str
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    legend : bool

    Returns
    -------
    matplotlib.figure.Figure
    """
    import arviz as az

    truth = report.true_curve
    geos, channels = list(truth["geo"].values), list(truth["channel"].values)
    if geo not in geos:
        raise ValueError(f"geo must be one of {geos}, got {geo!r}")
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    else:
        fig = ax.figure
    grid = truth["x"].to_numpy()
    for model, color in _MODEL_COLORS.items():
        draws = report.curve_draws[model].sel(geo=geo, channel=channel).to_numpy()
        # (sample, x) as one chain: arviz reads a 3-D array as (chain, draw, *shape)
        band = az.hdi(draws[np.newaxis], hdi_prob=report.hdi_prob)
        ax.fill_between(grid, band[:, 0], band[:, 1], color=color, alpha=0.25)
        ax.plot(grid, draws.mean(axis=0), color=color, lw=1.5, label=model)
    true = truth.sel(geo=geo, channel=channel)
    ax.plot(grid, true, "k--", lw=1.5, label="truth")
    tests = report.lift_tests
    if tests is not None:
        rows = tests[(tests["geo"] == geo) & (tests["channel"] == channel)]
        for _, row in rows.iterrows():
            _lift_triangle(ax, row, float(true.interp(x=row["x"])))
    ax.set_title(f"{geo}, {channel}", fontsize=_TITLE)
    if legend:
        ax.legend(fontsize=_SMALL)
    return fig


def plot_curve_recovery(report: Any) -> Figure:
    """Posterior saturation curves against the truth for every geo x channel.

    Parameters
    ----------
    report : labkit.report.CalibrationReport

    Returns
    -------
    matplotlib.figure.Figure
        Rows: geos; columns: channels; lift tests drawn as triangles.
    """
    truth = report.true_curve
    geos, channels = list(truth["geo"].values), list(truth["channel"].values)
    fig, axes = plt.subplots(
        len(geos),
        len(channels),
        figsize=(4.5 * len(channels), 2.2 * len(geos)),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for i, geo in enumerate(geos):
        for j, channel in enumerate(channels):
            plot_calibration_curve(report, geo, channel, ax=axes[i, j], legend=(i == j == 0))
    fig.supxlabel("spend")
    fig.supylabel("weekly contribution")
    return fig


def plot_geo_fit(report: Any) -> Figure:
    """Observed sales and the expected sales of both models (HDI band) per geo.

    Parameters
    ----------
    report : labkit.report.CalibrationReport

    Returns
    -------
    matplotlib.figure.Figure
        One panel per geo, two to a row; each title gives the geo's in-sample R²
        of the uncalibrated and the calibrated model.
    """
    import arviz as az

    observed = report.observed
    geos = list(observed["geo"].values)
    dates = observed["date"].to_numpy()
    fig, axes = _panels(len(geos), 2, panel_height=1.9, sharex=True)
    fit = report.fit.set_index(["geo", "model"])
    for ax, geo in zip(axes.flat, geos, strict=False):
        ax.plot(dates, observed.sel(geo=geo), "k.", ms=3, label="observed")
        for model, color in _MODEL_COLORS.items():
            mu = report.expected[model].sel(geo=geo)
            band = az.hdi(mu, hdi_prob=report.hdi_prob)
            band = band[next(iter(band.data_vars))] if hasattr(band, "data_vars") else band
            ax.fill_between(
                dates,
                band.sel(hdi="lower"),
                band.sel(hdi="higher"),
                color=color,
                alpha=0.3,
                label=f"{model} ({report.hdi_prob:.0%} HDI)",
            )
        r2 = fit.loc[geo, "r2"]
        kind = " (treated)" if bool(fit.loc[geo, "treated"].iloc[0]) else ""
        ax.set_title(
            f"{geo}{kind} · R² {r2['uncalibrated']:.3f} → {r2['calibrated']:.3f}",
            fontsize=_TITLE,
        )
        _concise_dates(ax, maxticks=5)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside upper center", ncol=3, fontsize=_SMALL,
        title="R² in the titles: uncalibrated → calibrated", title_fontsize=_SMALL,
    )  # fmt: skip
    fig.supylabel("sales (model scale)", fontsize=_TITLE)
    return fig


def plot_lift_constraint(dataset: Dataset, lift_tests: pd.DataFrame, n_points: int = 200) -> Figure:
    """Each lift test as a curve in the (lam, beta) plane, with the geo's true parameters.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    lift_tests : pandas.DataFrame
        ``channel, geo, x, delta_x, delta_y, sigma``.
    n_points : int
        Points along lam.

    Returns
    -------
    matplotlib.figure.Figure
        Solid: the ``beta`` that passes the measured lift for each ``lam``; band:
        ``delta_y ± 1.96 sigma``; star: the truth.
    """
    from labkit.calibration import lift_constraint_beta

    _check(dataset, "geo_panel")
    truth = dataset.truth
    lam = np.linspace(0.5, 10, n_points)
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for i, (_, row) in enumerate(lift_tests.iterrows()):
        scale = truth["channel_scale"][row["channel"]]
        args = (row["x"], row["delta_x"])
        beta = lift_constraint_beta(lam, *args, row["delta_y"], scale)
        low_dy = max(row["delta_y"] - 1.96 * row["sigma"], 1e-9)
        low = lift_constraint_beta(lam, *args, low_dy, scale)
        high = lift_constraint_beta(lam, *args, row["delta_y"] + 1.96 * row["sigma"], scale)
        ax.plot(lam, beta, color=f"C{i}", label=row["geo"])
        ax.fill_between(lam, low, high, color=f"C{i}", alpha=0.12)
        ax.plot(
            truth["saturation_lam"][row["geo"]][row["channel"]],
            truth["saturation_beta"][row["geo"]][row["channel"]],
            "*",
            color=f"C{i}",
            ms=14,
            mec="k",
        )
    ax.set(
        xlabel="λ (steepness)",
        ylabel="β (weight, data units)",
        ylim=(0, 2.0),
        title="Parameter pairs that reproduce each lift test (★ truth)",
    )
    ax.legend(fontsize=_SMALL)
    return fig
