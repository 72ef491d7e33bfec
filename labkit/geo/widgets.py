"""The calibration explorer: one geo and channel of a calibration report at a time.

:class:`CalibrationExplorer` shows both fits' posterior saturation curves, the
true curve and the lift test (:func:`labkit.geo.plots.plot_calibration_curve`)
with the curve-recovery rows of the chosen geo and channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from labkit.geo.plots import plot_calibration_curve

if TYPE_CHECKING:
    import pandas as pd

    from labkit.geo.report import CalibrationReport


class CalibrationExplorer(widgets.VBox):
    """Pick a geo and a channel: both fits' posterior curves, the true curve and the lift test.

    Parameters
    ----------
    report : CalibrationReport
    geo, channel : str, optional
        The first view; default the first lift test's geo and channel (or the
        first geo and channel when the report has no lift tests).

    Attributes
    ----------
    controls : dict
        ``geo`` and ``channel`` dropdowns.
    result : pandas.DataFrame
        The report's curve-recovery rows (both models) of the current geo and channel.
    """

    def __init__(
        self, report: CalibrationReport, *, geo: str | None = None, channel: str | None = None
    ) -> None:
        self.report = report
        geos = list(report.true_curve["geo"].values)
        channels = list(report.true_curve["channel"].values)
        tests = report.lift_tests
        has_tests = tests is not None and len(tests) > 0
        # has_tests: tests is a DataFrame (mypy does not narrow through the flag)
        if geo is None:
            geo = str(cast("pd.DataFrame", tests)["geo"].iloc[0]) if has_tests else geos[0]
        if channel is None:
            channel = (
                str(cast("pd.DataFrame", tests)["channel"].iloc[0]) if has_tests else channels[0]
            )
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
