"""TODO docstring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
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
    check_values,
)
from labkit.design.recommendations import (
    NATIONAL,
    CandidateSummary,
    NullChannel,
    Recommendation,
    Recommendations,
    _minmax,
)
from labkit.response import Saturation, adstock_ramp, get_saturation, steady_state_multiplier
from labkit.stats import HDI_PROB, assurance, check_trust, effective_sigma, hdi

DEFAULT_SPEND_CHANGES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, -0.2, -0.5, -1.0)


DEFAULT_DURATIONS: tuple[int, ...] = (4, 6, 8, 12)


#: Largest relative spend change accepted (+500 %): changes are fractions, so 20 is +2000 %.
MAX_SPEND_CHANGE = 5.0


SCORE_KEYS = ("assurance", "cost_efficiency")


CORRELATION_CAUTION = 0.7


_CHANGE_HINT = (
    f" (a fraction of current weekly spend: 0.2 for +20 %, -1 for go-dark; at most "
    f"{MAX_SPEND_CHANGE:g} = +{MAX_SPEND_CHANGE * 100:.0f} %)"
)


def _check_spend_change(name: str, value: Any) -> float:
    """One relative spend change: a number in [-1, MAX_SPEND_CHANGE], not 0."""
    v = check_number(name, value, low=-1.0, high=MAX_SPEND_CHANGE, hint=_CHANGE_HINT)
    if v == 0:
        raise ValueError(f"{name} must not be 0: a test needs a spend change{_CHANGE_HINT}")
    return v


def _check_spend_changes(values: Any, name: str = "spend_changes") -> tuple[float, ...]:
    """Spend changes: ``None`` gives the defaults, one number is one change, empty raises."""
    items = check_values(name, values, default=DEFAULT_SPEND_CHANGES)
    out = tuple(_check_spend_change(f"{name}[{i}]", v) for i, v in enumerate(items))
    _check_unique(name, out)
    return out


def _check_durations(values: Any, name: str = "durations") -> tuple[int, ...]:
    """Test lengths: ``None`` gives the defaults, one int is one duration, empty raises."""
    items = check_values(name, values, default=DEFAULT_DURATIONS)
    out = tuple(check_int(f"{name}[{i}]", d, minimum=1, unit="weeks") for i, d in enumerate(items))
    _check_unique(name, out)
    return out


def _check_unique(name: str, values: Sequence[Any]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{name} repeats {repeated}; give each value once")


def _per_unit(name: str, values: Any, n_units: int) -> np.ndarray:
    """``values`` as floats, one per unit (a scalar is shared by every unit)."""
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or one number per unit, got {values!r}") from err
    if v.ndim > 1 or v.size not in (1, n_units):
        raise ValueError(f"{name} must be one number or {n_units} (one per unit), got {values!r}")
    return np.broadcast_to(v.reshape(-1), (n_units,)).copy()


def _check_sigma(name: str, values: Any, n_units: int = 1) -> np.ndarray:
    v = _per_unit(name, values, n_units)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {values!r}")
    return v


def _check_rho(values: Any, n_units: int = 1) -> np.ndarray:
    v = _per_unit("residual_autocorr", values, n_units)
    if not np.all(np.isfinite(v)) or np.any((v <= -1) | (v >= 1)):
        raise ValueError(f"residual_autocorr must lie in (-1, 1), got {values!r}")
    return v


def _check_weights(score_weights: Mapping[str, float] | None) -> dict[str, float]:
    if score_weights is None:
        return {"assurance": 0.5, "cost_efficiency": 0.5}
    if not isinstance(score_weights, Mapping):
        raise TypeError(f"score_weights must be a mapping, got {type(score_weights).__name__}")
    unknown = sorted(set(score_weights) - set(SCORE_KEYS))
    if unknown:
        raise ValueError(
            f"unknown score_weights keys {unknown}; allowed keys are {list(SCORE_KEYS)}"
        )
    weights = {
        k: check_number(f"score_weights[{k!r}]", score_weights.get(k, 0.0), low=0.0)
        for k in SCORE_KEYS
    }
    if sum(weights.values()) == 0:
        raise ValueError(
            f"score_weights must be finite, >= 0 and not all 0, got {dict(score_weights)}"
        )
    return weights


class ExperimentDesigner:
    """Rank lift tests by what a fitted MMM's posterior predicts they would show.

    Build it with :meth:`from_mmm` (a fitted pymc-marketing multidimensional
    ``MMM``) or :meth:`from_idata` (a posterior plus the facts an MMM would
    provide). With a ``geo`` dimension the designer evaluates each geo and a
    national aggregate (lift summed over geos draw by draw, noise added in
    quadrature across geos).

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
    units : list of str
        Names of the units (``["national"]`` or the geos).
    channel_scale : dict, optional
        Currency per model-scale spend unit, per channel (> 0; 1 for a channel
        not listed).
    target_scale : float or array (n_units,), optional
        Outcome units per model-scale unit (> 0).
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
            x = _per_unit(f"current_spend[{c!r}]", current_spend[c], n_units)
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(
                    f"current_spend[{c!r}] must be {n_units} finite value(s) >= 0, "
                    f"got {current_spend[c]!r}"
                )
            self.current_spend[c] = x
        self.residual_std = _check_sigma("residual_std", residual_std, n_units)
        self.residual_autocorr = _check_rho(residual_autocorr, n_units)
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
        self.target_scale = _check_sigma("target_scale", target_scale, n_units)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_idata(
        cls,
        idata: Any,
        *,
        current_spend: Mapping[str, float],
        residual_std: float,
        residual_autocorr: float = 0.0,
        l_max: int = 8,
        normalize: bool = True,
        saturation: str = "logistic",
        spend_correlation: pd.DataFrame | None = None,
        channel_scale: Mapping[str, float] | None = None,
        target_scale: float = 1.0,
    ) -> ExperimentDesigner:
        """Build a designer from a posterior with pymc-marketing's names and dims.

        Parameters
        ----------
        idata : arviz.InferenceData or xarray.Dataset
            Its posterior holds ``saturation_<param>`` for each parameter of the
            saturation family and ``adstock_alpha`` over ``chain, draw, channel``
            (optionally ``geo`` too).
        current_spend : dict
            Channel -> weekly spend on the model scale (one value, or one per geo).
        residual_std : float
            Weekly residual standard deviation on the model scale (> 0).
        residual_autocorr : float
            Lag-1 residual autocorrelation in (-1, 1); clipped to [0, 0.99] in the noise formula.
        l_max : int
        normalize : bool
        saturation : str
            ``"logistic"``, ``"michaelis_menten"`` or ``"hill"``.
        spend_correlation : pandas.DataFrame, optional
            Channel x channel correlation of spend.
        channel_scale, target_scale : optional
            Model-scale units, to report results in currency and outcome units.

        Returns
        -------
        ExperimentDesigner
        """
        sat = get_saturation(saturation)
        posterior = getattr(idata, "posterior", idata)
        names = [f"saturation_{p}" for p in sat.params] + ["adstock_alpha"]
        missing = [n for n in names if n not in posterior]
        if missing:
            raise ValueError(
                f"the posterior is missing {missing}; a {sat.name} designer needs {names}"
            )
        channels = [str(c) for c in posterior["adstock_alpha"].coords["channel"].to_numpy()]
        units, arrays = _stack_units(posterior, names)
        check_mapping("current_spend", current_spend)
        unknown = sorted(set(current_spend) - set(channels))
        if unknown:
            raise ValueError(
                f"current_spend has unknown channel(s) {unknown}; channels are {channels}"
            )
        absent = [c for c in channels if c not in current_spend]
        if absent:
            raise ValueError(
                f"current_spend has no value for channel(s) {absent}; it needs every channel "
                f"of the posterior {channels}"
            )
        params = {c: {p: arrays[f"saturation_{p}"][c] for p in sat.params} for c in channels}
        alpha = {c: arrays["adstock_alpha"][c] for c in channels}
        return cls(
            params=params,
            adstock_alpha=alpha,
            current_spend={c: current_spend[c] for c in channels},
            residual_std=residual_std,
            residual_autocorr=residual_autocorr,
            l_max=l_max,
            normalize=normalize,
            saturation=sat,
            spend_correlation=spend_correlation,
            units=units,
            channel_scale=channel_scale,
            target_scale=target_scale,
        )

    @classmethod
    def from_mmm(
        cls, mmm: Any, *, last_weeks: int = 8, max_ppc_draws: int = 500, random_seed: int = 0
    ) -> ExperimentDesigner:
        """Build a designer from a fitted pymc-marketing multidimensional ``MMM``.

        Extracts the posterior draws, the current weekly spend (mean of the last
        ``last_weeks`` weeks, model scale), the residual sd and lag-1
        autocorrelation of ``y`` minus its posterior-predictive mean (model scale,
        per geo), the spend correlation, the adstock settings, the saturation type
        and the scalers.

        Parameters
        ----------
        mmm : pymc_marketing.mmm.multidimensional.MMM
            A fitted model (``mmm.idata`` holds a posterior).
        last_weeks : int
            Weeks averaged for the current spend.
        max_ppc_draws : int
            Posterior draws used for the posterior-predictive mean of ``y``.
        random_seed : int
            Seed of the posterior-predictive draws.

        Returns
        -------
        ExperimentDesigner
        """
        from labkit.design.facts import mmm_facts

        facts = mmm_facts(
            mmm, last_weeks=last_weeks, max_ppc_draws=max_ppc_draws, random_seed=random_seed
        )
        sat = get_saturation(mmm.saturation)
        names = [f"saturation_{p}" for p in sat.params] + ["adstock_alpha"]
        missing = [n for n in names if n not in mmm.idata.posterior]
        if missing:
            raise ValueError(f"the MMM's posterior is missing {missing}")
        units, arrays = _stack_units(mmm.idata.posterior, names, units=facts.units)
        return cls(
            params={
                c: {p: arrays[f"saturation_{p}"][c] for p in sat.params} for c in facts.channels
            },
            adstock_alpha={c: arrays["adstock_alpha"][c] for c in facts.channels},
            current_spend=facts.current_spend,
            residual_std=facts.residual_std,
            residual_autocorr=facts.residual_autocorr,
            l_max=mmm.adstock.l_max,
            normalize=mmm.adstock.normalize,
            saturation=sat,
            spend_correlation=facts.spend_correlation,
            units=units,
            channel_scale=facts.channel_scale,
            target_scale=facts.target_scale,
        )

    # ------------------------------------------------------------------ core math

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

    def _check_channel(self, channel: str, name: str = "channel") -> str:
        if not isinstance(channel, str):
            raise TypeError(
                f"{name} must be a channel name (str), one of {self.channels}, got {channel!r}"
            )
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}; channels are {self.channels}")
        return channel

    def steady_state_contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, per unit and draw (model scale)."""
        c = self._check_channel(channel)
        m = steady_state_multiplier(self.alpha[c], self.l_max, self.normalize)
        return self.saturation(m * self.current_spend[c][:, None], **self.params[c])

    def _lifts(
        self, channels: Sequence[str], spend_changes: np.ndarray, durations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lift (channel, unit, change, duration, draw) and ramp (channel, unit, duration, draw).

        Runs the compiled :func:`labkit._kernels.lift_grid` once for all channels
        (stacked as extra units): per draw, a change of ``spend_change * x`` held for
        ``t`` weeks enters the adstocked spend with the ramp truncated at ``l_max``,
        and weekly lifts through the saturation curve are summed.
        """

        def stack(arrays: list[np.ndarray]) -> np.ndarray:
            return np.ascontiguousarray(np.concatenate(arrays, axis=0))

        pars = [stack([self.params[c][p] for c in channels]) for p in self.saturation.params]
        while len(pars) < 3:
            pars.append(pars[0])
        changes = np.asarray(spend_changes, dtype=float)
        weeks = np.asarray(durations, dtype=np.int64)
        lifts, ramps = _kernels.lift_grid(
            _kernels.SATURATION_CODES[self.saturation.name],
            *pars,
            stack([self.alpha[c] for c in channels]),
            stack([self.current_spend[c] for c in channels]),
            changes,
            weeks,
            self.l_max,
            self.normalize,
        )
        n_c, n_u = len(channels), len(self.units)
        return (
            lifts.reshape(n_c, n_u, len(changes), len(weeks), self.n_draws),
            ramps.reshape(n_c, n_u, len(weeks), self.n_draws),
        )

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
        change = _check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        lifts, _ = self._lifts([channel], np.array([change]), np.array([weeks]))
        lift = lifts[0, :, 0, 0, :]
        return lift.sum(axis=0) if idx is None else lift[idx[0]]

    def sigma_d(self, duration: int | np.ndarray, geo: str | None = None) -> np.ndarray:
        """Noise sd of the measured total lift over ``duration`` weeks (model scale).

        ``duration`` is one int >= 1 (a float is returned) or an array of them.
        """
        if np.ndim(duration):
            weeks = np.array(
                [check_int("duration", d, minimum=1, unit="weeks") for d in np.ravel(duration)]
            )
        else:
            weeks = np.array([check_int("duration", duration, minimum=1, unit="weeks")])
        idx = self._unit_index(geo)
        per_unit = effective_sigma(
            self.residual_std[:, None], self.residual_autocorr[:, None], weeks
        )
        out = np.sqrt((per_unit**2).sum(axis=0)) if idx is None else per_unit[idx[0]]
        return out if np.ndim(duration) else out[0]

    # ------------------------------------------------------------------ ranking

    def evaluate(
        self,
        channel: str,
        spend_change: float,
        duration: int,
        *,
        geo: str | None = None,
        significance_level: float = 0.05,
        hdi_prob: float = HDI_PROB,
        prior_trust: float = 1.0,
        one_sided: bool = False,
    ) -> CandidateSummary:
        """Evaluate one candidate (what the explorer widget shows).

        Parameters
        ----------
        channel : str
            One of :attr:`channels`.
        spend_change : float
            Relative change of weekly spend, a fraction in [-1, 5] other than 0
            (0.2 = +20 %, -1 = go-dark).
        duration : int
            Test length in weeks (>= 1).
        geo : str, optional
            A geo, or ``None``/``"national"`` for the national aggregate.
        significance_level : float
            Level of the test, in (0, 1).
        hdi_prob : float
            Mass of the lift HDI, in (0, 1).
        prior_trust : float
            k >= 1 widens the design prior: lift draws are spread around their
            mean by k before assurance is computed.
        one_sided : bool
            Count only significant results in the expected direction.

        Returns
        -------
        CandidateSummary
        """
        self._check_channel(channel)
        change = _check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        sig = check_probability("significance_level", significance_level)
        prob = check_probability("hdi_prob", hdi_prob)
        k = check_trust(prior_trust)
        one_sided = check_bool("one_sided", one_sided)
        draws = self.lift_draws(channel, change, weeks, geo)
        sd = float(self.sigma_d(weeks, geo))
        mean = draws.mean()
        plain, temp = assurance(draws, sd, sig, one_sided=one_sided, prior_trust=k)
        ramp = adstock_ramp(self.alpha[channel], self.l_max, weeks).mean(axis=-1)
        ramp_unit = ramp.mean(axis=0) if idx is None else ramp[idx[0]]
        lo, hi = hdi(draws, prob)
        return CandidateSummary(
            channel=channel,
            geo=NATIONAL if idx is None else self.units[idx[0]],
            spend_change=change,
            duration=weeks,
            lift_draws=draws,
            lift_hdi=(float(lo), float(hi)),
            sigma_d=sd,
            snr=float(mean / sd),
            assurance=float(plain),
            assurance_tempered=float(temp),
            ramp_fraction=float(ramp_unit.mean()),
            hdi_prob=prob,
        )

    @cached_property
    def contribution_cv(self) -> dict[str, float]:
        """Relative posterior spread of each channel's contribution.

        The coefficient of variation (sd / mean) over draws of the steady-state
        weekly contribution at current spend, summed over units.
        """
        cv = {}
        for c in self.channels:
            contrib = self.steady_state_contribution(c).sum(axis=0)
            cv[c] = float(contrib.std() / max(abs(contrib.mean()), 1e-12))
        return cv

    def uncertainty_rank(self) -> dict[str, int]:
        """Rank channels by :attr:`contribution_cv` (1 = most uncertain)."""
        cv = self.contribution_cv
        order = sorted(cv, key=lambda c: -cv[c])
        return {c: i + 1 for i, c in enumerate(order)}

    def null_channels(
        self,
        duration: int = 12,
        geo: str | None = None,
        *,
        go_dark_means: Mapping[str, float] | None = None,
    ) -> list[NullChannel]:
        """Channels whose contribution is indistinguishable from noise.

        Rule: a channel is near-null when even switching it off for ``duration``
        weeks (the longest test considered) gives an expected lift smaller than
        the measurement noise, ``|E[lift]| / sigma_d < 1``. Such channels cannot
        reach useful assurance, so the ranking deprioritises them; they are
        reported separately because confirming a null can free budget.
        ``go_dark_means`` passes expected go-dark lifts already computed.

        Parameters
        ----------
        duration : int
            Weeks of the go-dark test (>= 1).
        geo : str, optional
            A geo, or ``None``/``"national"`` for the national aggregate.
        go_dark_means : dict, optional
            ``{channel: expected go-dark lift}`` already computed.

        Returns
        -------
        list of NullChannel
        """
        duration = check_int("duration", duration, minimum=1, unit="weeks")
        out = []
        sd = float(self.sigma_d(duration, geo))
        known = go_dark_means or {}
        for c in self.channels:
            mean = known[c] if c in known else self.lift_draws(c, -1.0, duration, geo).mean()
            snr = float(mean / sd)
            if abs(snr) < 1:
                out.append(NullChannel(c, NATIONAL if geo is None else geo, snr, duration))
        return out

    def recommend(
        self,
        spend_changes: Sequence[float] | None = None,
        durations: Sequence[int] | None = None,
        min_snr: float = 2.0,
        significance_level: float = 0.05,
        score_weights: Mapping[str, float] | None = None,
        hdi_prob: float = HDI_PROB,
        *,
        channels: Sequence[str] | None = None,
        geo: str | None = None,
        prior_trust: float = 2.0,
        null_probability: float = 0.3,
        one_sided: bool = False,
    ) -> Recommendations:
        """Evaluate the grid of candidates and rank those passing the SNR filter.

        Parameters
        ----------
        spend_changes : float or sequence of float, optional
            Relative changes of weekly spend, fractions in [-1, 5] other than 0
            (0.2 = +20 %, -1 = go-dark); one number is one change. Default
            ``(0.1, 0.2, 0.3, 0.5, -0.2, -0.5, -1.0)``; an empty sequence raises.
        durations : int or sequence of int, optional
            Test lengths in weeks (>= 1); one int is one duration. Default
            ``(4, 6, 8, 12)``; an empty sequence raises.
        min_snr : float
            Keep candidates with ``|E[lift]| / sigma_d >= min_snr``.
        significance_level : float
            Level of the test, in (0, 1).
        score_weights : dict, optional
            Weights of ``assurance`` and ``cost_efficiency`` (default 0.5 each);
            unknown keys raise.
        hdi_prob : float
            Mass of the lift HDI, in (0, 1).
        channels : str or sequence of str, optional
            Restrict to these channels (one name is one channel); default all.
        geo : str, optional
            A geo, or the national aggregate (default).
        prior_trust : float
            k >= 1 for the tempered assurance (design prior = posterior spread x k).
        null_probability : float
            Weight of the point mass at zero effect in the sceptical assurance, in [0, 1).
        one_sided : bool
            Count only significant results in the expected direction.

        Returns
        -------
        Recommendations
        """
        changes = np.array(_check_spend_changes(spend_changes, "spend_changes"))
        weeks = np.array(_check_durations(durations, "durations"))
        sig = check_probability("significance_level", significance_level)
        hdi_prob = check_probability("hdi_prob", hdi_prob)
        weights = _check_weights(score_weights)
        k = check_trust(prior_trust)
        null_probability = check_number(
            "null_probability", null_probability, low=0.0, high=1.0, high_open=True
        )
        min_snr = check_number("min_snr", min_snr, low=0.0)
        one_sided = check_bool("one_sided", one_sided)
        chans = [
            self._check_channel(c, "channels")
            for c in check_strings("channels", channels, default=self.channels)
        ]
        idx = self._unit_index(geo)
        unit_name = NATIONAL if idx is None else self.units[idx[0]]
        sd = self.sigma_d(weeks, geo)  # (T,)
        ranks = self.uncertainty_rank()

        lifts, ramp = self._lifts(chans, changes, weeks)  # (C,U,K,T,D), (C,U,T,D)
        if idx is None:
            lifts = lifts[:, 0] if len(self.units) == 1 else lifts.sum(axis=1)  # (C,K,T,D)
            ramp = ramp.mean(axis=(1, 3))  # (C,T)
            x = np.array([self.current_spend[c].sum() for c in chans])
        else:
            lifts, ramp = lifts[:, idx[0]], ramp[:, idx[0]].mean(axis=-1)
            x = np.array([self.current_spend[c][idx[0]] for c in chans])
        mean = lifts.mean(axis=-1)
        bounds = hdi(lifts, hdi_prob)
        plain, temp = assurance(lifts, sd[None, None, :], sig, one_sided=one_sided, prior_trust=k)
        shape = mean.shape  # (C,K,T)
        table = {
            key: np.broadcast_to(value, shape).ravel()
            for key, value in {
                "channel": np.array(chans, dtype=object)[:, None, None],
                "spend_change": changes[None, :, None],
                "duration": weeks[None, None, :],
                "mean": mean,
                "lo": bounds[..., 0],
                "hi": bounds[..., 1],
                "assurance": plain,
                "tempered": temp,
                "ramp": ramp[:, None, :],
                "net_cost": x[:, None, None] * changes[None, :, None] * weeks[None, None, :],
                "sigma_d": sd[None, None, :],
            }.items()
        }
        n_eval = len(table["channel"])
        snr = table["mean"] / table["sigma_d"]
        keep = np.abs(snr) >= min_snr
        sceptical = (1 - null_probability) * table["assurance"] + null_probability * sig
        efficiency = table["assurance"] / np.abs(table["net_cost"]).clip(min=1e-12)
        score = np.zeros(n_eval)
        if keep.any():
            score[keep] = weights["assurance"] * _minmax(table["assurance"][keep]) + weights[
                "cost_efficiency"
            ] * _minmax(efficiency[keep])
        order = [i for i in np.argsort(-score, kind="stable") if keep[i]]
        go_dark = {}
        if -1.0 in changes:
            at = (table["spend_change"] == -1.0) & (table["duration"] == weeks.max())
            go_dark = dict(zip(table["channel"][at], table["mean"][at], strict=True))
        nulls = self.null_channels(int(weeks.max()), geo, go_dark_means=go_dark)
        null_names = {n.channel for n in nulls}
        # Outcome units: a geo's lift times its target scale; the national sum of model-scale
        # lifts converts only when every geo shares one target scale (pymc-marketing's default).
        if idx is not None:
            target = float(self.target_scale[idx[0]])
        elif np.allclose(self.target_scale, self.target_scale[0]):
            target = float(self.target_scale[0])
        else:
            target = float("nan")
        contexts = {
            c: {
                "rank": ranks[c],
                "n_channels": len(self.channels),
                "correlated": self._correlated(c),
                "is_null": c in null_names,
                "prior_trust": k,
                "null_probability": float(null_probability),
                "hdi_prob": hdi_prob,
            }
            for c in chans
        }
        items = []
        for i in order:
            c = str(table["channel"][i])
            items.append(
                Recommendation(
                    channel=c,
                    spend_change=float(table["spend_change"][i]),
                    duration=int(table["duration"][i]),
                    expected_lift=float(table["mean"][i]),
                    lift_hdi=(float(table["lo"][i]), float(table["hi"][i])),
                    snr=float(snr[i]),
                    assurance=float(table["assurance"][i]),
                    assurance_tempered=float(table["tempered"][i]),
                    assurance_sceptical=float(sceptical[i]),
                    ramp_fraction=float(table["ramp"][i]),
                    net_cost=float(table["net_cost"][i]),
                    score=float(score[i]),
                    geo=unit_name,
                    expected_lift_original=float(table["mean"][i] * target),
                    net_cost_original=float(table["net_cost"][i] * self.channel_scale[c]),
                    sigma_d=float(table["sigma_d"][i]),
                    context=contexts[c],
                )
            )
        settings = {
            "spend_changes": changes.tolist(), "durations": weeks.tolist(), "min_snr": min_snr,
            "significance_level": sig, "score_weights": weights, "hdi_prob": hdi_prob,
            "geo": unit_name,
            "prior_trust": k, "null_probability": null_probability, "one_sided": one_sided,
        }  # fmt: skip
        return Recommendations(items, nulls, n_eval, settings, n_passed=len(items))

    def _correlated(self, channel: str) -> list[tuple[str, float]]:
        """Other channels whose spend correlation with ``channel`` exceeds 0.7 in absolute value."""
        i = self.channels.index(channel)
        row = self.spend_correlation.to_numpy()[i]
        return [
            (o, float(r))
            for j, (o, r) in enumerate(zip(self.channels, row, strict=True))
            if j != i and abs(r) > CORRELATION_CAUTION
        ]

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

        Each simulated experiment draws a "true" lift from the posterior, observes
        it with N(0, sigma_d) noise and runs the two-sided z-test. Over many
        experiments the share of significant results estimates the assurance.
        """
        n_experiments = check_int("n_experiments", n_experiments, minimum=1)
        sig = check_probability("significance_level", significance_level)
        rng = np.random.default_rng(random_seed)
        draws = self.lift_draws(channel, spend_change, duration, geo)
        sd = float(self.sigma_d(duration, geo))
        truth = rng.choice(draws, size=n_experiments, replace=True)
        observed = truth + rng.normal(0.0, sd, n_experiments)
        z = ndtri(1 - sig / 2)
        return float(np.mean(np.abs(observed) / sd > z))

    def __repr__(self) -> str:
        return (
            f"ExperimentDesigner(channels={self.channels}, units={self.units}, "
            f"draws={self.n_draws}, "
            f"saturation={self.saturation.name}, l_max={self.l_max}, normalize={self.normalize})"
        )


def _as_units(values: Any) -> np.ndarray:
    """Posterior draws as a C-contiguous float (n_units, n_draws) array."""
    return np.ascontiguousarray(np.atleast_2d(np.asarray(values, dtype=float)))


def _stack_units(
    posterior: Any, names: list[str], units: list[str] | None = None
) -> tuple[list[str], dict[str, dict[str, np.ndarray]]]:
    """Reshape posterior variables to ``{name: {channel: (n_units, n_draws)}}``."""
    first = posterior[names[-1]]
    has_geo = "geo" in first.dims
    geo_units = [str(g) for g in first.coords["geo"].to_numpy()] if has_geo else None
    for name in names:
        if "geo" in posterior[name].dims and geo_units is None:
            geo_units = [str(g) for g in posterior[name].coords["geo"].to_numpy()]
    units = units or geo_units or [NATIONAL]
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in names:
        da = posterior[name]
        extra = set(da.dims) - {"chain", "draw", "channel", "geo"}
        if extra:
            raise ValueError(f"{name} has unsupported dims {sorted(extra)}")
        da = da.stack(sample=("chain", "draw"))
        if "geo" in da.dims:
            da = da.sel(geo=units)
        out[name] = {}
        for c in da.coords["channel"].to_numpy():
            v = da.sel(channel=c)
            arr = (
                v.transpose("geo", "sample").to_numpy()
                if "geo" in v.dims
                else v.to_numpy()[None, :]
            )
            out[name][str(c)] = np.broadcast_to(arr, (len(units), arr.shape[-1])).copy()
    return units, out
