"""labkit on any pymc-marketing MMM: one test per row of ``labkit.mmm.SUPPORT``.

The computed rows pin the designer's lift per draw to the fitted model's own
counterfactual (``MMM.sample_posterior_predictive`` of ``channel_contribution``
on the spend history with and without the test) to 1e-8; the refused rows check
the error. The "fitted" models carry prior draws as their posterior: the pin is
about the arithmetic on fixed draws, not about MCMC.
"""

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from pymc_extras.prior import Prior
from pymc_marketing.mmm import components
from pymc_marketing.mmm.multidimensional import MMM

from labkit.design import ExperimentDesigner
from labkit.design.counterfactual import model_lift_draws
from labkit.mmm import SUPPORT, check_mmm

ADSTOCKS = ["Binomial", "Delayed", "Geometric", "No", "WeibullCDF", "WeibullPDF"]
SATURATIONS = [
    "Hill",
    "HillSigmoid",
    "InverseScaledLogistic",
    "Logistic",
    "MichaelisMenten",
    "No",
    "Root",
    "Tanh",
    "TanhBaselined",
]
# every saturation once in each order, the adstocks cycling beside them; geo dims every other case
CASES = [
    (ADSTOCKS[i % len(ADSTOCKS)], s, first, ("geo",) if (i + first) % 2 else ())
    for i, s in enumerate(SATURATIONS)
    for first in (True, False)
]
L_MAX = 5
PIN = 1e-8


def _adstock(name):
    cls = getattr(components.adstock, "NoAdstock" if name == "No" else f"{name}Adstock")
    return cls(l_max=1 if name == "No" else L_MAX)


def _saturation(name):
    cls = getattr(
        components.saturation,
        {
            "No": "NoSaturation",
            "Tanh": "TanhSaturation",
            "TanhBaselined": "TanhSaturationBaselined",
            "HillSigmoid": "HillSaturationSigmoid",
        }.get(name, f"{name}Saturation"),
    )
    if name == "TanhBaselined":  # its default prior on r reaches r >= 1, where it is NaN
        return cls(priors={"r": Prior("Beta", alpha=2, beta=2)})
    return cls()


def _data(dims, n=30, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-07", periods=n, freq="W-SUN")
    geos = ["north", "south"] if dims else [None]
    frames = []
    for g in geos:
        frame = pd.DataFrame({"date": dates})
        if dims:
            frame["geo"] = g
        frame["tv"] = rng.uniform(50, 100, n)
        frame["search"] = rng.uniform(10, 40, n)
        frame["price"] = rng.normal(size=n)
        frames.append(frame)
    X = pd.concat(frames, ignore_index=True)
    return X, pd.Series(rng.uniform(100, 200, len(X)), name="sales")


def _model(adstock, saturation, *, adstock_first=True, dims=(), draws=12, **kwargs):
    """A built MMM whose posterior is ``draws`` draws of its prior."""
    mmm = MMM(
        date_column="date",
        channel_columns=["tv", "search"],
        target_column="sales",
        control_columns=["price"],
        adstock=adstock,
        saturation=saturation,
        adstock_first=adstock_first,
        dims=dims,
        **kwargs,
    )
    X, y = _data(dims)
    mmm.build_model(X, y)
    with mmm.model:
        prior = pm.sample_prior_predictive(draws=draws, random_seed=1)
    mmm.idata = az.InferenceData(posterior=prior.prior)
    return mmm


def _pin(mmm, engine="auto", channel="tv", changes=(0.5, -1.0), weeks=(3, L_MAX + 4)):
    designer = ExperimentDesigner.from_mmm(mmm, max_ppc_draws=6, engine=engine)
    worst = 0.0
    for change in changes:
        for w in weeks:
            want = model_lift_draws(mmm, designer, channel, change, w)
            got = np.stack([designer.lift_draws(channel, change, w, u) for u in designer.units])
            assert np.all(np.isfinite(want))
            np.testing.assert_allclose(got, want, rtol=0, atol=PIN * max(1.0, np.abs(want).max()))
            worst = max(worst, float(np.abs(got - want).max()))
    return designer, worst


def _unfitted(**kwargs):
    args = {
        "date_column": "date",
        "channel_columns": ["tv", "search"],
        "target_column": "sales",
        "adstock": components.adstock.GeometricAdstock(l_max=4),
        "saturation": components.saturation.LogisticSaturation(),
    } | kwargs
    return MMM(**args)


def _fake_fitted(**kwargs):
    mmm = _unfitted(**kwargs)
    mmm.idata = az.InferenceData(posterior=xr.Dataset({"x": (("chain", "draw"), np.zeros((1, 2)))}))
    return mmm


# ----------------------------------------------------------------- computed rows: the pin


@pytest.mark.slow
@pytest.mark.parametrize("saturation", ["Logistic", "MichaelisMenten", "Hill"])
def test_geometric_kernel(saturation):
    """The compiled kernel equals the model's own counterfactual (and "auto" picks it)."""
    mmm = _model(_adstock("Geometric"), _saturation(saturation), dims=("geo",))
    designer, _ = _pin(mmm, engine="kernel")
    assert designer.engine.name == "kernel"
    assert ExperimentDesigner.from_mmm(mmm, max_ppc_draws=6).engine.name == "kernel"


@pytest.mark.slow
@pytest.mark.parametrize(("adstock", "saturation", "first", "dims"), CASES)
def test_every_adstock_and_saturation(adstock, saturation, first, dims):
    """Every component class, both orders: the general path equals the model's counterfactual."""
    mmm = _model(_adstock(adstock), _saturation(saturation), adstock_first=first, dims=dims)
    designer, _ = _pin(mmm, engine="components")
    assert designer.engine.name == "components"
    auto = ExperimentDesigner.from_mmm(mmm, max_ppc_draws=6).engine.name
    kernel_family = adstock == "Geometric" and first and saturation in {"Logistic", "Hill"}
    assert auto == ("kernel" if kernel_family else "components")


def test_every_adstock():
    """The cases cover every adstock class pymc-marketing ships (both orders each)."""
    shipped = {
        n.removesuffix("Adstock")
        for n in dir(components.adstock)
        if n.endswith("Adstock") and n != "AdstockTransformation"
    }
    assert shipped == set(ADSTOCKS)
    assert {(a, f) for a, _, f, _ in CASES} >= {(a, f) for a in ADSTOCKS for f in (True, False)}


def test_every_saturation():
    """The cases cover every saturation class pymc-marketing ships, in both orders."""
    shipped = {type(_saturation(s)).__name__ for s in SATURATIONS} | {"SaturationTransformation"}
    listed = {
        n
        for n in dir(components.saturation)
        if isinstance(getattr(components.saturation, n), type)
        and issubclass(
            getattr(components.saturation, n), components.saturation.SaturationTransformation
        )
    }
    assert listed == shipped
    assert {(s, f) for _, s, f, _ in CASES} == {(s, f) for s in SATURATIONS for f in (True, False)}


def test_saturation_first():
    """adstock_first=False differs from adstock first (so the pin tests the order)."""
    assert {f for *_, f, _ in CASES} == {True, False}


@pytest.mark.slow
def test_geo_dims():
    """A geo model: per-geo lifts pinned, and the national lift is their sum draw by draw."""
    mmm = _model(_adstock("Delayed"), _saturation("Root"), dims=("geo",))
    designer, _ = _pin(mmm, engine="components", changes=(0.3,), weeks=(4,))
    per_geo = sum(designer.lift_draws("tv", 0.3, 4, g) for g in designer.units)
    np.testing.assert_allclose(designer.lift_draws("tv", 0.3, 4), per_geo, rtol=1e-12)
    # the whole forward pass per path (the fallback for an adstock that is not linear) agrees
    assert designer.engine.linear
    fast = designer.engine.lifts(["tv"], np.array([0.3, -1.0]), np.array([2, 9]))
    designer.engine.__dict__["linear"] = False
    slow = designer.engine.lifts(["tv"], np.array([0.3, -1.0]), np.array([2, 9]))
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-12)


@pytest.mark.slow
def test_time_varying_intercept():
    """A time-varying intercept is read (it cannot change a lift): the pin holds."""
    mmm = _model(_adstock("Geometric"), _saturation("Logistic"), time_varying_intercept=True)
    _pin(mmm, changes=(0.5,), weeks=(3,))


@pytest.mark.slow
def test_additive_effects():
    """Controls and yearly seasonality are in the model; the lift pin holds with them."""
    mmm = _model(_adstock("Delayed"), _saturation("Hill"), yearly_seasonality=2)
    _pin(mmm, engine="components", changes=(0.5,), weeks=(3,))


@pytest.mark.slow
def test_delayed_adstock_is_not_read_as_geometric():
    """A delayed adstock through a geometric reading of its alpha gives other lifts."""
    from labkit.design.engines import KernelEngine
    from labkit.response import get_saturation

    mmm = _model(_adstock("Delayed"), _saturation("Logistic"))
    designer = ExperimentDesigner.from_mmm(mmm, max_ppc_draws=6)
    engine = designer.engine
    geometric = KernelEngine(
        saturation=get_saturation("logistic"),
        params=engine.saturation_params,
        adstock_alpha={c: engine.adstock_params[c]["alpha"] for c in designer.channels},
        current_spend=designer.current_spend,
        l_max=L_MAX,
        normalize=True,
    )
    right = designer.lift_draws("tv", 0.5, 3)
    wrong = geometric.lifts(["tv"], np.array([0.5]), np.array([3]))[0, 0, 0, 0]
    assert np.max(np.abs(right - wrong)) > 1e-3 * np.abs(right).max()


# ----------------------------------------------------------------- refused rows


def test_other_dims():
    with pytest.raises(ValueError, match=r"mmm must have dims=\(\) or dims=\('geo',\), got dims"):
        ExperimentDesigner.from_mmm(_fake_fitted(dims=("geo", "region")))


def test_time_varying_media():
    with pytest.raises(NotImplementedError, match=r"mmm\.time_varying_media is set"):
        ExperimentDesigner.from_mmm(_fake_fitted(time_varying_media=True))


def test_conv_mode():
    from pymc_marketing.mmm.components.adstock import GeometricAdstock
    from pymc_marketing.mmm.transformers import ConvMode

    mmm = _fake_fitted(adstock=GeometricAdstock(l_max=4, mode=ConvMode.Overlap))
    with pytest.raises(NotImplementedError, match=r"mmm.adstock.mode is 'Overlap'"):
        ExperimentDesigner.from_mmm(mmm)


def test_cost_per_unit():
    cost = pd.DataFrame({"date": pd.date_range("2024-01-07", periods=3, freq="W"), "tv": 2.0})
    with pytest.raises(NotImplementedError, match="mmm has cost_per_unit"):
        ExperimentDesigner.from_mmm(_fake_fitted(cost_per_unit=cost))


def test_scaling_per_geo():
    mmm = _fake_fitted(
        dims=("geo",),
        scaling={"channel": {"method": "max", "dims": ()}, "target": {"method": "max", "dims": ()}},
    )
    with pytest.raises(NotImplementedError, match=r"mmm.scaling.channel.dims=\(\)"):
        ExperimentDesigner.from_mmm(mmm)


def test_legacy_mmm():
    from pymc_marketing.mmm import MMM as LegacyMMM

    with pytest.warns((DeprecationWarning, FutureWarning, UserWarning)):
        legacy = LegacyMMM(
            date_column="date",
            channel_columns=["tv"],
            adstock=components.adstock.GeometricAdstock(l_max=4),
            saturation=components.saturation.LogisticSaturation(),
        )
    legacy.idata = az.InferenceData(posterior=xr.Dataset())
    with pytest.raises(TypeError, match=r"legacy pymc_marketing\.mmm\.MMM.*multidimensional"):
        ExperimentDesigner.from_mmm(legacy)
    with pytest.raises(TypeError, match="legacy"):
        check_mmm(legacy)


def test_not_fitted():
    with pytest.raises(ValueError, match=r"mmm is not fitted: call mmm.fit\(X, y\) first"):
        ExperimentDesigner.from_mmm(_unfitted())
    with pytest.raises(TypeError, match="multidimensional MMM"):
        ExperimentDesigner.from_mmm(pd.DataFrame())


@pytest.mark.slow
def test_idle_channel():
    mmm = _model(_adstock("Geometric"), _saturation("Logistic"))
    data = mmm.xarray_dataset
    data["_channel"].loc[{"channel": "search", "date": data.date[-8:]}] = 0.0
    with pytest.raises(
        ValueError, match=r"channel\(s\) \['search'\] have no spend over the last 8"
    ):
        ExperimentDesigner.from_mmm(mmm)


def test_one_test_per_support_row():
    tests = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(SUPPORT) <= tests


# ----------------------------------------------------------------- the user's model in a bad state


def test_posterior_without_a_model_is_refused():
    with pytest.raises(ValueError, match="no built model to draw its posterior predictive from"):
        ExperimentDesigner.from_mmm(_fake_fitted())


@pytest.mark.slow
def test_geo_designer_reads_the_models_panel_or_checks_the_users():
    from labkit.design import GeoDesigner

    mmm = _model(_adstock("Delayed"), _saturation("Logistic"), dims=("geo",))
    geo = GeoDesigner.from_mmm(mmm, max_ppc_draws=6)
    assert geo.geos == ["north", "south"] and len(geo.panel) == 2 * 30
    X, y = _data(("geo",))
    panel = X.assign(sales=y.to_numpy())
    GeoDesigner.from_mmm(mmm, panel, max_ppc_draws=6)  # the same panel passes
    with pytest.raises(ValueError, match=r"panel geos \['north'\] must be the model's"):
        GeoDesigner.from_mmm(mmm, panel[panel["geo"] == "north"], max_ppc_draws=6)
    with pytest.raises(ValueError, match=r"panel dates .* must be the model's"):
        GeoDesigner.from_mmm(mmm, panel[panel["date"] > panel["date"].min()], max_ppc_draws=6)
    with pytest.raises(ValueError, match=r"missing the model's column\(s\) \['sales'\]"):
        GeoDesigner.from_mmm(mmm, panel.drop(columns="sales"), max_ppc_draws=6)
    with pytest.raises(ValueError, match=r"mmm must have dims=\('geo',\)"):
        GeoDesigner.from_mmm(_model(_adstock("Geometric"), _saturation("Logistic")))
    # the user's own column names
    renamed = panel.rename(columns={"date": "week", "geo": "region", "sales": "revenue"})
    own = GeoDesigner(geo.designer, renamed, date="week", geo="region", value="revenue")
    assert own.geos == geo.geos and list(own.panel.columns) == ["date", "geo", "revenue"]
