"""Which lift test to run next: the posterior-aware experiment designer.

Maths only; figures are in :mod:`labkit.design.plots`, the explorer widget in
:mod:`labkit.design.widgets`.

- :mod:`~labkit.design.designer`: :class:`ExperimentDesigner` (assurance, ranking,
  identification safeguards, constructors from a fitted MMM or a posterior);
- :mod:`~labkit.design.lift_model`: :class:`LiftModel`, the lift draws of a spend change
  and the noise of measuring it;
- :mod:`~labkit.design.engines`: how a lift is computed: compiled loops, or the
  fitted model's own pymc-marketing components;
- :mod:`~labkit.design.counterfactual`: the fitted model's own answer, the
  reference the engines are pinned to;
- :mod:`~labkit.design.grid`: filtering, scoring and ranking a grid of candidates;
- :mod:`~labkit.design.recommendations`: the ranked candidates and their display;
- :mod:`~labkit.design.checks`: argument checks and the default grid;
- :mod:`~labkit.design.decision`: what a test is worth in money for the budget split
  (:func:`decision_value`, the expected value of sample information), on the
  allocation and reweighting of :mod:`~labkit.design.allocation`;
- :mod:`~labkit.design.carryover`: which test's weekly read teaches the adstock decay
  (a pulse read through its decay, or a sustained change);
- :mod:`~labkit.design.facts`: what the designer reads off a posterior and a fitted MMM;
- :mod:`~labkit.design.geo_designer`: :class:`GeoDesigner`, which geos to treat in a geo test;
- :mod:`~labkit.design.detection`: simulated geo tests read with CausalPy;
- :mod:`~labkit.design.placebo`: the synthetic control's read-out noise measured on
  placebo windows (CausalPy);
- :mod:`~labkit.design.fixture`: posteriors with known truth, without fitting.
"""

from labkit.design.checks import DEFAULT_DURATIONS, DEFAULT_SPEND_CHANGES, MAX_SPEND_CHANGE
from labkit.design.decision import BudgetDecision, DecisionValue, decision_value
from labkit.design.designer import ExperimentDesigner
from labkit.design.detection import simulate_placebo_detection
from labkit.design.facts import MMMFacts, PosteriorDraws, mmm_facts, posterior_draws
from labkit.design.fixture import (
    DESIGNER_EDGE_TRUTH,
    DESIGNER_TRUTH,
    DesignerFixture,
    geo_panel_designer,
    simulate_designer_fixture,
)
from labkit.design.geo_designer import GeoDesigner, choose_design
from labkit.design.lift_model import LiftModel
from labkit.design.placebo import PlaceboNoise, placebo_noise, treated_sets
from labkit.design.recommendations import (
    CandidateSummary,
    GeoRanking,
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
    "BudgetDecision",
    "CandidateSummary",
    "DecisionValue",
    "DesignerFixture",
    "ExperimentDesigner",
    "GeoDesigner",
    "GeoRanking",
    "LiftModel",
    "MMMFacts",
    "NullChannel",
    "PlaceboNoise",
    "PosteriorDraws",
    "Recommendation",
    "Recommendations",
    "choose_design",
    "decision_value",
    "geo_panel_designer",
    "mmm_facts",
    "placebo_noise",
    "posterior_draws",
    "simulate_designer_fixture",
    "simulate_placebo_detection",
    "treated_sets",
]
