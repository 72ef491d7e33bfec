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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from labkit._validate import check_int
from labkit.design.checks import NATIONAL
from labkit.design.engines import ComponentEngine, KernelEngine, ResponseEngine
from labkit.mmm import check_mmm, check_response_settings
from labkit.response import SATURATIONS, Saturation, get_saturation

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


def component_draws(
    posterior: xr.Dataset,
    variables: Mapping[str, str],
    units: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, dict[str, np.ndarray]]]:
    """Read a component's parameters from a posterior, per channel and unit.

    Parameters
    ----------
    posterior : xarray.Dataset
        Over ``chain, draw`` and optionally ``channel`` and ``geo``; a variable
        without ``channel`` (or ``geo``) is shared by every channel (or geo).
    variables : dict
        ``{param: posterior variable}``, e.g. a pymc-marketing component's
        ``variable_mapping``.
    units : sequence of str, optional
        The geos to read, in this order (default: the posterior's geos, or
        ``["national"]`` without a geo dimension).
    channels : sequence of str, optional
        The channels (default: the ``channel`` coordinate of the variables).

    Returns
    -------
    units : list of str
    draws : dict
        ``{channel: {param: array (n_units, n_draws)}}``.
    """
    missing = [v for v in variables.values() if v not in posterior]
    if missing:
        raise ValueError(f"the posterior is missing {missing}; the model's components need them")
    geo_units = None
    for var in variables.values():
        if "geo" in posterior[var].dims:
            geo_units = [str(g) for g in posterior[var].coords["geo"].to_numpy()]
            break
    units = list(units or geo_units or [NATIONAL])
    if channels is None:
        found = [v for v in variables.values() if "channel" in posterior[v].dims]
        if not found:
            raise ValueError("channels are required: no variable has a channel dimension")
        channels = [str(c) for c in posterior[found[0]].coords["channel"].to_numpy()]
    out: dict[str, dict[str, np.ndarray]] = {str(c): {} for c in channels}
    for param, var in variables.items():
        da = posterior[var]
        extra = cast("set[str]", set(da.dims) - {"chain", "draw", "channel", "geo"})  # str dims
        if extra:
            raise ValueError(
                f"{var} has dims {sorted(extra)} besides channel and geo; labkit reads "
                "parameters per channel and geo only"
            )
        da = da.stack(sample=("chain", "draw"))
        da = da.sel(geo=units) if "geo" in da.dims else da.expand_dims(geo=len(units))
        if "channel" not in da.dims:
            da = da.expand_dims(channel=list(out))
        da = da.sel(channel=list(out)).transpose("channel", "geo", "sample")
        values = np.ascontiguousarray(da.to_numpy(), dtype=float)
        for i, c in enumerate(out):
            out[c][param] = values[i].copy()
    return units, out


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
    names = {f"s_{p}": f"saturation_{p}" for p in saturation.params} | {"a": "adstock_alpha"}
    missing = [n for n in names.values() if n not in posterior]
    if missing:
        raise ValueError(
            f"the posterior is missing {missing}; a {saturation.name} designer needs "
            f"{list(names.values())}"
        )
    if "channel" not in posterior["adstock_alpha"].dims:
        raise ValueError("adstock_alpha has no channel dimension")
    units, draws = component_draws(posterior, names, units)
    channels = list(draws)
    return PosteriorDraws(
        channels=channels,
        units=units,
        saturation={c: {p: draws[c][f"s_{p}"] for p in saturation.params} for c in channels},
        adstock_alpha={c: draws[c]["a"] for c in channels},
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

    last_weeks = check_int("last_weeks", last_weeks, minimum=1)
    max_ppc_draws = check_int("max_ppc_draws", max_ppc_draws, minimum=1)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    check_mmm(mmm)
    check_response_settings(mmm)
    if getattr(mmm, "model", None) is None or getattr(mmm, "xarray_dataset", None) is None:
        raise ValueError(
            "mmm has a posterior but no built model to draw its posterior predictive from: "
            "call mmm.build_model(X, y) with the data it was fitted on (or load it with MMM.load)"
        )
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
    idle = [c for c in channels if not np.any(current_spend[c] > 0)]
    if idle:
        raise ValueError(
            f"channel(s) {idle} have no spend over the last {last_weeks} weeks: a relative "
            "spend change of nothing is no test; pass a larger last_weeks or drop the channel "
            "from the model"
        )

    national = spend.sum("geo").to_pandas()
    corr = national.corr().reindex(index=channels, columns=channels).fillna(0.0)
    for c in channels:
        corr.loc[c, c] = 1.0

    assert mmm.idata is not None  # check_mmm: fitted
    # arviz sets the groups of an InferenceData with setattr: the class declares none of them
    posterior = mmm.idata.posterior  # type: ignore[attr-defined]
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


ENGINES = ("auto", "kernel", "components")
"""How :meth:`ExperimentDesigner.from_mmm` computes lifts (:mod:`labkit.design.engines`)."""


def kernel_applies(mmm: MMM) -> bool:
    """Whether the compiled kernel computes this model's lifts.

    Geometric adstock (pymc-marketing's own class) applied first, then a
    logistic, Michaelis-Menten or Hill saturation (the classes themselves).
    """
    from pymc_marketing.mmm import GeometricAdstock
    from pymc_marketing.mmm.components import saturation

    curves = {getattr(saturation, s.library_class) for s in SATURATIONS.values()}
    return (
        type(mmm.adstock) is GeometricAdstock
        and bool(mmm.adstock_first)
        and type(mmm.saturation) in curves
    )


def response_engine(mmm: MMM, facts: MMMFacts, engine: str = "auto") -> ResponseEngine:
    """Return the engine that computes a fitted MMM's lifts, its parameters read off the posterior.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        Fitted, checked by :func:`mmm_facts`.
    facts : MMMFacts
        Its channels, units and current spend.
    engine : {"auto", "kernel", "components"}
        The compiled kernel, the model's own components, or the kernel where it
        applies (:func:`kernel_applies`).

    Returns
    -------
    ResponseEngine
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    kernel = kernel_applies(mmm)
    if engine == "kernel" and not kernel:
        raise ValueError(
            "engine='kernel' computes geometric adstock applied before a logistic, "
            "Michaelis-Menten or Hill saturation; this model has "
            f"{type(mmm.adstock).__name__} and {type(mmm.saturation).__name__} "
            f"(adstock_first={mmm.adstock_first}): use engine='components'"
        )
    assert mmm.idata is not None  # fitted, checked by mmm_facts
    posterior = mmm.idata.posterior  # type: ignore[attr-defined]  # an arviz group
    _, adstock = component_draws(
        posterior, mmm.adstock.variable_mapping, facts.units, facts.channels
    )
    _, saturation = component_draws(
        posterior, mmm.saturation.variable_mapping, facts.units, facts.channels
    )
    if engine == "kernel" or (engine == "auto" and kernel):
        return KernelEngine(
            saturation=get_saturation(mmm.saturation),
            params=saturation,
            adstock_alpha={c: adstock[c]["alpha"] for c in facts.channels},
            current_spend=facts.current_spend,
            l_max=mmm.adstock.l_max,
            normalize=mmm.adstock.normalize,
        )
    return ComponentEngine(
        adstock=mmm.adstock,
        saturation=mmm.saturation,
        adstock_first=mmm.adstock_first,
        adstock_params=adstock,
        saturation_params=saturation,
        current_spend=facts.current_spend,
    )
