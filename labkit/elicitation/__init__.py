"""From an experiment to informative saturation priors.

1. a synthetic control (CausalPy) measures what a spend change cost in sales;
2. :func:`experiment_observation` turns it into a point in the *derivative space*
   of the saturation curve: the average rate of change ``|dY| / dX`` at the midpoint
   of the two spend levels (:mod:`~labkit.elicitation.derivative`);
3. :func:`elicit` infers the saturation parameters consistent with one or more
   such points, by an exact grid posterior or by NUTS
   (:mod:`~labkit.elicitation.posterior`);
4. :func:`mmm_priors` fits maximum-entropy priors to that posterior on the MMM's
   scale (:mod:`~labkit.elicitation.priors`);
5. :func:`posterior_saturation_draws` and :func:`recovery_table` bring a fitted
   MMM's parameters back to original units and compare them with the truth
   (:mod:`~labkit.elicitation.recovery`).

Figures are in :mod:`labkit.elicitation.plots`, the explorer in
:mod:`labkit.elicitation.widgets`.
"""

from labkit.elicitation.derivative import (
    ExperimentObservation,
    experiment_observation,
    saturation_derivative,
    synthetic_observations,
)
from labkit.elicitation.posterior import (
    ElicitationResult,
    compare_elicitations,
    elicit,
    log_likelihood_surface,
    near_peak_extent,
)
from labkit.elicitation.priors import (
    FittedPrior,
    fit_prior,
    fitted_prior_table,
    mmm_priors,
    original_unit_scales,
)
from labkit.elicitation.recovery import (
    posterior_saturation_draws,
    prior_saturation_draws,
    recovery_table,
)

__all__ = [
    "ElicitationResult",
    "ExperimentObservation",
    "FittedPrior",
    "compare_elicitations",
    "elicit",
    "experiment_observation",
    "fit_prior",
    "fitted_prior_table",
    "log_likelihood_surface",
    "mmm_priors",
    "near_peak_extent",
    "original_unit_scales",
    "posterior_saturation_draws",
    "prior_saturation_draws",
    "recovery_table",
    "saturation_derivative",
    "synthetic_observations",
]
