"""Carry-over designs: the weekly profile per draw, its preposterior sd reduction, bad input."""

import numpy as np
import pytest

from labkit.design.carryover import carryover_learning, weekly_lift_draws
from labkit.design.fixture import simulate_designer_fixture
from labkit.response import geometric_adstock, logistic


@pytest.fixture(scope="module")
def designer():
    return simulate_designer_fixture(seed=0).designer()


def test_the_weekly_profile_is_adstock_and_curve_on_the_held_and_changed_spend(designer):
    profile = weekly_lift_draws(designer, "tv", -0.5, 3, drain_weeks=4)
    assert profile.shape == (designer.n_draws, 3 + 4)
    alpha = designer.adstock_draws("tv")["alpha"]
    sat = designer.saturation_draws("tv")
    x = float(designer.current_spend["tv"][0])
    l_max = designer.l_max
    for d in (0, 17, 999):
        history = np.full(l_max - 1, x)
        changed = np.concatenate([history, np.full(3, 0.5 * x), np.full(4, x)])
        held = np.full_like(changed, x)

        def response(s, d=d):
            ad = geometric_adstock(s, alpha[d], l_max, normalize=True)
            return logistic(ad, sat["lam"][d], sat["beta"][d])

        expected = (response(changed) - response(held))[l_max - 1 :]
        np.testing.assert_allclose(profile[d], expected, rtol=0, atol=1e-12)
    # the cut lowers sales while it is held, the carry-over drains it after
    mean = profile.mean(axis=0)
    assert (mean[:3] < 0).all() and np.all(np.diff(mean[3:]) > 0) and mean[-1] > mean[3]


def test_the_expected_sd_reduction_is_the_plain_reweighting(designer):
    table = carryover_learning(designer, "tv", [(-1.0, 2), (-1.0, 8)], n_outcomes=16, random_seed=4)
    # recompute the weekly reduction of the first design from the same simulated reads
    rng = np.random.default_rng([0xCA77, 4])
    alpha = designer.adstock_draws("tv")["alpha"]
    sigma = float(designer.residual_std[0])
    profile = weekly_lift_draws(designer, "tv", -1.0, 2)
    source = rng.integers(0, profile.shape[0], size=16)
    reads = profile[source] + sigma * rng.standard_normal((16, profile.shape[1]))
    sds, totals = [], []
    for y in reads:
        w = np.exp(-0.5 * ((y - profile) ** 2).sum(axis=1) / sigma**2 - 0)
        w /= w.sum()
        sds.append(np.sqrt(w @ (alpha - w @ alpha) ** 2))
        t = np.exp(-0.5 * (y.sum() - profile.sum(axis=1)) ** 2 / (sigma**2 * len(y)))
        t /= t.sum()
        totals.append(np.sqrt(t @ (alpha - t @ alpha) ** 2))
    first = table.iloc[0]
    assert first["reduction_weekly"] == pytest.approx(1 - np.mean(sds) / alpha.std(), rel=1e-9)
    assert first["reduction_total"] == pytest.approx(1 - np.mean(totals) / alpha.std(), rel=1e-9)
    # the profile holds what the total holds and more; the longer read teaches more here
    assert (table["reduction_weekly"] >= table["reduction_total"] - 1e-9).all()
    assert table["teaches_carryover"].sum() == 1
    assert table.loc[table["teaches_carryover"], "weeks"].item() == 8


def test_a_more_precise_read_teaches_more(designer):
    coarse = carryover_learning(designer, "tv", [(-1.0, 4)], random_seed=1)
    sharp = carryover_learning(
        designer, "tv", [(-1.0, 4)], weekly_sigma=0.1 * float(designer.residual_std[0]),
        random_seed=1,
    )  # fmt: skip
    assert sharp["reduction_weekly"].item() > coarse["reduction_weekly"].item()


def test_bad_carryover_designs_name_the_argument(designer):
    with pytest.raises(ValueError, match=r"^spend_change must be non-zero"):
        weekly_lift_draws(designer, "tv", 0.0, 4)
    with pytest.raises(ValueError, match=r"^weeks must be"):
        weekly_lift_draws(designer, "tv", 0.5, 0)
    with pytest.raises(ValueError, match=r"^drain_weeks must be"):
        weekly_lift_draws(designer, "tv", 0.5, 2, drain_weeks=-1)
    with pytest.raises(ValueError, match=r"^designs must be a non-empty sequence"):
        carryover_learning(designer, "tv", [])
    with pytest.raises(ValueError, match=r"^designs\[0\] must be a \(spend_change, weeks\) pair"):
        carryover_learning(designer, "tv", [(0.5,)])
    with pytest.raises(ValueError, match=r"^weekly_sigma must be"):
        carryover_learning(designer, "tv", [(0.5, 2)], weekly_sigma=0.0)
    with pytest.raises(ValueError, match=r"^n_outcomes must be"):
        carryover_learning(designer, "tv", [(0.5, 2)], n_outcomes=2)


def test_designs_on_another_engine_are_refused(designer):
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation

    from labkit.design import ExperimentDesigner
    from labkit.design.engines import ComponentEngine

    kernel = designer.engine
    engine = ComponentEngine(
        adstock=GeometricAdstock(l_max=designer.l_max, normalize=True),
        saturation=LogisticSaturation(),
        adstock_first=True,
        adstock_params=kernel.adstock_params,
        saturation_params=kernel.saturation_params,
        current_spend=designer.current_spend,
    )
    other = ExperimentDesigner(
        engine=engine,
        current_spend=designer.current_spend,
        residual_std=designer.residual_std,
        residual_autocorr=designer.residual_autocorr,
        spend_correlation=designer.spend_correlation,
        units=designer.units,
        channel_scale=designer.channel_scale,
        target_scale=designer.target_scale,
    )
    with pytest.raises(ValueError, match=r"^carry-over designs need a designer with geometric"):
        weekly_lift_draws(other, "tv", 0.5, 2)
