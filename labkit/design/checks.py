"""Argument checks of the experiment designer, its constants and the default grid of candidates.

A candidate lift test changes one channel's weekly spend by a fraction of its
current level (0.2 = +20 %, -1 = go-dark) for a whole number of weeks. The
checks here turn what a reader passes (one value or a sequence, per-unit
numbers, score weights) into validated values, with messages that name the
argument and the allowed range. Generic checks live in :mod:`labkit._validate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from labkit._validate import check_int, check_number, check_values

NATIONAL = "national"
"""The unit of a model without geos, and the aggregate over the geos of one with them."""

DEFAULT_SPEND_CHANGES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, -0.2, -0.5, -1.0)
"""Relative spend changes of the default grid: four increases, two cuts and go-dark."""

DEFAULT_DURATIONS: tuple[int, ...] = (4, 6, 8, 12)
"""Test lengths of the default grid, in weeks."""

MAX_SPEND_CHANGE = 5.0
"""Largest relative spend change accepted (+500 %): changes are fractions, so 20 is +2000 %."""

SCORE_KEYS = ("assurance", "cost_efficiency", "learning_value", "decision_value")
"""The criteria a ranking weighs (see :meth:`ExperimentDesigner.recommend`)."""

_CHANGE_HINT = (
    f" (a fraction of current weekly spend: 0.2 for +20 %, -1 for go-dark; at most "
    f"{MAX_SPEND_CHANGE:g} = +{MAX_SPEND_CHANGE * 100:.0f} %)"
)


def check_spend_change(name: str, value: Any) -> float:
    """One relative spend change: a number in [-1, :data:`MAX_SPEND_CHANGE`], not 0."""
    v = check_number(name, value, low=-1.0, high=MAX_SPEND_CHANGE, hint=_CHANGE_HINT)
    if v == 0:
        raise ValueError(f"{name} must not be 0: a test needs a spend change{_CHANGE_HINT}")
    return v


def check_spend_changes(values: Any, name: str = "spend_changes") -> tuple[float, ...]:
    """Spend changes: ``None`` gives the defaults, one number is one change, empty raises."""
    items = check_values(name, values, default=DEFAULT_SPEND_CHANGES)
    out = tuple(check_spend_change(f"{name}[{i}]", v) for i, v in enumerate(items))
    _check_unique(name, out)
    return out


def check_durations(values: Any, name: str = "durations") -> tuple[int, ...]:
    """Test lengths: ``None`` gives the defaults, one int is one duration, empty raises."""
    items = check_values(name, values, default=DEFAULT_DURATIONS)
    out = tuple(check_int(f"{name}[{i}]", d, minimum=1, unit="weeks") for i, d in enumerate(items))
    _check_unique(name, out)
    return out


def _check_unique(name: str, values: Sequence[float]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{name} repeats {repeated}; give each value once")


def per_unit(name: str, values: Any, n_units: int) -> np.ndarray:
    """``values`` as floats, one per unit (a scalar is shared by every unit)."""
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or one number per unit, got {values!r}") from err
    if v.ndim > 1 or v.size not in (1, n_units):
        raise ValueError(f"{name} must be one number or {n_units} (one per unit), got {values!r}")
    return np.broadcast_to(v.reshape(-1), (n_units,)).copy()


def check_scale(name: str, values: Any, n_units: int = 1) -> np.ndarray:
    """Check a positive scale (a standard deviation, a unit conversion), one per unit."""
    v = per_unit(name, values, n_units)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {values!r}")
    return v


def check_autocorr(values: Any, n_units: int = 1) -> np.ndarray:
    """Lag-1 residual autocorrelation in (-1, 1), one per unit."""
    v = per_unit("residual_autocorr", values, n_units)
    if not np.all(np.isfinite(v)) or np.any((v <= -1) | (v >= 1)):
        raise ValueError(f"residual_autocorr must lie in (-1, 1), got {values!r}")
    return v


def check_weights(score_weights: Mapping[str, float] | None) -> dict[str, float]:
    """Weights of the :data:`SCORE_KEYS` (default 0.5 each; a missing key weighs 0)."""
    if score_weights is None:
        return {
            "assurance": 0.5,
            "cost_efficiency": 0.5,
            "learning_value": 0.0,
            "decision_value": 0.0,
        }
    if not isinstance(score_weights, Mapping):
        raise TypeError(f"score_weights must be a mapping, got {type(score_weights).__name__}")
    unknown = sorted(set(score_weights) - set(SCORE_KEYS))
    if unknown:
        raise ValueError(
            f"unknown score_weights keys {unknown}; allowed keys are {list(SCORE_KEYS)}"
        )
    weights = {
        k: check_number(f"score_weights[{k!r}]", score_weights.get(k, 0.0), low=0.0)
        for k in SCORE_KEYS
    }
    if sum(weights.values()) == 0:
        raise ValueError(
            f"score_weights must be finite, >= 0 and not all 0, got {dict(score_weights)}"
        )
    return weights
