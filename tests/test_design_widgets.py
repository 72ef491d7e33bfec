"""The designer's explorer widget, driven headless."""

import pytest

from labkit.design.widgets import DesignerExplorer


def test_designer_explorer_updates_headless(designer):
    w = DesignerExplorer(designer)
    first = w.result
    assert first.channel == "tv" and first.duration == 6
    w.controls["channel"].value = "search"
    w.controls["duration"].value = 12
    assert w.result.channel == "search" and w.result.duration == 12
    expected = designer.evaluate("search", 0.2, 12)
    assert w.result.assurance == pytest.approx(expected.assurance)
    assert "search" in w.summary.value and f"{expected.assurance:.2f}" in w.summary.value


def test_prior_trust_lowers_confident_assurance(designer):
    w = DesignerExplorer(designer, channel="search")
    w.controls["duration"].value = 8
    base = w.result.assurance_tempered
    w.controls["prior_trust"].value = 3.0
    assert w.result.assurance_tempered < base


def test_zero_change_is_explained_not_computed(designer):
    w = DesignerExplorer(designer)
    w.controls["spend_change"].value = 0.0
    assert "non-zero" in w.summary.value


def test_explorer_places_the_candidate_on_the_frontier(designer):
    w = DesignerExplorer(designer)
    table = w.grid.to_dataframe()
    best = table.iloc[0]
    w.controls["channel"].value = best["channel"]
    w.controls["spend_change"].value = best["spend_change"]
    w.controls["duration"].value = int(best["duration"])
    assert w.learning == pytest.approx(designer.learning_value(
        best["channel"], best["spend_change"], int(best["duration"])
    ).loc["roas", "reduction"])  # fmt: skip
    assert "learning" in w.summary.value
    # doubling a well-known channel's spend for 20 weeks: costly, and teaches little
    w.controls["channel"].value = "search"
    w.controls["spend_change"].value = 1.0
    w.controls["duration"].value = 20
    assert w.dominated_by > 0 and "dominated by" in w.summary.value


def test_explorer_figures_are_png_images_in_the_widget_state(designer):
    w = DesignerExplorer(designer)
    for image in (w.figure, w.frontier):
        assert bytes(image.value).startswith(b"\x89PNG")
