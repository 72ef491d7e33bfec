"""Figures of the geo-calibration chapter: drawn from tables and reports, legible in the book."""

import re
import warnings

import pandas as pd
import pytest
from fakes import fake_geo_idata
from figure_checks import BOOK_WIDTH_IN, grid_geometry

from labkit.geo.lift_tests import compare_lift_tests, oracle_lift_tests
from labkit.geo.plots import (
    plot_calibration_curve,
    plot_curve_recovery,
    plot_geo_correlation,
    plot_geo_fit,
    plot_improvement,
    plot_lift_comparison,
    plot_lift_constraint,
    plot_lift_tests,
    plot_parameter_recovery,
)
from labkit.geo.report import CalibrationReport


def test_lift_plots(geo):
    oracle = oracle_lift_tests(geo)
    assert len(plot_lift_tests(geo, oracle).axes) == 4
    assert len(plot_lift_constraint(geo, oracle).axes[0].lines) == 8  # a curve and a star per test
    est = oracle.assign(delta_y_low=oracle["delta_y"] - 0.02, delta_y_high=oracle["delta_y"] + 0.02)
    fig = plot_lift_comparison(compare_lift_tests(oracle, est))
    assert len(fig.axes) == 1
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == list(oracle["geo"])
    correlation = plot_geo_correlation(geo)
    assert len([a for a in correlation.axes if a.get_visible()]) == 8
    assert re.fullmatch(r"geo_00 \(treated\)\nr = 0\.\d{3}", correlation.axes[0].get_title())


def test_lift_comparison_labels_its_interval_probability():
    oracle = pd.DataFrame(
        {"channel": "c", "geo": ["g1", "g2"], "delta_y": [1.0, 2.0], "sigma": [0.1, 0.1]}
    )
    estimated = oracle.assign(delta_y_low=[0.8, 1.7], delta_y_high=[1.2, 2.3])
    fig = plot_lift_comparison(compare_lift_tests(oracle, estimated), interval_prob=0.89)
    assert "CausalPy (89% interval)" in [t.get_text() for t in fig.axes[0].get_legend().texts]


@pytest.mark.slow
def test_report_figures(report):
    figures = {
        "precision": plot_improvement(report, "precision"),
        "bias": plot_improvement(report, "bias"),
        "parameters": plot_parameter_recovery(report, "channel_2"),
        "curves": plot_curve_recovery(report),
        "fit": plot_geo_fit(report),
    }
    assert len(figures["curves"].axes) == 16
    assert len([a for a in figures["fit"].axes if a.get_visible()]) == 8
    assert len(figures["precision"].axes) == 6
    assert figures["bias"].get_suptitle() == "Bias improvement from calibration"
    with pytest.raises(ValueError, match="metric"):
        plot_improvement(report, "accuracy")
    with pytest.raises(ValueError, match="channel"):
        plot_parameter_recovery(report, "tv")
    with pytest.raises(ValueError, match="geo must be one of"):
        plot_calibration_curve(report, "geo_99", "channel_1")


def test_geo_figures_are_legible_and_warning_free(geo):
    uncal = fake_geo_idata(geo, chains=1, draws=40, seed=1)
    cal = fake_geo_idata(geo, chains=1, draws=40, seed=2)
    report = CalibrationReport.from_fits(
        uncal, cal, geo, lift_tests=oracle_lift_tests(geo), hdi_prob=0.9
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = plot_geo_fit(report)
        plot_calibration_curve(report, "geo_00", "channel_1")
        recovery = plot_parameter_recovery(report)
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
    assert len(fit.axes) == 8 and grid_geometry(fit) == (4, 2)
    assert fit.get_size_inches()[0] <= BOOK_WIDTH_IN
    title = re.compile(r"geo_\d\d( \(treated\))? · R² -?\d\.\d{3} → -?\d\.\d{3}")
    for ax in fit.axes:
        assert title.fullmatch(ax.get_title())
        assert ax.title.get_fontsize() >= 9
    legend = [t.get_text() for t in fit.legends[0].get_texts()]
    assert legend == ["observed", "uncalibrated (90% HDI)", "calibrated (90% HDI)"]
    assert "90% HDI" in recovery.get_suptitle()
    assert recovery.get_size_inches()[0] <= BOOK_WIDTH_IN


def test_multi_panel_geo_figures_fit_the_book(geo):
    lift = plot_lift_tests(geo, oracle_lift_tests(geo))
    assert len(lift.axes) == 4 and grid_geometry(lift) == (2, 2)
    for fig in (lift, plot_geo_correlation(geo)):
        assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        assert all(t.get_fontsize() >= 9 for leg in legends for t in leg.get_texts())
