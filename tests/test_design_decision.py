"""Decision value: exact against a conjugate closed form and against brute force; bad input."""

import itertools

import numpy as np
import pytest
from scipy.stats import norm

from labkit.design.allocation import (
    best_allocation,
    best_allocation_rows,
    preposterior_decision_value,
)
from labkit.design.decision import (
    BudgetDecision,
    decision_curves,
    decision_value,
    decision_values,
    response_curves,
)
from labkit.design.fixture import simulate_designer_fixture
from labkit.response import logistic


def test_linear_two_channel_toy_matches_the_conjugate_value_of_information():
    # channel A returns r per unit of spend, r ~ N(m, s^2); channel B returns r2, known.
    # A test measures y = r * delta + N(0, sigma^2); the budget goes to the better channel.
    rng = np.random.default_rng(7)
    m, s, r2, delta, sigma, budget, steps = 1.02, 0.2, 1.0, 2.0, 0.3, 10.0, 10
    draws = rng.normal(m, s, 40_000)
    grid = budget / steps * np.arange(steps + 1)
    curves = [draws[:, None] * grid[None, :], np.full((draws.size, steps + 1), r2) * grid]
    outcomes = rng.normal(m * delta, np.sqrt((s * delta) ** 2 + sigma**2), 2_000)
    fast = preposterior_decision_value(
        curves, draws * delta, sigma, steps, n_outcomes=len(outcomes), rng=rng,
        outcomes=outcomes,
    )  # fmt: skip
    # the exact posterior mean of r after each outcome, and the exact gain of re-deciding
    post_var = 1 / (1 / s**2 + delta**2 / sigma**2)
    post_mean = post_var * (m / s**2 + delta * outcomes / sigma**2)
    exact_gain = budget * np.maximum(r2 - post_mean, 0.0)  # today: all of it on A (m > r2)
    assert fast.counts_now.tolist() == [steps, 0]
    assert fast.per_week == pytest.approx(exact_gain.mean(), rel=0.02)
    # and the closed form of the expected value of sample information
    tau = np.sqrt(s**2 - post_var)  # sd of the posterior mean before the test
    d = m - r2
    # E[max(r2 - m', 0)] for m' ~ N(m, tau^2), times the budget moved
    evsi = budget * (-d * norm.cdf(-d / tau) + tau * norm.pdf(d / tau))
    se = exact_gain.std() / np.sqrt(len(outcomes))
    assert abs(exact_gain.mean() - evsi) < 4 * se
    assert fast.per_week == pytest.approx(evsi, rel=0.1)


def _brute_force(curves, lifts, sigma, steps, outcomes):
    """Every allocation of every outcome, in plain loops."""
    n_draws = len(lifts)
    sizes = [c.shape[1] - 1 for c in curves]
    splits = [js for js in itertools.product(*(range(n + 1) for n in sizes)) if sum(js) == steps]

    def expected(weights, js):
        return sum(
            sum(weights[d] * curves[c][d, j] for d in range(n_draws)) for c, j in enumerate(js)
        )

    uniform = [1 / n_draws] * n_draws
    now = max(splits, key=lambda js: expected(uniform, js))
    gains = []
    for y in outcomes:
        raw = [np.exp(-0.5 * ((y - lifts[d]) / sigma) ** 2) for d in range(n_draws)]
        weights = [w / sum(raw) for w in raw]
        best = max(expected(weights, js) for js in splits)
        gains.append(best - expected(weights, now))
    return float(np.mean(gains)), now


def test_the_fast_path_equals_brute_force_on_s_shaped_curves():
    rng = np.random.default_rng(3)
    n_draws, steps = 40, 8
    x = np.linspace(0, 2, 9)
    curves = []
    for _ in range(3):  # Hill curves, some S-shaped: no concavity to lean on
        slope = rng.uniform(0.5, 3.0, n_draws)[:, None]
        kappa = rng.uniform(0.3, 1.5, n_draws)[:, None]
        beta = rng.uniform(0.5, 2.0, n_draws)[:, None]
        curves.append(beta * x**slope / (kappa**slope + x**slope))
    curves[2] = curves[2][:, :6]  # a channel capped below the budget
    lifts = rng.normal(0.5, 0.2, n_draws)
    outcomes = rng.normal(0.5, 0.3, 6)
    fast = preposterior_decision_value(
        curves, lifts, 0.15, steps, n_outcomes=6, rng=rng, outcomes=outcomes
    )
    slow, now = _brute_force(curves, lifts, 0.15, steps, outcomes)
    assert fast.per_week == pytest.approx(slow, rel=1e-10, abs=1e-12)
    assert tuple(fast.counts_now) == now
    assert slow > 0


def test_best_allocation_places_every_increment():
    values = [np.array([[0.0, 1.0, 1.5]]), np.array([[0.0, 0.9, 1.7, 2.0]])]
    total, counts = best_allocation(values, 3)
    assert counts.tolist() == [[1, 2]] and total[0] == pytest.approx(2.7)


@pytest.fixture(scope="module")
def designer():
    return simulate_designer_fixture(seed=0).designer()


def _decision(designer, **kw):
    total = sum(float(np.sum(designer.current_spend[c])) for c in designer.channels)
    args = {"budget": total, "bounds": {c: (0.0, total) for c in designer.channels}} | kw
    return BudgetDecision(**args)


def test_response_curves_are_the_models_steady_state_curves(designer):
    fixture = simulate_designer_fixture(seed=0)
    decision = _decision(designer, value_per_unit=2.5)
    curves = response_curves(designer, decision)
    post = fixture.idata.posterior.stack(sample=("chain", "draw"))
    for c in designer.channels:
        lam = post["saturation_lam"].sel(channel=c).to_numpy()[:, None]
        beta = post["saturation_beta"].sel(channel=c).to_numpy()[:, None]
        x = decision.grid(c)[None, :]
        # normalised geometric adstock: a constant spend x adstocks to x
        expected = 2.5 * logistic(x, lam, beta) * float(designer.target_scale[0])
        np.testing.assert_allclose(curves[c], expected, rtol=1e-10, atol=1e-12)


def test_decision_value_on_the_designer(designer):
    decision = _decision(designer, horizon=13)
    value = decision_value(designer, decision, "tv", 0.5, 8, random_seed=1)
    again = decision_value(designer, decision, "tv", 0.5, 8, random_seed=1)
    assert value.per_week == again.per_week and value.allocation_now.equals(again.allocation_now)
    assert value.per_week > 0 and value.over_horizon == pytest.approx(13 * value.per_week)
    assert value.allocation_now.sum() == pytest.approx(decision.budget)
    assert 1 < value.ess <= designer.n_draws and 0 <= value.switch_share <= 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"budget": 0.1, "bounds": {"a": (0.2, 1.0)}}, ValueError, "at least the sum of the lower"),
        ({"budget": 5.0, "bounds": {"a": (0.0, 1.0)}}, ValueError, "at most the sum of the upper"),
        ({"budget": 1.0, "bounds": {"a": (0.0, 2.0)}, "horizon": 0}, ValueError, "^horizon must"),
        ({"budget": 1.0, "bounds": {"a": (0.0, 2.0)}, "steps": 1}, ValueError, "^steps must"),
        ({"budget": -1.0, "bounds": {"a": (0.0, 2.0)}}, ValueError, "^budget must"),
        (
            {"budget": 1.0, "bounds": {"a": (0.0, 2.0)}, "value_per_unit": 0},
            ValueError,
            "^value_per",
        ),
        ({"budget": 1.0, "bounds": {"a": (2.0, 1.0)}}, ValueError, r"^bounds\['a'\] high"),
        ({"budget": 1.0, "bounds": {"a": 1.0}}, ValueError, r"^bounds\['a'\] must be a \(low"),
        ({"budget": 1.0, "bounds": [("a", 0, 1)]}, TypeError, "^bounds must be a non-empty dict"),
    ],
)
def test_bad_budget_decisions_name_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        BudgetDecision(**kwargs)


def test_bounds_must_name_the_designers_channels(designer):
    total = 3.0
    unknown = BudgetDecision(total, {"tv": (0, 3), "search": (0, 3), "radio": (0, 3)})
    with pytest.raises(ValueError, match=r"unknown channels \['radio'\]"):
        response_curves(designer, unknown)
    short = BudgetDecision(total, {"tv": (0, 3), "search": (0, 3)})
    with pytest.raises(ValueError, match=r"missing \['social'\]"):
        response_curves(designer, short)
    with pytest.raises(TypeError, match=r"^decision must be a BudgetDecision or DecisionCurves"):
        decision_value(designer, {"budget": 1}, "tv", 0.5, 8)
    with pytest.raises(ValueError, match=r"^n_outcomes must"):
        decision_value(designer, _decision(designer), "tv", 0.5, 8, n_outcomes=2)


def test_compiled_allocation_equals_the_numpy_programme():
    rng = np.random.default_rng(3)
    widths = np.array([7, 12, 5, 9])
    # S-shaped and concave columns, with ties (rounded values)
    values = np.round(rng.normal(size=(200, widths.sum())).cumsum(axis=1), 1)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    for steps in (4, 11, 20):
        total, counts = best_allocation_rows(values, starts, widths, steps)
        ref_total, ref_counts = best_allocation(
            [values[:, a : a + w] for a, w in zip(starts, widths, strict=True)], steps
        )
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_allclose(total, ref_total, rtol=0, atol=1e-12)
        assert (counts.sum(axis=1) == steps).all()


def test_fast_decision_values_equal_the_plain_reweighting(designer):
    decision = _decision(designer, steps=30)
    curves = decision_curves(designer, decision)
    assert curves.basis.shape[1] < sum(curves.widths)  # the compression does compress
    candidates = [("tv", 0.5, 8), ("search", -1.0, 4), ("social", 0.2, 12)]
    lifts = np.array([designer.lift_draws(*c) for c in candidates])
    sigma = np.array([float(designer.sigma_d(c[2])) for c in candidates])
    rng = np.random.default_rng(11)
    outcomes = lifts[:, :16] + sigma[:, None] * rng.standard_normal((3, 16))
    fast = decision_values(curves, lifts, sigma, n_outcomes=16, rng=rng, outcomes=outcomes)
    for i in range(3):
        plain = preposterior_decision_value(
            list(curves.values), lifts[i], sigma[i], decision.steps, n_outcomes=16, rng=rng,
            outcomes=outcomes[i],
        )  # fmt: skip
        assert fast.per_week[i] == pytest.approx(plain.per_week, rel=1e-8, abs=1e-10)
        assert fast.ess[i] == pytest.approx(plain.ess, rel=1e-10)
        assert fast.switch_share[i] == plain.switch_share
    assert curves.counts_now.tolist() == plain.counts_now.tolist()
    assert curves.value_now == pytest.approx(plain.value_now, rel=1e-12)
    assert (fast.per_week > 0).any()


def test_decision_value_takes_prebuilt_curves(designer):
    decision = _decision(designer)
    curves = decision_curves(designer, decision)
    a = decision_value(designer, decision, "tv", 0.5, 8, random_seed=2)
    b = decision_value(designer, curves, "tv", 0.5, 8, random_seed=2)
    assert a.per_week == b.per_week and a.allocation_now.equals(b.allocation_now)
    other = simulate_designer_fixture(seed=0).designer()
    with pytest.raises(TypeError, match=r"^decision must be a BudgetDecision or DecisionCurves"):
        decision_value(other, {"budget": 1.0}, "tv", 0.5, 8)


def test_the_designer_ranks_by_decision_value(designer):
    decision = _decision(designer, horizon=26)
    recs = designer.recommend(
        spend_changes=(0.5, -1.0), durations=(4, 12), decision=decision,
        score_weights={"decision_value": 1.0}, random_seed=3,
    )  # fmt: skip
    table = recs.to_dataframe()
    assert table["decision_value"].notna().all() and (table["decision_value"] >= 0).all()
    # ranked by decision value alone: the score is its min-max rescaling
    assert table["decision_value"].is_monotonic_decreasing
    # each row is the same value decision_values gives for that candidate and outcome stream
    curves = decision_curves(designer, decision)
    top = recs[0]
    assert f"{top.decision_value:.3g} per week" in top.rationale
    assert f"{top.decision_value * 26:.3g} over 26 weeks" in top.rationale
    assert "value/wk" in recs.to_display_frame().columns
    again = designer.recommend(
        spend_changes=(0.5, -1.0), durations=(4, 12), decision=curves,
        score_weights={"decision_value": 1.0}, random_seed=3,
    )  # fmt: skip
    assert again.to_dataframe()["decision_value"].tolist() == table["decision_value"].tolist()
    # the frontier now weighs the value too: a candidate dominated on cost and assurance
    # alone can stand on the frontier by its value
    plain = designer.recommend(spend_changes=(0.5, -1.0), durations=(4, 12)).to_dataframe()
    assert plain["decision_value"].isna().all()
    assert table["dominated"].sum() <= plain["dominated"].sum()


def test_decision_value_weight_needs_a_decision(designer):
    with pytest.raises(ValueError, match="pass decision=BudgetDecision"):
        designer.recommend(score_weights={"decision_value": 1.0})
    other = _decision(designer)
    curves = decision_curves(designer, other)
    two = simulate_designer_fixture(seed=0, channels=("tv", "search")).designer()
    with pytest.raises(ValueError, match=r"^decision's curves are for channels"):
        two.recommend(decision=curves)
