"""TODO docstring."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from labkit.causal import total_effect_draws
from labkit.response import Saturation, get_saturation
from labkit.stats import hdi

DEFAULT_PRIOR_SIGMA = 3.0


OBSERVATION_COLUMNS = ("x", "rate", "rate_sd")


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
