"""TODO docstring."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_int, check_number, check_positive

GEO_PANEL_SEED = sum(
    map(ord, "Geo lift tests for MMM calibration")
)  # 3155, as in pymc-marketing's geo calibration example


CONFOUNDED_SEED = sum(map(ord, "labkit unobserved confounder"))


TWO_COUNTRIES_SEED = sum(
    map(ord, "calibrating mmm with experiments")
)  # 3223, as in the article *From Experiments to Priors*


@dataclass
class SimulatedDataset:
    """A simulated data set and the truth behind it.

    Attributes
    ----------
    name : str
        Registry name (``geo_panel``, ``confounded``, ``two_countries``).
    data : pandas.DataFrame
        The observations, one row per date (and geo for panels).
    truth : dict
        True parameters and design facts, JSON-serialisable.
    """

    name: str
    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"SimulatedDataset(name={self.name!r}, rows={len(self.data)}, "
            f"columns={list(self.data.columns)}, truth keys={sorted(self.truth)})"
        )


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    return check_int(name, value, minimum=minimum)


def _seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise TypeError(f"seed must be a non-negative int, got {value!r}")
    return int(value)


def _in_range(name: str, value: float, low: float, high: float, *, closed: bool = True) -> float:
    return check_number(name, value, low=low, high=high, low_open=not closed, high_open=not closed)


def _date(name: str, value: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a date such as '2021-09-26', got {value!r}") from err
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date such as '2021-09-26', got {value!r}")
    return stamp


def correlated_series(base: np.ndarray, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Return a standardised series whose sample correlation with ``base`` is exact.

    The new series is ``r * z(base) + sqrt(1 - r**2) * e``, where ``e`` is Gaussian
    noise made exactly orthogonal to ``base`` and standardised, so the Pearson
    correlation of the result with ``base`` equals ``correlation`` up to rounding.

    Parameters
    ----------
    base : numpy.ndarray
        One-dimensional series with at least 3 points and non-zero variance.
    correlation : float
        Target Pearson correlation, in ``[-1, 1]``.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    numpy.ndarray
        Zero-mean, unit-variance series of the same length as ``base``.

    Raises
    ------
    ValueError
        If ``correlation`` is outside ``[-1, 1]`` or ``base`` is constant or too short.
    """
    r = _in_range("correlation", correlation, -1.0, 1.0)
    base = np.asarray(base, dtype=float)
    if base.ndim != 1 or base.size < 3:
        raise ValueError(f"base must be a 1-D series of at least 3 points, got shape {base.shape}")
    sd = base.std()
    if not np.isfinite(sd) or sd == 0:
        raise ValueError("base must have finite, non-zero variance")
    zb = (base - base.mean()) / sd
    noise = rng.normal(size=base.size)
    noise -= noise.mean()
    noise -= (noise @ zb) / (zb @ zb) * zb
    noise /= noise.std()
    return r * zb + np.sqrt(1.0 - r**2) * noise


def _evaluate(transformation: Any, x: np.ndarray, **params: float) -> np.ndarray:
    """Evaluate a pymc-marketing transformation's ``.function`` on a 1-D numpy series.

    pymc-marketing 0.19 transformations operate on named-dimension tensors, so the
    series is wrapped as an ``xtensor`` with dim ``date``.
    """
    import warnings

    from pytensor.xtensor import as_xtensor

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="xtensor module is experimental")
        xt = as_xtensor(np.asarray(x, dtype=float), dims=("date",))
        return np.asarray(transformation.function(x=xt, dim="date", **params).eval())


def _geometric_adstock(x: np.ndarray, alpha: float, l_max: int, normalize: bool) -> np.ndarray:
    """Geometric adstock of a 1-D series via pymc-marketing (the source of truth)."""
    from pymc_marketing.mmm import GeometricAdstock

    return _evaluate(GeometricAdstock(l_max=l_max, normalize=normalize), x, alpha=alpha)


def _logistic(x: np.ndarray, lam: float) -> np.ndarray:
    from pymc_marketing.mmm import LogisticSaturation

    return _evaluate(LogisticSaturation(), x, lam=lam, beta=1.0)


def _michaelis_menten(x: np.ndarray, alpha: float, lam: float) -> np.ndarray:
    from pymc_marketing.mmm import MichaelisMentenSaturation

    return _evaluate(MichaelisMentenSaturation(), x, alpha=alpha, lam=lam)


def _gamma(rng: np.random.Generator, mu: float, sigma: float, size: int) -> np.ndarray:
    """Gamma draws parameterised by mean and standard deviation (as PreliZ does)."""
    shape = (mu / sigma) ** 2
    return rng.gamma(shape, sigma**2 / mu, size=size)


def _smooth(x: np.ndarray, window: int) -> np.ndarray:
    """Smooth with a moving average; the edges take the neighbouring window's mean."""
    out = np.convolve(x, np.ones(window) / window, mode="same")
    out[:window] = out[window : 2 * window].mean()
    out[-window:] = out[-2 * window : -window].mean()
    return out


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

    The panel of pymc-marketing's geo calibration example.

    Spend: each geo's base pattern mixes a national flighting plan shared by all
    geos (weight ``shared_spend``) with its own weekly pattern, both ``U(0.2, 1)``,
    normalised to max 1 and scaled by a geo size between 0.7 and 1.0;
    ``channel_1`` and ``channel_2`` (x 0.95) both follow it with N(0, 0.02)
    noise, clipped to [0.1, 1], which makes them ~0.99 correlated.

    The shared plan is labkit's one departure from that example, where every geo
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
    n_weeks = _positive_int("n_weeks", n_weeks)
    n_geos = _positive_int("n_geos", n_geos, minimum=2)
    experiment_weeks = _positive_int("experiment_weeks", experiment_weeks)
    if experiment_weeks >= n_weeks:
        raise ValueError(
            f"experiment_weeks must lie in [1, n_weeks - 1] = [1, {n_weeks - 1}] so that the "
            f"treatment window is inside the series, got {experiment_weeks}"
        )
    delta_x = _in_range("delta_x", delta_x, 0.0, 1.0)
    if delta_x == 0:
        raise ValueError("delta_x must lie in (0, 1], got 0.0")
    shared_spend = _in_range("shared_spend", shared_spend, 0.0, 1.0)
    rng = np.random.default_rng(_seed(seed))

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
    prng = np.random.default_rng(_seed(seed) + 1)
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


# True media parameters and the confounder's effect size (on y / amplitude).
_CONFOUNDED: dict[str, Any] = {
    "z_scale": 2.0,
    "x1": {"adstock_alpha": 0.4, "saturation_lam": 4.0, "beta": 0.6},
    "x2": {"adstock_alpha": 0.2, "saturation_lam": 3.0, "beta": 1.33},
}


def simulate_confounded(
    *,
    n_weeks: int = 131,
    confounder_strength: float = 0.6,
    amplitude: float = 100.0,
    seed: int = CONFOUNDED_SEED,
) -> SimulatedDataset:
    r"""Simulate a national series with an unobserved confounder.

    The structure of pymc-marketing's unobserved-confounder example.

    The process, per week :math:`t` (all terms before scaling by ``amplitude``):

    * ``trend = ((t + 1) / n) ** 0.5``, a concave non-linear trend;
    * ``seasonality = 0.5 * (cs + cc) / 2`` with ``cs, cc`` the sine and cosine of
      the day of year (yearly period);
    * ``z``, the confounder: an AR(1) process (phi = 0.5) rescaled to [0, 2], so
      it moves on the same weekly time scale as spend and a smooth trend term
      cannot absorb it;
    * ``x1 = clip(0.45 * u1 + confounder_strength * z_std01, 0, 1)``: spend that
      the marketer raises when ``z`` is high; ``x2 = clip(u2, 0, 1)``, independent;
    * each channel through geometric adstock (``l_max = 4``, normalised; alpha 0.4
      and 0.2) and logistic saturation (lam 4 and 3), times beta 0.6 and 1.33;
    * ``y = amplitude * (trend + seasonality + z + x1_effect + x2_effect + eps)``,
      eps ~ N(0, 0.025); ``y01`` and ``y02`` drop ``x1_effect`` or ``x2_effect``.

    True ROAS is then ``sum(y - y01) / sum(x1)`` for ``x1`` and likewise for
    ``x2``. With the default strength, x2 is the more effective channel, while
    the correlation of ``x1`` with ``z`` makes a model without ``z`` credit x1
    with part of ``z``'s effect.

    Parameters
    ----------
    n_weeks : int
        Number of weeks (>= 56, about a year, so the seasonality is identifiable).
    confounder_strength : float
        How strongly ``z`` drives ``x1`` spend, in [0, 1].
    amplitude : float
        Scale of the target, > 0.
    seed : int
        Seed of all randomness.

    Returns
    -------
    SimulatedDataset
        Columns ``date, dayofyear, quarter, trend, cs, cc, seasonality, z, x1, x2,
        epsilon, x1_adstock, x2_adstock, x1_adstock_saturated, x2_adstock_saturated,
        x1_effect, x2_effect, y, y01, y02`` (effects and components before scaling,
        ``y*`` after).
    """
    n_weeks = _positive_int("n_weeks", n_weeks)
    if n_weeks < 56:
        raise ValueError(f"n_weeks must be >= 56 to hold a year of seasonality, got {n_weeks}")
    strength = _in_range("confounder_strength", confounder_strength, 0.0, 1.0)
    amplitude = check_positive("amplitude", amplitude)
    rng = np.random.default_rng(_seed(seed))

    dates = pd.date_range("2021-10-02", periods=n_weeks, freq="W-SAT")
    t = np.arange(n_weeks)
    dayofyear = dates.dayofyear.to_numpy()
    trend = ((t + 1) / n_weeks) ** 0.5
    cs = np.sin(2 * np.pi * dayofyear / 365.25)
    cc = np.cos(2 * np.pi * dayofyear / 365.25)
    seasonality = 0.5 * (cs + cc) / 2

    phi = 0.5
    shocks = rng.normal(0.0, 1.0, n_weeks)
    z_raw = np.empty(n_weeks)
    z_raw[0] = shocks[0] / np.sqrt(1 - phi**2)
    for i in range(1, n_weeks):
        z_raw[i] = phi * z_raw[i - 1] + shocks[i]
    z01 = (z_raw - z_raw.min()) / (z_raw.max() - z_raw.min())
    z = _CONFOUNDED["z_scale"] * z01

    u1 = rng.uniform(0.0, 1.0, n_weeks)
    u2 = rng.uniform(0.0, 1.0, n_weeks)
    x1 = np.clip(0.45 * u1 + strength * z01, 0.0, 1.0)
    x1 = np.where(u1 > 0.85, 0.0, x1)  # some dark weeks
    x2 = np.clip(u2, 0.0, 1.0)
    x2 = np.where(u2 > 0.8, 0.0, x2)

    params = {ch: dict(_CONFOUNDED[ch]) for ch in ("x1", "x2")}
    out: dict[str, np.ndarray] = {}
    for name, x in (("x1", x1), ("x2", x2)):
        p = params[name]
        ad = _geometric_adstock(x, p["adstock_alpha"], l_max=4, normalize=True)
        sat = _logistic(ad, p["saturation_lam"])
        out[f"{name}_adstock"] = ad
        out[f"{name}_adstock_saturated"] = sat
        out[f"{name}_effect"] = p["beta"] * sat

    epsilon = rng.normal(0.0, 0.025, n_weeks)
    base = trend + seasonality + z + epsilon
    y = amplitude * (base + out["x1_effect"] + out["x2_effect"])
    y01 = amplitude * (base + out["x2_effect"])
    y02 = amplitude * (base + out["x1_effect"])

    df = pd.DataFrame(
        {
            "date": dates,
            "dayofyear": dayofyear,
            "quarter": dates.quarter.map(lambda q: f"Q{q}"),
            "trend": trend,
            "cs": cs,
            "cc": cc,
            "seasonality": seasonality,
            "z": z,
            "x1": x1,
            "x2": x2,
            "epsilon": epsilon,
            **out,
            "y": y,
            "y01": y01,
            "y02": y02,
        }
    )
    true_roas = {
        "x1": float((y - y01).sum() / x1.sum()),
        "x2": float((y - y02).sum() / x2.sum()),
    }
    truth = {
        "seed": int(seed),
        "amplitude": amplitude,
        "confounder_strength": strength,
        "l_max": 4,
        "adstock": "geometric",
        "adstock_normalize": True,
        "saturation": "logistic",
        "channels": params,
        "noise_sd": 0.025,
        "z_ar1_phi": phi,
        "true_roas": true_roas,
        "corr_x1_z": float(np.corrcoef(x1, z)[0, 1]),
        "corr_x2_z": float(np.corrcoef(x2, z)[0, 1]),
        "note": (
            "True ROAS ignores carryover beyond the series end: sum(y - y0k) / sum(xk). "
            "z is unobserved by the models in the book."
        ),
    }
    return SimulatedDataset("confounded", df, truth)


def simulate_two_countries(
    *,
    n_weeks: int = 150,
    treatment_start: str = "2021-09-26",
    treatment_end: str = "2021-11-28",
    cut_fraction: float = 0.9,
    seed: int = TWO_COUNTRIES_SEED,
) -> SimulatedDataset:
    """Simulate a two-country experiment: a 90 % meta cut in Venezuela.

    The set-up of the article *From Experiments to Priors*.

    Weekly (Sunday) dates from 2021-01-03. ``meta`` spend ~ Gamma(mean 3, sd 1)
    and ``google`` ~ Gamma(mean 2, sd 0.8), both smoothed with an 8-week moving
    average. Both countries share ``3 + trend + seasonality`` (trend 0 -> 0.5,
    yearly sine of amplitude 0.3; Colombia's base is 5 % higher). Media act
    through geometric adstock (``l_max = 4``, normalised; meta 0.6, google 0.4)
    and Michaelis-Menten saturation (meta alpha 2.75, lam 2.5; google alpha 2.0,
    lam 3.0). Colombia's curves differ slightly (alpha x 0.9 / 0.85, lam x 1.1 /
    1.05) and its meta spend is never cut. Noise N(0, 0.15) per country.

    Parameters
    ----------
    n_weeks : int
        Number of weeks (> 0).
    treatment_start, treatment_end : str
        First and last date of the cut (inclusive); both must be dates of the
        series and ``treatment_start < treatment_end``, with pre-treatment weeks.
    cut_fraction : float
        Share of meta spend removed in Venezuela during the window, in (0, 1].
    seed : int
        Seed of all randomness.

    Returns
    -------
    SimulatedDataset
        Columns ``date, venezuela, colombia, meta, meta_counterfactual, google,
        trend, treatment, venezuela_no_cut`` (the last is Venezuela's expected
        sales had meta not been cut, i.e. without noise difference).
    """
    n_weeks = _positive_int("n_weeks", n_weeks)
    cut = _in_range("cut_fraction", cut_fraction, 0.0, 1.0)
    if cut == 0:
        raise ValueError("cut_fraction must lie in (0, 1], got 0.0")
    seed = _seed(seed)
    dates = pd.date_range("2021-01-03", periods=n_weeks, freq="W-SUN")
    start, end = _date("treatment_start", treatment_start), _date("treatment_end", treatment_end)
    if start >= end:
        raise ValueError(
            f"treatment_start ({start.date()}) must be before treatment_end ({end.date()})"
        )
    for name, ts in (("treatment_start", start), ("treatment_end", end)):
        if ts < dates[1] or ts > dates[-1]:
            raise ValueError(
                f"{name} = {ts.date()} is outside the series: it must lie in "
                f"[{dates[1].date()}, {dates[-1].date()}] (with at least one pre-treatment week)"
            )
    window = 8
    if n_weeks < 3 * window:
        raise ValueError(f"n_weeks must be >= {3 * window} for the smoothing window, got {n_weeks}")
    rng = np.random.default_rng(seed)

    meta = _smooth(_gamma(rng, 3.0, 1.0, n_weeks), window)
    google = _smooth(_gamma(rng, 2.0, 0.8, n_weeks), window)
    trend = np.linspace(0.0, 0.5, n_weeks)
    seasonality = 0.3 * np.sin(2 * np.pi * np.arange(n_weeks) / 52)
    intercept = 3.0
    base = intercept + trend + seasonality
    treatment = np.asarray((dates >= start) & (dates <= end))
    meta_ve = meta.copy()
    meta_ve[treatment] *= 1.0 - cut

    true = {
        "meta": {"saturation_alpha": 2.75, "saturation_lam": 2.5, "adstock_alpha": 0.6},
        "google": {"saturation_alpha": 2.0, "saturation_lam": 3.0, "adstock_alpha": 0.4},
    }
    ve_meta = _michaelis_menten(
        _geometric_adstock(meta_ve, 0.6, 4, True), true["meta"]["saturation_alpha"], 2.5
    )
    ve_meta_no_cut = _michaelis_menten(_geometric_adstock(meta, 0.6, 4, True), 2.75, 2.5)
    google_ad = _geometric_adstock(google, 0.4, 4, True)
    ve_google = _michaelis_menten(google_ad, 2.0, 3.0)
    co_meta = _michaelis_menten(_geometric_adstock(meta, 0.6, 4, True), 2.75 * 0.9, 2.5 * 1.1)
    co_google = _michaelis_menten(google_ad, 2.0 * 0.85, 3.0 * 1.05)
    noise_ve = rng.normal(0.0, 0.15, n_weeks)
    noise_co = np.random.default_rng(seed + 1).normal(0.0, 0.15, n_weeks)
    venezuela = base + ve_meta + ve_google + noise_ve
    colombia = base * 1.05 + co_meta + co_google + noise_co

    df = pd.DataFrame(
        {
            "date": dates,
            "venezuela": venezuela,
            "colombia": colombia,
            "meta": meta_ve,
            "meta_counterfactual": meta,
            "google": google,
            "trend": trend,
            "treatment": treatment,
            "venezuela_no_cut": base + ve_meta_no_cut + ve_google + noise_ve,
        }
    )
    lost = ve_meta_no_cut - ve_meta
    n_treat = int(treatment.sum())
    truth = {
        "seed": seed,
        "intercept": intercept,
        "noise_sd": 0.15,
        "l_max": 4,
        "adstock": "geometric",
        "adstock_normalize": True,
        "saturation": "michaelis_menten",
        "channels": true,
        "colombia_multipliers": {
            "base": 1.05,
            "meta_alpha": 0.9,
            "meta_lam": 1.1,
            "google_alpha": 0.85,
            "google_lam": 1.05,
        },
        "treatment_start": str(start.date()),
        "treatment_end": str(end.date()),
        "treatment_weeks": n_treat,
        "cut_fraction": cut,
        "true_lost_sales_in_window": float(lost[treatment].sum()),
        "true_lost_sales_with_carryover": float(lost.sum()),
        "spend_cut_in_window": float((meta - meta_ve)[treatment].sum()),
    }
    return SimulatedDataset("two_countries", df, truth)
