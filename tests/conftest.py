"""Shared test configuration: a non-interactive matplotlib backend, fast mode off by default."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test leaves open."""
    yield
    plt.close("all")


@pytest.fixture
def full_mode(monkeypatch):
    """Run a test with LABKIT_FAST unset (full fidelity)."""
    monkeypatch.delenv("LABKIT_FAST", raising=False)


@pytest.fixture
def fast_mode(monkeypatch):
    """Run a test with LABKIT_FAST=1."""
    monkeypatch.setenv("LABKIT_FAST", "1")


@pytest.fixture(scope="session")
def fixture():
    """The default designer fixture (seed 42): a posterior around known channels, no MCMC."""
    from labkit.design.fixture import simulate_designer_fixture

    return simulate_designer_fixture()


@pytest.fixture(scope="session")
def designer(fixture):
    """The designer of the default fixture."""
    return fixture.designer()


@pytest.fixture(scope="session")
def geo():
    """The committed geo panel."""
    from labkit import load_dataset

    return load_dataset("geo_panel")


@pytest.fixture(scope="session")
def report(geo):
    """A calibration report of two fake geo fits (uncalibrated wider and shifted)."""
    from fakes import fake_geo_idata

    from labkit.geo import CalibrationReport
    from labkit.geo.lift_tests import oracle_lift_tests

    uncal = fake_geo_idata(geo, beta_sd=0.08, shift=0.05, seed=1)
    cal = fake_geo_idata(geo, beta_sd=0.02, seed=2)
    return CalibrationReport.from_fits(uncal, cal, geo, lift_tests=oracle_lift_tests(geo))


@pytest.fixture(params=["compiled", "numpy"])
def kernels(request, monkeypatch):
    """Run a test with the compiled kernels and again with their numpy references."""
    monkeypatch.setenv("LABKIT_NUMBA", "1" if request.param == "compiled" else "0")
    return request.param
