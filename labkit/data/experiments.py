"""Lift tests simulated from the data-generating process, as an experiment measures them.

A lift test changes a channel's spend over a window and measures the change in
sales. In a simulated world both worlds can be run: :func:`simulate_lift_test`
re-runs a data set's channel response (its true adstock and saturation) on the
observed spend and on the spend with the change, with the same noise draws, so
the noise cancels and the difference is the true incremental sales. Summed over
the window (optionally with the carryover the adstock leaks past its end) and
divided by the window's weeks, it is the weekly ``delta_y`` of pymc-marketing's
lift-test table (``channel, x, delta_x, delta_y, sigma``): the rise of the
steady-state curve between ``x`` and ``x + delta_x``. The observed estimate adds
the read-out's noise: the sd of the weekly residuals summed over the read-out
window and, optionally, read against a baseline estimated from pre-period weeks
(:func:`labkit.stats.effective_sigma`).

For a saturating channel the incremental lift is below ``ROAS x delta_x``, the
shortcut that multiplies the average return by the spend change
(:func:`labkit.roas.dated_lift_tests`): the average return includes the steep
first units of spend, the increment happens on the flatter part of the curve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd

from labkit._validate import (
    check_bool,
    check_date,
    check_int,
    check_number,
    check_positive,
    check_strings,
)
from labkit.data import dataset_kind
from labkit.data.simulate import SimulatedDataset
from labkit.response import geometric_adstock, logistic, michaelis_menten

if TYPE_CHECKING:
    from labkit.data import Dataset

__all__ = [
    "before_test",
    "changed_spend",
    "channel_response",
    "run_geo_test",
    "simulate_lift_test",
    "simulate_lift_tests",
    "steady_state_lift",
]

_SUPPORTED = ("confounded", "geo_panel", "two_countries")
_NOISE_STREAM = 0x11F7
"""Entropy prefix of the read-out noise: keeps it apart from the simulators' own
``default_rng(seed)`` streams, so a test's error never reuses the world's draws."""
_TWO_COUNTRIES_GEOS = {"venezuela": "meta", "colombia": "meta_counterfactual"}


def _dataset(dataset: Any) -> SimulatedDataset:
    if (
        not hasattr(dataset, "truth")
        or not hasattr(dataset, "data")
        or not hasattr(dataset, "name")
    ):
        raise TypeError(
            "dataset must be a simulated data set (labkit.load_dataset(...) or a simulate_* "
            f"result), got {type(dataset).__name__}"
        )
    if dataset_kind(dataset) not in _SUPPORTED:
        raise ValueError(
            f"dataset must be one of {list(_SUPPORTED)}, got {dataset_kind(dataset)!r}"
        )
    return dataset


def channel_response(
    dataset: SimulatedDataset, channel: str, geo: str | None = None
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], float, pd.DatetimeIndex]:
    """Return the true response of one channel in one geo of a simulated data set.

    Parameters
    ----------
    dataset : SimulatedDataset
        ``confounded``, ``geo_panel`` or ``two_countries``.
    channel : str
        A channel of that data set.
    geo : str, optional
        The geo (``geo_panel``: ``geo_00`` ...; ``two_countries``: ``venezuela`` or
        ``colombia``); ``None`` for the national ``confounded`` data set.

    Returns
    -------
    spend : numpy.ndarray
        The observed weekly spend of the channel in that geo.
    response : callable
        Maps a weekly spend series to the channel's weekly sales contribution, in
        the units of the data set's sales column.
    residual_sd : float
        The sd of the weekly noise in those sales.
    dates : pandas.DatetimeIndex
        The weeks.
    """
    ds = _dataset(dataset)
    truth, df = ds.truth, ds.data
    if dataset_kind(ds) == "confounded":
        if geo is not None:
            raise ValueError(f"geo must be None for the national confounded data set, got {geo!r}")
        channels = sorted(truth["channels"])
        if channel not in channels:
            raise ValueError(f"channel must be one of {channels}, got {channel!r}")
        p, amplitude, l_max = truth["channels"][channel], truth["amplitude"], truth["l_max"]

        def response(x: np.ndarray) -> np.ndarray:
            ad = geometric_adstock(x, p["adstock_alpha"], l_max, normalize=True)
            return amplitude * logistic(ad, p["saturation_lam"], p["beta"])

        sd = truth["noise_sd"] * amplitude
        return df[channel].to_numpy(float), response, float(sd), pd.DatetimeIndex(df["date"])
    if dataset_kind(ds) == "geo_panel":
        channels, geos = truth["channels"], truth["geos"]
        if channel not in channels:
            raise ValueError(f"channel must be one of {channels}, got {channel!r}")
        if geo not in geos:
            raise ValueError(f"geo must be one of {geos}, got {geo!r}")
        lam = truth["saturation_lam"][geo][channel]
        beta = truth["saturation_beta"][geo][channel]
        alpha, scale, l_max = (
            truth["adstock_alpha"][channel],
            truth["channel_scale"][channel],
            truth["l_max"],
        )

        def response(x: np.ndarray) -> np.ndarray:
            ad = geometric_adstock(x, alpha, l_max, normalize=True)
            return logistic(ad / scale, lam, beta)

        rows = df[df["geo"] == geo]
        sd = truth["y_sigma"][geo]
        return rows[channel].to_numpy(float), response, float(sd), pd.DatetimeIndex(rows["date"])
    # two_countries
    channels = sorted(truth["channels"])
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    if geo not in _TWO_COUNTRIES_GEOS:
        raise ValueError(f"geo must be one of {sorted(_TWO_COUNTRIES_GEOS)}, got {geo!r}")
    p = truth["channels"][channel]
    mult = truth["colombia_multipliers"] if geo == "colombia" else {}
    a = p["saturation_alpha"] * mult.get(f"{channel}_alpha", 1.0)
    lam = p["saturation_lam"] * mult.get(f"{channel}_lam", 1.0)
    l_max = truth["l_max"]

    # one response per data set kind: mypy sees this last one as a redefinition (no else branch)
    def response(x: np.ndarray) -> np.ndarray:  # type: ignore[no-redef]
        return michaelis_menten(geometric_adstock(x, p["adstock_alpha"], l_max, True), a, lam)

    column = _TWO_COUNTRIES_GEOS[geo] if channel == "meta" else channel
    return (
        df[column].to_numpy(float),
        response,
        float(truth["noise_sd"]),
        pd.DatetimeIndex(df["date"]),
    )


def geo_expected_sales(
    dataset: Dataset | SimulatedDataset,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Return a geo world's noise-free weekly sales per geo, and the sd of its weekly noise.

    What a simulated geo test needs of the world it runs in
    (:func:`labkit.design.simulate_placebo_detection`): the sales each geo would
    have without noise (intercept plus every channel's true response to its
    observed spend), and the sd of the iid Normal noise the simulator adds.

    Parameters
    ----------
    dataset : Dataset or SimulatedDataset
        A geo panel (``geo_panel`` or a :func:`~labkit.data.simulate_geo_panel` draw).

    Returns
    -------
    expected : pandas.DataFrame
        Weeks x geos, in the data set's sales units.
    noise_sd : dict
        ``{geo: sd}``.
    """
    ds = _dataset(dataset)
    if "geo" not in ds.data.columns or "y_sigma" not in ds.truth:
        raise ValueError("dataset must be a simulated geo panel (geo column, truth['y_sigma'])")
    truth, df = ds.truth, ds.data
    dates = pd.DatetimeIndex(sorted(df["date"].unique()))
    geos = sorted(df["geo"].unique())
    expected = pd.DataFrame(index=dates, columns=geos, dtype=float)
    for g in geos:
        rows = df[df["geo"] == g].set_index("date").loc[dates]
        expected[g] = truth["intercept"][g] + sum(
            channel_response(ds, c, g)[1](rows[c].to_numpy()) for c in truth["channels"]
        )
    return expected, {g: float(truth["y_sigma"][g]) for g in geos}


def changed_spend(
    spend: np.ndarray,
    window: slice,
    *,
    spend_change: float | None = None,
    spend_added: float | None = None,
) -> np.ndarray:
    """Return the spend series a lift test runs: the change applied inside ``window``.

    Parameters
    ----------
    spend : numpy.ndarray
        The weekly spend without the test (last axis: weeks).
    window : slice
        The weeks of the change (along the last axis).
    spend_change : float, optional
        Relative change of each week's spend (``-1`` = go dark).
    spend_added : float, optional
        Weekly amount added (negative: removed; spend is floored at zero). Give
        exactly one of the two; NaN counts as not given.

    Returns
    -------
    numpy.ndarray
        A copy of ``spend`` with the change applied in the window.
    """

    def given(value: float | None) -> bool:
        return value is not None and not np.isnan(value)

    if given(spend_change) == given(spend_added):
        raise ValueError(
            "give exactly one of spend_change (fraction) or spend_added (weekly amount)"
        )
    changed = np.array(spend, dtype=float, copy=True)
    if given(spend_added):
        changed[..., window] = np.maximum(changed[..., window] + spend_added, 0.0)
    else:
        assert spend_change is not None  # exactly one of the two is given
        changed[..., window] = changed[..., window] * (1.0 + spend_change)
    return changed


def steady_state_lift(
    dataset: SimulatedDataset, channel: str, x: float, delta_x: float, geo: str | None = None
) -> float:
    """Return the weekly lift of the true curve between constant spends ``x`` and ``x + delta_x``.

    This is what one row of a lift-test table means to pymc-marketing's lift
    likelihood: the steady-state response to a held spend change. The data set's
    channel response is run on two constant spend series and compared once the
    adstock has filled.

    Parameters
    ----------
    dataset : SimulatedDataset
    channel : str
    x, delta_x : float
        Spend (>= 0) and change (``x + delta_x >= 0``).
    geo : str, optional

    Returns
    -------
    float
    """
    _, response, _, _ = channel_response(dataset, channel, geo)
    x = check_number("x", x, low=0.0)
    delta_x = check_number("delta_x", delta_x, low=-x)
    n = 2 * int(dataset.truth["l_max"])
    before, after = response(np.full(n, x)), response(np.full(n, x + delta_x))
    return float(after[-1] - before[-1])


def _check_change(
    delta_x: float | None, spend_change: float | None
) -> tuple[float | None, float | None]:
    """Check that exactly one of an absolute and a relative spend change is given, non-zero."""
    if (delta_x is None) == (spend_change is None):
        raise ValueError(
            "give exactly one of delta_x (weekly spend added) or spend_change (fraction)"
        )
    if delta_x is not None:
        delta_x = check_number("delta_x", delta_x)
        if delta_x == 0:
            raise ValueError("delta_x must be non-zero")
        return delta_x, None
    spend_change = check_number("spend_change", spend_change, low=-1.0, high=5.0)
    if spend_change == 0:
        raise ValueError("spend_change must be non-zero, a fraction in [-1, 5]")
    return None, spend_change


def simulate_lift_test(
    dataset: SimulatedDataset,
    channel: str,
    start: str | pd.Timestamp,
    weeks: int,
    *,
    delta_x: float | None = None,
    spend_change: float | None = None,
    geo: str | None = None,
    carryover: bool = True,
    sigma: float | None = None,
    baseline_weeks: int | None = None,
    random_seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Run a lift test in a simulated world: the sales with and without a spend change.

    Parameters
    ----------
    dataset : SimulatedDataset
        ``confounded``, ``geo_panel`` or ``two_countries``.
    channel : str
        The tested channel.
    start : date
        First week of the change (a week of the data set).
    weeks : int
        Weeks the change is held (>= 1, inside the series).
    delta_x : float, optional
        Weekly spend added (negative: removed). Give this or ``spend_change``.
    spend_change : float, optional
        Relative change of each week's spend, a fraction in [-1, 5] (``0.2`` = +20 %).
    geo : str, optional
        The treated geo of a panel (required for ``geo_panel`` and ``two_countries``).
    carryover : bool
        Also count the sales the adstock carries past the window's end (up to
        ``l_max - 1`` weeks, within the series). With normalised adstock a held
        change then yields the steady-state lift the lift-test likelihood assumes;
        without it the first weeks' ramp-up is missing from ``delta_y``.
    sigma : float, optional
        Standard error of the weekly ``delta_y`` estimate (> 0). Default: the
        data set's weekly noise sd summed over the read-out weeks
        (:func:`labkit.stats.effective_sigma`, no autocorrelation), divided by
        ``weeks``.
    baseline_weeks : int, optional
        When ``sigma`` is derived: the pre-period weeks the counterfactual is
        estimated from, whose error adds to the read-out's; ``None`` takes the
        counterfactual as known.
    random_seed : int or numpy.random.Generator
        Seed of the estimate's noise (its stream is distinct from the data set's
        ``default_rng(seed)``), or a generator to draw it from.

    Returns
    -------
    pandas.DataFrame
        One row: ``channel`` (and ``geo`` for panels), ``x`` (mean weekly spend in
        the window without the change), ``delta_x`` (mean weekly change),
        ``delta_y`` (the estimate: true weekly lift plus noise), ``sigma``, ``date``
        (when the result is known: the last read-out week), ``true_delta_y``,
        ``start``, ``weeks``, and the spend path the test ran: ``read_weeks`` (weeks
        read out, the window plus its carryover), ``spend_change`` (the relative change,
        NaN for an absolute one) and ``spend_added`` (the weekly amount added, NaN
        for a relative change). With these columns the test can enter a model along
        its spend path (:func:`labkit.roas.add_lift_test_paths`).
    """
    spend, response, residual_sd, dates = channel_response(dataset, channel, geo)
    weeks = check_int("weeks", weeks, minimum=1, unit="weeks")
    first = check_date("start", start)
    if first not in dates:
        raise ValueError(
            f"start must be a week of the data set, between {dates[0].date()} and "
            f"{dates[-1].date()}, got {first.date()}"
        )
    i0 = int(dates.get_loc(first))
    if i0 + weeks > len(dates):
        raise ValueError(
            f"weeks must be <= {len(dates) - i0} so that the window ends inside the series "
            f"(start {first.date()}), got {weeks}"
        )
    delta_x, spend_change = _check_change(delta_x, spend_change)
    carryover = check_bool("carryover", carryover)
    if isinstance(random_seed, np.random.Generator):
        rng = random_seed
    else:
        rng = np.random.default_rng(
            [_NOISE_STREAM, check_int("random_seed", random_seed, minimum=0)]
        )
    window = slice(i0, i0 + weeks)
    changed = changed_spend(spend, window, spend_change=spend_change, spend_added=delta_x)
    applied = float((changed - spend)[window].mean())
    if applied == 0:
        raise ValueError(
            f"the change leaves {channel!r} spend unchanged in the window (zero spend?)"
        )
    lift = response(changed) - response(spend)
    l_max = int(dataset.truth["l_max"])
    end = min(i0 + weeks + (l_max - 1 if carryover else 0), len(dates))
    true_delta_y = float(lift[i0:end].sum() / weeks)
    if sigma is None:
        from labkit.stats import effective_sigma

        read = end - i0
        total_sd = effective_sigma(residual_sd, 0.0, read, baseline_weeks)
        sigma = float(np.asarray(total_sd)) / weeks
    else:
        sigma = check_positive("sigma", sigma)
    row: dict[str, Any] = {"channel": channel}
    if geo is not None:
        row["geo"] = geo
    row |= {
        "x": float(spend[window].mean()),
        "delta_x": applied,
        "delta_y": true_delta_y + sigma * float(rng.standard_normal()),
        "sigma": sigma,
        "date": dates[end - 1],
        "true_delta_y": true_delta_y,
        "start": first,
        "weeks": weeks,
        "read_weeks": end - i0,
        "spend_change": np.nan if spend_change is None else spend_change,
        "spend_added": np.nan if delta_x is None else delta_x,
    }
    return pd.DataFrame([row])


def simulate_lift_tests(
    dataset: SimulatedDataset,
    tests: Sequence[Mapping[str, Any]],
    *,
    random_seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Several simulated lift tests as one table, sorted by the date each result is known.

    Parameters
    ----------
    dataset : SimulatedDataset
    tests : sequence of dict
        Keyword arguments of :func:`simulate_lift_test` per test (``channel``,
        ``start``, ``weeks``, ``delta_x`` or ``spend_change``, ``geo`` ...).
    random_seed : int
        Seed of the tests' noise: test ``i`` draws from its own stream, keyed by
        ``(random_seed, i)``, so no two tests of any two seeds share draws (test 0
        draws what :func:`simulate_lift_test` draws with ``random_seed``).
    **options
        Defaults for every test (e.g. ``carryover=False``, ``sigma=3.0``).

    Returns
    -------
    pandas.DataFrame
        One row per test, in pymc-marketing's lift-test columns plus ``date``,
        ``true_delta_y``, ``start``, ``weeks`` and the spend-path columns of
        :func:`simulate_lift_test`.
    """
    if isinstance(tests, Mapping) or not isinstance(tests, Sequence) or not tests:
        raise ValueError(
            "tests must be a non-empty sequence of dicts of simulate_lift_test arguments"
        )
    random_seed = check_int("random_seed", random_seed, minimum=0)
    rows = []
    for i, spec in enumerate(tests):
        if not isinstance(spec, Mapping):
            raise TypeError(f"tests[{i}] must be a dict, got {type(spec).__name__}")
        rng = np.random.default_rng([_NOISE_STREAM, random_seed, i])
        rows.append(simulate_lift_test(dataset, **(dict(options) | dict(spec)), random_seed=rng))
    table = pd.concat(rows, ignore_index=True)
    return table.sort_values("date", kind="stable").reset_index(drop=True)


_Panel = TypeVar("_Panel")


def run_geo_test(
    dataset: _Panel,
    treated_geos: Sequence[str],
    channel: str,
    weeks: int,
    *,
    spend_change: float | None = None,
    delta_x: float | None = None,
) -> _Panel:
    """Run another geo test in the ``geo_panel`` world: the panel as that test would have left it.

    The panel's own test (``channel_1`` raised in every other geo over its last
    weeks) is taken out and the given one runs instead, from the same first week:
    every geo's sales are the observed sales minus the true response to the
    panel's test plus the true response to this one, each from the data set's true
    adstock and saturation curves (:func:`channel_response`), so the weekly noise
    is the same draw in both worlds. The panel ends with the test's last week.

    Parameters
    ----------
    dataset : Dataset or SimulatedDataset
        ``geo_panel`` (loaded or simulated).
    treated_geos : sequence of str
        Geos that change their spend; at least two other geos stay untreated.
    channel : str
        The tested channel.
    weeks : int
        Weeks the change is held, from the panel's test start, within the series.
    spend_change : float, optional
        Relative change of each week's spend, in [-1, 5] (``0.5`` = +50 %).
    delta_x : float, optional
        Weekly spend added. Give exactly one of the two.

    Returns
    -------
    Dataset or SimulatedDataset
        The same type, with ``channel`` changed in the treated geos (the untreated
        spend in ``<channel>_counterfactual``), ``treated``, ``experiment`` and ``y``
        for this test, and the truth's test facts (``treated_geos``,
        ``control_geos``, ``test_channel``, ``delta_x`` (``None`` for a relative
        change), ``spend_change``, ``experiment_weeks``, ``experiment_start``,
        ``experiment_end``) describing it.
    """
    ds = _dataset(dataset)
    if dataset_kind(ds) != "geo_panel":
        raise ValueError(f"dataset must be a geo panel, got a {dataset_kind(ds)!r} data set")
    truth, df = ds.truth, ds.data
    geos, channels = list(truth["geos"]), list(truth["channels"])
    treated = check_strings("treated_geos", treated_geos, allowed=geos)
    if len(geos) - len(treated) < 2:
        raise ValueError(
            f"treated_geos must leave at least 2 of the {len(geos)} geos untreated as donors, "
            f"got {len(treated)} treated"
        )
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    dates = pd.DatetimeIndex(sorted(df["date"].unique()))
    i0 = int(dates.get_loc(pd.Timestamp(truth["experiment_start"])))
    weeks = check_int("weeks", weeks, minimum=1, unit="weeks")
    if i0 + weeks > len(dates):
        raise ValueError(
            f"weeks must lie in [1, {len(dates) - i0}]: the test starts on "
            f"{dates[i0].date()} and the series ends {len(dates) - i0} weeks later, got {weeks}"
        )
    delta_x, spend_change = _check_change(delta_x, spend_change)
    old = truth["test_channel"]
    window = slice(i0, i0 + weeks)
    frames = []
    for geo in geos:
        rows = df[df["geo"] == geo].sort_values("date").reset_index(drop=True)
        y = rows["y"].to_numpy(float)
        untested = rows[f"{old}_counterfactual"].to_numpy(float)
        response = channel_response(ds, old, geo)[1]
        y = y + response(untested) - response(rows[old].to_numpy(float))
        rows[old] = untested
        base = rows[channel].to_numpy(float)
        spend = base
        if geo in treated:
            spend = changed_spend(base, window, spend_change=spend_change, spend_added=delta_x)
            response = channel_response(ds, channel, geo)[1]
            y = y + response(spend) - response(base)
        frame = rows[["date", "geo"]].assign(**{c: rows[c] for c in channels})
        frame[channel] = spend
        frame[f"{channel}_counterfactual"] = base
        frame["treated"] = geo in treated
        frame["experiment"] = (np.arange(len(rows)) >= i0) & (np.arange(len(rows)) < i0 + weeks)
        frame["y"] = y
        frames.append(frame.iloc[: i0 + weeks])
    data = pd.concat(frames, ignore_index=True)
    new_truth = dict(truth) | {
        "treated_geos": [g for g in geos if g in treated],
        "control_geos": [g for g in geos if g not in treated],
        "test_channel": channel,
        "delta_x": None if delta_x is None else float(delta_x),
        "spend_change": None if spend_change is None else float(spend_change),
        "experiment_weeks": weeks,
        "experiment_start": str(dates[i0].date()),
        "experiment_end": str(dates[i0 + weeks - 1].date()),
    }
    # ds is dataset itself (_dataset checks and returns it): replace keeps its type
    return cast(_Panel, dataclasses.replace(ds, data=data, truth=new_truth))


def before_test(dataset: _Panel) -> _Panel:
    """Return a ``geo_panel`` data set cut to the weeks before its test: the data a design sees.

    Parameters
    ----------
    dataset : Dataset or SimulatedDataset
        ``geo_panel`` (loaded or simulated), e.g. a :func:`run_geo_test` result.

    Returns
    -------
    Dataset or SimulatedDataset
        The same type and truth, the rows before ``experiment_start``.
    """
    ds = _dataset(dataset)
    if dataset_kind(ds) != "geo_panel":
        raise ValueError(f"dataset must be a geo panel, got a {dataset_kind(ds)!r} data set")
    start = pd.Timestamp(ds.truth["experiment_start"])
    data = ds.data[pd.to_datetime(ds.data["date"]) < start].reset_index(drop=True)
    return cast(_Panel, dataclasses.replace(ds, data=data))  # the type of dataset, as above
