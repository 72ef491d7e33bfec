"""labkit.response's numpy curves equal pymc-marketing's own transformations to 1e-10."""

import numpy as np
import pytest
from pymc_marketing.mmm import (
    GeometricAdstock,
    HillSaturation,
    LogisticSaturation,
    MichaelisMentenSaturation,
)
from pytensor.xtensor import as_xtensor

from labkit import response

X = np.concatenate([np.linspace(0, 3, 31), [0.01, 0.37, 7.5, 12.0]])


def _library(transformation, x, **params):
    xt = as_xtensor(np.asarray(x, dtype=float), dims=("date",))
    return np.asarray(transformation.function(x=xt, dim="date", **params).eval())


@pytest.mark.parametrize("lam", [0.1, 0.5, 2.0, 8.0])
@pytest.mark.parametrize("beta", [0.3, 3.0])
def test_logistic_matches_library(lam, beta):
    ours = response.logistic(X, lam, beta)
    np.testing.assert_allclose(
        ours, _library(LogisticSaturation(), X, lam=lam, beta=beta), atol=1e-10
    )


@pytest.mark.parametrize(("alpha", "lam"), [(2.75, 2.5), (2.0, 3.0), (0.5, 0.1)])
def test_michaelis_menten_matches_library(alpha, lam):
    ours = response.michaelis_menten(X, alpha, lam)
    lib = _library(MichaelisMentenSaturation(), X, alpha=alpha, lam=lam)
    np.testing.assert_allclose(ours, lib, atol=1e-10)


@pytest.mark.parametrize(
    ("slope", "kappa", "beta"), [(1.0, 1.0, 1.0), (2.5, 0.7, 2.0), (0.6, 3.0, 0.4)]
)
def test_hill_matches_library(slope, kappa, beta):
    x = X[X > 0]
    ours = response.hill(x, slope, kappa, beta)
    lib = _library(HillSaturation(), x, slope=slope, kappa=kappa, beta=beta)
    np.testing.assert_allclose(ours, lib, atol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.7, 0.95])
@pytest.mark.parametrize("l_max", [1, 4, 8])
@pytest.mark.parametrize("normalize", [True, False])
def test_geometric_adstock_matches_library(alpha, l_max, normalize):
    x = np.random.default_rng(0).gamma(2.0, 0.5, 40)
    ours = response.geometric_adstock(x, alpha, l_max, normalize)
    lib = _library(GeometricAdstock(l_max=l_max, normalize=normalize), x, alpha=alpha)
    np.testing.assert_allclose(ours, lib, atol=1e-10)


def test_adstock_vectorised_over_draws():
    x = np.random.default_rng(1).random(30)
    alphas = np.array([0.2, 0.5, 0.8])
    out = response.geometric_adstock(x, alphas, 6, True)
    assert out.shape == (3, 30)
    for i, a in enumerate(alphas):
        np.testing.assert_allclose(out[i], response.geometric_adstock(x, a, 6, True))


def test_ramp_is_truncated_at_l_max():
    ramp = response.adstock_ramp(0.7, 8, 16)
    assert ramp[7] == pytest.approx(1.0) and np.all(ramp[7:] == ramp[7])
    assert np.all(np.diff(ramp[:8]) > 0)
    # the untruncated geometric series keeps growing past l_max
    untruncated = (
        (1 - 0.7 ** np.arange(1, 17)) / (1 - 0.7) / response.steady_state_multiplier(0.7, 8, False)
    )
    assert untruncated[-1] > 1.05


def test_ramp_equals_simulated_step_response():
    # switch spend on at week 0 and hold it: the adstocked series is the ramp
    x = np.ones(12)
    for normalize in (True, False):
        ad = response.geometric_adstock(x, 0.6, 5, normalize)
        ss = response.steady_state_multiplier(0.6, 5, normalize)
        np.testing.assert_allclose(ad / ss, response.adstock_ramp(0.6, 5, 12))


def test_get_saturation_by_name_and_instance():
    assert response.get_saturation("logistic").params == ("lam", "beta")
    assert response.get_saturation(MichaelisMentenSaturation()).name == "michaelis_menten"
    assert response.get_saturation("Hill").library_class == "HillSaturation"
    with pytest.raises(ValueError, match="saturation must be one of"):
        response.get_saturation("tanh")


@pytest.mark.parametrize("alpha", [1.0, -0.1, np.nan])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        response.adstock_weights(alpha, 4, True)


def test_bad_l_max():
    with pytest.raises(ValueError, match="l_max"):
        response.adstock_weights(0.5, 0, True)


def test_response_arguments_name_the_argument_and_range():
    with pytest.raises(TypeError, match=r"^l_max must be an int >= 1 \(weeks\), got 4\.0"):
        response.adstock_weights(0.5, 4.0, True)
    with pytest.raises(
        ValueError, match=r"^alpha \(adstock decay\) must lie in \[0, 1\), got 1\.5"
    ):
        response.adstock_weights(1.5, 4, True)
    with pytest.raises(TypeError, match=r"^alpha \(adstock decay\) must be a number"):
        response.adstock_weights("fast", 4, True)
    with pytest.raises(ValueError, match=r"^n_weeks must be an int >= 1, got 0"):
        response.adstock_ramp(0.5, 4, 0)
    with pytest.raises(TypeError, match=r"^n_weeks must be an int >= 1"):
        response.adstock_ramp(0.5, 4, 2.0)
