import math

import numpy as np
import pytest
from scipy.special import gammaln

from labkit import _reweighting
from labkit.design.grid import pareto_dominated
from labkit.design.learning import expected_sd_reduction, reweighted_sd
from labkit.study.refit import refit_check


def _numpy_reweighted_sd(lifts, sigma, quantity, outcome):
    log_w = -0.5 * ((outcome - lifts) / sigma) ** 2
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    mean = (w * quantity).sum()
    return np.sqrt((w * (quantity - mean) ** 2).sum()), 1 / (w**2).sum()


@pytest.mark.usefixtures("kernels")
def test_kernel_equals_plain_numpy_reweighting():
    rng = np.random.default_rng(0)
    lifts = rng.normal(1.0, 0.4, 3000)
    quantity = 2 * lifts + rng.normal(0, 0.2, 3000)
    # the last outcome lies 40 noise sds beyond every draw
    for sigma, outcome in [(0.3, 1.1), (0.05, 0.2), (2.0, 3.0), (0.05, lifts.max() + 2.0)]:
        sd, ess = reweighted_sd(lifts, sigma, quantity, outcome)
        expected_sd, expected_ess = _numpy_reweighted_sd(lifts, sigma, quantity, outcome)
        assert sd == pytest.approx(expected_sd, rel=1e-9)
        assert ess == pytest.approx(expected_ess, rel=1e-9)


def test_numpy_reference_reweighting_equals_the_kernel():
    rng = np.random.default_rng(2)
    lifts = rng.normal(1.0, 0.5, size=(3, 1500))
    quantity = 2 * lifts + rng.normal(0, 0.2, size=(3, 1500))
    outcomes = lifts[:, :8] + rng.normal(0, 0.3, size=(3, 8))
    sigma = np.array([0.3, 0.1, 1.0])
    fast = _reweighting.reweighted_moments(lifts, sigma, quantity, outcomes)
    slow = _reweighting.reweighted_moments_numpy(lifts, sigma, quantity, outcomes)
    for a, b in zip(fast[:2] + fast[3:], slow[:2] + slow[3:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    assert not slow[2].any()


def _kernel_against_numpy(lifts, sigma, quantity, n_outcomes=64, seed=0):
    """Run the kernel on outcomes simulated from the predictive; compare with numpy."""
    rng = np.random.default_rng(seed)
    n, n_draws = lifts.shape
    source = rng.integers(0, n_draws, size=(n, n_outcomes))
    outcomes = np.take_along_axis(lifts, source, axis=1)
    outcomes += rng.standard_normal((n, n_outcomes)) * sigma[:, None]
    sd, ess, by_series, prior_sd = _reweighting.reweighted_moments(lifts, sigma, quantity, outcomes)
    np.testing.assert_allclose(prior_sd, quantity.std(axis=1), rtol=1e-12)
    for i in range(n):
        for k in range(n_outcomes):
            want = _numpy_reweighted_sd(lifts[i], sigma[i], quantity[i], outcomes[i, k])
            want_sd, want_ess = want
            assert sd[i, k] == pytest.approx(want_sd, rel=1e-9, abs=1e-12), (i, k, by_series[i, k])
            assert ess[i, k] == pytest.approx(want_ess, rel=1e-9), (i, k, by_series[i, k])
    return by_series


@pytest.mark.parametrize(
    ("lift_sd", "share"),
    [(0.3, (0.9, 1.0)), (1.0, (0.3, 1.0)), (5.0, (0.0, 0.05))],
    ids=["vague test: series", "middle", "sharp test: direct"],
)
def test_both_sums_equal_numpy_reweighting(lift_sd, share):
    """The series takes the vague tests, the direct sum the sharp ones; both equal numpy."""
    rng = np.random.default_rng(4)
    lifts = rng.normal(1.0, lift_sd, size=(3, 2000))
    lifts[1] = 1.0 + lift_sd * (rng.lognormal(0.0, 0.8, 2000) - 1.4)  # skewed, a long tail
    quantity = 3.0 + 2.0 * lifts + rng.normal(0.0, 0.5, lifts.shape)
    quantity[2] = rng.normal(0.0, 1.0, 2000)  # unrelated to the lift
    by_series = _kernel_against_numpy(lifts, np.ones(3), quantity)
    assert share[0] <= by_series.mean() <= share[1], by_series.mean()


def test_degenerate_draws():
    rng = np.random.default_rng(5)
    lifts = np.vstack([np.full(500, 0.4), rng.normal(0.0, 0.2, 500)])
    quantity = np.vstack([rng.normal(1.0, 0.3, 500), np.full(500, 2.0)])
    sigma = np.array([0.5, 0.5])
    outcomes = np.array([[0.1, 0.9], [-0.3, 0.2]])
    sd, ess, _, _ = _reweighting.reweighted_moments(lifts, sigma, quantity, outcomes)
    np.testing.assert_allclose(sd[0], quantity[0].std(), rtol=1e-10)  # equal lifts: no update
    np.testing.assert_allclose(ess[0], 500, rtol=1e-10)
    np.testing.assert_allclose(sd[1], 0.0, atol=1e-7)  # a constant quantity stays constant


def test_exp2_and_the_series_order_table():
    t = np.linspace(_reweighting.EXP2_LOW, _reweighting.EXP2_HIGH, 9601)
    ours = np.array([_reweighting.exp2(v) for v in t])
    assert np.abs(ours / np.exp2(t) - 1).max() < 2e-12
    cap = _reweighting.R_CAP
    assert np.all(np.diff(cap) > 0)
    for n in (4, 30, _reweighting.N_MAX):
        log_remainder = cap[n] + (n + 1) * math.log(cap[n]) - gammaln(n + 2)
        assert log_remainder == pytest.approx(math.log(_reweighting.TRUNCATION), abs=1e-6)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
@pytest.mark.usefixtures("kernels")
def test_reduction_matches_the_conjugate_gaussian_update(sigma):
    """theta ~ N(0, 1) observed as theta + N(0, sigma^2): posterior sd sqrt(s2 / (1 + s2))."""
    rng = np.random.default_rng(1)
    theta = rng.standard_normal(4000)
    value = expected_sd_reduction(
        theta[None, :], np.array([sigma]), theta[None, :], n_outcomes=256, rng=rng
    )
    exact = 1 - np.sqrt(sigma**2 / (1 + sigma**2))
    assert value.reduction[0] == pytest.approx(exact, abs=0.02)
    assert 500 < value.ess[0] < 4000 and value.ess_min[0] <= value.ess[0]


def test_an_uninformative_quantity_is_not_learned():
    rng = np.random.default_rng(2)
    lifts = rng.standard_normal(4000)
    unrelated = rng.standard_normal(4000)
    value = expected_sd_reduction(lifts[None], np.array([0.5]), unrelated[None], rng=rng)
    assert abs(value.reduction[0]) < 0.03


def test_recommend_learning_value_column_score_and_determinism(designer):
    plain = designer.recommend()
    assert np.isnan(plain.to_dataframe()["learning_value"]).all()
    assert "learning" not in plain.to_display_frame().columns
    recs = designer.recommend(learning_value=True, random_seed=3)
    table = recs.to_dataframe()
    assert table["learning_value"].between(0, 1).all() and (table["learning_ess"] > 50).all()
    assert "learning" in recs.to_display_frame().columns
    assert "posterior sd of" in recs[0].rationale
    again = designer.recommend(learning_value=True, random_seed=3).to_dataframe()
    np.testing.assert_array_equal(table["learning_value"], again["learning_value"])
    by_learning = designer.recommend(score_weights={"learning_value": 1.0}).to_dataframe()
    assert by_learning["learning_value"].is_monotonic_decreasing


def test_learning_grows_with_the_test(designer):
    values = [designer.learning_value("tv", 0.5, w).loc["roas", "reduction"] for w in (2, 6, 12)]
    assert np.all(np.diff(values) > 0), values
    table = designer.learning_value("tv", 0.5, 8)
    assert list(table.index) == ["roas", "lam", "beta", "adstock_alpha"]
    assert (table["expected_sd"] <= table["prior_sd"] * 1.01).all()


def test_learning_arguments_are_checked(designer):
    with pytest.raises(ValueError, match=r"^n_outcomes must be"):
        designer.recommend(learning_value=True, n_outcomes=4)
    with pytest.raises(ValueError, match=r"^random_seed must be"):
        designer.learning_value("tv", 0.5, 4, random_seed=-1)
    with pytest.raises(TypeError, match=r"^learning_value must be True or False"):
        designer.recommend(learning_value="yes")


def test_pareto_dominated():
    objectives = np.array([[1, 1], [2, 2], [2, 1], [0, 3]])
    np.testing.assert_array_equal(pareto_dominated(objectives), [True, False, True, False])
    assert not pareto_dominated(np.array([[1.0, 1.0], [1.0, 1.0]])).any(), "ties do not dominate"
    with pytest.raises(ValueError, match=r"^objectives must be 2-D"):
        pareto_dominated(np.ones(3))


def test_recommend_marks_dominated_candidates(designer):
    table = designer.recommend(learning_value=True).to_dataframe()
    front = table[~table["dominated"]]
    assert 0 < len(front) < len(table)
    for _, row in table[table["dominated"]].iterrows():
        better = (
            (front["net_cost"].abs() <= abs(row["net_cost"]))
            & (front["assurance"] >= row["assurance"])
            & (front["learning_value"] >= row["learning_value"])
        )
        assert better.any()


def test_pareto_front_equals_brute_force():
    rng = np.random.default_rng(5)
    for shape in [(1, 2), (50, 2), (400, 3)]:
        a = np.round(rng.normal(size=shape), 1)  # rounding makes ties
        brute = ((a[None] >= a[:, None]).all(axis=2) & (a[None] > a[:, None]).any(axis=2)).any(1)
        np.testing.assert_array_equal(pareto_dominated(a), brute)


def test_refit_check_names_bad_arguments(designer):
    rng = np.random.default_rng(0)
    args = (None, None, designer, "tv", -0.5, 12)
    with pytest.raises(TypeError, match=r"^build_mmm must be a callable"):
        refit_check("mmm", *args, fit_kwargs={}, outcome_rng=rng)
    with pytest.raises(TypeError, match=r"^outcome_rng must be a numpy.random.Generator"):
        refit_check(dict, *args, fit_kwargs={}, outcome_rng=0)
    with pytest.raises(TypeError, match=r"^fit_kwargs must be a dict"):
        refit_check(dict, *args, fit_kwargs=None, outcome_rng=rng)
    with pytest.raises(ValueError, match="unknown channel"):
        refit_check(dict, None, None, designer, "radio", -0.5, 12, fit_kwargs={}, outcome_rng=rng)
    with pytest.raises(ValueError, match=r"^designer must be an ExperimentDesigner of a national"):
        refit_check(dict, None, None, object(), "tv", -0.5, 12, fit_kwargs={}, outcome_rng=rng)
