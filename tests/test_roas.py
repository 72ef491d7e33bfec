"""ROAS and contributions against the truth of ``confounded``, and dated lift tests."""

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM
from pymc_marketing.mmm.time_slice_cross_validation import TimeSliceCrossValidator

from labkit import load_dataset
from labkit.roas.dated_tests import check_lift_test_dates, dated_lift_tests, lift_tests_seen
from labkit.roas.summaries import (
    contributions_vs_truth,
    fold_summaries,
    roas_draws,
    roas_error_by_fold,
    roas_order_probability,
    roas_summary,
    true_contributions,
    true_roas,
)

COUNTERFACTUALS = {"x1": "y01", "x2": "y02"}


@pytest.fixture(scope="module")
def confounded():
    return load_dataset("confounded")


@pytest.fixture(scope="module")
def truth_mmm(confounded):
    """A national MMM of ``confounded`` whose posterior holds the true media parameters.

    No sampling: chain 0 repeats the truth (mapped to the model's scales: ``lam`` in
    spend / channel_scale, ``beta`` in y / target_scale), chain 1 scatters around
    it, and the deterministics are computed from those draws.
    """
    df, truth = confounded.data, confounded.truth
    channels = ["x1", "x2"]
    X, y = df[["date", *channels]], df["y"]
    mmm = MMM(
        date_column="date",
        channel_columns=channels,
        target_column="y",
        adstock=GeometricAdstock(l_max=truth["l_max"]),
        saturation=LogisticSaturation(),
    )
    mmm.build_model(X, y)
    prior = pm.sample_prior_predictive(draws=1, model=mmm.model, random_seed=0)
    channel_scale = prior.constant_data["channel_scale"].to_numpy()
    target_scale = float(prior.constant_data["target_scale"])
    true = {
        "adstock_alpha": [truth["channels"][c]["adstock_alpha"] for c in channels],
        "saturation_lam": [
            truth["channels"][c]["saturation_lam"] * s
            for c, s in zip(channels, channel_scale, strict=True)
        ],
        "saturation_beta": [
            truth["amplitude"] * truth["channels"][c]["beta"] / target_scale for c in channels
        ],
    }
    rng = np.random.default_rng(0)
    n = 20
    coords = {"chain": [0, 1], "draw": np.arange(n), "channel": channels}
    scatter = np.exp(rng.normal(0, 0.2, (n, 2)))
    posterior = xr.Dataset(
        {
            name: xr.DataArray(
                np.stack([np.tile(v, (n, 1)), np.clip(np.array(v) * scatter, 0, 0.95)])
                if name == "adstock_alpha"
                else np.stack([np.tile(v, (n, 1)), np.array(v) * scatter]),
                dims=("chain", "draw", "channel"),
                coords=coords,
            )
            for name, v in true.items()
        }
        | {
            name: xr.DataArray(np.full((2, n), value), dims=("chain", "draw"))
            for name, value in (("intercept_contribution", 0.3), ("y_sigma", 0.05))
        }
    )
    posterior = pm.compute_deterministics(
        posterior, var_names=["channel_contribution"], model=mmm.model, merge_dataset=True,
        progressbar=False,
    )  # fmt: skip
    mmm.idata = az.InferenceData(posterior=posterior, constant_data=prior.constant_data)
    mmm.idata.add_groups(fit_data=mmm.create_fit_data(X, y))
    return mmm


def test_true_roas_matches_sidecar_and_hand_case(confounded):
    ds = confounded
    roas = true_roas(ds.data, COUNTERFACTUALS)
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
    with pytest.raises(ValueError, match="dims"):  # a geo model's ROAS is not one per channel
        roas_summary(draws.expand_dims(geo=["a", "b"]), {"x1": 1.0, "x2": 1.0})


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
    with pytest.raises(TypeError, match=r"^label must be a model name \(str\)"):
        fold_summaries(None, [], {"x1": 1.0}, label=1)
    with pytest.raises(ValueError, match=r"^parameters must not be empty"):
        fold_summaries(None, [], {"x1": 1.0}, label="m", parameters=[])
    with pytest.raises(TypeError, match=r"^parameters must be a string or a sequence"):
        fold_summaries(None, [], {"x1": 1.0}, label="m", parameters=[1])


# --------------------------------------------------------------------------- a model at the truth


def test_roas_of_a_model_at_the_truth_is_the_counterfactual_truth(truth_mmm, confounded):
    roas = roas_draws(truth_mmm)
    assert roas.dims == ("chain", "draw", "channel")
    truth = true_roas(confounded.data, COUNTERFACTUALS)
    assert truth.to_dict() == pytest.approx(confounded.truth["true_roas"], rel=1e-9)
    at_truth = roas.sel(chain=0)
    for channel in ("x1", "x2"):
        np.testing.assert_allclose(at_truth.sel(channel=channel), truth[channel], rtol=1e-8)
    summary = roas_summary(roas.sel(chain=[0]), truth)
    assert (summary["abs_error"] < 1e-8 * summary["truth"]).all()


def test_roas_draws_is_the_hand_formula_and_the_elementwise_ratio(truth_mmm):
    """pymc-marketing's counterfactual ROAS = summed contributions / summed spend, draw by draw."""
    roas = roas_draws(truth_mmm)
    post = truth_mmm.idata.posterior
    const = truth_mmm.idata.constant_data
    hand = (
        post["channel_contribution"].sum("date")
        * float(const["target_scale"])
        / const["channel_data"].sum("date")
    )
    assert float(roas.sel(chain=1).std("draw").min()) > 1.0  # the scattered draws differ
    np.testing.assert_allclose(roas, hand.transpose(*roas.dims), rtol=1e-8)
    elementwise = truth_mmm.data.aggregate_time("all_time").get_elementwise_roas()
    np.testing.assert_allclose(roas, elementwise.transpose(*roas.dims), rtol=1e-8)


def test_contributions_of_a_model_at_the_truth(truth_mmm, confounded):
    table = contributions_vs_truth(truth_mmm, confounded.data, COUNTERFACTUALS)
    assert list(table.columns) == [
        "date", "channel", "mean", "hdi_lower", "hdi_upper", "truth", "error",
    ]  # fmt: skip
    assert len(table) == 2 * len(confounded.data)
    assert (table["hdi_lower"] <= table["mean"]).all() and (
        table["mean"] <= table["hdi_upper"]
    ).all()
    df = confounded.data
    week = table[table["channel"] == "x1"].iloc[10]
    assert week["truth"] == pytest.approx(df["y"].iloc[10] - df["y01"].iloc[10])
    at_truth = truth_mmm.data.get_channel_contributions().sel(chain=0)
    np.testing.assert_allclose(
        at_truth.sel(channel="x1").to_numpy(),
        np.broadcast_to((df["y"] - df["y01"]).to_numpy(), (20, len(df))),
        rtol=1e-7,
    )
    with pytest.raises(ValueError, match="missing column"):
        contributions_vs_truth(truth_mmm, df.drop(columns="y01"), COUNTERFACTUALS)
    with pytest.raises(ValueError, match="does not have"):
        contributions_vs_truth(truth_mmm, df.assign(x3=0.0), {"x3": "y01"})


def test_roas_helpers_check_the_model():
    with pytest.raises(TypeError, match="multidimensional MMM"):
        roas_draws(object())
    unfitted = MMM(
        date_column="date", channel_columns=["x1"], adstock=GeometricAdstock(l_max=2),
        saturation=LogisticSaturation(),
    )  # fmt: skip
    with pytest.raises(ValueError, match="not fitted"):
        roas_draws(unfitted)


class PriorDrawMMM(MMM):
    """An MMM whose ``fit`` keeps prior draws as its posterior: fold models without MCMC."""

    def fit(self, X, y, **kwargs):
        prior = pm.sample_prior_predictive(draws=20, model=self.model, random_seed=0)
        self.idata = az.InferenceData(
            posterior=prior.prior,
            constant_data=prior.constant_data,
            observed_data=prior.observed_data,
        )
        self.idata.add_groups(fit_data=self.create_fit_data(X, y))
        return self.idata


@pytest.mark.slow
def test_fold_summaries_of_a_cross_validation(confounded):
    df = confounded.data
    X, y = df[["date", "x1", "x2"]], df["y"]
    truth = true_roas(df, COUNTERFACTUALS).to_dict()
    end = X["date"].max()
    tests = [("x1", 0.25, 0.25, end - pd.Timedelta(weeks=50))]
    tests.append(("x2", 0.1, 0.1, end - pd.Timedelta(weeks=12)))  # seen by the second fold only
    lift_tests = dated_lift_tests(truth, tests, sigma=3.0)
    mmm = PriorDrawMMM(
        date_column="date", channel_columns=["x1", "x2"], target_column="y",
        adstock=GeometricAdstock(l_max=4), saturation=LogisticSaturation(),
    )  # fmt: skip
    cv = TimeSliceCrossValidator(n_init=len(X) - 13, forecast_horizon=12, date_column="date")
    cv_idata, models = cv.run(
        X, y, mmm=mmm, original_scale_vars=["channel_contribution", "y"], return_models=True,
        df_lift_test=lift_tests, lift_test_date_column="date",
    )  # fmt: skip
    tables = fold_summaries(cv_idata, models, truth, label="m")
    assert set(tables) == {"roas", "parameters", "crps", "lift_tests"}
    assert list(tables["roas"]["fold"]) == [0, 0, 1, 1]
    assert (tables["crps"]["crps"] > 0).all()
    seen = lift_tests_seen(tables["lift_tests"], lift_tests)
    assert list(seen["n_lift_tests"]) == [1, 2] and not seen["uses_future_tests"].any()
    # each fold's ROAS is its own training spend's: summed contributions / summed X_train spend
    metadata = cv_idata.cv_metadata["metadata"].to_numpy()
    for fold, (model, info) in enumerate(zip(models, metadata, strict=True)):
        spend = info["X_train"][["x1", "x2"]].sum().to_numpy()
        contribution = model.idata.posterior["channel_contribution_original_scale"].sum("date")
        hand = (contribution / xr.DataArray(spend, dims="channel")).mean(("chain", "draw"))
        roas = tables["roas"]
        shown = roas.loc[roas["fold"] == fold, "mean"].to_numpy()
        np.testing.assert_allclose(shown, hand.to_numpy(), rtol=1e-8)


# --------------------------------------------------------------------------- chapter tables


def test_true_contributions():
    hand = pd.DataFrame(
        {"date": pd.date_range("2024-01-06", periods=2, freq="W"), "y": [10.0, 12.0]}
        | {"y0": [8.0, 9.0], "c": [1.0, 1.5]}
    )
    out = true_contributions(hand, {"c": "y0"})
    assert out.index.name == "date" and list(out.columns) == ["c"]
    assert list(out["c"]) == [2.0, 3.0]
    assert out["c"].sum() / hand["c"].sum() == pytest.approx(true_roas(hand, {"c": "y0"})["c"])
    with pytest.raises(ValueError, match="missing"):
        true_contributions(hand, {"c": "y9"})
    with pytest.raises(TypeError, match="date_column"):
        true_contributions(hand, {"c": "y0"}, date_column=0)


def _draws(x1, x2, n=500):
    rng = np.random.default_rng(0)
    return xr.DataArray(
        np.stack([rng.normal(x1, 5, (2, n)), rng.normal(x2, 5, (2, n))], axis=-1),
        dims=("chain", "draw", "channel"),
        coords={"channel": ["x1", "x2"]},
    )


def test_roas_order_probability():
    draws = _draws(100, 100)
    p = roas_order_probability(draws, "x1", "x2")
    assert p == pytest.approx(0.5, abs=0.05)
    assert roas_order_probability(draws, "x2", "x1") == pytest.approx(1 - p)
    assert roas_order_probability(_draws(100, 150), "x2", "x1") == 1.0
    with pytest.raises(ValueError, match="higher must be one of"):
        roas_order_probability(draws, "tv", "x1")
    with pytest.raises(ValueError, match="dims"):
        roas_order_probability(draws.expand_dims(geo=["a"]), "x1", "x2")


def test_roas_error_by_fold():
    folds = pd.DataFrame(
        {
            "model": ["calibrated"] * 4 + ["baseline"] * 4,
            "fold": [0, 0, 1, 1] * 2,
            "channel": ["x1", "x2"] * 4,
            "abs_error": [10.0, 20.0, 4.0, 6.0, 50.0, 10.0, 40.0, 10.0],
        }
    )
    table = roas_error_by_fold(folds)
    assert list(table.columns) == ["calibrated", "baseline"] and list(table.index) == [0, 1]
    assert table.loc[0, "calibrated"] == 15.0 and table.loc[1, "baseline"] == 25.0
    with pytest.raises(ValueError, match="abs_error"):
        roas_error_by_fold(folds.drop(columns="abs_error"))


def test_lift_tests_seen_flags_future_tests():
    lift_tests = pd.DataFrame({"date": pd.to_datetime(["2023-04-15", "2023-12-23"])})
    folds = pd.DataFrame(
        {
            "model": "calibrated",
            "fold": [0, 1, 2],
            "train_end": pd.to_datetime(["2023-01-01", "2023-06-01", "2024-01-01"]),
            "n_lift_tests": [0, 2, 2],
        }
    )
    table = lift_tests_seen(folds, lift_tests)
    assert list(table["n_dated_by_train_end"]) == [0, 1, 2]
    assert list(table["uses_future_tests"]) == [False, True, False]
    assert list(table["n_dated_by_train_end"]) == list(
        check_lift_test_dates(lift_tests, folds["train_end"])["n_lift_tests"]
    )
    with pytest.raises(ValueError, match="n_lift_tests"):
        lift_tests_seen(folds.drop(columns="n_lift_tests"), lift_tests)
    with pytest.raises(ValueError, match="'when' column"):
        lift_tests_seen(folds, lift_tests, date_column="when")


def test_roas_draws_drops_a_length_one_scale_dimension(truth_mmm, monkeypatch):
    """A target fitted as a one-column frame gives the ROAS a length-1 ``target_scale`` dim."""
    roas = roas_draws(truth_mmm)
    inc = type(truth_mmm.incrementality)
    padded = roas.expand_dims(target_scale_dim_0=1, axis=2)
    monkeypatch.setattr(inc, "contribution_over_spend", lambda self, **kw: padded)
    np.testing.assert_array_equal(roas_draws(truth_mmm).to_numpy(), roas.to_numpy())
    monkeypatch.setattr(
        inc,
        "contribution_over_spend",
        lambda self, **kw: xr.concat([padded, padded], "target_scale_dim_0"),
    )
    with pytest.raises(ValueError, match="unexpected dims"):
        roas_draws(truth_mmm)
