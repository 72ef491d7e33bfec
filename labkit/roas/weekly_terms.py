"""Lift tests read week by week as likelihood terms: what the profile says about carry-over.

:func:`labkit.roas.path_terms.add_lift_test_paths` reads a test as its total lift
along the spend path it ran. That total pins the saturation curve and only a
little of the adstock: a slow and a fast carry-over can sum to the same total.
The weekly profile separates them: after the change starts the lift ramps up as
the adstock fills, after it ends it decays at the carry-over rate.

:func:`add_weekly_lift_tests` writes one term per week read: the model's adstock
and saturation, with the model's parameters, run on the channel's spend without
and with the test's change (the same paths as the total term), and the lift of
that week, against the week's read. The reads of one test are jointly Normal:
independent with each row's ``sigma`` by default, or with a given covariance (a
read against an estimated counterfactual, such as CausalPy's, has errors that
move together from week to week). The model's weekly lifts are kept as the
deterministic ``{name}_model_lift`` (sales units), which at the world's true
parameters equals :func:`labkit.data.weekly_tests.simulate_weekly_lift_test`'s
``true_lift`` (``tests/test_weekly_lift.py``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
from pytensor.xtensor import as_xtensor

from labkit.roas.path_terms import lift_test_paths

__all__ = ["WEEKLY_COLUMNS", "add_weekly_lift_tests", "weekly_tests"]

WEEKLY_COLUMNS = (
    "channel",
    "start",
    "weeks",
    "spend_change",
    "spend_added",
    "week",
    "week_index",
    "lift",
    "sigma",
)
"""Columns of a weekly lift-test table, one row per test week (as
:func:`labkit.data.weekly_tests.simulate_weekly_lift_test` returns them; tests concatenated)."""

_KEYS = ("channel", "start", "weeks", "spend_change", "spend_added")


def weekly_tests(mmm: Any, table: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a weekly table against a built model and return its tests and each row's test.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A built national MMM whose data covers every week read.
    table : pandas.DataFrame
        One row per test week with the :data:`WEEKLY_COLUMNS`.

    Returns
    -------
    tests : pandas.DataFrame
        One row per test in :data:`labkit.roas.path_terms.PATH_COLUMNS` form
        (``read_weeks`` = its rows; ``delta_y`` 0 and ``sigma`` 1, unused).
    test_of_row : numpy.ndarray
        Index into ``tests`` of each row of ``table``.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame, got {type(table).__name__}")
    missing = [c for c in WEEKLY_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"table lacks the weekly columns {missing}; "
            "labkit.data.weekly_tests.simulate_weekly_lift_test returns them"
        )
    if table.empty:
        raise ValueError("table must hold at least one week")
    if not (np.isfinite(table["sigma"]).all() and (table["sigma"] > 0).all()):
        raise ValueError("table.sigma must be finite and > 0 in every row")
    if not np.isfinite(table["lift"].to_numpy(float)).all():
        raise ValueError("table.lift must be finite in every row")
    dates = pd.DatetimeIndex(mmm.model.coords["date"])
    weeks = pd.DatetimeIndex(table["week"])
    outside = ~weeks.isin(dates)
    if outside.any():
        raise ValueError(
            f"table.week must be weeks of the model's data ({dates[0].date()} to "
            f"{dates[-1].date()}); {weeks[outside][0].date()} is not"
        )
    groups = [
        f"{c}|{pd.Timestamp(s)}|{int(w)}|{float(sc)!r}|{float(sa)!r}"
        for c, s, w, sc, sa in zip(*(table[k] for k in _KEYS), strict=True)
    ]
    codes, uniques = pd.factorize(pd.Series(groups), sort=False)
    rows = []
    for g in range(len(uniques)):
        part = table[codes == g]
        first = pd.Timestamp(part["start"].iloc[0])
        index = part["week_index"].to_numpy(int)
        if not np.array_equal(np.sort(index), np.arange(len(part))):
            raise ValueError(
                f"test of {part['channel'].iloc[0]!r} starting {first.date()}: week_index must "
                f"run 0, 1, ..., {len(part) - 1} once each, got {sorted(index.tolist())}"
            )
        expected = dates[dates.get_loc(first) + index] if first in dates else None
        if expected is None or not (pd.DatetimeIndex(part["week"]) == expected).all():
            raise ValueError(
                f"test of {part['channel'].iloc[0]!r} starting {first.date()}: each week must "
                "be the start plus its week_index in the model's weeks"
            )
        rows.append(
            {
                "channel": part["channel"].iloc[0],
                "start": first,
                "weeks": int(part["weeks"].iloc[0]),
                "read_weeks": len(part),
                "spend_change": float(part["spend_change"].iloc[0]),
                "spend_added": float(part["spend_added"].iloc[0]),
                "delta_y": 0.0,
                "sigma": 1.0,
            }
        )
    tests = pd.DataFrame(rows)
    for channel, same in tests.groupby("channel"):
        spans = sorted(
            (dates.get_loc(s), dates.get_loc(s) + r)
            for s, r in zip(same["start"], same["read_weeks"], strict=True)
        )
        for (_, end), (begin, _) in itertools.pairwise(spans):
            if begin < end:
                raise ValueError(
                    f"tests of {channel!r} overlap: a test is read from {dates[begin].date()}, "
                    f"before the previous one's last week read, {dates[end - 1].date()}"
                )
    return tests, codes


def add_weekly_lift_tests(
    mmm: Any,
    table: pd.DataFrame,
    *,
    covariance: np.ndarray | None = None,
    name: str = "weekly_lift",
) -> None:
    """Add weekly lift reads to a built MMM as a Normal term per test week.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A built national MMM (``build_model`` called) whose data covers every week read.
    table : pandas.DataFrame
        One row per test week with the :data:`WEEKLY_COLUMNS`; ``lift`` and ``sigma``
        in sales units.
    covariance : numpy.ndarray, optional
        ``(n, n)`` covariance of the reads of all ``n`` rows (sales units squared),
        symmetric positive definite; default diagonal with ``sigma ** 2``.
    name : str
        Name of the likelihood term.
    """
    tests, test_of_row = weekly_tests(mmm, table)
    n = len(table)
    if covariance is not None:
        covariance = np.asarray(covariance, dtype=float)
        if covariance.shape != (n, n):
            raise ValueError(
                f"covariance must be ({n}, {n}), one row and column per week read, "
                f"got {covariance.shape}"
            )
        if not np.allclose(covariance, covariance.T, rtol=1e-10, atol=0.0):
            raise ValueError("covariance must be symmetric")
        try:
            np.linalg.cholesky(covariance)
        except np.linalg.LinAlgError:
            raise ValueError("covariance must be positive definite") from None
    before, after, mask, index = lift_test_paths(mmm, tests)
    offset = mask.argmax(axis=1)  # first week read of each test
    row_week = offset[test_of_row] + table["week_index"].to_numpy(int)
    model = mmm.model
    test_dim, week_dim = f"_{name}_test", f"_{name}_week"
    channel = as_xtensor(index, dims=(test_dim,))

    def parameters(transform: Any) -> dict[str, Any]:
        return {
            parameter: model[variable].isel(channel=channel)
            for parameter, variable in transform.variable_mapping.items()
        }

    def response(x: np.ndarray) -> Any:
        spend = as_xtensor(x, dims=(test_dim, week_dim))
        if mmm.adstock_first:
            adstocked = mmm.adstock.function(spend, dim=week_dim, **parameters(mmm.adstock))
            return mmm.saturation.function(adstocked, **parameters(mmm.saturation))
        saturated = mmm.saturation.function(spend, **parameters(mmm.saturation))
        return mmm.adstock.function(saturated, dim=week_dim, **parameters(mmm.adstock))

    weekly = (response(after) - response(before)).transpose(test_dim, week_dim).values
    lift = weekly[pt.as_tensor(test_of_row), pt.as_tensor(row_week)]
    target_scale = float(np.asarray(model["target_scale"].get_value()))
    observed = table["lift"].to_numpy(float) / target_scale
    with model:
        pm.Deterministic(f"{name}_model_lift", lift * target_scale)
        if covariance is None:
            pm.Normal(
                name,
                mu=lift,
                sigma=table["sigma"].to_numpy(float) / target_scale,
                observed=observed,
            )
        else:
            pm.MvNormal(name, mu=lift, cov=covariance / target_scale**2, observed=observed)
