"""Lift tests along their spend paths: the model's term is the experiment's quantity."""

import copy

import numpy as np
import pandas as pd
import pymc as pm
import pymc.dims as pmd
import pytest
from pymc_marketing.mmm.transformers import logistic_saturation
from pytensor.xtensor import as_xtensor

import labkit
from labkit.data.experiments import changed_spend, simulate_lift_tests
from labkit.roas.path_terms import PATH_COLUMNS, PathLiftMMM, add_lift_test_paths, lift_test_paths
from labkit.study.confounders import LIFT_TESTS, build_confounder_mmm, lift_test_specs


@pytest.fixture(scope="module")
def world():
    ds = labkit.load_dataset("confounded")
    tests = simulate_lift_tests(
        ds, lift_test_specs(ds.data["date"].max(), LIFT_TESTS), sigma=3.0, random_seed=5
    )
    return ds, tests


def _built(ds):
    df = ds.data
    mmm = build_confounder_mmm(df)
    mmm.build_model(df[["date", "x1", "x2"]], df["y"])
    return mmm


def _truth_in_model_units(ds, mmm):
    """The data set's true adstock and saturation parameters on the model's scales."""
    truth, channels = ds.truth, list(mmm.channel_columns)
    channel_scale = np.asarray(mmm.model["channel_scale"].get_value())
    target_scale = float(mmm.model["target_scale"].get_value())
    p = [truth["channels"][c] for c in channels]
    return {
        "adstock_alpha": np.array([q["adstock_alpha"] for q in p]),
        "saturation_lam": np.array([q["saturation_lam"] for q in p]) * channel_scale,
        "saturation_beta": np.array([q["beta"] for q in p]) * truth["amplitude"] / target_scale,
    }


@pytest.mark.slow
def test_at_the_true_parameters_the_model_lift_is_the_experiments_true_lift(world):
    ds, tests = world
    mmm = _built(ds)
    add_lift_test_paths(mmm, tests)
    fixed = pm.do(mmm.model, _truth_in_model_units(ds, mmm))
    model_lift = pm.draw(fixed["lift_measurements_model_lift"])
    np.testing.assert_allclose(model_lift, tests["true_delta_y"], rtol=0, atol=1e-10)
    # the steady-state rows pymc-marketing reads would not: the tests' spend varies
    rows = _truth_in_model_units(ds, mmm)
    scale = np.asarray(mmm.model["channel_scale"].get_value())
    target_scale = float(mmm.model["target_scale"].get_value())
    k = tests["channel"].map({"x1": 0, "x2": 1}).to_numpy()
    x, dx = tests["x"].to_numpy() / scale[k], tests["delta_x"].to_numpy() / scale[k]
    lam = as_xtensor(rows["saturation_lam"][k], dims=("test",))

    def curve(spend):
        return logistic_saturation(as_xtensor(spend, dims=("test",)), lam).eval()

    steady = target_scale * rows["saturation_beta"][k] * (curve(x + dx) - curve(x))
    assert np.abs(steady / tests["true_delta_y"].to_numpy() - 1).max() > 0.03


@pytest.mark.slow
def test_the_likelihood_is_normal_around_the_model_lift_with_the_tests_sigma(world):
    ds, tests = world
    mmm = _built(ds)
    add_lift_test_paths(mmm, tests)
    point = _truth_in_model_units(ds, mmm)
    fixed = pm.do(mmm.model, point)
    target_scale = float(mmm.model["target_scale"].get_value())
    observed = tests["delta_y"].to_numpy() / target_scale
    sd = tests["sigma"].to_numpy() / target_scale
    mu = tests["true_delta_y"].to_numpy() / target_scale
    expected = -0.5 * ((observed - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
    logp = fixed.compile_logp(vars=[fixed["lift_measurements"]], sum=False)
    ip = fixed.initial_point()
    np.testing.assert_allclose(np.asarray(logp(ip)[0]), expected, atol=1e-8)


@pytest.mark.slow
def test_a_fold_of_the_cross_validation_gets_the_path_term(world):
    ds, tests = world
    mmm = _built(ds)
    assert isinstance(mmm, PathLiftMMM), "the chapter's model"
    assert "lift_measurements_model_lift" not in mmm.model.named_vars
    fold = copy.deepcopy(mmm)
    df = ds.data
    last = tests["date"].iloc[1]
    train = df[df["date"] <= last]
    fold.build_model(train[["date", "x1", "x2"]], train["y"])
    fold.add_lift_test_measurements(tests.iloc[:2])
    assert fold.model["lift_measurements_model_lift"].type.shape == (2,)
    with pytest.raises(ValueError, match="read-out ends after the model's last week"):
        short = df[df["date"] <= last - pd.Timedelta(weeks=2)]
        fresh = copy.deepcopy(mmm)
        fresh.build_model(short[["date", "x1", "x2"]], short["y"])
        fresh.add_lift_test_measurements(tests.iloc[:2])
    with pytest.raises(ValueError, match=r"dist must be None or pymc\.dims\.Normal"):
        fold.add_lift_test_measurements(tests.iloc[:1], dist=pmd.Gamma, name="other")


@pytest.mark.slow
def test_the_paths_start_l_max_minus_one_weeks_early_and_read_the_read_out(world):
    ds, tests = world
    mmm = _built(ds)
    before, after, read, index = lift_test_paths(mmm, tests)
    scale = np.asarray(mmm.model["channel_scale"].get_value())
    dates = pd.DatetimeIndex(ds.data["date"])
    for row, test in enumerate(tests.itertuples()):
        i0 = dates.get_loc(test.start)
        spend = ds.data[test.channel].to_numpy()[i0 - 3 : i0 + test.read_weeks]
        np.testing.assert_allclose(before[row, : len(spend)] * scale[index[row]], spend)
        assert read[row].sum() == test.read_weeks and read[row, :3].sum() == 0
        changed = after[row] * scale[index[row]]
        if test.spend_change == -1.0:
            assert (changed[3 : 3 + test.weeks] == 0).all()
        np.testing.assert_allclose(changed[3 + test.weeks : len(spend)], spend[3 + test.weeks :])


@pytest.mark.slow
def test_bad_tables_and_models_are_refused(world):
    ds, tests = world
    mmm = _built(ds)
    with pytest.raises(ValueError, match="lacks the spend-path columns"):
        add_lift_test_paths(mmm, tests.drop(columns="read_weeks"))
    with pytest.raises(ValueError, match="channel"):
        add_lift_test_paths(mmm, tests.assign(channel="x9"))
    with pytest.raises(ValueError, match="start"):
        add_lift_test_paths(mmm, tests.assign(start=pd.Timestamp("1999-01-02")))
    with pytest.raises(ValueError, match="weeks <= read_weeks"):
        add_lift_test_paths(mmm, tests.assign(weeks=20))
    with pytest.raises(ValueError, match="sigma"):
        add_lift_test_paths(mmm, tests.assign(sigma=0.0))
    with pytest.raises(ValueError, match="at least one"):
        add_lift_test_paths(mmm, tests.iloc[:0])
    with pytest.raises(TypeError, match="DataFrame"):
        add_lift_test_paths(mmm, tests.to_dict())
    with pytest.raises(TypeError, match="mmm must be"):
        add_lift_test_paths(object(), tests)
    with pytest.raises(ValueError, match="build_model"):
        add_lift_test_paths(build_confounder_mmm(ds.data), tests)
    assert set(PATH_COLUMNS) <= set(tests.columns)


def test_changed_spend_applies_one_change_inside_the_window():
    spend = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(
        changed_spend(spend, slice(1, 3), spend_change=-0.5), [1.0, 1.0, 1.5, 4.0]
    )
    np.testing.assert_allclose(
        changed_spend(spend, slice(1, 3), spend_added=-2.5, spend_change=np.nan), [1, 0, 0.5, 4]
    )
    assert spend.tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="exactly one"):
        changed_spend(spend, slice(1, 3), spend_change=0.1, spend_added=1.0)
    with pytest.raises(ValueError, match="exactly one"):
        changed_spend(spend, slice(1, 3))
