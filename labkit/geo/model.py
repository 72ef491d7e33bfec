"""The hierarchical geo MMM of the ``geo_panel`` data set.

A geo panel gives one media effect per geo and channel, but each geo's data
say little on their own; pooling ties the geos together. This module holds:

- the panel as the model sees it (:func:`geo_xy`) and the within-geo spend
  correlation that makes the two channels hard to separate
  (:func:`spend_correlation_by_geo`);
- hierarchical priors over ``(geo, channel)``: the centred ones of
  pymc-marketing's geo calibration example (:func:`centred_priors`) and their
  non-centred counterpart (:func:`geo_priors`), with :func:`pooling_table`
  describing either;
- :func:`build_geo_mmm`, pymc-marketing's multidimensional ``MMM`` with
  ``dims=("geo",)``, optionally calibrated with lift tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pymc_extras.prior import Prior
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM

from labkit._validate import check_choice, check_mapping
from labkit.data import check_dataset
from labkit.geo.lift_tests import LIFT_COLUMNS, validate_lift_tests

if TYPE_CHECKING:
    from labkit.data import Dataset

GEO_DIMS = ("geo", "channel")
"""Dims of every geo-level media parameter."""

PARAMETERIZATIONS = ("non_centered", "centered")
"""Values of :func:`build_geo_mmm`'s ``parameterization``."""


def centred_priors() -> dict[str, dict[str, Prior]]:
    """Return the centred hierarchical priors of pymc-marketing's geo calibration example.

    Each geo's parameter is drawn directly around its channel-level mean. On a
    panel where each geo's data say little, the geo values and their spread form
    a funnel that NUTS cannot traverse; :func:`geo_priors` is the non-centred
    alternative.

    Returns
    -------
    dict
        ``{"adstock": {...}, "saturation": {...}}`` of ``pymc_extras`` priors.
    """
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


def geo_priors() -> dict[str, dict[str, Prior]]:
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

    def hierarchical(mu: float, mu_sigma: float, spread: float, transform: str) -> Prior:
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


def pooling_table(priors: dict[str, dict[str, Prior]] | None = None) -> pd.DataFrame:
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
            if not isinstance(prior, Prior):
                raise TypeError(
                    f"priors[{component!r}][{name!r}] must be a pymc_extras Prior, "
                    f"got {type(prior).__name__}"
                )
            dims = tuple(prior.dims)
            hyper = {k: tuple(v.dims) for k, v in prior.parameters.items() if isinstance(v, Prior)}
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


def geo_xy(dataset: Dataset) -> tuple[pd.DataFrame, pd.Series]:
    """Return the model's ``X`` (date, geo, channels) and ``y`` from ``geo_panel``."""
    df = check_dataset(dataset, "geo_panel")
    channels = list(dataset.truth["channels"])
    return df[["date", "geo", *channels]].copy(), df["y"].rename("y")


def spend_correlation_by_geo(dataset: Dataset) -> pd.DataFrame:
    """Correlation of the two channels' spend within each geo, before the experiment.

    Geos that follow a shared media plan move both channels together; a
    correlation near 1 means the panel alone cannot tell the channels apart.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.

    Returns
    -------
    pandas.DataFrame
        One row per geo: ``geo``, ``treated`` and ``correlation`` (Pearson, over
        the pre-experiment weeks).
    """
    df = check_dataset(dataset, "geo_panel")
    first, second = dataset.truth["channels"][:2]
    pre = df[~df["experiment"]]
    rows = [
        {
            "geo": geo,
            "treated": bool(g["treated"].iloc[0]),
            "correlation": float(g[first].corr(g[second])),
        }
        for geo, g in pre.groupby("geo", sort=False)
    ]
    return pd.DataFrame(rows)


def build_geo_mmm(
    dataset: Dataset,
    *,
    parameterization: str = "non_centered",
    lift_tests: pd.DataFrame | None = None,
) -> MMM:
    """Build (not fit) the hierarchical geo MMM of the ``geo_panel`` data set.

    Geometric adstock (``l_max`` of the truth) and logistic saturation over
    ``dims=("geo",)``, with the priors of :func:`geo_priors` (or :func:`centred_priors`,
    ``parameterization="centered"``). With ``lift_tests`` the table is checked
    (:func:`labkit.geo.validate_lift_tests`) and added as a likelihood term with
    pymc-marketing's ``add_lift_test_measurements``.

    Parameters
    ----------
    dataset : Dataset
        ``load_dataset("geo_panel")``.
    parameterization : {"non_centered", "centered"}
    lift_tests : pandas.DataFrame, optional
        Columns ``channel, geo, x, delta_x, delta_y, sigma`` in data units.

    Returns
    -------
    pymc_marketing.mmm.multidimensional.MMM
        Built, ready for ``fit``.
    """
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
        validate_lift_tests(lift_tests)
        # extra columns (an interval, a date) stay out; a missing one is pymc-marketing's to report
        mmm.add_lift_test_measurements(lift_tests[[c for c in LIFT_COLUMNS if c in lift_tests]])
    return mmm
