"""A lift test read week by week: the profile of the lift as the adstock fills and drains.

:func:`labkit.data.experiments.simulate_lift_test` reads a test as one number, the
lift summed over its weeks. The same experiment also shows *when* sales moved: the
lift ramps up while the adstock fills after the change starts, and decays at the
channel's carry-over rate after it ends. :func:`simulate_weekly_lift_test` runs
the test in the simulated world the same way (the data-generating process with and
without the change, same noise, so the difference is the true incremental sales)
and returns one row per week read, from the first week of the change to
``drain_weeks`` weeks after its end. Each week's read is its true lift plus an
independent error of sd ``sigma`` (default: the world's weekly noise sd, the error
of a week read against a known counterfactual).

Summed over the rows and divided by the weeks of the change, the true lifts are
the total read's ``true_delta_y`` (``tests/test_weekly_lift.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from labkit._validate import check_date, check_int, check_positive
from labkit.data.experiments import changed_spend, channel_response

if TYPE_CHECKING:
    from labkit.data.simulate import SimulatedDataset

__all__ = ["WEEKLY_NOISE_STREAM", "simulate_weekly_lift_test"]

WEEKLY_NOISE_STREAM = 0x3EE7
"""Entropy prefix of the weekly reads' errors (apart from the worlds' own streams)."""


def simulate_weekly_lift_test(
    dataset: SimulatedDataset,
    channel: str,
    start: str | pd.Timestamp,
    weeks: int,
    *,
    spend_change: float | None = None,
    spend_added: float | None = None,
    geo: str | None = None,
    drain_weeks: int | None = None,
    sigma: float | None = None,
    random_seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Run a lift test in a simulated world and read its lift week by week.

    Parameters
    ----------
    dataset : SimulatedDataset
        ``confounded`` (or a world of its kind), ``geo_panel`` or ``two_countries``.
    channel : str
    start : date
        First week of the change (a week of the data set).
    weeks : int
        Weeks the change is held (>= 1).
    spend_change : float, optional
        Relative change of each week's spend (``-1`` = go dark). Give this or ``spend_added``.
    spend_added : float, optional
        Weekly spend added (negative: removed).
    geo : str, optional
        The treated geo of a panel.
    drain_weeks : int, optional
        Weeks read after the change ends (>= 0; default ``l_max - 1``, until the
        adstock has drained), cut at the end of the series.
    sigma : float, optional
        Sd of each week's read error (> 0); default the world's weekly noise sd.
    random_seed : int or numpy.random.Generator
        Seed of the read errors, or a generator to draw them from.

    Returns
    -------
    pandas.DataFrame
        One row per week read: ``channel`` (and ``geo``), ``start``, ``weeks``,
        ``spend_change``, ``spend_added`` (NaN for the one not given), ``week`` (the
        date), ``week_index`` (0 = the first week of the change), ``spend`` and
        ``changed_spend`` (the channel's spend without and with the change),
        ``true_lift``, ``lift`` (the read: true lift plus error) and ``sigma``.
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
            f"weeks must be <= {len(dates) - i0} so that the change ends inside the series "
            f"(start {first.date()}), got {weeks}"
        )
    l_max = int(dataset.truth["l_max"])
    drain = l_max - 1 if drain_weeks is None else check_int("drain_weeks", drain_weeks, minimum=0)
    sd = residual_sd if sigma is None else check_positive("sigma", sigma)
    if isinstance(random_seed, np.random.Generator):
        rng = random_seed
    else:
        rng = np.random.default_rng(
            [WEEKLY_NOISE_STREAM, check_int("random_seed", random_seed, minimum=0)]
        )
    window = slice(i0, i0 + weeks)
    changed = changed_spend(spend, window, spend_change=spend_change, spend_added=spend_added)
    if np.array_equal(changed, spend):
        raise ValueError(f"the change leaves {channel!r} spend unchanged (zero spend?)")
    end = min(i0 + weeks + drain, len(dates))
    lift = (response(changed) - response(spend))[i0:end]
    n = end - i0
    row: dict[str, Any] = {"channel": channel}
    if geo is not None:
        row["geo"] = geo
    row |= {
        "start": first,
        "weeks": weeks,
        "spend_change": np.nan if spend_change is None else float(spend_change),
        "spend_added": np.nan if spend_added is None else float(spend_added),
    }
    table = pd.DataFrame([row] * n)
    table["week"] = dates[i0:end]
    table["week_index"] = np.arange(n)
    table["spend"] = spend[i0:end]
    table["changed_spend"] = changed[i0:end]
    table["true_lift"] = lift
    table["lift"] = lift + sd * rng.standard_normal(n)
    table["sigma"] = float(sd)
    return table
