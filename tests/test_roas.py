import numpy as np
import pandas as pd
import pytest
import xarray as xr

from labkit import load_dataset
from labkit.roas.lift_tests import check_lift_test_dates, dated_lift_tests
from labkit.roas.summaries import roas_summary, true_roas


def test_true_roas_matches_sidecar_and_hand_case():
    ds = load_dataset("confounded")
    roas = true_roas(ds.data, {"x1": "y01", "x2": "y02"})
    assert roas["x1"] == pytest.approx(ds.truth["true_roas"]["x1"], rel=1e-9)
    hand = pd.DataFrame({"y": [10.0, 12.0], "y0": [8.0, 9.0], "c": [1.0, 1.5]})
    assert true_roas(hand, {"c": "y0"})["c"] == pytest.approx(5.0 / 2.5)
    with pytest.raises(ValueError, match="missing"):
        true_roas(hand, {"c": "y9"})
    with pytest.raises(ValueError, match="no spend"):
        true_roas(hand.assign(c=0.0), {"c": "y0"})


def test_dated_lift_tests():
    lt = dated_lift_tests(
        {"x1": 93.4, "x2": 171.0},
        [("x2", 0.1, 0.1, "2023-09-02"), ("x1", 0.25, 0.25, "2023-04-15")],
        sigma=3.0,
    )
    assert list(lt["channel"]) == ["x1", "x2"]  # sorted by date
    assert lt.loc[0, "delta_y"] == pytest.approx(93.4 * 0.25)
    with pytest.raises(ValueError, match="sigma"):
        dated_lift_tests({"x1": 1.0}, [("x1", 1, 1, "2023-01-01")], sigma=0)
    with pytest.raises(ValueError, match="no ROAS"):
        dated_lift_tests({"x1": 1.0}, [("x3", 1, 1, "2023-01-01")], sigma=1)


def test_lift_test_dates_against_folds():
    lt = pd.DataFrame({"date": ["2023-04-15", "2023-12-23"]})
    table = check_lift_test_dates(lt, ["2023-01-01", "2023-06-01", "2024-01-01"])
    assert list(table["n_lift_tests"]) == [0, 1, 2]
    with pytest.raises(ValueError, match="cannot be parsed"):
        check_lift_test_dates(pd.DataFrame({"date": ["not a date", "2023-01-01"]}), ["2024-01-01"])
    with pytest.raises(ValueError, match="no lift test is dated"):
        check_lift_test_dates(lt, ["2022-01-01"])
    with pytest.raises(ValueError, match="no 'when' column"):
        check_lift_test_dates(lt, ["2024-01-01"], date_column="when")


def test_roas_summary():
    rng = np.random.default_rng(0)
    draws = xr.DataArray(
        np.stack([rng.normal(100, 5, (2, 500)), rng.normal(150, 5, (2, 500))], axis=-1),
        dims=("chain", "draw", "channel"),
        coords={"channel": ["x1", "x2"]},
    )
    s = roas_summary(draws, {"x1": 100.0, "x2": 171.0})
    assert bool(s.loc["x1", "covered"]) and not bool(s.loc["x2", "covered"])
    assert s.loc["x2", "error"] == pytest.approx(-21, abs=1)
    with pytest.raises(ValueError, match="dims"):
        roas_summary(draws.isel(chain=0), {"x1": 1.0})


# --------------------------------------------------------------------------- argument checks


def test_one_test_and_one_date_are_not_iterated_as_sequences():
    one = dated_lift_tests({"x1": 2.0}, ("x1", 0.5, 0.25, "2023-04-15"), sigma=1.0)
    assert len(one) == 1 and one.loc[0, "delta_y"] == pytest.approx(0.5)
    lt = pd.DataFrame({"date": ["2023-04-15", "2023-12-23"]})
    table = check_lift_test_dates(lt, "2023-06-01")  # one fold, not ten characters
    assert list(table["n_lift_tests"]) == [1]
    assert len(check_lift_test_dates(lt, pd.Timestamp("2024-01-01"))) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (({"x1": 1.0}, []), {"sigma": 1.0}, ValueError, "^tests must not be empty"),
        (({"x1": 1.0}, [("x1", 1.0, "2023-01-01")]), {"sigma": 1.0}, ValueError, r"^tests\[0\]"),
        (({"x1": 1.0}, [("x1", "a", 1, "2023-01-01")]), {"sigma": 1.0}, TypeError, r"tests\[0\] x"),
        (({"x1": 1.0}, [("x1", 1, 1, "soon")]), {"sigma": 1.0}, ValueError, r"tests\[0\] date"),
        (({"x1": 1.0}, "x1"), {"sigma": 1.0}, TypeError, "^tests must be a sequence"),
        ((["x1"], [("x1", 1, 1, "2023-01-01")]), {"sigma": 1.0}, TypeError, "^roas must be a dict"),
        (({"x1": 1.0}, [("x1", 1, 1, "2023-01-01")]), {"sigma": "1"}, TypeError, "^sigma must be"),
    ],
)
def test_dated_lift_tests_name_the_argument(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        dated_lift_tests(*args, **kwargs)


def test_other_roas_helpers_name_the_argument():
    hand = pd.DataFrame({"y": [10.0, 12.0], "y0": [8.0, 9.0], "c": [1.0, 1.5]})
    with pytest.raises(ValueError, match=r"^counterfactuals must not be empty"):
        true_roas(hand, {})
    assert true_roas(hand, pd.Series({"c": "y0"}))["c"] == pytest.approx(2.0)
    lt = pd.DataFrame({"date": ["2023-04-15"]})
    with pytest.raises(ValueError, match=r"^train_ends must not be empty"):
        check_lift_test_dates(lt, [])
    with pytest.raises(ValueError, match=r"^train_ends must be dates"):
        check_lift_test_dates(lt, ["not a date"])
    draws = xr.DataArray(
        np.ones((1, 20, 2)), dims=("chain", "draw", "channel"), coords={"channel": ["x1", "x2"]}
    )
    with pytest.raises(ValueError, match=r"^truth has no ROAS for channel\(s\) \['x2'\]"):
        roas_summary(draws, {"x1": 1.0})
    with pytest.raises(ValueError, match=r"^hdi_prob must be a finite number in \(0, 1\)"):
        roas_summary(draws, {"x1": 1.0, "x2": 1.0}, hdi_prob=94)


def test_fold_summaries_checks_before_reading_folds():
    from labkit.roas.summaries import fold_summaries

    with pytest.raises(TypeError, match=r"^label must be a model name \(str\)"):
        fold_summaries(None, [], {"x1": 1.0}, label=1)
    with pytest.raises(ValueError, match=r"^parameters must not be empty"):
        fold_summaries(None, [], {"x1": 1.0}, label="m", parameters=[])
    with pytest.raises(TypeError, match=r"^parameters must be a string or a sequence"):
        fold_summaries(None, [], {"x1": 1.0}, label="m", parameters=[1])
