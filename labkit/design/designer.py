"""The posterior-aware experiment designer: which lift test to run next.

:class:`ExperimentDesigner` predicts what a candidate lift test would show
(:class:`~labkit.design.lift_model.LiftModel`: lift draws and measurement noise) and
turns it into the assurance: the probability, averaged over the posterior, that
the test reaches significance. :meth:`~ExperimentDesigner.recommend` ranks a grid
of candidates (:mod:`labkit.design.grid`); two safeguards flag channels whose
effect is indistinguishable from noise and channels whose spend moves with
another's, which the MMM may not have separated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from labkit._validate import (
    check_bool,
    check_int,
    check_mapping,
    check_number,
    check_probability,
    check_strings,
)
from labkit.design.checks import (
    NATIONAL,
    check_durations,
    check_spend_change,
    check_spend_changes,
    check_weights,
)
from labkit.design.decision import BudgetDecision, DecisionCurves, decision_curves
from labkit.design.facts import mmm_facts, posterior_draws, response_engine
from labkit.design.grid import rank_candidates
from labkit.design.learning import DEFAULT_OUTCOMES, expected_sd_reduction
from labkit.design.lift_model import LiftModel
from labkit.design.recommendations import CandidateSummary, NullChannel, Recommendations
from labkit.response import get_saturation
from labkit.stats import HDI_PROB, assurance, check_trust, hdi

if TYPE_CHECKING:
    import arviz as az
    import xarray as xr
    from pymc_marketing.mmm.multidimensional import MMM

CORRELATION_CAUTION = 0.7
"""Spend correlation (absolute) above which a recommendation carries a caution."""


class ExperimentDesigner(LiftModel):
    """Rank lift tests by what a fitted MMM's posterior predicts they would show.

    Build it with :meth:`from_mmm` (a fitted pymc-marketing multidimensional
    ``MMM``) or :meth:`from_idata` (a posterior plus the facts an MMM would
    provide). With a ``geo`` dimension the designer evaluates each geo and a
    national aggregate (lift summed over geos draw by draw, noise added in
    quadrature across geos).

    The parameters, all on the model scale, are those of
    :class:`~labkit.design.lift_model.LiftModel`: the posterior draws per channel
    (``params``, ``adstock_alpha``), the current spend, the residual noise, the
    adstock settings, the saturation family, the spend correlation, the units and
    the scales to currency and outcome units.
    """

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_idata(
        cls,
        idata: az.InferenceData | xr.Dataset,
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
        baseline_weeks: int | None = None,
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
        baseline_weeks : int, optional
            Pre-period weeks of an estimated baseline (see :class:`LiftModel`).

        Returns
        -------
        ExperimentDesigner
        """
        sat = get_saturation(saturation)
        draws = posterior_draws(cast("xr.Dataset", getattr(idata, "posterior", idata)), sat)
        check_mapping("current_spend", current_spend)
        unknown = sorted(set(current_spend) - set(draws.channels))
        if unknown:
            raise ValueError(
                f"current_spend has unknown channel(s) {unknown}; channels are {draws.channels}"
            )
        absent = [c for c in draws.channels if c not in current_spend]
        if absent:
            raise ValueError(
                f"current_spend has no value for channel(s) {absent}; it needs every channel "
                f"of the posterior {draws.channels}"
            )
        return cls(
            params=draws.saturation,
            adstock_alpha=draws.adstock_alpha,
            current_spend={c: current_spend[c] for c in draws.channels},
            residual_std=residual_std,
            residual_autocorr=residual_autocorr,
            l_max=l_max,
            normalize=normalize,
            saturation=sat,
            spend_correlation=spend_correlation,
            units=draws.units,
            channel_scale=channel_scale,
            target_scale=target_scale,
            baseline_weeks=baseline_weeks,
        )

    @classmethod
    def from_mmm(
        cls,
        mmm: MMM,
        *,
        last_weeks: int = 8,
        max_ppc_draws: int = 500,
        random_seed: int = 0,
        baseline_weeks: int | None = None,
        engine: str = "auto",
    ) -> ExperimentDesigner:
        """Build a designer from a fitted pymc-marketing multidimensional ``MMM``.

        Extracts the posterior draws of the model's adstock and saturation, the
        current weekly spend (mean of the last ``last_weeks`` weeks, model
        scale), the residual sd and lag-1 autocorrelation of ``y`` minus its
        posterior-predictive mean (model scale, per geo), the spend correlation
        and the scalers (see :func:`~labkit.design.facts.mmm_facts`). Model
        settings that change a lift and that labkit does not compute are
        refused (:func:`labkit.mmm.check_response_settings`).

        Parameters
        ----------
        mmm : pymc_marketing.mmm.multidimensional.MMM
            A fitted model (``mmm.idata`` holds a posterior), ``dims=()`` or
            ``dims=("geo",)``, with any adstock and saturation of pymc-marketing
            in either order.
        last_weeks : int
            Weeks averaged for the current spend.
        max_ppc_draws : int
            Posterior draws used for the posterior-predictive mean of ``y``.
        random_seed : int
            Seed of the posterior-predictive draws.
        baseline_weeks : int, optional
            Pre-period weeks of an estimated baseline (see :class:`LiftModel`).
        engine : {"auto", "kernel", "components"}
            How lifts are computed (:mod:`labkit.design.engines`): the compiled
            kernel (geometric adstock first, then a logistic, Michaelis-Menten
            or Hill curve), the model's own components (any model), or
            ``"auto"``: the kernel where it applies.

        Returns
        -------
        ExperimentDesigner
        """
        facts = mmm_facts(
            mmm, last_weeks=last_weeks, max_ppc_draws=max_ppc_draws, random_seed=random_seed
        )
        response = response_engine(mmm, facts, engine)
        return cls(
            engine=response,
            current_spend=facts.current_spend,
            residual_std=facts.residual_std,
            residual_autocorr=facts.residual_autocorr,
            spend_correlation=facts.spend_correlation,
            units=facts.units,
            channel_scale=facts.channel_scale,
            target_scale=facts.target_scale,
            baseline_weeks=baseline_weeks,
        )

    # ------------------------------------------------------------------ one candidate

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
        self.check_channel(channel)
        change = check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        sig = check_probability("significance_level", significance_level)
        prob = check_probability("hdi_prob", hdi_prob)
        k = check_trust(prior_trust)
        one_sided = check_bool("one_sided", one_sided)
        lifts, ramps = self.lift_grid([channel], np.array([change]), np.array([weeks]))
        draws = lifts[0, :, 0, 0, :].sum(axis=0) if idx is None else lifts[0, idx[0], 0, 0, :]
        ramp = ramps[0, :, 0].mean() if idx is None else ramps[0, idx[0], 0]
        sd = float(self.sigma_d(weeks, geo))
        plain, temp = assurance(draws, sd, sig, one_sided=one_sided, prior_trust=k)
        lo, hi = hdi(draws, prob)
        return CandidateSummary(
            channel=channel,
            geo=NATIONAL if idx is None else self.units[idx[0]],
            spend_change=change,
            duration=weeks,
            lift_draws=draws,
            lift_hdi=(float(lo), float(hi)),
            sigma_d=sd,
            snr=float(draws.mean() / sd),
            assurance=float(plain),
            assurance_tempered=float(temp),
            ramp_fraction=float(ramp),
            hdi_prob=prob,
        )

    def learning_value(
        self,
        channel: str,
        spend_change: float,
        duration: int,
        *,
        geo: str | None = None,
        n_outcomes: int = DEFAULT_OUTCOMES,
        random_seed: int = 0,
    ) -> pd.DataFrame:
        """Return what one candidate's result is expected to teach about the channel.

        The preposterior sd reduction (:mod:`labkit.design.learning`) of the
        channel's ROAS (:meth:`steady_state_roas`) and, for one unit (a national model or
        a ``geo``), of its saturation parameters and adstock decay.

        Parameters
        ----------
        channel : str
        spend_change : float
        duration : int
        geo : str, optional
        n_outcomes : int
            Simulated outcomes (>= 8).
        random_seed : int

        Returns
        -------
        pandas.DataFrame
            Indexed by quantity: ``prior_sd``, ``expected_sd``, ``reduction``,
            ``ess`` (mean effective sample size) and ``ess_min``.
        """
        n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
        random_seed = check_int("random_seed", random_seed, minimum=0)
        lifts = self.lift_draws(channel, spend_change, duration, geo)
        sd = float(self.sigma_d(duration, geo))
        quantities = {"roas": self.steady_state_roas(channel, geo)}
        if geo is not None or len(self.units) == 1:
            quantities |= self.saturation_draws(channel, geo)
            quantities |= {f"adstock_{p}": v for p, v in self.adstock_draws(channel, geo).items()}
        value = expected_sd_reduction(
            np.repeat(lifts[None, :], len(quantities), axis=0),
            np.full(len(quantities), sd),
            np.array(list(quantities.values())),
            n_outcomes=n_outcomes,
            rng=np.random.default_rng(random_seed),
        )
        return pd.DataFrame(
            {
                "prior_sd": value.prior_sd,
                "expected_sd": value.expected_sd,
                "reduction": value.reduction,
                "ess": value.ess,
                "ess_min": value.ess_min,
            },
            index=pd.Index(list(quantities), name="quantity"),
        )

    # ------------------------------------------------------------------ safeguards

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

    def correlated_channels(self, channel: str) -> list[tuple[str, float]]:
        """Other channels whose spend correlation with ``channel`` exceeds 0.7 in absolute value.

        Returns
        -------
        list of (str, float)
            Each such channel and its correlation.
        """
        i = self.channels.index(self.check_channel(channel))
        row = self.spend_correlation.to_numpy()[i]
        return [
            (o, float(r))
            for j, (o, r) in enumerate(zip(self.channels, row, strict=True))
            if j != i and abs(r) > CORRELATION_CAUTION
        ]

    # ------------------------------------------------------------------ ranking

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
        learning_value: bool = False,
        decision: BudgetDecision | DecisionCurves | None = None,
        n_outcomes: int = DEFAULT_OUTCOMES,
        random_seed: int = 0,
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
        learning_value : bool
            Also compute each kept candidate's learning value: the expected
            reduction of the posterior sd of the channel's ROAS after the test
            (:mod:`labkit.design.learning`). On whenever ``score_weights`` gives
            ``"learning_value"`` a weight.
        decision : BudgetDecision or DecisionCurves, optional
            The budget decision the tests serve: given, every kept candidate gets its
            decision value, what its result is expected to be worth for splitting the
            budget (money per week, :mod:`labkit.design.decision`), and the frontier
            and rationale include it. Required when ``score_weights`` gives
            ``"decision_value"`` a weight.
        n_outcomes : int
            Simulated outcomes per candidate for the learning and decision values (>= 8).
        random_seed : int
            Seed of those outcomes.

        Returns
        -------
        Recommendations
            Each recommendation also says whether another kept candidate dominates
            it on ``|net cost|``, assurance and (when computed) learning value.
        """
        changes = np.array(check_spend_changes(spend_changes, "spend_changes"))
        weeks = np.array(check_durations(durations, "durations"))
        sig = check_probability("significance_level", significance_level)
        hdi_prob = check_probability("hdi_prob", hdi_prob)
        weights = check_weights(score_weights)
        k = check_trust(prior_trust)
        null_probability = check_number(
            "null_probability", null_probability, low=0.0, high=1.0, high_open=True
        )
        min_snr = check_number("min_snr", min_snr, low=0.0)
        one_sided = check_bool("one_sided", one_sided)
        learning = check_bool("learning_value", learning_value) or weights["learning_value"] > 0
        if decision is None and weights["decision_value"] > 0:
            raise ValueError(
                "score_weights gives 'decision_value' a weight: pass decision=BudgetDecision(...)"
            )
        curves = None
        if decision is not None:
            curves = (
                decision
                if isinstance(decision, DecisionCurves)
                else decision_curves(self, decision)
            )
            if curves.channels != tuple(self.channels):
                raise ValueError(
                    f"decision's curves are for channels {list(curves.channels)}, the designer's "
                    f"are {list(self.channels)}"
                )
        n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
        random_seed = check_int("random_seed", random_seed, minimum=0)
        chans = [
            self.check_channel(c, "channels")
            for c in check_strings("channels", channels, default=self.channels)
        ]
        idx = self._unit_index(geo)
        unit = NATIONAL if idx is None else self.units[idx[0]]

        lifts, ramp = self.lift_grid(chans, changes, weeks)  # (C,U,K,T,D), (C,U,T)
        if idx is None:
            lifts = lifts[:, 0] if len(self.units) == 1 else lifts.sum(axis=1)
            ramp = ramp.mean(axis=1)
            spend = np.array([self.current_spend[c].sum() for c in chans])
        else:
            lifts, ramp = lifts[:, idx[0]], ramp[:, idx[0]]
            spend = np.array([self.current_spend[c][idx[0]] for c in chans])
        roas = np.array([self.steady_state_roas(c, geo) for c in chans]) if learning else None
        grid = rank_candidates(
            chans, changes, weeks, lifts, ramp, self.sigma_d(weeks, geo), spend,
            min_snr=min_snr, significance_level=sig, weights=weights, hdi_prob=hdi_prob,
            prior_trust=k, null_probability=null_probability, one_sided=one_sided,
            quantity=roas, decision=curves,
            n_outcomes=n_outcomes, rng=np.random.default_rng(random_seed),
        )  # fmt: skip
        longest = int(weeks.max())
        nulls = self.null_channels(longest, geo, go_dark_means=grid.go_dark_means(longest))
        null_names = {n.channel for n in nulls}
        ranks = self.uncertainty_rank()
        contexts = {
            c: {
                "rank": ranks[c],
                "n_channels": len(self.channels),
                "correlated": self.correlated_channels(c),
                "is_null": c in null_names,
                "prior_trust": k,
                "null_probability": float(null_probability),
                "hdi_prob": hdi_prob,
                "horizon": None if curves is None else curves.horizon,
            }
            for c in chans
        }
        items = grid.recommendations(
            geo=unit,
            target_scale=self._target_scale(idx),
            channel_scale=self.channel_scale,
            contexts=contexts,
        )
        settings = {
            "spend_changes": changes.tolist(), "durations": weeks.tolist(), "min_snr": min_snr,
            "significance_level": sig, "score_weights": weights, "hdi_prob": hdi_prob,
            "geo": unit,
            "prior_trust": k, "null_probability": null_probability, "one_sided": one_sided,
            "learning_value": learning, "decision_value": curves is not None,
            "n_outcomes": n_outcomes, "random_seed": random_seed,
        }  # fmt: skip
        return Recommendations(items, nulls, grid.n_evaluated, settings, n_passed=len(items))

    def _target_scale(self, idx: list[int] | None) -> float:
        """Outcome units per model-scale lift of a geo, or of the national sum.

        The national sum of model-scale lifts converts only when every geo shares
        one target scale (pymc-marketing's default); otherwise NaN.
        """
        if idx is not None:
            return float(self.target_scale[idx[0]])
        if np.allclose(self.target_scale, self.target_scale[0]):
            return float(self.target_scale[0])
        return float("nan")
