"""A posterior with known truth for the experiment designer, without fitting a model.

:func:`simulate_designer_fixture` simulates weekly spend and an outcome from
known logistic saturation and geometric adstock parameters
(:data:`DESIGNER_TRUTH`), then draws a posterior around that truth whose spread
differs by channel, as a fitted MMM's would. :data:`DESIGNER_EDGE_TRUTH` adds a
channel with almost no effect, and :func:`impose_spend_correlation` makes two
channels' spend move together: the two situations the designer's safeguards
flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import check_mapping, check_number, check_positive, check_strings
from labkit.data.simulate import (
    check_seed,
    correlated_series,
    gamma_draws,
    in_range,
    positive_int,
    smooth,
)
from labkit.design.designer import ExperimentDesigner
from labkit.response import geometric_adstock, logistic

DESIGNER_TRUTH: dict[str, dict[str, float]] = {
    "tv": {"lam": 0.5, "beta": 3.0, "alpha": 0.7},
    "search": {"lam": 2.0, "beta": 1.5, "alpha": 0.3},
    "social": {"lam": 1.0, "beta": 0.8, "alpha": 0.5},
}
"""True logistic ``lam``, ``beta`` and adstock ``alpha`` of the three channels."""

DESIGNER_EDGE_TRUTH: dict[str, dict[str, float]] = {
    **DESIGNER_TRUTH,
    "display": {"lam": 1.0, "beta": 0.01, "alpha": 0.4},
}
""":data:`DESIGNER_TRUTH` plus ``display``, a channel whose effect is lost in the noise."""

# Relative posterior spread (sd of log lam / log beta) per channel: tv is the least identified.
DESIGNER_SPREAD: dict[str, float] = {"tv": 0.25, "search": 0.1, "social": 0.15, "display": 0.3}


@dataclass
class DesignerFixture:
    """A posterior and the facts an MMM would give, without fitting anything.

    Everything is on one scale: spend is on the model scale (weekly spend / its
    maximum), and ``beta``, the noise and therefore the lift are in the outcome's
    own units (the fixture's target is not rescaled). Mixing the two (beta on the raw
    outcome scale, noise on the outcome / max scale) would inflate the SNR by the
    outcome's maximum.

    Attributes
    ----------
    idata : arviz.InferenceData
        ``posterior`` with ``saturation_lam``, ``saturation_beta``, ``adstock_alpha``
        over ``chain, draw, channel``; ``constant_data`` with the spend.
    data : pandas.DataFrame
        Weekly spend per channel and the outcome ``y``.
    truth : dict
        True ``lam``, ``beta``, ``alpha`` per channel and the noise settings.
    current_spend : dict
        Mean spend of the last 8 weeks, per channel.
    residual_std, residual_autocorr : float
        Of the simulated noise, on the outcome scale.
    spend_correlation : pandas.DataFrame
    """

    idata: az.InferenceData
    data: pd.DataFrame
    truth: dict[str, Any]
    current_spend: dict[str, float]
    residual_std: float
    residual_autocorr: float
    spend_correlation: pd.DataFrame

    def designer(self, **overrides: Any) -> ExperimentDesigner:
        """Return an :class:`~labkit.design.ExperimentDesigner` built from this fixture.

        ``overrides`` replace arguments of :meth:`ExperimentDesigner.from_idata`.
        """
        kwargs: dict[str, Any] = {
            "current_spend": self.current_spend,
            "residual_std": self.residual_std,
            "residual_autocorr": self.residual_autocorr,
            "l_max": self.truth["l_max"],
            "normalize": True,
            "saturation": "logistic",
            "spend_correlation": self.spend_correlation,
        }
        return ExperimentDesigner.from_idata(self.idata, **(kwargs | overrides))


def impose_spend_correlation(
    spend: pd.DataFrame, first: str, second: str, correlation: float, seed: int = 0
) -> pd.DataFrame:
    """Return spend where ``second`` has exactly ``correlation`` with ``first``.

    ``second`` keeps its mean and standard deviation; its shape becomes
    ``correlation`` parts ``first`` and the rest independent noise (see
    :func:`correlated_series`). Values are clipped at 0, which can move the
    correlation by a hair when spend is near zero.

    Parameters
    ----------
    spend : pandas.DataFrame
        One column per channel.
    first, second : str
        Column names (must differ).
    correlation : float
        In [-1, 1].
    seed : int
        Seed of the noise.

    Returns
    -------
    pandas.DataFrame
        A copy with ``second`` replaced.
    """
    if not isinstance(spend, pd.DataFrame):
        raise TypeError(f"spend must be a DataFrame, got {type(spend).__name__}")
    for label, name in (("first", first), ("second", second)):
        if not isinstance(name, str):
            raise TypeError(f"{label} must be a column name (str), got {name!r}")
        if name not in spend.columns:
            raise ValueError(f"{name!r} is not a column; columns are {list(spend.columns)}")
    if first == second:
        raise ValueError("first and second must be different channels")
    out = spend.copy()
    z = correlated_series(
        spend[first].to_numpy(), correlation, np.random.default_rng(check_seed(seed))
    )
    out[second] = np.clip(spend[second].mean() + spend[second].std(ddof=0) * z, 0.0, None)
    return out


def simulate_designer_fixture(
    channels: tuple[str, ...] | list[str] = ("tv", "search", "social"),
    true_params: dict[str, dict[str, float]] | None = None,
    *,
    n_weeks: int = 104,
    n_chains: int = 4,
    n_draws: int = 1000,
    noise_sd: float = 0.1,
    noise_autocorr: float = 0.3,
    intercept: float = 2.0,
    l_max: int = 8,
    spend_correlation: Mapping[tuple[str, str], float] | None = None,
    seed: int = 42,
) -> DesignerFixture:
    """Simulate spend, an outcome and a posterior around the truth, without fitting a model.

    The example of pymc-marketing's Experiment Designer documentation.

    Spend: each channel's weekly spend is a smoothed Gamma series scaled to a
    maximum of 1 (the model scale). Outcome: ``intercept + sum_c beta_c *
    logistic(lam_c * adstock(x_c))`` plus AR(1) noise (sd ``noise_sd``, lag-1
    autocorrelation ``noise_autocorr``) on the same scale as beta. Posterior:
    draws around the truth, ``log lam`` and ``log beta`` jointly normal with
    relative spread from :data:`DESIGNER_SPREAD` and correlation -0.6 (curves
    that bend sooner need a larger beta to fit the same data), ``alpha`` from a
    Beta with mean at the truth and concentration 60.

    Parameters
    ----------
    channels : str or sequence of str
        Channels, each in ``true_params`` (one name is one channel).
    true_params : dict, optional
        ``{channel: {"lam", "beta", "alpha"}}``; default :data:`DESIGNER_EDGE_TRUTH`
        restricted to ``channels``.
    n_weeks, n_chains, n_draws : int
    noise_sd : float
        Weekly noise sd, outcome scale (> 0).
    noise_autocorr : float
        In (-1, 1).
    intercept : float
    l_max : int
    spend_correlation : dict, optional
        ``{(first, second): r}`` imposed on the spend with :func:`impose_spend_correlation`.
    seed : int

    Returns
    -------
    DesignerFixture
    """
    channels = check_strings("channels", channels)
    if true_params is None:
        truth: Mapping[str, Mapping[str, float]] = {
            c: DESIGNER_EDGE_TRUTH[c] for c in channels if c in DESIGNER_EDGE_TRUTH
        }
        missing = [c for c in channels if c not in truth]
        if missing:
            raise ValueError(
                f"channels {missing} have no default truth (defaults exist for "
                f"{sorted(DESIGNER_EDGE_TRUTH)}); pass true_params for them"
            )
    else:
        truth = check_mapping("true_params", true_params)
        missing = [c for c in channels if c not in truth]
        if missing:
            raise ValueError(f"true_params has no entry for {missing}")
        for c in channels:
            keys = check_mapping(f"true_params[{c!r}]", truth[c])
            absent = [k for k in ("lam", "beta", "alpha") if k not in keys]
            if absent:
                raise ValueError(
                    f"true_params[{c!r}] is missing {absent}; it needs lam, beta, alpha"
                )
    l_max = positive_int("l_max", l_max)
    n_weeks = positive_int("n_weeks", n_weeks, minimum=l_max + 8)
    n_chains = positive_int("n_chains", n_chains)
    n_draws = positive_int("n_draws", n_draws)
    noise_sd = check_positive("noise_sd", noise_sd)
    rho = in_range("noise_autocorr", noise_autocorr, -1.0, 1.0, closed=False)
    intercept = check_number("intercept", intercept)
    spend_correlation = check_mapping(
        "spend_correlation",
        {} if spend_correlation is None else spend_correlation,
        allow_empty=True,
    )
    rng = np.random.default_rng(check_seed(seed))

    spend = pd.DataFrame(
        {c: smooth(gamma_draws(rng, 1.0, 0.35, n_weeks), 4) for c in channels},
        index=pd.date_range("2023-01-02", periods=n_weeks, freq="W-MON"),
    )
    for (first, second), r in spend_correlation.items():
        spend = impose_spend_correlation(spend, first, second, r, seed=check_seed(seed) + 7)
    spend = spend / spend.max()

    media = sum(
        logistic(
            geometric_adstock(spend[c].to_numpy(), truth[c]["alpha"], l_max, True),
            truth[c]["lam"],
            truth[c]["beta"],
        )
        for c in channels
    )
    shocks = rng.normal(0.0, noise_sd * np.sqrt(1 - rho**2), n_weeks)
    noise = np.empty(n_weeks)
    noise[0] = rng.normal(0.0, noise_sd)
    for t in range(1, n_weeks):
        noise[t] = rho * noise[t - 1] + shocks[t]
    data = spend.assign(y=intercept + media + noise).rename_axis("date").reset_index()

    n = n_chains * n_draws
    post: dict[str, np.ndarray] = {
        k: np.empty((n, len(channels))) for k in ("lam", "beta", "alpha")
    }
    for j, c in enumerate(channels):
        s = DESIGNER_SPREAD.get(c, 0.15)
        cov = s**2 * np.array([[1.0, -0.6], [-0.6, 1.0]])
        z = rng.multivariate_normal([0.0, 0.0], cov, size=n)
        post["lam"][:, j] = truth[c]["lam"] * np.exp(z[:, 0] - s**2 / 2)
        post["beta"][:, j] = truth[c]["beta"] * np.exp(z[:, 1] - s**2 / 2)
        a = truth[c]["alpha"]
        post["alpha"][:, j] = rng.beta(60 * a, 60 * (1 - a), size=n)
    coords = {"chain": np.arange(n_chains), "draw": np.arange(n_draws), "channel": channels}
    posterior = xr.Dataset(
        {
            name: (("chain", "draw", "channel"), post[key].reshape(n_chains, n_draws, -1))
            for name, key in (
                ("saturation_lam", "lam"),
                ("saturation_beta", "beta"),
                ("adstock_alpha", "alpha"),
            )
        },
        coords=coords,
    )
    constant = xr.Dataset(
        {"channel_data": (("date", "channel"), spend.to_numpy())},
        coords={"date": spend.index, "channel": channels},
    )
    idata = az.InferenceData(posterior=posterior, constant_data=constant)
    resid = noise - noise.mean()
    return DesignerFixture(
        idata=idata,
        data=data,
        truth={
            "channels": {c: dict(truth[c]) for c in channels},
            "noise_sd": noise_sd,
            "noise_autocorr": rho,
            "intercept": intercept,
            "l_max": l_max,
            "seed": int(seed),
        },
        current_spend={c: float(spend[c].iloc[-8:].mean()) for c in channels},
        residual_std=float(noise.std(ddof=1)),
        residual_autocorr=float(resid[1:] @ resid[:-1] / (resid @ resid)),
        spend_correlation=spend.corr(),
    )


def geo_panel_designer(
    dataset: Any,
    *,
    n_draws: int = 1000,
    spread: float = 0.1,
    last_weeks: int = 8,
    seed: int = 0,
) -> ExperimentDesigner:
    """Return a geo designer whose posterior sits around a geo panel's truth, unfitted.

    Each geo's logistic ``lam`` and ``beta`` are the truth times a log-normal
    factor with sd ``spread`` per draw, the adstock decay the truth plus N(0, 0.02);
    the current spend is each geo's mean over the last ``last_weeks`` weeks before
    the experiment, the residual sd the truth's ``y_sigma``. Model scale: spend
    divided by the truth's channel scale, sales as simulated (target scale 1).

    Parameters
    ----------
    dataset : SimulatedDataset
        ``geo_panel`` or a :func:`~labkit.data.simulate_geo_panel` draw.
    n_draws : int
        Posterior draws (>= 10).
    spread : float
        Relative sd of ``lam`` and ``beta`` over the draws (>= 0).
    last_weeks : int
        Weeks averaged for the current spend (>= 1).
    seed : int

    Returns
    -------
    ExperimentDesigner
    """
    truth = getattr(dataset, "truth", None)
    needed = ("geos", "channels", "channel_scale", "y_sigma", "experiment_start")
    if not isinstance(truth, dict) or any(k not in truth for k in needed):
        raise ValueError(
            "dataset must be a simulated geo panel whose truth holds "
            f"{list(needed)} (load_dataset('geo_panel') or simulate_geo_panel(...))"
        )
    n_draws = positive_int("n_draws", n_draws, minimum=10)
    spread = check_number("spread", spread, low=0.0)
    last_weeks = positive_int("last_weeks", last_weeks)
    rng = np.random.default_rng(check_seed(seed))
    truth, df = dataset.truth, dataset.data
    geos, channels = list(truth["geos"]), list(truth["channels"])
    pre = df[~df["experiment"]]
    shape = (len(geos), n_draws)
    params, alpha, spend = {}, {}, {}
    for c in channels:
        params[c] = {
            name: np.array([truth[f"saturation_{name}"][g][c] for g in geos])[:, None]
            * np.exp(rng.normal(0.0, spread, shape))
            for name in ("lam", "beta")
        }
        alpha[c] = np.clip(truth["adstock_alpha"][c] + rng.normal(0.0, 0.02, shape), 0.0, 0.99)
        spend[c] = np.array(
            [pre.loc[pre["geo"] == g, c].tail(last_weeks).mean() for g in geos]
        ) / float(truth["channel_scale"][c])
    return ExperimentDesigner(
        params=params,
        adstock_alpha=alpha,
        current_spend=spend,
        residual_std=np.array([truth["y_sigma"][g] for g in geos]),
        residual_autocorr=np.zeros(len(geos)),
        l_max=int(truth["l_max"]),
        normalize=bool(truth["adstock_normalize"]),
        saturation="logistic",
        units=geos,
        channel_scale=dict(truth["channel_scale"]),
    )
