"""The fold explorer: one cross-validation fold's ROAS and the lift tests it could use.

:class:`FoldExplorer` steps through the folds of a time-slice cross-validation
with a slider, showing that fold's training end, the lift tests dated on or
before it and the fold's ROAS posteriors against the truth
(:func:`labkit.roas.plots.plot_fold_roas`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from labkit.roas.plots import plot_fold_roas


class FoldExplorer(widgets.VBox):
    """A fold slider: that fold's ROAS posteriors (mean, HDI) against the truth and its lift tests.

    Parameters
    ----------
    roas : pandas.DataFrame
        :func:`labkit.roas.fold_summaries`' ``roas`` tables of one or more models,
        concatenated.
    lift_tests : pandas.DataFrame
        The dated lift tests (a ``date`` column).
    truth : dict
        True ROAS per channel.

    Attributes
    ----------
    controls : dict
        ``fold``.
    result : pandas.DataFrame
        The rows of the ROAS table shown for the current fold.
    """

    def __init__(
        self, roas: pd.DataFrame, lift_tests: pd.DataFrame, truth: Mapping[str, float]
    ) -> None:
        self.roas, self.lift_tests, self.truth = roas, lift_tests, truth
        folds = sorted(roas["fold"].unique())
        self.controls = {
            "fold": widgets.IntSlider(
                value=folds[0], min=folds[0], max=folds[-1], description="fold"
            )
        }
        self.summary = widgets.HTML()
        self.figure = widgets.Output()
        self.result: pd.DataFrame | None = None
        self.controls["fold"].observe(self._update, names="value")
        super().__init__([self.controls["fold"], self.summary, self.figure])
        self._update()

    def _update(self, _change: Any = None) -> None:
        fold = self.controls["fold"].value
        rows = self.roas[self.roas["fold"] == fold]
        self.result = rows
        train_end = pd.Timestamp(rows["train_end"].iloc[0])
        seen = self.lift_tests[pd.to_datetime(self.lift_tests["date"]) <= train_end]
        self.summary.value = (
            f"<p>fold {fold}: trained up to <b>{train_end.date()}</b>; lift tests seen: "
            f"<b>{len(seen)}</b> of {len(self.lift_tests)}</p>" + seen.to_html(index=False)
        )
        self.figure.clear_output(wait=True)
        with self.figure:
            fig = plot_fold_roas(rows, self.truth)
            display(fig)
            plt.close(fig)
