"""Which lift test to run next: the posterior-aware experiment designer.

Maths only; figures are in :mod:`labkit.design.plots`, the explorer widget in
:mod:`labkit.design.widgets`.

- :mod:`~labkit.design.designer`: :class:`ExperimentDesigner` (lift draws, noise,
  assurance, ranking, identification safeguards);
- :mod:`~labkit.design.recommendations`: the ranked candidates and their display;
- :mod:`~labkit.design.facts`: what the designer reads off a fitted MMM;
- :mod:`~labkit.design.fixture`: a posterior with known truth, without fitting.
"""

from labkit.design.designer import (
    DEFAULT_DURATIONS,
    DEFAULT_SPEND_CHANGES,
    MAX_SPEND_CHANGE,
    ExperimentDesigner,
)
from labkit.design.facts import MMMFacts, mmm_facts
from labkit.design.fixture import (
    DESIGNER_EDGE_TRUTH,
    DESIGNER_TRUTH,
    DesignerFixture,
    simulate_designer_fixture,
)
from labkit.design.recommendations import (
    CandidateSummary,
    NullChannel,
    Recommendation,
    Recommendations,
)

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_SPEND_CHANGES",
    "DESIGNER_EDGE_TRUTH",
    "DESIGNER_TRUTH",
    "MAX_SPEND_CHANGE",
    "CandidateSummary",
    "DesignerFixture",
    "ExperimentDesigner",
    "MMMFacts",
    "NullChannel",
    "Recommendation",
    "Recommendations",
    "mmm_facts",
    "simulate_designer_fixture",
]
