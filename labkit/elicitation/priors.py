"""Maximum-entropy priors for a pymc-marketing MMM, fitted to an elicitation posterior.

pymc-marketing divides the target and each channel's spend by their maxima
(max-abs scaling), so the MMM's saturation parameters live on that scale: a
curve's height in units of the target's maximum, a half-saturation spend in
units of the channel's maximum spend. :func:`original_unit_scales` gives the
factor from one scale to the other; :func:`fit_prior` fits, on the MMM's scale,
the least committal Beta or Gamma that puts a given mass on the posterior's
HDI; :func:`mmm_priors` does so for each parameter of the tested channel and
returns ready-made ``Prior`` objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import preliz as pz
import xarray as xr
from preliz.distributions.distributions import Distribution
from pymc_extras.prior import Prior

from labkit._notices import third_party_notices
from labkit.elicitation.posterior import ElicitationResult
from labkit.response import get_saturation
from labkit.stats import PRIOR_MASS, hdi

if TYPE_CHECKING:
    from pymc_marketing.mmm.components.saturation import SaturationTransformation


@dataclass(frozen=True)
class FittedPrior:
    """A distribution fitted to put ``mass`` of its probability on an interval.

    Attributes
    ----------
    family : str
        ``"Beta"`` or ``"Gamma"``.
    params : dict
        Its parameters (PyMC names).
    lower, upper : float
        The target interval (MMM scale).
    mass : float
        The mass actually achieved on the interval.
    scale : float
        Original units per MMM-scale unit.
    """

    family: str
    params: dict[str, float]
    lower: float
    upper: float
    mass: float
    scale: float

    def dist(self) -> Distribution:
        """Return the fitted distribution as a PreliZ object."""
        return getattr(pz, self.family)(**self.params)


def original_unit_scales(
    saturation: str | SaturationTransformation, target_scale: float, channel_scale: float
) -> dict[str, float]:
    """Original units per MMM-scale unit of each saturation parameter.

    A parameter in original units is its MMM-scale value times this factor: the
    target's maximum for a curve's height (``alpha`` of Michaelis-Menten,
    ``beta`` of the logistic), the channel's maximum spend for a half-saturation
    spend (``lam`` of Michaelis-Menten) and its inverse for a steepness per unit
    of spend (``lam`` of the logistic).

    Parameters
    ----------
    saturation : str or pymc-marketing saturation instance
        ``"michaelis_menten"`` or ``"logistic"``.
    target_scale, channel_scale : float
        pymc-marketing's max-abs scales (> 0) of the target and of the channel.

    Returns
    -------
    dict
        ``{param: factor}``.
    """
    sat = get_saturation(saturation)
    for name, value in (("target_scale", target_scale), ("channel_scale", channel_scale)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {value}")
    scales = {
        "michaelis_menten": {"alpha": target_scale, "lam": channel_scale},
        "logistic": {"beta": target_scale, "lam": 1.0 / channel_scale},
    }.get(sat.name)
    if scales is None:
        raise ValueError(
            f"original-unit scales are defined for michaelis_menten and logistic, got {sat.name}"
        )
    return {p: float(v) for p, v in scales.items()}


def fit_prior(
    samples: np.ndarray,
    scale: float,
    *,
    family: str = "auto",
    hdi_prob: float = PRIOR_MASS,
    mass: float = PRIOR_MASS,
) -> FittedPrior:
    """Fit the maximum-entropy prior with ``mass`` on the samples' HDI, MMM scale.

    The fit is PreliZ's ``maxent`` through ``pymc_extras.prior.Prior.constrain``:
    among the family's members with ``mass`` on the interval, the one with the
    largest entropy (the least committal).

    Parameters
    ----------
    samples : numpy.ndarray
        Posterior draws in original units.
    scale : float
        pymc-marketing's max-abs scale of the quantity (> 0): the target's maximum
        for a curve's height, the channel's maximum spend for its half-saturation.
    family : {"auto", "Beta", "Gamma"}
        ``"auto"`` takes a Beta when the scaled HDI lies inside (0, 1), else a Gamma.
    hdi_prob, mass : float
        The HDI of the samples, and the mass the prior puts on it.

    Returns
    -------
    FittedPrior

    Raises
    ------
    ValueError
        If ``family="Beta"`` but the scaled interval is not inside (0, 1).
    """
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a finite number > 0, got {scale}")
    if not 0 < mass < 1:
        raise ValueError(f"mass must be in (0, 1), got {mass}")
    lower, upper = (float(v) for v in hdi(np.asarray(samples, dtype=float) / scale, hdi_prob))
    inside = 0 < lower < upper < 1
    if family == "auto":
        family = "Beta" if inside else "Gamma"
    if family == "Beta":
        if not inside:
            raise ValueError(
                f"a Beta prior needs an interval inside (0, 1); the scaled HDI is "
                f"[{lower:.4g}, {upper:.4g}]: use family='Gamma' (or 'auto')"
            )
    elif family == "Gamma":
        if lower <= 0:
            raise ValueError(
                f"a Gamma prior needs a positive interval, got [{lower:.4g}, {upper:.4g}]"
            )
    else:
        raise ValueError(f"family must be 'auto', 'Beta' or 'Gamma', got {family!r}")
    # The maximum-entropy member of the family with `mass` on [lower, upper]
    # (PreliZ's maxent through pymc-extras): a scipy optimisation, no graph to compile.
    with third_party_notices():
        fitted = Prior(family).constrain(lower=lower, upper=upper, mass=mass)
        params = {k: float(fitted.parameters[k]) for k in ("alpha", "beta")}
        dist = fitted.preliz
        achieved = float(dist.cdf(upper) - dist.cdf(lower))
    return FittedPrior(family, params, lower, upper, achieved, float(scale))


def mmm_priors(
    result: ElicitationResult,
    channel: str,
    channels: Sequence[str],
    *,
    target_scale: float,
    channel_scale: float,
    hdi_prob: float = PRIOR_MASS,
    mass: float = PRIOR_MASS,
    family: str = "auto",
    wide: Mapping[str, float] | None = None,
) -> tuple[dict[str, Prior], dict[str, FittedPrior]]:
    """Saturation priors for a pymc-marketing MMM from an elicitation posterior.

    The tested ``channel`` gets priors fitted to the elicitation posterior on the
    MMM's internal scale (the curve's height divided by ``target_scale``, its
    half-saturation by ``channel_scale``); the other channels keep a wide prior of
    the same family.

    Parameters
    ----------
    result : ElicitationResult
        A Michaelis-Menten (``alpha, lam``) or logistic (``lam, beta``) elicitation.
    channel : str
        The channel the experiment was run on.
    channels : sequence of str
        The MMM's channels, in its order.
    target_scale, channel_scale : float
        pymc-marketing's max-abs scales (target max and the channel's max spend).
    hdi_prob, mass : float
    family : {"auto", "Beta", "Gamma"}
    wide : dict, optional
        Parameters of the wide prior for untested channels; default Beta(1.8, 2)
        or Gamma(mu=1, sigma=1).

    Returns
    -------
    priors : dict
        ``{param: pymc_extras.prior.Prior}`` with ``dims="channel"``, ready for
        ``MichaelisMentenSaturation(priors=...)``.
    fitted : dict
        ``{param: FittedPrior}`` for the tested channel.
    """
    channels = list(channels)
    if channel not in channels:
        raise ValueError(f"channel {channel!r} is not one of {channels}")
    sat = result.saturation
    scales = original_unit_scales(sat.name, target_scale, channel_scale)
    fitted = {
        p: fit_prior(result.draws(p), scales[p], family=family, hdi_prob=hdi_prob, mass=mass)
        for p in sat.params
    }
    priors = {}
    for p, fp in fitted.items():
        # Beta(1.8, 2) (the article's wide prior) or Gamma(1, 1): for channels with no experiment
        default = dict(
            wide
            or ({"alpha": 1.8, "beta": 2.0} if fp.family == "Beta" else {"alpha": 1.0, "beta": 1.0})
        )
        values = {
            n: xr.DataArray(
                [fp.params[n] if c == channel else default[n] for c in channels],
                dims="channel",
                coords={"channel": channels},
            )
            for n in ("alpha", "beta")
        }
        priors[p] = Prior(fp.family, **values, dims="channel")
    return priors, fitted


def fitted_prior_table(fitted: Mapping[str, FittedPrior]) -> pd.DataFrame:
    """Tabulate fitted priors, one row per parameter.

    Parameters
    ----------
    fitted : dict
        ``{param: FittedPrior}``, as :func:`mmm_priors` returns.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``parameter``; columns ``family``, the distribution's
        parameters (``alpha``, ``beta``), the target interval ``lower``,
        ``upper`` (MMM scale), the ``mass`` achieved on it and ``scale``
        (original units per MMM-scale unit).
    """
    if not isinstance(fitted, Mapping) or not all(
        isinstance(f, FittedPrior) for f in fitted.values()
    ):
        raise TypeError("fitted must be a dict of FittedPrior, as mmm_priors returns")
    rows = {
        p: {"family": f.family, **f.params, "lower": f.lower, "upper": f.upper,
            "mass": f.mass, "scale": f.scale}
        for p, f in fitted.items()
    }  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "parameter"
    return table
