"""The ``two_countries`` data set: a spend cut with a natural control.

Venezuela and Colombia share a trend and a yearly season. For ten weeks in the
autumn of 2021, Venezuela's ``meta`` spend falls by 90 % while Colombia keeps
spending, so Colombia can serve as the control of a synthetic control. Both
channels act through geometric adstock and Michaelis-Menten saturation; the
truth records the sales the cut cost, within the window and with carryover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labkit._validate import check_date
from labkit.data.simulate import (
    SimulatedDataset,
    check_seed,
    gamma_draws,
    in_range,
    positive_int,
    smooth,
)
from labkit.response import geometric_adstock, michaelis_menten

TWO_COUNTRIES_SEED = sum(
    map(ord, "calibrating mmm with experiments")
)  # 3223, as in the article *From Experiments to Priors*


_L_MAX = 4

# Colombia's sales base and curve parameters, relative to Venezuela's.
_COLOMBIA_MULTIPLIERS = {
    "base": 1.05,
    "meta_alpha": 0.9,
    "meta_lam": 1.1,
    "google_alpha": 0.85,
    "google_lam": 1.05,
}


def _contribution(
    spend: np.ndarray, params: dict[str, float], alpha_factor: float = 1.0, lam_factor: float = 1.0
) -> np.ndarray:
    """Sales from one channel: geometric adstock, then Michaelis-Menten saturation."""
    adstocked = geometric_adstock(spend, params["adstock_alpha"], _L_MAX, normalize=True)
    return michaelis_menten(
        adstocked, params["saturation_alpha"] * alpha_factor, params["saturation_lam"] * lam_factor
    )


def simulate_two_countries(
    *,
    n_weeks: int = 150,
    treatment_start: str = "2021-09-26",
    treatment_end: str = "2021-11-28",
    cut_fraction: float = 0.9,
    seed: int = TWO_COUNTRIES_SEED,
) -> SimulatedDataset:
    """Simulate a two-country experiment: a 90 % meta cut in Venezuela.

    The set-up follows the article *From Experiments to Priors*.

    Weekly (Sunday) dates from 2021-01-03. ``meta`` spend ~ Gamma(mean 3, sd 1)
    and ``google`` ~ Gamma(mean 2, sd 0.8), both smoothed with an 8-week moving
    average. Both countries share ``3 + trend + seasonality`` (trend 0 -> 0.5,
    yearly sine of amplitude 0.3; Colombia's base is 5 % higher). Media act
    through geometric adstock (``l_max = 4``, normalised; meta 0.6, google 0.4)
    and Michaelis-Menten saturation (meta alpha 2.75, lam 2.5; google alpha 2.0,
    lam 3.0). Colombia's curves differ slightly (alpha x 0.9 / 0.85, lam x 1.1 /
    1.05) and its meta spend is never cut. Noise N(0, 0.15) per country.

    Parameters
    ----------
    n_weeks : int
        Number of weeks (> 0).
    treatment_start, treatment_end : str
        First and last date of the cut (inclusive); both must be dates of the
        series and ``treatment_start < treatment_end``, with pre-treatment weeks.
    cut_fraction : float
        Share of meta spend removed in Venezuela during the window, in (0, 1].
    seed : int
        Seed of all randomness.

    Returns
    -------
    SimulatedDataset
        Columns ``date, venezuela, colombia, meta, meta_counterfactual, google,
        trend, treatment, venezuela_no_cut`` (the last is Venezuela's expected
        sales had meta not been cut, i.e. without noise difference).
    """
    n_weeks = positive_int("n_weeks", n_weeks)
    cut = in_range("cut_fraction", cut_fraction, 0.0, 1.0)
    if cut == 0:
        raise ValueError("cut_fraction must lie in (0, 1], got 0.0")
    seed = check_seed(seed)
    dates = pd.date_range("2021-01-03", periods=n_weeks, freq="W-SUN")
    start = check_date("treatment_start", treatment_start)
    end = check_date("treatment_end", treatment_end)
    if start >= end:
        raise ValueError(
            f"treatment_start ({start.date()}) must be before treatment_end ({end.date()})"
        )
    for name, ts in (("treatment_start", start), ("treatment_end", end)):
        if ts < dates[1] or ts > dates[-1]:
            raise ValueError(
                f"{name} = {ts.date()} is outside the series: it must lie in "
                f"[{dates[1].date()}, {dates[-1].date()}] (with at least one pre-treatment week)"
            )
    window = 8
    if n_weeks < 3 * window:
        raise ValueError(f"n_weeks must be >= {3 * window} for the smoothing window, got {n_weeks}")
    rng = np.random.default_rng(seed)

    meta = smooth(gamma_draws(rng, 3.0, 1.0, n_weeks), window)
    google = smooth(gamma_draws(rng, 2.0, 0.8, n_weeks), window)
    trend = np.linspace(0.0, 0.5, n_weeks)
    seasonality = 0.3 * np.sin(2 * np.pi * np.arange(n_weeks) / 52)
    intercept = 3.0
    base = intercept + trend + seasonality
    treatment = np.asarray((dates >= start) & (dates <= end))
    meta_ve = meta.copy()
    meta_ve[treatment] *= 1.0 - cut

    true = {
        "meta": {"saturation_alpha": 2.75, "saturation_lam": 2.5, "adstock_alpha": 0.6},
        "google": {"saturation_alpha": 2.0, "saturation_lam": 3.0, "adstock_alpha": 0.4},
    }
    co = _COLOMBIA_MULTIPLIERS
    ve_meta = _contribution(meta_ve, true["meta"])
    ve_meta_no_cut = _contribution(meta, true["meta"])
    ve_google = _contribution(google, true["google"])
    co_meta = _contribution(meta, true["meta"], co["meta_alpha"], co["meta_lam"])
    co_google = _contribution(google, true["google"], co["google_alpha"], co["google_lam"])
    noise_ve = rng.normal(0.0, 0.15, n_weeks)
    noise_co = np.random.default_rng(seed + 1).normal(0.0, 0.15, n_weeks)
    venezuela = base + ve_meta + ve_google + noise_ve
    colombia = base * co["base"] + co_meta + co_google + noise_co

    df = pd.DataFrame(
        {
            "date": dates,
            "venezuela": venezuela,
            "colombia": colombia,
            "meta": meta_ve,
            "meta_counterfactual": meta,
            "google": google,
            "trend": trend,
            "treatment": treatment,
            "venezuela_no_cut": base + ve_meta_no_cut + ve_google + noise_ve,
        }
    )
    lost = ve_meta_no_cut - ve_meta
    n_treat = int(treatment.sum())
    truth = {
        "seed": seed,
        "intercept": intercept,
        "noise_sd": 0.15,
        "l_max": _L_MAX,
        "adstock": "geometric",
        "adstock_normalize": True,
        "saturation": "michaelis_menten",
        "channels": true,
        "colombia_multipliers": dict(co),
        "treatment_start": str(start.date()),
        "treatment_end": str(end.date()),
        "treatment_weeks": n_treat,
        "cut_fraction": cut,
        "true_lost_sales_in_window": float(lost[treatment].sum()),
        "true_lost_sales_with_carryover": float(lost.sum()),
        "spend_cut_in_window": float((meta - meta_ve)[treatment].sum()),
    }
    return SimulatedDataset("two_countries", df, truth)
