"""Geo lift tests: the oracle table, its checks, and what one test says about a curve.

A lift test raises a channel's spend from ``x`` by ``delta_x`` in some geos and
measures the weekly change of sales ``delta_y`` with uncertainty ``sigma``.
pymc-marketing adds such a table to an MMM as a likelihood term on the
saturation curve (``add_lift_test_measurements``).

- :func:`oracle_lift_tests` computes the table from the true curves of
  ``geo_panel``: what a perfect experiment would report;
- :func:`validate_lift_tests` checks the values pymc-marketing accepts silently;
- :func:`compare_lift_tests` sets estimated lifts (e.g. CausalPy's, see
  :mod:`labkit.geo.synthetic_control`) against the oracle;
- :func:`lift_constraint_beta` gives the curve of ``(lam, beta)`` pairs one test
  allows: one equation cannot pin down two parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from labkit._validate import check_number, check_positive
from labkit.data import check_dataset
from labkit.response import logistic

if TYPE_CHECKING:
    from labkit.data import Dataset

LIFT_COLUMNS = ("channel", "geo", "x", "delta_x", "delta_y", "sigma")
"""Columns of a geo lift table, in pymc-marketing's names."""

NUMERIC_COLUMNS = ("x", "delta_x", "delta_y", "sigma")
"""The columns of a lift table that hold numbers."""


def oracle_lift_tests(dataset: Dataset, *, base_sigma: float = 0.015) -> pd.DataFrame:
    """Lift tests of the ``geo_panel`` experiment computed from the true curves.

    For each treated geo: ``x`` is its mean pre-experiment spend on the tested
    channel, ``delta_x`` the applied increase (the mean over the test weeks for a
    relative change, :func:`labkit.data.experiments.run_geo_test`), ``delta_y`` the weekly change of
    that geo's true curve ``beta * logistic(lam * x / channel_scale)`` (steady
    state, normalised adstock), and ``sigma = base_sigma * sqrt(median geo sales /
    geo sales)``: bigger geos measure more precisely.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    base_sigma : float
        Uncertainty of a median-sized geo (> 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, geo, x, delta_x, delta_y, sigma``.
    """
    df = check_dataset(dataset, "geo_panel")
    base_sigma = check_positive("base_sigma", base_sigma)
    truth = dataset.truth
    channel = truth["test_channel"]
    sales = df.groupby("geo")["y"].mean()
    median = sales.median()
    scale = truth["channel_scale"][channel]
    rows = []
    for geo in truth["treated_geos"]:
        pre = df[(df["geo"] == geo) & ~df["experiment"]]
        x = float(pre[channel].mean())
        if truth.get("delta_x") is not None:
            dx = float(truth["delta_x"])
        else:  # a relative change: its mean over the test weeks
            test = df[(df["geo"] == geo) & df["experiment"]]
            dx = float((test[channel] - test[f"{channel}_counterfactual"]).mean())
        lam = truth["saturation_lam"][geo][channel]
        beta = truth["saturation_beta"][geo][channel]
        dy = float(logistic((x + dx) / scale, lam, beta) - logistic(x / scale, lam, beta))
        sigma = float(base_sigma * np.sqrt(median / sales[geo]))
        rows.append((channel, geo, x, dx, dy, sigma))
    return pd.DataFrame(rows, columns=list(LIFT_COLUMNS))


def validate_lift_tests(lift_tests: pd.DataFrame) -> pd.DataFrame:
    """Check the lift-table values that pymc-marketing accepts without complaint.

    pymc-marketing's ``add_lift_test_measurements`` already rejects a table that
    lacks a column (``channel``, one per model dim such as ``geo``, ``x``,
    ``delta_x``, ``delta_y``, ``sigma``), names a channel or geo the model does
    not have, or has ``delta_x * delta_y < 0`` (``NonMonotonicError``); those
    checks are left to it. It accepts the rows checked here, which either turn
    the lift likelihood into ``-inf`` (sampling then fails to start) or are
    silently misread:

    - NaN or infinite values in ``x, delta_x, delta_y, sigma`` (a NaN ``x`` is
      read as zero spend);
    - ``sigma <= 0``;
    - ``delta_x == 0`` or ``delta_y == 0`` (the default Gamma likelihood needs
      a non-zero lift on both sides);
    - negative spend: ``x < 0`` or ``x + delta_x < 0``.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
        A lift table; missing numeric columns are left to pymc-marketing to report.

    Returns
    -------
    pandas.DataFrame
        The table, unchanged, when it is valid.

    Raises
    ------
    ValueError
        Naming the offending rows (index labels) and the problem.
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    present = [c for c in NUMERIC_COLUMNS if c in lift_tests.columns]
    try:
        numeric = lift_tests[present].astype(float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"lift_tests columns {present} must hold numbers: {err}") from err

    def rows(mask: pd.Series) -> list:
        return lift_tests.index[mask.to_numpy()].tolist()

    finite = np.isfinite(numeric).all(axis=1)
    problems = [] if finite.all() else [f"rows {rows(~finite)} have NaN or infinite values"]
    # non-finite rows and absent columns become NaN, which fails no comparison below
    v = numeric.reindex(columns=list(NUMERIC_COLUMNS)).mask(~finite, axis=0)
    for mask, problem in (
        (v["sigma"] <= 0, "have sigma <= 0"),
        (v["delta_x"] == 0, "have delta_x == 0 (no spend change)"),
        (v["delta_y"] == 0, "have delta_y == 0 (the lift likelihood needs a non-zero lift)"),
        ((v["x"] < 0) | (v["x"] + v["delta_x"] < 0), "have a negative spend x or x + delta_x"),
    ):
        if mask.any():
            problems.append(f"rows {rows(mask)} {problem}")
    if problems:
        raise ValueError("invalid lift tests: " + "; ".join(problems))
    return lift_tests


def compare_lift_tests(oracle: pd.DataFrame, estimated: pd.DataFrame) -> pd.DataFrame:
    """Estimated lift tests next to the oracle's, one row per tested geo and channel.

    Parameters
    ----------
    oracle : pandas.DataFrame
        From :func:`oracle_lift_tests` (``channel, geo, delta_y, sigma``).
    estimated : pandas.DataFrame
        With ``channel, geo, delta_y, sigma`` and the interval ``delta_y_low,
        delta_y_high`` (e.g. :func:`labkit.geo.synthetic_control_lift_tests`'s
        table); other columns (``delta_x``, ``ramp_fraction``, ...) are kept.

    Returns
    -------
    pandas.DataFrame
        In the estimated table's row order: ``channel, geo, delta_y_oracle,
        sigma_oracle``, the estimated table's other columns (``delta_y`` and
        ``sigma`` renamed ``delta_y_estimated`` and ``sigma_estimated``),
        ``error = delta_y_estimated - delta_y_oracle`` and ``covers_oracle``:
        whether the interval holds the oracle lift.
    """
    estimated_columns = ["channel", "geo", "delta_y", "sigma", "delta_y_low", "delta_y_high"]
    for name, table, needed in (
        ("oracle", oracle, ["channel", "geo", "delta_y", "sigma"]),
        ("estimated", estimated, estimated_columns),
    ):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame, got {type(table).__name__}")
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise ValueError(f"{name} is missing column(s) {missing}")
    keys = ["channel", "geo"]
    truth = oracle[[*keys, "delta_y", "sigma"]].rename(
        columns={"delta_y": "delta_y_oracle", "sigma": "sigma_oracle"}
    )
    est = estimated.rename(columns={"delta_y": "delta_y_estimated", "sigma": "sigma_estimated"})
    merged = truth.merge(est, on=keys, how="right", validate="one_to_one")
    unmatched = merged.loc[merged["delta_y_oracle"].isna(), keys]
    if len(unmatched):
        raise ValueError(f"estimated rows {unmatched.to_numpy().tolist()} have no oracle row")
    merged["error"] = merged["delta_y_estimated"] - merged["delta_y_oracle"]
    merged["covers_oracle"] = merged["delta_y_oracle"].between(
        merged["delta_y_low"], merged["delta_y_high"]
    )
    return merged


def check_delta_x(delta_x: Any) -> float:
    """Return a lift test's spend change as a float, refusing 0 (it measures nothing)."""
    v = check_number("delta_x", delta_x, hint=" (the spend change of the test, not 0)")
    if v == 0:
        raise ValueError(f"delta_x must be a non-zero finite spend change, got {delta_x!r}")
    return v


def lift_constraint_beta(
    lam: np.ndarray, x: float, delta_x: float, delta_y: float, channel_scale: float = 1.0
) -> np.ndarray:
    """Return the ``beta`` that makes a logistic curve of steepness ``lam`` pass a lift test.

    One lift test is one equation in two unknowns,
    ``beta * (h(lam, (x + delta_x) / s) - h(lam, x / s)) = delta_y`` with
    ``h(lam, u) = (1 - exp(-lam u)) / (1 + exp(-lam u))``: a curve in the
    ``(lam, beta)`` plane, not a point.

    Parameters
    ----------
    lam : array-like
        Steepness values (> 0).
    x, delta_x, delta_y : float
        The lift test (spend before, spend change, weekly lift; same units as the curve).
    channel_scale : float
        Spend is divided by it before saturation (> 0).

    Returns
    -------
    numpy.ndarray
        ``beta`` for each ``lam``.
    """
    try:
        lam = np.asarray(lam, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"lam must be a number or an array of numbers > 0, got {lam!r}") from err
    if lam.size == 0 or np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("lam must be finite and > 0 (at least one value)")
    channel_scale = check_positive("channel_scale", channel_scale)
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = check_delta_x(delta_x)
    delta_y = check_number("delta_y", delta_y)
    step = logistic((x + delta_x) / channel_scale, lam, 1.0) - logistic(x / channel_scale, lam, 1.0)
    return delta_y / step


def screen_lift_signs(lift_tests: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split estimated lift tests into those whose sign agrees with the spend change and the rest.

    The policy for an estimate such as "spend rose, sales fell": **drop it, and say
    so**. pymc-marketing's lift likelihood compares magnitudes (a Gamma on
    ``|delta_y|`` around the model's ``|lift|``, after refusing rows with
    ``delta_x * delta_y < 0``), so a signed contradiction cannot enter as what it
    is; flipping or flooring it would feed the model a lift nobody measured. A
    dropped row still informs the reader: it is usually a noisy test whose
    interval straddles zero. Dropping the low estimates biases the kept set
    upward a little, which the chapter's study measures.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
        With ``delta_x`` and ``delta_y`` (e.g. :func:`labkit.geo.synthetic_control_lift_tests`'s
        table).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The kept rows, and the dropped rows with a ``reason`` column.
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    missing = [c for c in ("delta_x", "delta_y") if c not in lift_tests.columns]
    if missing:
        raise ValueError(f"lift_tests is missing column(s) {missing}")
    product = lift_tests["delta_x"].astype(float) * lift_tests["delta_y"].astype(float)
    wrong = (product <= 0).to_numpy()
    dropped = lift_tests[wrong].copy()
    dropped["reason"] = [
        f"delta_y = {dy:.4g} for delta_x = {dx:+.4g}: the estimate contradicts the spend change"
        for dx, dy in zip(dropped["delta_x"], dropped["delta_y"], strict=True)
    ]
    return lift_tests[~wrong].copy(), dropped
