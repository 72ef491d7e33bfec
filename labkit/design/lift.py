"""What a channel's posterior predicts a spend change would do, draw by draw.

:class:`LiftModel` holds the posterior of an MMM's response curves (a saturation
curve and geometric adstock per channel, per geo when the model has geos), the
current weekly spend and the weekly residual noise, all on the model scale. A
lift test holds a channel's spend at ``1 + spend_change`` times its current level
for ``duration`` weeks; the change reaches the adstocked spend through the
adstock ramp, and the weekly lifts through the saturation curve add up to the
test's total lift (:meth:`~LiftModel.lift_draws`). Measuring that total over
``duration`` weeks of autocorrelated residuals has noise
:meth:`~LiftModel.sigma_d`. Curves and ramp are :mod:`labkit.response`'s.

A unit is one geo, or ``"national"`` for a model without geos; a geo model also
has a national aggregate (lifts summed over geos draw by draw, noise added in
quadrature).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtri

from labkit import _kernels
from labkit._validate import (
    check_bool,
    check_int,
    check_mapping,
    check_number,
    check_probability,
    check_strings,
)
from labkit.design.checks import check_autocorr, check_scale, check_spend_change, per_unit
from labkit.design.recommendations import NATIONAL
from labkit.response import Saturation, adstock_ramp, get_saturation, steady_state_multiplier
from labkit.stats import credited_autocorr, effective_sigma, simulate_ar1


class _SteadyState(NamedTuple):
    """A channel at its current spend, per unit and draw (model scale)."""

    spend: np.ndarray  # (n_units, n_draws) steady-state adstocked spend
    contribution: np.ndarray  # (n_units, n_draws) weekly contribution there
    ramp: np.ndarray  # (n_units, l_max, n_draws) adstock ramp of weeks 0 .. l_max - 1
    mean_ramp: np.ndarray  # (n_units, l_max) the ramp averaged over draws


class LiftModel:
    """Predicted lift of spend changes and the noise of measuring it, per unit and draw.

    The base of :class:`~labkit.design.ExperimentDesigner`, which adds the
    constructors from a fitted MMM or a posterior, the assurance and the ranking.

    Parameters
    ----------
    params : dict
        ``{channel: {param: array (n_units, n_draws)}}`` of saturation parameters
        named as pymc-marketing names them.
    adstock_alpha : dict
        ``{channel: array (n_units, n_draws)}``.
    current_spend : dict
        ``{channel: array (n_units,)}`` weekly spend on the model scale.
    residual_std, residual_autocorr : array (n_units,)
        Weekly residual sd (model scale) and lag-1 autocorrelation per unit.
    l_max : int
    normalize : bool
    saturation : str or Saturation
    spend_correlation : pandas.DataFrame, optional
        Channel x channel correlation of spend (default: uncorrelated).
    units : list of str
        Names of the units (``["national"]`` or the geos).
    channel_scale : dict, optional
        Currency per model-scale spend unit, per channel (> 0; 1 for a channel
        not listed).
    target_scale : float or array (n_units,), optional
        Outcome units per model-scale unit (> 0).
    baseline_weeks : int, optional
        Pre-period weeks of the baseline a test is read against; its estimation
        error joins the noise (see :func:`labkit.stats.effective_sigma`).
        ``None`` (default): the counterfactual is taken as known.
    """

    def __init__(
        self,
        *,
        params: Mapping[str, Mapping[str, np.ndarray]],
        adstock_alpha: Mapping[str, np.ndarray],
        current_spend: Mapping[str, np.ndarray],
        residual_std: np.ndarray,
        residual_autocorr: np.ndarray,
        l_max: int,
        normalize: bool,
        saturation: str | Saturation,
        spend_correlation: pd.DataFrame | None = None,
        units: Sequence[str] = (NATIONAL,),
        channel_scale: Mapping[str, float] | None = None,
        target_scale: np.ndarray | float = 1.0,
        baseline_weeks: int | None = None,
    ) -> None:
        self.saturation = (
            saturation if isinstance(saturation, Saturation) else get_saturation(saturation)
        )
        self.l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
        self.normalize = check_bool("normalize", normalize)
        self.units = check_strings("units", units)
        n_units = len(self.units)
        self.channels = list(params)
        missing = [c for c in self.channels if c not in current_spend or c not in adstock_alpha]
        if missing:
            raise ValueError(
                f"current_spend and adstock_alpha need every channel; missing {missing}"
            )
        self.params = {
            c: {p: _as_units(params[c][p]) for p in self.saturation.params} for c in self.channels
        }
        self.alpha = {c: _as_units(adstock_alpha[c]) for c in self.channels}
        self.current_spend = {}
        for c in self.channels:
            x = per_unit(f"current_spend[{c!r}]", current_spend[c], n_units)
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(
                    f"current_spend[{c!r}] must be {n_units} finite value(s) >= 0, "
                    f"got {current_spend[c]!r}"
                )
            self.current_spend[c] = x
        self.residual_std = check_scale("residual_std", residual_std, n_units)
        self.residual_autocorr = check_autocorr(residual_autocorr, n_units)
        self.baseline_weeks = (
            None
            if baseline_weeks is None
            else check_int("baseline_weeks", baseline_weeks, minimum=1, unit="weeks")
        )
        self.n_draws = self.alpha[self.channels[0]].shape[-1]
        for c in self.channels:
            shapes = {a.shape for a in (*self.params[c].values(), self.alpha[c])}
            if shapes != {(n_units, self.n_draws)}:
                raise ValueError(
                    f"posterior arrays of {c!r} must all have shape {(n_units, self.n_draws)}"
                )
        if spend_correlation is None:
            spend_correlation = pd.DataFrame(
                np.eye(len(self.channels)), self.channels, self.channels
            )
        corr = pd.DataFrame(spend_correlation).reindex(index=self.channels, columns=self.channels)
        if corr.isna().any().any() or ((corr.to_numpy() < -1) | (corr.to_numpy() > 1)).any():
            raise ValueError("spend_correlation must cover every channel with values in [-1, 1]")
        self.spend_correlation = corr
        scales = (
            {}
            if channel_scale is None
            else check_mapping("channel_scale", channel_scale, allow_empty=True)
        )
        self.channel_scale = {
            c: check_number(f"channel_scale[{c!r}]", scales.get(c, 1.0), low=0.0, low_open=True)
            for c in self.channels
        }
        self.target_scale = check_scale("target_scale", target_scale, n_units)

    # ------------------------------------------------------------------ the posterior

    def _unit_index(self, geo: str | None) -> list[int] | None:
        """Return the units to evaluate; None means the national aggregate of all units."""
        if geo is None or (isinstance(geo, str) and geo == NATIONAL):
            return None
        if not isinstance(geo, str):
            raise TypeError(f"geo must be a geo name (str) or None, got {geo!r}")
        if self.units == [NATIONAL]:
            raise ValueError(
                f"geo must be None or {NATIONAL!r}: this designer is national (its posterior has "
                f"no geo dimension), got {geo!r}"
            )
        if geo not in self.units:
            choices = list(dict.fromkeys([NATIONAL, *self.units]))
            raise ValueError(f"geo must be one of {choices} (or None), got {geo!r}")
        return [self.units.index(geo)]

    def _one_unit(self, geo: str | None) -> int:
        """Index of one unit: a geo, or the only unit of a national designer."""
        idx = self._unit_index(geo)
        if idx is not None:
            return idx[0]
        if len(self.units) > 1:
            raise ValueError(f"parameters are per geo: pass geo, one of {self.units} (got {geo!r})")
        return 0

    def _check_channel(self, channel: str, name: str = "channel") -> str:
        if not isinstance(channel, str):
            raise TypeError(
                f"{name} must be a channel name (str), one of {self.channels}, got {channel!r}"
            )
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}; channels are {self.channels}")
        return channel

    def saturation_draws(self, channel: str, geo: str | None = None) -> dict[str, np.ndarray]:
        """Posterior draws of a channel's saturation parameters in one unit.

        Parameters
        ----------
        channel : str
        geo : str, optional
            A geo; ``None`` on a national designer.

        Returns
        -------
        dict
            ``{param: array (n_draws,)}``, named as :attr:`saturation` names them, so
            ``designer.saturation(x, **draws)`` evaluates the curves.
        """
        c, u = self._check_channel(channel), self._one_unit(geo)
        return {p: v[u] for p, v in self.params[c].items()}

    def adstock_draws(self, channel: str, geo: str | None = None) -> np.ndarray:
        """Posterior draws ``(n_draws,)`` of a channel's adstock decay alpha in one unit."""
        c, u = self._check_channel(channel), self._one_unit(geo)
        return self.alpha[c][u]

    def operating_point(self, channel: str, geo: str | None = None) -> np.ndarray:
        """Adstocked weekly spend ``(n_draws,)`` at current spend in steady state, one unit.

        Where on its saturation curve the channel sits today (model scale).
        """
        c, u = self._check_channel(channel), self._one_unit(geo)
        return self._steady_state[c].spend[u]

    @cached_property
    def _steady_state(self) -> dict[str, _SteadyState]:
        """Each channel at its current spend; a test moves away from this."""
        out = {}
        for c in self.channels:
            m = steady_state_multiplier(self.alpha[c], self.l_max, self.normalize)
            x = m * self.current_spend[c][:, None]
            ramp = np.ascontiguousarray(
                np.moveaxis(adstock_ramp(self.alpha[c], self.l_max, self.l_max), -1, 1)
            )
            out[c] = _SteadyState(x, self.saturation(x, **self.params[c]), ramp, ramp.mean(-1))
        return out

    @cached_property
    def _stacked(self) -> dict[tuple[str, ...], tuple[np.ndarray, ...]]:
        return {}

    def _kernel_inputs(self, channels: tuple[str, ...]) -> tuple[np.ndarray, ...]:
        """Parameters (three, padded), spend, contribution and ramp, channels stacked as units."""
        if channels not in self._stacked:
            steady = [self._steady_state[c] for c in channels]
            pars = [
                np.concatenate([self.params[c][p] for c in channels])
                for p in self.saturation.params
            ]
            self._stacked[channels] = (
                *pars,
                *[pars[0]] * (3 - len(pars)),
                np.concatenate([s.spend for s in steady]),
                np.concatenate([s.contribution for s in steady]),
                np.concatenate([s.ramp for s in steady]),
            )
        return self._stacked[channels]

    def steady_state_contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, per unit and draw (model scale)."""
        return self._steady_state[self._check_channel(channel)].contribution

    # ------------------------------------------------------------------ lift and noise

    def roas_draws(self, channel: str, geo: str | None = None) -> np.ndarray:
        """Steady-state return on spend at current spend, per draw (model scale).

        The weekly contribution at current spend over the weekly spend, summed over
        the units for the national figure. ``(n_draws,)``; NaN when the spend is 0.
        """
        contribution = self.steady_state_contribution(channel)
        spend = self.current_spend[channel]
        idx = self._unit_index(geo)
        total, x = (
            (contribution.sum(axis=0), spend.sum())
            if idx is None
            else (contribution[idx[0]], spend[idx[0]])
        )
        return total / x if x > 0 else np.full(self.n_draws, np.nan)

    def _lifts(
        self, channels: Sequence[str], spend_changes: np.ndarray, durations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lift (channel, unit, change, duration, draw) and mean ramp (channel, unit, duration).

        Per draw, a change of ``spend_change * x`` held for ``t`` weeks enters the
        adstocked spend through the adstock ramp, which reaches 1 at week ``l_max``;
        the weekly lifts through the saturation curve are summed
        (:func:`labkit._kernels.lift_grid`, all channels stacked as extra units).
        """
        weeks = np.asarray(durations, dtype=np.int64)
        lifts = _kernels.lift_grid(
            _kernels.SATURATION_CODES[self.saturation.name],
            *self._kernel_inputs(tuple(channels)),
            np.asarray(spend_changes, dtype=float),
            weeks,
        )
        # mean ramp over a test of T weeks: the weekly ramp summed, 1 a week past l_max
        cum = np.cumsum([self._steady_state[c].mean_ramp for c in channels], axis=-1)
        shown = np.minimum(weeks, self.l_max)
        ramps = (cum[..., shown - 1] + (weeks - shown)) / weeks
        n_c, n_u = len(channels), len(self.units)
        return lifts.reshape(n_c, n_u, *lifts.shape[1:]), ramps

    def lift_draws(
        self, channel: str, spend_change: float, duration: int, geo: str | None = None
    ) -> np.ndarray:
        """Posterior draws of the total lift of one test (model scale).

        Parameters
        ----------
        channel : str
        spend_change : float
            Relative change of weekly spend, >= -1 (-1 = go-dark).
        duration : int
            Weeks.
        geo : str, optional
            A geo, or ``None``/``"national"`` for the sum over geos.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_draws,)``.
        """
        self._check_channel(channel)
        change = check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        lifts, _ = self._lifts([channel], np.array([change]), np.array([weeks]))
        lift = lifts[0, :, 0, 0, :]
        return lift.sum(axis=0) if idx is None else lift[idx[0]]

    def sigma_d(self, duration: int | np.ndarray, geo: str | None = None) -> np.ndarray:
        """Noise sd of the measured total lift over ``duration`` weeks (model scale).

        The exact sd of a sum of AR(1) residuals (:func:`labkit.stats.effective_sigma`),
        per unit, and the root of the summed variances for the national total.
        ``duration`` is one int >= 1 (a float is returned) or an array of them.
        """
        if np.ndim(duration):
            weeks = np.array(
                [check_int("duration", d, minimum=1, unit="weeks") for d in np.ravel(duration)]
            )
        else:
            weeks = np.array([check_int("duration", duration, minimum=1, unit="weeks")])
        idx = self._unit_index(geo)
        per_unit_sd = effective_sigma(
            self.residual_std[:, None], self.residual_autocorr[:, None], weeks, self.baseline_weeks
        )
        out = np.sqrt((per_unit_sd**2).sum(axis=0)) if idx is None else per_unit_sd[idx[0]]
        return out if np.ndim(duration) else out[0]

    def simulate_detection_rate(
        self,
        channel: str,
        spend_change: float,
        duration: int,
        *,
        n_experiments: int = 4000,
        significance_level: float = 0.05,
        geo: str | None = None,
        random_seed: int | None = None,
    ) -> float:
        """Share of simulated experiments that reach significance.

        Each simulated experiment draws a "true" lift from the posterior and
        measures it the way a test would: it adds the sum over the test weeks of
        a simulated AR(1) residual series per unit (marginal sd
        :attr:`residual_std`, autocorrelation :attr:`residual_autocorr` clipped
        to [0, 0.99] as in the noise model), minus ``T / P`` times the sum over
        the ``P`` weeks before when the test is read against an estimated
        baseline (:attr:`baseline_weeks`), and runs the two-sided z-test with
        :meth:`sigma_d`. The residuals are simulated, not drawn from the noise
        formula, so the share of significant results checks :meth:`sigma_d`
        and the assurance.

        Parameters
        ----------
        channel : str
        spend_change : float
        duration : int
            Test weeks (>= 1).
        n_experiments : int
            Simulated experiments (>= 1).
        significance_level : float
            In (0, 1).
        geo : str, optional
            A geo, or ``None``/``"national"`` for the sum over geos.
        random_seed : int, optional

        Returns
        -------
        float
        """
        n_experiments = check_int("n_experiments", n_experiments, minimum=1)
        sig = check_probability("significance_level", significance_level)
        rng = np.random.default_rng(random_seed)
        draws = self.lift_draws(channel, spend_change, duration, geo)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        sd = float(self.sigma_d(weeks, geo))
        truth = rng.choice(draws, size=n_experiments, replace=True)
        idx = self._unit_index(geo)
        units = np.arange(len(self.units)) if idx is None else np.atleast_1d(idx[0])
        pre = self.baseline_weeks or 0
        rho = credited_autocorr(self.residual_autocorr[units])
        series = simulate_ar1(
            self.residual_std[units], rho, pre + weeks, (n_experiments, len(units)), rng
        )
        error = series[..., pre:].sum(axis=-1)
        if pre:
            error -= weeks / pre * series[..., :pre].sum(axis=-1)
        observed = truth + error.sum(axis=-1)
        z = ndtri(1 - sig / 2)
        return float(np.mean(np.abs(observed) / sd > z))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(channels={self.channels}, units={self.units}, "
            f"draws={self.n_draws}, "
            f"saturation={self.saturation.name}, l_max={self.l_max}, normalize={self.normalize})"
        )


def _as_units(values: npt.ArrayLike) -> np.ndarray:
    """Posterior draws as a C-contiguous float (n_units, n_draws) array."""
    return np.ascontiguousarray(np.atleast_2d(np.asarray(values, dtype=float)))
