"""Simulated geo tests, read as a team would read them, to check the assurance.

:func:`simulate_placebo_detection` runs a :class:`~labkit.design.GeoDesigner`'s
candidate many times in new draws of a world whose noise-free sales are known,
reads each with a CausalPy synthetic control and counts the significant reads:
the share the candidate's assurance predicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number, check_probability
from labkit.design.geo_designer import GeoDesigner
from labkit.design.placebo import MIN_TRAIN_WEEKS, check_sets, read_window, set_series, wide_panel

__all__ = ["simulate_placebo_detection"]


def simulate_placebo_detection(
    geo_designer: GeoDesigner,
    expected_sales: pd.DataFrame,
    noise_sd: Mapping[str, float],
    treated_set: Sequence[str],
    channel: str,
    spend_change: float,
    duration: int,
    *,
    sigma: float,
    n_tests: int = 200,
    significance_level: float = 0.05,
    min_train: int = MIN_TRAIN_WEEKS,
    random_seed: int = 0,
) -> pd.DataFrame:
    """Run simulated geo tests end to end and read each with a CausalPy synthetic control.

    Each test happens in a new draw of the world: its noise-free sales plus new
    weekly noise (iid Normal per geo and week, the simulator's own noise). A
    window of ``duration`` weeks is chosen at random in the pre-period; a
    posterior draw of the candidate's lift (the design prior the assurance
    averages over) is added to the treated geos' sales over the window, each
    geo's own lift spread evenly over its weeks; the synthetic control fitted on
    the weeks before reads it (the set's mean against the other geos, times the
    set's size), and a two-sided z-test with ``sigma`` decides. The share of
    significant tests is what the assurance with ``sigma`` predicts.

    Parameters
    ----------
    geo_designer : GeoDesigner
        Its designer's posterior gives the lift draws.
    expected_sales : pandas.DataFrame
        The world's noise-free weekly sales, weeks x geos, in the panel's units
        (for a simulated panel: :func:`labkit.data.experiments.geo_expected_sales`).
    noise_sd : dict
        ``{geo: sd}`` of the world's weekly noise.
    treated_set : sequence of str
    channel : str
    spend_change : float
    duration : int
    sigma : float
        Standard error the read-out is judged with (model scale, > 0).
    n_tests : int
        Simulated tests (>= 1).
    significance_level : float
    min_train : int
        Fewest pre-window weeks a synthetic control is fitted on.
    random_seed : int

    Returns
    -------
    pandas.DataFrame
        One row per test: ``start``, ``draw``, ``true_lift``, ``estimate``,
        ``significant``.
    """
    from scipy.special import ndtri

    if not isinstance(geo_designer, GeoDesigner):
        raise TypeError(f"geo_designer must be a GeoDesigner, got {type(geo_designer).__name__}")
    if not isinstance(expected_sales, pd.DataFrame):
        raise TypeError(
            "expected_sales must be a DataFrame (weeks x geos), got "
            f"{type(expected_sales).__name__}"
        )
    wide = wide_panel(geo_designer.panel, geo_designer.value, None)
    geos = list(wide.columns)
    missing = [g for g in geos if g not in expected_sales.columns or g not in noise_sd]
    if missing:
        raise ValueError(f"expected_sales and noise_sd must cover every geo; missing {missing}")
    d = geo_designer.designer
    (members,) = check_sets([treated_set], geos, 1)
    channel = d.check_channel(channel)
    weeks = check_int("duration", duration, minimum=1, unit="weeks")
    sigma = check_number("sigma", sigma, low=0.0, low_open=True)
    n_tests = check_int("n_tests", n_tests, minimum=1)
    noise = np.array([check_number(f"noise_sd[{g!r}]", noise_sd[g], low=0.0) for g in geos])
    z = float(ndtri(1 - check_probability("significance_level", significance_level) / 2))
    rng = np.random.default_rng([0x6E0, check_int("random_seed", random_seed, minimum=0)])
    if geo_designer.pre_end is not None:
        wide = wide[wide.index < geo_designer.pre_end]
    absent = wide.index.difference(pd.DatetimeIndex(expected_sales.index))
    if len(absent):
        raise ValueError(f"expected_sales has no row for {len(absent)} of the panel's weeks")
    n_pre = len(wide)
    if n_pre - weeks < min_train:
        raise ValueError(
            f"duration must be <= {n_pre - min_train} weeks to leave {min_train} weeks of fit"
        )
    mean = expected_sales.loc[wide.index, geos].astype(float)
    scale = dict(zip(d.units, d.target_scale, strict=True))
    lifts, _ = d.lift_grid([channel], np.array([spend_change]), np.array([weeks]))
    unit = [d.units.index(g) for g in members]
    per_geo = lifts[0][unit, 0, 0, :]  # (set, draws), model scale
    out = []
    for _ in range(n_tests):
        start = int(rng.integers(min_train, n_pre - weeks + 1))
        draw = int(rng.integers(0, per_geo.shape[1]))
        sales = mean + rng.standard_normal(mean.shape) * noise
        sales = sales / np.array([scale[g] for g in geos])
        window = sales.iloc[: start + weeks].copy()
        for g, lift in zip(members, per_geo[:, draw], strict=True):
            window.iloc[start:, geos.index(g)] += lift / weeks
        series, donors = set_series(window, members)
        estimate = float(read_window(series, donors, start, weeks)[-1]) * len(members)
        out.append(
            {
                "start": series.index[start],
                "draw": draw,
                "true_lift": float(per_geo[:, draw].sum()),
                "estimate": estimate,
                "significant": abs(estimate) > z * sigma,
            }
        )
    return pd.DataFrame(out)
