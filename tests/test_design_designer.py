"""ExperimentDesigner: lift, assurance and ranking on a posterior with known truth."""

import numpy as np
import pytest
import xarray as xr

from labkit.design.designer import ExperimentDesigner
from labkit.design.fixture import simulate_designer_fixture
from labkit.design.recommendations import Recommendations
from labkit.response import steady_state_multiplier


@pytest.fixture(scope="module")
def edge():
    fx = simulate_designer_fixture(
        ("tv", "search", "social", "display"), spend_correlation={("tv", "search"): 0.85}
    )
    return fx.designer()


def xr_geo(values):
    return xr.DataArray(values, dims="geo", coords={"geo": ["north", "south"]})


# ----------------------------------------------------------------- recommendations


def test_recommend_defaults_cover_the_default_grid(designer):
    recs = designer.recommend(min_snr=0.0)
    assert recs.n_evaluated == 3 * 7 * 4 == len(recs)
    df = recs.to_dataframe()
    assert list(df.columns[:11]) == [
        "channel", "spend_change", "duration", "expected_lift", "lift_hdi_lower",
        "lift_hdi_upper", "snr", "assurance", "ramp_fraction", "net_cost", "score",
    ]  # fmt: skip
    assert (np.diff(df["score"]) <= 1e-12).all(), "ranked by score"
    assert (
        (df["lift_hdi_lower"] <= df["expected_lift"])
        & (df["expected_lift"] <= df["lift_hdi_upper"])
    ).all()
    assert isinstance(recs[:5], Recommendations) and len(recs[:5]) == 5
    assert "<table" in recs._repr_html_()


def test_snr_filter(designer):
    recs = designer.recommend(min_snr=2.0)
    assert all(abs(r.snr) >= 2.0 for r in recs)
    assert len(recs) < recs.n_evaluated


def test_assurance_rises_with_duration(designer):
    for change in (0.1, 0.2, -0.2):
        values = [designer.evaluate("tv", change, w).assurance for w in (2, 4, 6, 8, 12, 16)]
        assert np.all(np.diff(values) > 0), values


def test_detection_rate_matches_assurance(designer):
    for channel, change, weeks in [("search", 0.2, 4), ("tv", -0.5, 6), ("social", 0.3, 8)]:
        summary = designer.evaluate(channel, change, weeks)
        rate = designer.simulate_detection_rate(
            channel, change, weeks, n_experiments=4000, random_seed=11
        )
        assert abs(rate - summary.assurance) < 0.03, (channel, rate, summary.assurance)


def test_tempered_and_sceptical_assurance(designer):
    recs = designer.recommend(prior_trust=3.0, null_probability=0.4, min_snr=0.0)
    for r in recs:
        expected = 0.6 * r.assurance + 0.4 * 0.05
        assert r.assurance_sceptical == pytest.approx(expected)
    confident = [r for r in recs if r.assurance > 0.9]
    assert confident and all(r.assurance_tempered < r.assurance for r in confident)


def test_one_sided_counts_the_expected_direction(designer):
    two = designer.evaluate("search", -0.2, 6)
    one = designer.evaluate("search", -0.2, 6, one_sided=True)
    assert one.assurance > two.assurance  # same level, all power in one tail


def test_score_weights(designer):
    only_assurance = designer.recommend(score_weights={"assurance": 1.0}, min_snr=0.0)
    values = [r.assurance for r in only_assurance]
    assert values == sorted(values, reverse=True)
    with pytest.raises(ValueError, match="unknown score_weights keys"):
        designer.recommend(score_weights={"assurance": 0.5, "gradient": 0.5})
    with pytest.raises(ValueError, match="score_weights"):
        designer.recommend(score_weights={"assurance": -1.0})


def test_null_confirmation_and_caution(edge):
    recs = edge.recommend(spend_changes=[0.2, 0.5, -0.5, -1.0], durations=[4, 8], min_snr=0.0)
    assert [n.channel for n in recs.null_confirmation] == ["display"]
    tv = [r for r in recs if r.channel == "tv"]
    assert tv and all("Caution" in r.rationale and "search" in r.rationale for r in tv)
    social = [r for r in recs if r.channel == "social"]
    assert social and not any("Caution" in r.rationale for r in social)
    assert "Null-confirmation" in recs._repr_html_()


def test_fixture_is_on_one_scale(fixture):
    # the residual sd the designer uses is the noise that generated y, on beta's scale
    assert fixture.residual_std == pytest.approx(fixture.truth["noise_sd"], rel=0.15)
    assert fixture.spend_correlation.loc["tv", "search"] < 0.5
    edge_fx = simulate_designer_fixture(
        ("tv", "search"), spend_correlation={("tv", "search"): 0.85}
    )
    assert edge_fx.spend_correlation.loc["tv", "search"] == pytest.approx(0.85, abs=0.02)


def test_pinned_fixture_values(designer):
    """Regression values of the default fixture (seed 42).

    search is the best-identified channel (posterior spread 10 %), so its small, cheap
    tests top the ranking; the values move only if the fixture, the lift model or the
    assurance formula change.
    """
    recs = designer.recommend()
    top = recs[0]
    assert (top.channel, top.spend_change, top.duration) == ("search", -0.5, 4)
    assert top.expected_lift == pytest.approx(-1.368, abs=1e-3)
    assert top.assurance == pytest.approx(0.999, abs=1e-3)
    assert top.ramp_fraction == pytest.approx(0.891, abs=1e-3)
    assert len(recs) == 49


def test_original_units(fixture):
    d = fixture.designer(channel_scale={"tv": 1000.0}, target_scale=50.0)
    r = d.recommend(channels=["tv"], min_snr=0.0)[0]
    assert r.net_cost_original == pytest.approx(r.net_cost * 1000.0)
    assert r.expected_lift_original == pytest.approx(r.expected_lift * 50.0)


# ----------------------------------------------------------------- geo designs


def test_national_aggregate_sums_geos(fixture):
    post = fixture.idata.posterior
    geo_post = post.expand_dims(geo=["north", "south"]).copy()
    geo_post["saturation_beta"] = geo_post["saturation_beta"] * xr_geo([1.0, 0.5])
    d = ExperimentDesigner.from_idata(
        geo_post,
        current_spend={c: [v, v / 2] for c, v in fixture.current_spend.items()},
        residual_std=[0.1, 0.05],
    )
    assert d.units == ["north", "south"]
    total = d.lift_draws("tv", 0.2, 6)
    parts = d.lift_draws("tv", 0.2, 6, geo="north") + d.lift_draws("tv", 0.2, 6, geo="south")
    np.testing.assert_allclose(total, parts)
    assert d.sigma_d(4) == pytest.approx(np.hypot(d.sigma_d(4, "north"), d.sigma_d(4, "south")))
    assert d.recommend(geo="south", min_snr=0.0)[0].geo == "south"
    with pytest.raises(ValueError, match="geo must be one of"):
        d.recommend(geo="east")


# ----------------------------------------------------------------- the posterior, per unit


def test_posterior_accessors(fixture, designer):
    post = fixture.idata.posterior.stack(sample=("chain", "draw"))
    lam = post["saturation_lam"].sel(channel="tv").to_numpy()
    draws = designer.saturation_draws("tv")
    assert set(draws) == {"lam", "beta"}
    np.testing.assert_array_equal(draws["lam"], lam)
    alpha = designer.adstock_draws("tv")
    assert set(alpha) == {"alpha"}
    alpha = alpha["alpha"]
    np.testing.assert_array_equal(alpha, post["adstock_alpha"].sel(channel="tv").to_numpy())
    x = steady_state_multiplier(alpha, designer.l_max, designer.engine.normalize)
    x = x * fixture.current_spend["tv"]
    np.testing.assert_allclose(designer.operating_point("tv"), x)
    np.testing.assert_allclose(
        designer.saturation(designer.operating_point("tv"), **draws),
        designer.steady_state_contribution("tv")[0],
    )


def test_geo_accessors_need_a_geo(fixture):
    post = fixture.idata.posterior.expand_dims(geo=["north", "south"]).copy()
    post["saturation_beta"] = post["saturation_beta"] * xr_geo([1.0, 0.5])
    d = ExperimentDesigner.from_idata(
        post, current_spend={c: [v, v] for c, v in fixture.current_spend.items()}, residual_std=0.1
    )
    north, south = d.saturation_draws("tv", "north"), d.saturation_draws("tv", "south")
    np.testing.assert_allclose(south["beta"], 0.5 * north["beta"])
    with pytest.raises(ValueError, match=r"parameters are per geo: pass geo, one of \['north'"):
        d.adstock_draws("tv")
    with pytest.raises(ValueError, match="unknown channel 'radio'"):
        d.operating_point("radio", "north")


def test_only_kept_candidates_are_evaluated_and_they_match_evaluate(designer):
    recs = designer.recommend(min_snr=3.0, hdi_prob=0.8, prior_trust=1.5)
    assert 0 < len(recs) < recs.n_evaluated
    for r in recs[:5]:
        one = designer.evaluate(
            r.channel, r.spend_change, r.duration, hdi_prob=0.8, prior_trust=1.5
        )
        assert r.assurance == pytest.approx(one.assurance, abs=1e-12)
        assert r.assurance_tempered == pytest.approx(one.assurance_tempered, abs=1e-12)
        assert r.lift_hdi == pytest.approx(one.lift_hdi, abs=1e-12)
        assert r.ramp_fraction == pytest.approx(one.ramp_fraction, abs=1e-12)
    none = designer.recommend(min_snr=1e6)
    assert len(none) == 0 and none.n_evaluated == 84


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"channels": ["radio"]}, ValueError, "unknown channel"),
        ({"spend_changes": [-1.2]}, ValueError, "spend_changes"),
        ({"spend_changes": [0.0]}, ValueError, "spend_changes"),
        ({"spend_changes": ["10%"]}, TypeError, "spend_changes"),
        ({"durations": [0]}, ValueError, "durations"),
        ({"durations": [4.5]}, TypeError, "durations"),
        ({"durations": [True]}, TypeError, "durations"),
        ({"significance_level": 1.0}, ValueError, "significance_level"),
        ({"significance_level": 0}, ValueError, "significance_level"),
        ({"hdi_prob": 1.5}, ValueError, "hdi_prob"),
        ({"prior_trust": 0.5}, ValueError, "prior_trust"),
        ({"null_probability": 1.0}, ValueError, "null_probability"),
        ({"min_snr": -1}, ValueError, "min_snr"),
    ],
)
def test_recommend_bad_input(designer, kwargs, error, match):
    with pytest.raises(error, match=match):
        designer.recommend(**kwargs)


def test_go_dark_is_allowed(designer):
    assert designer.evaluate("tv", -1.0, 4).snr < 0


# ----------------------------------------------------------------- argument messages


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"duration": -4}, ValueError, r"^duration must be an int >= 1 \(weeks\), got -4$"),
        ({"duration": 4.0}, TypeError, r"^duration must be an int >= 1"),
        ({"spend_change": 0}, ValueError, r"^spend_change must not be 0"),
        ({"spend_change": 20}, ValueError, r"^spend_change must be .* in \[-1, 5\] .*0\.2 for"),
        ({"spend_change": 5.01}, ValueError, r"^spend_change must be .* in \[-1, 5\]"),
        ({"spend_change": -1.5}, ValueError, r"^spend_change must be .* in \[-1, 5\]"),
        ({"spend_change": "20%"}, TypeError, r"^spend_change must be a finite number"),
        ({"spend_change": np.nan}, ValueError, r"^spend_change must be a finite number"),
        ({"hdi_prob": 1.0}, ValueError, r"^hdi_prob must be a finite number in \(0, 1\)"),
        ({"one_sided": "yes"}, TypeError, "^one_sided must be True or False"),
        ({"channel": ["tv"]}, TypeError, "^channel must be a channel name"),
        ({"channel": "radio"}, ValueError, "^unknown channel 'radio'"),
    ],
)
def test_evaluate_names_the_argument_and_range(designer, kwargs, error, match):
    args = {"channel": "tv", "spend_change": 0.2, "duration": 4} | kwargs
    with pytest.raises(error, match=match) as err:
        designer.evaluate(**args)
    assert "durations" not in str(err.value) and "spend_changes" not in str(err.value)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda d: d.lift_draws("tv", 0.2, 0), ValueError, r"^duration must be an int >= 1"),
        (lambda d: d.lift_draws("tv", 20, 4), ValueError, r"^spend_change must be .*\[-1, 5\]"),
        (lambda d: d.sigma_d(-1), ValueError, r"^duration must be an int >= 1"),
        (lambda d: d.sigma_d(np.array([4, 0])), ValueError, r"^duration must be an int >= 1"),
        (lambda d: d.sigma_d(2.5), TypeError, r"^duration must be an int"),
        (lambda d: d.null_channels(0), ValueError, r"^duration must be an int >= 1"),
        (
            lambda d: d.simulate_detection_rate("tv", 0.2, 4, n_experiments=0),
            ValueError,
            r"^n_experiments must be an int >= 1",
        ),
        (
            lambda d: d.simulate_detection_rate("tv", 0.2, 4, n_experiments=100.0),
            TypeError,
            r"^n_experiments must be an int",
        ),
        (lambda d: d.steady_state_contribution(3), TypeError, "^channel must be a channel name"),
    ],
)
def test_other_designer_methods_name_the_argument(designer, call, error, match):
    with pytest.raises(error, match=match):
        call(designer)


def test_spend_change_bounds_are_inclusive(designer):
    assert designer.evaluate("tv", 5.0, 4).snr > 0
    assert designer.evaluate("tv", -1.0, 4).snr < 0


def test_geo_on_a_national_designer_says_it_is_national(designer):
    with pytest.raises(ValueError, match="this designer is national") as err:
        designer.evaluate("tv", 0.2, 4, geo="north")
    assert "['national', 'national']" not in str(err.value)
    with pytest.raises(ValueError, match="this designer is national"):
        designer.recommend(geo="north")
    with pytest.raises(TypeError, match=r"^geo must be a geo name"):
        designer.sigma_d(4, geo=1)
    assert designer.recommend(geo="national")[0].geo == "national"


def test_geo_choices_are_listed_once(fixture):
    post = fixture.idata.posterior.expand_dims(geo=["north", "south"])
    d = ExperimentDesigner.from_idata(
        post, current_spend={c: [v, v] for c, v in fixture.current_spend.items()}, residual_std=0.1
    )
    with pytest.raises(ValueError, match=r"one of \['national', 'north', 'south'\]"):
        d.evaluate("tv", 0.2, 4, geo="east")


def test_recommend_accepts_one_channel_duration_and_change(designer):
    one = designer.recommend(channels="tv", durations=4, spend_changes=0.2, min_snr=0.0)
    assert len(one) == one.n_evaluated == 1
    r = one[0]
    assert (r.channel, r.duration, r.spend_change) == ("tv", 4, 0.2)
    assert one.settings["durations"] == [4] and one.settings["spend_changes"] == [0.2]
    many = designer.recommend(channels=("tv", "search"), durations=np.array([4, 8]), min_snr=0.0)
    assert many.n_evaluated == 2 * len(designer.recommend().settings["spend_changes"]) * 2
    assert {r.channel for r in many} == {"tv", "search"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"durations": []}, ValueError, "^durations must not be empty"),
        ({"spend_changes": []}, ValueError, "^spend_changes must not be empty"),
        ({"channels": []}, ValueError, "^channels must not be empty"),
        ({"durations": ()}, ValueError, "^durations must not be empty"),
        ({"spend_changes": 20}, ValueError, r"^spend_changes\[0\] must be .*\[-1, 5\].*fraction"),
        ({"spend_changes": [0.2, 6]}, ValueError, r"^spend_changes\[1\] must be"),
        ({"spend_changes": [0.2, 0.2]}, ValueError, r"^spend_changes repeats \[0\.2\]"),
        ({"durations": [4, 4]}, ValueError, r"^durations repeats \[4\]"),
        ({"durations": [4, -2]}, ValueError, r"^durations\[1\] must be an int >= 1 \(weeks\)"),
        ({"channels": ["tv", "tv"]}, ValueError, r"^channels repeats \['tv'\]"),
        ({"channels": "radio"}, ValueError, "^unknown channel 'radio'"),
        ({"durations": 4.5}, TypeError, r"^durations\[0\] must be an int"),
        ({"durations": "4"}, TypeError, r"^durations\[0\] must be an int"),
        ({"channels": ["tv", 3]}, TypeError, "^channels must be a string or a sequence"),
        ({"spend_changes": {"tv": 0.2}}, TypeError, "^spend_changes must be a value or a seq"),
        ({"min_snr": "2"}, TypeError, "^min_snr must be a finite number >= 0"),
        ({"null_probability": None}, TypeError, r"^null_probability must be .* in \[0, 1\)"),
        ({"null_probability": 1.0}, ValueError, r"^null_probability must be .* in \[0, 1\)"),
        ({"prior_trust": "2"}, TypeError, "^prior_trust must be a finite number >= 1"),
        ({"one_sided": 1}, TypeError, "^one_sided must be True or False"),
        ({"score_weights": ["assurance"]}, TypeError, "^score_weights must be a mapping"),
        ({"score_weights": {"assurance": "1"}}, TypeError, r"^score_weights\['assurance'\]"),
        ({"geo": 3}, TypeError, "^geo must be a geo name"),
    ],
)
def test_recommend_rejects_bad_sequences_clearly(designer, kwargs, error, match):
    with pytest.raises(error, match=match):
        designer.recommend(**kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5, 0.7])
def test_assurance_equals_the_detection_rate_on_simulated_residual_series(fixture, rho):
    """Detection is simulated from AR(1) residual series, so this checks the noise model."""
    for baseline_weeks in (None, 8):
        designer = fixture.designer(residual_autocorr=rho, baseline_weeks=baseline_weeks)
        for weeks in range(2, 17):
            predicted = designer.evaluate("tv", 0.3, weeks).assurance
            simulated = designer.simulate_detection_rate(
                "tv", 0.3, weeks, n_experiments=20_000, random_seed=weeks
            )
            assert abs(predicted - simulated) < 0.02, (rho, baseline_weeks, weeks)


def test_an_estimated_baseline_costs_assurance(fixture):
    known = fixture.designer(residual_autocorr=0.3)
    estimated = fixture.designer(residual_autocorr=0.3, baseline_weeks=8)
    assert estimated.sigma_d(6) > known.sigma_d(6)
    assert estimated.evaluate("tv", 0.3, 6).assurance < known.evaluate("tv", 0.3, 6).assurance
    with pytest.raises(ValueError, match=r"^baseline_weeks must be"):
        fixture.designer(baseline_weeks=0)
