"""Benchmark the decision value of a grid of candidates against the plain numpy reweighting.

Run: python benchmarks/bench_decision.py

On the Experiment Designer docs example (3 channels x 7 spend changes x 4 durations =
84 candidates, 4000 draws, every candidate kept) with a budget split over the three
channels (60 increments), prints the median wall time of

- ``recommend(decision=curves)``: the ranking with every candidate's decision value
  (64 simulated outcomes each), warm, the curves built beforehand;
- the decision values alone (:func:`labkit.design.decision.decision_values`);
- building the curves (:func:`labkit.design.decision.decision_curves`, once per decision);
- the reference: one :func:`labkit.design.allocation.preposterior_decision_value` per
  candidate (numpy, vectorised over draws and outcomes, the dynamic programme in numpy),
  on the same outcomes,

and the largest relative difference between the fast and the reference values.
"""

from __future__ import annotations

import numpy as np
from bench_designer import median_ms  # the benchmarks' one timer (this script's folder)

from labkit.design import DEFAULT_DURATIONS, DEFAULT_SPEND_CHANGES, BudgetDecision
from labkit.design.allocation import preposterior_decision_value
from labkit.design.decision import decision_curves, decision_values
from labkit.design.fixture import simulate_designer_fixture

N_OUTCOMES = 64


def main() -> None:
    designer = simulate_designer_fixture().designer()
    total = sum(float(np.sum(designer.current_spend[c])) for c in designer.channels)
    decision = BudgetDecision(budget=total, bounds={c: (0.0, total) for c in designer.channels})
    curves = decision_curves(designer, decision)
    grid = [
        (c, change, weeks)
        for c in designer.channels
        for change in DEFAULT_SPEND_CHANGES
        for weeks in DEFAULT_DURATIONS
    ]
    lifts = np.array([designer.lift_draws(*g) for g in grid])
    sigma = np.array([float(designer.sigma_d(g[2])) for g in grid])
    rng = np.random.default_rng(0)
    source = rng.integers(0, lifts.shape[1], size=(len(grid), N_OUTCOMES))
    outcomes = (
        np.take_along_axis(lifts, source, axis=1)
        + rng.standard_normal((len(grid), N_OUTCOMES)) * sigma[:, None]
    )

    def fast():
        return decision_values(
            curves, lifts, sigma, n_outcomes=N_OUTCOMES, rng=rng, outcomes=outcomes
        )

    def reference():
        return np.array([
            preposterior_decision_value(
                list(curves.values), lifts[i], sigma[i], decision.steps,
                n_outcomes=N_OUTCOMES, rng=rng, outcomes=outcomes[i],
            ).per_week
            for i in range(len(grid))
        ])  # fmt: skip

    def ranking():
        return designer.recommend(min_snr=0.0, decision=curves)

    fast(), ranking()  # compile and warm up
    assert len(ranking()) == len(grid) == 84
    got, want = fast().per_week, reference()
    gap = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12)))
    t_rank = median_ms(ranking, 7)
    t_plain_rank = median_ms(lambda: designer.recommend(min_snr=0.0), 7)
    t_fast = median_ms(fast, 7)
    t_ref = median_ms(reference, 3)
    t_curves = median_ms(lambda: decision_curves(designer, decision), 5)
    print(f"candidates: {len(grid)}, draws: {lifts.shape[1]}, outcomes: {N_OUTCOMES}, "
          f"compressed columns: {curves.basis.shape[1]} of {sum(curves.widths)}")  # fmt: skip
    print(f"recommend(decision=curves), warm:   {t_rank:8.1f} ms (without: {t_plain_rank:.1f} ms)")
    print(f"decision values alone:              {t_fast:8.1f} ms")
    print(f"reference (numpy per candidate):    {t_ref:8.1f} ms  ratio {t_ref / t_fast:.1f}x")
    print(f"decision curves (once per decision): {t_curves:7.1f} ms")
    print(f"largest relative gap fast vs reference: {gap:.2e}")


if __name__ == "__main__":
    main()
