"""Figures of the geo-calibration chapter.

The panel and its lift tests: the within-geo spend correlation
(:func:`plot_geo_correlation`), each lift test on its true curve
(:func:`plot_lift_tests`) and as a curve in the ``(lam, beta)`` plane
(:func:`plot_lift_constraint`), estimated against oracle lifts
(:func:`plot_lift_comparison`). A :class:`~labkit.geo.CalibrationReport`:
improvement bars (:func:`plot_improvement`), parameter recovery
(:func:`plot_parameter_recovery`), saturation curves
(:func:`plot_calibration_curve`, :func:`plot_curve_recovery`) and the in-sample
fit (:func:`plot_geo_fit`). Every figure is drawn from a table or a report
computed elsewhere in :mod:`labkit.geo`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from labkit._figures import FIG_WIDTH, SMALL, TITLE, concise_dates, grid_shape, panels
from labkit.data import check_dataset
from labkit.geo.curves import true_curves
from labkit.geo.lift_tests import lift_constraint_beta
from labkit.geo.model import spend_correlation_by_geo
from labkit.stats import HDI_PROB, hdi, hdi_bounds

if TYPE_CHECKING:
    from labkit.data import Dataset
    from labkit.geo.report import CalibrationReport

_MODEL_COLORS = {"uncalibrated": "C0", "calibrated": "C2"}


def _geo_axes(n: int, ncols: int = 4) -> tuple[Figure, np.ndarray]:
    """Return a shared-axes grid with one panel per geo (surplus panels removed)."""
    fig, axes = panels(n, ncols, panel_height=2.3, sharex=True, sharey=True)
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
        One panel per geo titled with :func:`labkit.geo.spend_correlation_by_geo`'s
        correlation; the treated geos' test weeks in red.
    """
    df = check_dataset(dataset, "geo_panel")
    first, second = dataset.truth["channels"][:2]
    corr = spend_correlation_by_geo(dataset).set_index("geo")
    fig, axes = _geo_axes(len(corr))
    for ax, (geo, row) in zip(axes, corr.iterrows(), strict=True):
        g = df[df["geo"] == geo]
        test = g["treated"] & g["experiment"]
        ax.scatter(g.loc[~test, first], g.loc[~test, second], s=8, alpha=0.5)
        ax.scatter(g.loc[test, first], g.loc[test, second], s=14, color="C3")
        kind = "treated" if row["treated"] else "control"
        ax.set_title(f"{geo} ({kind})\nr = {row['correlation']:.3f}", fontsize=TITLE)
    fig.supxlabel(f"{first} spend")
    fig.supylabel(f"{second} spend")
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
    df = check_dataset(dataset, "geo_panel")
    grid = np.linspace(0, float(df[dataset.truth["channels"]].to_numpy().max()), n_points)
    truth = true_curves(dataset, grid)
    _, ncols = grid_shape(len(lift_tests), 3)
    fig, axes = panels(
        len(lift_tests), 3, width=min(FIG_WIDTH, 3.2 * ncols), panel_height=2.8, sharey=True
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
        ax.set_title(f"{row['geo']}: Δy = {row['delta_y']:.3f}", fontsize=TITLE)
        ax.set_xlabel(f"{row['channel']} spend")
    for ax in axes[:, 0]:
        ax.set_ylabel("weekly contribution")
    return fig


def plot_lift_comparison(
    comparison: pd.DataFrame, label: str = "CausalPy", *, interval_prob: float = HDI_PROB
) -> Figure:
    """Estimated lift tests (their interval) next to the oracle lift, per tested geo.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`labkit.geo.compare_lift_tests`.
    label : str
        Name of the estimates in the legend.
    interval_prob : float
        Probability of the ``delta_y_low, delta_y_high`` interval, for the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    pos = np.arange(len(comparison))
    est = comparison["delta_y_estimated"]
    ax.errorbar(
        pos,
        est,
        yerr=[est - comparison["delta_y_low"], comparison["delta_y_high"] - est],
        fmt="o",
        color="C1",
        capsize=4,
        label=f"{label} ({interval_prob:.0%} interval)",
    )
    ax.errorbar(
        pos + 0.15,
        comparison["delta_y_oracle"],
        yerr=1.96 * comparison["sigma_oracle"],
        fmt="s",
        color="k",
        capsize=4,
        label="oracle (±1.96 σ)",
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(pos + 0.075, comparison["geo"])
    ax.set(ylabel="weekly lift Δy", title="Lift per treated geo: estimated vs oracle")
    ax.legend(fontsize=SMALL)
    return fig


def plot_improvement(report: CalibrationReport, metric: str = "precision") -> Figure:
    """Precision or bias improvement per geo, one panel per parameter x channel.

    Parameters
    ----------
    report : CalibrationReport
        Its ``parameters`` table.
    metric : {"precision", "bias"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    if metric not in ("precision", "bias"):
        raise ValueError(f"metric must be 'precision' or 'bias', got {metric!r}")
    parameters = report.parameters
    column = f"{metric}_improvement"
    params = list(dict.fromkeys(parameters["parameter"]))
    channels = list(dict.fromkeys(parameters["channel"]))
    fig, axes = plt.subplots(
        len(params),
        len(channels),
        figsize=(min(FIG_WIDTH, 4.5 * len(channels)), 2.4 * len(params)),
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
            ax.set_title(f"{p}, {c}", fontsize=TITLE)
            ax.tick_params(axis="x", labelrotation=45, labelsize=SMALL)
    axes[0, 0].legend(
        handles=[
            plt.Rectangle((0, 0), 1, 1, color="C3", label="treated"),
            plt.Rectangle((0, 0), 1, 1, color="C0", label="control"),
        ],
        fontsize=SMALL,
    )
    unit = "HDI width reduction (%)" if metric == "precision" else "bias reduction (% of HDI)"
    fig.supylabel(unit)
    fig.suptitle(f"{metric.capitalize()} improvement from calibration")
    return fig


def plot_parameter_recovery(report: CalibrationReport, channel: str | None = None) -> Figure:
    """Posterior (lam, beta) per geo for both models: mean, HDI crosses and the truth.

    Parameters
    ----------
    report : CalibrationReport
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
        ax.set_title(f"{geo} ({kind})", fontsize=TITLE)
    axes[0].legend(fontsize=SMALL)
    fig.supxlabel("λ (saturation steepness)")
    fig.supylabel("β (channel weight, model scale)")
    fig.suptitle(
        f"{channel}: posterior mean ± half the {report.hdi_prob:.0%} HDI width, per geo",
        fontsize=TITLE + 1,
    )
    return fig


def plot_calibration_curve(
    report: CalibrationReport,
    geo: str,
    channel: str,
    ax: plt.Axes | None = None,
    legend: bool = True,
) -> Figure:
    """One geo x channel: both models' posterior curves (HDI band), the truth and the lift test.

    Parameters
    ----------
    report : CalibrationReport
    geo, channel : str
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.
    legend : bool

    Returns
    -------
    matplotlib.figure.Figure
    """
    truth = report.true_curve
    geos, channels = list(truth["geo"].values), list(truth["channel"].values)
    if geo not in geos:
        raise ValueError(f"geo must be one of {geos}, got {geo!r}")
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    else:
        fig = cast(Figure, ax.figure)  # axes of a Figure, not of a SubFigure
    grid = truth["x"].to_numpy()
    for model, color in _MODEL_COLORS.items():
        draws = report.curve_draws[model].sel(geo=geo, channel=channel).to_numpy()
        band = hdi(draws.T, report.hdi_prob)  # draws are (sample, x)
        ax.fill_between(grid, band[:, 0], band[:, 1], color=color, alpha=0.25)
        ax.plot(grid, draws.mean(axis=0), color=color, lw=1.5, label=model)
    true = truth.sel(geo=geo, channel=channel)
    ax.plot(grid, true, "k--", lw=1.5, label="truth")
    tests = report.lift_tests
    if tests is not None:
        rows = tests[(tests["geo"] == geo) & (tests["channel"] == channel)]
        for _, row in rows.iterrows():
            _lift_triangle(ax, row, float(true.interp(x=row["x"])))
    ax.set_title(f"{geo}, {channel}", fontsize=TITLE)
    if legend:
        ax.legend(fontsize=SMALL)
    return fig


def plot_curve_recovery(report: CalibrationReport) -> Figure:
    """Posterior saturation curves against the truth for every geo x channel.

    Parameters
    ----------
    report : CalibrationReport

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


def plot_geo_fit(report: CalibrationReport) -> Figure:
    """Observed sales and the expected sales of both models (HDI band) per geo.

    Parameters
    ----------
    report : CalibrationReport

    Returns
    -------
    matplotlib.figure.Figure
        One panel per geo, two to a row; each title gives the geo's in-sample R²
        of the uncalibrated and the calibrated model.
    """
    observed = report.observed
    geos = list(observed["geo"].values)
    dates = observed["date"].to_numpy()
    fig, axes = panels(len(geos), 2, panel_height=1.9, sharex=True)
    fit = report.fit.set_index(["geo", "model"])
    for ax, geo in zip(axes.flat, geos, strict=False):
        ax.plot(dates, observed.sel(geo=geo), "k.", ms=3, label="observed")
        for model, color in _MODEL_COLORS.items():
            mu = report.expected[model].sel(geo=geo)
            low, high = hdi_bounds(mu, report.hdi_prob)
            ax.fill_between(
                dates,
                low,
                high,
                color=color,
                alpha=0.3,
                label=f"{model} ({report.hdi_prob:.0%} HDI)",
            )
        r2 = fit.loc[geo, "r2"]
        kind = " (treated)" if bool(fit.loc[geo, "treated"].iloc[0]) else ""
        ax.set_title(
            f"{geo}{kind} · R² {r2['uncalibrated']:.3f} → {r2['calibrated']:.3f}",
            fontsize=TITLE,
        )
        concise_dates(ax, maxticks=5)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside upper center", ncol=3, fontsize=SMALL,
        title="R² in the titles: uncalibrated → calibrated", title_fontsize=SMALL,
    )  # fmt: skip
    fig.supylabel("sales (model scale)", fontsize=TITLE)
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
    check_dataset(dataset, "geo_panel")
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
    ax.legend(fontsize=SMALL)
    return fig
