"""Decision value: exact against a conjugate closed form and against brute force; bad input."""

import itertools

import numpy as np
import pytest
from scipy.stats import norm

from labkit.design.decision import (
    BudgetDecision,
    best_allocation,
    decision_value,
    preposterior_decision_value,
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
    with pytest.raises(TypeError, match=r"^decision must be a BudgetDecision"):
        decision_value(designer, {"budget": 1}, "tv", 0.5, 8)
    with pytest.raises(ValueError, match=r"^n_outcomes must"):
        decision_value(designer, _decision(designer), "tv", 0.5, 8, n_outcomes=2)
