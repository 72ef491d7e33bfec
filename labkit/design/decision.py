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

Ranking a grid of candidates needs the value for each of them, each from many
simulated outcomes, each outcome reweighting every draw's curves:
:func:`decision_curves` builds the curves once per decision and compresses them
(their draws' deviations from the mean, by a truncated SVD that keeps them to
1e-12 of their norm), so the reweighting is one matrix product per batch of
outcomes against a handful of columns; the dynamic programme over the channels is
compiled (:func:`labkit.design.allocation.best_allocation_rows`). ``tests/test_design_decision.py``
pins the fast path to the plain one (:func:`preposterior_decision_value`).

Each channel's response curve comes from the designer's engine: the steady-state
weekly contribution at a spend ``x`` is the contribution at current spend plus the
steady-state weekly lift of the change ``x / current - 1`` (the model's own
adstock and saturation, in either order), summed over geos and put in outcome
units with each geo's target scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number
from labkit.design.allocation import (
    best_allocation,
    best_rows,
    outcome_weights_rows,
)

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner

__all__ = [
    "BudgetDecision",
    "DecisionCurves",
    "DecisionValue",
    "DecisionValues",
    "decision_curves",
    "decision_value",
    "decision_values",
    "optimizer_allocation",
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


@dataclass(frozen=True)
class DecisionCurves:
    """Every channel's value curve per draw, built once per decision, and their compressed form.

    Attributes
    ----------
    channels : tuple of str
    spends : tuple of numpy.ndarray
        Per channel, the grid of weekly spends (:meth:`BudgetDecision.grid`).
    values : tuple of numpy.ndarray
        Per channel, ``(n_draws, J_c + 1)`` money per week at each grid spend.
    steps, horizon : int
        Of the decision.
    centre : numpy.ndarray
        ``(G,)`` the draws' mean of the side-by-side value columns.
    basis, loadings : numpy.ndarray
        ``(n_draws, r)`` and ``(r, G)``: the deviations from ``centre`` are
        ``basis @ loadings`` to 1e-12 of their norm.
    counts_now : numpy.ndarray
        Today's best increments per channel.
    value_now : float
        Today's expected weekly value of that allocation.
    """

    channels: tuple[str, ...]
    spends: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]
    steps: int
    horizon: int
    centre: np.ndarray
    basis: np.ndarray
    loadings: np.ndarray
    counts_now: np.ndarray
    value_now: float

    @property
    def widths(self) -> np.ndarray:
        """Grid points per channel."""
        return np.array([v.shape[1] for v in self.values], dtype=np.int64)

    @property
    def allocation_now(self) -> pd.Series:
        """Today's best weekly spend per channel."""
        return pd.Series(
            {
                c: float(g[int(k)])
                for c, g, k in zip(self.channels, self.spends, self.counts_now, strict=True)
            },
            name="spend",
        )


SVD_RTOL = 1e-12
"""What the compressed curves may leave out, relative to the deviations' norm."""


def decision_curves(designer: ExperimentDesigner, decision: BudgetDecision) -> DecisionCurves:
    """Build the curves of a decision once, for :func:`decision_values` to reuse.

    Parameters
    ----------
    designer : ExperimentDesigner
    decision : BudgetDecision

    Returns
    -------
    DecisionCurves
    """
    if not isinstance(decision, BudgetDecision):
        raise TypeError(f"decision must be a BudgetDecision, got {type(decision).__name__}")
    curves = response_curves(designer, decision)
    values = tuple(curves[c] for c in designer.channels)
    stacked = np.concatenate(values, axis=1)
    centre = stacked.mean(axis=0)
    u, sv, vt = np.linalg.svd(stacked - centre, full_matrices=False)
    # keep the leading components until what is left is below SVD_RTOL of the whole
    left = np.sqrt(np.cumsum((sv**2)[::-1])[::-1])  # left[r]: norm of components r, r+1, ...
    rank = int(np.searchsorted(-left, -SVD_RTOL * max(left[0], 1e-300), side="right"))
    rank = max(rank, 1)
    value_now, counts_now = best_allocation(
        [v.mean(axis=0)[None, :] for v in values], decision.steps
    )
    return DecisionCurves(
        channels=tuple(designer.channels),
        spends=tuple(decision.grid(c) for c in designer.channels),
        values=values,
        steps=decision.steps,
        horizon=decision.horizon,
        centre=centre,
        basis=u[:, :rank] * sv[:rank],
        loadings=vt[:rank],
        counts_now=counts_now[0],
        value_now=float(value_now[0]),
    )


@dataclass(frozen=True)
class DecisionValues:
    """Decision value of several candidates (money per week), from :func:`decision_values`.

    Attributes
    ----------
    per_week : numpy.ndarray
        Expected gain per week of re-deciding after each candidate's result.
    ess, ess_min : numpy.ndarray
        Mean and smallest effective sample size of each candidate's weights.
    switch_share : numpy.ndarray
        Share of each candidate's outcomes after which the best allocation changes.
    """

    per_week: np.ndarray
    ess: np.ndarray
    ess_min: np.ndarray
    switch_share: np.ndarray


def decision_values(
    curves: DecisionCurves,
    lifts: np.ndarray,
    sigma: np.ndarray,
    *,
    n_outcomes: int,
    rng: np.random.Generator,
    outcomes: np.ndarray | None = None,
    batch: int = 8,
) -> DecisionValues:
    """Decision value of each candidate, the fast path of :func:`preposterior_decision_value`.

    Parameters
    ----------
    curves : DecisionCurves
    lifts : numpy.ndarray
        ``(n, n_draws)`` each candidate's lift per draw (aligned with the curves' draws).
    sigma : numpy.ndarray
        ``(n,)`` noise sd of each measured lift (> 0).
    n_outcomes : int
        Simulated outcomes per candidate.
    rng : numpy.random.Generator
        Draws the outcomes as :func:`labkit.design.learning.expected_sd_reduction`
        does (a draw's lift plus noise).
    outcomes : numpy.ndarray, optional
        ``(n, n_outcomes)`` measured lifts to use instead.
    batch : int
        Candidates reweighted at once (memory: ``batch * n_outcomes * n_draws`` floats).

    Returns
    -------
    DecisionValues
    """
    lifts = np.atleast_2d(np.asarray(lifts, dtype=float))
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), lifts.shape[:1])
    n, n_draws = lifts.shape
    if outcomes is None:
        source = rng.integers(0, n_draws, size=(n, n_outcomes))
        noise = rng.standard_normal((n, n_outcomes)) * sigma[:, None]
        outcomes = np.take_along_axis(lifts, source, axis=1) + noise
    k = outcomes.shape[1]
    widths = curves.widths
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    stay_cols = starts + curves.counts_now
    gain = np.empty((n, k))
    ess = np.empty((n, k))
    switched = np.empty((n, k), dtype=bool)
    for a in range(0, n, batch):
        b = slice(a, min(a + batch, n))
        w, totals, ess[b] = outcome_weights_rows(lifts[b], sigma[b], outcomes[b])
        after = curves.centre + ((w @ curves.basis) / totals[:, None]) @ curves.loadings
        best, counts = best_rows(after, widths, curves.steps)
        stay = after[:, stay_cols].sum(axis=1)
        rows = gain[b].shape
        gain[b] = np.maximum(best - stay, 0.0).reshape(rows)
        switched[b] = (counts != curves.counts_now).any(axis=1).reshape(rows)
    return DecisionValues(
        per_week=gain.mean(axis=1),
        ess=ess.mean(axis=1),
        ess_min=ess.min(axis=1),
        switch_share=switched.mean(axis=1),
    )


def decision_value(
    designer: ExperimentDesigner,
    decision: BudgetDecision | DecisionCurves,
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
    decision : BudgetDecision or DecisionCurves
        The decision, or its curves from :func:`decision_curves` (built once for
        many calls).
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
    if not isinstance(decision, BudgetDecision | DecisionCurves):
        raise TypeError(
            f"decision must be a BudgetDecision or DecisionCurves, got {type(decision).__name__}"
        )
    n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    curves = (
        decision if isinstance(decision, DecisionCurves) else decision_curves(designer, decision)
    )
    if curves.channels != tuple(designer.channels):
        raise ValueError(
            f"decision's curves are for channels {list(curves.channels)}, the designer's are "
            f"{list(designer.channels)}"
        )
    lifts = designer.lift_draws(channel, spend_change, duration)
    sigma = float(designer.sigma_d(duration))
    out = decision_values(
        curves,
        lifts[None, :],
        np.array([sigma]),
        n_outcomes=n_outcomes,
        rng=np.random.default_rng([0xDEC, random_seed]),
    )
    per_week = float(out.per_week[0])
    return DecisionValue(
        per_week=per_week,
        over_horizon=per_week * curves.horizon,
        ess=float(out.ess[0]),
        ess_min=float(out.ess_min[0]),
        switch_share=float(out.switch_share[0]),
        allocation_now=curves.allocation_now,
        expected_now=curves.value_now,
    )


def optimizer_allocation(mmm: Any, decision: BudgetDecision, weeks: int = 52) -> pd.Series:
    """Return pymc-marketing's optimal weekly split of the decision's budget, for comparison.

    pymc-marketing's ``BudgetOptimizer`` (through the multidimensional MMM's
    ``MultiDimensionalBudgetOptimizerWrapper``) holds each channel's weekly budget
    for ``weeks`` weeks after the data, adds the carry-over, and maximises the
    posterior mean of the total media contribution with SLSQP, within the
    decision's bounds. Over many weeks that is the steady-state weekly
    contribution this module maximises on its grid, so the two splits agree to
    about the grid's step.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        The fitted model the designer was built from (``dims=()``), channels in
        the decision's spend units (no ``cost_per_unit``).
    decision : BudgetDecision
    weeks : int
        Weeks of the optimisation window (>= 8).

    Returns
    -------
    pandas.Series
        Weekly spend per channel.
    """
    import xarray as xr
    from pymc_marketing.mmm.multidimensional import MultiDimensionalBudgetOptimizerWrapper

    if not isinstance(decision, BudgetDecision):
        raise TypeError(f"decision must be a BudgetDecision, got {type(decision).__name__}")
    weeks = check_int("weeks", weeks, minimum=8, unit="weeks")
    channels = list(mmm.channel_columns)
    decision.check_channels(channels)
    if getattr(mmm, "dims", ()):
        raise ValueError(f"mmm must be national (dims=()), got dims={tuple(mmm.dims)}")
    last = pd.Timestamp(mmm.model.coords["date"][-1])
    start = last + pd.Timedelta(weeks=1)
    # pymc-marketing declares adstock and idata abstract on the wrapper; it delegates them
    wrapper = MultiDimensionalBudgetOptimizerWrapper(  # type: ignore[abstract]
        model=mmm,
        start_date=str(start.date()),
        end_date=str((start + pd.Timedelta(weeks=weeks - 1)).date()),
    )
    bounds = xr.DataArray(
        [[float(v) for v in decision.bounds[c]] for c in channels],
        dims=("channel", "bound"),
        coords={"channel": channels, "bound": ["lower", "upper"]},
    )
    result = wrapper.optimize_budget(budget=decision.budget, budget_bounds=bounds)
    allocation = result[0]
    return pd.Series(
        np.asarray(allocation.sel(channel=channels), dtype=float), index=channels, name="spend"
    )
