"""Figures of the confounder chapter: drawn from the ROAS tables, legible in the book."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from figure_checks import BOOK_WIDTH_IN, grid_geometry

from labkit.roas.plots import (
    plot_confounder_dag,
    plot_contributions_vs_truth,
    plot_fold_roas,
    plot_parameter_stability,
    plot_roas_by_fold,
    plot_roas_posteriors,
)


def _roas_folds(ends, models=("baseline", "calibrated"), channels=("x1", "x2")):
    return pd.DataFrame(
        [
            {"model": m, "fold": f, "train_end": d, "channel": c, "mean": 100.0 + 10 * i}
            | {"hdi_lower": 80.0, "hdi_upper": 140.0}
            for i, m in enumerate(models)
            for f, d in enumerate(ends)
            for c in channels
        ]
    )


def test_confounder_figures():
    labels = [t.get_text() for t in plot_confounder_dag().axes[0].texts if t.get_text()]
    assert len(labels) == 5 and any("unobserved" in t for t in labels)
    idx = pd.date_range("2024-01-06", periods=5, freq="W")
    table = pd.DataFrame(
        {
            "date": np.tile(idx, 2),
            "channel": np.repeat(["x1", "x2"], 5),
            "mean": np.arange(10.0),
            "truth": np.arange(10.0) + 0.5,
        }
    ).assign(hdi_lower=lambda t: t["mean"] - 1, hdi_upper=lambda t: t["mean"] + 1)
    contributions = plot_contributions_vs_truth(table)
    assert len(contributions.axes) == 2
    assert [ax.get_title() for ax in contributions.axes] == ["x1", "x2"]
    assert contributions.get_size_inches()[0] <= BOOK_WIDTH_IN
    draws = xr.DataArray(
        np.random.default_rng(0).normal(1, 0.1, (2, 50, 2)),
        dims=("chain", "draw", "channel"),
        coords={"channel": ["x1", "x2"]},
    )
    assert len(plot_roas_posteriors({"m": draws}, {"x1": 1.0, "x2": 1.0}).axes) == 2
    folds = _roas_folds(idx[:2], models=("m",), channels=("x1",))
    assert len(plot_roas_by_fold(folds, {"x1": 1.0}, idx[:1]).axes) == 1
    params = folds.drop(columns=["train_end", "channel"]).assign(parameter="lam", channel="x1")
    assert len(plot_parameter_stability(params).axes) == 1


def _fold_params(
    params=("adstock_alpha", "saturation_lam", "saturation_beta"), channels=("x1", "x2")
):
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
    assert grid_geometry(fig) == (3, 2)  # a row per parameter, a column per channel
    assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
    assert all(ax.title.get_fontsize() >= 9 for ax in fig.axes)
    assert fig.axes[0].get_title() == "adstock_alpha · x1"
    assert fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])  # same parameter
    assert fig.axes[0].get_xlim() == pytest.approx((-0.5, 4.5))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["baseline", "calibrated"]

    many = plot_parameter_stability(_fold_params(params=("lam",), channels=("a", "b", "c", "d")))
    assert len(many.axes) == 4 and grid_geometry(many) == (2, 2)  # wrapped, never one long row
    assert many.get_size_inches()[0] <= BOOK_WIDTH_IN


def test_roas_by_fold_spreads_the_folds():
    ends = pd.date_range("2023-12-10", periods=5, freq="W")  # folds a week apart
    folds = _roas_folds(ends)
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


def test_fold_roas_is_one_fold():
    folds = _roas_folds(pd.date_range("2023-12-10", periods=3, freq="W"))
    fig = plot_fold_roas(folds[folds["fold"] == 2], {"x1": 93.0, "x2": 171.0})
    assert [ax.get_title() for ax in fig.axes] == ["x1, fold 2", "x2, fold 2"]
    assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["truth", "baseline", "calibrated"]
    with pytest.raises(ValueError, match="one fold"):
        plot_fold_roas(folds, {"x1": 93.0, "x2": 171.0})
