"""Figures of the recovery studies."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from labkit._figures import SMALL, TITLE

__all__ = ["plot_claims", "plot_paired", "plot_predicted_vs_realised", "plot_programme"]


def plot_claims(summary: pd.DataFrame, threshold: float = 0.8, title: str = "") -> Figure:
    """Share of simulated worlds in which each claim holds, with its interval.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`labkit.study.claim_summary`'s table.
    threshold : float
        The share a claim needs before the book states it as general (a dashed line).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if summary.empty:
        raise ValueError("summary has no claims")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(summary) + 1.2), layout="constrained")
    y = np.arange(len(summary))[::-1]
    share = summary["share"].to_numpy(dtype=float)
    err = np.vstack([share - summary["low"], summary["high"] - share])
    colors = np.where(share >= threshold, "C0", "C3")
    ax.barh(y, share, color=colors, alpha=0.7)
    ax.errorbar(share, y, xerr=err, fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, (k, n) in zip(y, summary[["k", "n"]].to_numpy(), strict=True):
        ax.text(0.01, yi, f"{k}/{n}", va="center", fontsize=SMALL)
    ax.axvline(threshold, color="grey", ls="--", lw=1)
    ax.set_yticks(y, [name.replace("_", " ") for name in summary.index], fontsize=SMALL)
    ax.set(xlim=(0, 1.02), xlabel="share of simulated worlds in which the claim holds")
    ax.set_title(title or "claims across seeds (bars: 90 % interval)", fontsize=TITLE)
    return fig


def plot_paired(
    rows: pd.DataFrame,
    columns: dict[str, str],
    *,
    ylabel: str,
    reference: float | None = None,
    title: str = "",
) -> Figure:
    """Draw one value per model and simulated world, joined per world.

    Parameters
    ----------
    rows : pandas.DataFrame
        A study's rows (one per seed).
    columns : dict
        ``{label: column}`` in the order to draw, at least two (e.g. baseline, calibrated).
    ylabel : str
    reference : float, optional
        A horizontal line (e.g. 0 for an error).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if len(columns) < 2:
        raise ValueError(f"columns must name at least two models, got {list(columns)}")
    missing = [c for c in columns.values() if c not in rows.columns]
    if missing:
        raise ValueError(f"rows has no column(s) {missing}")
    values = rows[list(columns.values())].to_numpy(dtype=float)
    x = np.arange(len(columns))
    fig, ax = plt.subplots(figsize=(5.5, 3.6), layout="constrained")
    ax.plot(x, values.T, color="grey", alpha=0.4, lw=1)
    for i in x:
        ax.scatter(np.full(len(values), i), values[:, i], color=f"C{i}", s=18, zorder=3)
        ax.hlines(np.median(values[:, i]), i - 0.2, i + 0.2, color="black", lw=2, zorder=4)
    if reference is not None:
        ax.axhline(reference, color="black", ls="--", lw=1)
    ax.set_xticks(x, list(columns), fontsize=SMALL)
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"{len(values)} simulated worlds (bars: medians)", fontsize=TITLE)
    return fig


def plot_predicted_vs_realised(
    groups: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    quantity: str = "ROAS sd reduction",
    band: float = 0.25,
    title: str = "",
) -> Figure:
    """Draw a prediction against what a refit realised, one point per simulated world.

    Parameters
    ----------
    groups : dict
        ``{label: (predicted, realised)}``, equal-length arrays per label (e.g. one
        label per candidate test).
    quantity : str
        What is predicted, for the axis labels.
    band : float
        Shade realised within ``±band`` (relative) of the prediction, >= 0.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        The identity line, the band, and the points.
    """
    from labkit._validate import check_number

    band = check_number("band", band, low=0.0)
    if not groups:
        raise ValueError("groups must name at least one (predicted, realised) pair")
    pairs = {}
    for label, (predicted, realised) in groups.items():
        p, r = np.asarray(predicted, dtype=float), np.asarray(realised, dtype=float)
        if p.shape != r.shape or p.ndim != 1:
            raise ValueError(f"groups[{label!r}] must be two 1-D arrays of one length")
        pairs[label] = (p, r)
    values = np.concatenate([np.concatenate(v) for v in pairs.values()])
    top = float(np.nanmax(values)) * 1.1 if np.isfinite(values).any() else 1.0
    low = min(0.0, float(np.nanmin(values)) * 1.1)
    fig, ax = plt.subplots(figsize=(4.8, 4.2), layout="constrained")
    grid = np.linspace(0.0, top, 50)
    ax.fill_between(grid, grid * (1 - band), grid * (1 + band), color="grey", alpha=0.2,
                    label=f"within ±{band:.0%}")  # fmt: skip
    ax.plot([low, top], [low, top], color="black", lw=1, ls="--", label="realised = predicted")
    for i, (label, (p, r)) in enumerate(pairs.items()):
        ax.scatter(p, r, color=f"C{i}", s=24, zorder=3, label=label)
    ax.set_xlim(low, top)
    ax.set_ylim(low, top)
    ax.set_xlabel(f"predicted {quantity}")
    ax.set_ylabel(f"realised {quantity} (refit)")
    ax.legend(fontsize=SMALL, loc="upper left")
    n = sum(len(p) for p, _ in pairs.values())
    ax.set_title(title or f"{n} refits in simulated worlds", fontsize=TITLE)
    return fig


def plot_programme(rounds: pd.DataFrame, title: str = "") -> Figure:
    """Regret and ROAS error by round, a line per policy (medians over worlds).

    Parameters
    ----------
    rounds : pandas.DataFrame
        :func:`labkit.study.programme.programme_rounds`'s table (one world or many).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in ("policy", "round", "regret", "roas_error") if c not in rounds]
    if missing:
        raise ValueError(f"rounds is missing columns {missing}")
    median = rounds.groupby(["policy", "round"], sort=False)[["regret", "roas_error"]].median()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    labels = {
        "regret": "regret of the chosen split (sales / week)",
        "roas_error": "mean |ROAS error| / ROAS",
    }
    for ax, metric in zip(axes, labels, strict=True):
        for j, (policy, part) in enumerate(median[metric].groupby(level="policy", sort=False)):
            x = part.index.get_level_values("round")
            ax.plot(x + 0.04 * (j - 2), part.to_numpy(), marker="o", label=policy)
        ax.set_xlabel("round (0 = before any test)")
        ax.set_ylabel(labels[metric], fontsize=SMALL)
        ax.set_xticks(sorted(rounds["round"].unique()))
    axes[0].legend(fontsize=SMALL, frameon=False)
    if title:
        fig.suptitle(title, fontsize=TITLE)
    return fig
