import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from labkit import load_dataset
from labkit.data.plots import plot_confounded, plot_geo_panel, plot_two_countries
from labkit.design.fixture import simulate_designer_fixture
from labkit.design.plots import (
    plot_adstock_posterior,
    plot_adstock_ramp,
    plot_candidate,
    plot_channel_diagnostics,
    plot_lift_distributions,
    plot_power_cost,
    plot_saturation_curves,
    plot_saturation_posterior,
    plot_spend_correlation,
)
from labkit.elicitation.plots import (
    plot_derivative_fan,
    plot_fitted_priors,
    plot_posterior_pair,
    plot_prior_vs_truth,
    plot_surface,
)
from labkit.geo.plots import (
    plot_calibration_curve,
    plot_geo_correlation,
    plot_geo_fit,
    plot_lift_comparison,
    plot_lift_tests,
    plot_parameter_recovery,
)
from labkit.roas.plots import (
    plot_confounder_dag,
    plot_contributions_vs_truth,
    plot_parameter_stability,
    plot_roas_by_fold,
    plot_roas_posteriors,
)


@pytest.fixture(scope="module")
def designer():
    return simulate_designer_fixture().designer()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_data_figures():
    assert len(plot_geo_panel(load_dataset("geo_panel")).axes) == 3
    assert len(plot_confounded(load_dataset("confounded")).axes) == 4  # one twin axis
    assert len(plot_two_countries(load_dataset("two_countries")).axes) == 2


def test_data_figures_check_their_input():
    with pytest.raises(ValueError, match="geo_panel"):
        plot_geo_panel(load_dataset("confounded"))
    with pytest.raises(TypeError, match="Dataset"):
        plot_two_countries("two_countries")


@pytest.mark.slow
def test_designer_figures(designer):
    recs = designer.recommend()
    n = len(designer.channels)
    assert len(plot_saturation_posterior(designer).axes) == n
    assert len(plot_saturation_curves(designer).axes) == n
    grid = plot_lift_distributions(designer, "tv", (0.2, -1.0), (4, 8, 12))
    assert len(grid.axes) == 6
    assert "A=" in grid.axes[0].get_title()
    ramp = plot_adstock_ramp(designer, max_weeks=12)
    assert len(ramp.axes[0].lines) == n + 1  # one median per channel and the l_max marker
    power_cost = plot_power_cost(recs)
    assert power_cost.axes[0].get_xlabel().startswith("|net cost|")
    for fig in (
        plot_spend_correlation(designer),
        plot_adstock_posterior(designer),
        plot_channel_diagnostics(designer, recs),
        plot_candidate(designer.evaluate("search", 0.2, 6)),
    ):
        assert isinstance(fig, Figure)


@pytest.mark.slow
def test_elicitation_figures():
    import pandas as pd

    from labkit.elicitation.posterior import elicit
    from labkit.elicitation.priors import mmm_priors

    obs = pd.DataFrame({"x": [1.8, 4.0], "rate": [0.3, 0.16], "rate_sd": [0.03, 0.02]})
    res = elicit(obs, random_seed=0, draws=500)
    _, fitted = mmm_priors(res, "meta", ["meta"], target_scale=6.0, channel_scale=4.0)
    assert len(plot_fitted_priors(res, fitted).axes) == 2
    fan = plot_derivative_fan(res, n_curves=20, truth={"alpha": 2.75, "lam": 2.5})
    assert len(fan.axes[0].lines) >= 22  # 20 draws, the median and the truth
    grid = res.grid
    surface = plot_surface(
        {"alpha": grid["alpha"], "lam": grid["lam"]}, grid["log_posterior"], truth=(2.75, 2.5)
    )
    assert surface.axes[0].get_xlabel() == "alpha"
    assert len(plot_posterior_pair({"a": res, "b": res}).axes) == 2
    truth = {"alpha": 2.75, "lam": 2.5}
    violins = plot_prior_vs_truth(
        {"prior": {"alpha": res.draws("alpha"), "lam": res.draws("lam")}}, truth
    )
    assert len(violins.axes) == 2


def test_confounder_figures():
    import numpy as np
    import pandas as pd
    import xarray as xr

    labels = [t.get_text() for t in plot_confounder_dag().axes[0].texts if t.get_text()]
    assert len(labels) == 5 and any("unobserved" in t for t in labels)
    idx = pd.date_range("2024-01-06", periods=5, freq="W")
    frame = pd.DataFrame({"x1": np.arange(5.0), "x2": np.ones(5)}, index=idx)
    assert len(plot_contributions_vs_truth(frame, frame).axes) == 2
    draws = xr.DataArray(
        np.random.default_rng(0).normal(1, 0.1, (2, 50, 2)),
        dims=("chain", "draw", "channel"),
        coords={"channel": ["x1", "x2"]},
    )
    assert len(plot_roas_posteriors({"m": draws}, {"x1": 1.0, "x2": 1.0}).axes) == 2
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
    assert len(plot_roas_by_fold(folds, {"x1": 1.0}, idx[:1]).axes) == 1
    params = folds.drop(columns=["train_end", "channel"]).assign(parameter="lam", channel="x1")
    assert len(plot_parameter_stability(params).axes) == 1


# --------------------------------------------------------------------------- legibility (issue #15)

BOOK_WIDTH_IN = 10.0  # the book's ~800 px column at dpi 100, with a little slack


def _geometry(fig):
    """(nrows, ncols) of the grid the figure's axes live on."""
    return fig.axes[0].get_subplotspec().get_geometry()[:2]


def _fold_params(
    params=("adstock_alpha", "saturation_lam", "saturation_beta"), channels=("x1", "x2")
):
    import pandas as pd

    rows = [
        {"model": m, "fold": f, "parameter": p, "channel": c, "mean": 1.0}
        | {"hdi_lower": 0.5, "hdi_upper": 1.5}
        for m in ("baseline", "calibrated")
        for f in range(5)
        for p in params
        for c in channels
    ]
    return pd.DataFrame(rows)


def test_parameter_stability_is_a_grid():
    fig = plot_parameter_stability(_fold_params())
    assert len(fig.axes) == 6
    assert _geometry(fig) == (3, 2)  # a row per parameter, a column per channel
    assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
    assert all(ax.title.get_fontsize() >= 9 for ax in fig.axes)
    assert fig.axes[0].get_title() == "adstock_alpha · x1"
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])  # same parameter
    assert fig.axes[0].get_xlim() == pytest.approx((-0.5, 4.5))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["baseline", "calibrated"]

    many = plot_parameter_stability(_fold_params(params=("lam",), channels=("a", "b", "c", "d")))
    assert len(many.axes) == 4 and _geometry(many) == (2, 2)  # wrapped, never one long row
    assert many.get_size_inches()[0] <= BOOK_WIDTH_IN


def test_roas_by_fold_spreads_the_folds():
    import numpy as np
    import pandas as pd

    ends = pd.date_range("2023-12-10", periods=5, freq="W")  # folds a week apart
    folds = pd.DataFrame(
        [
            {"model": m, "fold": f, "train_end": d, "channel": c, "mean": 100.0 + 10 * i}
            | {"hdi_lower": 80.0, "hdi_upper": 140.0}
            for i, m in enumerate(("baseline", "calibrated"))
            for f, d in enumerate(ends)
            for c in ("x1", "x2")
        ]
    )
    tests = pd.Series(ends[-1] - pd.to_timedelta([50, 30, 2, 1], unit="W"))  # mostly long before
    fig = plot_roas_by_fold(folds, {"x1": 93.0, "x2": 171.0}, test_dates=tests)
    assert len(fig.axes) == 2 and fig.get_size_inches()[0] <= BOOK_WIDTH_IN
    ax = fig.axes[-1]
    lo, hi = ax.get_xlim()
    assert (lo, hi) == pytest.approx((-0.5, 4.5))
    x = np.concatenate([line.get_xdata() for line in ax.lines if len(line.get_xdata()) == 5])
    assert x.min() - lo < 0.5 and hi - x.max() < 0.5  # the folds span the whole axis
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "0: 2023-12-10\n2 tests" and labels[-1] == "4: 2024-01-07\n4 tests"
    for axis, truth in zip(fig.axes, (93.0, 171.0), strict=True):
        bottom, top = axis.get_ylim()
        assert bottom < truth < top  # the truth line is in view
    single = plot_roas_by_fold(folds[folds["fold"] == 0], {"x1": 93.0, "x2": 171.0})
    assert single.axes[-1].get_xlim() == pytest.approx((-0.5, 0.5))


@pytest.mark.slow
def test_derivative_fan_clips_the_outlying_curves():
    import numpy as np
    import pandas as pd

    from labkit.elicitation.posterior import elicit

    obs = pd.DataFrame({"x": [1.825], "rate": [0.289], "rate_sd": [0.0334]})  # notebook 04
    res = elicit(obs, random_seed=0, draws=2000)
    truth = {"alpha": 2.75, "lam": 2.5}
    fig = plot_derivative_fan(res, truth=truth)
    ax = fig.axes[0]
    curves = np.array([line.get_ydata() for line in ax.lines[:200]])
    top = ax.get_ylim()[1]
    # bounded by the data (error bars, median, truth ~1.1), not by the steepest draws
    assert 0.289 + 2 * 0.0334 < top <= 1.05 * 2.5 * 1.2
    assert curves.max() > 5 * top  # there were outliers to clip
    n_out = int((curves.max(axis=1) > top).sum())
    assert fig.axes[0].get_legend().get_title().get_text() == (
        f"{n_out} of 200 curves leave the frame"
    )
    _, ax2 = plt.subplots()
    plot_derivative_fan(res, ax=ax2, n_curves=50, headroom=1.0)
    assert ax2.get_ylim()[1] < top  # the widget's axes get the same treatment


def test_geo_figures_are_legible_and_warning_free():
    import re
    import warnings

    from fakes import fake_geo_idata

    from labkit.geo.lift_tests import oracle_lift_tests
    from labkit.geo.report import CalibrationReport

    geo = load_dataset("geo_panel")
    uncal = fake_geo_idata(geo, chains=1, draws=40, seed=1)
    cal = fake_geo_idata(geo, chains=1, draws=40, seed=2)
    report = CalibrationReport.from_fits(
        uncal, cal, geo, lift_tests=oracle_lift_tests(geo), hdi_prob=0.9
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = plot_geo_fit(report)
        plot_calibration_curve(report, "geo_00", "channel_1")
        recovery = plot_parameter_recovery(report)
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
    assert len(fit.axes) == 8 and _geometry(fit) == (4, 2)
    assert fit.get_size_inches()[0] <= BOOK_WIDTH_IN
    title = re.compile(r"geo_\d\d( \(treated\))? · R² -?\d\.\d{3} → -?\d\.\d{3}")
    for ax in fit.axes:
        assert title.fullmatch(ax.get_title())
        assert ax.title.get_fontsize() >= 9
    legend = [t.get_text() for t in fit.legends[0].get_texts()]
    assert legend == ["observed", "uncalibrated (90% HDI)", "calibrated (90% HDI)"]
    assert "90% HDI" in recovery.get_suptitle()
    assert recovery.get_size_inches()[0] <= BOOK_WIDTH_IN


def test_hdi_labels_use_the_probability():
    import numpy as np
    import pandas as pd

    from labkit.design.recommendations import CandidateSummary

    draws = np.random.default_rng(0).normal(1.0, 0.3, 500)
    summary = CandidateSummary(
        channel="tv", geo="national", spend_change=0.2, duration=6, lift_draws=draws,
        lift_hdi=(0.5, 1.5), sigma_d=0.3, snr=3.0, assurance=0.8, assurance_tempered=0.7,
        ramp_fraction=0.9, hdi_prob=0.8,
    )  # fmt: skip
    labels = [t.get_text() for t in plot_candidate(summary).axes[0].get_legend().texts]
    assert "80% HDI" in labels
    oracle = pd.DataFrame(
        {"channel": "c", "geo": ["g1", "g2"], "delta_y": [1.0, 2.0], "sigma": [0.1, 0.1]}
    )
    estimated = oracle.assign(delta_y_low=[0.8, 1.7], delta_y_high=[1.2, 2.3])
    fig = plot_lift_comparison(oracle, estimated, interval_prob=0.89)
    assert "CausalPy (89% interval)" in [t.get_text() for t in fig.axes[0].get_legend().texts]


def test_multi_panel_figures_fit_the_book():
    dataset = load_dataset("geo_panel")
    from labkit.geo.lift_tests import oracle_lift_tests

    lift = plot_lift_tests(dataset, oracle_lift_tests(dataset))
    assert len(lift.axes) == 4 and _geometry(lift) == (2, 2)
    for fig in (
        lift,
        plot_geo_panel(dataset),
        plot_geo_correlation(dataset),
        plot_confounded(load_dataset("confounded")),
        plot_two_countries(load_dataset("two_countries")),
    ):
        assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        assert all(t.get_fontsize() >= 9 for leg in legends for t in leg.get_texts())
