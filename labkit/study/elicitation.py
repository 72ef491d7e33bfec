"""Study of chapter 4: whether priors elicited from one experiment make the MMM more accurate.

Each seed simulates a new ``two_countries`` world (new spend, noise and so a new
experiment read-out; the same true curves), reads the Meta cut with a CausalPy
synthetic control, elicits the saturation posterior on the grid, turns it into
MMM priors and fits the chapter's generic and informed MMMs, with the functions
the notebook calls. The notebook asserts that its model is :func:`build_elicitation_mmm`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pymc_extras.prior import Prior

__all__ = ["CHANNELS", "build_elicitation_mmm", "elicitation_study", "generic_priors"]

CHANNELS = ["meta", "google"]


def generic_priors() -> dict[str, Prior]:
    """Return the generic model's saturation priors (the article's defaults)."""
    from pymc_extras.prior import Prior

    return {
        "alpha": Prior("HalfNormal", sigma=1, dims="channel"),
        "lam": Prior("Gamma", mu=2, sigma=1, dims="channel"),
    }


def build_elicitation_mmm(saturation_priors: Mapping[str, Prior]) -> Any:
    """Build the chapter's MMM with the given saturation priors (see the notebook)."""
    from pymc_extras.prior import Prior
    from pymc_marketing.mmm import GeometricAdstock, MichaelisMentenSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    return MMM(
        date_column="date",
        target_column="venezuela",
        channel_columns=CHANNELS,
        control_columns=["trend"],
        adstock=GeometricAdstock(
            l_max=4, priors={"alpha": Prior("Beta", alpha=2, beta=5, dims="channel")}
        ),
        saturation=MichaelisMentenSaturation(priors=dict(saturation_priors)),
        yearly_seasonality=4,
    )


def elicitation_study(seed: int) -> dict[str, Any]:
    """Experiment read-out, elicited priors and generic vs informed recovery in world ``seed``."""
    import causalpy as cp
    import pandas as pd

    from labkit.data import simulate_two_countries
    from labkit.elicitation import (
        elicit,
        experiment_observation,
        mmm_priors,
        posterior_saturation_draws,
        recovery_table,
    )
    from labkit.sampling import mmm_fit_kwargs, pm_sample_kwargs

    ds = simulate_two_countries(seed=seed)
    df, truth = ds.data, ds.truth
    true = {
        "alpha": truth["channels"]["meta"]["saturation_alpha"],
        "lam": truth["channels"]["meta"]["saturation_lam"],
    }
    start, end = pd.Timestamp(truth["treatment_start"]), pd.Timestamp(truth["treatment_end"])
    data = df[df["date"] <= end].set_index("date")[["venezuela", "colombia"]]
    sc_kwargs = pm_sample_kwargs(seed, target_accept=0.95) | {"progressbar": False}
    result = cp.SyntheticControl(
        data,
        start,
        control_units=["colombia"],
        treated_units=["venezuela"],
        model=cp.pymc_models.WeightedSumFitter(sample_kwargs=sc_kwargs),
    )
    observation = experiment_observation(
        result,
        df.set_index("date")["meta"],
        counterfactual_spend=df.set_index("date")["meta_counterfactual"],
        random_seed=seed,
    )
    grid_post = elicit(observation.to_frame(), method="grid", random_seed=seed)
    informed_priors, _ = mmm_priors(
        grid_post,
        "meta",
        CHANNELS,
        target_scale=df["venezuela"].max(),
        channel_scale=df["meta"].max(),
    )
    X = df[["date", "meta", "google", "trend"]]
    y = df["venezuela"].rename("venezuela")
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, target_accept=0.95) | {"progressbar": False}
    draws = {}
    for name, priors in (("generic", generic_priors()), ("informed", informed_priors)):
        model = build_elicitation_mmm(priors)
        model.fit(X, y, **fit_kwargs)
        draws[name] = posterior_saturation_draws(model, "meta")
    table = recovery_table(draws, true).set_index(["model", "parameter"])
    informed, generic = table.loc["informed"], table.loc["generic"]
    _, hi = observation.effect_hdi
    estimate = float(observation.total_effect.mean())
    det = {k: float(np.linalg.det(v.cov())) for k, v in draws.items()}
    return {
        "effect_estimate": estimate,
        "true_lost_in_window": -truth["true_lost_sales_in_window"],
        "rate_mean": observation.rate_mean,
        "rate_sd": observation.rate_sd,
        "generic_alpha_error": float(generic.loc["alpha", "abs_error"]),
        "informed_alpha_error": float(informed.loc["alpha", "abs_error"]),
        "generic_lam_error": float(generic.loc["lam", "abs_error"]),
        "informed_lam_error": float(informed.loc["lam", "abs_error"]),
        "generic_alpha_sd": float(generic.loc["alpha", "sd"]),
        "informed_alpha_sd": float(informed.loc["alpha", "sd"]),
        "generic_lam_sd": float(generic.loc["lam", "sd"]),
        "informed_lam_sd": float(informed.loc["lam", "sd"]),
        "claim_cut_detected": bool(hi < 0),
        "claim_estimate_understates_loss": bool(abs(estimate) < truth["true_lost_sales_in_window"]),
        "claim_informed_closer": bool((informed["abs_error"] < generic["abs_error"]).all()),
        "claim_informed_narrower": bool((informed["sd"] < generic["sd"]).all()),
        "claim_informed_covers_less_plane": bool(det["informed"] < det["generic"]),
    }
