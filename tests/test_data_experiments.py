"""Lift tests simulated from the data-generating process: both worlds, same noise."""

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

import labkit
from labkit.data.experiments import (
    before_test,
    channel_response,
    run_geo_test,
    simulate_lift_test,
    simulate_lift_tests,
    steady_state_lift,
)
from labkit.response import adstock_ramp, logistic
from labkit.roas import true_roas
from labkit.stats import effective_sigma


@pytest.fixture(scope="module")
def confounded():
    return labkit.load_dataset("confounded")


@pytest.fixture(scope="module")
def linear():
    """two_countries with a Michaelis-Menten curve so wide that meta is linear: f(x) = 2 x."""
    ds = copy.deepcopy(labkit.load_dataset("two_countries"))
    ds.truth["channels"]["meta"]["saturation_lam"] = 1e12
    ds.truth["channels"]["meta"]["saturation_alpha"] = 2e12
    return ds


def _start(ds, weeks_before_end):
    return ds.data["date"].max() - pd.Timedelta(weeks=weeks_before_end)


def test_a_linear_channel_gives_roas_times_delta_x_exactly(linear):
    row = simulate_lift_test(
        linear, "meta", _start(linear, 40), 6, delta_x=0.5, geo="venezuela", sigma=1.0
    ).iloc[0]
    assert row["true_delta_y"] == pytest.approx(2.0 * 0.5, rel=1e-9)
    cut = simulate_lift_test(
        linear, "meta", _start(linear, 40), 6, spend_change=-1.0, geo="venezuela", sigma=1.0
    ).iloc[0]
    assert cut["delta_x"] == pytest.approx(-cut["x"])
    assert cut["true_delta_y"] == pytest.approx(2.0 * cut["delta_x"], rel=1e-9)


def test_without_carryover_a_linear_channel_sees_the_adstock_ramp(linear):
    weeks, alpha = 6, linear.truth["channels"]["meta"]["adstock_alpha"]
    row = simulate_lift_test(
        linear, "meta", _start(linear, 40), weeks, delta_x=0.5, geo="venezuela", carryover=False
    ).iloc[0]
    ramp = adstock_ramp(alpha, linear.truth["l_max"], weeks).mean()
    assert row["true_delta_y"] == pytest.approx(2.0 * 0.5 * ramp, rel=1e-9)
    assert row["true_delta_y"] < 1.0


def test_a_saturating_channel_lifts_less_than_the_average_roas_implies(confounded):
    roas = true_roas(confounded.data, {"x1": "y01", "x2": "y02"})
    for channel in ("x1", "x2"):
        row = simulate_lift_test(confounded, channel, _start(confounded, 30), 8, delta_x=0.3).iloc[
            0
        ]
        assert 0 < row["true_delta_y"] < roas[channel] * row["delta_x"]


def test_carryover_adds_what_the_adstock_leaks_past_the_window(confounded):
    kwargs = {"delta_x": 0.3, "sigma": 1.0}
    inside = simulate_lift_test(
        confounded, "x1", _start(confounded, 30), 8, carryover=False, **kwargs
    )
    total = simulate_lift_test(
        confounded, "x1", _start(confounded, 30), 8, carryover=True, **kwargs
    )
    assert total["true_delta_y"][0] > inside["true_delta_y"][0]
    # both worlds differ only in x1: the difference of the observed sales columns is the lift
    spend, response, _, dates = channel_response(confounded, "x1")
    assert np.allclose(response(spend), confounded.data["y"] - confounded.data["y01"])
    i0 = int(dates.get_loc(_start(confounded, 30)))
    changed = spend.copy()
    changed[i0 : i0 + 8] += 0.3
    leak = (response(changed) - response(spend))[i0 + 8 : i0 + 11].sum() / 8
    assert total["true_delta_y"][0] - inside["true_delta_y"][0] == pytest.approx(leak, rel=1e-12)
    assert total["date"][0] == dates[i0 + 10] and inside["date"][0] == dates[i0 + 7]


def test_the_estimate_has_the_stated_noise(confounded):
    rows = [
        simulate_lift_test(confounded, "x2", _start(confounded, 30), 8, delta_x=0.2, random_seed=s)
        for s in range(2000)
    ]
    table = pd.concat(rows, ignore_index=True)
    sd = confounded.truth["noise_sd"] * confounded.truth["amplitude"]
    expected = float(effective_sigma(sd, 0.0, 11)) / 8
    assert table["sigma"].eq(table["sigma"][0]).all() and table["sigma"][0] == pytest.approx(
        expected
    )
    errors = table["delta_y"] - table["true_delta_y"]
    assert abs(errors.mean()) < 4 * expected / np.sqrt(2000)
    assert errors.std() == pytest.approx(expected, rel=0.05)
    with_baseline = simulate_lift_test(
        confounded, "x2", _start(confounded, 30), 8, delta_x=0.2, baseline_weeks=26
    )
    assert with_baseline["sigma"][0] > expected


def test_noise_streams_share_no_draws_with_the_world_or_with_other_tests(confounded):
    specs = [
        {"channel": c, "start": _start(confounded, w), "weeks": 4, "delta_x": 0.1}
        for c, w in (("x1", 40), ("x2", 30), ("x1", 20))
    ]
    z = []
    for seed in range(30):
        table = simulate_lift_tests(confounded, specs, sigma=1.0, random_seed=seed)
        z.extend(table["delta_y"] - table["true_delta_y"])
    # the simulators' own streams: default_rng(seed) and default_rng(seed + 1)
    world = [np.random.default_rng(s).standard_normal() for s in range(32)]
    assert len(np.unique(np.round(z, 9))) == len(z) == 90
    assert not np.isin(np.round(z, 9), np.round(world, 9)).any()
    one = simulate_lift_test(confounded, **specs[0], sigma=1.0, random_seed=29)
    assert float(one["delta_y"][0] - one["true_delta_y"][0]) == pytest.approx(z[-3], abs=1e-12)
    rng = np.random.default_rng(5)
    again = np.random.default_rng(5)
    args = (confounded, "x1", _start(confounded, 30), 4)
    first = simulate_lift_test(*args, delta_x=0.1, random_seed=rng)
    assert first.equals(simulate_lift_test(*args, delta_x=0.1, random_seed=again))


def test_geo_panels_take_a_geo(confounded):
    geo = labkit.load_dataset("geo_panel")
    row = simulate_lift_test(
        geo, "channel_2", geo.data["date"].iloc[20], 8, spend_change=0.2, geo="geo_03"
    )
    assert list(row.columns[:3]) == ["channel", "geo", "x"] and row["true_delta_y"][0] > 0
    with pytest.raises(ValueError, match="geo must be one of"):
        simulate_lift_test(geo, "channel_2", geo.data["date"].iloc[20], 8, delta_x=0.1)
    with pytest.raises(ValueError, match="geo must be None"):
        simulate_lift_test(confounded, "x1", _start(confounded, 30), 8, delta_x=0.1, geo="geo_00")


def test_several_tests_are_sorted_by_the_date_their_result_is_known(confounded):
    table = simulate_lift_tests(
        confounded,
        [
            {"channel": "x1", "start": _start(confounded, 20), "weeks": 4, "delta_x": 0.2},
            {"channel": "x2", "start": _start(confounded, 50), "weeks": 4, "spend_change": -1.0},
        ],
        sigma=2.0,
        random_seed=3,
    )
    assert table["channel"].tolist() == ["x2", "x1"] and (table["sigma"] == 2.0).all()
    assert (table["delta_x"] * table["delta_y"] > 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": "tv"}, "channel must be one of"),
        ({"start": "1999-01-02"}, "start must be a week of the data set"),
        ({"weeks": 0}, "weeks must be"),
        ({"weeks": 200}, "weeks must be <="),
        ({"delta_x": None}, "give exactly one of delta_x"),
        ({"spend_change": 0.2}, "give exactly one of delta_x"),
        ({"delta_x": 0.0}, "delta_x must be non-zero"),
        ({"delta_x": None, "spend_change": 0.0}, "spend_change must be non-zero"),
        ({"delta_x": None, "spend_change": 7.0}, "spend_change"),
        ({"sigma": -1.0}, "sigma"),
        ({"carryover": "yes"}, "carryover"),
    ],
)
def test_bad_arguments_are_named(confounded, kwargs, message):
    args = {"channel": "x1", "start": _start(confounded, 30), "weeks": 8, "delta_x": 0.2}
    args |= kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        simulate_lift_test(confounded, **args)


def test_only_the_simulated_data_sets_are_accepted(confounded):
    with pytest.raises(TypeError, match="dataset must be a simulated data set"):
        simulate_lift_test(confounded.data, "x1", _start(confounded, 30), 8, delta_x=0.2)
    # the data decide, not the name: a renamed copy is still a confounded world
    renamed = dataclasses.replace(confounded, name="mine")
    simulate_lift_test(renamed, "x1", _start(confounded, 30), 8, delta_x=0.2)
    other = dataclasses.replace(confounded, data=confounded.data.drop(columns="x2"))
    with pytest.raises(ValueError, match="dataset must hold the columns and truth of one of"):
        simulate_lift_test(other, "x1", _start(confounded, 30), 8, delta_x=0.2)
    with pytest.raises(ValueError, match="tests must be a non-empty sequence"):
        simulate_lift_tests(confounded, [])


def test_steady_state_lift_is_the_true_curve_and_a_varying_spend_lifts_less(confounded):
    p, amplitude = confounded.truth["channels"]["x1"], confounded.truth["amplitude"]
    curve = amplitude * (
        logistic(0.7, p["saturation_lam"], p["beta"])
        - logistic(0.4, p["saturation_lam"], p["beta"])
    )
    assert steady_state_lift(confounded, "x1", 0.4, 0.3) == pytest.approx(curve, rel=1e-12)
    row = simulate_lift_test(confounded, "x1", _start(confounded, 60), 8, spend_change=-1.0).iloc[0]
    held = steady_state_lift(confounded, "x1", row["x"], row["delta_x"])
    assert abs(row["true_delta_y"]) < abs(held), "Jensen: the mean of concave lifts is smaller"
    with pytest.raises(ValueError, match="delta_x"):
        steady_state_lift(confounded, "x1", 0.4, -0.5)


@pytest.fixture(scope="module")
def geo_panel():
    return labkit.load_dataset("geo_panel")


def test_the_geo_panels_true_response_leaves_iid_noise(geo_panel):
    """channel_response is the generating model's mean: what remains is its N(0, 0.08) noise."""
    truth, df = geo_panel.truth, geo_panel.data
    residual, response = [], {c: [] for c in truth["channels"]}
    for g in truth["geos"]:
        rows = df[df["geo"] == g]
        parts = {c: channel_response(geo_panel, c, g)[1](rows[c].to_numpy()) for c in response}
        residual.append(rows["y"].to_numpy() - truth["intercept"][g] - sum(parts.values()))
        for c, part in parts.items():
            response[c].append(part)
    residual = np.concatenate(residual)
    assert residual.std() == pytest.approx(0.08, abs=0.008) and abs(residual.mean()) < 0.01
    for parts in response.values():
        assert abs(np.corrcoef(residual, np.concatenate(parts))[0, 1]) < 0.1


def test_rerunning_the_panels_own_test_gives_the_panel_back(geo_panel):
    truth = geo_panel.truth
    same = run_geo_test(geo_panel, truth["treated_geos"], "channel_1", 8, delta_x=0.15)
    assert type(same) is type(geo_panel)
    for column in ("y", "channel_1", "channel_2", "channel_1_counterfactual"):
        np.testing.assert_allclose(same.data[column], geo_panel.data[column], atol=1e-9)
    assert same.data["treated"].equals(geo_panel.data["treated"])
    assert same.data["experiment"].equals(geo_panel.data["experiment"])


def test_another_geo_test_changes_only_its_geos_and_weeks_by_the_true_lift(geo_panel):
    run = run_geo_test(geo_panel, ["geo_03"], "channel_2", 6, spend_change=0.5)
    truth, df = run.truth, run.data
    assert truth["treated_geos"] == ["geo_03"] and truth["test_channel"] == "channel_2"
    assert truth["delta_x"] is None and truth["spend_change"] == 0.5
    assert truth["experiment_start"] == geo_panel.truth["experiment_start"]
    weeks = sorted(df["date"].unique())
    assert len(weeks) == 96 + 6 and str(weeks[-1].date()) == truth["experiment_end"]
    start = pd.Timestamp(truth["experiment_start"])
    test = df[df["experiment"]]
    assert set(test["date"]) == set(weeks[96:]) and len(test) == 8 * 6
    # the old test is gone: channel_1 is the untreated spend everywhere
    old = geo_panel.data.set_index(["date", "geo"]).loc[
        pd.MultiIndex.from_frame(df[["date", "geo"]])
    ]
    np.testing.assert_allclose(df["channel_1"], old["channel_1_counterfactual"], atol=1e-12)
    moved = df["channel_2"].to_numpy() != old["channel_2"].to_numpy()
    assert set(df.loc[moved, "geo"]) == {"geo_03"} and (df.loc[moved, "date"] >= start).all()
    np.testing.assert_allclose(
        df.loc[moved, "channel_2"], 1.5 * df.loc[moved, "channel_2_counterfactual"], rtol=1e-12
    )
    # sales move by the true lift of the new test minus the old test's, with the same noise
    same_week = simulate_lift_test(
        geo_panel, "channel_2", start, 6, spend_change=0.5, geo="geo_03", carryover=False
    )
    rows = df[(df["geo"] == "geo_03") & df["experiment"]]
    before = old.loc[pd.MultiIndex.from_frame(rows[["date", "geo"]]), "y"].to_numpy()
    assert (rows["y"].to_numpy() - before).mean() == pytest.approx(
        float(same_week["true_delta_y"][0]), rel=1e-9
    )
    untouched = ~df["geo"].isin(geo_panel.truth["treated_geos"] + ["geo_03"])
    np.testing.assert_allclose(
        df.loc[untouched, "y"], old.loc[untouched.to_numpy(), "y"], atol=1e-12
    )
    assert before_test(run).data["date"].max() < start
    pre, pre_old = before_test(run).data, before_test(geo_panel).data
    assert len(pre) == len(pre_old) == 8 * 96
    for column in ("y", "channel_1", "channel_2"):
        np.testing.assert_allclose(pre[column], pre_old[column], atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"treated_geos": ["geo_99"]}, ValueError, "treated_geos"),
        ({"treated_geos": ["geo_00", "geo_00"]}, ValueError, "treated_geos"),
        ({"treated_geos": [f"geo_{i:02d}" for i in range(7)]}, ValueError, "at least 2"),
        ({"channel": "tv"}, ValueError, "channel must be one of"),
        ({"weeks": 9}, ValueError, r"weeks must lie in \[1, 8\]"),
        ({"weeks": 0}, ValueError, "weeks"),
        ({"spend_change": None}, ValueError, "give exactly one of"),
        ({"delta_x": 0.1}, ValueError, "give exactly one of"),
        ({"spend_change": 6.0}, ValueError, "spend_change"),
        ({"spend_change": 0.0}, ValueError, "spend_change must be non-zero"),
        ({"spend_change": None, "delta_x": 0.0}, ValueError, "delta_x must be non-zero"),
    ],
)
def test_run_geo_test_names_bad_arguments(geo_panel, kwargs, error, message):
    args = {"treated_geos": ["geo_01"], "channel": "channel_1", "weeks": 4, "spend_change": 0.5}
    with pytest.raises(error, match=message):
        run_geo_test(geo_panel, **(args | kwargs))


def test_geo_tests_need_the_geo_panel(confounded):
    with pytest.raises(ValueError, match="dataset must be a geo panel, got a 'confounded'"):
        run_geo_test(confounded, ["geo_01"], "x1", 4, spend_change=0.5)
    with pytest.raises(ValueError, match="dataset must be a geo panel"):
        before_test(confounded)
