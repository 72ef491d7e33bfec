"""Study of chapter 1: the designer's claims over many simulated posteriors.

Each seed draws a new designer fixture (simulated spend and sales with AR(1)
noise, a posterior around the same true channels) and checks what the chapter
states: assurance is the detection rate of simulated experiments, it rises with
duration, the least certain channel's tests teach the most, longer tests teach
more, and the top pick is on the cost-learning frontier. No MCMC.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labkit.design import simulate_designer_fixture

__all__ = ["designer_study"]

CHECKED = (("search", 0.2, 4), ("tv", -0.5, 6), ("social", 0.3, 8), ("tv", 0.1, 4))
"""Candidates whose assurance is checked against simulated experiments."""


def designer_study(seed: int) -> dict[str, Any]:
    """Metrics and claims of chapter 1 for the designer fixture of ``seed``."""
    fixture = simulate_designer_fixture(seed=seed)
    designer = fixture.designer()
    gaps = []
    for channel, change, weeks in CHECKED:
        predicted = designer.evaluate(channel, change, weeks).assurance
        simulated = designer.simulate_detection_rate(
            channel, change, weeks, n_experiments=4000, random_seed=seed
        )
        gaps.append(abs(predicted - simulated))
    by_duration = [designer.evaluate("tv", 0.2, w).assurance for w in (2, 4, 6, 8, 12, 16)]
    recs = designer.recommend(learning_value=True, random_seed=seed)
    table = recs.to_dataframe()
    learning = table.groupby("channel")["learning_value"].mean()
    least_certain = min(designer.uncertainty_rank(), key=designer.uncertainty_rank().get)
    tv = [
        designer.learning_value("tv", 0.5, w, random_seed=seed).loc["roas", "reduction"]
        for w in (4, 8, 12)
    ]
    return {
        "residual_autocorr": float(designer.residual_autocorr[0]),
        "max_detection_gap": float(max(gaps)),
        "top_channel": recs[0].channel,
        "top_learning_value": float(recs[0].learning_value),
        "least_certain_channel": least_certain,
        "most_learning_channel": str(learning.idxmax()),
        "claim_assurance_is_detection_rate": bool(max(gaps) < 0.03),
        "claim_assurance_rises_with_duration": bool(np.all(np.diff(by_duration) > 0)),
        "claim_search_tests_lead": recs[0].channel == "search",
        "claim_least_certain_channel_teaches_most": str(learning.idxmax()) == least_certain,
        "claim_longer_tests_teach_more": bool(np.all(np.diff(tv) > 0)),
        "claim_top_pick_on_frontier": not recs[0].dominated,
    }
