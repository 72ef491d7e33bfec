"""Weekly lift reads: the simulator's profile, the model's weekly term pinned to it, bad tables."""

import numpy as np
import pandas as pd
import pymc as pm
import pytest
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM

import labkit
from labkit.data.experiments import simulate_lift_test
from labkit.data.weekly_tests import simulate_weekly_lift_test
from labkit.roas.weekly_terms import add_weekly_lift_tests, weekly_tests


@pytest.fixture(scope="module")
def world():
    ds = labkit.load_dataset("confounded")
    df = ds.data
    a = simulate_weekly_lift_test(
        ds, "x1", df["date"].iloc[-40], 6, spend_change=-1.0, random_seed=1
    )
    b = simulate_weekly_lift_test(
        ds, "x2", df["date"].iloc[-30], 1, spend_added=0.3, drain_weeks=5, random_seed=2
    )
    return ds, pd.concat([a, b], ignore_index=True)


def _built(ds):
    df = ds.data
    mmm = MMM(
        date_column="date",
        channel_columns=["x1", "x2"],
        target_column="y",
        adstock=GeometricAdstock(l_max=4),
        saturation=LogisticSaturation(),
    )
    mmm.build_model(df[["date", "x1", "x2"]], df["y"])
    return mmm


def _truth(ds, mmm):
    truth, channels = ds.truth, list(mmm.channel_columns)
    scale = np.asarray(mmm.model["channel_scale"].get_value())
    target = float(mmm.model["target_scale"].get_value())
    p = [truth["channels"][c] for c in channels]
    return {
        "adstock_alpha": np.array([q["adstock_alpha"] for q in p]),
        "saturation_lam": np.array([q["saturation_lam"] for q in p]) * scale,
        "saturation_beta": np.array([q["beta"] for q in p]) * truth["amplitude"] / target,
    }


def test_the_weekly_profile_sums_to_the_total_read(world):
    ds, _ = world
    df = ds.data
    start = df["date"].iloc[-30]
    weekly = simulate_weekly_lift_test(ds, "x1", start, 5, spend_change=0.5, random_seed=3)
    total = simulate_lift_test(ds, "x1", start, 5, spend_change=0.5, sigma=1.0, random_seed=3)
    assert len(weekly) == 5 + 3  # the change, then l_max - 1 weeks of drain
    assert weekly["true_lift"].sum() / 5 == pytest.approx(total["true_delta_y"].iloc[0], rel=1e-12)
    # the lift ramps while the adstock fills and decays after the change ends
    lift = weekly["true_lift"].to_numpy()
    assert (lift[5:] > 0).all() and lift[-1] < lift[5] and np.all(np.diff(lift[5:]) < 0)
    # the reads' errors are independent N(0, sigma): a simulation of many reads
    errors = np.concatenate([
        (lambda t: t["lift"] - t["true_lift"])(
            simulate_weekly_lift_test(ds, "x1", start, 5, spend_change=0.5, random_seed=s)
        ).to_numpy()
        for s in range(400)
    ])  # fmt: skip
    sd = float(weekly["sigma"].iloc[0])
    assert errors.std() == pytest.approx(sd, rel=0.05)
    lagged = errors.reshape(400, -1)
    assert abs(np.corrcoef(lagged[:, :-1].ravel(), lagged[:, 1:].ravel())[0, 1]) < 0.05


@pytest.mark.slow
def test_at_the_true_parameters_the_weekly_term_is_the_simulators_weekly_lift(world):
    ds, table = world
    mmm = _built(ds)
    add_weekly_lift_tests(mmm, table)
    fixed = pm.do(mmm.model, _truth(ds, mmm))
    model_lift = pm.draw(fixed["weekly_lift_model_lift"])
    np.testing.assert_allclose(model_lift, table["true_lift"], rtol=0, atol=1e-10)


@pytest.mark.slow
def test_the_weekly_likelihood_is_normal_with_the_given_covariance(world):
    ds, table = world
    n = len(table)
    # AR(1)-like covariance within each test, independent between tests
    cov = np.zeros((n, n))
    for _, idx in table.groupby("channel").groups.items():
        idx = np.asarray(idx)
        lag = np.abs(idx[:, None] - idx[None, :])
        cov[np.ix_(idx, idx)] = 4.0 * 0.5**lag
    mmm = _built(ds)
    add_weekly_lift_tests(mmm, table, covariance=cov)
    fixed = pm.do(mmm.model, _truth(ds, mmm))
    target = float(mmm.model["target_scale"].get_value())
    resid = (table["lift"] - table["true_lift"]).to_numpy() / target
    c = cov / target**2
    expected = -0.5 * (resid @ np.linalg.solve(c, resid) + np.linalg.slogdet(2 * np.pi * c)[1])
    logp = fixed.compile_logp(vars=[fixed["weekly_lift"]])
    assert float(logp(fixed.initial_point())) == pytest.approx(expected, rel=1e-9)


def test_bad_weekly_tables_are_refused(world):
    ds, table = world
    mmm = _built(ds)
    with pytest.raises(TypeError, match=r"^table must be a DataFrame"):
        weekly_tests(mmm, table.to_dict())
    with pytest.raises(ValueError, match=r"^table lacks the weekly columns \['lift'\]"):
        weekly_tests(mmm, table.drop(columns="lift"))
    late = table.copy()
    late.loc[0, "week"] = pd.Timestamp(ds.data["date"].iloc[-1]) + pd.Timedelta(weeks=2)
    with pytest.raises(ValueError, match=r"^table.week must be weeks of the model's data"):
        weekly_tests(mmm, late)
    gap = table.copy()
    gap.loc[1, "week_index"] = 0
    with pytest.raises(ValueError, match="week_index must run 0, 1"):
        weekly_tests(mmm, gap)
    shifted = table.copy()
    shifted.loc[table["channel"] == "x1", "week"] = shifted.loc[
        table["channel"] == "x1", "week"
    ] + pd.Timedelta(weeks=1)
    with pytest.raises(ValueError, match="each week must be the start plus its week_index"):
        weekly_tests(mmm, shifted)
    df = ds.data
    again = simulate_weekly_lift_test(ds, "x1", df["date"].iloc[-36], 2, spend_change=0.5)
    with pytest.raises(ValueError, match=r"^tests of 'x1' overlap"):
        weekly_tests(mmm, pd.concat([table, again], ignore_index=True))
    noisy = table.copy()
    noisy.loc[2, "sigma"] = 0.0
    with pytest.raises(ValueError, match=r"^table.sigma must be finite and > 0"):
        weekly_tests(mmm, noisy)
    n = len(table)
    with pytest.raises(ValueError, match=rf"^covariance must be \({n}, {n}\)"):
        add_weekly_lift_tests(mmm, table, covariance=np.eye(n - 1))
    singular = np.ones((n, n))
    with pytest.raises(ValueError, match=r"^covariance must be positive definite"):
        add_weekly_lift_tests(mmm, table, covariance=singular)
    skew = np.eye(n)
    skew[0, 1] = 0.5
    with pytest.raises(ValueError, match=r"^covariance must be symmetric"):
        add_weekly_lift_tests(mmm, table, covariance=skew)


def test_bad_weekly_reads_name_the_argument(world):
    ds, _ = world
    start = ds.data["date"].iloc[-10]
    with pytest.raises(ValueError, match=r"^drain_weeks must be"):
        simulate_weekly_lift_test(ds, "x1", start, 2, spend_change=0.5, drain_weeks=-1)
    with pytest.raises(ValueError, match=r"^sigma must be"):
        simulate_weekly_lift_test(ds, "x1", start, 2, spend_change=0.5, sigma=0.0)
    with pytest.raises(ValueError, match=r"^weeks must be <= 10"):
        simulate_weekly_lift_test(ds, "x1", start, 11, spend_change=0.5)
    with pytest.raises(ValueError, match=r"^give exactly one of spend_change"):
        simulate_weekly_lift_test(ds, "x1", start, 2)
