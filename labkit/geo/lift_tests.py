"""TODO docstring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import (
    check_bool,
    check_int,
    check_mapping,
    check_number,
    check_positive,
    check_probability,
    check_strings,
)
from labkit.causal import total_effect_draws
from labkit.geo.model import _check_geo_panel
from labkit.response import adstock_ramp, logistic
from labkit.stats import HDI_PROB


@dataclass(frozen=True)
class GeoSyntheticControls:
    """Lift tests of the geo experiment estimated with CausalPy synthetic controls.

    Attributes
    ----------
    table : pandas.DataFrame
        ``channel, geo, x, delta_x, delta_y, sigma`` plus ``n_weeks``,
        ``ramp_fraction`` and the 94 % interval ``delta_y_low, delta_y_high``.
    results : dict
        The fitted ``causalpy.SyntheticControl`` per treated geo.
    demeaned : bool
        Whether each geo's pre-period mean was removed before fitting.
    """

    table: pd.DataFrame
    results: dict[str, Any]
    demeaned: bool


def _check_decay(name: str, value: Any) -> float:
    return check_number(name, value, low=0.0, high=1.0, high_open=True, hint=" (adstock decay)")


def synthetic_control_lift_tests(
    dataset: Any,
    *,
    adstock_alpha: float | dict[str, float] | None = None,
    demean: bool = True,
    include_noise: bool = True,
    sample_kwargs: dict[str, Any] | None = None,
    random_seed: int = 0,
    progress: bool = True,
) -> GeoSyntheticControls:
    """Estimate each treated geo's lift with a CausalPy ``SyntheticControl``.

    For every treated geo, a ``WeightedSumFitter`` learns the geo's pre-period
    sales as a convex combination of the control geos' sales; the post-period
    impact (observed minus synthetic) is turned into a lift-table row by
    :func:`labkit.geo.lift_test_from_synthetic_control`: total effect
    over the window / n weeks, sd / n (not / sqrt n), and, with
    ``include_noise``, the weeks' observation noise that CausalPy's
    ``mu``-based impact leaves out.

    Parameters
    ----------
    dataset : labkit.data.Dataset
        ``load_dataset("geo_panel")``.
    adstock_alpha : float or dict, optional
        Geometric adstock decay in [0, 1) of the tested channel (one value or one per
        treated geo),
        for the adstock-aware conversion: an n-week window sees only the mean ramp
        fraction of the steady-state effect, so the weekly effect is divided by it.
        ``None`` reports the window's raw mean effect.
    demean : bool
        Subtract every geo's pre-period mean first (a "de-meaned" synthetic
        control). The weights of a synthetic control sum to one, so without it a
        geo whose level lies outside the donors' range cannot be matched. The
        impact stays in sales units.
    include_noise : bool
        See :func:`labkit.causal.total_effect_draws`.
    sample_kwargs : dict, optional
        Passed to CausalPy's model as given (``{}`` means PyMC's defaults); ``None``
        gives :func:`labkit.sampling.pm_sample_kwargs` with ``target_accept=0.95``.
    random_seed : int
        >= 0.
    progress : bool
        Print one line per geo.

    Returns
    -------
    GeoSyntheticControls
    """
    import causalpy as cp

    pass
    from labkit.sampling import pm_sample_kwargs

    _check_geo_panel(dataset)
    df, truth = dataset.data, dataset.truth
    channel, l_max = truth["test_channel"], int(truth["l_max"])
    treated, controls = list(truth["treated_geos"]), list(truth["control_geos"])
    if isinstance(adstock_alpha, dict):
        missing = [g for g in treated if g not in adstock_alpha]
        if missing:
            raise ValueError(f"adstock_alpha has no value for treated geo(s) {missing}")
        for g in treated:
            _check_decay(f"adstock_alpha[{g!r}]", adstock_alpha[g])
    elif adstock_alpha is not None:
        _check_decay("adstock_alpha", adstock_alpha)
    demean = check_bool("demean", demean)
    include_noise = check_bool("include_noise", include_noise)
    progress = check_bool("progress", progress)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    if sample_kwargs is not None:
        check_mapping("sample_kwargs", sample_kwargs, allow_empty=True)
    start = pd.Timestamp(truth["experiment_start"])
    wide = df.pivot(index="date", columns="geo", values="y")
    pre = wide.index < start
    if demean:
        wide = wide - wide[pre].mean()
    kwargs = (
        pm_sample_kwargs(random_seed, target_accept=0.95) | {"progressbar": False}
        if sample_kwargs is None
        else dict(sample_kwargs)
    )
    rows, results = [], {}
    for i, geo in enumerate(treated, 1):
        result = cp.SyntheticControl(
            wide[[*controls, geo]],
            start,
            control_units=controls,
            treated_units=[geo],
            model=cp.pymc_models.WeightedSumFitter(sample_kwargs=kwargs),
        )
        g = df[df["geo"] == geo]
        window = g[g["experiment"]]
        alpha = adstock_alpha.get(geo) if isinstance(adstock_alpha, dict) else adstock_alpha
        row = lift_test_from_synthetic_control(
            result,
            channel=channel,
            geo=geo,
            x=float(g.loc[~g["experiment"], channel].mean()),
            delta_x=float((window[channel] - window[f"{channel}_counterfactual"]).mean()),
            include_noise=include_noise,
            adstock_alpha=None if alpha is None else float(alpha),
            l_max=l_max,
            random_seed=random_seed + i,
        )
        rows.append(row)
        results[geo] = result
        if progress:
            print(
                f"synthetic control {i}/{len(treated)} {geo}: delta_y = {row['delta_y']:.4f} "
                f"(sd {row['sigma']:.4f}) per week"
            )
    table = pd.DataFrame(rows)
    return GeoSyntheticControls(table, results, demean)


LIFT_COLUMNS = ("channel", "geo", "x", "delta_x", "delta_y", "sigma")


def oracle_lift_tests(dataset: Any, *, base_sigma: float = 0.015) -> pd.DataFrame:
    """Lift tests of the ``geo_panel`` experiment computed from the true curves.

    For each treated geo: ``x`` is its mean pre-experiment spend on the tested
    channel, ``delta_x`` the applied increase, ``delta_y`` the weekly change of
    that geo's true curve ``beta * logistic(lam * x / channel_scale)`` (steady
    state, normalised adstock), and ``sigma = base_sigma * sqrt(median geo sales /
    geo sales)``: bigger geos measure more precisely.

    Parameters
    ----------
    dataset : labkit.data.Dataset
        ``load_dataset("geo_panel")``.
    base_sigma : float
        Uncertainty of a median-sized geo (> 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, geo, x, delta_x, delta_y, sigma``.
    """
    if getattr(dataset, "name", None) != "geo_panel":
        raise ValueError("dataset must be load_dataset('geo_panel')")
    base_sigma = check_positive("base_sigma", base_sigma)
    df, truth = dataset.data, dataset.truth
    channel = truth["test_channel"]
    sales = df.groupby("geo")["y"].mean()
    median = sales.median()
    scale = truth["channel_scale"][channel]
    rows = []
    for geo in truth["treated_geos"]:
        pre = df[(df["geo"] == geo) & ~df["experiment"]]
        x = float(pre[channel].mean())
        dx = float(truth["delta_x"])
        lam = truth["saturation_lam"][geo][channel]
        beta = truth["saturation_beta"][geo][channel]
        dy = float(logistic((x + dx) / scale, lam, beta) - logistic(x / scale, lam, beta))
        sigma = float(base_sigma * np.sqrt(median / sales[geo]))
        rows.append((channel, geo, x, dx, dy, sigma))
    return pd.DataFrame(rows, columns=list(LIFT_COLUMNS))


def lift_test_from_synthetic_control(
    result: Any,
    *,
    channel: str,
    geo: str,
    x: float,
    delta_x: float,
    include_noise: bool = True,
    adstock_alpha: float | None = None,
    l_max: int | None = None,
    hdi_prob: float = HDI_PROB,
    random_seed: int | None = 0,
) -> dict[str, Any]:
    """One lift-table row from a CausalPy synthetic control of one treated geo.

    Units: the table wants the *weekly* steady-state effect. The window's total
    effect over n weeks is divided by n, and so is its sd (the sd of a mean of n
    weekly effects that are summed draw by draw is the total's sd / n, not / sqrt n).

    Parameters
    ----------
    result : causalpy.SyntheticControl
    channel, geo : str
    x, delta_x : float
        Spend before the test and the applied change (spend units).
    include_noise : bool
        Add the observation noise CausalPy's ``mu``-based impact leaves out (see
        :func:`labkit.causal.total_effect_draws`).
    adstock_alpha, l_max : optional
        Adstock decay in [0, 1) and number of lags (int >= 1), both or neither.
        Adstock-aware option: under geometric adstock a T-week window captures
        only the mean ramp fraction of the steady-state effect; dividing by it
        estimates the steady-state weekly effect.
    hdi_prob : float
        Probability of the reported interval ``delta_y_low, delta_y_high``, in (0, 1).
    random_seed : int, optional

    Returns
    -------
    dict
        ``channel, geo, x, delta_x, delta_y, sigma`` plus the HDI
        ``delta_y_low, delta_y_high`` of the weekly effect, ``n_weeks`` and
        ``ramp_fraction``.
    """
    import arviz as az

    for name, value in (("channel", channel), ("geo", geo)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a name (str), got {value!r}")
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = _check_delta_x(delta_x)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    include_noise = check_bool("include_noise", include_noise)
    if adstock_alpha is not None:
        adstock_alpha = check_number(
            "adstock_alpha", adstock_alpha, low=0.0, high=1.0, high_open=True
        )
        if l_max is None:
            raise ValueError("l_max is required with adstock_alpha")
        l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
    effect = total_effect_draws(result, include_noise=include_noise, random_seed=random_seed)
    weekly = effect.weekly
    fraction = 1.0
    if adstock_alpha is not None:
        fraction = float(adstock_ramp(adstock_alpha, l_max, effect.n_weeks).mean())
        weekly = weekly / fraction
    low, high = az.hdi(weekly, hdi_prob=hdi_prob)
    return {
        "channel": channel,
        "geo": geo,
        "x": float(x),
        "delta_x": float(delta_x),
        "delta_y": float(weekly.mean()),
        "sigma": float(weekly.std()),
        "delta_y_low": float(low),
        "delta_y_high": float(high),
        "n_weeks": effect.n_weeks,
        "ramp_fraction": fraction,
    }


def _check_delta_x(delta_x: Any) -> float:
    v = check_number("delta_x", delta_x, hint=" (the spend change of the test, not 0)")
    if v == 0:
        raise ValueError(f"delta_x must be a non-zero finite spend change, got {delta_x!r}")
    return v


def validate_lift_tests(
    lift_tests: pd.DataFrame,
    *,
    channels: Sequence[str],
    geos: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Check a lift table against a model before it reaches pymc-marketing.

    Parameters
    ----------
    lift_tests : pandas.DataFrame
        Columns ``channel, x, delta_x, delta_y, sigma`` (and ``geo`` for geo models).
    channels : str or sequence of str
        The model's channels (one name is one channel).
    geos : str or sequence of str, optional
        The model's geos (``None`` for a national model).

    Returns
    -------
    pandas.DataFrame
        The table, unchanged, when it is valid.

    Raises
    ------
    ValueError
        Naming the offending rows and the problem: missing columns, unknown
        channels or geos, NaN, ``sigma <= 0``, or ``delta_x * delta_y < 0`` (a
        spend increase that lowered sales).
    """
    if not isinstance(lift_tests, pd.DataFrame):
        raise TypeError(f"lift_tests must be a DataFrame, got {type(lift_tests).__name__}")
    channels = check_strings("channels", channels)
    geos = None if geos is None else check_strings("geos", geos)
    required = [c for c in LIFT_COLUMNS if c != "geo" or geos is not None]
    missing = [c for c in required if c not in lift_tests.columns]
    if missing:
        raise ValueError(f"lift_tests is missing column(s) {missing}; it needs {required}")
    problems = []

    def rows(mask: pd.Series) -> list:
        return lift_tests.index[mask.to_numpy()].tolist()

    numeric = lift_tests[["x", "delta_x", "delta_y", "sigma"]].astype(float)
    bad = numeric.isna().any(axis=1) | ~np.isfinite(numeric).all(axis=1)
    if bad.any():
        problems.append(f"rows {rows(bad)} have NaN or infinite values")
    unknown = ~lift_tests["channel"].isin(list(channels))
    if unknown.any():
        problems.append(f"rows {rows(unknown)} name channels not in the model {list(channels)}")
    if geos is not None:
        unknown_geo = ~lift_tests["geo"].isin(list(geos))
        if unknown_geo.any():
            problems.append(f"rows {rows(unknown_geo)} name geos not in the model")
    sigma = numeric["sigma"] <= 0
    if sigma.any():
        problems.append(f"rows {rows(sigma)} have sigma <= 0")
    sign = (numeric["delta_x"] * numeric["delta_y"]) < 0
    if sign.any():
        problems.append(
            f"rows {rows(sign)} have delta_x * delta_y < 0 (spend and sales moved in opposite "
            "directions; a saturation curve cannot fit that)"
        )
    if problems:
        raise ValueError("invalid lift tests: " + "; ".join(problems))
    return lift_tests


def lift_constraint_beta(
    lam: np.ndarray, x: float, delta_x: float, delta_y: float, channel_scale: float = 1.0
) -> np.ndarray:
    """Return the ``beta`` that makes a logistic curve of steepness ``lam`` pass a lift test.

    One lift test is one equation in two unknowns,
    ``beta * (h(lam, (x + delta_x) / s) - h(lam, x / s)) = delta_y`` with
    ``h(lam, u) = (1 - exp(-lam u)) / (1 + exp(-lam u))``: a curve in the
    ``(lam, beta)`` plane, not a point.

    Parameters
    ----------
    lam : array-like
        Steepness values (> 0).
    x, delta_x, delta_y : float
        The lift test (spend before, spend change, weekly lift; same units as the curve).
    channel_scale : float
        Spend is divided by it before saturation (> 0).

    Returns
    -------
    numpy.ndarray
        ``beta`` for each ``lam``.
    """
    try:
        lam = np.asarray(lam, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"lam must be a number or an array of numbers > 0, got {lam!r}") from err
    if lam.size == 0 or np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("lam must be finite and > 0 (at least one value)")
    channel_scale = check_positive("channel_scale", channel_scale)
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = _check_delta_x(delta_x)
    delta_y = check_number("delta_y", delta_y)
    step = logistic((x + delta_x) / channel_scale, lam, 1.0) - logistic(x / channel_scale, lam, 1.0)
    return delta_y / step
