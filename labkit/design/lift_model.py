"""What a channel's posterior predicts a spend change would do, draw by draw.

:class:`LiftModel` holds the posterior of an MMM's response (an adstock and a
saturation curve per channel, per geo when the model has geos), the current
weekly spend and the weekly residual noise, all on the model scale. A lift test
holds a channel's spend at ``1 + spend_change`` times its current level for
``duration`` weeks; its lift is the channel's contribution over those weeks
minus what it would have been at current spend (:meth:`~LiftModel.lift_draws`),
computed by an engine (:mod:`labkit.design.engines`: compiled loops for
geometric adstock and three curves, the model's own pymc-marketing components
for everything else). Measuring that total over ``duration`` weeks of
autocorrelated residuals has noise :meth:`~LiftModel.sigma_d`.

A unit is one geo, or ``"national"`` for a model without geos; a geo model also
has a national aggregate (lifts summed over geos draw by draw, noise added in
quadrature).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

from labkit._validate import (
    check_int,
    check_mapping,
    check_number,
    check_probability,
    check_strings,
)
from labkit.design.checks import NATIONAL, check_autocorr, check_scale, check_spend_change, per_unit
from labkit.design.engines import KernelEngine, ResponseEngine
from labkit.response import Saturation, get_saturation
from labkit.stats import credited_autocorr, effective_sigma, simulate_ar1


class LiftModel:
    """Predicted lift of spend changes and the noise of measuring it, per unit and draw.

    The base of :class:`~labkit.design.ExperimentDesigner`, which adds the
    constructors from a fitted MMM or a posterior, the assurance and the ranking.

    Parameters
    ----------
    current_spend : dict
        ``{channel: array (n_units,)}`` weekly spend on the model scale.
    residual_std, residual_autocorr : array (n_units,)
        Weekly residual sd (model scale) and lag-1 autocorrelation per unit.
    params : dict, optional
        ``{channel: {param: array (n_units, n_draws)}}`` of saturation parameters
        named as pymc-marketing names them (geometric adstock and a
        :data:`labkit.response.SATURATIONS` curve; with ``adstock_alpha``,
        ``l_max``, ``normalize`` and ``saturation``, instead of ``engine``).
    adstock_alpha : dict, optional
        ``{channel: array (n_units, n_draws)}``.
    l_max : int, optional
    normalize : bool, optional
    saturation : str or Saturation, optional
    engine : ResponseEngine, optional
        Any engine of :mod:`labkit.design.engines` (e.g. a
        :class:`~labkit.design.engines.ComponentEngine` on an MMM's components),
        instead of the five arguments above.
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
        current_spend: Mapping[str, np.ndarray | float],
        residual_std: np.ndarray | float,
        residual_autocorr: np.ndarray | float,
        params: Mapping[str, Mapping[str, np.ndarray]] | None = None,
        adstock_alpha: Mapping[str, np.ndarray] | None = None,
        l_max: int | None = None,
        normalize: bool | None = None,
        saturation: str | Saturation | None = None,
        engine: ResponseEngine | None = None,
        spend_correlation: pd.DataFrame | None = None,
        units: Sequence[str] = (NATIONAL,),
        channel_scale: Mapping[str, float] | None = None,
        target_scale: np.ndarray | float = 1.0,
        baseline_weeks: int | None = None,
    ) -> None:
        self.units = check_strings("units", units)
        n_units = len(self.units)
        kernel_args = {
            "params": params,
            "adstock_alpha": adstock_alpha,
            "l_max": l_max,
            "normalize": normalize,
            "saturation": saturation,
        }
        channels = list(params or {}) if engine is None else list(engine.adstock_params)
        if not channels:
            raise ValueError("params (or the engine) must cover at least one channel")
        missing = [c for c in channels if c not in current_spend]
        if missing:
            raise ValueError(f"current_spend needs every channel; missing {missing}")
        self.current_spend = {}
        for c in channels:
            x = per_unit(f"current_spend[{c!r}]", current_spend[c], n_units)
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(
                    f"current_spend[{c!r}] must be {n_units} finite value(s) >= 0, "
                    f"got {current_spend[c]!r}"
                )
            self.current_spend[c] = x
        if engine is None:
            given = [k for k, v in kernel_args.items() if v is None]
            if given:
                raise TypeError(f"without an engine, {given} are required")
            sat = saturation if isinstance(saturation, Saturation) else get_saturation(saturation)
            missing = [c for c in channels if c not in adstock_alpha]  # type: ignore[operator]
            if missing:
                raise ValueError(f"adstock_alpha needs every channel; missing {missing}")
            chosen: ResponseEngine = KernelEngine(
                saturation=sat,
                params={c: {p: params[c][p] for p in sat.params} for c in channels},  # type: ignore[index]
                adstock_alpha={c: adstock_alpha[c] for c in channels},  # type: ignore[index]
                current_spend=self.current_spend,
                l_max=l_max,  # type: ignore[arg-type]
                normalize=normalize,  # type: ignore[arg-type]
            )
        else:
            extra = [k for k, v in kernel_args.items() if v is not None]
            if extra:
                raise TypeError(f"pass either an engine or {extra}, not both")
            chosen = engine
        self.engine: ResponseEngine = chosen
        self.channels = channels
        self.saturation = chosen.saturation
        self.l_max = chosen.l_max
        self.residual_std = check_scale("residual_std", residual_std, n_units)
        self.residual_autocorr = check_autocorr(residual_autocorr, n_units)
        self.baseline_weeks = (
            None
            if baseline_weeks is None
            else check_int("baseline_weeks", baseline_weeks, minimum=1, unit="weeks")
        )
        first = chosen.adstock_params[channels[0]] or chosen.saturation_params[channels[0]]
        self.n_draws = next(iter(first.values())).shape[-1]
        for c in self.channels:
            arrays = (*chosen.saturation_params[c].values(), *chosen.adstock_params[c].values())
            shapes = {a.shape for a in arrays}
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

    def check_channel(self, channel: str, name: str = "channel") -> str:
        """Return ``channel`` if it is one of :attr:`channels`; raise naming ``name`` otherwise."""
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
        c, u = self.check_channel(channel), self._one_unit(geo)
        return {p: v[u] for p, v in self.engine.saturation_params[c].items()}

    def adstock_draws(self, channel: str, geo: str | None = None) -> dict[str, np.ndarray]:
        """Posterior draws of a channel's adstock parameters in one unit.

        Returns
        -------
        dict
            ``{param: array (n_draws,)}`` named as the adstock names them
            (``{"alpha": ...}`` for geometric adstock; empty without adstock).
        """
        c, u = self.check_channel(channel), self._one_unit(geo)
        return {p: v[u] for p, v in self.engine.adstock_params[c].items()}

    def ramp_draws(
        self, channel: str, geo: str | None = None, n_weeks: int | None = None
    ) -> np.ndarray:
        """Adstock ramp ``(n_draws, n_weeks)`` of one unit: the share of a held change in week t.

        Exactly 1 once the adstock's lags are filled (week ``l_max - 1`` for most
        adstocks; :meth:`ResponseEngine.ramp`); ``n_weeks`` defaults to that many weeks.
        """
        c, u = self.check_channel(channel), self._one_unit(geo)
        ramp = self.engine.ramp(c)[u]  # (n_lags, n_draws)
        n = len(ramp) if n_weeks is None else check_int("n_weeks", n_weeks, minimum=1)
        return ramp[np.minimum(np.arange(n), len(ramp) - 1)].T

    def operating_point(self, channel: str, geo: str | None = None) -> np.ndarray:
        """Where the saturation curve sits at current spend ``(n_draws,)``, one unit.

        The steady-state adstocked weekly spend when the model applies adstock
        first, the weekly spend when it saturates first (model scale).
        """
        c, u = self.check_channel(channel), self._one_unit(geo)
        return self.engine.operating_point(c)[u]

    def steady_state_contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, per unit and draw (model scale)."""
        return self.engine.contribution(self.check_channel(channel))

    # ------------------------------------------------------------------ lift and noise

    def steady_state_roas(self, channel: str, geo: str | None = None) -> np.ndarray:
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

    def lift_grid(
        self, channels: Sequence[str], spend_changes: np.ndarray, durations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lift (channel, unit, change, duration, draw) and mean ramp (channel, unit, duration).

        The lifts are the engine's (:meth:`ResponseEngine.lifts`); the mean ramp
        over a test of T weeks is the weekly ramp averaged over draws and weeks,
        1 for each week past the adstock's lags.
        """
        weeks = np.asarray(durations, dtype=np.int64)
        lifts = self.engine.lifts(list(channels), np.asarray(spend_changes, dtype=float), weeks)
        cum = np.cumsum([self.engine.ramp(c).mean(axis=-1) for c in channels], axis=-1)
        shown = np.minimum(weeks, cum.shape[-1])
        ramps = (cum[..., shown - 1] + (weeks - shown)) / weeks
        return lifts, ramps

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
        self.check_channel(channel)
        change = check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        lifts, _ = self.lift_grid([channel], np.array([change]), np.array([weeks]))
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

    def _engine_repr(self) -> str:
        if isinstance(self.engine, KernelEngine):
            return f"normalize={self.engine.normalize}"
        order = "adstock first" if self.engine.adstock_first else "saturation first"
        adstock = getattr(self.engine, "adstock", None)
        return f"adstock={type(adstock).__name__}, {order}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(channels={self.channels}, units={self.units}, "
            f"draws={self.n_draws}, "
            f"saturation={self.saturation.name}, l_max={self.l_max}, {self._engine_repr()})"
        )
