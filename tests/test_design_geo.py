"""Geo-level design: treated sets, placebo read-out noise from CausalPy, the ranked table."""

import causalpy as cp
import numpy as np
import pandas as pd
import pytest

from labkit.data.experiments import geo_expected_sales
from labkit.design import GeoRanking, geo_panel_designer
from labkit.design.detection import simulate_placebo_detection
from labkit.design.geo_designer import GeoDesigner, choose_design
from labkit.design.placebo import PlaceboNoise, placebo_noise, set_label, treated_sets


@pytest.fixture(scope="module")
def geo_designer(geo):
    designer = geo_panel_designer(geo, n_draws=500, spread=0.1, seed=3)
    return GeoDesigner(designer, geo.data, pre_end=geo.truth["experiment_start"])


def test_the_geo_panel_designer_is_centred_on_the_truth(geo):
    designer = geo_panel_designer(geo, n_draws=4000, spread=0.1, seed=3)
    truth = geo.truth
    lam = designer.saturation_draws("channel_1", "geo_03")["lam"]
    assert np.median(lam) == pytest.approx(truth["saturation_lam"]["geo_03"]["channel_1"], rel=0.02)
    assert np.std(np.log(lam)) == pytest.approx(0.1, rel=0.05)
    with pytest.raises(ValueError, match="geo_panel"):
        geo_panel_designer(None)


def test_treated_sets_leave_enough_donors():
    geos = [f"g{i}" for i in range(8)]
    sets = treated_sets(geos, 2)
    assert len(sets) == 8 + 28 and sets[0] == ("g0",) and sets[-1] == ("g6", "g7")
    assert len(treated_sets(geos, 5, min_donors=3)) == sum(
        len(treated_sets(geos, k, min_donors=3)) - len(treated_sets(geos, k - 1, min_donors=3))
        if k > 1
        else 8
        for k in range(1, 6)
    )
    with pytest.raises(ValueError, match="max_size must be <= 5"):
        treated_sets(geos, 6, min_donors=3)
    assert set_label(("a", "b")) == "a+b"


def test_placebo_effects_are_causalpys_synthetic_control_on_windows_where_nothing_happened(geo):
    df, start = geo.data, geo.truth["experiment_start"]
    noise = placebo_noise(df, [("geo_01",), ("geo_02", "geo_04")], [4, 8], pre_end=start,
                          n_windows=4, progress=False)  # fmt: skip
    assert isinstance(noise, PlaceboNoise)
    effects = noise.effects
    assert len(effects) == 2 * 4 * 2
    # one window by hand: the pair's mean against the six other geos, fitted before the window
    wide = df.pivot(index="date", columns="geo", values="y")
    wide = wide[wide.index < pd.Timestamp(start)]
    first = effects[(effects["treated_set"] == "geo_02+geo_04") & (effects["duration"] == 8)]
    i0 = wide.index.get_loc(first["start"].iloc[0])
    donors = [g for g in wide.columns if g not in ("geo_02", "geo_04")]
    series = wide[donors].assign(treated=wide[["geo_02", "geo_04"]].mean(axis=1)).iloc[: i0 + 8]
    data = series - series.iloc[:i0].mean()
    with pytest.warns(UserWarning, match="onvex hull"):
        result = cp.SyntheticControl(
            data,
            data.index[i0],
            control_units=donors,
            treated_units=["treated"],
            model=cp.skl_models.WeightedProportion(),
        )
    by_hand = 2 * float(np.asarray(result.post_impact).reshape(-1)[:8].sum())
    assert first["effect"].iloc[0] == pytest.approx(by_hand, abs=1e-10)
    sigma = noise.sigma()
    assert sigma.shape == (2, 2)
    mine = effects[(effects["treated_set"] == "geo_01") & (effects["duration"] == 4)]["effect"]
    assert sigma.loc["geo_01", 4] == pytest.approx(np.sqrt(np.mean(mine**2)))
    facts = noise.feasibility
    assert facts.loc["geo_01", "n_donors"] == 7 and facts.loc["geo_02+geo_04", "n_donors"] == 6
    assert ((facts["outside_hull"] >= 0) & (facts["outside_hull"] <= 1)).all()
    assert facts["treated_share"].between(0, 1).all()
    share = wide[["geo_02", "geo_04"]].sum().sum() / wide.sum().sum()
    assert facts.loc["geo_02+geo_04", "treated_share"] == pytest.approx(share)


def test_model_noise_ranking_sums_lifts_over_the_set(geo_designer):
    sets = [("geo_00",), ("geo_02",), ("geo_00", "geo_02")]
    ranking = geo_designer.rank(sets, placebo=False, learning_value=False, durations=(4, 8))
    assert isinstance(ranking, GeoRanking) and len(ranking) == 3 * 2 * 1 * 2
    assert ranking[0]["rank"] == 1 and ranking.settings["durations"] == [4, 8]
    assert set(ranking.table["treated_set"]) == set(sets)  # tuples, not labels
    table = ranking.to_dataframe()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    key = ["channel", "duration"]
    one = table.set_index(["treated_set", *key])
    pair = one.loc["geo_00+geo_02"]
    singles = one.loc["geo_00"][["lift_mean"]] + one.loc["geo_02"][["lift_mean"]]
    np.testing.assert_allclose(pair["lift_mean"], singles.loc[pair.index, "lift_mean"], rtol=1e-12)
    quad = np.sqrt(one.loc["geo_00"]["sigma_model"] ** 2 + one.loc["geo_02"]["sigma_model"] ** 2)
    np.testing.assert_allclose(pair["sigma_model"], quad.loc[pair.index], rtol=1e-12)
    assert (table["sigma"] == table["sigma_model"]).all() and table["sigma_placebo"].isna().all()
    assert (table["n_geos"] == table["treated_set"].str.count(r"\+") + 1).all()
    # scored and sorted as the national designer scores: shared weights, best score first
    from labkit.design.checks import check_weights
    from labkit.design.grid import score_candidates

    assert (np.diff(table["score"].to_numpy()) <= 0).all()
    efficiency, score, dominated = score_candidates(
        table["assurance"].to_numpy(), table["net_cost"].to_numpy(),
        np.full(len(table), np.nan), check_weights(None),
    )  # fmt: skip
    np.testing.assert_allclose(table["score"], score)
    np.testing.assert_allclose(table["cost_efficiency"], efficiency)
    assert (table["dominated"].to_numpy() == dominated).all()
    heavy = geo_designer.rank(
        sets, placebo=False, learning_value=False, durations=(4, 8),
        score_weights={"assurance": 1.0},
    )  # fmt: skip
    assert (np.diff(heavy.table["assurance"].to_numpy()) <= 0).all()


def test_placebo_ranking_uses_the_larger_noise_and_is_cached(geo_designer, monkeypatch):
    sets = [("geo_01",), ("geo_03",)]
    ranking = geo_designer.rank(sets, durations=(4, 8), progress=False, n_outcomes=16)
    table = ranking.table
    assert (table["sigma"] == np.fmax(table["sigma_model"], table["sigma_placebo"])).all()
    assert {"pre_r2", "pre_rmse", "outside_hull", "treated_share", "n_donors", "feasible"} <= set(
        table.columns
    )
    assert table["learning_value"].between(-0.05, 1).all() and (table["learning_ess"] > 1).all()

    def refuse(*args, **kwargs):
        raise AssertionError("placebo fits must come from the cache")

    monkeypatch.setattr("labkit.design.geo_designer.placebo_noise", refuse)
    again = geo_designer.rank(sets, durations=(4, 8), progress=False, n_outcomes=16)
    pd.testing.assert_frame_equal(table, again.table)

    # the read's sd: the placebo sd widened by t/z for its independent windows, data units
    # per geo; each geo of a pair gets its own
    from scipy.stats import norm, t

    from labkit.stats import HDI_PROB

    q = 0.5 + HDI_PROB / 2
    widen = t.ppf(q, table["placebo_windows"]) / norm.ppf(q)
    np.testing.assert_allclose(table["sigma_read"], table["sigma_placebo"] * widen, rtol=1e-12)
    assert (widen > 1).all() and (table["placebo_windows"] >= 1).all()
    scale = dict(zip(geo_designer.geos, geo_designer.designer.target_scale, strict=True))
    single = table[table["treated_set"] == ("geo_03",)].iloc[0]
    assert geo_designer.read_placebo_sigma(single) == {
        "geo_03": pytest.approx(single["sigma_read"] * scale["geo_03"], rel=1e-12)
    }
    pair = single.copy()
    pair["treated_set"] = ("geo_01", "geo_03")
    sds = geo_designer.read_placebo_sigma(pair, ranking)
    alone = table[(table["treated_set"] == ("geo_01",)) & (table["duration"] == single["duration"])]
    assert sds["geo_03"] == pytest.approx(single["sigma_read"] * scale["geo_03"], rel=1e-12)
    assert sds["geo_01"] == pytest.approx(alone["sigma_read"].iloc[0] * scale["geo_01"], rel=1e-12)
    with pytest.raises(ValueError, match="reads each geo on its own"):
        geo_designer.read_placebo_sigma(pair)
    with pytest.raises(ValueError, match=r"no single-geo candidate for \['geo_01'\]"):
        geo_designer.read_placebo_sigma(
            pair, GeoRanking(table[table["treated_set"] != ("geo_01",)])
        )
    with pytest.raises(TypeError, match=r"^candidate must be a rank\(\) row"):
        geo_designer.read_placebo_sigma(single.to_dict())
    with pytest.raises(ValueError, match=r"missing \['sigma_read'\]"):
        geo_designer.read_placebo_sigma(single.drop("sigma_read"))
    with pytest.raises(ValueError, match="unknown geos"):
        geo_designer.read_placebo_sigma(pd.Series({**pair.to_dict(), "treated_set": ("geo_99",)}))
    unranked = single.copy()
    unranked["sigma_read"] = np.nan
    with pytest.raises(ValueError, match="rank with placebo=True"):
        geo_designer.read_placebo_sigma(unranked)


def test_bad_geo_designs_name_the_argument(geo_designer, geo):
    with pytest.raises(ValueError, match=r"sets\[0\] has unknown geo"):
        geo_designer.rank([("geo_99",)], placebo=False)
    with pytest.raises(ValueError, match="leaves 0 donor"):
        geo_designer.rank([tuple(geo.truth["geos"])], placebo=False)
    with pytest.raises(ValueError, match="durations must be <= "):
        geo_designer.placebo([("geo_01",)], [80], progress=False)
    with pytest.raises(ValueError, match="repeats a geo"):
        geo_designer.rank([("geo_01", "geo_01")], placebo=False)
    with pytest.raises(TypeError, match="designer must be an ExperimentDesigner"):
        GeoDesigner(object(), geo.data)
    with pytest.raises(ValueError, match="panel geos"):
        GeoDesigner(geo_designer.designer, geo.data[geo.data["geo"] != "geo_07"])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['y'\].*value="):
        GeoDesigner(geo_designer.designer, geo.data.drop(columns="y"))
    with pytest.raises(TypeError, match="panel must be a DataFrame"):
        GeoDesigner(geo_designer.designer, geo.data.to_numpy())
    with pytest.raises(ValueError, match="unknown channel"):
        geo_designer.rank([("geo_01",)], channels=["tv"], placebo=False)


@pytest.mark.slow
def test_simulated_geo_tests_are_read_by_the_synthetic_control(geo_designer, geo):
    expected, noise_sd = geo_expected_sales(geo)
    args = (geo_designer, expected, noise_sd, ("geo_01",), "channel_2", 0.5, 6)
    loud = simulate_placebo_detection(*args, sigma=1e-6, n_tests=20, random_seed=1)
    quiet = simulate_placebo_detection(*args, sigma=1e6, n_tests=20, random_seed=1)
    assert loud["significant"].all() and not quiet["significant"].any()
    pd.testing.assert_frame_equal(
        loud.drop(columns="significant"), quiet.drop(columns="significant")
    )
    # the read-out error is the synthetic control's, not the injected lift's: about 0.2 here
    error = loud["estimate"] - loud["true_lift"]
    assert 0.05 < error.std() < 0.6 and abs(error.mean()) < 0.3
    with pytest.raises(TypeError, match="expected_sales must be a DataFrame"):
        simulate_placebo_detection(
            geo_designer, None, {}, ("geo_01",), "channel_2", 0.5, 6, sigma=1
        )
    with pytest.raises(ValueError, match=r"cover every geo; missing \['geo_07'\]"):
        simulate_placebo_detection(
            geo_designer, expected.drop(columns="geo_07"), noise_sd, ("geo_01",), "channel_2", 0.5,
            6, sigma=1.0,
        )  # fmt: skip


def test_geo_figures(geo_designer):
    from labkit.design.plots import plot_geo_grid, plot_placebo_effects

    sets = [("geo_01",), ("geo_03",), ("geo_05",)]
    table = geo_designer.rank(sets, durations=(4, 8), progress=False, learning_value=False)
    fig = plot_geo_grid(table, "assurance")
    assert fig.axes[0].get_ylabel() == "treated geo" and len(fig.axes[0].get_yticklabels()) == 3
    placebo = geo_designer.placebo(sets, (4, 8), progress=False)
    fig = plot_placebo_effects(table, placebo, 8)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["geo_01", "geo_03", "geo_05"]
    with pytest.raises(ValueError, match="value must be a column"):
        plot_geo_grid(table, "nope")
    with pytest.raises(ValueError, match="duration must be one of"):
        plot_placebo_effects(table, placebo, 5)


def _ranking(assurance, learning, feasible=None):
    n = len(assurance)
    return pd.DataFrame(
        {
            "treated_set": [f"geo_{i:02d}" for i in range(n)],
            "assurance": assurance,
            "learning_value": learning,
            "feasible": [True] * n if feasible is None else feasible,
        }
    )


def test_choose_design_takes_the_most_informative_assured_candidate():
    table = _ranking([0.95, 0.85, 0.5, 0.81], [0.1, 0.3, 0.9, 0.3])
    assert choose_design(table)["treated_set"] == "geo_01"  # the tie goes to the ranking's order
    assert choose_design(table, min_assurance=0.9)["treated_set"] == "geo_00"
    # an infeasible candidate is never chosen, however informative
    table = _ranking([0.95, 0.9], [0.1, 0.8], feasible=[True, False])
    assert choose_design(table)["treated_set"] == "geo_00"
    # nothing assured: the most likely to succeed
    assert choose_design(_ranking([0.3, 0.6, 0.5], [0.9, 0.1, 0.2]))["treated_set"] == "geo_01"


def test_choose_design_names_bad_input():
    with pytest.raises(TypeError, match=r"^ranking must be a GeoDesigner\.rank result"):
        choose_design([1, 2])
    with pytest.raises(ValueError, match=r"missing \['learning_value'\]"):
        choose_design(_ranking([0.9], [0.1]).drop(columns="learning_value"))
    with pytest.raises(ValueError, match=r"^min_assurance"):
        choose_design(_ranking([0.9], [0.1]), min_assurance=1.5)
    with pytest.raises(ValueError, match="no feasible candidate"):
        choose_design(_ranking([0.9], [0.1], feasible=[False]))
    with pytest.raises(TypeError, match=r"^feasible_only must be"):
        choose_design(_ranking([0.9], [0.1]), feasible_only="no")


def test_choose_design_can_look_past_the_feasibility_flag():
    table = _ranking([0.9, 0.95], [0.2, 0.4], feasible=[False, False])
    assert choose_design(table, feasible_only=False)["treated_set"] == "geo_01"


def test_placebo_windows_count_the_independent_ones(geo_designer):
    from labkit.design.placebo import PlaceboNoise, read_sigma

    effects = pd.DataFrame(
        {
            "treated_set": "a",
            "start": pd.date_range("2024-01-01", periods=10, freq="W-MON").repeat(2),
            "duration": [3, 5] * 10,
            "effect": 0.1,
        }
    )
    windows = PlaceboNoise(effects, pd.DataFrame()).windows()
    # starts 0..9: a 3-week test fits at 0, 3, 6, 9; a 5-week one at 0 and 5
    assert windows.loc["a"].to_dict() == {3: 4, 5: 2}
    assert read_sigma(2.0, 1e6) == pytest.approx(2.0, rel=1e-5)  # many windows: the normal
    assert read_sigma(2.0, 4) > read_sigma(2.0, 10) > 2.0
    with pytest.raises(ValueError, match=r"^windows must be >= 1"):
        read_sigma(1.0, 0)
    with pytest.raises(ValueError, match=r"^prob must be"):
        read_sigma(1.0, 3, prob=1.5)


def test_the_geo_learning_check_is_the_committed_studys():
    from labkit.design.learning import geo_learning_check
    from labkit.study import load_study

    check = geo_learning_check()
    rows, _ = load_study("geo_test_loop")
    ratio = rows.loc[rows["status"] == "ok", "learning_ratio"].dropna()
    assert check.n_panels == len(ratio) >= 20
    assert check.median_ratio == pytest.approx(ratio.median())
    assert check.within_25 == int(((ratio - 1).abs() <= 0.25).sum())
    assert f"{check.median_ratio:.2f}" in str(check) and "geo_test_loop" in str(check)


def test_a_geo_ranking_with_learning_value_says_how_far_to_trust_it(geo_designer):
    with_value = geo_designer.rank([("geo_01",)], placebo=False, durations=(4,), n_outcomes=16)
    assert with_value.learning_check is not None
    assert str(with_value.learning_check) in with_value._repr_html_()
    without = geo_designer.rank([("geo_01",)], placebo=False, durations=(4,), learning_value=False)
    assert without.learning_check is None and "refits" not in without._repr_html_()
