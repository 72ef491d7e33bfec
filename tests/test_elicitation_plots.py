"""Figures of prior elicitation."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from labkit.elicitation.derivative import saturation_derivative
from labkit.elicitation.plots import (
    plot_derivative_fan,
    plot_derivative_space,
    plot_elicitation_view,
    plot_fitted_priors,
    plot_likelihood_to_mmm,
    plot_posterior_pair,
    plot_prior_vs_truth,
    plot_surface,
)
from labkit.elicitation.posterior import elicit, log_likelihood_surface
from labkit.elicitation.priors import mmm_priors

TRUTH = {"alpha": 2.75, "lam": 2.5}


@pytest.mark.slow
def test_elicitation_figures():
    obs = pd.DataFrame({"x": [1.8, 4.0], "rate": [0.3, 0.16], "rate_sd": [0.03, 0.02]})
    res = elicit(obs, random_seed=0, draws=500)
    _, fitted = mmm_priors(res, "meta", ["meta"], target_scale=6.0, channel_scale=4.0)
    assert len(plot_fitted_priors(res, fitted).axes) == 2
    fan = plot_derivative_fan(res, n_curves=20, truth=TRUTH)
    fan_ax = fan.axes[0]
    assert len(fan_ax.collections[0].get_segments()) == 20  # the draws, one collection
    labels = [line.get_label() for line in fan_ax.lines]
    assert "posterior median derivative" in labels and "true derivative" in labels
    grid = res.grid
    surface = plot_surface(
        {"alpha": grid["alpha"], "lam": grid["lam"]}, grid["log_posterior"], truth=(2.75, 2.5)
    )
    assert surface.axes[0].get_xlabel() == "alpha"
    assert len(plot_posterior_pair({"a": res, "b": res}).axes) == 2
    violins = plot_prior_vs_truth(
        {"prior": {"alpha": res.draws("alpha"), "lam": res.draws("lam")}}, TRUTH
    )
    assert len(violins.axes) == 2


@pytest.mark.slow
def test_derivative_fan_clips_the_outlying_curves():
    obs = pd.DataFrame({"x": [1.825], "rate": [0.289], "rate_sd": [0.0334]})  # notebook 04
    res = elicit(obs, random_seed=0, draws=2000)
    fig = plot_derivative_fan(res, truth=TRUTH)
    ax = fig.axes[0]
    curves = np.array([segment[:, 1] for segment in ax.collections[0].get_segments()])
    assert len(curves) == 200
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


def test_derivative_space_marks_the_true_slope():
    obs = pd.DataFrame({"x": [1.8, 4.0], "rate": [0.3, 0.16], "rate_sd": [0.03, 0.02]})
    ax = plot_derivative_space(obs, truth=TRUTH).axes[0]
    (cross,) = [line for line in ax.lines if line.get_label() == "true f'(x)"]
    expected = saturation_derivative("michaelis_menten", [1.8, 4.0], **TRUTH)
    np.testing.assert_allclose(cross.get_ydata(), expected)
    assert "true f'(x)" in [t.get_text() for t in ax.get_legend().texts]
    plain = plot_derivative_space(obs).axes[0]
    assert not [line for line in plain.lines if line.get_label() == "true f'(x)"]


def test_likelihood_to_mmm_shows_three_stages_on_common_axes():
    obs = pd.DataFrame({"x": [1.8], "rate": [0.29], "rate_sd": [0.034]})
    axes = {"alpha": np.linspace(0.1, 10, 60), "lam": np.linspace(0.1, 10, 60)}
    log_lik = log_likelihood_surface(obs, "michaelis_menten", axes)
    res = elicit(obs, random_seed=0, draws=500, grid_size=40)
    rng = np.random.default_rng(0)
    mmm = {
        "generic MMM": pd.DataFrame({"alpha": rng.gamma(4, 1, 300), "lam": rng.gamma(4, 1, 300)}),
        "informed MMM": {"alpha": rng.normal(2.8, 0.2, 300), "lam": rng.normal(2.5, 0.2, 300)},
    }
    fig = plot_likelihood_to_mmm(axes, log_lik, res, mmm, TRUTH)
    assert len(fig.axes) == 3 and fig.get_size_inches()[0] <= 9.0
    assert all(ax.get_xlim() == (0.0, 10.0) == ax.get_ylim() for ax in fig.axes)
    labels = [t.get_text() for t in fig.axes[2].get_legend().texts]
    assert labels == ["generic MMM", "informed MMM", "truth"]
    free = plot_likelihood_to_mmm(axes, log_lik, res, mmm, limits=None)
    assert free.axes[2].get_xlim() != (0.0, 10.0)
    view = plot_elicitation_view(res, TRUTH, title="explorer default")
    assert len(view.axes) == 2 and view.axes[0].get_title() == "explorer default"


def test_fitted_beta_density_stays_inside_its_support():
    import warnings

    from labkit.elicitation.priors import FittedPrior

    class Draws:  # the one method plot_fitted_priors reads from an elicitation result
        def draws(self, parameter):
            return np.random.default_rng(0).beta(8, 2, 4000)

    fitted = {"alpha": FittedPrior("Beta", {"alpha": 8.0, "beta": 2.0}, 0.5, 0.97, 0.95, 1.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fig = plot_fitted_priors(Draws(), fitted)
    x = fig.axes[0].lines[0].get_xdata()
    assert x.max() < 1 and np.isfinite(fig.axes[0].lines[0].get_ydata()).all()
