"""A world for a programme of tests: the ``confounded`` world with a third channel.

:func:`simulate_confounded` has two channels, one of them (``x1``) bought when an
unobserved driver ``z`` of sales is high. A budget has more than two places to
go, so :func:`simulate_programme_world` adds ``x3``: a channel whose spend
follows ``x1``'s (the two are planned together) and through it, weakly, ``z``.
Its response is geometric adstock and a logistic curve like the others'. The
sales, the sales without each channel (``y01``, ``y02``, ``y03``) and the truth
are recomputed with it; the draws of the two-channel world are kept as they
are (``x3``'s come from a separate stream), so ``x1``, ``x2``, ``z`` and the
noise are the two-channel world's of the same seed.

It is the same kind of data set (``confounded``): lift tests run in it with
:func:`labkit.data.experiments.simulate_lift_test`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labkit.data.confounded import simulate_confounded
from labkit.data.simulate import SimulatedDataset, check_seed
from labkit.response import geometric_adstock, logistic

__all__ = ["THIRD_CHANNEL", "simulate_programme_world"]

THIRD_CHANNEL: dict[str, float] = {"adstock_alpha": 0.3, "saturation_lam": 2.5, "beta": 0.9}
"""True response of ``x3``: adstock decay, logistic ``lam`` and ``beta`` (before ``amplitude``)."""

_X3_STREAM = 0x3C4A
"""Entropy prefix of ``x3``'s spend draws (apart from the two-channel world's stream)."""


def simulate_programme_world(*, seed: int, n_weeks: int = 131) -> SimulatedDataset:
    """Simulate the ``confounded`` world of ``seed`` with a third channel ``x3``.

    ``x3 = clip(0.6 * x1 + 0.4 * u3, 0, 1)`` with ``u3 ~ U(0, 1)`` (its own
    stream), dark where ``u3 > 0.9``; its effect is
    ``beta * logistic(adstock(x3), lam)`` with :data:`THIRD_CHANNEL`.

    Parameters
    ----------
    seed : int
        Seed of the two-channel world and of ``x3``'s spend.
    n_weeks : int
        Weeks (>= 56).

    Returns
    -------
    SimulatedDataset
        The columns of :func:`simulate_confounded` plus ``x3``, ``x3_adstock``,
        ``x3_adstock_saturated``, ``x3_effect`` and ``y03``; ``truth`` with ``x3``
        among the channels, the true ROAS of all three and ``corr_x1_x3``.
    """
    seed = check_seed(seed)
    base = simulate_confounded(n_weeks=n_weeks, seed=seed)
    df, truth = base.data.copy(), dict(base.truth)
    amplitude, l_max = float(truth["amplitude"]), int(truth["l_max"])
    rng = np.random.default_rng([_X3_STREAM, seed])
    u3 = rng.uniform(0.0, 1.0, len(df))
    x3 = np.clip(0.6 * df["x1"].to_numpy() + 0.4 * u3, 0.0, 1.0)
    x3 = np.where(u3 > 0.9, 0.0, x3)
    p = dict(THIRD_CHANNEL)
    adstocked = geometric_adstock(x3, p["adstock_alpha"], l_max, normalize=True)
    saturated = logistic(adstocked, p["saturation_lam"], 1.0)
    effect = p["beta"] * saturated
    added = amplitude * effect
    at = df.columns.get_loc("epsilon")
    df.insert(at, "x3", x3)
    df["x3_adstock"] = adstocked
    df["x3_adstock_saturated"] = saturated
    df["x3_effect"] = effect
    df["y03"] = df["y"].to_numpy()
    for column in ("y", "y01", "y02"):
        df[column] = df[column].to_numpy() + added
    channels = {name: dict(v) for name, v in truth["channels"].items()} | {"x3": p}
    true_roas: dict[str, Any] = {
        c: float((df["y"] - df[f"y0{i}"]).sum() / df[c].sum())
        for i, c in enumerate(("x1", "x2", "x3"), start=1)
    }
    truth |= {
        "channels": channels,
        "true_roas": true_roas,
        "corr_x1_x3": float(np.corrcoef(df["x1"], x3)[0, 1]),
        "corr_x3_z": float(np.corrcoef(x3, df["z"])[0, 1]),
    }
    return SimulatedDataset("confounded", df, truth)
