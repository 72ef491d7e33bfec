"""Figures of the recovery studies."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from labkit._figures import SMALL, TITLE

__all__ = ["plot_claims"]


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
