"""TODO docstring."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import (
    check_choice,
    check_mapping,
)

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
    (:func:`labkit.geo.validate_lift_tests`) and added as a likelihood
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

    from labkit.geo.lift_tests import LIFT_COLUMNS, validate_lift_tests

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
