"""Decision value: what a lift test is worth in money, for the budget it will change.

A team does not buy a test to cut a standard deviation; it buys it to split next
quarter's budget better. The decision here is pymc-marketing's budget problem:
split a fixed weekly budget across the channels, each within its bounds, to
maximise the expected weekly contribution (at a fixed budget, the expected
profit too). Under today's posterior one allocation is best. After a test's
result the posterior changes, and so may the best allocation. The *decision
value* of a test is the expected gain from re-deciding (the expected value of
sample information):

``E_y [ max_x E[U(x) | y] - E[U(x_now) | y] ]``

where ``U(x)`` is the steady-state weekly contribution of allocation ``x`` in
outcome units times ``value_per_unit``, ``x_now`` today's best allocation, and
``y`` the test's measured lift, simulated from the model's own predictive. The
posterior after ``y`` is today's draws reweighted by the test's likelihood, the
same preposterior reweighting as the learning value (:mod:`labkit.design.learning`),
whose effective sample size is reported with it. Each term is non-negative: a
result can only make the team re-decide for the better, in expectation under what
it then believes.

The allocation is exact on a grid: the budget above the lower bounds is cut into
``steps`` equal increments and a dynamic programme over the channels finds the
best split for every weight set at once (vectorised over the draws' weights, no
concavity assumed, so S-shaped curves are handled too).

Each channel's response curve comes from the designer's engine: the steady-state
weekly contribution at a spend ``x`` is the contribution at current spend plus the
steady-state weekly lift of the change ``x / current - 1`` (the model's own
adstock and saturation, in either order), summed over geos and put in outcome
units with each geo's target scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner

__all__ = [
    "BudgetDecision",
    "DecisionValue",
    "Preposterior",
    "best_allocation",
    "decision_value",
    "preposterior_decision_value",
    "response_curves",
]

DEFAULT_STEPS = 60
"""Increments the budget above the lower bounds is cut into."""


@dataclass(frozen=True)
class BudgetDecision:
    """A fixed weekly budget to split across channels, and what a unit of outcome is worth.

    Attributes
    ----------
    budget : float
        Weekly spend to allocate, in the designer's spend units (currency when the
        designer has a channel scale, else the model's scale), > 0.
    bounds : dict
        ``{channel: (low, high)}`` weekly spend per channel, ``0 <= low <= high``;
        every channel of the designer must have bounds. Their lows must sum to at
        most ``budget`` and their highs to at least it.
    value_per_unit : float
        Money per unit of outcome (a margin; 1 reports the value in outcome units), > 0.
    horizon : int
        Weeks the allocation will run (>= 1): the value over the horizon is the
        weekly value times it.
    steps : int
        Increments of the budget above the lows (>= 2): the allocation's resolution.
    """

    budget: float
    bounds: Mapping[str, tuple[float, float]]
    value_per_unit: float = 1.0
    horizon: int = 13
    steps: int = DEFAULT_STEPS

    def __post_init__(self) -> None:
        check_number("budget", self.budget, low=0.0, low_open=True)
        check_number("value_per_unit", self.value_per_unit, low=0.0, low_open=True)
        check_int("horizon", self.horizon, minimum=1, unit="weeks")
        check_int("steps", self.steps, minimum=2)
        if not isinstance(self.bounds, Mapping) or not self.bounds:
            raise TypeError(
                "bounds must be a non-empty dict {channel: (low, high)}, got "
                f"{type(self.bounds).__name__}"
            )
        for channel, pair in self.bounds.items():
            if not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f"bounds[{channel!r}] must be a (low, high) pair, got {pair!r}")
            low = check_number(f"bounds[{channel!r}] low", pair[0], low=0.0)
            check_number(f"bounds[{channel!r}] high", pair[1], low=low)
        lows = sum(float(p[0]) for p in self.bounds.values())
        highs = sum(float(p[1]) for p in self.bounds.values())
        if lows > self.budget:
            raise ValueError(
                f"budget must be at least the sum of the lower bounds ({lows:g}), "
                f"got {self.budget:g}"
            )
        if highs < self.budget:
            raise ValueError(
                f"budget must be at most the sum of the upper bounds ({highs:g}), "
                f"got {self.budget:g}"
            )

    def check_channels(self, channels: Sequence[str]) -> None:
        """Raise unless ``bounds`` names exactly these channels."""
        unknown = sorted(set(self.bounds) - set(channels))
        if unknown:
            raise ValueError(
                f"bounds has unknown channels {unknown}; the channels are {list(channels)}"
            )
        missing = [c for c in channels if c not in self.bounds]
        if missing:
            raise ValueError(f"bounds must cover every channel; missing {missing}")

    @property
    def increment(self) -> float:
        """Spend of one step."""
        lows = sum(float(p[0]) for p in self.bounds.values())
        return (self.budget - lows) / self.steps

    def grid(self, channel: str) -> np.ndarray:
        """Return the spends ``low + j * increment`` a channel may take, up to its high."""
        low, high = (float(v) for v in self.bounds[channel])
        step = self.increment
        n = int(np.floor((high - low) / step + 1e-9)) if step > 0 else 0
        return low + step * np.arange(min(n, self.steps) + 1)


@dataclass(frozen=True)
class DecisionValue:
    """What a test's result is expected to be worth for the budget decision.

    Attributes
    ----------
    per_week : float
        Expected gain per week of re-deciding after the result, in money
        (outcome units times ``value_per_unit``).
    over_horizon : float
        ``per_week`` times the decision's horizon.
    ess, ess_min : float
        Mean and smallest effective sample size of the outcomes' weights.
    switch_share : float
        Share of the simulated outcomes after which the best allocation changes.
    allocation_now : pandas.Series
        Today's best weekly spend per channel.
    expected_now : float
        Today's expected weekly value of that allocation, in money.
    """

    per_week: float
    over_horizon: float
    ess: float
    ess_min: float
    switch_share: float
    allocation_now: pd.Series
    expected_now: float


def best_allocation(values: list[np.ndarray], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the best split of ``steps`` increments over the channels, for each weight set.

    Parameters
    ----------
    values : list of numpy.ndarray
        Per channel, ``(n_sets, J_c + 1)``: the expected value of giving the channel
        ``j`` increments above its low, ``j = 0 .. J_c``.
    steps : int
        Increments to place in total (``sum J_c >= steps``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The best total value ``(n_sets,)`` and the increments per channel
        ``(n_sets, n_channels)``.
    """
    n_sets = values[0].shape[0]
    neg = -np.inf
    # best[k]: the best value of the channels so far with k increments placed
    best = np.full((n_sets, steps + 1), neg)
    first = values[0]
    width = min(first.shape[1], steps + 1)
    best[:, :width] = first[:, :width]
    choices = []
    for value in values[1:]:
        j_max = value.shape[1] - 1
        # total[s, k, j] = value[s, j] + best[s, k - j]
        k = np.arange(steps + 1)[:, None]
        j = np.arange(j_max + 1)[None, :]
        prev = k - j
        ok = prev >= 0
        total = np.where(ok[None], value[:, None, :] + best[:, np.clip(prev, 0, steps)], neg)
        pick = total.argmax(axis=2)
        best = np.take_along_axis(total, pick[..., None], axis=2)[..., 0]
        choices.append(pick)
    total_value = best[:, steps]
    counts = np.empty((n_sets, len(values)), dtype=np.int64)
    remaining = np.full(n_sets, steps)
    for c in range(len(values) - 1, 0, -1):
        j = choices[c - 1][np.arange(n_sets), remaining]
        counts[:, c] = j
        remaining = remaining - j
    counts[:, 0] = remaining
    return total_value, counts


class Preposterior(NamedTuple):
    """What :func:`preposterior_decision_value` returns (money per week)."""

    per_week: float
    ess: float
    ess_min: float
    switch_share: float
    counts_now: np.ndarray
    value_now: float


def preposterior_decision_value(
    curves: list[np.ndarray],
    lifts: np.ndarray,
    sigma: float,
    steps: int,
    *,
    n_outcomes: int,
    rng: np.random.Generator,
    outcomes: np.ndarray | None = None,
) -> Preposterior:
    """Decision value of one test from arrays (the designer-free core of :func:`decision_value`).

    Parameters
    ----------
    curves : list of numpy.ndarray
        Per channel, ``(n_draws, J_c + 1)``: the value (money per week) of each
        grid spend, per posterior draw.
    lifts : numpy.ndarray
        ``(n_draws,)`` the test's lift per draw, aligned with the curves' draws.
    sigma : float
        Noise sd of the measured lift (> 0).
    steps : int
        Increments to place (:meth:`BudgetDecision.steps`).
    n_outcomes : int
        Simulated outcomes.
    rng : numpy.random.Generator
    outcomes : numpy.ndarray, optional
        Measured lifts to use instead of ``n_outcomes`` simulated ones (a draw's
        lift plus noise of sd ``sigma``).

    Returns
    -------
    Preposterior
        ``per_week``, ``ess``, ``ess_min``, ``switch_share``, ``counts_now``
        (increments per channel today), ``value_now`` (today's expected value).
    """
    n_draws = lifts.shape[0]
    now_values = [c.mean(axis=0)[None, :] for c in curves]
    value_now, counts_now = best_allocation(now_values, steps)
    if outcomes is None:
        source = rng.integers(0, n_draws, size=n_outcomes)
        outcomes = lifts[source] + rng.standard_normal(n_outcomes) * sigma
    log_w = -0.5 * ((outcomes[:, None] - lifts[None, :]) / sigma) ** 2
    weights = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    ess = 1.0 / (weights**2).sum(axis=1)
    after = [weights @ c for c in curves]
    best, counts = best_allocation(after, steps)
    stay = sum(after[i][:, counts_now[0, i]] for i in range(len(curves)))
    gain = np.maximum(best - stay, 0.0)  # >= 0 up to rounding: the grid optimum
    return Preposterior(
        per_week=float(gain.mean()),
        ess=float(ess.mean()),
        ess_min=float(ess.min()),
        switch_share=float((counts != counts_now).any(axis=1).mean()),
        counts_now=counts_now[0],
        value_now=float(value_now[0]),
    )


def response_curves(
    designer: ExperimentDesigner, decision: BudgetDecision
) -> dict[str, np.ndarray]:
    """Each channel's steady-state weekly value on its grid of spends, per draw.

    Parameters
    ----------
    designer : ExperimentDesigner
    decision : BudgetDecision

    Returns
    -------
    dict
        ``{channel: (n_draws, J_c + 1)}`` money per week (outcome units times
        ``value_per_unit``), national (summed over geos).
    """
    decision.check_channels(designer.channels)
    scale = np.asarray(designer.target_scale, dtype=float)[:, None, None]
    n = designer.l_max + 2  # past every lag: the weekly lift has settled
    weeks = np.array([n, n + 1])
    curves = {}
    for channel in designer.channels:
        spend = _spend_units(designer, channel)
        grid = decision.grid(channel)
        changes = grid / spend - 1.0
        lifts, _ = designer.lift_grid([channel], changes, weeks)
        weekly = lifts[0, :, :, 1, :] - lifts[0, :, :, 0, :]  # (units, grid, draws)
        contribution = designer.steady_state_contribution(channel)[:, None, :]
        total = ((contribution + weekly) * scale).sum(axis=0)  # (grid, draws)
        curves[channel] = total.T * decision.value_per_unit
    return curves


def _spend_units(designer: ExperimentDesigner, channel: str) -> float:
    """Return a channel's current national weekly spend in the decision's units."""
    spend = float(np.sum(designer.current_spend[channel]))
    scale = (designer.channel_scale or {}).get(channel)
    return spend * float(scale) if scale is not None else spend


def decision_value(
    designer: ExperimentDesigner,
    decision: BudgetDecision,
    channel: str,
    spend_change: float,
    duration: int,
    *,
    n_outcomes: int = 256,
    random_seed: int = 0,
) -> DecisionValue:
    """Return the expected value of a test's result for the budget decision (module docstring).

    Parameters
    ----------
    designer : ExperimentDesigner
    decision : BudgetDecision
    channel : str
    spend_change : float
    duration : int
    n_outcomes : int
        Simulated outcomes (>= 8).
    random_seed : int

    Returns
    -------
    DecisionValue
    """
    if not isinstance(decision, BudgetDecision):
        raise TypeError(f"decision must be a BudgetDecision, got {type(decision).__name__}")
    n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    curves = response_curves(designer, decision)
    lifts = designer.lift_draws(channel, spend_change, duration)
    sigma = float(designer.sigma_d(duration))
    out = preposterior_decision_value(
        list(curves.values()),
        lifts,
        sigma,
        decision.steps,
        n_outcomes=n_outcomes,
        rng=np.random.default_rng([0xDEC, random_seed]),
    )
    allocation = pd.Series(
        {
            c: float(decision.grid(c)[int(k)])
            for c, k in zip(designer.channels, out.counts_now, strict=True)
        },
        name="spend",
    )
    return DecisionValue(
        per_week=out.per_week,
        over_horizon=out.per_week * decision.horizon,
        ess=out.ess,
        ess_min=out.ess_min,
        switch_share=out.switch_share,
        allocation_now=allocation,
        expected_now=out.value_now,
    )
