"""A channel's saturation parameters, from a fitted MMM back to original units.

pymc-marketing fits the saturation curve on max-abs scaled data, so its
``saturation_*`` draws are on the MMM's scale. Multiplied by
:func:`~labkit.elicitation.priors.original_unit_scales` they are in the units of
the truth: sales for a curve's height, spend for a half-saturation.
:func:`posterior_saturation_draws` and :func:`prior_saturation_draws` return one
channel's draws in those units, one row per draw and one column per parameter;
:func:`recovery_table` sets their means and spreads against the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from pymc_extras.prior import Prior

from labkit.elicitation.priors import original_unit_scales
from labkit.response import Saturation, get_saturation

if TYPE_CHECKING:
    from pymc_marketing.mmm.multidimensional import MMM

__all__ = ["posterior_saturation_draws", "prior_saturation_draws", "recovery_table"]


def _single(value: xr.DataArray, what: str) -> float:
    if value.size != 1:
        raise ValueError(
            f"{what} has dims {value.dims}: original units are defined for a national "
            "model (one scale per channel)"
        )
    return float(value.to_numpy().reshape(-1)[0])


def _saturation_and_scales(mmm: MMM, channel: str) -> tuple[Saturation, dict[str, float]]:
    """Return the MMM's saturation family and each parameter's original-unit factor."""
    channels = list(mmm.channel_columns)
    if channel not in channels:
        raise ValueError(f"channel {channel!r} is not one of the MMM's channels {channels}")
    try:
        scales = mmm.get_scales_as_xarray()
    except (AttributeError, ValueError) as err:
        raise ValueError("the MMM has no scales yet: build or fit it first") from err
    sat = get_saturation(mmm.saturation)
    target_scale = _single(scales["target_scale"], "target_scale")
    channel_scale = _single(scales["channel_scale"].sel(channel=channel), "channel_scale")
    return sat, original_unit_scales(sat.name, target_scale, channel_scale)


def posterior_saturation_draws(mmm: MMM, channel: str) -> pd.DataFrame:
    """Posterior draws of one channel's saturation parameters, in original units.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A fitted national MMM with Michaelis-Menten or logistic saturation.
    channel : str
        One of its channels.

    Returns
    -------
    pandas.DataFrame
        One row per draw (chains stacked), one column per saturation parameter
        (``alpha, lam`` for Michaelis-Menten, ``lam, beta`` for the logistic).

    Raises
    ------
    ValueError
        If the MMM is not fitted, ``channel`` is not one of its channels, or its
        saturation parameters vary along dims other than ``channel`` (geos).
    """
    sat, scales = _saturation_and_scales(mmm, channel)
    posterior = getattr(getattr(mmm, "idata", None), "posterior", None)
    if posterior is None:
        raise ValueError("the MMM has no posterior: fit it first")
    columns = {}
    for p in sat.params:
        draws = posterior[mmm.saturation.variable_mapping[p]]
        if "channel" in draws.dims:
            draws = draws.sel(channel=channel)
        extra = sorted(set(draws.dims) - {"chain", "draw"})
        if extra:
            raise ValueError(
                f"saturation {p} varies along {extra}: original units are defined for a "
                "national model"
            )
        columns[p] = draws.transpose("chain", "draw").to_numpy().reshape(-1) * scales[p]
    return pd.DataFrame(columns)


def _at_channel(
    value: float | np.ndarray | xr.DataArray | Prior,
    prior: Prior,
    channel: str,
    channels: list[str],
) -> float:
    """Return a prior parameter's value for one channel (scalar, array or DataArray)."""
    if isinstance(value, Prior):
        raise ValueError("hierarchical saturation priors are not supported")
    if isinstance(value, xr.DataArray):
        if "channel" in value.dims:
            value = value.sel(channel=channel)
        return _single(value, "a prior parameter")
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return float(array)
    if tuple(prior.dims) == ("channel",) and array.shape == (len(channels),):
        return float(array[channels.index(channel)])
    raise ValueError(f"a prior parameter of shape {array.shape} does not match dims {prior.dims}")


def prior_saturation_draws(
    mmm: MMM,
    channel: str,
    *,
    draws: int = 4000,
    random_seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draws of one channel's saturation priors, in original units.

    Each prior is drawn with PreliZ at the channel's own parameter values, then
    multiplied by the parameter's original-unit factor, so prior and posterior
    draws (:func:`posterior_saturation_draws`) compare on one scale.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A built or fitted national MMM with Michaelis-Menten or logistic
        saturation and non-hierarchical saturation priors.
    channel : str
        One of its channels.
    draws : int
        Number of draws.
    random_seed : int or numpy.random.Generator, optional
        Source of the draws.

    Returns
    -------
    pandas.DataFrame
        One row per draw, one column per saturation parameter.
    """
    sat, scales = _saturation_and_scales(mmm, channel)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be an int >= 1, got {draws!r}")
    channels = list(mmm.channel_columns)
    rng = np.random.default_rng(random_seed)
    columns = {}
    for p in sat.params:
        prior = mmm.saturation.function_priors[p]
        if prior.transform is not None:
            raise ValueError(f"the {p} prior has a transform ({prior.transform}): not supported")
        values = {k: _at_channel(v, prior, channel, channels) for k, v in prior.parameters.items()}
        dist = Prior(prior.distribution, **values).preliz
        columns[p] = np.asarray(dist.rvs(draws, random_state=rng)) * scales[p]
    return pd.DataFrame(columns)


def recovery_table(
    draws: Mapping[str, pd.DataFrame | Mapping[str, np.ndarray]], truth: Mapping[str, float]
) -> pd.DataFrame:
    """Posterior mean and spread of each parameter, per model, against the truth.

    Parameters
    ----------
    draws : dict
        ``{model name: draws}``, each a table (or dict of arrays) with one
        column per parameter, in original units, e.g. from
        :func:`posterior_saturation_draws`.
    truth : dict
        ``{param: true value}``; these parameters are summarised.

    Returns
    -------
    pandas.DataFrame
        One row per (``model``, ``parameter``), columns ``mean``, ``sd``,
        ``truth`` and ``abs_error`` (``|mean - truth|``).
    """
    if not draws:
        raise ValueError("draws must name at least one model")
    rows = []
    for model, table in draws.items():
        missing = [p for p in truth if p not in table]
        if missing:
            raise ValueError(f"draws[{model!r}] has no column(s) {missing}")
        for p, true in truth.items():
            values = np.asarray(table[p], dtype=float)
            mean = float(values.mean())
            rows.append(
                {"model": model, "parameter": p, "mean": mean, "sd": float(values.std()),
                 "truth": float(true), "abs_error": abs(mean - float(true))}
            )  # fmt: skip
    return pd.DataFrame(rows)
