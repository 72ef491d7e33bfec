"""TODO docstring."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display


class FoldExplorer(widgets.VBox):
    """A fold slider: that fold's ROAS posteriors (mean, HDI) against the truth and its lift tests.

    Attributes
    ----------
    controls : dict
        ``fold``.
    result : pandas.DataFrame
        The rows of the ROAS table shown for the current fold.
    """

    def __init__(self, roas: Any, lift_tests: Any, truth: dict[str, float]) -> None:
        self.roas, self.lift_tests, self.truth = roas, lift_tests, truth
        folds = sorted(roas["fold"].unique())
        self.controls = {
            "fold": widgets.IntSlider(
                value=folds[0], min=folds[0], max=folds[-1], description="fold"
            )
        }
        self.summary = widgets.HTML()
        self.figure = widgets.Output()
        self.result = None
        self.controls["fold"].observe(self._update, names="value")
        super().__init__([self.controls["fold"], self.summary, self.figure])
        self._update()

    def _update(self, _change: Any = None) -> None:
        import pandas as pd

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
            fig, axes = plt.subplots(1, len(self.truth), figsize=(10, 3), layout="constrained")
            for ax, channel in zip(axes, self.truth, strict=True):
                sub = rows[rows["channel"] == channel]
                for i, (_, r) in enumerate(sub.iterrows()):
                    ax.errorbar(
                        [i], [r["mean"]],
                        yerr=[[r["mean"] - r["hdi_lower"]], [r["hdi_upper"] - r["mean"]]],
                        fmt="o", capsize=4, color=f"C{i}", label=r["model"],
                    )  # fmt: skip
                ax.axhline(self.truth[channel], color="k", ls="--", label="truth")
                ax.set(title=f"{channel}, fold {fold}", xticks=[], ylabel="ROAS")
                ax.legend(fontsize=7)
            display(fig)
            plt.close(fig)
