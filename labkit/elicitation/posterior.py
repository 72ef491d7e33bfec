"""The saturation parameters consistent with observed rates of change.

Each parameter gets a HalfNormal prior and each observed rate a Normal
likelihood around the curve's derivative at its spend midpoint. With one
experiment the likelihood is a ridge: a tall curve that saturates late has the
same slope at the midpoint as a low curve that saturates early. The posterior
keeps the whole ridge, and with it the correlation between the parameters.

:func:`elicit` computes that posterior exactly on an adaptive grid (milliseconds)
or samples it with NUTS; :func:`log_likelihood_surface` and
:func:`near_peak_extent` describe the ridge; :func:`compare_elicitations` puts
two posteriors side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from labkit.elicitation.derivative import (
    DEFAULT_PRIOR_SIGMA,
    ExperimentObservation,
    check_observations,
    saturation_derivative,
    symbolic_derivative,
)
from labkit.response import Saturation, get_saturation
from labkit.sampling import pm_sample_kwargs
from labkit.stats import PRIOR_MASS, hdi

if TYPE_CHECKING:
    from pymc_marketing.mmm.components.saturation import SaturationTransformation


@dataclass
class ElicitationResult:
    """Posterior of the saturation parameters given derivative-space observations.

    Attributes
    ----------
    posterior : xarray.Dataset
        Draws over ``chain, draw``, one variable per saturation parameter.
    saturation : Saturation
    observations : pandas.DataFrame
    method : str
        ``"grid"`` or ``"nuts"``.
    grid : dict
        For the grid method: the two axes and the log-likelihood, log-prior and
        log-posterior surfaces.
    priors : dict
        The HalfNormal sigma of each parameter's prior.
    """

    posterior: xr.Dataset
    saturation: Saturation
    observations: pd.DataFrame
    method: str
    grid: dict[str, np.ndarray] = field(default_factory=dict)
    priors: dict[str, float] = field(default_factory=dict)

    def draws(self, param: str) -> np.ndarray:
        """Flattened draws of one parameter."""
        return self.posterior[param].to_numpy().reshape(-1)

    def summary(self, hdi_prob: float = PRIOR_MASS) -> pd.DataFrame:
        """Mean, sd and HDI per parameter."""
        rows = {}
        for p in self.saturation.params:
            d = self.draws(p)
            lo, hi = hdi(d, hdi_prob)
            rows[p] = {"mean": d.mean(), "sd": d.std(), "hdi_lower": lo, "hdi_upper": hi}
        return pd.DataFrame(rows).T


def _prior_sigmas(sat: Saturation, priors: Mapping[str, float] | None) -> dict[str, float]:
    sigmas = {p: DEFAULT_PRIOR_SIGMA for p in sat.params}
    if priors is not None:
        unknown = sorted(set(priors) - set(sat.params))
        if unknown:
            raise ValueError(
                f"priors has unknown parameter(s) {unknown}; {sat.name} has {list(sat.params)}"
            )
        for p, s in priors.items():
            if not np.isfinite(s) or s <= 0:
                raise ValueError(f"priors[{p!r}] must be a HalfNormal sigma > 0, got {s}")
            sigmas[p] = float(s)
    return sigmas


def _log_lik(sat: Saturation, obs: pd.DataFrame, grids: dict[str, np.ndarray]) -> np.ndarray:
    shape = next(iter(grids.values())).shape
    total = np.zeros(shape)
    for x, rate, sd in obs.itertuples(index=False):
        pred = saturation_derivative(sat.name, np.full(shape, x), **grids)
        total += -0.5 * ((rate - pred) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    return total


def log_likelihood_surface(
    observations: pd.DataFrame | ExperimentObservation,
    saturation: str | SaturationTransformation,
    axes: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Log-likelihood of the observations on a 2-D parameter grid.

    Parameters
    ----------
    observations : pandas.DataFrame
        Columns ``x, rate, rate_sd``.
    saturation : str
    axes : dict
        Two 1-D axes keyed by parameter name, e.g. ``{"alpha": a, "lam": l}``.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(second axis), len(first axis))`` (meshgrid ``xy`` order).
    """
    sat = get_saturation(saturation)
    obs = check_observations(observations)
    (p0, a0), (p1, a1) = axes.items()
    g0, g1 = np.meshgrid(a0, a1)
    return _log_lik(sat, obs, {p0: g0, p1: g1})


def near_peak_mask(surface: np.ndarray, within: float = 1.5) -> np.ndarray:
    """Mask of the cells of a log-density surface within ``within`` log units of its maximum.

    Non-finite cells are never near the peak.
    """
    finite = np.where(np.isfinite(surface), surface, np.nan)
    with np.errstate(invalid="ignore"):
        return finite >= np.nanmax(finite) - within


def near_peak_extent(
    axes: Mapping[str, np.ndarray], surface: np.ndarray, within: float = 1.5
) -> pd.DataFrame:
    """Range of each parameter over the near-peak region of a 2-D log-density surface.

    A long range along one parameter is a ridge: the data do not pin that
    parameter down.

    Parameters
    ----------
    axes : dict
        Two 1-D axes keyed by parameter name (first = x-axis), as for
        :func:`log_likelihood_surface`.
    surface : numpy.ndarray
        Log-density, shape ``(len(second), len(first))``.
    within : float
        Cells within this many log units of the maximum make the region.

    Returns
    -------
    pandas.DataFrame
        One row per parameter, columns ``low``, ``high`` and ``span``.
    """
    (p0, a0), (p1, a1) = axes.items()
    surface = np.asarray(surface, dtype=float)
    if surface.shape != (len(a1), len(a0)):
        raise ValueError(
            f"surface must have shape (len({p1}), len({p0})) = {(len(a1), len(a0))}, "
            f"got {surface.shape}"
        )
    if not np.isfinite(within) or within < 0:
        raise ValueError(f"within must be a finite number >= 0 (log units), got {within}")
    region = near_peak_mask(surface, within)
    g0, g1 = np.meshgrid(a0, a1)
    rows = {p: (g[region].min(), g[region].max()) for p, g in ((p0, g0), (p1, g1))}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["low", "high"])
    frame.index.name = "parameter"
    return frame.assign(span=frame["high"] - frame["low"])


def _halfnormal_logpdf(x: np.ndarray, sigma: float) -> np.ndarray:
    return np.log(np.sqrt(2 / np.pi) / sigma) - 0.5 * (x / sigma) ** 2


def _grid_posterior(
    sat: Saturation, obs: pd.DataFrame, sigmas: dict[str, float], size: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    p0, p1 = sat.params
    # pass 1: coarse grid over the prior's bulk to find where the posterior lives
    bounds = {p: (1e-6, 4.5 * sigmas[p]) for p in (p0, p1)}
    for n in (80, size):
        axes = {p: np.linspace(*bounds[p], n) for p in (p0, p1)}
        g0, g1 = np.meshgrid(axes[p0], axes[p1])
        log_prior = _halfnormal_logpdf(g0, sigmas[p0]) + _halfnormal_logpdf(g1, sigmas[p1])
        log_lik = _log_lik(sat, obs, {p0: g0, p1: g1})
        log_post = log_lik + log_prior
        if n == size:
            break
        keep = log_post >= log_post.max() - 16  # beyond exp(-16) relative density is negligible
        new = {}
        for p, g in ((p0, g0), (p1, g1)):
            step = axes[p][1] - axes[p][0]
            new[p] = (max(1e-6, g[keep].min() - 2 * step), g[keep].max() + 2 * step)
        bounds = new
    return axes, {"log_likelihood": log_lik, "log_prior": log_prior, "log_posterior": log_post}


def elicit(
    observations: pd.DataFrame | ExperimentObservation,
    saturation: str | SaturationTransformation = "michaelis_menten",
    priors: Mapping[str, float] | None = None,
    method: str = "grid",
    random_seed: int | None = None,
    *,
    grid_size: int = 200,
    draws: int = 4000,
    sample_kwargs: Mapping[str, Any] | None = None,
) -> ElicitationResult:
    """Posterior of the saturation parameters given observed rates of change.

    Model: each parameter ~ HalfNormal(sigma) (default sigma 3, as in the article
    *From Experiments to Priors*), and each observed rate ~ Normal(f'(x; params),
    rate_sd), with f' the autodiff derivative of the library's saturation curve.

    Parameters
    ----------
    observations : pandas.DataFrame or ExperimentObservation
        Columns ``x, rate, rate_sd``.
    saturation : str or pymc-marketing saturation
        Family; the grid method needs a two-parameter family
        (``michaelis_menten`` or ``logistic``).
    priors : dict, optional
        HalfNormal sigma per parameter.
    method : {"grid", "nuts"}
        ``"grid"``: the exact posterior on a ``grid_size``-square grid whose bounds
        adapt to where the posterior lives, sampled by weighted resampling with
        jitter inside each cell (milliseconds). ``"nuts"``: a small PyMC model
        sampled with the fidelity of :mod:`labkit.sampling`.
    random_seed : int, optional
    grid_size : int
    draws : int
        Draws returned by the grid method.
    sample_kwargs : dict, optional
        Extra arguments for :func:`pymc.sample` (NUTS).

    Returns
    -------
    ElicitationResult
    """
    sat = get_saturation(saturation)
    obs = check_observations(observations)
    sigmas = _prior_sigmas(sat, priors)
    if method == "grid":
        if len(sat.params) != 2:
            raise ValueError(
                f"method='grid' needs a two-parameter saturation; {sat.name} has "
                f"{list(sat.params)}: use method='nuts'"
            )
        if isinstance(grid_size, bool) or not isinstance(grid_size, int) or grid_size < 10:
            raise ValueError(f"grid_size must be an int >= 10, got {grid_size!r}")
        axes, surfaces = _grid_posterior(sat, obs, sigmas, grid_size)
        p0, p1 = sat.params
        rng = np.random.default_rng(random_seed)
        weights = np.exp(surfaces["log_posterior"] - surfaces["log_posterior"].max()).ravel()
        idx = rng.choice(weights.size, size=draws, p=weights / weights.sum())
        rows, cols = np.unravel_index(idx, surfaces["log_posterior"].shape)
        steps = {p: axes[p][1] - axes[p][0] for p in (p0, p1)}
        v0 = axes[p0][cols] + rng.uniform(-0.5, 0.5, draws) * steps[p0]
        v1 = axes[p1][rows] + rng.uniform(-0.5, 0.5, draws) * steps[p1]
        posterior = xr.Dataset(
            {p0: (("chain", "draw"), np.abs(v0)[None]), p1: (("chain", "draw"), np.abs(v1)[None])},
            coords={"chain": [0], "draw": np.arange(draws)},
        )
        return ElicitationResult(posterior, sat, obs, "grid", {**axes, **surfaces}, sigmas)
    if method == "nuts":
        with pm.Model():
            params = {p: pm.HalfNormal(p, sigma=sigmas[p]) for p in sat.params}
            x = pt.as_tensor_variable(obs["x"].to_numpy())
            rate = symbolic_derivative(sat, x, params)
            pm.Normal(
                "obs", mu=rate, sigma=obs["rate_sd"].to_numpy(), observed=obs["rate"].to_numpy()
            )
            kwargs = pm_sample_kwargs(random_seed, small=True, target_accept=0.95)
            kwargs |= dict(sample_kwargs or {})
            idata = pm.sample(**kwargs)
        return ElicitationResult(idata.posterior[list(sat.params)], sat, obs, "nuts", {}, sigmas)
    raise ValueError(f"method must be 'grid' or 'nuts', got {method!r}")


def compare_elicitations(
    a: ElicitationResult,
    b: ElicitationResult,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
) -> pd.DataFrame:
    """Quantiles of two elicitation posteriors side by side, with relative gaps.

    Returns
    -------
    pandas.DataFrame
        One row per (parameter, quantile): both values and ``|a - b| / |b|``.
    """
    rows = []
    for p in a.saturation.params:
        qa = np.quantile(a.draws(p), quantiles)
        qb = np.quantile(b.draws(p), quantiles)
        for q, va, vb in zip(quantiles, qa, qb, strict=True):
            rows.append({"parameter": p, "quantile": q, a.method: va, b.method: vb,
                         "relative_gap": abs(va - vb) / abs(vb)})  # fmt: skip
    return pd.DataFrame(rows)
