"""A comparable form of an MMM's specification.

A study refits a chapter's model in many worlds; the chapter keeps its model
specification in the notebook, where it is the lesson. The notebook asserts that
its model and the study's have the same :func:`model_spec`, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

__all__ = ["model_spec"]


def model_spec(mmm: Any) -> str:
    """Return a comparable text form of an MMM's specification (priors, transforms, options)."""
    config = {}
    for key, value in sorted(mmm.model_config.items()):
        if hasattr(value, "to_dict"):
            value = value.to_dict()
        elif hasattr(value, "model_dump"):
            value = value.model_dump()
        config[key] = value
    parts = {
        "class": type(mmm).__name__,
        "config": config,
        "adstock": (type(mmm.adstock).__name__, mmm.adstock.l_max),
        "saturation": type(mmm.saturation).__name__,
        "channels": list(mmm.channel_columns),
        "controls": list(mmm.control_columns or []),
        "target": mmm.target_column,
        "time_varying_intercept": mmm.time_varying_intercept,
        "yearly_seasonality": mmm.yearly_seasonality,
    }
    return repr(parts)
