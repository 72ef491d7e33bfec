"""The programme study's world and policies (the study's fits run in its own run)."""

import numpy as np
import pandas as pd
import pytest

from labkit.data import simulate_confounded
from labkit.data.experiments import simulate_lift_test
from labkit.data.programme import THIRD_CHANNEL, simulate_programme_world
from labkit.response import geometric_adstock, logistic
from labkit.study.programme import POLICIES, choose_test, programme_study


@pytest.fixture(scope="module")
def world():
    return simulate_programme_world(seed=3)


def test_the_third_channel_joins_the_confounded_world_of_the_same_seed(world):
    two = simulate_confounded(seed=3).data
    df = world.data
    for column in ("x1", "x2", "z", "epsilon"):
        np.testing.assert_array_equal(df[column], two[column])
    amplitude = world.truth["amplitude"]
    p = THIRD_CHANNEL
    effect = p["beta"] * logistic(
        geometric_adstock(df["x3"].to_numpy(), p["adstock_alpha"], 4, True),
        p["saturation_lam"],
        1.0,
    )
    np.testing.assert_allclose(df["y"] - df["y03"], amplitude * effect, rtol=1e-12)
    np.testing.assert_allclose(df["y03"], two["y"], rtol=1e-12)
    assert world.truth["corr_x1_x3"] > 0.3  # the spends move together
    assert set(world.truth["true_roas"]) == {"x1", "x2", "x3"}


def test_a_lift_test_on_the_third_channel_runs_both_worlds(world):
    df = world.data
    start = df["date"].iloc[-20]
    test = simulate_lift_test(world, "x3", start, 6, spend_change=-1.0, sigma=2.0, random_seed=1)
    i0 = len(df) - 20
    x = df["x3"].to_numpy()
    dark = x.copy()
    dark[i0 : i0 + 6] = 0.0
    p, amplitude = THIRD_CHANNEL, world.truth["amplitude"]

    def sales(s):
        return (
            amplitude
            * p["beta"]
            * logistic(geometric_adstock(s, p["adstock_alpha"], 4, True), p["saturation_lam"], 1.0)
        )

    lift = (sales(dark) - sales(x))[i0 : i0 + 6 + 3].sum() / 6
    assert test["true_delta_y"].iloc[0] == pytest.approx(lift, rel=1e-12)
    assert test["delta_y"].iloc[0] != test["true_delta_y"].iloc[0]


def _table():
    return pd.DataFrame(
        {
            "channel": ["x2", "x1", "x3", "x1"],
            "learning_value": [0.1, 0.4, 0.2, 0.3],
            "decision_value": [0.5, 0.1, 2.0, 0.0],
        }
    )


def test_each_policy_picks_its_candidate():
    rng = np.random.default_rng(0)
    spend = {"x1": 0.5, "x2": 0.2, "x3": 0.4}
    table = _table()
    assert choose_test("decision_value", table, spend, rng) == 2
    assert choose_test("learning_value", table, spend, rng) == 1
    assert choose_test("assurance_cost", table, spend, rng) == 0
    assert choose_test("most_spend", table, spend, rng) == 1
    picks = {choose_test("random", table, spend, rng) for _ in range(50)}
    assert picks == {0, 1, 2, 3}
    assert set(POLICIES) == {
        "decision_value",
        "learning_value",
        "assurance_cost",
        "random",
        "most_spend",
    }


def test_bad_programmes_name_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^policy must be one of \['decision_value'"):
        choose_test("greedy", _table(), {"x1": 1.0}, rng)
    with pytest.raises(ValueError, match=r"^table must hold at least one candidate"):
        choose_test("random", _table().iloc[:0], {"x1": 1.0}, rng)
    with pytest.raises(ValueError, match=r"^n_rounds must be"):
        programme_study(0, n_rounds=0)


def _row(seed):
    row = {"seed": seed}
    for j, policy in enumerate(POLICIES):
        for r in range(4):
            row |= {
                f"regret_{policy}_r{r}": 10.0 - r - j,
                f"roas_error_{policy}_r{r}": 0.5 - 0.1 * r,
                f"covered_{policy}_r{r}": r,
                f"test_spend_{policy}_r{r}": float(r),
            }
            if r:
                row[f"test_{policy}_r{r}"] = f"x1 -1 {r}w"
        row[f"regret_total_{policy}"] = 1.0
    return row


def test_programme_rounds_is_one_line_per_world_policy_and_round():
    import matplotlib.pyplot as plt

    from labkit.study.plots import plot_programme
    from labkit.study.programme import programme_rounds

    rounds = programme_rounds(pd.DataFrame([_row(0), _row(1)]))
    assert len(rounds) == 2 * len(POLICIES) * 4
    line = rounds[(rounds["seed"] == 1) & (rounds["policy"] == "random") & (rounds["round"] == 2)]
    assert line[["regret", "covered", "test"]].iloc[0].tolist() == [5.0, 2, "x1 -1 2w"]
    assert (rounds.loc[rounds["round"] == 0, "test"] == "").all()
    assert len(programme_rounds(_row(5))) == len(POLICIES) * 4
    with pytest.raises(ValueError, match=r"^rows hold no programme_study columns"):
        programme_rounds(pd.DataFrame({"seed": [0], "regret_total_random": [1.0]}))
    fig = plot_programme(rounds, title="t")
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == len(POLICIES)
    plt.close(fig)
    with pytest.raises(ValueError, match=r"^rounds is missing columns \['regret'\]"):
        plot_programme(rounds.drop(columns="regret"))
