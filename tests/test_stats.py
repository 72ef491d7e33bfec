"""labkit.stats: the HDI equals ArviZ's, power and noise by hand."""

import arviz as az
import numpy as np
import pytest
from scipy.special import ndtri

from labkit.stats import assurance, effective_sigma, hdi, power, simulate_ar1


@pytest.mark.parametrize(("shape", "prob"), [((84, 4000), 0.94), ((3, 1001), 0.5), ((7, 57), 0.89)])
def test_hdi_equals_arviz(shape, prob):
    x = np.random.default_rng(0).gamma(2.0, size=shape)
    expected = az.hdi(np.moveaxis(x, -1, 0)[None], hdi_prob=prob)
    np.testing.assert_array_equal(hdi(x, prob), expected)


@pytest.mark.parametrize(
    "x",
    [
        np.r_[np.zeros(3000), np.ones(20), -np.ones(20)],  # ties: thresholds hit the fallback
        np.sort(np.random.default_rng(1).standard_t(2, 4000)),  # sorted, heavy tails
        np.random.default_rng(2).choice([0.0, 1.0, 2.0], 4000),
    ],
)
def test_hdi_equals_arviz_on_awkward_draws(x):
    np.testing.assert_array_equal(hdi(x, 0.94), az.hdi(x, hdi_prob=0.94))


def test_power_at_zero_effect_is_the_significance_level():
    assert power(np.array(0.0), 1.0, 0.05, False) == pytest.approx(0.05)
    assert power(np.array(0.0), 1.0, 0.1, True) == pytest.approx(0.1)


def test_power_by_hand():
    # effect of 2.8 sd: two-sided 5% power = Phi(2.8 - 1.96) + Phi(-2.8 - 1.96) = 0.7995
    assert float(power(np.array(2.8), 1.0, 0.05, False)) == pytest.approx(0.79955, abs=1e-4)


def test_noise_of_a_sum_of_ar1_residuals_by_hand():
    # one week is one residual, whatever the autocorrelation
    assert effective_sigma(1.0, 0.5, 1) == pytest.approx(1.0)
    assert effective_sigma(2.0, 0.0, 9) == pytest.approx(6.0)
    # rho = 0.5, T = 4: 4 + 2 (3 * 0.5 + 2 * 0.25 + 1 * 0.125) = 8.25
    assert effective_sigma(1.0, 0.5, 4) == pytest.approx(np.sqrt(8.25))
    # the T -> infinity limit sqrt(T (1 + rho) / (1 - rho)) overstates it by 21 % (45 % at 0.7)
    assert np.sqrt(4 * 3) / effective_sigma(1.0, 0.5, 4) == pytest.approx(1.206, abs=1e-3)
    assert np.sqrt(4 * 1.7 / 0.3) / effective_sigma(1.0, 0.7, 4) == pytest.approx(1.45, abs=0.01)
    # ... and is approached from below for long tests
    long = effective_sigma(1.0, 0.5, 10_000)
    assert long < np.sqrt(3 * 10_000) and long / np.sqrt(3 * 10_000) > 0.999
    # negative autocorrelation gets no credit: clipped to 0
    assert effective_sigma(1.0, -0.4, 4) == pytest.approx(2.0)


def _covariance_sd(rho, weeks, pre):
    """sd of w' e for an AR(1) covariance matrix rho^|i-j| (pre weeks first, then the test)."""
    n = pre + weeks
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    w = np.r_[np.full(pre, -weeks / pre) if pre else [], np.ones(weeks)]
    return float(np.sqrt(w @ rho**lags @ w))


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5, 0.7, 0.95])
def test_noise_formula_equals_the_covariance_matrix(rho):
    for weeks in range(1, 17):
        assert effective_sigma(1.0, rho, weeks) == pytest.approx(_covariance_sd(rho, weeks, 0))
        for pre in (1, 4, 13, 52):
            expected = _covariance_sd(rho, weeks, pre)
            assert effective_sigma(1.0, rho, weeks, pre) == pytest.approx(expected, rel=1e-10)


def test_an_estimated_baseline_adds_noise_that_shrinks_with_its_length():
    known = effective_sigma(1.0, 0.3, 6)
    by_pre = [float(effective_sigma(1.0, 0.3, 6, p)) for p in (4, 13, 52, 520)]
    assert all(sd > known for sd in by_pre) and np.all(np.diff(by_pre) < 0)
    assert by_pre[-1] == pytest.approx(known, rel=0.03)


def test_simulated_ar1_series_have_the_stated_sd_and_autocorrelation():
    rng = np.random.default_rng(3)
    series = simulate_ar1(2.0, 0.6, 400, 500, rng)
    assert series.shape == (500, 400)
    assert series.std() == pytest.approx(2.0, rel=0.02)
    lag1 = np.mean([np.corrcoef(s[:-1], s[1:])[0, 1] for s in series])
    assert lag1 == pytest.approx(0.6, abs=0.01)
    # the first value is already stationary: no burn-in
    assert series[:, 0].std() == pytest.approx(2.0, rel=0.1)


@pytest.mark.slow
@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5, 0.7])
def test_false_positive_rate_of_the_z_test_on_simulated_residual_series(rho):
    rng = np.random.default_rng(int(rho * 10))
    z = ndtri(0.975)
    for weeks in range(2, 17):
        for pre in (None, 8):
            series = simulate_ar1(1.5, rho, (pre or 0) + weeks, 40_000, rng)
            total = series[:, pre or 0 :].sum(axis=1)
            if pre:
                total -= weeks / pre * series[:, :pre].sum(axis=1)
            rate = np.mean(np.abs(total) / effective_sigma(1.5, rho, weeks, pre) > z)
            assert abs(rate - 0.05) < 0.01, (rho, weeks, pre, rate)


def test_noise_arguments_are_checked():
    with pytest.raises(ValueError, match=r"^baseline_weeks must be"):
        effective_sigma(1.0, 0.5, 4, 0)
    with pytest.raises(ValueError, match=r"^n_weeks must be"):
        simulate_ar1(1.0, 0.5, 0, 10, np.random.default_rng(0))


def test_power_checks_its_level():
    with pytest.raises(ValueError, match=r"^significance_level must be .* in \(0, 1\)"):
        power(np.array(1.0), 1.0, 5, False)
    with pytest.raises(TypeError, match=r"^one_sided must be True or False"):
        assurance(np.ones((2, 10)), 1.0, 0.05, one_sided="no")
