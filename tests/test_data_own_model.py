"""Chapter 6's world: spend a team would have, and a world drawn from the team's own model."""

import numpy as np
import pandas as pd
import pytest

from labkit.data.own_model import draw_world, spend_panel, truth_model


def test_spend_panel_is_deterministic_and_shaped_like_a_teams_data():
    a = spend_panel(geos=("a", "b"), channels=("tv", "search"), n_weeks=30, seed=3)
    b = spend_panel(geos=("a", "b"), channels=("tv", "search"), n_weeks=30, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["date", "geo", "tv", "search", "price"]
    assert len(a) == 60 and (a[["tv", "search"]] > 0).all().all()
    assert a["date"].dt.dayofweek.eq(6).all()  # weekly, on Sundays
    # bursts dominate the seasons: the channels are not moved by one cycle together
    wide = a[a["geo"] == "a"][["tv", "search"]]
    assert abs(wide.corr().iloc[0, 1]) < 0.7
    assert not spend_panel(n_weeks=30, seed=4).equals(spend_panel(n_weeks=30, seed=3))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_weeks": 10}, ValueError, r"^n_weeks must be an int >= 20"),
        ({"seed": -1}, ValueError, r"^seed must be an int >= 0"),
        ({"geos": []}, ValueError, "geos"),
        ({"channels": 3}, TypeError, "channels"),
    ],
)
def test_spend_panel_names_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        spend_panel(**kwargs)


@pytest.mark.slow
def test_a_world_drawn_from_the_model_and_its_truth_on_the_worlds_scales():
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    from labkit.design import ExperimentDesigner

    def build():
        return MMM(
            date_column="date", channel_columns=["tv", "search"], target_column="sales",
            control_columns=["price"], dims=("geo",), adstock=GeometricAdstock(l_max=4),
            saturation=LogisticSaturation(),
        )  # fmt: skip

    X = spend_panel(geos=("a", "b"), channels=("tv", "search"), n_weeks=30, seed=1)
    world = build()
    y, truth = draw_world(world, X, seed=5)
    again, _ = draw_world(build(), X, seed=5)
    pd.testing.assert_series_equal(y, again)
    assert y.name == "sales" and len(y) == len(X) and np.isfinite(y).all()
    assert truth.sizes["chain"] == 1 and truth.sizes["draw"] == 1
    # a "fitted" model on other scales: the truth copy reads the world's scales
    fitted = build()
    fitted.build_model(X, y)
    import arviz as az

    fitted.idata = az.InferenceData(posterior=truth[["adstock_alpha", "saturation_lam",
                                                     "saturation_beta"]])  # fmt: skip
    copy = truth_model(fitted, truth, world)
    assert float(copy.get_scales_as_xarray()["target_scale"]) == 1000.0
    assert float(fitted.get_scales_as_xarray()["target_scale"]) == pytest.approx(float(y.max()))
    designer = ExperimentDesigner.from_mmm(copy, max_ppc_draws=1)
    assert designer.n_draws == 1 and list(designer.target_scale) == [1000.0, 1000.0]
