"""The designer's figures: one panel per channel, legible labels, the HDI probability shown."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from labkit.design.designer import ExperimentDesigner
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
from labkit.design.recommendations import CandidateSummary


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
    diagnostics = plot_channel_diagnostics(designer, recs)
    assert len(diagnostics.axes) == 4
    assert all(len(ax.patches) == n for ax in diagnostics.axes)  # one bar per channel
    for fig in (
        plot_spend_correlation(designer),
        plot_adstock_posterior(designer),
        plot_candidate(designer.evaluate("search", 0.2, 6)),
    ):
        assert isinstance(fig, Figure)


@pytest.mark.slow
def test_posterior_figures_of_one_geo(fixture):
    post = fixture.idata.posterior.expand_dims(geo=["north", "south"])
    d = ExperimentDesigner.from_idata(
        post, current_spend={c: [v, v / 2] for c, v in fixture.current_spend.items()},
        residual_std=0.1,
    )  # fmt: skip
    assert len(plot_saturation_curves(d, geo="south").axes) == len(d.channels)
    assert len(plot_adstock_ramp(d, geo="north").axes[0].lines) == len(d.channels) + 1
    with pytest.raises(ValueError, match="parameters are per geo"):
        plot_adstock_posterior(d)


def test_hdi_labels_use_the_probability():
    draws = np.random.default_rng(0).normal(1.0, 0.3, 500)
    summary = CandidateSummary(
        channel="tv", geo="national", spend_change=0.2, duration=6, lift_draws=draws,
        lift_hdi=(0.5, 1.5), sigma_d=0.3, snr=3.0, assurance=0.8, assurance_tempered=0.7,
        ramp_fraction=0.9, hdi_prob=0.8,
    )  # fmt: skip
    labels = [t.get_text() for t in plot_candidate(summary).axes[0].get_legend().texts]
    assert "80% HDI" in labels


def test_plot_frontier(designer):
    from labkit.design.plots import plot_frontier

    recs = designer.recommend(learning_value=True)
    fig = plot_frontier(recs, candidate=(1.0, 0.1))
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("|net cost|") and len(ax.collections) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="no learning value"):
        plot_frontier(designer.recommend())
