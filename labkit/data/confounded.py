"""The ``confounded`` data set: a hidden driver of both spend and sales.

Weekly national sales with a concave trend, yearly seasonality and two channels
acting through geometric adstock and logistic saturation. An unobserved
variable ``z`` raises sales and, at the same time, the spend on ``x1``: a model
that cannot see ``z`` credits ``x1`` with part of ``z``'s effect. The data set
keeps the sales without each channel (``y01``, ``y02``), so the true ROAS is exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_positive
from labkit.data.simulate import SimulatedDataset, check_seed, in_range, positive_int
from labkit.response import geometric_adstock, logistic

CONFOUNDED_SEED = sum(map(ord, "labkit unobserved confounder"))

_L_MAX = 4

# True media parameters and the confounder's effect size (on y / amplitude).
_CONFOUNDED: dict[str, Any] = {
    "z_scale": 2.0,
    "x1": {"adstock_alpha": 0.4, "saturation_lam": 4.0, "beta": 0.6},
    "x2": {"adstock_alpha": 0.2, "saturation_lam": 3.0, "beta": 1.33},
}


def simulate_confounded(
    *,
    n_weeks: int = 131,
    confounder_strength: float = 0.6,
    amplitude: float = 100.0,
    seed: int = CONFOUNDED_SEED,
) -> SimulatedDataset:
    r"""Simulate a national series with an unobserved confounder.

    The structure follows pymc-marketing's unobserved-confounder example. Per
    week :math:`t` (all terms before scaling by ``amplitude``):

    * ``trend = ((t + 1) / n) ** 0.5``, a concave non-linear trend;
    * ``seasonality = 0.5 * (cs + cc) / 2`` with ``cs, cc`` the sine and cosine of
      the day of year (yearly period);
    * ``z``, the confounder: an AR(1) process (phi = 0.5) rescaled to [0, 2], so
      it moves on the same weekly time scale as spend and a smooth trend term
      cannot absorb it;
    * ``x1 = clip(0.45 * u1 + confounder_strength * z_std01, 0, 1)``: spend that
      the marketer raises when ``z`` is high; ``x2 = clip(u2, 0, 1)``, independent;
    * each channel through geometric adstock (``l_max = 4``, normalised; alpha 0.4
      and 0.2) and logistic saturation (lam 4 and 3), times beta 0.6 and 1.33;
    * ``y = amplitude * (trend + seasonality + z + x1_effect + x2_effect + eps)``,
      eps ~ N(0, 0.025); ``y01`` and ``y02`` drop ``x1_effect`` or ``x2_effect``.

    True ROAS is then ``sum(y - y01) / sum(x1)`` for ``x1`` and likewise for
    ``x2``. With the default strength, x2 is the more effective channel, while
    the correlation of ``x1`` with ``z`` makes a model without ``z`` credit x1
    with part of ``z``'s effect.

    Parameters
    ----------
    n_weeks : int
        Number of weeks (>= 56, about a year, so the seasonality is identifiable).
    confounder_strength : float
        How strongly ``z`` drives ``x1`` spend, in [0, 1].
    amplitude : float
        Scale of the target, > 0.
    seed : int
        Seed of all randomness.

    Returns
    -------
    SimulatedDataset
        Columns ``date, dayofyear, quarter, trend, cs, cc, seasonality, z, x1, x2,
        epsilon, x1_adstock, x2_adstock, x1_adstock_saturated, x2_adstock_saturated,
        x1_effect, x2_effect, y, y01, y02`` (effects and components before scaling,
        ``y*`` after).
    """
    n_weeks = positive_int("n_weeks", n_weeks)
    if n_weeks < 56:
        raise ValueError(f"n_weeks must be >= 56 to hold a year of seasonality, got {n_weeks}")
    strength = in_range("confounder_strength", confounder_strength, 0.0, 1.0)
    amplitude = check_positive("amplitude", amplitude)
    rng = np.random.default_rng(check_seed(seed))

    dates = pd.date_range("2021-10-02", periods=n_weeks, freq="W-SAT")
    t = np.arange(n_weeks)
    dayofyear = dates.day_of_year.to_numpy()
    trend = ((t + 1) / n_weeks) ** 0.5
    cs = np.sin(2 * np.pi * dayofyear / 365.25)
    cc = np.cos(2 * np.pi * dayofyear / 365.25)
    seasonality = 0.5 * (cs + cc) / 2

    phi = 0.5
    shocks = rng.normal(0.0, 1.0, n_weeks)
    z_raw = np.empty(n_weeks)
    z_raw[0] = shocks[0] / np.sqrt(1 - phi**2)
    for i in range(1, n_weeks):
        z_raw[i] = phi * z_raw[i - 1] + shocks[i]
    z01 = (z_raw - z_raw.min()) / (z_raw.max() - z_raw.min())
    z = _CONFOUNDED["z_scale"] * z01

    u1 = rng.uniform(0.0, 1.0, n_weeks)
    u2 = rng.uniform(0.0, 1.0, n_weeks)
    x1 = np.clip(0.45 * u1 + strength * z01, 0.0, 1.0)
    x1 = np.where(u1 > 0.85, 0.0, x1)  # some dark weeks
    x2 = np.clip(u2, 0.0, 1.0)
    x2 = np.where(u2 > 0.8, 0.0, x2)

    params = {ch: dict(_CONFOUNDED[ch]) for ch in ("x1", "x2")}
    out: dict[str, np.ndarray] = {}
    for name, x in (("x1", x1), ("x2", x2)):
        p = params[name]
        ad = geometric_adstock(x, p["adstock_alpha"], _L_MAX, normalize=True)
        sat = logistic(ad, p["saturation_lam"], 1.0)
        out[f"{name}_adstock"] = ad
        out[f"{name}_adstock_saturated"] = sat
        out[f"{name}_effect"] = p["beta"] * sat

    epsilon = rng.normal(0.0, 0.025, n_weeks)
    base = trend + seasonality + z + epsilon
    y = amplitude * (base + out["x1_effect"] + out["x2_effect"])
    y01 = amplitude * (base + out["x2_effect"])
    y02 = amplitude * (base + out["x1_effect"])

    df = pd.DataFrame(
        {
            "date": dates,
            "dayofyear": dayofyear,
            "quarter": dates.quarter.map(lambda q: f"Q{q}"),
            "trend": trend,
            "cs": cs,
            "cc": cc,
            "seasonality": seasonality,
            "z": z,
            "x1": x1,
            "x2": x2,
            "epsilon": epsilon,
            **out,
            "y": y,
            "y01": y01,
            "y02": y02,
        }
    )
    true_roas = {
        "x1": float((y - y01).sum() / x1.sum()),
        "x2": float((y - y02).sum() / x2.sum()),
    }
    truth = {
        "seed": int(seed),
        "amplitude": amplitude,
        "confounder_strength": strength,
        "l_max": _L_MAX,
        "adstock": "geometric",
        "adstock_normalize": True,
        "saturation": "logistic",
        "channels": params,
        "noise_sd": 0.025,
        "z_ar1_phi": phi,
        "true_roas": true_roas,
        "corr_x1_z": float(np.corrcoef(x1, z)[0, 1]),
        "corr_x2_z": float(np.corrcoef(x2, z)[0, 1]),
        "note": (
            "True ROAS ignores carryover beyond the series end: sum(y - y0k) / sum(xk). "
            "z is unobserved by the models in the book."
        ),
    }
    return SimulatedDataset("confounded", df, truth)
