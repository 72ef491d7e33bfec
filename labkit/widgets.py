"""ipywidgets explorers. Builders return the widget; callbacks only call labkit functions.

Each explorer keeps its latest result in ``.result`` so a headless test can set
control values and check what the callback computed.
"""

from __future__ import annotations

import io
import time
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display
from matplotlib.figure import Figure

__all__ = ["calibration_explorer", "designer_explorer", "elicitation_explorer", "fold_explorer"]


def _png(fig: Figure) -> bytes:
    """Render the figure as PNG bytes (for an ``ipywidgets.Image``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


class DesignerExplorer(widgets.VBox):
    """Channel, spend change, duration, significance and prior trust -> lift, SNR, assurance.

    Attributes
    ----------
    controls : dict
        The control widgets by name (``channel``, ``spend_change``, ``duration``,
        ``significance_level``, ``prior_trust``).
    result : labkit.designer.CandidateSummary
        What the last update computed.
    """

    def __init__(self, designer: Any, *, channel: str | None = None) -> None:
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
        self.figure = widgets.Output()
        self.result = None
        for control in self.controls.values():
            control.observe(self._update, names="value")
        left = widgets.VBox(list(self.controls.values()))
        super().__init__([widgets.HBox([left, self.summary]), self.figure])
        self._update()

    def _update(self, _change: Any = None) -> None:
        from labkit.plotting import plot_candidate

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
        self.summary.value = (
            f"<p><b>{r.channel}</b> {r.spend_change:+.0%}/wk for {r.duration} weeks</p>"
            f"<p>E[lift] {r.lift_draws.mean():.3g} (HDI {r.lift_hdi[0]:.3g} to {r.lift_hdi[1]:.3g})"
            f"<br>noise σ_d {r.sigma_d:.3g} → SNR {r.snr:.2f}"
            f"<br>assurance <b>{r.assurance:.2f}</b> (design prior ×{values['prior_trust']:g}: "
            f"{r.assurance_tempered:.2f})<br>ramp {r.ramp_fraction:.0%}</p>"
        )
        self.figure.clear_output(wait=True)
        with self.figure:
            fig = plot_candidate(r, values["significance_level"])
            display(fig)
            plt.close(fig)


def designer_explorer(designer: Any, *, channel: str | None = None) -> DesignerExplorer:
    """Build the interactive explorer of one lift-test candidate.

    Parameters
    ----------
    designer : labkit.designer.ExperimentDesigner
    channel : str, optional
        Channel selected at start (default: the first).

    Returns
    -------
    DesignerExplorer
        An ``ipywidgets.VBox``; its ``.result`` holds the current candidate summary.
    """
    return DesignerExplorer(designer, channel=channel)


class ElicitationExplorer(widgets.VBox):
    """Observed rate, its sd, the spend midpoint and the family -> grid posterior, fan, prior.

    Attributes
    ----------
    controls : dict
        ``rate``, ``rate_sd``, ``x`` and ``saturation``.
    result : labkit.elicitation.ElicitationResult
        The last grid posterior.
    fitted : dict
        The last fitted priors (``{param: FittedPrior}``).
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
        self.scales = {"target_scale": target_scale, "channel_scale": channel_scale}
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
        # an Image, not an Output widget: the figure is a PNG in the widget's state, so an
        # update sends one state change instead of captured display messages
        self.figure = widgets.Image(format="png")
        self.result = None
        self.fitted: dict[str, Any] = {}
        self.seconds = float("nan")
        for control in self.controls.values():
            control.observe(self._update, names="value")
        left = widgets.VBox([*self.controls.values(), self.status])
        super().__init__([widgets.HBox([left, self.summary]), self.figure])
        self._update()

    def _update(self, _change: Any = None) -> None:
        import pandas as pd

        from labkit.elicitation import elicit, mmm_priors
        from labkit.plotting import plot_elicitation_view

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
            fig = plot_elicitation_view(self.result, truth)
            self.figure.value = _png(fig)
            plt.close(fig)
        finally:
            for control in self.controls.values():
                control.disabled = False
            self.seconds = time.perf_counter() - start
            self.status.value = f"<small>updated in {self.seconds:.2f} s</small>"


def elicitation_explorer(
    *,
    rate: float,
    rate_sd: float,
    x: float,
    target_scale: float,
    channel_scale: float,
    truth: dict[str, float] | None = None,
) -> ElicitationExplorer:
    """Build the live elicitation explorer (grid posterior, derivative fan, fitted priors).

    Parameters
    ----------
    rate, rate_sd, x : float
        Starting observation.
    target_scale, channel_scale : float
        The MMM's max-abs scales, for the fitted priors.
    truth : dict, optional
        True Michaelis-Menten parameters to mark.

    Returns
    -------
    ElicitationExplorer
    """
    return ElicitationExplorer(
        rate=rate,
        rate_sd=rate_sd,
        x=x,
        target_scale=target_scale,
        channel_scale=channel_scale,
        truth=truth,
    )


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


def fold_explorer(roas: Any, lift_tests: Any, truth: dict[str, float]) -> FoldExplorer:
    """Build the cross-validation fold explorer.

    Parameters
    ----------
    roas : pandas.DataFrame
        ``fold_summaries(...)["roas"]`` of one or more models, concatenated.
    lift_tests : pandas.DataFrame
        The dated lift tests (a ``date`` column).
    truth : dict
        True ROAS per channel.

    Returns
    -------
    FoldExplorer
    """
    return FoldExplorer(roas, lift_tests, truth)


class CalibrationExplorer(widgets.VBox):
    """Pick a geo and a channel: both fits' posterior curves, the true curve and the lift test.

    Attributes
    ----------
    controls : dict
        ``geo`` and ``channel`` dropdowns.
    result : pandas.DataFrame
        The report's curve-recovery rows (both models) of the current geo and channel.
    """

    def __init__(self, report: Any, *, geo: str | None = None, channel: str | None = None) -> None:
        self.report = report
        geos = list(report.true_curve["geo"].values)
        channels = list(report.true_curve["channel"].values)
        tests = report.lift_tests
        has_tests = tests is not None and len(tests) > 0
        if geo is None:
            geo = str(tests["geo"].iloc[0]) if has_tests else geos[0]
        if channel is None:
            channel = str(tests["channel"].iloc[0]) if has_tests else channels[0]
        if geo not in geos:
            raise ValueError(f"geo must be one of {geos}, got {geo!r}")
        if channel not in channels:
            raise ValueError(f"channel must be one of {channels}, got {channel!r}")
        self.controls = {
            "geo": widgets.Dropdown(options=geos, value=geo, description="geo"),
            "channel": widgets.Dropdown(options=channels, value=channel, description="channel"),
        }
        self.summary = widgets.HTML()
        self.figure = widgets.Output()
        self.result = None
        for control in self.controls.values():
            control.observe(self._update, names="value")
        super().__init__([widgets.HBox(list(self.controls.values())), self.summary, self.figure])
        self._update()

    def _update(self, _change: Any = None) -> None:
        from labkit.plotting import plot_calibration_curve

        geo, channel = self.controls["geo"].value, self.controls["channel"].value
        curves = self.report.curves
        rows = curves[(curves["geo"] == geo) & (curves["channel"] == channel)]
        self.result = rows
        self.summary.value = "<p>curve recovery (spend grid 0 to max spend)</p>" + rows[
            ["model", "rmse", "coverage", "band_width"]
        ].to_html(index=False, float_format="{:.3f}".format)
        self.figure.clear_output(wait=True)
        with self.figure:
            fig = plot_calibration_curve(self.report, geo, channel)
            display(fig)
            plt.close(fig)


def calibration_explorer(
    report: Any, *, geo: str | None = None, channel: str | None = None
) -> CalibrationExplorer:
    """Build the geo-calibration explorer.

    Parameters
    ----------
    report : labkit.report.CalibrationReport
    geo, channel : str, optional
        Initial selection; default: the first lift test's geo and channel.

    Returns
    -------
    CalibrationExplorer
    """
    return CalibrationExplorer(report, geo=geo, channel=channel)
