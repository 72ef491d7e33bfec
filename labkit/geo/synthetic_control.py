"""Geo lift tests estimated from the panel with CausalPy synthetic controls.

A real experiment has no oracle: each treated geo's lift is estimated by
comparing its sales with a synthetic control, a weighted sum of the control
geos' sales fitted on the pre-experiment weeks. CausalPy reports the impact
week by week; a lift table wants the *weekly steady-state* effect of the spend
change, so the window's total is divided by its length and, optionally, by the
fraction of the steady state that geometric adstock lets a short window see.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import causalpy as cp
import pandas as pd

from labkit._validate import (
    check_bool,
    check_date,
    check_int,
    check_mapping,
    check_number,
    check_probability,
    check_strings,
)
from labkit.causal import total_effect_draws
from labkit.data import check_dataset
from labkit.geo.lift_tests import check_delta_x
from labkit.response import adstock_ramp
from labkit.sampling import pm_sample_kwargs
from labkit.stats import HDI_PROB, hdi

if TYPE_CHECKING:
    import arviz as az
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.data import Dataset


@dataclass(frozen=True)
class GeoSyntheticControls:
    """Lift tests of the geo experiment estimated with CausalPy synthetic controls.

    Attributes
    ----------
    table : pandas.DataFrame
        ``channel, geo, x, delta_x, delta_y, sigma`` plus ``n_weeks``,
        ``ramp_fraction`` and the HDI ``delta_y_low, delta_y_high``.
    results : dict
        The fitted ``causalpy.SyntheticControl`` per treated geo.
    demeaned : bool
        Whether each geo's pre-period mean was removed before fitting.
    """

    table: pd.DataFrame
    results: dict[str, cp.SyntheticControl]
    demeaned: bool


def _check_decay(name: str, value: Any) -> float:
    return check_number(name, value, low=0.0, high=1.0, high_open=True, hint=" (adstock decay)")


def posterior_adstock_alpha(fit: MMM | az.InferenceData, channel: str) -> dict[str, float]:
    """Posterior mean of a channel's adstock decay per geo, from a fitted geo MMM.

    The decay a synthetic control needs for its adstock-aware conversion
    (``adstock_alpha`` of :func:`synthetic_control_lift_tests`).

    Parameters
    ----------
    fit : MMM or arviz.InferenceData
        A fitted geo MMM (or its ``idata``) with ``adstock_alpha`` over ``geo, channel``.
    channel : str

    Returns
    -------
    dict
        ``{geo: mean adstock_alpha}``.
    """
    idata = getattr(fit, "idata", fit)
    posterior = getattr(idata, "posterior", None)
    if posterior is None or "adstock_alpha" not in posterior:
        raise TypeError("fit must be a fitted geo MMM (or its idata) with adstock_alpha")
    alpha = posterior["adstock_alpha"]
    channels = [str(c) for c in alpha.coords["channel"].to_numpy()]
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, got {channel!r}")
    means = alpha.sel(channel=channel).mean(("chain", "draw"))
    return {str(geo): float(value) for geo, value in means.to_series().items()}


def synthetic_control_lift_tests(
    dataset: Dataset,
    *,
    adstock_alpha: float | dict[str, float] | None = None,
    demean: bool = True,
    include_noise: bool = True,
    sample_kwargs: dict[str, Any] | None = None,
    placebo_sigma: dict[str, float] | None = None,
    random_seed: int = 0,
    progress: bool = True,
) -> GeoSyntheticControls:
    """Estimate each treated geo's lift with a CausalPy ``SyntheticControl``.

    For every treated geo, a ``WeightedSumFitter`` learns the geo's pre-period
    sales as a convex combination of the control geos' sales; the post-period
    impact (observed minus synthetic) becomes a lift-table row through
    :func:`lift_test_from_synthetic_control`.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    adstock_alpha : float or dict, optional
        Geometric adstock decay in [0, 1) of the tested channel, one value or one
        per treated geo (e.g. :func:`posterior_adstock_alpha`), for the
        adstock-aware conversion: an n-week window sees only the mean ramp
        fraction of the steady-state effect, so the weekly effect is divided by
        it. ``None`` reports the window's raw mean effect.
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
    placebo_sigma : dict, optional
        Per treated geo, the placebo sd of a read over the test's window (data
        units; see :func:`lift_test_from_synthetic_control`): the row's ``sigma``
        is the larger of it (per week, steady state) and CausalPy's.
    random_seed : int
        >= 0.
    progress : bool
        Print one line per geo.

    Returns
    -------
    GeoSyntheticControls
    """
    df = check_dataset(dataset, "geo_panel")
    truth = dataset.truth
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
    x, delta_x, window = {}, {}, {}
    for geo in treated:
        g = df[df["geo"] == geo]
        test_weeks = g[g["experiment"]]
        x[geo] = float(g.loc[~g["experiment"], channel].mean())
        delta_x[geo] = float((test_weeks[channel] - test_weeks[f"{channel}_counterfactual"]).mean())
        window[geo] = (test_weeks["date"].min(), test_weeks["date"].max())
    return read_geo_tests(
        df[["date", "geo", "y"]],
        treated,
        truth["experiment_start"],
        channel=channel,
        x=x,
        delta_x=delta_x,
        control_geos=controls,
        adstock_alpha=adstock_alpha,
        l_max=l_max,
        demean=demean,
        include_noise=include_noise,
        sample_kwargs=sample_kwargs,
        placebo_sigma=placebo_sigma,
        random_seed=random_seed,
        progress=progress,
    )


def read_geo_tests(
    panel: pd.DataFrame,
    treated: Sequence[str],
    start: Any,
    *,
    channel: str,
    x: Mapping[str, float],
    delta_x: Mapping[str, float],
    end: Any = None,
    control_geos: Sequence[str] | None = None,
    date: str = "date",
    geo: str = "geo",
    value: str = "y",
    ramp_fraction: float | Mapping[str, float] | None = None,
    adstock_alpha: float | Mapping[str, float] | None = None,
    l_max: int | None = None,
    demean: bool = True,
    include_noise: bool = True,
    sample_kwargs: dict[str, Any] | None = None,
    placebo_sigma: Mapping[str, float] | None = None,
    scale: float | None = None,
    random_seed: int = 0,
    progress: bool = False,
) -> GeoSyntheticControls:
    """Read a geo test on the user's own panel with CausalPy synthetic controls.

    For every treated geo, a ``WeightedSumFitter`` learns the geo's sales before
    ``start`` as a convex combination of the control geos' sales; the impact over
    the test's weeks (observed minus synthetic) becomes a lift-table row through
    :func:`lift_test_from_synthetic_control`, ready for pymc-marketing's
    ``add_lift_test_measurements``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel: a date, a geo and a sales column, named by ``date``, ``geo``
        and ``value``; every geo in every week.
    treated : sequence of str
        The geos whose spend changed.
    start, end : date
        First week of the test, and its last (default: the panel's last week).
    channel : str
        The tested channel.
    x, delta_x : dict
        Per treated geo, the weekly spend before the test and the change applied
        (spend units).
    control_geos : sequence of str, optional
        Donors; default every geo not treated.
    ramp_fraction : float or dict, optional
        Share of the steady-state effect the window captured (one value, or one
        per treated geo), for any adstock (``ExperimentDesigner.evaluate(...)
        .ramp_fraction`` on the user's model).
    adstock_alpha, l_max : optional
        Instead of ``ramp_fraction``: a geometric adstock's decay (one value or one
        per treated geo) and number of lags.
    demean, include_noise, sample_kwargs, placebo_sigma, random_seed, progress
        As in :func:`synthetic_control_lift_tests` (``placebo_sigma`` in sales units).
    scale : float, optional
        Divide the sales by this before CausalPy fits them (> 0), and multiply the
        read back: CausalPy's priors (the likelihood's sd) expect sales near unit
        scale, so sales in the thousands want e.g. the MMM's target scale. The
        returned rows are in sales units either way.

    Returns
    -------
    GeoSyntheticControls
    """
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"panel must be a DataFrame, got {type(panel).__name__}")
    missing = [c for c in (date, geo, value) if c not in panel.columns]
    if missing:
        raise ValueError(
            f"panel is missing column(s) {missing}; pass its own names as date=, geo= and value= "
            f"(its columns are {list(panel.columns)})"
        )
    wide = panel.pivot(index=date, columns=geo, values=value).sort_index()
    wide.index = pd.DatetimeIndex(wide.index)
    wide.columns = [str(c) for c in wide.columns]
    if wide.isna().any().any():
        raise ValueError("panel must hold every geo in every week (no missing values)")
    geos = list(wide.columns)
    treated = check_strings("treated", treated)
    unknown = sorted(set(treated) - set(geos))
    if unknown:
        raise ValueError(f"treated geos {unknown} are not in the panel; its geos are {geos}")
    controls = (
        [g for g in geos if g not in treated]
        if control_geos is None
        else check_strings("control_geos", control_geos)
    )
    bad = sorted(set(controls) - set(geos)) + sorted(set(controls) & set(treated))
    if bad or not controls:
        raise ValueError(
            f"control_geos must be panel geos that are not treated, at least one; got {controls}"
        )
    begin = check_date("start", start)
    finish = wide.index.max() if end is None else check_date("end", end)
    if not wide.index.min() < begin <= finish:
        raise ValueError(
            f"start must fall after the panel's first week and on or before end, got {begin.date()}"
        )
    wide = wide[wide.index <= finish]
    per_geo = {}
    for name, values in (("x", x), ("delta_x", delta_x)):
        values = check_mapping(name, values)
        absent = [g for g in treated if g not in values]
        if absent:
            raise ValueError(f"{name} has no value for treated geo(s) {absent}")
        per_geo[name] = values

    def for_geo(name: str, values: Any, g: str) -> Any:
        if isinstance(values, Mapping):
            if g not in values:
                raise ValueError(f"{name} has no value for treated geo {g!r}")
            return values[g]
        return values

    if placebo_sigma is not None:
        placebo_sigma = dict(check_mapping("placebo_sigma", placebo_sigma))
        absent = [g for g in treated if g not in placebo_sigma]
        if absent:
            raise ValueError(f"placebo_sigma has no value for treated geo(s) {absent}")
    demean = check_bool("demean", demean)
    include_noise = check_bool("include_noise", include_noise)
    progress = check_bool("progress", progress)
    random_seed = check_int("random_seed", random_seed, minimum=0)
    if sample_kwargs is not None:
        check_mapping("sample_kwargs", sample_kwargs, allow_empty=True)
    factor = 1.0 if scale is None else check_number("scale", scale, low=0.0, low_open=True)
    wide = wide / factor
    if demean:
        wide = wide - wide[wide.index < begin].mean()
    kwargs = (
        pm_sample_kwargs(random_seed, target_accept=0.95) | {"progressbar": False}
        if sample_kwargs is None
        else dict(sample_kwargs)
    )
    rows, results = [], {}
    for i, g in enumerate(treated, 1):
        with warnings.catch_warnings():
            # PyMC's NUTS overflows numpy's dot on a divergent leapfrog step while it tunes,
            # says so, and rejects the step: a notice about the sampler, not the read
            warnings.filterwarnings(
                "ignore", message="overflow encountered in dot", category=RuntimeWarning,
                module=r"pymc\.step_methods",
            )  # fmt: skip
            result = cp.SyntheticControl(
                wide[[*controls, g]],
                begin,
                control_units=controls,
                treated_units=[g],
                model=cp.pymc_models.WeightedSumFitter(sample_kwargs=kwargs),
            )
        alpha = for_geo("adstock_alpha", adstock_alpha, g)
        ramp = for_geo("ramp_fraction", ramp_fraction, g)
        row = lift_test_from_synthetic_control(
            result,
            channel=channel,
            geo=g,
            x=float(per_geo["x"][g]),
            delta_x=float(per_geo["delta_x"][g]),
            include_noise=include_noise,
            adstock_alpha=None if alpha is None else float(alpha),
            l_max=l_max,
            placebo_sigma=None if placebo_sigma is None else placebo_sigma[g] / factor,
            random_seed=random_seed + i,
            ramp_fraction=None if ramp is None else float(ramp),
        )
        for key in ("delta_y", "delta_y_low", "delta_y_high", "sigma", "sigma_causalpy"):
            row[key] *= factor
        row["sigma_placebo"] *= factor
        rows.append(row)
        results[g] = result
        if progress:
            print(
                f"synthetic control {i}/{len(treated)} {g}: delta_y = {row['delta_y']:.4f} "
                f"(sd {row['sigma']:.4f}) per week"
            )
    return GeoSyntheticControls(pd.DataFrame(rows), results, demean)


def lift_test_from_synthetic_control(
    result: cp.SyntheticControl,
    *,
    channel: str,
    geo: str,
    x: float,
    delta_x: float,
    include_noise: bool = True,
    adstock_alpha: float | None = None,
    l_max: int | None = None,
    hdi_prob: float = HDI_PROB,
    placebo_sigma: float | None = None,
    random_seed: int | None = 0,
    ramp_fraction: float | None = None,
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
        Under geometric adstock a T-week window captures only the mean ramp
        fraction of the steady-state effect; dividing by it estimates the
        steady-state weekly effect.
    hdi_prob : float
        Probability of the reported interval ``delta_y_low, delta_y_high``, in (0, 1).
    placebo_sigma : float, optional
        The sd of the same read on placebo windows where nothing happened: the
        root mean square of the synthetic control's total over a window of the
        test's length (data units, :func:`labkit.design.placebo_noise`), > 0.
        CausalPy's posterior treats the weeks' errors as independent and the
        donor weights as the only unknown; the placebo read measures the error a
        synthetic control actually makes on this panel. Converted like the effect
        (divided by the weeks and the ramp fraction), it becomes ``sigma`` when it
        is the larger, and the interval is widened around the mean by the same factor.
    random_seed : int, optional
    ramp_fraction : float, optional
        The mean share of the steady-state effect the window captured, in (0, 1],
        for any adstock (e.g. ``ExperimentDesigner.evaluate(...).ramp_fraction``
        of the user's own model); instead of ``adstock_alpha`` and ``l_max``.

    Returns
    -------
    dict
        ``channel, geo, x, delta_x, delta_y, sigma`` plus the HDI
        ``delta_y_low, delta_y_high`` of the weekly effect, CausalPy's own sd
        ``sigma_causalpy``, the placebo sd ``sigma_placebo`` (weekly, NaN without
        ``placebo_sigma``), ``n_weeks`` and ``ramp_fraction``.
    """
    for name, value in (("channel", channel), ("geo", geo)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a name (str), got {value!r}")
    x = check_number("x", x, low=0.0, hint=" (spend before the test)")
    delta_x = check_delta_x(delta_x)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    include_noise = check_bool("include_noise", include_noise)
    if adstock_alpha is not None:
        adstock_alpha = check_number(
            "adstock_alpha", adstock_alpha, low=0.0, high=1.0, high_open=True
        )
        if l_max is None:
            raise ValueError("l_max is required with adstock_alpha")
        l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
    if ramp_fraction is not None:
        if adstock_alpha is not None:
            raise ValueError("pass ramp_fraction or adstock_alpha and l_max, not both")
        ramp_fraction = check_number(
            "ramp_fraction", ramp_fraction, low=0.0, high=1.0, low_open=True
        )
    effect = total_effect_draws(result, include_noise=include_noise, random_seed=random_seed)
    weekly = effect.weekly
    fraction = 1.0
    if adstock_alpha is not None:
        assert l_max is not None  # checked with adstock_alpha above
        fraction = float(adstock_ramp(adstock_alpha, l_max, effect.n_weeks).mean())
        weekly = weekly / fraction
    elif ramp_fraction is not None:
        fraction = float(ramp_fraction)
        weekly = weekly / fraction
    low, high = hdi(weekly, hdi_prob)
    mean, sigma = float(weekly.mean()), float(weekly.std())
    placebo = float("nan")
    if placebo_sigma is not None:
        total_sd = check_number("placebo_sigma", placebo_sigma, low=0.0, low_open=True)
        placebo = total_sd / (effect.n_weeks * fraction)
        if placebo > sigma:
            widen = placebo / sigma
            low, high = mean + widen * (low - mean), mean + widen * (high - mean)
    return {
        "channel": channel,
        "geo": geo,
        "x": float(x),
        "delta_x": float(delta_x),
        "delta_y": mean,
        "sigma": max(sigma, placebo) if placebo_sigma is not None else sigma,
        "sigma_causalpy": sigma,
        "sigma_placebo": placebo,
        "delta_y_low": float(low),
        "delta_y_high": float(high),
        "n_weeks": effect.n_weeks,
        "ramp_fraction": fraction,
    }
