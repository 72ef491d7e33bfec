"""Geo-level lift tests as likelihood terms of a hierarchical MMM.

Maths only; figures are in :mod:`labkit.geo.plots`, the explorer widget in
:mod:`labkit.geo.widgets`.

- :mod:`~labkit.geo.model`: hierarchical priors, pooling and the geo MMM;
- :mod:`~labkit.geo.lift_tests`: oracle and CausalPy-estimated lift tests, their checks,
  and the curve a lift test allows in (lam, beta);
- :mod:`~labkit.geo.curves`: true and posterior saturation curves, expected sales;
- :mod:`~labkit.geo.metrics`: precision, bias, curve recovery, fit;
- :mod:`~labkit.geo.report`: :class:`CalibrationReport`, the comparison of two fits.
"""

from labkit.geo.curves import expected_sales, geo_truth, saturation_curves, true_curves
from labkit.geo.lift_tests import (
    LIFT_COLUMNS,
    lift_constraint_beta,
    lift_test_from_synthetic_control,
    oracle_lift_tests,
    synthetic_control_lift_tests,
    validate_lift_tests,
)
from labkit.geo.metrics import bias_improvement, curve_recovery, fit_metrics, precision_improvement
from labkit.geo.model import (
    GEO_DIMS,
    build_geo_mmm,
    centred_priors,
    geo_priors,
    geo_xy,
    pooling_table,
)
from labkit.geo.report import CalibrationReport

__all__ = [
    "GEO_DIMS",
    "LIFT_COLUMNS",
    "CalibrationReport",
    "bias_improvement",
    "build_geo_mmm",
    "centred_priors",
    "curve_recovery",
    "expected_sales",
    "fit_metrics",
    "geo_priors",
    "geo_truth",
    "geo_xy",
    "lift_constraint_beta",
    "lift_test_from_synthetic_control",
    "oracle_lift_tests",
    "pooling_table",
    "precision_improvement",
    "saturation_curves",
    "synthetic_control_lift_tests",
    "true_curves",
    "validate_lift_tests",
]
