"""The elicitation explorer: an experiment's rate of change in, MMM priors out.

Sliders set the observed rate, its sd and the spend midpoint, a menu the
saturation family; each change recomputes the grid posterior, redraws its
surface and derivative fan, and refits the priors on the MMM's scale.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from labkit._figures import figure_png
from labkit.elicitation.plots import plot_elicitation_view
from labkit.elicitation.posterior import ElicitationResult, elicit
from labkit.elicitation.priors import FittedPrior, mmm_priors

if TYPE_CHECKING:
    from typing import TypedDict

    class _Scales(TypedDict):
        """The MMM's scales, passed to :func:`mmm_priors` by keyword."""

        target_scale: float
        channel_scale: float


class ElicitationExplorer(widgets.VBox):
    """Observed rate, its sd, the spend midpoint and the family -> grid posterior, fan, prior.

    Parameters
    ----------
    rate, rate_sd, x : float
        The starting observation: rate of change, its sd and the spend midpoint.
    target_scale, channel_scale : float
        The MMM's max-abs scales, for the priors on its scale.
    truth : dict, optional
        True Michaelis-Menten parameters, marked on both panels.

    Attributes
    ----------
    controls : dict
        ``rate``, ``rate_sd``, ``x`` and ``saturation``.
    result : ElicitationResult
        The last grid posterior.
    fitted : dict
        The last fitted priors (``{param: FittedPrior}``).
    seconds : float
        Duration of the last update.
    """

    def __init__(
        self,
        *,
        rate: float,
        rate_sd: float,
        x: float,
        target_scale: float,
        channel_scale: float,
        truth: dict[str, float] | None = None,
    ) -> None:
        self.scales: _Scales = {"target_scale": target_scale, "channel_scale": channel_scale}
        self.truth = truth
        # Sliders update on release: every update refits the grid posterior and the
        # priors and redraws two panels, so intermediate positions would queue.
        slider = {"continuous_update": False}
        self.controls = {
            "rate": widgets.FloatSlider(
                value=rate, min=0.02, max=2.0, step=0.01, description="rate", **slider
            ),
            "rate_sd": widgets.FloatSlider(
                value=rate_sd,
                min=0.005,
                max=0.5,
                step=0.005,
                description="rate sd",
                readout_format=".3f",
                **slider,
            ),
            "x": widgets.FloatSlider(
                value=x, min=0.1, max=6.0, step=0.05, description="spend x", **slider
            ),
            "saturation": widgets.Dropdown(
                options=["michaelis_menten", "logistic"],
                value="michaelis_menten",
                description="family",
            ),
        }
        self.status = widgets.HTML()
        self.summary = widgets.HTML()
        self.figure = widgets.Output()
        self.result: ElicitationResult | None = None
        self.fitted: dict[str, FittedPrior] = {}
        self.seconds = float("nan")
        for control in self.controls.values():
            control.observe(self._update, names="value")
        left = widgets.VBox([*self.controls.values(), self.status])
        super().__init__([widgets.HBox([left, self.summary]), self.figure])
        self._update()

    def _update(self, _change: dict[str, Any] | None = None) -> None:
        start = time.perf_counter()
        self.status.value = "<i>computing…</i>"
        for control in self.controls.values():
            control.disabled = True
        try:
            v = {k: c.value for k, c in self.controls.items()}
            obs = pd.DataFrame({"x": [v["x"]], "rate": [v["rate"]], "rate_sd": [v["rate_sd"]]})
            self.result = elicit(obs, v["saturation"], random_seed=0, draws=2000)
            _, self.fitted = mmm_priors(self.result, "tested", ["tested"], **self.scales)
            rows = []
            for p, fp in self.fitted.items():
                args = ", ".join(f"{k}={val:.3g}" for k, val in fp.params.items())
                rows.append(
                    f"<tr><td>{p}</td><td>{fp.family}({args})</td><td>{fp.mass:.1%}</td></tr>"
                )
            self.summary.value = (
                "<p><b>posterior</b><br>" + self.result.summary().round(3).to_html() + "</p>"
                "<p><b>priors on the MMM's scale</b><table>"
                "<tr><th>param</th><th>prior</th><th>mass on HDI</th></tr>"
                + "".join(rows)
                + "</table></p>"
            )
            truth = self.truth if v["saturation"] == "michaelis_menten" else None
            self.figure.value = figure_png(plot_elicitation_view(self.result, truth))
        finally:
            for control in self.controls.values():
                control.disabled = False
            self.seconds = time.perf_counter() - start
            self.status.value = f"<small>updated in {self.seconds:.2f} s</small>"
