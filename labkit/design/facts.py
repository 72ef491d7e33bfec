"""TODO docstring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_int


@dataclass(frozen=True)
class MMMFacts:
    """What :func:`mmm_facts` extracts (model scale unless stated)."""

    channels: list[str]
    units: list[str]
    current_spend: dict[str, np.ndarray]
    residual_std: np.ndarray
    residual_autocorr: np.ndarray
    spend_correlation: pd.DataFrame
    channel_scale: dict[str, float]
    target_scale: np.ndarray


def check_fitted(mmm: Any) -> None:
    """Raise a clear error unless ``mmm`` is a fitted multidimensional MMM."""
    if not all(hasattr(mmm, a) for a in ("channel_columns", "adstock", "saturation")):
        raise TypeError(
            f"mmm must be a pymc-marketing multidimensional MMM, got {type(mmm).__name__}"
        )
    idata = getattr(mmm, "idata", None)
    if idata is None or "posterior" not in idata:
        raise ValueError("mmm is not fitted: call mmm.fit(X, y) first (mmm.idata has no posterior)")


def _lag1(resid: np.ndarray) -> float:
    r = resid - resid.mean()
    denom = float(r @ r)
    return float(r[1:] @ r[:-1] / denom) if denom > 0 else 0.0


def mmm_facts(
    mmm: Any, *, last_weeks: int = 8, max_ppc_draws: int = 500, random_seed: int = 0
) -> MMMFacts:
    """Extract spend, residual noise, correlation and scales from a fitted MMM.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted, with no dims or ``dims=("geo",)``.
    last_weeks : int
        Weeks averaged for the current spend (>= 1).
    max_ppc_draws : int
        Posterior draws (evenly thinned) used for the posterior-predictive mean (>= 1).
    random_seed : int
        Seed of the posterior-predictive draws (>= 0).

    Returns
    -------
    MMMFacts
    """
    import pymc as pm

    check_fitted(mmm)
    last_weeks = check_int("last_weeks", last_weeks, minimum=1)
    max_ppc_draws = check_int("max_ppc_draws", max_ppc_draws, minimum=1)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    dims = tuple(mmm.dims or ())
    if dims not in ((), ("geo",)):
        raise ValueError(f"only national models or dims=('geo',) are supported, got dims={dims}")
    channels = [str(c) for c in mmm.channel_columns]
    data = mmm.xarray_dataset
    spend = data["_channel"].sel(channel=channels)
    target = data["_target"]
    if "geo" not in spend.dims:
        spend = spend.expand_dims(geo=["national"])
        target = target.expand_dims(geo=["national"])
    units = [str(g) for g in spend.coords["geo"].to_numpy()]
    scales = mmm.get_scales_as_xarray()
    channel_scale = scales["channel_scale"].broadcast_like(spend.isel(date=0))
    target_scale = scales["target_scale"].broadcast_like(target.isel(date=0))
    spend_model = (spend / channel_scale).transpose("date", "geo", "channel")
    current = spend_model.isel(date=slice(-last_weeks, None)).mean("date")
    current_spend = {c: current.sel(channel=c).to_numpy().astype(float) for c in channels}

    national = spend.sum("geo").to_pandas()
    corr = national.corr().reindex(index=channels, columns=channels).fillna(0.0)
    for c in channels:
        corr.loc[c, c] = 1.0

    posterior = mmm.idata.posterior
    n_total = posterior.sizes["chain"] * posterior.sizes["draw"]
    step = max(1, int(np.ceil(n_total / max_ppc_draws)))
    thinned = posterior.stack(sample=("chain", "draw")).isel(sample=slice(None, None, step))
    thinned = thinned.drop_vars(["chain", "draw", "sample"]).rename(sample="draw")
    thinned = thinned.expand_dims(chain=[0]).transpose("chain", "draw", ...)
    with mmm.model:
        ppc = pm.sample_posterior_predictive(
            thinned, var_names=["y"], random_seed=random_seed, progressbar=False
        )
    expected = ppc.posterior_predictive["y"].mean(("chain", "draw"))
    observed = (target / target_scale).transpose("date", "geo")
    if "geo" not in expected.dims:
        expected = expected.expand_dims(geo=units)
    resid = (observed - expected.transpose("date", "geo")).to_numpy()
    residual_std = resid.std(axis=0, ddof=1)
    residual_autocorr = np.array([_lag1(resid[:, g]) for g in range(resid.shape[1])])
    cs = channel_scale.isel(geo=0) if "geo" in channel_scale.dims else channel_scale
    return MMMFacts(
        channels=channels,
        units=units,
        current_spend=current_spend,
        residual_std=residual_std,
        residual_autocorr=residual_autocorr,
        spend_correlation=corr,
        channel_scale={c: float(cs.sel(channel=c)) for c in channels},
        target_scale=target_scale.to_numpy().astype(float).reshape(-1),
    )
