import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from labkit import load_dataset, plotting
from labkit.simulate import simulate_designer_fixture


@pytest.fixture(scope="module")
def designer():
    return simulate_designer_fixture().designer()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_data_figures():
    assert len(plotting.plot_geo_panel(load_dataset("geo_panel")).axes) == 3
    assert len(plotting.plot_confounded(load_dataset("confounded")).axes) == 4  # one twin axis
    assert len(plotting.plot_two_countries(load_dataset("two_countries")).axes) == 2


def test_data_figures_check_their_input():
    with pytest.raises(ValueError, match="geo_panel"):
        plotting.plot_geo_panel(load_dataset("confounded"))
    with pytest.raises(TypeError, match="Dataset"):
        plotting.plot_two_countries("two_countries")


def test_designer_figures(designer):
    recs = designer.recommend()
    n = len(designer.channels)
    assert len(plotting.plot_saturation_posterior(designer).axes) == n
    assert len(plotting.plot_saturation_curves(designer).axes) == n
    grid = plotting.plot_lift_distributions(designer, "tv", (0.2, -1.0), (4, 8, 12))
    assert len(grid.axes) == 6
    assert "A=" in grid.axes[0].get_title()
    ramp = plotting.plot_adstock_ramp(designer, max_weeks=12)
    assert len(ramp.axes[0].lines) == n + 1  # one median per channel and the l_max marker
    power_cost = plotting.plot_power_cost(recs)
    assert power_cost.axes[0].get_xlabel().startswith("|net cost|")
    for fig in (
        plotting.plot_spend_correlation(designer),
        plotting.plot_adstock_posterior(designer),
        plotting.plot_channel_diagnostics(designer, recs),
        plotting.plot_candidate(designer.evaluate("search", 0.2, 6)),
    ):
        assert isinstance(fig, Figure)


def test_elicitation_figures():
    import pandas as pd

    from labkit.elicitation import elicit, mmm_priors

    obs = pd.DataFrame({"x": [1.8, 4.0], "rate": [0.3, 0.16], "rate_sd": [0.03, 0.02]})
    res = elicit(obs, random_seed=0, draws=500)
    _, fitted = mmm_priors(res, "meta", ["meta"], target_scale=6.0, channel_scale=4.0)
    assert len(plotting.plot_fitted_priors(res, fitted).axes) == 2
    fan = plotting.plot_derivative_fan(res, n_curves=20, truth={"alpha": 2.75, "lam": 2.5})
    assert len(fan.axes[0].lines) >= 22  # 20 draws, the median and the truth
    grid = res.grid
    surface = plotting.plot_surface(
        {"alpha": grid["alpha"], "lam": grid["lam"]}, grid["log_posterior"], truth=(2.75, 2.5)
    )
    assert surface.axes[0].get_xlabel() == "alpha"
    assert len(plotting.plot_posterior_pair({"a": res, "b": res}).axes) == 2
    truth = {"alpha": 2.75, "lam": 2.5}
    violins = plotting.plot_prior_vs_truth(
        {"prior": {"alpha": res.draws("alpha"), "lam": res.draws("lam")}}, truth
    )
    assert len(violins.axes) == 2


def test_confounder_figures():
    import numpy as np
    import pandas as pd
    import xarray as xr

    labels = [t.get_text() for t in plotting.plot_confounder_dag().axes[0].texts if t.get_text()]
    assert len(labels) == 5 and any("unobserved" in t for t in labels)
    idx = pd.date_range("2024-01-06", periods=5, freq="W")
    frame = pd.DataFrame({"x1": np.arange(5.0), "x2": np.ones(5)}, index=idx)
    assert len(plotting.plot_contributions_vs_truth(frame, frame).axes) == 2
    draws = xr.DataArray(
        np.random.default_rng(0).normal(1, 0.1, (2, 50, 2)),
        dims=("chain", "draw", "channel"),
        coords={"channel": ["x1", "x2"]},
    )
    assert len(plotting.plot_roas_posteriors({"m": draws}, {"x1": 1.0, "x2": 1.0}).axes) == 2
    folds = pd.DataFrame(
        {
            "model": "m",
            "fold": [0, 1],
            "train_end": idx[:2],
            "channel": "x1",
            "mean": [1.0, 1.1],
            "hdi_lower": [0.9, 1.0],
            "hdi_upper": [1.1, 1.2],
        }
    )
    assert len(plotting.plot_roas_by_fold(folds, {"x1": 1.0}, idx[:1]).axes) == 1
    params = folds.drop(columns=["train_end", "channel"]).assign(parameter="lam", channel="x1")
    assert len(plotting.plot_parameter_stability(params).axes) == 1
