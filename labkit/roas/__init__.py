"""Return on ad spend against the truth, and lift tests against a hidden confounder.

An unobserved driver of both spend and sales makes an MMM credit the channel it
drives with part of its effect. On the ``confounded`` data set, whose true ROAS
is known, this package measures that bias (:mod:`~labkit.roas.summaries`) and how
dated lift tests correct it, fold by fold in a time-slice cross-validation
(:mod:`~labkit.roas.dated_tests`), once they enter the model as what an experiment
measures: the lift along the test's spend path (:mod:`~labkit.roas.path_terms`).

Figures are in :mod:`labkit.roas.plots`, the fold explorer in
:mod:`labkit.roas.widgets`.
"""

from labkit.roas.dated_tests import check_lift_test_dates, dated_lift_tests, lift_tests_seen
from labkit.roas.path_terms import PathLiftMMM, add_lift_test_paths
from labkit.roas.summaries import (
    contributions_vs_truth,
    fold_summaries,
    roas_draws,
    roas_error_by_fold,
    roas_order_probability,
    roas_summary,
    true_contributions,
    true_roas,
)

__all__ = [
    "PathLiftMMM",
    "add_lift_test_paths",
    "check_lift_test_dates",
    "contributions_vs_truth",
    "dated_lift_tests",
    "fold_summaries",
    "lift_tests_seen",
    "roas_draws",
    "roas_error_by_fold",
    "roas_order_probability",
    "roas_summary",
    "true_contributions",
    "true_roas",
]
