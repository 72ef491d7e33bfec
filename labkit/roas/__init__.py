"""Return on ad spend against the truth, dated lift tests and cross-validation folds.

Maths only; figures are in :mod:`labkit.roas.plots`, the fold explorer in
:mod:`labkit.roas.widgets`.
"""

from labkit.roas.lift_tests import check_lift_test_dates, dated_lift_tests
from labkit.roas.summaries import fold_summaries, roas_draws, roas_summary, true_roas

__all__ = [
    "check_lift_test_dates",
    "dated_lift_tests",
    "fold_summaries",
    "roas_draws",
    "roas_summary",
    "true_roas",
]
