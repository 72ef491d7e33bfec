"""Dated lift tests for a national MMM, and which cross-validation fold may use them.

A lift test's result is known only from the day the experiment ends. In a
time-slice cross-validation each fold trains up to its own last week, so it may
use only the tests dated on or before it; pymc-marketing's
``TimeSliceCrossValidator`` filters them by ``lift_test_date_column``.

- :func:`dated_lift_tests` builds such a table from a known ROAS
  (``delta_y = ROAS x delta_x``);
- :func:`check_lift_test_dates` counts, before any fit, the tests each fold may use;
- :func:`lift_tests_seen` sets, after the fits, the tests each fold's model holds
  against that count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from labkit._validate import check_date, check_mapping, check_number, check_positive


def dated_lift_tests(
    roas: Mapping[str, float],
    tests: Sequence[tuple[str, float, float, pd.Timestamp | str]],
    *,
    sigma: float,
) -> pd.DataFrame:
    """Lift tests whose delta_y follows from a true ROAS: delta_y = ROAS x delta_x.

    Parameters
    ----------
    roas : dict
        True ROAS per channel.
    tests : sequence of (channel, x, delta_x, date)
        One tuple per test; ``date`` is when its result became known. A single
        tuple is one test; an empty sequence raises.
    sigma : float
        Standard deviation of every delta_y (> 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, x, delta_x, delta_y, sigma, date`` sorted by date.
    """
    roas = check_mapping("roas", roas)
    sigma = check_positive("sigma", sigma)
    if isinstance(tests, tuple) and tests and isinstance(tests[0], str):
        tests = [tests]  # one test, not a sequence of tests
    if isinstance(tests, str | Mapping) or not isinstance(tests, Sequence):
        raise TypeError(
            "tests must be a sequence of (channel, x, delta_x, date) tuples, "
            f"got {type(tests).__name__}"
        )
    if not tests:
        raise ValueError("tests must not be empty: give at least one (channel, x, delta_x, date)")
    rows = []
    for i, test in enumerate(tests):
        if isinstance(test, str) or not isinstance(test, Sequence) or len(test) != 4:
            raise ValueError(
                f"tests[{i}] must be a (channel, x, delta_x, date) tuple, got {test!r}"
            )
        channel, x, delta_x, date = test
        x = check_number(f"tests[{i}] x", x, low=0.0)
        delta_x = check_number(f"tests[{i}] delta_x", delta_x)
        if channel not in roas:
            raise ValueError(f"no ROAS for channel {channel!r}; known {sorted(roas)}")
        rows.append(
            (
                channel,
                float(x),
                float(delta_x),
                float(roas[channel] * delta_x),
                sigma,
                check_date(f"tests[{i}] date", date),
            )
        )
    frame = pd.DataFrame(rows, columns=["channel", "x", "delta_x", "delta_y", "sigma", "date"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def check_lift_test_dates(
    lift_tests: pd.DataFrame, train_ends: Sequence[str | pd.Timestamp], date_column: str = "date"
) -> pd.DataFrame:
    """Check dated lift tests against the training ends of cross-validation folds.

    Run before sampling: when no test falls inside a fold's training window,
    pymc-marketing's own error surfaces deep inside a cross-validation run.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
    train_ends : date or sequence of dates
        Last training date of each fold (one date is one fold); not empty.
    date_column : str

    Returns
    -------
    pandas.DataFrame
        Rows: fold, training end, and how many lift tests it may use (dated on or
        before its training end).

    Raises
    ------
    ValueError
        If the date column is missing or cannot be parsed, or no test is dated
        inside any fold's training window.
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    if date_column not in lift_tests.columns:
        raise ValueError(f"lift_tests has no {date_column!r} column")
    try:
        dates = pd.to_datetime(lift_tests[date_column], errors="raise", format="mixed")
    except (ValueError, TypeError) as err:
        raise ValueError(f"lift_tests[{date_column!r}] cannot be parsed as dates: {err}") from err
    if isinstance(train_ends, str | pd.Timestamp | np.datetime64) or not hasattr(
        train_ends, "__iter__"
    ):
        train_ends = [train_ends]  # one date is one fold, not a sequence of characters
    try:
        ends = pd.to_datetime(pd.Series(list(train_ends)), errors="raise")
    except (ValueError, TypeError) as err:
        raise ValueError(f"train_ends must be dates, got {train_ends!r}: {err}") from err
    if ends.empty:
        raise ValueError("train_ends must not be empty")
    usable = [(i, end, int((dates <= end).sum())) for i, end in enumerate(ends)]
    table = pd.DataFrame(usable, columns=["fold", "train_end", "n_lift_tests"])
    if table["n_lift_tests"].max() == 0:
        raise ValueError(
            f"no lift test is dated on or before any fold's training end (tests from "
            f"{dates.min().date()}, last training end {ends.max().date()})"
        )
    return table


def lift_tests_seen(
    fold_lift_tests: pd.DataFrame, lift_tests: pd.DataFrame, date_column: str = "date"
) -> pd.DataFrame:
    """Compare the lift tests each fold's model holds with those dated by its training end.

    Parameters
    ----------
    fold_lift_tests : pandas.DataFrame
        Columns ``fold, train_end, n_lift_tests`` (the ``lift_tests`` table of
        :func:`labkit.roas.fold_summaries`).
    lift_tests : pandas.DataFrame
        The dated lift tests given to the cross-validation.
    date_column : str

    Returns
    -------
    pandas.DataFrame
        ``fold_lift_tests`` plus ``n_dated_by_train_end`` (the tests dated on or
        before the fold's training end, as :func:`check_lift_test_dates` counts
        them) and ``uses_future_tests`` (the model holds more tests than were
        known at its training end).
    """
    if not isinstance(fold_lift_tests, pd.DataFrame):
        raise TypeError(
            f"fold_lift_tests must be a DataFrame, got {type(fold_lift_tests).__name__}"
        )
    missing = [c for c in ("fold", "train_end", "n_lift_tests") if c not in fold_lift_tests]
    if missing:
        raise ValueError(f"fold_lift_tests is missing column(s) {missing}")
    if not isinstance(lift_tests, pd.DataFrame) or date_column not in lift_tests.columns:
        raise ValueError(f"lift_tests must be a DataFrame with a {date_column!r} column")
    dates = pd.to_datetime(lift_tests[date_column])
    ends = pd.to_datetime(fold_lift_tests["train_end"])
    out = fold_lift_tests.copy()
    out["n_dated_by_train_end"] = [int((dates <= end).sum()) for end in ends]
    out["uses_future_tests"] = out["n_lift_tests"] > out["n_dated_by_train_end"]
    return out
