"""Ranking a grid of candidate lift tests from their lift draws.

A candidate is one channel, one relative spend change and one duration, in one
unit (a geo or the national aggregate). :func:`rank_candidates` takes the
posterior draws of every candidate's total lift and the measurement noise of each
duration, and

1. keeps the candidates whose expected lift stands out of the noise,
   ``|E[lift]| / sigma_d >= min_snr``;
2. for those, computes the lift HDI and the assurance (the chance that the test
   reaches significance, averaged over the posterior), tempered (the posterior
   widened by ``prior_trust``) and sceptical (a ``null_probability`` mass at no
   effect);
3. scores them by assurance and by assurance per unit of net cost, each rescaled
   to [0, 1] over the kept candidates, and ranks them by score.

The result, a :class:`CandidateGrid`, turns into the rows of
:class:`~labkit.design.recommendations.Recommendations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from labkit.design.decision import DecisionCurves, decision_values
from labkit.design.learning import DEFAULT_OUTCOMES, expected_sd_reduction
from labkit.design.recommendations import Recommendation
from labkit.stats import assurance, hdi


def _hdi_by_block(draws: np.ndarray, hdi_prob: float, rows: int = 256) -> np.ndarray:
    """HDI of each row, a block of rows at a time (sorting copies only one block)."""
    if not len(draws):
        return np.empty((0, 2))
    return np.concatenate([hdi(draws[i : i + rows], hdi_prob) for i in range(0, len(draws), rows)])


def _minmax(v: np.ndarray) -> np.ndarray:
    """Rescale to [0, 1]; all ones when every value is the same."""
    span = v.max() - v.min() if v.size else 0.0
    return np.ones_like(v) if span == 0 else (v - v.min()) / span


@dataclass(frozen=True)
class CandidateGrid:
    """Every candidate of a grid, flattened, and the ranking of those kept.

    Columns of length ``n_evaluated`` describe every candidate; the arrays of
    length ``len(order)`` describe the kept ones, best first.

    Attributes
    ----------
    channel, spend_change, duration : numpy.ndarray
        The candidate (channel-major, then change, then duration).
    mean, sigma_d, snr : numpy.ndarray
        Expected total lift, noise sd of its measurement, and their ratio (model scale).
    ramp : numpy.ndarray
        Mean share of the steady-state effect reached over the test.
    net_cost : numpy.ndarray
        Extra spend over the test: ``spend * change * duration`` (model scale).
    order : numpy.ndarray
        Indices of the kept candidates, best first.
    lift_hdi, assurance, tempered, sceptical, score : numpy.ndarray
        Of the kept candidates, in ``order`` (``lift_hdi`` has shape ``(n, 2)``).
    learning_value, learning_ess : numpy.ndarray
        Of the kept candidates: expected relative reduction of the posterior sd of
        the channel's ROAS, and the mean effective sample size behind it (NaN when
        not computed).
    decision_value, decision_ess : numpy.ndarray
        Of the kept candidates: the expected value of the result for the budget
        decision, money per week (:mod:`labkit.design.decision`), and the mean
        effective sample size behind it (NaN when not computed).
    dominated : numpy.ndarray
        Of the kept candidates: another kept candidate is at least as good on
        ``|net cost|``, assurance and (when computed) learning and decision value,
        and better on one.
    """

    channel: np.ndarray
    spend_change: np.ndarray
    duration: np.ndarray
    mean: np.ndarray
    sigma_d: np.ndarray
    snr: np.ndarray
    ramp: np.ndarray
    net_cost: np.ndarray
    order: np.ndarray
    lift_hdi: np.ndarray
    assurance: np.ndarray
    tempered: np.ndarray
    sceptical: np.ndarray
    score: np.ndarray
    learning_value: np.ndarray
    learning_ess: np.ndarray
    decision_value: np.ndarray
    decision_ess: np.ndarray
    dominated: np.ndarray

    @property
    def n_evaluated(self) -> int:
        """Candidates evaluated before the SNR filter."""
        return len(self.channel)

    def go_dark_means(self, duration: int) -> dict[str, float]:
        """Return each channel's expected go-dark lift for ``duration`` weeks, if evaluated."""
        at = (self.spend_change == -1.0) & (self.duration == duration)
        return {str(c): float(m) for c, m in zip(self.channel[at], self.mean[at], strict=True)}

    def recommendations(
        self,
        *,
        geo: str,
        target_scale: float,
        channel_scale: Mapping[str, float],
        contexts: Mapping[str, dict[str, Any]],
    ) -> list[Recommendation]:
        """Return the kept candidates as :class:`Recommendation` rows, best first.

        ``target_scale`` converts lifts to outcome units (NaN when unknown),
        ``channel_scale`` costs to currency; ``contexts`` holds, per channel, what
        the rationale of a recommendation mentions.
        """
        items = []
        for j, i in enumerate(self.order):
            c = str(self.channel[i])
            items.append(
                Recommendation(
                    channel=c,
                    spend_change=float(self.spend_change[i]),
                    duration=int(self.duration[i]),
                    expected_lift=float(self.mean[i]),
                    lift_hdi=(float(self.lift_hdi[j, 0]), float(self.lift_hdi[j, 1])),
                    snr=float(self.snr[i]),
                    assurance=float(self.assurance[j]),
                    assurance_tempered=float(self.tempered[j]),
                    assurance_sceptical=float(self.sceptical[j]),
                    ramp_fraction=float(self.ramp[i]),
                    net_cost=float(self.net_cost[i]),
                    score=float(self.score[j]),
                    geo=geo,
                    expected_lift_original=float(self.mean[i] * target_scale),
                    net_cost_original=float(self.net_cost[i] * channel_scale[c]),
                    sigma_d=float(self.sigma_d[i]),
                    learning_value=float(self.learning_value[j]),
                    learning_ess=float(self.learning_ess[j]),
                    decision_value=float(self.decision_value[j]),
                    decision_ess=float(self.decision_ess[j]),
                    dominated=bool(self.dominated[j]),
                    context=contexts[c],
                )
            )
        return items


def rank_candidates(
    channels: Sequence[str],
    spend_changes: np.ndarray,
    durations: np.ndarray,
    lifts: np.ndarray,
    ramp: np.ndarray,
    sigma_d: np.ndarray,
    spend: np.ndarray,
    *,
    min_snr: float,
    significance_level: float,
    weights: Mapping[str, float],
    hdi_prob: float,
    prior_trust: float,
    null_probability: float,
    one_sided: bool,
    quantity: np.ndarray | None = None,
    decision: DecisionCurves | None = None,
    n_outcomes: int = DEFAULT_OUTCOMES,
    rng: np.random.Generator | None = None,
) -> CandidateGrid:
    """Filter, evaluate and rank a grid of candidates (arguments already checked).

    Parameters
    ----------
    channels : sequence of str
        ``C`` channels.
    spend_changes : numpy.ndarray
        ``(K,)`` relative spend changes.
    durations : numpy.ndarray
        ``(T,)`` test lengths in weeks.
    lifts : numpy.ndarray
        ``(C, K, T, n_draws)`` total lift draws (model scale).
    ramp : numpy.ndarray
        ``(C, T)`` mean ramp fraction over the test.
    sigma_d : numpy.ndarray
        ``(T,)`` noise sd of the measured total lift.
    spend : numpy.ndarray
        ``(C,)`` current weekly spend (model scale).
    min_snr, significance_level, weights, hdi_prob, prior_trust, null_probability, one_sided
        As in :meth:`ExperimentDesigner.recommend`.
    quantity : numpy.ndarray, optional
        ``(C, n_draws)`` draws of each channel's ROAS: given, the kept candidates
        get their learning value (:mod:`labkit.design.learning`).
    decision : DecisionCurves, optional
        Given, the kept candidates get their decision value
        (:func:`labkit.design.decision.decision_values`), from the same simulated
        outcomes' generator after the learning value's.
    n_outcomes : int
        Simulated outcomes per candidate for the learning and decision values.
    rng : numpy.random.Generator, optional
        For the simulated outcomes.

    Returns
    -------
    CandidateGrid
    """
    shape = lifts.shape[:-1]
    changes = np.asarray(spend_changes, dtype=float)
    weeks = np.asarray(durations)

    def column(values: np.ndarray | float) -> np.ndarray:
        return np.broadcast_to(values, shape).ravel()

    net_cost = extra_spend(spend[:, None, None], changes[None, :, None], weeks[None, None, :])
    mean = lifts.mean(axis=-1).ravel()
    sd = column(sigma_d[None, None, :])
    snr = mean / sd
    keep = np.flatnonzero(np.abs(snr) >= min_snr)
    # only the kept candidates need work on the draws: their HDI and assurance
    draws = lifts.reshape(-1, lifts.shape[-1])
    kept = draws if len(keep) == len(draws) else draws[keep]
    if len(keep):
        plain, tempered = assurance(
            kept, sd[keep], significance_level, one_sided=one_sided, prior_trust=prior_trust
        )
    else:
        plain = tempered = np.empty(0)
    cost = np.abs(column(net_cost)[keep])
    learning = ess = np.full(len(keep), np.nan)
    if quantity is not None and len(keep):
        per_channel = len(changes) * len(weeks)
        value = expected_sd_reduction(
            kept,
            sd[keep],
            quantity[keep // per_channel],
            n_outcomes=n_outcomes,
            rng=rng if rng is not None else np.random.default_rng(0),
        )
        learning, ess = value.reduction, value.ess
    money = money_ess = np.full(len(keep), np.nan)
    if decision is not None and len(keep):
        worth = decision_values(
            decision, kept, sd[keep], n_outcomes=n_outcomes,
            rng=rng if rng is not None else np.random.default_rng(0),
        )  # fmt: skip
        money, money_ess = worth.per_week, worth.ess
    _, score, dominated = score_candidates(plain, cost, learning, weights, money)
    rank = np.argsort(-score, kind="stable")
    return CandidateGrid(
        channel=column(np.array(channels, dtype=object)[:, None, None]),
        spend_change=column(changes[None, :, None]),
        duration=column(weeks[None, None, :]),
        mean=mean,
        sigma_d=sd,
        snr=snr,
        ramp=column(ramp[:, None, :]),
        net_cost=column(net_cost),
        order=keep[rank],
        lift_hdi=_hdi_by_block(kept, hdi_prob)[rank],
        assurance=plain[rank],
        tempered=tempered[rank],
        sceptical=(1 - null_probability) * plain[rank] + null_probability * significance_level,
        score=score[rank],
        learning_value=learning[rank],
        learning_ess=ess[rank],
        decision_value=money[rank],
        decision_ess=money_ess[rank],
        dominated=dominated[rank],
    )


def score_candidates(
    assurance: np.ndarray,
    net_cost: np.ndarray,
    learning: np.ndarray,
    weights: Mapping[str, float],
    decision: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score candidates the way both designers rank them.

    Parameters
    ----------
    assurance, net_cost, learning : numpy.ndarray
        Per candidate; ``learning`` all NaN when it was not computed.
    weights : dict
        Of ``assurance``, ``cost_efficiency``, ``learning_value`` and
        ``decision_value`` (:func:`labkit.design.checks.check_weights`).
    decision : numpy.ndarray, optional
        Per candidate, the decision value (money per week); None or all NaN when
        not computed.

    Returns
    -------
    cost_efficiency : numpy.ndarray
        Assurance per unit of ``|net cost|``.
    score : numpy.ndarray
        The weighted sum of the three, each rescaled to [0, 1] over the candidates.
    dominated : numpy.ndarray
        Whether another candidate is at least as good on ``|net cost|``, assurance
        and (when computed) learning and decision value, and better on one.
    """
    if decision is None:
        decision = np.full(len(assurance), np.nan)
    cost = np.abs(net_cost)
    efficiency = assurance / cost.clip(min=1e-12)
    score = weights["assurance"] * _minmax(assurance)
    score = score + weights["cost_efficiency"] * _minmax(efficiency)
    if weights.get("learning_value", 0.0):
        score = score + weights["learning_value"] * _minmax(learning)
    if weights.get("decision_value", 0.0):
        score = score + weights["decision_value"] * _minmax(decision)
    objectives = [-cost, assurance] + [v for v in (learning, decision) if not np.isnan(v).all()]
    return efficiency, score, pareto_dominated(np.column_stack(objectives))


def extra_spend(
    spend: np.ndarray | float, change: np.ndarray | float, weeks: np.ndarray | int
) -> np.ndarray | float:
    """Net cost of a test: weekly spend x relative change x weeks (negative for a cut)."""
    return spend * change * weeks


def dominators(objectives: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Which rows of ``objectives`` dominate ``point`` (all objectives to be maximised).

    A row dominates when it is at least as good on every objective and better on one.
    """
    # .all/.any over an axis of a 2-D array: arrays (numpy types them as "bool or array")
    return cast(np.ndarray, (objectives >= point).all(axis=1) & (objectives > point).any(axis=1))


def pareto_dominated(objectives: np.ndarray) -> np.ndarray:
    """Which rows are dominated, all objectives to be maximised.

    Row ``i`` is dominated when another row is at least as good on every column
    and strictly better on one.

    Parameters
    ----------
    objectives : numpy.ndarray
        ``(n, m)``.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` booleans.
    """
    a = np.asarray(objectives, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"objectives must be 2-D (candidates x objectives), got shape {a.shape}")
    # A dominator is lexicographically larger than what it dominates: in descending
    # lexicographic order, a row is dominated exactly when a row already kept on the
    # front dominates it (dominance is transitive), so each row meets only the front.
    order = np.lexsort(a.T[::-1])[::-1]
    dominated = np.zeros(len(a), dtype=bool)
    front = np.empty((0, a.shape[1]))
    for i in order:
        row = a[i]
        if dominators(front, row).any():
            dominated[i] = True
        else:
            front = np.vstack([front, row])
    return dominated
