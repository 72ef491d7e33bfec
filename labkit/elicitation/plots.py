"""Figures of prior elicitation: from an experiment's slope to the MMM's priors.

Experiments as points in derivative space, the likelihood ridge and the grid
posterior as contour surfaces, fans of derivative curves drawn from a posterior,
fitted priors against the posterior they summarise, and prior or posterior
draws against the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from labkit._figures import FIG_WIDTH, SMALL, panels
from labkit._notices import third_party_notices
from labkit.elicitation.derivative import ExperimentObservation, saturation_derivative
from labkit.elicitation.posterior import ElicitationResult, near_peak_mask

if TYPE_CHECKING:
    from matplotlib.artist import Artist

    from labkit.elicitation.priors import FittedPrior


def _observation_bars(
    observations: ExperimentObservation | pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points and error bars of experiments: an observation's rate HDI, or +-2 sd."""
    if isinstance(observations, ExperimentObservation):
        lo, hi = observations.rate_hdi
        x, y = np.array([observations.x]), np.array([observations.rate_mean])
        return x, y, np.array([[y[0] - lo], [hi - y[0]]])
    x, y = observations["x"].to_numpy(), observations["rate"].to_numpy()
    return x, y, 2 * observations["rate_sd"].to_numpy()


def plot_derivative_space(
    observations: ExperimentObservation | pd.DataFrame,
    ax: plt.Axes | None = None,
    label: str = "experiment",
    *,
    truth: Mapping[str, float] | None = None,
    saturation: str = "michaelis_menten",
) -> Figure:
    """Plot experiments as points in the saturation curve's derivative space.

    Each observation's bar is its HDI at :data:`~labkit.stats.PRIOR_MASS`.

    Parameters
    ----------
    observations : ExperimentObservation or DataFrame
        An observation (its rate HDI is drawn), or a table ``x, rate, rate_sd``
        (bars of +-2 sd).
    ax : matplotlib.axes.Axes, optional
    label : str
    truth : dict, optional
        True parameters of ``saturation``: the true derivative at each
        observation's spend is marked with a cross.
    saturation : str
        The family of ``truth``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    x, y, err = _observation_bars(observations)
    ax.errorbar(x, y, yerr=err, fmt="o", color="C2", capsize=5, ms=8, label=label, zorder=5)
    if truth is not None:
        true_slope = saturation_derivative(saturation, x, **truth)
        ax.plot(x, true_slope, "kx", ms=10, zorder=6, label="true f'(x)")
    ax.set(xlabel="spend x", ylabel="rate of change dy/dx", title="experiments in derivative space")
    ax.legend(fontsize=SMALL)
    return cast(Figure, ax.figure)  # axes of a Figure, not of a SubFigure


def plot_surface(
    axes: Mapping[str, np.ndarray],
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
    near = near_peak_mask(surface, near_peak)
    # one filled region, not a marker per grid cell: thousands of markers made each redraw slow
    ax.contourf(a0, a1, near.astype(float), levels=[0.5, 1.5], colors="gold", alpha=0.3)
    handles: list[Artist] = [Patch(color="gold", alpha=0.3, label=f"within {near_peak} of peak")]
    if truth is not None:
        handles += ax.plot(*truth, "o", color="red", ms=8, zorder=10, label="truth")
    ax.set(xlabel=p0, ylabel=p1, title=title)
    ax.legend(handles=handles, fontsize=SMALL, loc="upper right")
    return cast(Figure, ax.figure)


def plot_derivative_fan(
    result: ElicitationResult,
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
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    rng = np.random.default_rng(random_seed)
    grid = np.linspace(1e-3, x_max, 80)  # smooth curves: 80 points draw them, and redraw fast
    params = result.saturation.params
    n = result.posterior.sizes["chain"] * result.posterior.sizes["draw"]
    idx = rng.choice(n, size=min(n_curves, n), replace=False)
    draws = {p: result.draws(p)[idx][:, None] for p in params}
    curves = saturation_derivative(result.saturation.name, grid[None, :], **draws)
    median = np.median(curves, axis=0)
    # one collection, not one Line2D per curve: the explorer redraws this on every update
    segments = np.stack([np.broadcast_to(grid, curves.shape), curves], axis=-1)
    # matplotlib's stub asks for a sequence of lines; a (n_lines, n_points, 2) array is one too
    ax.add_collection(LineCollection(segments, colors="C0", alpha=0.04))  # type: ignore[arg-type]
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
    ax.legend(fontsize=SMALL, loc="upper right", title=note, title_fontsize=SMALL)
    return cast(Figure, ax.figure)


def plot_elicitation_view(
    result: ElicitationResult,
    truth: dict[str, float] | None = None,
    *,
    title: str = "grid posterior",
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
    # a fixed layout: the explorer redraws this on every update, and constrained layout
    # would re-measure every label each time
    fig, axes = plt.subplots(
        1, 2, figsize=(FIG_WIDTH, 3.6),
        gridspec_kw={"left": 0.07, "right": 0.98, "bottom": 0.14, "top": 0.91, "wspace": 0.22},
    )  # fmt: skip
    grid = result.grid
    p0, p1 = result.saturation.params
    plot_surface(
        {p0: grid[p0], p1: grid[p1]}, grid["log_posterior"], ax=axes[0],
        truth=(truth[p0], truth[p1]) if truth else None, title=title,
    )  # fmt: skip
    plot_derivative_fan(result, ax=axes[1], n_curves=100, truth=truth)
    return fig


def plot_fitted_priors(result: ElicitationResult, fitted: Mapping[str, FittedPrior]) -> Figure:
    """Scaled elicitation posterior (histogram) against the fitted prior (line), per parameter."""
    fig, axes = panels(len(fitted), 2, panel_height=3.2)
    for ax, (p, fp) in zip(axes.flat, fitted.items(), strict=False):
        scaled = result.draws(p) / fp.scale
        ax.hist(scaled, bins=60, density=True, alpha=0.4, color="C0", label="elicitation posterior")
        high = scaled.max() * 1.3
        if fp.family == "Beta":  # its density is defined on (0, 1) only
            high = min(high, 1 - 1e-6)
        grid = np.linspace(max(scaled.min() * 0.5, 1e-4), high, 400)
        with third_party_notices():
            density = fp.dist().pdf(grid)
        ax.plot(grid, density, color="C1", lw=2, label=f"fitted {fp.family}")
        ax.axvspan(
            fp.lower, fp.upper, color="C1", alpha=0.08, label=f"target interval ({fp.mass:.1%})"
        )
        # a long thin tail would squeeze the bulk into a corner: stop at its 99.5th percentile
        right = 1.15 * max(fp.upper, float(np.quantile(scaled, 0.995)))
        ax.set_xlim(min(0.0, float(scaled.min())), right)
        ax.set(title=f"{p} on the MMM's scale", xlabel=p)
        ax.legend(fontsize=SMALL)
    return fig


def plot_prior_vs_truth(
    samples: Mapping[str, pd.DataFrame | Mapping[str, np.ndarray]], truth: Mapping[str, float]
) -> Figure:
    """Violin plots of prior draws in original units, one row per prior, with the truth dashed.

    Parameters
    ----------
    samples : dict
        ``{prior name: draws}``, each a table or dict with one column of draws
        per parameter (for example :func:`~labkit.elicitation.prior_saturation_draws`).
    truth : dict
        ``{param: true value}``.
    """
    names = list(samples)
    params = list(truth)
    fig, axes = plt.subplots(
        len(names), len(params), figsize=(min(FIG_WIDTH, 4.5 * len(params)), 1.8 * len(names)),
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
    results: Mapping[str, ElicitationResult], truth: tuple[float, float] | None = None
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
        figsize=(min(FIG_WIDTH, 4.5 * len(results)), 4),
        layout="constrained",
        sharex=True,
        sharey=True,
    )
    for i, (ax, (label, res)) in enumerate(zip(np.atleast_1d(axes), results.items(), strict=True)):
        p0, p1 = res.saturation.params[:2]
        ax.scatter(res.draws(p0)[:3000], res.draws(p1)[:3000], s=3, alpha=0.2, color=f"C{i}")
        if truth is not None:
            ax.plot(*truth, "ro", ms=7, label="truth")
            ax.legend(fontsize=SMALL)
        ax.set(xlabel=p0, ylabel=p1, title=label)
    return fig


def plot_likelihood_to_mmm(
    axes: Mapping[str, np.ndarray],
    log_likelihood: np.ndarray,
    elicitation: ElicitationResult,
    mmm_draws: Mapping[str, pd.DataFrame | Mapping[str, np.ndarray]],
    truth: Mapping[str, float] | None = None,
    *,
    limits: tuple[float, float] | None = (0.0, 10.0),
) -> Figure:
    """Plot two parameters at three stages: likelihood, elicitation, MMM posteriors.

    Parameters
    ----------
    axes : dict
        Two 1-D axes keyed by parameter name, as for :func:`plot_surface`.
    log_likelihood : numpy.ndarray
        The experiment's log-likelihood on those axes.
    elicitation : ElicitationResult
        A grid elicitation of the same two parameters.
    mmm_draws : dict
        ``{label: draws}`` of MMM posteriors in original units (for example
        :func:`~labkit.elicitation.posterior_saturation_draws`), one scatter each.
    truth : dict, optional
        True values of the two parameters, marked on every panel.
    limits : tuple, optional
        Common limits of both axes of every panel; ``None`` lets each panel choose.
    """
    p0, p1 = axes
    point = (truth[p0], truth[p1]) if truth is not None else None
    fig, row = plt.subplots(1, 3, figsize=(FIG_WIDTH, 3.4), layout="constrained")
    plot_surface(axes, log_likelihood, truth=point, title="likelihood (one experiment)", ax=row[0])
    grid = elicitation.grid
    plot_surface(
        {p0: grid[p0], p1: grid[p1]}, grid["log_posterior"], truth=point,
        title="elicitation (grid)", ax=row[1],
    )  # fmt: skip
    ax = row[2]
    for i, (label, draws) in enumerate(mmm_draws.items()):
        ax.scatter(draws[p0], draws[p1], s=3, alpha=0.2, color=f"C{i}", label=label)
    if point is not None:
        ax.plot(*point, "ro", ms=8, label="truth")
    ax.set(xlabel=p0, ylabel=p1, title="MMM posteriors")
    ax.legend(fontsize=SMALL, markerscale=3)
    if limits is not None:
        for a in row:
            a.set(xlim=limits, ylim=limits)
    return fig
