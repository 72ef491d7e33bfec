"""labkit.stats: the HDI equals ArviZ's, power and noise by hand."""

import arviz as az
import numpy as np
import pytest

from labkit.stats import assurance, effective_sigma, hdi, power


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


def test_autocorrelation_inflation_by_hand():
    # rho = 0.5 inflates the noise of a sum by sqrt((1 + 0.5) / (1 - 0.5)) = sqrt(3)
    assert effective_sigma(1.0, 0.5, 1) == pytest.approx(np.sqrt(3))
    assert effective_sigma(2.0, 0.0, 9) == pytest.approx(6.0)
    # negative autocorrelation gets no credit: clipped to 0
    assert effective_sigma(1.0, -0.4, 4) == pytest.approx(2.0)


def test_power_checks_its_level():
    with pytest.raises(ValueError, match=r"^significance_level must be .* in \(0, 1\)"):
        power(np.array(1.0), 1.0, 5, False)
    with pytest.raises(TypeError, match=r"^one_sided must be True or False"):
        assurance(np.ones((2, 10)), 1.0, 0.05, one_sided="no")
