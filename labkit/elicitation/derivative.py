"""Experiments as points in the derivative space of a saturation curve.

A lift test that moves weekly spend from ``x0`` to ``x1`` for ``n`` weeks and
changes sales by ``dY`` measures the curve's average slope ``|dY| / dX`` between
the two spend levels, with ``dX = |x1 - x0| n`` the total spend change. Read at
the midpoint ``(x0 + x1) / 2``, that rate of change is one noisy observation of
the curve's derivative ``f'(x)``.

:func:`saturation_derivative` differentiates pymc-marketing's own saturation
functions (PyTensor autodiff); :func:`experiment_observation` turns a CausalPy
synthetic control into an :class:`ExperimentObservation`, whose ``to_frame``
gives the ``x, rate, rate_sd`` table that :func:`~labkit.elicitation.elicit`
reads; :func:`synthetic_observations` draws such a table from a known curve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pytensor
import pytensor.tensor as pt
from pytensor.graph.rewriting.utils import rewrite_graph
from pytensor.xtensor import as_xtensor

from labkit.causal import total_effect_draws
from labkit.response import Saturation, get_saturation
from labkit.stats import PRIOR_MASS, hdi

if TYPE_CHECKING:
    import numpy.typing as npt
    from pymc_marketing.mmm.components.saturation import SaturationTransformation

DEFAULT_PRIOR_SIGMA = 3.0


OBSERVATION_COLUMNS = ("x", "rate", "rate_sd")


def symbolic_derivative(
    sat: Saturation, x: pt.TensorVariable, params: Mapping[str, pt.TensorVariable]
) -> pt.TensorVariable:
    """dy/dx of the library's saturation ``.function`` as a PyTensor graph (elementwise)."""
    n = x.ndim
    dims = tuple(f"d{i}" for i in range(n))
    xt = as_xtensor(x, dims=dims)
    pts = {k: as_xtensor(pt.as_tensor_variable(v), dims=dims[n - pt.as_tensor_variable(v).ndim :])
           for k, v in params.items()}  # fmt: skip
    y = rewrite_graph(sat.library().function(xt, **pts).values, include=("lower_xtensor",))
    # one tensor in, one tensor out: rewrite_graph and grad are typed for lists and graphs too
    return cast(pt.TensorVariable, pt.grad(cast(pt.TensorVariable, y).sum(), x))


@cache
def _compiled_derivative(name: str) -> Callable[..., np.ndarray]:
    sat = get_saturation(name)
    x = pt.dvector("x")
    params = {p: pt.dvector(p) for p in sat.params}
    grad = symbolic_derivative(sat, x, params)
    return pytensor.function([x, *params.values()], grad, on_unused_input="ignore")


def saturation_derivative(
    saturation: str | SaturationTransformation, x: npt.ArrayLike, **params: npt.ArrayLike
) -> np.ndarray:
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
    hdi_prob: float = PRIOR_MASS

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

    @property
    def effect_hdi(self) -> tuple[float, float]:
        """HDI of the total effect."""
        lo, hi = hdi(self.total_effect, self.hdi_prob)
        return float(lo), float(hi)

    def to_frame(self) -> pd.DataFrame:
        """One-row table with columns ``x, rate, rate_sd`` (what :func:`elicit` reads)."""
        return pd.DataFrame({"x": [self.x], "rate": [self.rate_mean], "rate_sd": [self.rate_sd]})

    def summary(self) -> pd.DataFrame:
        """Everything about the observation in one table."""
        lo, hi = self.rate_hdi
        e_lo, e_hi = self.effect_hdi
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
    hdi_prob: float = PRIOR_MASS,
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


def synthetic_observations(
    saturation: str | SaturationTransformation,
    x: Sequence[float] | np.ndarray,
    rate_sd: Sequence[float] | np.ndarray | float,
    *,
    random_seed: int | np.random.Generator | None = None,
    **params: float,
) -> pd.DataFrame:
    """Observations of a known curve's derivative, with Gaussian measurement noise.

    Each row stands for an experiment at spend midpoint ``x`` whose rate of
    change was measured with standard deviation ``rate_sd``: the observed rate is
    the true derivative plus ``N(0, rate_sd)`` noise.

    Parameters
    ----------
    saturation : str or pymc-marketing saturation instance
        The curve's family.
    x : array-like
        Spend midpoints, > 0.
    rate_sd : float or array-like
        Measurement sd of each rate, > 0 (broadcast against ``x``).
    random_seed : int or numpy.random.Generator, optional
        Source of the noise.
    **params : float
        The true parameters of the curve.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, rate, rate_sd``, ready for :func:`~labkit.elicitation.elicit`
        (alone or concatenated with measured observations).
    """
    x = np.asarray(x, dtype=float)
    rate_sd = np.broadcast_to(np.asarray(rate_sd, dtype=float), x.shape)
    noise = np.random.default_rng(random_seed).normal(0, rate_sd)
    rate = saturation_derivative(saturation, x, **params) + noise
    return check_observations(pd.DataFrame({"x": x, "rate": rate, "rate_sd": rate_sd}))


def check_observations(obs: pd.DataFrame | ExperimentObservation) -> pd.DataFrame:
    """Return experiment observations as a checked frame (one row per experiment)."""
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
