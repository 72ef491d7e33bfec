"""Geo lift tests as likelihood terms of a hierarchical MMM.

A geo experiment raises one channel's spend in some geos; its measured lift
constrains that channel's saturation curve where the panel alone cannot tell
two co-moving channels apart. This package fits pymc-marketing's geo MMM with
and without such lift tests and compares both fits with the truth of the
``geo_panel`` data set.

- :mod:`~labkit.geo.model`: the panel as the model sees it, hierarchical
  priors, pooling and the geo MMM;
- :mod:`~labkit.geo.lift_tests`: oracle lift tests, their checks, their
  comparison with estimates, and the curve a lift test allows in ``(lam, beta)``;
- :mod:`~labkit.geo.synthetic_control`: lift tests estimated with CausalPy
  synthetic controls;
- :mod:`~labkit.geo.curves`: true and posterior saturation curves, expected sales;
- :mod:`~labkit.geo.metrics`: precision, bias, curve recovery, fit;
- :mod:`~labkit.geo.report`: :class:`CalibrationReport`, the comparison of two fits,
  and :func:`~labkit.geo.report.calibration_scorecard` across calibrations.

Figures are in :mod:`labkit.geo.plots`, the explorer widget in
:mod:`labkit.geo.widgets`.
"""

from labkit.geo.curves import (
    expected_sales,
    geo_truth,
    lift_test_draws,
    saturation_curves,
    true_curves,
)
from labkit.geo.lift_tests import (
    LIFT_COLUMNS,
    compare_lift_tests,
    lift_constraint_beta,
    oracle_lift_tests,
    screen_lift_signs,
    validate_lift_tests,
)
from labkit.geo.metrics import bias_improvement, curve_recovery, fit_metrics, precision_improvement
from labkit.geo.model import (
    GEO_DIMS,
    POOLING,
    build_geo_mmm,
    centred_priors,
    geo_priors,
    geo_xy,
    pooling_table,
    spend_correlation_by_geo,
)
from labkit.geo.report import CalibrationReport, calibration_scorecard
from labkit.geo.synthetic_control import (
    GeoSyntheticControls,
    lift_test_from_synthetic_control,
    posterior_adstock_alpha,
    read_geo_tests,
    synthetic_control_lift_tests,
)

__all__ = [
    "GEO_DIMS",
    "LIFT_COLUMNS",
    "POOLING",
    "CalibrationReport",
    "GeoSyntheticControls",
    "bias_improvement",
    "build_geo_mmm",
    "calibration_scorecard",
    "centred_priors",
    "compare_lift_tests",
    "curve_recovery",
    "expected_sales",
    "fit_metrics",
    "geo_priors",
    "geo_truth",
    "geo_xy",
    "lift_constraint_beta",
    "lift_test_draws",
    "lift_test_from_synthetic_control",
    "oracle_lift_tests",
    "pooling_table",
    "posterior_adstock_alpha",
    "precision_improvement",
    "read_geo_tests",
    "saturation_curves",
    "screen_lift_signs",
    "spend_correlation_by_geo",
    "synthetic_control_lift_tests",
    "true_curves",
    "validate_lift_tests",
]
