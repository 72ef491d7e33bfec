"""Study of a programme of tests: three in a row, each chosen on the posterior the last one left.

Each seed simulates a world with three channels, correlated spend and a hidden
driver of sales and of ``x1``'s spend (:func:`labkit.data.programme.simulate_programme_world`),
fits the MMM a team would (:func:`build_programme_mmm`: no access to the driver),
and then, for each policy of :data:`POLICIES`, runs :data:`N_ROUNDS` rounds:

1. build the designer on the current fit (:meth:`ExperimentDesigner.from_mmm`)
   and rank :data:`DESIGN_GRID` with the learning value and the decision value
   of the budget split :func:`budget_decision`;
2. pick a test by the policy;
3. run it in the world (:func:`labkit.data.experiments.simulate_lift_test`: the
   sales with and without the change), read with the noise the designer assumed
   for its duration; the same test in the same round gets the same read whichever
   policy chose it;
4. add every read so far to the model along its spend path
   (:class:`labkit.roas.PathLiftMMM`) and refit; fits are shared between policies
   whose tests so far are the same.

After each round (and before the first) it records, per policy: the true regret of
the allocation the posterior picks (weekly sales at the true optimum of the same
grid minus the true weekly sales at the chosen split), the ROAS error and 94 %
HDI coverage of each channel against the world's true ROAS, and the money spent
on tests so far (``|spend change| x spend x weeks``, the data's spend units).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DESIGN_GRID",
    "N_ROUNDS",
    "POLICIES",
    "budget_decision",
    "build_programme_mmm",
    "choose_test",
    "programme_rounds",
    "programme_study",
    "true_curves",
]

POLICIES = ("decision_value", "learning_value", "assurance_cost", "random", "most_spend")
"""How the next test is chosen: greedy by decision value, greedy by learning value, the
designer's assurance/cost score, a random candidate, the channel with the most spend."""

N_ROUNDS = 3
"""Tests per programme."""

DESIGN_GRID: dict[str, Any] = {"spend_changes": (0.5, -0.5, -1.0), "durations": (4, 8)}
"""Spend changes and durations ranked each round (every channel; no SNR filter)."""

ROUND_SPACING = 12
"""Weeks between the starts of two rounds' tests; the last starts this many weeks before the end."""

CHANNELS = ("x1", "x2", "x3")
HORIZON = 13
STEPS = 40
_READ_STREAM = 0x9E0D
_POLICY_STREAM = 0x9E0E


def build_programme_mmm(data: pd.DataFrame) -> Any:
    """Build the programme's MMM: three channels, a linear trend, yearly seasonality."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation

    from labkit.roas import PathLiftMMM

    del data  # the specification does not depend on the data
    return PathLiftMMM(
        date_column="date",
        channel_columns=list(CHANNELS),
        control_columns=["t"],
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
        yearly_seasonality=2,
    )


def model_inputs(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Return the model's ``X`` (date, spends and the linear trend ``t``) and ``y``."""
    X = data[["date", *CHANNELS]].copy()
    X["t"] = np.arange(len(data), dtype=float) / len(data)
    return X, data["y"]


def budget_decision(designer: Any) -> Any:
    """Return the decision the tests serve: today's weekly spend split over the channels."""
    from labkit.design import BudgetDecision

    spend = {
        c: float(np.sum(designer.current_spend[c])) * designer.channel_scale[c] for c in CHANNELS
    }
    return BudgetDecision(
        budget=float(sum(spend.values())),
        bounds={c: (0.0, 1.0) for c in CHANNELS},
        horizon=HORIZON,
        steps=STEPS,
    )


def true_curves(world: Any, decision: Any) -> list[np.ndarray]:
    """Return the true steady-state weekly sales of each channel on the decision's grid.

    With normalised geometric adstock a constant spend ``x`` adstocks to ``x``, so
    the weekly contribution settles at ``amplitude * beta * logistic(x, lam)``.
    """
    from labkit.response import logistic

    truth = world.truth
    out = []
    for c in CHANNELS:
        p = truth["channels"][c]
        grid = decision.grid(c)
        out.append(truth["amplitude"] * logistic(grid, p["saturation_lam"], p["beta"])[None, :])
    return out


def choose_test(
    policy: str, table: pd.DataFrame, spend: dict[str, float], rng: np.random.Generator
) -> int:
    """Return the row of a ranking (:meth:`Recommendations.to_dataframe`) a policy picks.

    Parameters
    ----------
    policy : str
        One of :data:`POLICIES`.
    table : pandas.DataFrame
        Every candidate, in the designer's rank order, with ``learning_value`` and
        ``decision_value``.
    spend : dict
        Current weekly spend per channel.
    rng : numpy.random.Generator
        For ``"random"``.

    Returns
    -------
    int
        A position in ``table``.
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {list(POLICIES)}, got {policy!r}")
    if table.empty:
        raise ValueError("table must hold at least one candidate")
    if policy == "decision_value":
        return int(np.argmax(table["decision_value"].to_numpy()))
    if policy == "learning_value":
        return int(np.argmax(table["learning_value"].to_numpy()))
    if policy == "assurance_cost":
        return 0
    if policy == "random":
        return int(rng.integers(len(table)))
    top = max(spend, key=lambda c: spend[c])
    return int(np.flatnonzero(table["channel"].to_numpy() == top)[0])


def programme_study(seed: int, n_rounds: int = N_ROUNDS) -> dict[str, Any]:
    """Regret, ROAS error, coverage and test spend per policy and round, in world ``seed``."""
    from labkit._validate import check_int
    from labkit.data.experiments import simulate_lift_test
    from labkit.data.programme import simulate_programme_world
    from labkit.design import ExperimentDesigner
    from labkit.design.allocation import best_allocation
    from labkit.design.decision import decision_curves
    from labkit.roas import roas_draws, roas_summary, true_roas
    from labkit.sampling import mmm_fit_kwargs

    n_rounds = check_int("n_rounds", n_rounds, minimum=1)
    world = simulate_programme_world(seed=seed)
    df = world.data
    X, y = model_inputs(df)
    truth = true_roas(df, {c: f"y0{i}" for i, c in enumerate(CHANNELS, start=1)}).to_dict()
    # nutpie: each refit is a new graph, and its compile (~15 s) beats PyMC's C compile here
    fit_kwargs = mmm_fit_kwargs(random_seed=seed, nuts_sampler="nutpie") | {"progressbar": False}
    dates = pd.DatetimeIndex(df["date"])

    fits: dict[tuple, dict[str, Any]] = {}

    def state(tests: tuple) -> dict[str, Any]:
        """Return the fit with these tests' reads, its designer, decision and ROAS (cached)."""
        if tests in fits:
            return fits[tests]
        mmm = build_programme_mmm(df)
        if tests:
            mmm.build_model(X, y)
            mmm.add_lift_test_measurements(pd.concat([reads[t] for t in tests], ignore_index=True))
        mmm.fit(X, y, **fit_kwargs)
        designer = ExperimentDesigner.from_mmm(mmm, random_seed=seed)
        decision = budget_decision(designer) if not fits else fits[()]["decision"]
        curves = decision_curves(designer, decision)
        summary = roas_summary(roas_draws(mmm), truth)
        fits[tests] = {
            "designer": designer, "decision": decision, "curves": curves, "roas": summary,
        }  # fmt: skip
        return fits[tests]

    reads: dict[tuple, pd.DataFrame] = {}
    start = state(())
    decision = start["decision"]
    sigma_weekly = {
        int(w): float(start["designer"].sigma_d(w)) * float(start["designer"].target_scale[0]) / w
        for w in DESIGN_GRID["durations"]
    }
    truth_curves = true_curves(world, decision)
    true_best, _ = best_allocation(truth_curves, decision.steps)

    def regret(curves: Any) -> float:
        chosen = sum(float(t[0, k]) for t, k in zip(truth_curves, curves.counts_now, strict=True))
        return float(true_best[0]) - chosen

    row: dict[str, Any] = {"true_roas_" + c: truth[c] for c in CHANNELS} | {
        "corr_x1_z": world.truth["corr_x1_z"],
        "corr_x1_x3": world.truth["corr_x1_x3"],
    }
    row["true_best_weekly"] = float(true_best[0])
    for policy in POLICIES:
        rng = np.random.default_rng([_POLICY_STREAM, seed, POLICIES.index(policy)])
        tests: tuple = ()
        spent = 0.0
        for r in range(n_rounds + 1):
            now = state(tests)
            s = now["roas"]
            key = f"{policy}_r{r}"
            row[f"regret_{key}"] = regret(now["curves"])
            row[f"roas_error_{key}"] = float((s["abs_error"] / s.index.map(truth)).mean())
            row[f"covered_{key}"] = int(s["covered"].sum())
            row[f"test_spend_{key}"] = spent
            if r == n_rounds:
                break
            designer = now["designer"]
            recs = designer.recommend(
                **DESIGN_GRID, min_snr=0.0, learning_value=True, decision=now["curves"],
                random_seed=seed,
            )  # fmt: skip
            table = recs.to_dataframe()
            spend = {c: float(np.sum(designer.current_spend[c])) for c in CHANNELS}
            pick = table.iloc[choose_test(policy, table, spend, rng)]
            test = (r, str(pick["channel"]), float(pick["spend_change"]), int(pick["duration"]))
            if test not in reads:
                begin = dates[len(dates) - ROUND_SPACING * (n_rounds - r)]
                reads[test] = simulate_lift_test(
                    world, test[1], begin, test[3], spend_change=test[2],
                    sigma=sigma_weekly[test[3]],
                    random_seed=np.random.default_rng(
                        [_READ_STREAM, seed, r, CHANNELS.index(test[1]),
                         DESIGN_GRID["spend_changes"].index(test[2]), test[3]]
                    ),
                )  # fmt: skip
            read = reads[test].iloc[0]
            spent += abs(float(read["delta_x"])) * float(read["weeks"])
            row[f"test_{policy}_r{r + 1}"] = f"{test[1]} {test[2]:+g} {test[3]}w"
            row[f"predicted_value_{policy}_r{r + 1}"] = float(pick["decision_value"])
            tests = (*tests, test)
    row["n_fits"] = len(fits)
    last = f"r{n_rounds}"
    for policy in POLICIES:
        row[f"regret_total_{policy}"] = sum(
            row[f"regret_{policy}_r{r}"] for r in range(1, n_rounds + 1)
        )
    for policy in POLICIES:
        if policy == "random":
            continue
        row[f"claim_{policy}_beats_random"] = bool(
            row[f"regret_{policy}_{last}"] < row[f"regret_random_{last}"]
        )
        row[f"claim_{policy}_no_worse_than_random"] = bool(
            row[f"regret_{policy}_{last}"] <= row[f"regret_random_{last}"]
        )
        row[f"claim_{policy}_total_regret_below_random"] = bool(
            row[f"regret_total_{policy}"] < row["regret_total_random"]
        )
    for other in POLICIES[1:]:
        row[f"claim_decision_value_no_worse_than_{other}"] = bool(
            row[f"regret_decision_value_{last}"] <= row[f"regret_{other}_{last}"]
        )
    for policy in POLICIES:
        row[f"claim_{policy}_cuts_regret"] = bool(
            row[f"regret_{policy}_{last}"] < row[f"regret_{policy}_r0"]
        )
        row[f"claim_{policy}_cuts_roas_error"] = bool(
            row[f"roas_error_{policy}_{last}"] < row[f"roas_error_{policy}_r0"]
        )
    return row


METRICS = ("regret", "roas_error", "covered", "test_spend")
"""What :func:`programme_study` records per policy and round."""


def programme_rounds(rows: pd.DataFrame | dict[str, Any]) -> pd.DataFrame:
    """Return a study's rows (or one world's row) as one line per world, policy and round.

    Parameters
    ----------
    rows : pandas.DataFrame or dict
        Rows of :func:`programme_study` (``load_study("programme").rows``), or one row.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed`` (when the rows have it), ``policy``, ``round`` (0 = before
        any test), the :data:`METRICS` and ``test`` (the test run in that round, ``""``
        for round 0).
    """
    frame = pd.DataFrame([rows]) if isinstance(rows, dict) else rows.reset_index(drop=True)
    pattern = re.compile(rf"^regret_(?:{'|'.join(POLICIES)})_r(\d+)$")
    rounds = sorted({int(m.group(1)) for c in frame.columns if (m := pattern.match(c))})
    if not rounds:
        raise ValueError("rows hold no programme_study columns (regret_<policy>_r<k>)")
    out = []
    for i, row in frame.iterrows():
        for policy in POLICIES:
            for r in rounds:
                key = f"{policy}_r{r}"
                line: dict[str, Any] = {"seed": row.get("seed", i), "policy": policy, "round": r}
                line |= {m: row[f"{m}_{key}"] for m in METRICS}
                line["test"] = "" if r == 0 else str(row[f"test_{key}"])
                out.append(line)
    return pd.DataFrame(out)
