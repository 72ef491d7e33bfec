"""Figures of the experiment designer.

What the posterior says about each channel (joint posterior of the saturation
parameters, adstock decay, saturation curves around the current operating point,
adstock ramp, spend correlation), what a test would show (lift distributions by
spend change and duration, one candidate against its significance thresholds) and
how the ranked candidates trade assurance against cost.

Functions that describe the posterior take ``geo``: a geo of a geo designer, or
``None`` for a national one (parameters are per geo, there is no national
aggregate of them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy.special import ndtri

from labkit._figures import FIG_WIDTH, SMALL, TITLE, channel_colors, grid_shape, panels
from labkit.design.grid import pareto_dominated
from labkit.stats import HDI_PROB, hdi

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner
    from labkit.design.placebo import PlaceboNoise
    from labkit.design.recommendations import CandidateSummary, GeoRanking, Recommendations

_MARKERS = {"increase": "^", "decrease": "v", "go-dark": "X"}


def _direction(change: float) -> str:
    return "go-dark" if change == -1 else ("increase" if change > 0 else "decrease")


def plot_spend_correlation(designer: ExperimentDesigner) -> Figure:
    """Heatmap of the spend correlation between channels.

    Pairs above 0.7 in absolute value trigger the identification caution.
    """
    fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
    sns.heatmap(
        designer.spend_correlation, vmin=-1, vmax=1, cmap="RdBu_r", annot=True, fmt=".2f", ax=ax
    )
    ax.set_title("spend correlation between channels")
    return fig


def plot_saturation_posterior(
    designer: ExperimentDesigner, geo: str | None = None, max_points: int = 800
) -> Figure:
    """Joint posterior of the two leading saturation parameters, one panel per channel."""
    p0, p1 = designer.saturation.params[:2]
    channels = designer.channels
    _, ncols = grid_shape(len(channels), 3)
    fig, axes = panels(len(channels), 3, width=min(FIG_WIDTH, 3.0 * ncols), panel_height=3.0)
    rng = np.random.default_rng(0)
    colors = channel_colors(channels).values()
    for ax, c, color in zip(axes.flat, channels, colors, strict=False):
        draws = designer.saturation_draws(c, geo)
        x, y = draws[p0], draws[p1]
        idx = rng.choice(x.size, size=min(max_points, x.size), replace=False)
        ax.scatter(x[idx], y[idx], s=4, alpha=0.25, color=color)
        sns.kdeplot(x=x[idx], y=y[idx], levels=4, color=color, ax=ax, linewidths=1)
        ax.set(title=c, xlabel=p0, ylabel=p1)
    fig.suptitle(f"joint posterior of {p0} and {p1}")
    return fig


def plot_adstock_posterior(designer: ExperimentDesigner, geo: str | None = None) -> Figure:
    """Marginal posterior of the adstock's first parameter per channel (geometric: the decay)."""
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    name = "alpha"
    for c, color in channel_colors(designer.channels).items():
        draws = designer.adstock_draws(c, geo)
        if not draws:
            continue
        name = next(iter(draws))
        sns.kdeplot(draws[name], ax=ax, color=color, label=c, fill=True, alpha=0.2)
    title = (
        "adstock decay alpha (higher = longer carryover)"
        if name == "alpha"
        else f"adstock parameter {name}"
    )
    ax.set(title=title, xlabel=name)
    ax.legend(fontsize=SMALL)
    return fig


def plot_saturation_curves(
    designer: ExperimentDesigner,
    spend_changes: tuple[float, ...] = (0.2, 0.5),
    hdi_prob: float = HDI_PROB,
    geo: str | None = None,
) -> Figure:
    """Posterior saturation curves on the adstocked-spend axis.

    Each panel shows the posterior mean curve and its HDI band, the operating
    point (steady-state adstocked current spend, dashed) and where the candidate
    spend changes would move it (dotted).
    """
    channels = designer.channels
    fig, axes = plt.subplots(
        len(channels), 1, figsize=(8, 2.6 * len(channels)), layout="constrained", squeeze=False
    )
    for ax, c, color in zip(axes[:, 0], channels, channel_colors(channels).values(), strict=True):
        x_ss = float(np.median(designer.operating_point(c, geo)))
        grid = np.linspace(0, max(2.0 * x_ss, x_ss * (1 + max(spend_changes)) * 1.2, 1e-3), 120)
        pars = {p: v[:, None] for p, v in designer.saturation_draws(c, geo).items()}
        curves = designer.saturation(grid[None, :], **pars)
        band = hdi(curves.T, hdi_prob)
        ax.fill_between(
            grid, band[:, 0], band[:, 1], color=color, alpha=0.25, label=f"{hdi_prob:.0%} HDI"
        )
        ax.plot(grid, curves.mean(axis=0), color=color, label="posterior mean")
        ax.axvline(x_ss, color="k", ls="--", lw=1, label="current (adstocked)")
        for change in spend_changes:
            ax.axvline(x_ss * (1 + change), color="grey", ls=":", lw=1)
        axis = "adstocked spend" if designer.engine.adstock_first else "weekly spend"
        ax.set(title=c, ylabel="contribution", xlabel=f"{axis} (model scale)")
        ax.legend(fontsize=SMALL, loc="lower right")
    return fig


def plot_power_cost(recommendations: Recommendations) -> Figure:
    """Assurance against ``|net cost|`` for every candidate that passed the SNR filter.

    Colour is the channel; the marker is the direction (up = increase, down =
    decrease, X = go-dark). The best tests sit top left.
    """
    df = recommendations.to_dataframe()
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    colors = channel_colors(sorted(df["channel"].unique()))
    for (channel, direction), g in df.groupby([df["channel"], df["spend_change"].map(_direction)]):
        ax.scatter(
            g["net_cost"].abs(), g["assurance"], color=colors[channel], marker=_MARKERS[direction],
            s=45, alpha=0.8, label=f"{channel}, {direction}",
        )  # fmt: skip
    ax.set(xlabel="|net cost| (model scale)", ylabel="assurance", title="power vs cost")
    ax.legend(fontsize=SMALL, ncol=2)
    return fig


def plot_lift_distributions(
    designer: ExperimentDesigner,
    channel: str,
    spend_changes: tuple[float, ...] = (0.2, 0.5, -0.5, -1.0),
    durations: tuple[int, ...] = (4, 6, 8, 12),
    hdi_prob: float = HDI_PROB,
    geo: str | None = None,
) -> Figure:
    """Posterior lift distributions: spend changes in rows, durations in columns.

    The shaded region is the HDI, the dashed line zero lift, and each panel title
    gives the assurance.
    """
    size = (min(FIG_WIDTH, 2.3 * len(durations)), 1.9 * len(spend_changes))
    fig, axes = plt.subplots(
        len(spend_changes), len(durations), figsize=size, layout="constrained", squeeze=False,
        sharex="row",
    )  # fmt: skip
    color = channel_colors(designer.channels)[channel]
    for i, change in enumerate(spend_changes):
        for j, weeks in enumerate(durations):
            ax = axes[i, j]
            summary = designer.evaluate(channel, change, weeks, geo=geo, hdi_prob=hdi_prob)
            lo, hi = summary.lift_hdi
            ax.hist(summary.lift_draws, bins=40, color=color, alpha=0.35, density=True)
            ax.axvspan(lo, hi, color=color, alpha=0.15)
            ax.axvline(0, color="k", ls="--", lw=1)
            ax.set_yticks([])
            ax.set_title(f"{change:+.0%}, {weeks}w: A={summary.assurance:.2f}", fontsize=SMALL)
    fig.suptitle(f"{channel}: total lift over the test (model scale)")
    return fig


def plot_adstock_ramp(
    designer: ExperimentDesigner, max_weeks: int = 16, geo: str | None = None
) -> Figure:
    """Share of the steady-state effect reached each week after a spend change.

    Median and HDI (:data:`~labkit.stats.HDI_PROB`) over the posterior; the ramp
    reaches exactly 1 at week ``l_max`` (it is truncated there).
    """
    fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    weeks = np.arange(1, max_weeks + 1)
    for c, color in channel_colors(designer.channels).items():
        ramp = designer.ramp_draws(c, geo, max_weeks)
        lo, hi = hdi(ramp.T, HDI_PROB).T
        mid = np.median(ramp, axis=0)
        ax.fill_between(weeks, lo, hi, color=color, alpha=0.2)
        ax.plot(weeks, mid, color=color, marker="o", ms=3, label=c)
    ax.axvline(designer.l_max, color="grey", ls=":", lw=1, label="l_max")
    ax.set(xlabel="week of the test", ylabel="ramp (share of steady state)", ylim=(0, 1.05))
    ax.set_title("adstock ramp after a spend change")
    ax.legend(fontsize=SMALL)
    return fig


def plot_channel_diagnostics(
    designer: ExperimentDesigner, recommendations: Recommendations, geo: str | None = None
) -> Figure:
    """Compact per-channel overview: uncertainty, spend correlation, best assurance, ramp at 8w."""
    channels = designer.channels
    df = recommendations.to_dataframe()
    cv = designer.contribution_cv
    corr = designer.spend_correlation.abs().to_numpy() - np.eye(len(channels))
    bars = {
        "relative uncertainty (CV)": [cv[c] for c in channels],
        "max |spend correlation|": corr.max(axis=1),
        "best assurance": [df.loc[df.channel == c, "assurance"].max() for c in channels],
        "mean ramp over 8 weeks": [designer.ramp_draws(c, geo, 8).mean() for c in channels],
    }
    fig, axes = panels(len(bars), 2, width=8, panel_height=2.4)
    colors = list(channel_colors(channels).values())
    for ax, (title, values) in zip(axes.flat, bars.items(), strict=True):
        ax.bar(channels, np.nan_to_num(np.asarray(values, dtype=float)), color=colors)
        ax.set_title(title, fontsize=TITLE)
        ax.tick_params(axis="x", rotation=30 if len(channels) > 4 else 0)
    return fig


def plot_candidate(summary: CandidateSummary, significance_level: float = 0.05) -> Figure:
    """One candidate's lift distribution with its detection thresholds (for the explorer)."""
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.hist(
        summary.lift_draws, bins=50, density=True, alpha=0.5, color="C0", label="predicted lift"
    )
    ax.axvspan(*summary.lift_hdi, color="C0", alpha=0.12, label=f"{summary.hdi_prob:.0%} HDI")
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
    ax.legend(fontsize=SMALL, title="red: significance thresholds", title_fontsize=SMALL)
    return fig


def plot_noise_model(check: pd.DataFrame, significance_level: float = 0.05) -> Figure:
    """Plot the large-``T`` noise formula against simulated residual series, by test length.

    Parameters
    ----------
    check : pandas.DataFrame
        :func:`labkit.design.noise.noise_model_check`'s table.
    significance_level : float
        The level the table's false-positive rates were computed at.

    Returns
    -------
    matplotlib.figure.Figure
        Left: by how much each sd overstates the sd of the simulated sums (0 is
        right). Right: the false-positive rate of the z-test with each sd.
    """
    fig, axes = plt.subplots(1, 2, figsize=(FIG_WIDTH, 3.6), layout="constrained")
    for i, (rho, rows) in enumerate(check.groupby("rho")):
        color = f"C{i}"
        limit = rows["sd_limit"] / rows["sd_simulated"] - 1
        exact = rows["sd_exact"] / rows["sd_simulated"] - 1
        axes[0].plot(rows["weeks"], 100 * limit, color=color, ls="--", label=f"ρ = {rho:g}")
        axes[0].plot(rows["weeks"], 100 * exact, color=color, marker="o", ms=3)
        axes[1].plot(rows["weeks"], 100 * rows["fpr_limit"], color=color, ls="--")
        axes[1].plot(rows["weeks"], 100 * rows["fpr_exact"], color=color, marker="o", ms=3)
    axes[0].axhline(0, color="grey", lw=1)
    axes[0].set(xlabel="test weeks T", ylabel="sd / simulated sd − 1 (%)")
    axes[0].set_title("noise sd: large-T limit (dashed) vs exact (dots)", fontsize=TITLE)
    axes[0].legend(fontsize=SMALL)
    axes[1].axhline(100 * significance_level, color="grey", lw=1)
    axes[1].set(xlabel="test weeks T", ylabel="false-positive rate (%)", ylim=(0, None))
    axes[1].set_title("z-test on simulated AR(1) residuals", fontsize=TITLE)
    return fig


def plot_frontier(
    recommendations: Recommendations,
    candidate: tuple[float, float] | None = None,
    ax: plt.Axes | None = None,
) -> Figure:
    """Net cost against learning value, assurance as colour, with the frontier.

    Parameters
    ----------
    recommendations : Recommendations
        From ``recommend(learning_value=True)``.
    candidate : (float, float), optional
        ``(|net cost|, learning value)`` of a candidate to mark (the explorer's).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Points with a black edge are not dominated on ``|net cost|``, assurance and
        learning value together; the line joins the candidates no other beats on
        cost and learning alone; the ring marks the top recommendation.
    """
    table = recommendations.to_dataframe()
    if table.empty or table["learning_value"].isna().all():
        raise ValueError(
            "recommendations carry no learning value: use recommend(learning_value=True)"
        )
    cost, learning = table["net_cost"].abs().to_numpy(), 100 * table["learning_value"].to_numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    fig = cast(Figure, ax.figure)  # axes of a Figure, not of a SubFigure
    front = ~table["dominated"].to_numpy()
    points = ax.scatter(
        cost, learning, c=table["assurance"], cmap="viridis", vmin=0, vmax=1, s=36,
        # matplotlib's stub lists sequences of colours, not the array of names it also takes
        edgecolors=np.where(front, "black", "none"), linewidths=1.0, zorder=3,  # type: ignore[arg-type]
    )  # fmt: skip
    fig.colorbar(points, ax=ax, label="assurance")
    two_d = ~pareto_dominated(np.column_stack([-cost, learning]))
    order = np.argsort(cost[two_d])
    ax.plot(cost[two_d][order], learning[two_d][order], color="grey", lw=1, drawstyle="steps-post")
    ax.scatter(cost[0], learning[0], s=220, facecolors="none", edgecolors="C3", lw=2,
               label="top recommendation", zorder=4)  # fmt: skip
    if candidate is not None:
        ax.scatter(candidate[0], 100 * candidate[1], marker="X", s=120, color="C6",
                   label="selected candidate", zorder=5)  # fmt: skip
    ax.set(xlabel="|net cost| (model scale)", ylabel="expected ROAS sd reduction (%)")
    ax.set_title("cost-learning frontier (black edge: not dominated)", fontsize=TITLE)
    ax.legend(fontsize=SMALL, loc="lower right")
    return fig


def _geo_table(ranking: GeoRanking | pd.DataFrame) -> pd.DataFrame:
    """Return a geo ranking's table with its treated sets as ``"a+b"`` labels."""
    table = ranking.table if hasattr(ranking, "table") else ranking
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"ranking must be a GeoDesigner.rank result, got {type(ranking).__name__}")
    sets = table["treated_set"]
    return table.assign(treated_set=sets.map(lambda s: s if isinstance(s, str) else "+".join(s)))


def plot_geo_grid(
    table: GeoRanking | pd.DataFrame,
    value: str = "cost_efficiency",
    *,
    channel: str | None = None,
    spend_change: float | None = None,
) -> Figure:
    """Single treated geos by duration, coloured by a column of a geo ranking.

    Parameters
    ----------
    table : GeoRanking
        From :meth:`labkit.design.GeoDesigner.rank` (or its table).
    value : str
        The colour: ``assurance``, ``cost_efficiency``, ``learning_value`` or any
        numeric column.
    channel, spend_change : optional
        Which candidates to show; default the first channel and change of the table.

    Returns
    -------
    matplotlib.figure.Figure
        A heatmap, geos as rows and durations as columns; geos flagged
        ``feasible = False`` are hatched.
    """
    table = _geo_table(table)
    if value not in table.columns:
        raise ValueError(f"value must be a column of the ranking, one of {list(table.columns)}")
    singles = table[table["n_geos"] == 1]
    if singles.empty:
        raise ValueError("table has no single-geo candidates to draw")
    channel = singles["channel"].iloc[0] if channel is None else channel
    change = singles["spend_change"].iloc[0] if spend_change is None else spend_change
    shown = singles[(singles["channel"] == channel) & (singles["spend_change"] == change)]
    if shown.empty:
        raise ValueError(f"no single-geo candidate for channel {channel!r}, change {change}")
    grid = shown.pivot(index="treated_set", columns="duration", values=value).sort_index()
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(grid) + 1.6), layout="constrained")
    sns.heatmap(grid, annot=True, fmt=".2f", cmap="viridis", ax=ax,
                cbar_kws={"label": value.replace("_", " ")})  # fmt: skip
    if "feasible" in shown.columns:
        feasible = shown.drop_duplicates("treated_set").set_index("treated_set")["feasible"]
        for row, geo in enumerate(grid.index):
            if not bool(feasible.get(geo, True)):
                ax.add_patch(
                    plt.Rectangle((0, row), grid.shape[1], 1, fill=False, hatch="//", lw=0)
                )
    ax.set(xlabel="duration (weeks)", ylabel="treated geo")
    title = f"{channel}, spend {change:+.0%}: {value.replace('_', ' ')}"
    if "feasible" in shown.columns and not shown["feasible"].all():
        title += " (hatched: donor fit too poor)"
    ax.set_title(title, fontsize=TITLE)
    return fig


def plot_placebo_effects(
    table: GeoRanking | pd.DataFrame,
    placebo: PlaceboNoise,
    duration: int,
    *,
    channel: str | None = None,
) -> Figure:
    """Placebo read-out errors of each treated set against the lift the model predicts.

    Parameters
    ----------
    table : GeoRanking
        From :meth:`labkit.design.GeoDesigner.rank` with placebo noise (or its table).
    placebo : labkit.design.PlaceboNoise
        The placebo fits behind it (:meth:`labkit.design.GeoDesigner.placebo`).
    duration : int
        The test length to show.
    channel : str, optional
        Whose predicted lift is marked; default the table's first channel.

    Returns
    -------
    matplotlib.figure.Figure
        Per set, the placebo effects (points: the synthetic control's error on a
        window where nothing happened), their ± root-mean-square band, and the
        expected lift with its HDI (the larger the gap, the easier the read).
    """
    table = _geo_table(table)
    effects = placebo.effects[placebo.effects["duration"] == duration]
    if effects.empty:
        raise ValueError(f"duration must be one of {sorted(placebo.effects['duration'].unique())}")
    channel = table["channel"].iloc[0] if channel is None else channel
    rows = table[(table["channel"] == channel) & (table["duration"] == duration)]
    rows = rows.drop_duplicates("treated_set").set_index("treated_set")
    sets = [s for s in dict.fromkeys(effects["treated_set"]) if s in rows.index]
    if not sets:
        raise ValueError("table and placebo share no treated set at this duration and channel")
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.5 * len(sets) + 1.8), layout="constrained")
    rng = np.random.default_rng(0)
    for i, s in enumerate(sets):
        e = effects.loc[effects["treated_set"] == s, "effect"].to_numpy()
        rms = float(np.sqrt(np.mean(e**2)))
        ax.scatter(e, i + rng.uniform(-0.15, 0.15, len(e)), s=10, color="grey", alpha=0.6,
                   label="placebo effect" if i == 0 else None)  # fmt: skip
        ax.plot([-rms, rms], [i, i], color="black", lw=3, alpha=0.5,
                label="± placebo sd" if i == 0 else None)  # fmt: skip
        r = rows.loc[s]
        ax.errorbar(
            r["lift_mean"],
            i + 0.3,
            xerr=[[r["lift_mean"] - r["lift_low"]], [r["lift_high"] - r["lift_mean"]]],
            fmt="o",
            color="C3",
            label="predicted lift (HDI)" if i == 0 else None,
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(sets)), sets)
    ax.set_xlabel(f"total lift over {duration} weeks (model scale)")
    ax.set_title(f"placebo read-out errors against the predicted lift of {channel}", fontsize=TITLE)
    ax.legend(fontsize=SMALL, loc="best")
    return fig
