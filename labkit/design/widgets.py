"""The explorer of one candidate lift test.

Pick a channel, a spend change, a duration, the test's significance level and
how far to trust the posterior; the explorer shows the predicted lift, its noise,
the signal-to-noise ratio, the assurance and the learning value, the lift
distribution against the significance thresholds, and where the candidate sits
on the cost-learning frontier of the default grid. Its ``result`` keeps the last
evaluation, so the widget can be driven and checked without a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import ipywidgets as widgets
import numpy as np

from labkit._figures import figure_png
from labkit.design.grid import dominators, extra_spend
from labkit.design.plots import plot_candidate, plot_frontier

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner
    from labkit.design.recommendations import CandidateSummary


class DesignerExplorer(widgets.VBox):
    """Channel, spend change, duration, significance and prior trust -> lift, SNR, assurance.

    Parameters
    ----------
    designer : ExperimentDesigner
    channel : str, optional
        Channel selected at start (default: the first).

    Attributes
    ----------
    controls : dict
        The control widgets by name (``channel``, ``spend_change``, ``duration``,
        ``significance_level``, ``prior_trust``).
    result : labkit.design.CandidateSummary or None
        What the last update computed (``None`` until a non-zero spend change).
    learning : float
        The selected candidate's learning value (expected ROAS sd reduction).
    dominated_by : int
        Candidates of the default grid at least as good on ``|net cost|``, assurance
        and learning value, and better on one (0: on the frontier).
    grid : Recommendations
        The default grid with learning values, drawn as the frontier.
    """

    def __init__(self, designer: ExperimentDesigner, *, channel: str | None = None) -> None:
        self.designer = designer
        self.controls = {
            "channel": widgets.Dropdown(
                options=designer.channels,
                value=channel or designer.channels[0],
                description="channel",
            ),
            "spend_change": widgets.FloatSlider(
                value=0.2,
                min=-1.0,
                max=1.0,
                step=0.05,
                description="Δ spend",
                readout_format="+.0%",
            ),
            "duration": widgets.IntSlider(value=6, min=1, max=20, description="weeks"),
            "significance_level": widgets.FloatLogSlider(
                value=0.05, base=10, min=-3, max=-0.7, step=0.05, description="α (test)"
            ),
            "prior_trust": widgets.FloatSlider(
                value=1.0, min=1.0, max=4.0, step=0.25, description="prior ×"
            ),
        }
        self.summary = widgets.HTML()
        self.figure = widgets.Image(format="png")
        self.frontier = widgets.Image(format="png")
        self.result: CandidateSummary | None = None
        self.grid = designer.recommend(learning_value=True)
        self.learning = float("nan")
        self.dominated_by = 0
        for control in self.controls.values():
            control.observe(self._update, names="value")
        left = widgets.VBox(list(self.controls.values()))
        super().__init__([widgets.HBox([left, self.summary]), self.figure, self.frontier])
        self._update()

    def _update(self, _change: object = None) -> None:
        values = {k: c.value for k, c in self.controls.items()}
        if values["spend_change"] == 0:
            self.summary.value = "<b>Pick a non-zero spend change.</b>"
            return
        self.result = self.designer.evaluate(
            values["channel"],
            values["spend_change"],
            values["duration"],
            significance_level=values["significance_level"],
            prior_trust=values["prior_trust"],
        )
        r = self.result
        spend = float(self.designer.current_spend[r.channel].sum())
        cost = abs(cast(float, extra_spend(spend, r.spend_change, r.duration)))  # scalars in, out
        self.learning = float(
            self.designer.learning_value(r.channel, r.spend_change, r.duration).loc[
                "roas", "reduction"
            ]
        )
        table = self.grid.to_dataframe()
        grid = np.column_stack(
            [-table["net_cost"].abs(), table["assurance"], table["learning_value"]]
        )
        mine = np.array([-cost, r.assurance, self.learning])
        self.dominated_by = int(dominators(grid, mine).sum())
        where = (
            "on the frontier"
            if self.dominated_by == 0
            else f"dominated by {self.dominated_by} grid candidate(s)"
        )
        self.summary.value = (
            f"<p><b>{r.channel}</b> {r.spend_change:+.0%}/wk for {r.duration} weeks</p>"
            f"<p>E[lift] {r.lift_draws.mean():.3g} (HDI {r.lift_hdi[0]:.3g} to {r.lift_hdi[1]:.3g})"
            f"<br>noise σ_d {r.sigma_d:.3g} → SNR {r.snr:.2f}"
            f"<br>assurance <b>{r.assurance:.2f}</b> (design prior ×{values['prior_trust']:g}: "
            f"{r.assurance_tempered:.2f})<br>ramp {r.ramp_fraction:.0%}"
            f"<br>learning: ROAS sd −{self.learning:.0%} ({where})</p>"
        )
        self.figure.value = figure_png(plot_candidate(r, values["significance_level"]))
        self.frontier.value = figure_png(plot_frontier(self.grid, candidate=(cost, self.learning)))
