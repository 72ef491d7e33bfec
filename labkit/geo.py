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

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["GEO_DIMS", "build_geo_mmm", "geo_priors", "geo_xy", "pooling_table", "seed_priors"]

GEO_DIMS = ("geo", "channel")
PARAMETERIZATIONS = ("non_centered", "centered")


def seed_priors() -> dict[str, Any]:
    """Seed 002's centred hierarchical priors, kept to show why they are replaced.

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
    """Non-centred hierarchical priors with the seed's pooling structure.

    The population medians match the seed's prior means (``lam`` about 4,
    ``alpha`` about 0.5) and ``beta`` is centred on 0.5 of the target scale with a
    factor-of-e spread; the geo spreads are half-normal on the log (logit) scale.

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
        "adstock": {"alpha": hierarchical(0.0, 1.0, 0.5, "sigmoid")},
        "saturation": {
            "lam": hierarchical(float(np.log(4.0)), 0.5, 0.3, "exp"),
            "beta": hierarchical(float(np.log(0.5)), 1.0, 0.3, "exp"),
        },
    }


def pooling_table(priors: dict[str, Any] | None = None) -> pd.DataFrame:
    """What each media parameter's dims mean for pooling across geos.

    Parameters
    ----------
    priors : dict, optional
        As returned by :func:`geo_priors` (the default) or :func:`seed_priors`.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: its dims, its hyperpriors' dims and the pooling
        that follows.
    """
    priors = geo_priors() if priors is None else priors
    rows = []
    for component, params in priors.items():
        for name, prior in params.items():
            dims = tuple(prior.dims)
            hyper = {
                k: tuple(v.dims) for k, v in prior.parameters.items() if hasattr(v, "distribution")
            }
            hyper_dims = sorted({d for v in hyper.values() for d in v})
            if "geo" not in dims:
                pooling = "complete pooling (one value for all geos)"
            elif hyper and "geo" not in hyper_dims:
                pooling = "partial pooling (geo values share channel-level hyperpriors)"
            else:
                pooling = "no pooling (independent geo values)"
            rows.append(
                {
                    "parameter": f"{component}_{name}",
                    "distribution": prior.distribution
                    + (f" ({prior.transform})" if prior.transform else ""),
                    "dims": ", ".join(dims),
                    "hyperpriors": ", ".join(f"{k}[{', '.join(v)}]" for k, v in hyper.items())
                    or "-",
                    "centred": prior.centered,
                    "pooling": pooling,
                }
            )
    return pd.DataFrame(rows)


def geo_xy(dataset: Any) -> tuple[pd.DataFrame, pd.Series]:
    """The model's ``X`` (date, geo, channels) and ``y`` from ``load_dataset('geo_panel')``."""
    if getattr(dataset, "name", None) != "geo_panel":
        raise ValueError("dataset must be load_dataset('geo_panel')")
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
    ``dims=("geo",)``, with the priors of :func:`geo_priors` (or the seed's,
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

    from labkit.calibration import validate_lift_tests

    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(
            f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}"
        )
    X, y = geo_xy(dataset)
    truth = dataset.truth
    priors = geo_priors() if parameterization == "non_centered" else seed_priors()
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
        mmm.add_lift_test_measurements(lift_tests[["channel", "geo", "x", "delta_x", "delta_y", "sigma"]])
    return mmm
