import numpy as np
import pandas as pd
import pytest
from fakes import FakeSyntheticControl
from pymc_marketing.mmm import MichaelisMentenSaturation

from labkit.elicitation.derivative import experiment_observation, saturation_derivative
from labkit.elicitation.posterior import elicit
from labkit.elicitation.priors import fit_prior, mmm_priors


def test_derivative_matches_the_published_table_and_algebra():
    x = np.array([0.5, 1.0, 2.0, 4.0])
    d = saturation_derivative("michaelis_menten", x, alpha=2.75, lam=2.5)
    np.testing.assert_allclose(d, [0.7639, 0.5612, 0.3395, 0.1627], atol=5e-5)
    np.testing.assert_allclose(d, 2.75 * 2.5 / (2.5 + x) ** 2, rtol=1e-12)
    same = saturation_derivative(MichaelisMentenSaturation(), x, alpha=2.75, lam=2.5)
    np.testing.assert_array_equal(d, same)


def test_derivative_logistic_and_hill_match_finite_differences():
    from labkit.response import hill, logistic

    x = np.linspace(0.2, 3, 9)
    h = 1e-6
    fd = (logistic(x + h, 1.3, 0.8) - logistic(x - h, 1.3, 0.8)) / (2 * h)
    np.testing.assert_allclose(
        saturation_derivative("logistic", x, lam=1.3, beta=0.8), fd, rtol=1e-6
    )
    fd = (hill(x + h, 1.7, 0.9, 1.2) - hill(x - h, 1.7, 0.9, 1.2)) / (2 * h)
    got = saturation_derivative("hill", x, slope=1.7, kappa=0.9, beta=1.2)
    np.testing.assert_allclose(got, fd, rtol=1e-6)


def test_derivative_broadcasts_over_parameter_grids():
    a, lam = np.meshgrid([1.0, 2.0], [0.5, 1.0, 3.0])
    d = saturation_derivative("michaelis_menten", 1.0, alpha=a, lam=lam)
    assert d.shape == (3, 2)
    np.testing.assert_allclose(d, a * lam / (lam + 1.0) ** 2)


def test_derivative_bad_input():
    with pytest.raises(ValueError, match="saturation must be one of"):
        saturation_derivative("tanh", 1.0, b=1.0)
    with pytest.raises(ValueError, match="missing"):
        saturation_derivative("michaelis_menten", 1.0, alpha=1.0)


OBS = pd.DataFrame({"x": [1.8], "rate": [0.29], "rate_sd": [0.034]})


def test_grid_posterior_matches_quadrature():
    res = elicit(OBS, random_seed=0, draws=40_000)
    # independent fine-grid quadrature of the same posterior
    a, lam = np.meshgrid(np.linspace(1e-4, 14, 1400), np.linspace(1e-4, 14, 1400))
    pred = a * lam / (lam + 1.8) ** 2
    logp = -0.5 * ((0.29 - pred) / 0.034) ** 2 - 0.5 * (a / 3) ** 2 - 0.5 * (lam / 3) ** 2
    w = np.exp(logp - logp.max())
    for name, grid in (("alpha", a), ("lam", lam)):
        exact = (w * grid).sum() / w.sum()
        assert res.draws(name).mean() == pytest.approx(exact, rel=0.02)


def test_grid_is_reproducible_and_fast_to_refine():
    a = elicit(OBS, random_seed=3)
    b = elicit(OBS, random_seed=3)
    np.testing.assert_array_equal(a.draws("lam"), b.draws("lam"))
    assert a.grid["log_posterior"].shape == (200, 200)
    assert a.posterior["alpha"].dims == ("chain", "draw")


def test_more_experiments_shrink_the_posterior():
    one = elicit(OBS, random_seed=0).summary()
    more = pd.concat(
        [OBS, pd.DataFrame({"x": [0.5, 4.0], "rate": [0.76, 0.16], "rate_sd": [0.05, 0.02]})]
    )
    joint = elicit(more, random_seed=0).summary()
    width = lambda s: s["hdi_upper"] - s["hdi_lower"]  # noqa: E731
    assert (width(joint) < width(one)).all()


@pytest.mark.parametrize(
    ("obs", "error", "match"),
    [
        (OBS.drop(columns="rate_sd"), ValueError, "missing column"),
        (OBS.assign(rate_sd=0.0), ValueError, "rate_sd"),
        (OBS.assign(rate_sd=-1.0), ValueError, "rate_sd"),
        (OBS.assign(rate=np.nan), ValueError, "NaN"),
        (OBS.assign(x=0.0), ValueError, "x"),
        (OBS.iloc[:0], ValueError, "at least one row"),
        ({"x": 1.0}, TypeError, "DataFrame"),
    ],
)
def test_observation_validation(obs, error, match):
    with pytest.raises(error, match=match):
        elicit(obs)


def test_elicit_bad_arguments():
    with pytest.raises(ValueError, match="saturation must be one of"):
        elicit(OBS, saturation="weibull")
    with pytest.raises(ValueError, match="method"):
        elicit(OBS, method="vi")
    with pytest.raises(ValueError, match="two-parameter"):
        elicit(OBS, saturation="hill")
    with pytest.raises(ValueError, match="unknown parameter"):
        elicit(OBS, priors={"kappa": 1.0})
    with pytest.raises(ValueError, match="sigma > 0"):
        elicit(OBS, priors={"alpha": -1.0})


@pytest.mark.slow
def test_fit_prior_mass_and_families():
    rng = np.random.default_rng(0)
    beta = fit_prior(rng.normal(3.0, 0.3, 4000), scale=7.0)
    assert beta.family == "Beta" and beta.mass == pytest.approx(0.95, abs=0.01)
    gamma = fit_prior(rng.gamma(4.0, 1.0, 4000), scale=2.0)  # scaled HDI goes past 1
    assert gamma.family == "Gamma" and gamma.mass == pytest.approx(0.95, abs=0.01)
    with pytest.raises(ValueError, match="Beta prior needs an interval inside"):
        fit_prior(rng.gamma(4.0, 1.0, 4000), scale=2.0, family="Beta")
    with pytest.raises(ValueError, match="family"):
        fit_prior(rng.normal(3.0, 0.3, 100), scale=7.0, family="Normal")
    with pytest.raises(ValueError, match="scale"):
        fit_prior(rng.normal(3.0, 0.3, 100), scale=0.0)


@pytest.mark.slow
def test_mmm_priors_for_tested_and_untested_channels():
    res = elicit(OBS, random_seed=0)
    priors, fitted = mmm_priors(
        res, "meta", ["meta", "google"], target_scale=7.0, channel_scale=4.0
    )
    assert set(priors) == {"alpha", "lam"}
    assert priors["alpha"].dims == ("channel",)
    alpha_param = priors["alpha"].parameters["alpha"]
    assert float(alpha_param.sel(channel="meta")) == pytest.approx(fitted["alpha"].params["alpha"])
    wide = 1.8 if fitted["alpha"].family == "Beta" else 1.0
    assert float(alpha_param.sel(channel="google")) == pytest.approx(wide)
    with pytest.raises(ValueError, match="not one of"):
        mmm_priors(res, "tv", ["meta"], target_scale=7.0, channel_scale=4.0)


def test_experiment_observation_units():
    weeks = 5
    fake = FakeSyntheticControl(-2.0, weeks, sigma=0.5)
    dates = pd.date_range("2023-10-01", periods=14 + weeks, freq="W")
    spend = pd.Series(np.r_[np.full(14, 4.0), np.full(weeks, 1.0)], index=dates)
    o = experiment_observation(fake, spend, include_noise=False)
    assert o.delta_x == pytest.approx(3.0 * weeks)  # (4 - 1) per week over 5 weeks
    assert o.x == pytest.approx(2.5)
    np.testing.assert_allclose(o.rate, 2.0 * weeks / (3.0 * weeks))
    noisy = experiment_observation(fake, spend, include_noise=True, random_seed=0)
    # the sd of a sum of n weeks, each with sd sigma, is sqrt(n) sigma (not n sigma, not sigma)
    assert noisy.total_effect.std() == pytest.approx(np.sqrt(weeks) * 0.5, rel=0.05)
    assert noisy.total_effect.mean() == pytest.approx(-2.0 * weeks, abs=0.1)
    flat = pd.Series(1.0, index=dates)
    with pytest.raises(ValueError, match="non-zero"):
        experiment_observation(fake, flat)
    with pytest.raises(ValueError, match="treated_unit"):
        experiment_observation(fake, spend, treated_unit="b")


def test_fit_prior_uses_preliz_maxent():
    import numpy as np
    import preliz as pz

    from labkit.elicitation.priors import fit_prior

    fitted = fit_prior(np.random.default_rng(0).normal(3.0, 0.3, 4000), scale=7.0)
    reference = pz.maxent(pz.Beta(), fitted.lower, fitted.upper, 0.95, plot=False)
    for name, value in reference.params_dict.items():
        assert abs(fitted.params[name] - value) < 1e-10
    assert abs(fitted.mass - 0.95) < 1e-4


def test_effect_hdi_is_the_summary_interval():
    from labkit.stats import hdi

    weeks = 5
    fake = FakeSyntheticControl(-2.0, weeks, sigma=0.5)
    dates = pd.date_range("2023-10-01", periods=14 + weeks, freq="W")
    spend = pd.Series(np.r_[np.full(14, 4.0), np.full(weeks, 1.0)], index=dates)
    o = experiment_observation(fake, spend, random_seed=0)
    lo, hi = o.effect_hdi
    assert (lo, hi) == tuple(hdi(o.total_effect, o.hdi_prob))
    assert o.summary().loc[0, "effect 95% HDI"] == f"[{lo:.3g}, {hi:.3g}]"


def test_synthetic_observations_are_the_true_derivative_plus_noise():
    from labkit.elicitation.derivative import synthetic_observations

    x, sd = np.array([0.5, 1.0, 2.5, 4.0, 6.0]), np.array([0.05, 0.04, 0.03, 0.02, 0.015])
    obs = synthetic_observations("michaelis_menten", x, sd, random_seed=7, alpha=2.75, lam=2.5)
    assert list(obs.columns) == ["x", "rate", "rate_sd"]
    true = saturation_derivative("michaelis_menten", x, alpha=2.75, lam=2.5)
    noise = np.random.default_rng(7).normal(0, sd)
    np.testing.assert_array_equal(obs["rate"], true + noise)
    np.testing.assert_array_equal(obs["rate_sd"], sd)
    one_sd = synthetic_observations("logistic", [1.0, 2.0], 0.1, random_seed=0, lam=1.0, beta=1.0)
    assert one_sd["rate_sd"].tolist() == [0.1, 0.1]
    with pytest.raises(ValueError, match="rate_sd must be > 0"):
        synthetic_observations("logistic", [1.0], 0.0, lam=1.0, beta=1.0)


def test_one_experiment_leaves_a_long_ridge():
    from labkit.elicitation.posterior import log_likelihood_surface, near_peak_extent

    axes = {"alpha": np.linspace(0.1, 10, 200), "lam": np.linspace(0.1, 10, 200)}
    surface = log_likelihood_surface(OBS, "michaelis_menten", axes)
    extent = near_peak_extent(axes, surface)
    assert list(extent.index) == ["alpha", "lam"]
    assert list(extent.columns) == ["low", "high", "span"]
    assert extent.loc["lam", "span"] > 5  # one point does not pin lam down
    g_alpha, g_lam = np.meshgrid(axes["alpha"], axes["lam"])
    ridge = surface >= surface.max() - 1.5
    assert extent.loc["alpha", "low"] == g_alpha[ridge].min()
    assert extent.loc["lam", "high"] == g_lam[ridge].max()
    two = pd.concat([OBS, pd.DataFrame({"x": [5.0], "rate": [0.12], "rate_sd": [0.01]})])
    narrower = near_peak_extent(axes, log_likelihood_surface(two, "michaelis_menten", axes))
    assert narrower.loc["lam", "span"] < extent.loc["lam", "span"]
    with pytest.raises(ValueError, match="surface must have shape"):
        near_peak_extent(axes, surface.T[:10])


@pytest.mark.slow
def test_fitted_prior_table_has_one_row_per_parameter():
    from labkit.elicitation.priors import fitted_prior_table

    res = elicit(OBS, random_seed=0)
    _, fitted = mmm_priors(res, "meta", ["meta"], target_scale=7.0, channel_scale=4.0)
    table = fitted_prior_table(fitted)
    assert list(table.index) == ["alpha", "lam"]
    assert {"family", "alpha", "beta", "lower", "upper", "mass", "scale"} <= set(table.columns)
    assert table.loc["lam", "scale"] == 4.0 and table.loc["alpha", "scale"] == 7.0
    assert table.loc["alpha", "mass"] == pytest.approx(fitted["alpha"].mass)
    with pytest.raises(TypeError, match="dict of FittedPrior"):
        fitted_prior_table({"alpha": 1.0})
