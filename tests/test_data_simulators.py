import numpy as np
import pytest

from labkit.data.confounded import simulate_confounded
from labkit.data.geo_panel import simulate_geo_panel
from labkit.data.simulate import correlated_series
from labkit.data.two_countries import simulate_two_countries
from labkit.design.fixture import impose_spend_correlation, simulate_designer_fixture


def test_correlated_series_hits_target_exactly():
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    for r in (-1.0, -0.3, 0.0, 0.85, 1.0):
        out = correlated_series(base, r, np.random.default_rng(1))
        assert np.corrcoef(base, out)[0, 1] == pytest.approx(r, abs=1e-10)
        assert out.std() == pytest.approx(1.0)


@pytest.mark.parametrize("r", [1.01, -1.5, np.nan])
def test_correlated_series_rejects_bad_correlation(r):
    with pytest.raises(ValueError, match="correlation"):
        correlated_series(np.arange(10.0), r, np.random.default_rng(0))


def test_correlated_series_rejects_constant_base():
    with pytest.raises(ValueError, match="base"):
        correlated_series(np.ones(10), 0.5, np.random.default_rng(0))


@pytest.mark.slow
def test_same_seed_same_data_other_seed_other_data():
    a = simulate_two_countries(seed=5).data
    b = simulate_two_countries(seed=5).data
    c = simulate_two_countries(seed=6).data
    assert a.equals(b)
    assert not np.allclose(a["venezuela"], c["venezuela"])


def test_confounder_strength_zero_removes_correlation_driver():
    strong = simulate_confounded(confounder_strength=0.9).truth["corr_x1_z"]
    none = simulate_confounded(confounder_strength=0.0).truth["corr_x1_z"]
    assert strong > 0.5 > abs(none)


@pytest.mark.parametrize(
    ("func", "kwargs", "arg"),
    [
        (simulate_geo_panel, {"n_weeks": 0}, "n_weeks"),
        (simulate_geo_panel, {"n_weeks": -5}, "n_weeks"),
        (simulate_geo_panel, {"n_geos": 1}, "n_geos"),
        (simulate_geo_panel, {"shared_spend": 1.5}, "shared_spend"),
        (simulate_geo_panel, {"shared_spend": -0.1}, "shared_spend"),
        (simulate_geo_panel, {"experiment_weeks": 104}, "experiment_weeks"),
        (simulate_geo_panel, {"experiment_weeks": 0}, "experiment_weeks"),
        (simulate_geo_panel, {"delta_x": -0.1}, "delta_x"),
        (simulate_geo_panel, {"delta_x": 0.0}, "delta_x"),
        (simulate_confounded, {"n_weeks": 0}, "n_weeks"),
        (simulate_confounded, {"n_weeks": 30}, "n_weeks"),
        (simulate_confounded, {"confounder_strength": 1.5}, "confounder_strength"),
        (simulate_confounded, {"confounder_strength": -0.1}, "confounder_strength"),
        (simulate_confounded, {"amplitude": 0}, "amplitude"),
        (simulate_two_countries, {"n_weeks": -1}, "n_weeks"),
        (simulate_two_countries, {"cut_fraction": 1.2}, "cut_fraction"),
        (simulate_two_countries, {"treatment_start": "2020-01-05"}, "treatment_start"),
        (simulate_two_countries, {"treatment_end": "2030-01-05"}, "treatment_end"),
        (
            simulate_two_countries,
            {"treatment_start": "2021-11-28", "treatment_end": "2021-09-26"},
            "treatment_start",
        ),
    ],
)
def test_nonsensical_arguments_raise_naming_the_argument(func, kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        func(**kwargs)


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_bad_seed_is_a_type_error(seed):
    with pytest.raises(TypeError, match="seed"):
        simulate_confounded(seed=seed)


def test_weeks_must_be_int():
    with pytest.raises(TypeError, match="n_weeks"):
        simulate_two_countries(n_weeks=150.0)


# --------------------------------------------------------------------------- argument checks


def test_designer_fixture_takes_one_channel_as_a_name():
    fx = simulate_designer_fixture("tv", n_chains=1, n_draws=50)
    assert list(fx.idata.posterior.channel.values) == ["tv"]
    assert list(fx.current_spend) == ["tv"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"channels": []}, ValueError, r"^channels must not be empty"),
        ({"channels": ["tv", "tv"]}, ValueError, r"^channels repeats \['tv'\]"),
        ({"channels": ["radio"]}, ValueError, r"^channels \['radio'\] have no default truth"),
        ({"true_params": {}}, ValueError, r"^true_params must not be empty"),
        (
            {"channels": "tv", "true_params": {"tv": {"lam": 1.0}}},
            ValueError,
            r"missing \['beta', 'alpha'\]",
        ),
        ({"l_max": 0}, ValueError, r"^l_max must be an int >= 1"),
        ({"noise_sd": "0.1"}, TypeError, r"^noise_sd must be a finite number > 0"),
        ({"intercept": None}, TypeError, r"^intercept must be a finite number"),
        (
            {"spend_correlation": [("tv", "search")]},
            TypeError,
            r"^spend_correlation must be a dict",
        ),
    ],
)
def test_designer_fixture_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_designer_fixture(**({"n_chains": 1, "n_draws": 50} | kwargs))


def test_simulators_name_the_argument_without_bare_errors():
    with pytest.raises(TypeError, match=r"^amplitude must be a finite number > 0"):
        simulate_confounded(amplitude="big")
    with pytest.raises(
        TypeError, match=r"^confounder_strength must be a finite number in \[0, 1\]"
    ):
        simulate_confounded(confounder_strength="strong")
    with pytest.raises(ValueError, match=r"^treatment_start must be a date"):
        simulate_two_countries(treatment_start="soon")
    spend = simulate_designer_fixture(n_chains=1, n_draws=50).data[["tv", "search"]]
    with pytest.raises(TypeError, match=r"^second must be a column name \(str\)"):
        impose_spend_correlation(spend, "tv", 1, 0.5)
    with pytest.raises(TypeError, match=r"^spend must be a DataFrame"):
        impose_spend_correlation(spend.to_numpy(), "tv", "search", 0.5)
