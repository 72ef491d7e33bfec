"""The ``geo_panel`` data set: a geo lift test on two near-collinear channels.

Eight geos share a national media plan, so their spend co-moves and the two
channels are about 0.99 correlated. Half of the geos raise ``channel_1`` spend
for the last weeks: a geo lift test, the only variation that separates the two
channels. Sales are drawn from pymc-marketing's multidimensional ``MMM`` with
its parameters fixed to a hierarchical truth, so the data follow exactly the
model a chapter then fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labkit.data.simulate import SimulatedDataset, check_seed, in_range, positive_int

GEO_PANEL_SEED = sum(
    map(ord, "Geo lift tests for MMM calibration")
)  # 3155, as in pymc-marketing's geo calibration example


def simulate_geo_panel(
    *,
    n_weeks: int = 104,
    n_geos: int = 8,
    experiment_weeks: int = 8,
    delta_x: float = 0.15,
    shared_spend: float = 0.8,
    seed: int = GEO_PANEL_SEED,
) -> SimulatedDataset:
    """Simulate a geo panel with a geo lift test on ``channel_1``.

    The panel follows pymc-marketing's geo calibration example.

    Spend: each geo's base pattern mixes a national flighting plan shared by all
    geos (weight ``shared_spend``) with its own weekly pattern, both ``U(0.2, 1)``,
    normalised to max 1 and scaled by a geo size between 0.7 and 1.0;
    ``channel_1`` and ``channel_2`` (x 0.95) both follow it with N(0, 0.02)
    noise, clipped to [0.1, 1], which makes them ~0.99 correlated.

    The shared plan is the one departure from that example, where every geo
    draws an independent pattern: with independent geos nothing the control geos
    do tells us anything about a treated geo's counterfactual, so a synthetic
    control has no signal to borrow. National media plans are the usual reason
    why geos co-move; ``shared_spend=0`` gives the example's design back.

    Every other geo (0, 2, 4, ...) is treated:
    ``channel_1`` rises by ``delta_x`` over the last ``experiment_weeks`` weeks
    (clipped to 1.2). ``channel_1_counterfactual`` keeps the untreated spend.

    Target: a pymc-marketing multidimensional ``MMM`` (geometric adstock with
    ``l_max=8``, logistic saturation, ``dims=("geo",)``) is built on the spend,
    and :func:`pymc.do` fixes its parameters to the truth: geo-varying
    ``saturation_lam ~ N(4, 0.5)`` / ``N(3, 0.5)`` (clipped to [1.5, 8]) and
    ``saturation_beta ~ N(0.6, 0.08)`` / ``N(0.5, 0.08)`` (clipped to [0.3, 0.9])
    for channels 1 / 2, shared ``adstock_alpha = 0.5``, intercepts
    ``0.3 + 0.05 g`` and noise ``y_sigma = 0.08``. ``y`` is one draw of the
    likelihood. The model is built with a target of ones, so its target scale is 1
    and ``y`` is on the model's own scale; the channel scales the model used are
    stored in the truth so the true curves are exact.

    Parameters
    ----------
    n_weeks : int
        Number of weekly dates (>= ``experiment_weeks + 1``).
    n_geos : int
        Number of geos (>= 2; half of them, rounded up, are treated).
    experiment_weeks : int
        Length of the lift test at the end of the series, in [1, n_weeks - 1].
    delta_x : float
        Spend increase on ``channel_1`` in treated geos, in (0, 1].
    shared_spend : float
        Weight of the national spend plan in every geo's pattern, in [0, 1].
    seed : int
        Seed of all randomness.

    Returns
    -------
    SimulatedDataset
        Columns ``date, geo, channel_1, channel_2, channel_1_counterfactual,
        treated, experiment, y``.
    """
    n_weeks = positive_int("n_weeks", n_weeks)
    n_geos = positive_int("n_geos", n_geos, minimum=2)
    experiment_weeks = positive_int("experiment_weeks", experiment_weeks)
    if experiment_weeks >= n_weeks:
        raise ValueError(
            f"experiment_weeks must lie in [1, n_weeks - 1] = [1, {n_weeks - 1}] so that the "
            f"treatment window is inside the series, got {experiment_weeks}"
        )
    delta_x = in_range("delta_x", delta_x, 0.0, 1.0)
    if delta_x == 0:
        raise ValueError("delta_x must lie in (0, 1], got 0.0")
    shared_spend = in_range("shared_spend", shared_spend, 0.0, 1.0)
    rng = np.random.default_rng(check_seed(seed))

    # PyMC and pymc-marketing take seconds to import: only generating the sales needs them,
    # not loading the committed data set.
    import pymc as pm
    from pymc_extras.prior import Prior
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    geos = [f"geo_{i:02d}" for i in range(n_geos)]
    channels = ["channel_1", "channel_2"]
    treated = geos[::2]
    dates = pd.date_range("2022-01-03", periods=n_weeks, freq="W-MON")
    start = n_weeks - experiment_weeks

    national = rng.uniform(0.2, 1.0, size=n_weeks)
    frames = []
    for g, geo in enumerate(geos):
        base = shared_spend * national + (1 - shared_spend) * rng.uniform(0.2, 1.0, size=n_weeks)
        base /= base.max()
        size = 0.7 + 0.3 * g / (n_geos - 1)
        ch1 = np.clip(base * size + rng.normal(0, 0.02, n_weeks), 0.1, 1.0)
        ch2 = np.clip(base * size * 0.95 + rng.normal(0, 0.02, n_weeks), 0.1, 1.0)
        actual = ch1.copy()
        in_window = np.arange(n_weeks) >= start
        if geo in treated:
            actual[in_window] = np.clip(ch1[in_window] + delta_x, 0.1, 1.2)
        frames.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "geo": geo,
                    "channel_1": actual,
                    "channel_2": ch2,
                    "channel_1_counterfactual": ch1,
                    "treated": geo in treated,
                    "experiment": in_window,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)

    # Hierarchical truth: geo-level draws around population means.
    prng = np.random.default_rng(check_seed(seed) + 1)
    lam_mu, beta_mu = np.array([4.0, 3.0]), np.array([0.6, 0.5])
    lam_sigma, beta_sigma = 0.5, 0.08
    true_lam = np.clip(prng.normal(lam_mu, lam_sigma, size=(n_geos, 2)), 1.5, 8.0)
    true_beta = np.clip(prng.normal(beta_mu, beta_sigma, size=(n_geos, 2)), 0.3, 0.9)
    true_alpha = np.array([0.5, 0.5])
    intercept = 0.3 + 0.05 * np.arange(n_geos)
    y_sigma = np.full(n_geos, 0.08)

    # Generating priors only fix the dims; pm.do replaces them by the truth.
    gd = ("geo", "channel")
    mmm = MMM(
        date_column="date",
        channel_columns=channels,
        adstock=GeometricAdstock(
            l_max=8, priors={"alpha": Prior("Beta", alpha=2, beta=2, dims=gd)}
        ),
        saturation=LogisticSaturation(
            priors={
                "lam": Prior("Gamma", alpha=3, beta=1, dims=gd),
                "beta": Prior("HalfNormal", sigma=1, dims=gd),
            }
        ),
        dims=("geo",),
    )
    X = df[["date", "geo", *channels]]
    mmm.build_model(X, pd.Series(np.ones(len(df)), name="y"))
    truth_values = {
        "adstock_alpha": np.broadcast_to(true_alpha, (n_geos, 2)).copy(),
        "saturation_lam": true_lam,
        "saturation_beta": true_beta,
        "intercept_contribution": intercept,
        "y_sigma": y_sigma,
    }
    fixed = pm.do(mmm.model, truth_values)
    y = pm.draw(fixed["y"], random_seed=rng)  # dims (date, geo)
    y_long = pd.DataFrame(y, index=dates, columns=geos).stack()
    df["y"] = y_long.loc[list(zip(df["date"], df["geo"], strict=True))].to_numpy()

    scales = mmm.get_scales_as_xarray()
    channel_scale = scales["channel_scale"].sel(channel=channels).to_numpy()
    truth = {
        "seed": int(seed),
        "geos": geos,
        "channels": channels,
        "treated_geos": treated,
        "control_geos": [g for g in geos if g not in treated],
        "test_channel": "channel_1",
        "delta_x": delta_x,
        "shared_spend": shared_spend,
        "experiment_weeks": experiment_weeks,
        "experiment_start": str(dates[start].date()),
        "experiment_end": str(dates[-1].date()),
        "l_max": 8,
        "adstock": "geometric",
        "adstock_normalize": True,
        "saturation": "logistic",
        "adstock_alpha": {c: float(a) for c, a in zip(channels, true_alpha, strict=True)},
        "saturation_lam": _by_geo(true_lam, geos, channels),
        "saturation_beta": _by_geo(true_beta, geos, channels),
        "population": {
            "lam_mu": dict(zip(channels, lam_mu.tolist(), strict=True)),
            "lam_sigma": lam_sigma,
            "beta_mu": dict(zip(channels, beta_mu.tolist(), strict=True)),
            "beta_sigma": beta_sigma,
        },
        "intercept": dict(zip(geos, intercept.tolist(), strict=True)),
        "y_sigma": dict(zip(geos, y_sigma.tolist(), strict=True)),
        "channel_scale": dict(zip(channels, channel_scale.tolist(), strict=True)),
        "target_scale": float(np.asarray(scales["target_scale"]).max()),
        "note": (
            "y is on the generating model's scale (its target scale is 1). The true curve of "
            "a geo and channel is saturation_beta * logistic(saturation_lam * adstock(x) / "
            "channel_scale)."
        ),
    }
    return SimulatedDataset("geo_panel", df, truth)


def _by_geo(values: np.ndarray, geos: list[str], channels: list[str]) -> dict[str, dict]:
    return {g: {c: float(values[i, j]) for j, c in enumerate(channels)} for i, g in enumerate(geos)}
