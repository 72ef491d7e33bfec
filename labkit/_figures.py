"""The book's figure style, shared by every concept's ``plots`` module.

Sizes and fonts that read at the book's column width, and small layout helpers
(balanced panel grids, concise date ticks, shaded test windows, channel colours).
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

# The book's content column is about 800 px wide and the notebooks render at dpi 100, so a
# figure wider than ~8-9 in is scaled down (a 12 in figure shrinks 10 pt text to ~6.6 pt).
# Figures here stay within FIG_WIDTH and use at least SMALL pt for legends and panel titles.
FIG_WIDTH = 9.0
SMALL = 9


TITLE = 10


def grid_shape(n: int, max_cols: int = 3) -> tuple[int, int]:
    """Rows and columns of a balanced grid for ``n`` panels, at most ``max_cols`` wide.

    Four panels with ``max_cols=3`` make a 2 x 2 grid, not 3 + 1.
    """
    n = max(n, 1)
    nrows = int(np.ceil(n / max_cols))
    return nrows, int(np.ceil(n / nrows))


def panels(
    n: int,
    max_cols: int = 3,
    *,
    width: float = FIG_WIDTH,
    panel_height: float = 2.6,
    **kwargs: Any,
) -> tuple[Figure, np.ndarray]:
    """Make a grid figure with ``n`` panels (row-major), removing the surplus axes.

    Returns the figure and the ``(nrows, ncols)`` array of axes, surplus entries ``None``.
    """
    nrows, ncols = grid_shape(n, max_cols)
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


def concise_dates(ax: plt.Axes, maxticks: int = 8) -> None:
    """Short date tick labels ("2023", "Apr", ...) that fit narrow panels."""
    # minticks=2: with the default 5 a short axis leaves no valid interval and matplotlib warns
    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def shade(ax: plt.Axes, start: pd.Timestamp, end: pd.Timestamp, label: str) -> None:
    ax.axvspan(start, end, color="C3", alpha=0.12, label=label)


def channel_colors(channels: list[str]) -> dict[str, str]:
    return {c: f"C{i}" for i, c in enumerate(channels)}


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure as PNG bytes for an ``ipywidgets.Image`` and close it.

    The explorers show their figures as images in the widget state rather than
    through an ``Output`` widget, whose captured ``display`` can leave a notebook
    runner (nbclient) waiting on an idle kernel. 80 dpi draws the book's 10-inch
    figures 800 px wide, the width of its column.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()
