"""Lift tests as likelihood terms that follow the test's spend path.

pymc-marketing's lift likelihood (``MMM.add_lift_test_measurements``) reads a
test as one point of the steady-state curve: the rise of the saturation curve
between a held spend ``x`` and ``x + delta_x``. An experiment measures something
else: the sales its change adds week by week, on a spend that varies from week
to week, while the adstock fills at the start and drains after the end. On a
concave curve the two differ (the mean of the weekly lifts is not the lift at the
mean spend), so a model calibrated with steady-state rows is pulled away from the
curve that produced the tests.

:func:`add_lift_test_paths` writes the experiment's own quantity into the model:
the model's adstock and saturation, with the model's parameters, run on the
channel's observed spend and on the spend with the test's change, summed over the
weeks the test was read and divided by the weeks of the change, exactly as
:func:`labkit.data.experiments.simulate_lift_test` defines ``delta_y``. The
measured lift is Normal around it with the test's standard error (signed: a
go-dark test's lift is negative). :class:`PathLiftMMM` is pymc-marketing's MMM
with this term as its ``add_lift_test_measurements``, so that pymc-marketing's
``TimeSliceCrossValidator`` gives every fold the same likelihood.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pymc.dims as pmd
from pymc_marketing.mmm.multidimensional import MMM
from pytensor.xtensor import as_xtensor

from labkit.data.experiments import changed_spend
from labkit.mmm import check_mmm, check_response_settings

__all__ = ["PATH_COLUMNS", "PathLiftMMM", "add_lift_test_paths", "lift_test_paths"]

PATH_COLUMNS = (
    "channel",
    "start",
    "weeks",
    "read_weeks",
    "spend_change",
    "spend_added",
    "delta_y",
    "sigma",
)
"""Columns a test needs to enter a model along its spend path (as
:func:`labkit.data.experiments.simulate_lift_tests` returns them)."""


def _check_model(mmm: Any) -> None:
    check_mmm(mmm, fitted=False, dims=((),))
    check_response_settings(mmm)


def lift_test_paths(
    mmm: Any, df_lift_test: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return each test's spend path, without and with its change, in the model's units.

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A built national MMM; its data must contain every test's read-out weeks.
    df_lift_test : pandas.DataFrame
        One row per test with the :data:`PATH_COLUMNS`.

    Returns
    -------
    before, after : numpy.ndarray
        ``(test, week)`` scaled spend of the tested channel from ``l_max - 1`` weeks
        before the change to the last read-out week, zero-padded on the right.
    read : numpy.ndarray
        ``(test, week)`` 1.0 on the weeks the test was read, else 0.0.
    channel_index : numpy.ndarray
        Index of each test's channel in ``mmm.channel_columns``.
    """
    _check_model(mmm)
    if not isinstance(df_lift_test, pd.DataFrame):
        raise TypeError(f"df_lift_test must be a DataFrame, got {type(df_lift_test).__name__}")
    missing = [c for c in PATH_COLUMNS if c not in df_lift_test.columns]
    if missing:
        raise ValueError(
            f"df_lift_test lacks the spend-path columns {missing}; "
            "labkit.data.experiments.simulate_lift_tests returns them"
        )
    if df_lift_test.empty:
        raise ValueError("df_lift_test must hold at least one test")
    model = mmm.model
    channels = list(mmm.channel_columns)
    if model.named_vars_to_dims["channel_data"] != ("date", "channel"):
        raise ValueError("the model's channel_data must have dims (date, channel)")
    spend = np.asarray(model["channel_data"].get_value(), dtype=float)
    scale = np.asarray(model["channel_scale"].get_value(), dtype=float)
    dates = pd.DatetimeIndex(model.coords["date"])
    lag = int(mmm.adstock.l_max) - 1
    segments, windows, reads, index = [], [], [], []
    for i, test in enumerate(df_lift_test.itertuples(index=False)):
        if test.channel not in channels:
            raise ValueError(
                f"df_lift_test.channel[{i}] must be one of {channels}, got {test.channel!r}"
            )
        start = pd.Timestamp(test.start)
        if start not in dates:
            raise ValueError(
                f"df_lift_test.start[{i}] must be a week of the model's data "
                f"({dates[0].date()} to {dates[-1].date()}), got {start.date()}"
            )
        i0, weeks, read = int(dates.get_loc(start)), int(test.weeks), int(test.read_weeks)
        if not 1 <= weeks <= read:
            raise ValueError(
                f"df_lift_test row {i}: need 1 <= weeks <= read_weeks, got {weeks}, {read}"
            )
        if i0 + read > len(dates):
            raise ValueError(
                f"df_lift_test row {i}: its read-out ends after the model's last week "
                f"{dates[-1].date()}; fit on data that covers the test"
            )
        k = channels.index(test.channel)
        lo = max(i0 - lag, 0)
        segments.append(spend[lo : i0 + read, k] / scale[k])
        windows.append((i0 - lo, weeks, read))
        change = {"spend_change": test.spend_change, "spend_added": test.spend_added / scale[k]}
        reads.append(change)
        index.append(k)
    width = max(len(s) for s in segments)
    before = np.zeros((len(segments), width))
    after = np.zeros_like(before)
    mask = np.zeros_like(before)
    for row, (segment, (offset, weeks, read), change) in enumerate(
        zip(segments, windows, reads, strict=True)
    ):
        before[row, : len(segment)] = segment
        after[row, : len(segment)] = changed_spend(segment, slice(offset, offset + weeks), **change)
        mask[row, offset : offset + read] = 1.0
    return before, after, mask, np.asarray(index)


def add_lift_test_paths(
    mmm: Any, df_lift_test: pd.DataFrame, *, name: str = "lift_measurements"
) -> None:
    """Add lift tests to a built MMM as Normal terms on the lift along each test's spend path.

    The model's lift of test ``i`` is ``sum over its read-out weeks of
    (f(after) - f(before)) / weeks``, where ``f`` is the model's adstock and
    saturation with the model's parameters for the tested channel (in the order
    the model applies them), ``before`` the observed spend and ``after`` the spend
    with the test's change. The measured ``delta_y`` is Normal around it with sd
    ``sigma`` (both scaled like the target). The model's lift per test is kept as
    the deterministic ``{name}_model_lift`` (in sales units).

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        A built national MMM (``build_model`` called) whose data covers each test.
    df_lift_test : pandas.DataFrame
        One row per test with the :data:`PATH_COLUMNS`; ``delta_y`` and ``sigma``
        are the weekly lift and its standard error in sales units (``sigma > 0``).
    name : str
        Name of the likelihood term.
    """
    before, after, mask, index = lift_test_paths(mmm, df_lift_test)
    sigma = df_lift_test["sigma"].to_numpy(float)
    delta_y = df_lift_test["delta_y"].to_numpy(float)
    if not (np.isfinite(sigma).all() and (sigma > 0).all()):
        raise ValueError("df_lift_test.sigma must be finite and > 0 in every row")
    if not np.isfinite(delta_y).all():
        raise ValueError("df_lift_test.delta_y must be finite in every row")
    model = mmm.model
    test_dim, week_dim = f"_{name}_dim", f"_{name}_week"
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

    weeks = as_xtensor(df_lift_test["weeks"].to_numpy(float), dims=(test_dim,))
    read = as_xtensor(mask, dims=(test_dim, week_dim))
    lift = ((response(after) - response(before)) * read).sum(dim=week_dim) / weeks
    target_scale = float(np.asarray(model["target_scale"].get_value()))
    with model:
        model.add_coord(test_dim, length=len(df_lift_test))
        pmd.Deterministic(f"{name}_model_lift", lift * target_scale)
        pmd.Normal(
            name,
            mu=lift,
            sigma=as_xtensor(sigma / target_scale, dims=(test_dim,)),
            observed=as_xtensor(delta_y / target_scale, dims=(test_dim,)),
        )


class PathLiftMMM(MMM):
    """pymc-marketing's MMM whose lift tests enter along their spend paths.

    Identical to :class:`pymc_marketing.mmm.multidimensional.MMM` except that
    :meth:`add_lift_test_measurements` calls :func:`add_lift_test_paths`: the
    table needs the :data:`PATH_COLUMNS`, and a fold of pymc-marketing's
    ``TimeSliceCrossValidator`` (which deep-copies the model and calls this
    method) gets the same term.
    """

    def add_lift_test_measurements(
        self, df_lift_test: pd.DataFrame, dist: Any = None, name: str = "lift_measurements"
    ) -> None:
        """Add lift tests as Normal terms along their spend paths.

        Parameters
        ----------
        df_lift_test : pandas.DataFrame
            One row per test with the :data:`PATH_COLUMNS` (other columns ignored).
        dist : None
            Accepted for signature compatibility; the term is Normal (any other
            value raises ``ValueError``).
        name : str
            Name of the likelihood term.
        """
        if dist is not None and dist is not pmd.Normal:
            raise ValueError(
                f"dist must be None or pymc.dims.Normal for path lift tests, got {dist}"
            )
        add_lift_test_paths(self, df_lift_test, name=name)
