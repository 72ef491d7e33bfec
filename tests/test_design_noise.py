import matplotlib.pyplot as plt
import numpy as np
import pytest

from labkit.design.noise import limit_sigma, noise_model_check
from labkit.design.plots import plot_noise_model
from labkit.stats import effective_sigma


@pytest.fixture(scope="module")
def check():
    return noise_model_check((0.0, 0.5, 0.7), (2, 4, 8, 16), n_series=20_000, random_seed=1)


def test_exact_sd_matches_simulated_series_and_the_limit_overstates_short_tests(check):
    assert len(check) == 12
    assert np.allclose(check["sd_exact"], check["sd_simulated"], rtol=0.03)
    assert np.allclose(check["fpr_exact"], 0.05, atol=0.01)
    short = check.set_index(["rho", "weeks"])
    # the figures quoted in the designer chapter
    assert short.loc[(0.5, 4), "limit_overstates"] == pytest.approx(0.206, abs=1e-3)
    assert short.loc[(0.7, 4), "limit_overstates"] == pytest.approx(0.446, abs=1e-3)
    assert short.loc[(0.5, 4), "fpr_limit"] < 0.03
    # no autocorrelation: the two agree exactly
    assert np.allclose(short.loc[0.0, "limit_overstates"], 0.0)
    # the overstatement shrinks with the test's length
    assert np.all(np.diff(short.loc[0.7, "limit_overstates"].to_numpy()) < 0)


def test_noise_check_with_an_estimated_baseline():
    t = noise_model_check((0.3,), (4, 8), baseline_weeks=8, n_series=20_000)
    assert np.allclose(t["sd_exact"], effective_sigma(1.0, 0.3, np.array([4, 8]), 8))
    assert np.allclose(t["sd_exact"], t["sd_simulated"], rtol=0.03)


def test_limit_sigma_is_the_large_t_formula():
    assert limit_sigma(2.0, 0.5, 4) == pytest.approx(2 * np.sqrt(12))
    assert limit_sigma(1.0, -0.3, 9) == pytest.approx(3.0)


def test_noise_check_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^autocorrelations\[0\] must be"):
        noise_model_check((1.0,), (4,))
    with pytest.raises(ValueError, match=r"^durations\[1\] must be"):
        noise_model_check((0.3,), (4, 0))
    with pytest.raises(ValueError, match=r"^n_series must be"):
        noise_model_check((0.3,), (4,), n_series=10)
    with pytest.raises(ValueError, match=r"^residual_std must be"):
        noise_model_check((0.3,), (4,), residual_std=0.0)


def test_plot_noise_model(check):
    fig = plot_noise_model(check)
    assert len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == 2 * 3 + 1  # limit and exact per rho, and zero
    plt.close(fig)
