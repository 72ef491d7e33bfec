"""The calibration explorer, driven headless."""

import matplotlib.pyplot as plt
import pytest
from fakes import fake_geo_idata

from labkit import load_dataset
from labkit.geo.lift_tests import oracle_lift_tests
from labkit.geo.report import CalibrationReport
from labkit.geo.widgets import CalibrationExplorer


@pytest.fixture(scope="module")
def report():
    geo = load_dataset("geo_panel")
    uncal = fake_geo_idata(geo, beta_sd=0.08, shift=0.05, seed=1, draws=100)
    cal = fake_geo_idata(geo, beta_sd=0.02, seed=2, draws=100)
    return CalibrationReport.from_fits(uncal, cal, geo, lift_tests=oracle_lift_tests(geo))


def test_calibration_explorer_updates_headless(report):
    w = CalibrationExplorer(report)
    assert w.controls["geo"].value == "geo_00" and w.controls["channel"].value == "channel_1"
    assert set(w.result["model"]) == {"uncalibrated", "calibrated"}
    w.controls["geo"].value = "geo_05"
    w.controls["channel"].value = "channel_2"
    assert set(w.result["geo"]) == {"geo_05"} and set(w.result["channel"]) == {"channel_2"}
    assert "curve recovery" in w.summary.value
    with pytest.raises(ValueError, match="geo must be one of"):
        CalibrationExplorer(report, geo="geo_99")
    with pytest.raises(ValueError, match="channel must be one of"):
        CalibrationExplorer(report, channel="tv")
    plt.close("all")
