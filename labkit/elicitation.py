r"""From an experiment to informative saturation priors.

The pipeline:

1. a synthetic control (CausalPy) measures what a spend change cost in sales;
2. :func:`experiment_observation` turns it into a point in the *derivative space*
   of the saturation curve: the average rate of change :math:`|\Delta Y| / \Delta X`
   (with its posterior) at the midpoint of the two spend levels;
3. :func:`elicit` infers the saturation parameters consistent with one or more
   such points, by an exact grid posterior (milliseconds) or by NUTS;
4. :func:`mmm_priors` fits a PreliZ/PyMC family to that posterior, on the MMM's
   internal (max-abs scaled) units, and returns ``Prior`` objects for
   pymc-marketing.

Derivatives come from the library's own saturation functions by PyTensor
autodiff (:func:`saturation_derivative`), so swapping the family changes
every step consistently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from pymc_extras.prior import Prior

from labkit.causal import total_effect_draws
from labkit.designer import hdi
from labkit.response import Saturation, get_saturation

__all__ = [
    "ElicitationResult",
    "ExperimentObservation",
    "FittedPrior",
    "compare_elicitations",
    "elicit",
    "experiment_observation",
    "fit_prior",
    "log_likelihood_surface",
    "mmm_priors",
    "observations_frame",
    "saturation_derivative",
]

DEFAULT_PRIOR_SIGMA = 3.0
OBSERVATION_COLUMNS = ("x", "rate", "rate_sd")


# --------------------------------------------------------------------------- derivative


def _symbolic_derivative(sat: Saturation, x: Any, params: Mapping[str, Any]) -> Any:
    """dy/dx of the library's saturation ``.function`` as a PyTensor graph (elementwise)."""
    import pytensor.tensor as pt
    from pytensor.graph.rewriting.utils import rewrite_graph
    from pytensor.xtensor import as_xtensor

    n = x.ndim
    dims = tuple(f"d{i}" for i in range(n))
    xt = as_xtensor(x, dims=dims)
    pts = {k: as_xtensor(pt.as_tensor_variable(v), dims=dims[n - pt.as_tensor_variable(v).ndim :])
           for k, v in params.items()}  # fmt: skip
    y = rewrite_graph(sat.library().function(xt, **pts).values, include=("lower_xtensor",))
    return pt.grad(y.sum(), x)


@cache
def _compiled_derivative(name: str) -> Callable[..., np.ndarray]:
    import pytensor
    import pytensor.tensor as pt

    sat = get_saturation(name)
    x = pt.dvector("x")
    params = {p: pt.dvector(p) for p in sat.params}
    grad = _symbolic_derivative(sat, x, params)
    return pytensor.function([x, *params.values()], grad, on_unused_input="ignore")


def saturation_derivative(saturation: str | Any, x: Any, **params: Any) -> np.ndarray:
    """Return dy/dx of a pymc-marketing saturation curve, by autodiff.

    The library's own ``.function`` is differentiated with PyTensor and compiled
    once per family (cached), then evaluated elementwise with broadcasting.

    Parameters
    ----------
    saturation : str or pymc-marketing saturation instance
        ``"michaelis_menten"``, ``"logistic"``, ``"hill"`` or an instance.
    x : array-like
        Spend (the curve's input).
    **params : array-like
        The family's parameters (``alpha, lam`` for Michaelis-Menten).

    Returns
    -------
    numpy.ndarray
        dy/dx, broadcast shape of ``x`` and the parameters.

    Examples
    --------
    >>> saturation_derivative("michaelis_menten", [0.5, 1, 2, 4], alpha=2.75, lam=2.5).round(4)
    array([0.7639, 0.5612, 0.3395, 0.1627])
    """
    sat = get_saturation(saturation)
    missing = sorted(set(sat.params) - set(params))
    unknown = sorted(set(params) - set(sat.params))
    if missing or unknown:
        raise ValueError(
            f"{sat.name} takes parameters {list(sat.params)}; missing {missing}, unknown {unknown}"
        )
    arrays = np.broadcast_arrays(
        np.asarray(x, dtype=float), *(np.asarray(params[p], dtype=float) for p in sat.params)
    )
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    return np.asarray(_compiled_derivative(sat.name)(*flat)).reshape(shape)


# --------------------------------------------------------------------------- observations


@dataclass(frozen=True)
class ExperimentObservation:
    """An experiment as a point in the saturation curve's derivative space.

    Attributes
    ----------
    total_effect : numpy.ndarray
        Posterior draws of the total effect on the outcome over the window.
    counterfactual_spend, actual_spend : float
        Mean weekly spend without and with the intervention, over the window.
    n_weeks : int
        Length of the window.
    hdi_prob : float
        Mass of the reported HDIs.
    """

    total_effect: np.ndarray
    counterfactual_spend: float
    actual_spend: float
    n_weeks: int
    hdi_prob: float = 0.95

    @property
    def delta_x(self) -> float:
        """Total spend change over the window (positive)."""
        return abs(self.counterfactual_spend - self.actual_spend) * self.n_weeks

    @property
    def x(self) -> float:
        """Midpoint of the two weekly spend levels: where the secant slope is read."""
        return (self.counterfactual_spend + self.actual_spend) / 2

    @property
    def rate(self) -> np.ndarray:
        """Posterior draws of the average rate of change ``|dY| / dX``."""
        return np.abs(self.total_effect) / self.delta_x

    @property
    def rate_mean(self) -> float:
        """Posterior mean of the rate of change."""
        return float(self.rate.mean())

    @property
    def rate_sd(self) -> float:
        """Posterior standard deviation of the rate of change."""
        return float(self.rate.std())

    @property
    def rate_hdi(self) -> tuple[float, float]:
        """HDI of the rate of change."""
        lo, hi = hdi(self.rate, self.hdi_prob)
        return float(lo), float(hi)

    def to_frame(self) -> pd.DataFrame:
        """One-row table with columns ``x, rate, rate_sd`` (what :func:`elicit` reads)."""
        return pd.DataFrame({"x": [self.x], "rate": [self.rate_mean], "rate_sd": [self.rate_sd]})

    def summary(self) -> pd.DataFrame:
        """Everything about the observation in one table."""
        lo, hi = self.rate_hdi
        e_lo, e_hi = hdi(self.total_effect, self.hdi_prob)
        return pd.DataFrame(
            {
                "total effect (mean)": [self.total_effect.mean()],
                f"effect {self.hdi_prob:.0%} HDI": [f"[{e_lo:.3g}, {e_hi:.3g}]"],
                "counterfactual spend / wk": [self.counterfactual_spend],
                "actual spend / wk": [self.actual_spend],
                "weeks": [self.n_weeks],
                "total spend change": [self.delta_x],
                "rate |dY|/dX (mean)": [self.rate_mean],
                "rate sd": [self.rate_sd],
                f"rate {self.hdi_prob:.0%} HDI": [f"[{lo:.3g}, {hi:.3g}]"],
                "x (midpoint)": [self.x],
            }
        )


def experiment_observation(
    result: Any,
    spend: pd.Series,
    *,
    counterfactual_spend: pd.Series | float | None = None,
    treated_unit: str | None = None,
    include_noise: bool = True,
    hdi_prob: float = 0.95,
    random_seed: int | None = 0,
) -> ExperimentObservation:
    """Turn a CausalPy ``SyntheticControl`` result into a derivative-space observation.

    Parameters
    ----------
    result : causalpy.SyntheticControl
        A fitted experiment with a Bayesian model; its post-period is the window.
    spend : pandas.Series
        Actual weekly spend of the treated unit, indexed like the experiment's data.
    counterfactual_spend : pandas.Series or float, optional
        What would have been spent without the intervention (a series over the
        window, or a weekly level). Default: the mean pre-treatment spend, which
        assumes spend had no trend.
    treated_unit : str, optional
        Which treated unit (default: the first).
    include_noise : bool
        CausalPy's impact is built from the expected outcome ``mu``; it ignores
        the observation noise of the weeks actually measured. With ``True`` each
        draw of the total effect gets ``N(0, sqrt(n) sigma)`` added, with ``sigma``
        that draw's likelihood sd: the sd of a *sum* of n noisy weeks.
    hdi_prob : float
        Mass of the reported HDIs.
    random_seed : int, optional
        Seed of the added noise.

    Returns
    -------
    ExperimentObservation

    Raises
    ------
    ValueError
        If the spend did not change over the window (non-positive spend change).
    """
    effect = total_effect_draws(
        result, treated_unit=treated_unit, include_noise=include_noise, random_seed=random_seed
    )
    window, total, n = effect.window, effect.total, effect.n_weeks
    spend = pd.Series(spend)
    actual = float(spend.reindex(window).mean())
    if counterfactual_spend is None:
        cf = float(spend[spend.index < window.min()].mean())
    elif np.ndim(counterfactual_spend) == 0:
        cf = float(counterfactual_spend)
    else:
        cf = float(pd.Series(counterfactual_spend).reindex(window).mean())
    if not np.isfinite(actual) or not np.isfinite(cf):
        raise ValueError("spend must cover the experiment window and the pre-treatment period")
    if abs(cf - actual) <= 0:
        raise ValueError(
            f"the spend change over the window must be non-zero (counterfactual {cf:.4g} vs "
            f"actual {actual:.4g} per week): a rate of change needs a positive delta_x"
        )
    return ExperimentObservation(total, cf, actual, n, hdi_prob)


def observations_frame(observations: Sequence[ExperimentObservation | Mapping]) -> pd.DataFrame:
    """Stack observations into the ``x, rate, rate_sd`` table :func:`elicit` reads."""
    rows = []
    for o in observations:
        if isinstance(o, ExperimentObservation):
            rows.append(o.to_frame().iloc[0].to_dict())
        else:
            rows.append({k: o[k] for k in OBSERVATION_COLUMNS})
    return _check_observations(pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS)))


def _check_observations(obs: Any) -> pd.DataFrame:
    if isinstance(obs, ExperimentObservation):
        obs = obs.to_frame()
    if not isinstance(obs, pd.DataFrame):
        raise TypeError(
            f"observations must be a DataFrame with columns {list(OBSERVATION_COLUMNS)}, "
            f"got {type(obs).__name__}"
        )
    missing = [c for c in OBSERVATION_COLUMNS if c not in obs.columns]
    if missing:
        raise ValueError(
            f"observations is missing column(s) {missing}; it needs {list(OBSERVATION_COLUMNS)}"
        )
    if obs.empty:
        raise ValueError("observations must have at least one row")
    values = obs[list(OBSERVATION_COLUMNS)].astype(float)
    if not np.isfinite(values.to_numpy()).all():
        raise ValueError("observations must not contain NaN or infinite values")
    if (values["rate_sd"] <= 0).any():
        raise ValueError("rate_sd must be > 0 in every row")
    if (values["x"] <= 0).any():
        raise ValueError("x (the spend midpoint) must be > 0 in every row")
    return values.reset_index(drop=True)


# --------------------------------------------------------------------------- elicitation


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

    def summary(self, hdi_prob: float = 0.95) -> pd.DataFrame:
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
    observations: pd.DataFrame, saturation: str, axes: Mapping[str, np.ndarray]
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
    obs = _check_observations(observations)
    (p0, a0), (p1, a1) = axes.items()
    g0, g1 = np.meshgrid(a0, a1)
    return _log_lik(sat, obs, {p0: g0, p1: g1})


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
    saturation: str | Any = "michaelis_menten",
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
    obs = _check_observations(observations)
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
        import pymc as pm
        import pytensor.tensor as pt

        from labkit.sampling import pm_sample_kwargs

        with pm.Model():
            params = {p: pm.HalfNormal(p, sigma=sigmas[p]) for p in sat.params}
            x = pt.as_tensor_variable(obs["x"].to_numpy())
            rate = _symbolic_derivative(sat, x, params)
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


# --------------------------------------------------------------------------- priors


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

    def dist(self) -> Any:
        """Return the fitted distribution as a PreliZ object."""
        import preliz as pz

        return getattr(pz, self.family)(**self.params)


def fit_prior(
    samples: np.ndarray,
    scale: float,
    *,
    family: str = "auto",
    hdi_prob: float = 0.95,
    mass: float = 0.95,
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
    hdi_prob: float = 0.95,
    mass: float = 0.95,
    family: str = "auto",
    wide: Mapping[str, float] | None = None,
) -> tuple[dict[str, Any], dict[str, FittedPrior]]:
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
    scales = {
        "michaelis_menten": {"alpha": target_scale, "lam": channel_scale},
        "logistic": {"beta": target_scale, "lam": 1.0 / channel_scale},
    }.get(sat.name)
    if scales is None:
        raise ValueError(f"mmm_priors supports michaelis_menten and logistic, got {sat.name}")
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
