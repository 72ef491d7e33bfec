"""From an experiment to informative saturation priors.

1. a synthetic control (CausalPy) measures what a spend change cost in sales;
2. :func:`experiment_observation` turns it into a point in the *derivative space*
   of the saturation curve: the average rate of change |dY| / dX at the midpoint
   of the two spend levels (:mod:`~labkit.elicitation.derivative`);
3. :func:`elicit` infers the saturation parameters consistent with one or more
   such points, by an exact grid posterior or by NUTS
   (:mod:`~labkit.elicitation.posterior`);
4. :func:`mmm_priors` fits maximum-entropy priors to that posterior on the MMM's
   scale (:mod:`~labkit.elicitation.priors`).

Figures are in :mod:`labkit.elicitation.plots`, the explorer in
:mod:`labkit.elicitation.widgets`.
"""

from labkit.elicitation.derivative import (
    ExperimentObservation,
    experiment_observation,
    saturation_derivative,
)
from labkit.elicitation.posterior import (
    ElicitationResult,
    compare_elicitations,
    elicit,
    log_likelihood_surface,
)
from labkit.elicitation.priors import FittedPrior, fit_prior, mmm_priors

__all__ = [
    "ElicitationResult",
    "ExperimentObservation",
    "FittedPrior",
    "compare_elicitations",
    "elicit",
    "experiment_observation",
    "fit_prior",
    "log_likelihood_surface",
    "mmm_priors",
    "saturation_derivative",
]
