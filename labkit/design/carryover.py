"""Which test teaches carry-over: a pulse read through its decay, or a sustained change.

A test read as one total constrains the saturation curve, and the adstock only
through how much of the change the read-out weeks caught. Read week by week
(:mod:`labkit.roas.weekly_terms`) it also shows the lift's rise while the adstock
fills and its decay after the change ends, at the channel's carry-over rate. How
much each design would narrow the adstock decay ``alpha`` is a preposterior
question, answered like the learning value (:mod:`labkit.design.learning`):

1. per posterior draw, the weekly lift profile of the design: the model's
   adstock and saturation run on the current spend held, and on the spend with
   the change for ``weeks`` weeks, read from the first week of the change to
   ``drain_weeks`` after its end (:func:`weekly_lift_draws`);
2. simulated reads: a draw's profile plus independent weekly errors of the
   read's sd (``weekly_sigma``; by default the model's weekly residual sd);
3. each read reweights the draws, either by the likelihood of the weekly
   profile or by that of its total (the same reads summed), and the weighted sd
   of ``alpha`` after it is averaged over the reads.

:func:`carryover_learning` reports both reductions per design and names the
design whose weekly read teaches carry-over most. Only geometric adstock is read
here; other adstocks are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number
from labkit.design.engines import KernelEngine

if TYPE_CHECKING:
    from labkit.design.designer import ExperimentDesigner

__all__ = ["carryover_learning", "weekly_lift_draws"]


def _geometric_weights(alpha: np.ndarray, l_max: int, normalize: bool) -> np.ndarray:
    """``(n_draws, l_max)`` geometric adstock weights ``alpha^k`` (normalised to sum 1)."""
    w = alpha[:, None] ** np.arange(l_max)[None, :]
    return w / w.sum(axis=1, keepdims=True) if normalize else w


def weekly_lift_draws(
    designer: ExperimentDesigner,
    channel: str,
    spend_change: float,
    weeks: int,
    *,
    drain_weeks: int | None = None,
    geo: str | None = None,
) -> np.ndarray:
    """Return each draw's weekly lift of a held change and its decay, model scale.

    Parameters
    ----------
    designer : ExperimentDesigner
        With geometric adstock (its compiled engine).
    channel : str
    spend_change : float
        Relative change of the current weekly spend, in [-1, 5], not 0.
    weeks : int
        Weeks the change is held (>= 1).
    drain_weeks : int, optional
        Weeks read after the change ends (>= 0; default ``l_max - 1``).
    geo : str, optional
        The unit (default: the national designer's only unit).

    Returns
    -------
    numpy.ndarray
        ``(n_draws, weeks + drain_weeks)``: week 0 is the first week of the change.
    """
    engine = designer.engine
    if not isinstance(engine, KernelEngine):
        raise ValueError(
            "carry-over designs need a designer with geometric adstock (its compiled engine), "
            f"got the {getattr(engine, 'name', type(engine).__name__)!r} engine"
        )
    change = check_number("spend_change", spend_change, low=-1.0, high=5.0)
    if change == 0:
        raise ValueError("spend_change must be non-zero, a fraction in [-1, 5]")
    weeks = check_int("weeks", weeks, minimum=1, unit="weeks")
    l_max = int(engine.l_max)
    drain = l_max - 1 if drain_weeks is None else check_int("drain_weeks", drain_weeks, minimum=0)
    c = designer.check_channel(channel)
    u = designer._one_unit(geo)
    alpha = designer.adstock_draws(c, geo)["alpha"]
    params = designer.saturation_draws(c, geo)
    x = float(designer.current_spend[c][u])
    n = weeks + drain
    history = l_max - 1
    path = np.full(history + n, x)
    path[history : history + weeks] *= 1.0 + change
    # adstocked spend of each read week: sum_k w_k spend[t - k]
    lags = history + np.arange(n)[:, None] - np.arange(l_max)[None, :]  # (n, l_max)
    w = _geometric_weights(alpha, l_max, engine.normalize)  # (draws, l_max)
    changed = w @ path[lags].T  # (draws, n)
    held = (w.sum(axis=1) * x)[:, None]
    sat = engine.saturation
    p = {k: v[:, None] for k, v in params.items()}
    return np.asarray(sat(changed, **p) - sat(held, **p))


def carryover_learning(
    designer: ExperimentDesigner,
    channel: str,
    designs: Sequence[tuple[float, int]],
    *,
    drain_weeks: int | None = None,
    geo: str | None = None,
    weekly_sigma: float | None = None,
    n_outcomes: int = 64,
    random_seed: int = 0,
) -> pd.DataFrame:
    """Rank designs by how much their weekly read would narrow the adstock decay.

    Parameters
    ----------
    designer : ExperimentDesigner
    channel : str
    designs : sequence of (float, int)
        ``(spend_change, weeks)`` pairs: a pulse is a short change, a sustained
        test a long one.
    drain_weeks : int, optional
        Weeks read after each change ends (default ``l_max - 1``).
    geo : str, optional
    weekly_sigma : float, optional
        Sd of one week's read error in outcome units (> 0): how precisely the test
        will be read (a synthetic control's placebo sd, or the noise of a week read
        against a known counterfactual). Default: the model's weekly residual sd.
    n_outcomes : int
        Simulated reads per design (>= 8).
    random_seed : int

    Returns
    -------
    pandas.DataFrame
        One row per design: ``spend_change``, ``weeks``, ``read_weeks``,
        ``alpha_sd`` (now), ``reduction_total`` and ``reduction_weekly`` (expected
        relative cut of alpha's sd after the read as a total and as a weekly
        profile), ``ess_total``, ``ess_weekly`` and ``teaches_carryover`` (True for
        the design with the largest weekly reduction).
    """
    if not isinstance(designs, Sequence) or not designs:
        raise ValueError("designs must be a non-empty sequence of (spend_change, weeks) pairs")
    n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
    rng = np.random.default_rng([0xCA77, check_int("random_seed", random_seed, minimum=0)])
    u = designer._one_unit(geo)
    if weekly_sigma is None:
        sigma = float(designer.residual_std[u])
    else:
        sigma = check_number("weekly_sigma", weekly_sigma, low=0.0, low_open=True)
        sigma /= float(designer.target_scale[u])
    alpha = designer.adstock_draws(designer.check_channel(channel), geo)["alpha"]
    rows = []
    for i, pair in enumerate(designs):
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"designs[{i}] must be a (spend_change, weeks) pair, got {pair!r}")
        change, weeks = pair
        profile = weekly_lift_draws(
            designer, channel, change, weeks, drain_weeks=drain_weeks, geo=geo
        )
        n_draws, n_weeks = profile.shape
        source = rng.integers(0, n_draws, size=n_outcomes)
        reads = profile[source] + sigma * rng.standard_normal((n_outcomes, n_weeks))
        weekly = _expected_sd(profile, reads, sigma, alpha)
        total = _expected_sd(
            profile.sum(axis=1, keepdims=True),
            reads.sum(axis=1, keepdims=True),
            sigma * np.sqrt(n_weeks),
            alpha,
        )
        prior = float(alpha.std())
        rows.append(
            {
                "spend_change": float(change),
                "weeks": int(weeks),
                "read_weeks": n_weeks,
                "alpha_sd": prior,
                "reduction_total": 1 - total[0] / prior,
                "reduction_weekly": 1 - weekly[0] / prior,
                "ess_total": total[1],
                "ess_weekly": weekly[1],
            }
        )
    table = pd.DataFrame(rows)
    table["teaches_carryover"] = False
    table.loc[table["reduction_weekly"].idxmax(), "teaches_carryover"] = True
    return table


def _expected_sd(
    profile: np.ndarray, reads: np.ndarray, sigma: float, quantity: np.ndarray
) -> tuple[float, float]:
    """Mean over reads of the reweighted sd of ``quantity``, and the mean ESS."""
    # log w[k, d] = -(|y_k|^2 - 2 y_k . L_d + |L_d|^2) / (2 sigma^2), up to a per-read constant
    log_w = (reads @ profile.T - 0.5 * (profile**2).sum(axis=1)[None, :]) / sigma**2
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    mean = w @ quantity
    var = w @ quantity**2 - mean**2
    sd = np.sqrt(np.clip(var, 0.0, None))
    ess = 1.0 / (w**2).sum(axis=1)
    return float(sd.mean()), float(ess.mean())
