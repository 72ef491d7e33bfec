"""What the experiment designer reads off a posterior and a fitted MMM.

- :func:`posterior_draws`: the saturation and adstock parameters of each
  channel as ``(n_units, n_draws)`` arrays, from a posterior named and shaped as
  pymc-marketing names and shapes it (``chain, draw, channel`` and optionally
  ``geo``);
- :func:`mmm_facts`: what only a fitted model knows: the current weekly spend,
  the residual noise and its autocorrelation, the spend correlation between
  channels and the scalers between the model scale and currency or outcome units.

A unit is one geo, or ``"national"`` for a model without a geo dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from labkit._validate import check_int
from labkit.design.recommendations import NATIONAL
from labkit.response import Saturation

if TYPE_CHECKING:
    import xarray as xr
    from pymc_marketing.mmm.multidimensional import MMM


@dataclass(frozen=True)
class PosteriorDraws:
    """Posterior draws of a channel's response parameters, per unit.

    Attributes
    ----------
    channels : list of str
    units : list of str
        The geos, or ``["national"]``.
    saturation : dict
        ``{channel: {param: array (n_units, n_draws)}}``, parameters named as the
        saturation family names them.
    adstock_alpha : dict
        ``{channel: array (n_units, n_draws)}``.
    """

    channels: list[str]
    units: list[str]
    saturation: dict[str, dict[str, np.ndarray]]
    adstock_alpha: dict[str, np.ndarray]


def posterior_draws(
    posterior: xr.Dataset, saturation: Saturation, units: Sequence[str] | None = None
) -> PosteriorDraws:
    """Read ``saturation_<param>`` and ``adstock_alpha`` from a posterior, per unit.

    Parameters
    ----------
    posterior : xarray.Dataset
        Holds ``saturation_<param>`` for each parameter of ``saturation`` and
        ``adstock_alpha``, over ``chain, draw, channel`` and optionally ``geo``.
        A variable without ``geo`` is shared by every geo.
    saturation : Saturation
        The saturation family (:func:`labkit.response.get_saturation`).
    units : sequence of str, optional
        The geos to read, in this order (default: the posterior's geos, or
        ``["national"]`` without a geo dimension).

    Returns
    -------
    PosteriorDraws
    """
    names = [f"saturation_{p}" for p in saturation.params] + ["adstock_alpha"]
    missing = [n for n in names if n not in posterior]
    if missing:
        raise ValueError(
            f"the posterior is missing {missing}; a {saturation.name} designer needs {names}"
        )
    geo_units = None
    for name in reversed(names):
        if "geo" in posterior[name].dims:
            geo_units = [str(g) for g in posterior[name].coords["geo"].to_numpy()]
            break
    units = list(units or geo_units or [NATIONAL])
    arrays: dict[str, dict[str, np.ndarray]] = {}
    for name in names:
        da = posterior[name]
        extra = set(da.dims) - {"chain", "draw", "channel", "geo"}
        if extra:
            raise ValueError(f"{name} has unsupported dims {sorted(extra)}")
        da = da.stack(sample=("chain", "draw"))
        if "geo" in da.dims:
            da = da.sel(geo=units).transpose("channel", "geo", "sample")
        else:
            da = da.transpose("channel", "sample").expand_dims(geo=len(units), axis=1)
        values = np.ascontiguousarray(da.to_numpy(), dtype=float)
        arrays[name] = {
            str(c): values[i].copy() for i, c in enumerate(da.coords["channel"].to_numpy())
        }
    channels = list(arrays["adstock_alpha"])
    return PosteriorDraws(
        channels=channels,
        units=units,
        saturation={
            c: {p: arrays[f"saturation_{p}"][c] for p in saturation.params} for c in channels
        },
        adstock_alpha=arrays["adstock_alpha"],
    )


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


def check_fitted(mmm: object) -> None:
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
    mmm: MMM, *, last_weeks: int = 8, max_ppc_draws: int = 500, random_seed: int = 0
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
    import pymc as pm  # only a fitted model needs PyMC: importing it takes seconds

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
