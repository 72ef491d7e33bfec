"""The fitted model's own answer to "what would this lift test show?".

:func:`model_lift_draws` asks a pymc-marketing MMM itself, through its public
``sample_posterior_predictive``: its ``channel_contribution`` on a spend
history held at the current level, then changed by ``spend_change`` for
``duration`` weeks, minus the same on the unchanged history, summed over the
test's weeks, per posterior draw. It is slow (a posterior-predictive pass per
path) and exact: the reference :mod:`labkit.design.engines` is pinned to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import check_int
from labkit.design.checks import check_spend_change
from labkit.mmm import check_mmm

if TYPE_CHECKING:
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.design.lift_model import LiftModel

__all__ = ["model_lift_draws"]


def _paths(
    mmm: MMM, designer: LiftModel, channel: str, spend_change: float, weeks: int, warm: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Input frames of the unchanged and the changed history, in the model's own columns."""
    dates = pd.DatetimeIndex(mmm.xarray_dataset["date"].to_numpy())
    step = dates[-1] - dates[-2]
    new = pd.DatetimeIndex([dates[-1] + step * (i + 1) for i in range(warm + weeks)])
    geo = "geo" in tuple(mmm.dims or ())
    units = designer.units if geo else [None]
    frames = []
    for changed in (False, True):
        rows = []
        for u, unit in enumerate(units):
            frame = pd.DataFrame({mmm.date_column: new})
            if geo:
                frame["geo"] = unit
            for c in designer.channels:
                level = float(designer.current_spend[c][u] * designer.channel_scale[c])
                spend = np.full(len(new), level)
                if changed and c == channel:
                    spend[warm:] *= 1.0 + spend_change
                frame[c] = spend
            for control in mmm.control_columns or []:
                frame[control] = 0.0
            rows.append(frame)
        frames.append(pd.concat(rows, ignore_index=True))
    return frames[0], frames[1]


def model_lift_draws(
    mmm: MMM,
    designer: LiftModel,
    channel: str,
    spend_change: float,
    duration: int,
    *,
    warm_weeks: int | None = None,
) -> np.ndarray:
    """Lift of a test per unit and draw, as the fitted MMM itself predicts it (model scale).

    Parameters
    ----------
    mmm : pymc_marketing.mmm.multidimensional.MMM
        The fitted model ``designer`` was built from.
    designer : LiftModel
        Gives the current spend and the channel scales (currency per model unit).
    channel : str
    spend_change : float
        Relative change, in [-1, 5], not 0.
    duration : int
        Weeks of the change (>= 1).
    warm_weeks : int, optional
        Weeks at current spend before the test (default ``l_max + 2``, >= 1).

    Returns
    -------
    numpy.ndarray
        ``(n_units, n_draws)``, draws in the posterior's ``(chain, draw)`` order.
    """
    check_mmm(mmm)
    designer.check_channel(channel)
    change = check_spend_change("spend_change", spend_change)
    weeks = check_int("duration", duration, minimum=1, unit="weeks")
    warm = check_int(
        "warm_weeks", designer.l_max + 2 if warm_weeks is None else warm_weeks, minimum=1
    )
    out = []
    for frame in _paths(mmm, designer, channel, change, weeks, warm):
        draws = mmm.sample_posterior_predictive(
            frame,
            var_names=["channel_contribution"],
            extend_idata=False,
            combined=True,
            progressbar=False,
        )
        if not isinstance(draws, xr.DataArray):
            draws = draws["channel_contribution"]
        contribution = draws.sel(channel=channel)
        if "geo" not in contribution.dims:
            contribution = contribution.expand_dims(geo=designer.units)
        contribution = contribution.sel(geo=designer.units).transpose("geo", "date", "sample")
        out.append(contribution.to_numpy()[:, warm:, :].sum(axis=1))
    return out[1] - out[0]
