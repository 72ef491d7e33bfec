"""The geo-level MMM of the ``geo_panel`` chapter: hierarchical priors and model builder.

Seed 002 puts *centred* hierarchical priors on the geo x channel media
parameters (``lam ~ Gamma(mu_c, sigma_c)``, ``beta ~ TruncatedNormal(mu_c,
sigma_c)``, ``alpha ~ Beta(mu_c, nu_c)``). With eight geos and two channels that
are 0.99 correlated, the geo-level values are weakly identified, and the
centred form builds a funnel between each population spread and its geo
offsets: NUTS diverges there (hundreds of divergences in a 4 x 1000 fit of
this panel).

:func:`geo_priors` keeps the same pooling structure (geo x channel parameters,
population mean and spread per channel) but writes every parameter as a
transformed *non-centred* normal::

    log lam[g, c]     = mu_lam[c]  + sigma_lam[c]  * z_lam[g, c]
    log beta[g, c]    = mu_beta[c] + sigma_beta[c] * z_beta[g, c]
    logit alpha[g, c] = mu_alpha[c] + sigma_alpha[c] * z_alpha[g, c]

with ``z ~ N(0, 1)`` (``Prior(..., centered=False, transform=...)``). The
sampler then moves on standard-normal offsets whose geometry does not change
with the spread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from labkit._validate import (
    check_bool,
    check_choice,
    check_int,
    check_mapping,
    check_number,
    check_positive,
)
from labkit.response import logistic

__all__ = [
    "GEO_DIMS",
    "POOLING",
    "GeoSyntheticControls",
    "build_geo_mmm",
    "centred_priors",
    "expected_sales",
    "geo_priors",
    "geo_truth",
    "geo_xy",
    "pooling_table",
    "saturation_curves",
    "synthetic_control_lift_tests",
    "true_curves",
]

GEO_DIMS = ("geo", "channel")
PARAMETERIZATIONS = ("non_centered", "centered")


def centred_priors() -> dict[str, Any]:
    """Return the centred hierarchical priors of pymc-marketing's geo calibration example.

    Kept to show why :func:`geo_priors` replaces them: on a panel where each geo's
    data say little, they form a funnel that NUTS cannot traverse.

    Returns
    -------
    dict
        ``{"adstock": {...}, "saturation": {...}}`` of ``pymc_extras`` priors.
    """
    from pymc_extras.prior import Prior

    return {
        "adstock": {
            "alpha": Prior(
                "Beta",
                mu=Prior("Beta", alpha=2, beta=2, dims="channel"),
                nu=Prior("HalfNormal", sigma=10, dims="channel"),
                dims=GEO_DIMS,
            )
        },
        "saturation": {
            "lam": Prior(
                "Gamma",
                mu=Prior("Gamma", alpha=4, beta=1.0, dims="channel"),
                sigma=Prior("HalfNormal", sigma=2, dims="channel"),
                dims=GEO_DIMS,
            ),
            "beta": Prior(
                "TruncatedNormal",
                mu=Prior("HalfNormal", sigma=1, dims="channel"),
                sigma=Prior("HalfNormal", sigma=0.3, dims="channel"),
                lower=0.01,
                upper=2.0,
                dims=GEO_DIMS,
            ),
        },
    }


def geo_priors() -> dict[str, Any]:
    """Non-centred hierarchical priors with the pooling structure of :func:`centred_priors`.

    The population medians match :func:`centred_priors`' prior means (``lam`` about 4,
    ``alpha`` about 0.5) and ``beta`` is centred on 0.5 of the target scale with a
    factor-of-e spread. The population ``lam`` has a log-scale sd of 0.3 (95 % in
    about [2.2, 7.2]): beyond that every observed spend sits on the flat top of the
    curve, the channel's contribution is a constant that trades off one-for-one
    against the intercept, and NUTS diverges along that ridge. The geo spreads
    are half-normal with scale 0.2 on the log (logit) scale: geos typically
    differ by about 20 %.

    Returns
    -------
    dict
        ``{"adstock": {...}, "saturation": {...}}`` of ``pymc_extras`` priors.
    """
    from pymc_extras.prior import Prior

    def hierarchical(mu: float, mu_sigma: float, spread: float, transform: str) -> Any:
        return Prior(
            "Normal",
            mu=Prior("Normal", mu=mu, sigma=mu_sigma, dims="channel"),
            sigma=Prior("HalfNormal", sigma=spread, dims="channel"),
            dims=GEO_DIMS,
            centered=False,
            transform=transform,
        )

    return {
        "adstock": {"alpha": hierarchical(0.0, 1.0, 0.2, "sigmoid")},
        "saturation": {
            "lam": hierarchical(float(np.log(4.0)), 0.3, 0.2, "exp"),
            "beta": hierarchical(float(np.log(0.5)), 1.0, 0.2, "exp"),
        },
    }


#: What each value of :func:`pooling_table`'s ``pooling`` column means.
POOLING = {
    "complete pooling": "one value shared by all geos",
    "partial pooling": "geo values drawn around channel-level hyperpriors",
    "no pooling": "independent geo values",
}


def pooling_table(priors: dict[str, Any] | None = None) -> pd.DataFrame:
    """Tabulate what each media parameter's dims mean for pooling across geos.

    Short values, so the table renders on one line per row in a book page;
    :data:`POOLING` explains the ``pooling`` values.

    Parameters
    ----------
    priors : dict, optional
        As returned by :func:`geo_priors` (the default) or :func:`centred_priors`:
        ``{component: {parameter: Prior}}``.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter``, ``prior`` (distribution and
        transform), ``dims``, ``hyperpriors`` (their names, then their dims in
        brackets when all share them), ``centred`` and ``pooling`` (one of the
        keys of :data:`POOLING`).
    """
    priors = geo_priors() if priors is None else priors
    check_mapping("priors", priors)
    rows = []
    for component, params in priors.items():
        check_mapping(f"priors[{component!r}]", params)
        for name, prior in params.items():
            if not hasattr(prior, "dims") or not hasattr(prior, "parameters"):
                raise TypeError(
                    f"priors[{component!r}][{name!r}] must be a pymc_extras Prior, "
                    f"got {type(prior).__name__}"
                )
            dims = tuple(prior.dims)
            hyper = {
                k: tuple(v.dims) for k, v in prior.parameters.items() if hasattr(v, "distribution")
            }
            hyper_dims = sorted({d for v in hyper.values() for d in v})
            if "geo" not in dims:
                pooling = "complete pooling"
            elif hyper and "geo" not in hyper_dims:
                pooling = "partial pooling"
            else:
                pooling = "no pooling"
            if not hyper:
                hyperpriors = "-"
            elif len(set(hyper.values())) == 1:
                shared = next(iter(hyper.values()))
                hyperpriors = ", ".join(hyper) + (f" [{', '.join(shared)}]" if shared else "")
            else:
                hyperpriors = ", ".join(f"{k}[{', '.join(v)}]" for k, v in hyper.items())
            rows.append(
                {
                    "parameter": f"{component}_{name}",
                    "prior": prior.distribution
                    + (f" ({prior.transform})" if prior.transform else ""),
                    "dims": ", ".join(dims),
                    "hyperpriors": hyperpriors,
                    "centred": bool(prior.centered),
                    "pooling": pooling,
                }
            )
    return pd.DataFrame(rows)


def _check_geo_panel(dataset: Any) -> None:
    if getattr(dataset, "name", None) != "geo_panel":
        raise ValueError("dataset must be load_dataset('geo_panel')")


def geo_xy(dataset: Any) -> tuple[pd.DataFrame, pd.Series]:
    """Return the model's ``X`` (date, geo, channels) and ``y`` from ``geo_panel``."""
    _check_geo_panel(dataset)
    df = dataset.data
    channels = list(dataset.truth["channels"])
    return df[["date", "geo", *channels]].copy(), df["y"].rename("y")


def build_geo_mmm(
    dataset: Any,
    *,
    parameterization: str = "non_centered",
    lift_tests: pd.DataFrame | None = None,
) -> Any:
    """Build (not fit) the hierarchical geo MMM of the ``geo_panel`` data set.

    Geometric adstock (``l_max`` of the truth) and logistic saturation over
    ``dims=("geo",)``, with the priors of :func:`geo_priors` (or :func:`centred_priors`,
    ``parameterization="centered"``). With ``lift_tests`` the table is validated
    (:func:`labkit.calibration.validate_lift_tests`) and added as a likelihood
    term with ``add_lift_test_measurements``.

    Parameters
    ----------
    dataset : labkit.data.Dataset
        ``load_dataset("geo_panel")``.
    parameterization : {"non_centered", "centered"}
    lift_tests : pandas.DataFrame, optional
        Columns ``channel, geo, x, delta_x, delta_y, sigma`` in data units.

    Returns
    -------
    pymc_marketing.mmm.multidimensional.MMM
        Built, ready for ``fit``.
    """
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.calibration import LIFT_COLUMNS, validate_lift_tests

    check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    X, y = geo_xy(dataset)
    truth = dataset.truth
    priors = geo_priors() if parameterization == "non_centered" else centred_priors()
    mmm = MMM(
        date_column="date",
        channel_columns=list(truth["channels"]),
        adstock=GeometricAdstock(l_max=int(truth["l_max"]), priors=priors["adstock"]),
        saturation=LogisticSaturation(priors=priors["saturation"]),
        dims=("geo",),
    )
    mmm.build_model(X, y)
    if lift_tests is not None:
        validate_lift_tests(lift_tests, channels=truth["channels"], geos=truth["geos"])
        mmm.add_lift_test_measurements(lift_tests[list(LIFT_COLUMNS)])
    return mmm


# --------------------------------------------------------------------------- truth and curves


def geo_truth(dataset: Any, target_scale: float = 1.0) -> xr.Dataset:
    """Return the true media parameters of ``geo_panel`` over ``geo x channel`` on a model's scale.

    Parameters
    ----------
    dataset : labkit.data.Dataset
    target_scale : float
        The fitted model's target scale: ``beta`` is in units of ``y / target_scale``.

    Returns
    -------
    xarray.Dataset
        ``saturation_lam``, ``saturation_beta`` and ``adstock_alpha``.
    """
    _check_geo_panel(dataset)
    target_scale = check_positive("target_scale", target_scale)
    t = dataset.truth
    geos, channels = list(t["geos"]), list(t["channels"])
    coords = {"geo": geos, "channel": channels}

    def grid(values: dict) -> xr.DataArray:
        arr = np.array([[values[g][c] for c in channels] for g in geos], dtype=float)
        return xr.DataArray(arr, dims=GEO_DIMS, coords=coords)

    alpha = np.array([[t["adstock_alpha"][c] for c in channels] for _ in geos], dtype=float)
    return xr.Dataset(
        {
            "saturation_lam": grid(t["saturation_lam"]),
            "saturation_beta": grid(t["saturation_beta"]) / (t["target_scale"] * target_scale),
            "adstock_alpha": xr.DataArray(alpha, dims=GEO_DIMS, coords=coords),
        }
    )


def _spend_grid(x: Any) -> np.ndarray:
    """Return ``x`` as a 1-D float array of spends; one number is a one-point grid."""
    try:
        grid = np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError) as err:
        raise TypeError(f"x must be a 1-D grid of finite spends >= 0, got {x!r}") from err
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(
            f"x must be a 1-D grid (at least one point) of finite spends >= 0, got shape "
            f"{grid.shape}"
        )
    return grid


def _scales(idata: Any) -> tuple[xr.DataArray, float]:
    const = idata.constant_data
    return const["channel_scale"], float(np.asarray(const["target_scale"]).max())


def saturation_curves(idata: Any, x: np.ndarray) -> xr.DataArray:
    """Posterior saturation curves of a fitted geo MMM, in data units.

    ``target_scale * beta * logistic(lam * x / channel_scale)`` for every draw,
    geo and channel: the steady-state weekly contribution of a constant spend
    ``x`` (normalised adstock leaves a constant spend unchanged).

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit's ``idata`` (posterior and constant_data).
    x : array-like
        Spend grid (data units), 1-D.

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, geo, channel, x``.
    """
    grid = _spend_grid(x)
    channel_scale, target_scale = _scales(idata)
    post = idata.posterior
    xs = xr.DataArray(grid, dims="x", coords={"x": grid}) / channel_scale
    return target_scale * logistic(xs, post["saturation_lam"], post["saturation_beta"])


def true_curves(dataset: Any, x: np.ndarray) -> xr.DataArray:
    """Return the true steady-state curves of ``geo_panel`` in data units (``geo, channel, x``)."""
    truth = geo_truth(dataset)
    grid = _spend_grid(x)
    scale = xr.DataArray(
        [dataset.truth["channel_scale"][c] for c in truth.channel.values],
        dims="channel",
        coords={"channel": truth.channel.values},
    )
    xs = xr.DataArray(grid, dims="x", coords={"x": grid}) / scale
    return logistic(xs, truth["saturation_lam"], truth["saturation_beta"])


def expected_sales(idata: Any) -> xr.DataArray:
    """Posterior of the expected outcome ``mu`` per date and geo, in data units.

    Intercept plus the media contributions, times the target scale. Its
    posterior mean equals the mean of the posterior predictive.

    Returns
    -------
    xarray.DataArray
        Dims ``chain, draw, date, geo``.
    """
    post = idata.posterior
    _, target_scale = _scales(idata)
    mu = post["intercept_contribution"] + post["channel_contribution"].sum("channel")
    return (mu * target_scale).transpose("chain", "draw", "date", "geo")


# --------------------------------------------------------------------------- synthetic control


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
    :func:`labkit.calibration.lift_test_from_synthetic_control`: total effect
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

    from labkit.calibration import lift_test_from_synthetic_control
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
