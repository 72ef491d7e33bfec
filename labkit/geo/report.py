"""The comparison of an uncalibrated and a lift-test-calibrated fit of the geo MMM.

:class:`CalibrationReport` scores both fits against the truth of ``geo_panel``
with the metrics of :mod:`labkit.geo.metrics`, per geo and channel, and keeps
the arrays its figures need. Its tables are tidy (one row per geo, channel,
parameter or model); its summaries average them over treated and control
geos; it renders as Markdown in a notebook. The figures are functions of the
report in :mod:`labkit.geo.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import check_int, check_probability
from labkit.data import check_dataset
from labkit.geo.curves import expected_sales, geo_truth, saturation_curves, true_curves
from labkit.geo.metrics import bias_improvement, curve_recovery, fit_metrics
from labkit.stats import HDI_PROB, divergences, hdi_width

if TYPE_CHECKING:
    import arviz as az
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.data import Dataset

MODELS = ("uncalibrated", "calibrated")
"""The two fits a report compares, in display order."""

PARAMETERS = ("saturation_lam", "saturation_beta", "adstock_alpha")
"""The geo-level media parameters a report scores."""


def _idata(fit: Any, name: str) -> az.InferenceData:
    idata = getattr(fit, "idata", fit)
    if idata is None or not hasattr(idata, "posterior"):
        raise TypeError(f"{name} must be a fitted MMM or an InferenceData with a posterior")
    missing = [p for p in PARAMETERS if p not in idata.posterior]
    if missing or "constant_data" not in idata:
        raise ValueError(
            f"{name} is not a fit of the geo MMM: it lacks {missing or ['constant_data']}"
        )
    return idata


@dataclass
class CalibrationReport:
    """Parameter, curve and fit recovery of an uncalibrated vs a calibrated geo MMM.

    Build it with :meth:`from_fits`. Attributes are tidy tables (one row per
    observation) and the arrays the figures of :mod:`labkit.geo.plots` need.

    Attributes
    ----------
    parameters : pandas.DataFrame
        ``geo, channel, parameter, treated, truth, mean_uncalibrated,
        mean_calibrated, hdi_width_uncalibrated, hdi_width_calibrated,
        precision_improvement, bias_improvement`` (improvements in %).
    curves : pandas.DataFrame
        ``geo, channel, treated, model, rmse, max_abs_error, coverage, band_width``.
    fit : pandas.DataFrame
        ``geo, treated, model, r2, rmse``.
    divergences : dict
        Divergent transitions per model.
    hdi_prob : float
    curve_draws : dict of xarray.DataArray
        Posterior curves per model (``sample, geo, channel, x``; thinned).
    true_curve : xarray.DataArray
        ``geo, channel, x``.
    observed, expected : xarray.DataArray
        Observed sales ``date, geo`` and posterior expected sales per model.
    lift_tests : pandas.DataFrame or None
        The table the calibrated model used.
    """

    parameters: pd.DataFrame
    curves: pd.DataFrame
    fit: pd.DataFrame
    divergences: dict[str, int]
    hdi_prob: float
    curve_draws: dict[str, xr.DataArray]
    true_curve: xr.DataArray
    observed: xr.DataArray
    expected: dict[str, xr.DataArray]
    lift_tests: pd.DataFrame | None = None

    @classmethod
    def from_fits(
        cls,
        uncalibrated: MMM | az.InferenceData,
        calibrated: MMM | az.InferenceData,
        dataset: Dataset,
        *,
        lift_tests: pd.DataFrame | None = None,
        hdi_prob: float = HDI_PROB,
        n_points: int = 61,
        max_curve_draws: int = 400,
    ) -> CalibrationReport:
        """Compare two fits of the geo MMM with the truth of ``geo_panel``.

        Parameters
        ----------
        uncalibrated, calibrated : MMM or arviz.InferenceData
            Fitted models (or their ``idata``).
        dataset : Dataset
            ``load_dataset("geo_panel")``: the truth.
        lift_tests : pandas.DataFrame, optional
            The calibration table, kept for the figures.
        hdi_prob : float
            HDI probability of every width and band, in (0, 1).
        n_points : int
            Points of the spend grid for the curves (>= 2), from 0 to the largest
            observed spend.
        max_curve_draws : int
            Draws kept for plotting curves (>= 10).

        Returns
        -------
        CalibrationReport
        """
        check_dataset(dataset, "geo_panel")
        hdi_prob = check_probability("hdi_prob", hdi_prob)
        n_points = check_int("n_points", n_points, minimum=2)
        max_curve_draws = check_int("max_curve_draws", max_curve_draws, minimum=10)
        fits = {"uncalibrated": _idata(uncalibrated, "uncalibrated")}
        fits["calibrated"] = _idata(calibrated, "calibrated")
        truth_info = dataset.truth
        treated = set(truth_info["treated_geos"])
        channels = list(truth_info["channels"])
        # arviz sets the groups of an InferenceData with setattr: the class declares none of them
        target_scale = float(np.asarray(fits["uncalibrated"].constant_data["target_scale"]).max())  # type: ignore[attr-defined]
        truth = geo_truth(
            dataset,
            target_scale=target_scale,
            channel_scale=fits["uncalibrated"].constant_data["channel_scale"],  # type: ignore[attr-defined]
        )

        rows = []
        u_post, c_post = fits["uncalibrated"].posterior, fits["calibrated"].posterior  # type: ignore[attr-defined]
        for name in PARAMETERS:
            u, c, t = u_post[name], c_post[name], truth[name]
            table = xr.Dataset(
                {
                    "truth": t,
                    "mean_uncalibrated": u.mean(("chain", "draw")),
                    "mean_calibrated": c.mean(("chain", "draw")),
                    "hdi_width_uncalibrated": hdi_width(u, hdi_prob),
                    "hdi_width_calibrated": hdi_width(c, hdi_prob),
                    "bias_improvement": bias_improvement(u, c, t, hdi_prob),
                }
            ).to_dataframe()
            table["precision_improvement"] = (
                (table["hdi_width_uncalibrated"] - table["hdi_width_calibrated"])
                / table["hdi_width_uncalibrated"]
                * 100
            )
            table["parameter"] = name
            rows.append(table.reset_index())
        parameters = pd.concat(rows, ignore_index=True)
        parameters["treated"] = parameters["geo"].isin(treated)
        parameters = parameters[
            [
                "geo",
                "channel",
                "parameter",
                "treated",
                "truth",
                "mean_uncalibrated",
                "mean_calibrated",
                "hdi_width_uncalibrated",
                "hdi_width_calibrated",
                "precision_improvement",
                "bias_improvement",
            ]
        ]

        x_max = float(dataset.data[channels].to_numpy().max())
        grid = np.linspace(0.0, x_max, n_points)
        true_curve = true_curves(dataset, grid)
        observed = dataset.data.set_index(["date", "geo"])["y"].to_xarray()
        curve_rows, fit_rows, draws, expected = [], [], {}, {}
        for model, idata in fits.items():
            curves = saturation_curves(idata, grid)
            rec = curve_recovery(curves, true_curve, hdi_prob=hdi_prob).to_dataframe()
            rec["model"] = model
            curve_rows.append(rec.reset_index())
            stacked = curves.stack(sample=("chain", "draw"))
            step = max(1, stacked.sizes["sample"] // max_curve_draws)
            draws[model] = (
                stacked.isel(sample=slice(None, None, step))
                .drop_vars(["sample", "chain", "draw"])
                .transpose("sample", "geo", "channel", "x")
            )
            mu = expected_sales(idata)
            mu = mu.assign_coords(date=observed["date"].to_numpy())
            expected[model] = mu
            metrics = fit_metrics(observed, mu).to_dataframe()
            metrics["model"] = model
            fit_rows.append(metrics.reset_index())
        curves_df = pd.concat(curve_rows, ignore_index=True)
        curves_df["treated"] = curves_df["geo"].isin(treated)
        fit_df = pd.concat(fit_rows, ignore_index=True)
        fit_df["treated"] = fit_df["geo"].isin(treated)
        return cls(
            parameters=parameters,
            curves=curves_df[
                [
                    "geo",
                    "channel",
                    "treated",
                    "model",
                    "rmse",
                    "max_abs_error",
                    "coverage",
                    "band_width",
                ]
            ],
            fit=fit_df[["geo", "treated", "model", "r2", "rmse"]],
            divergences={m: divergences(i) for m, i in fits.items()},
            hdi_prob=hdi_prob,
            curve_draws=draws,
            true_curve=true_curve,
            observed=observed,
            expected=expected,
            lift_tests=lift_tests,
        )

    def summary(self) -> pd.DataFrame:
        """Mean precision and bias improvement per parameter, channel and geo group.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``parameter, channel, group`` (``treated``/``control``).
        """
        df = self.parameters.assign(
            group=np.where(self.parameters["treated"], "treated", "control")
        )
        return (
            df.groupby(["parameter", "channel", "group"])[
                ["precision_improvement", "bias_improvement"]
            ]
            .mean()
            .sort_index()
        )

    def fit_summary(self) -> pd.DataFrame:
        """Mean per-geo R² and RMSE of each model, and the calibrated-minus-uncalibrated change."""
        table = self.fit.groupby("model")[["r2", "rmse"]].mean().reindex(list(MODELS))
        table.loc["change"] = table.loc["calibrated"] - table.loc["uncalibrated"]
        return table

    def curve_summary(self) -> pd.DataFrame:
        """Mean curve RMSE, HDI coverage of the truth and band width per model and channel."""
        return (
            self.curves.groupby(["model", "channel"])[["rmse", "coverage", "band_width"]]
            .mean()
            .reindex(list(MODELS), level="model")
        )

    def to_markdown(self, digits: int = 3) -> str:
        """Render the report as Markdown: divergences, summaries and the fit table.

        The tables are :meth:`summary`, :meth:`curve_summary` and :meth:`fit_summary`,
        row for row, rounded to ``digits``.

        Parameters
        ----------
        digits : int
            Decimals shown, in [0, 12].

        Returns
        -------
        str
        """
        fmt = f".{check_int('digits', digits, minimum=0, maximum=12)}f"
        div = ", ".join(f"{m} {n}" for m, n in self.divergences.items())
        parts = [
            "## Calibration report",
            "",
            f"Divergent transitions: {div}. HDI probability {self.hdi_prob * 100:.3g}%.",
            "",
            "### Precision and bias improvement (% of the uncalibrated HDI width)",
            "",
            self.summary().reset_index().to_markdown(index=False, floatfmt=fmt),
            "",
            "### Saturation-curve recovery",
            "",
            self.curve_summary().reset_index().to_markdown(index=False, floatfmt=fmt),
            "",
            "### In-sample fit (mean over geos)",
            "",
            self.fit_summary().to_markdown(floatfmt=fmt),
        ]
        return "\n".join(parts) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        geos = self.parameters["geo"].nunique() if "geo" in self.parameters else 0
        tests = 0 if self.lift_tests is None else len(self.lift_tests)
        return (
            f"CalibrationReport({geos} geos, {tests} lift tests, "
            f"{self.hdi_prob:.0%} HDI; divergences {self.divergences})"
        )


SCORECARD_METRICS = {
    "beta_precision": ("saturation_beta", "precision_improvement"),
    "beta_bias": ("saturation_beta", "bias_improvement"),
    "lam_precision": ("saturation_lam", "precision_improvement"),
    "lam_bias": ("saturation_lam", "bias_improvement"),
    "alpha_precision": ("adstock_alpha", "precision_improvement"),
}
"""Scorecard columns taken from :meth:`CalibrationReport.summary` (mean over geos, %)."""


def calibration_scorecard(reports: dict[str, CalibrationReport]) -> pd.DataFrame:
    """Compare several calibrations of the same uncalibrated fit, one row per fit.

    Parameters
    ----------
    reports : dict of str to CalibrationReport
        Reports that share their uncalibrated fit (e.g. calibrated with the oracle
        tests and with estimated tests), keyed by a label for the calibrated fit.

    Returns
    -------
    pandas.DataFrame
        Index ``uncalibrated`` then the labels; columns ``(channel, metric)`` with
        the metrics of :data:`SCORECARD_METRICS` (mean over geos of the per-geo
        improvement in % of the uncalibrated HDI width, 0 for the uncalibrated
        row) and ``curve_rmse`` (mean over geos), then ``("fit", "r2")`` (mean
        per-geo R²) and ``("fit", "lift_tests")`` (rows in the calibration table).

    Raises
    ------
    ValueError
        If ``reports`` is empty, uses the label ``uncalibrated``, or its reports
        do not share their uncalibrated fit.
    """
    if not isinstance(reports, dict) or not all(
        isinstance(r, CalibrationReport) for r in reports.values()
    ):
        raise TypeError("reports must be a dict of label -> CalibrationReport")
    if not reports or "uncalibrated" in reports:
        raise ValueError(
            "reports needs at least one label -> CalibrationReport, and no label 'uncalibrated'"
        )
    first = next(iter(reports.values()))
    columns = ["geo", "channel", "parameter", "mean_uncalibrated", "hdi_width_uncalibrated"]
    for label, report in reports.items():
        if not report.parameters[columns].equals(first.parameters[columns]):
            raise ValueError(
                f"reports[{label!r}] has another uncalibrated fit than the first report; "
                "a scorecard compares calibrations of one fit"
            )
    curves = first.curve_summary()["rmse"]
    channels = list(curves.loc["uncalibrated"].index)
    rows: dict[str, dict[tuple[str, str], float]] = {"uncalibrated": {}}
    for channel in channels:
        rows["uncalibrated"] |= {(channel, m): 0.0 for m in SCORECARD_METRICS}
        rows["uncalibrated"][(channel, "curve_rmse")] = float(curves.loc[("uncalibrated", channel)])
    rows["uncalibrated"] |= {
        ("fit", "r2"): float(first.fit_summary().loc["uncalibrated", "r2"]),
        ("fit", "lift_tests"): 0,
    }
    for label, report in reports.items():
        per_parameter = report.summary().groupby(level=["parameter", "channel"]).mean()
        rmse = report.curve_summary()["rmse"]
        row: dict[tuple[str, str], float] = {}
        for channel in channels:
            for metric, (parameter, column) in SCORECARD_METRICS.items():
                row[(channel, metric)] = float(per_parameter.loc[(parameter, channel), column])
            row[(channel, "curve_rmse")] = float(rmse.loc[("calibrated", channel)])
        row[("fit", "r2")] = float(report.fit_summary().loc["calibrated", "r2"])
        row[("fit", "lift_tests")] = 0 if report.lift_tests is None else len(report.lift_tests)
        rows[label] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["channel", "metric"])
    return table
