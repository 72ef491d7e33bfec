import pytest

from labkit.design.fixture import simulate_designer_fixture
from labkit.design.widgets import DesignerExplorer


@pytest.fixture(scope="module")
def designer():
    return simulate_designer_fixture().designer()


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


def test_elicitation_explorer_updates_headless():
    from labkit.elicitation.widgets import ElicitationExplorer

    w = ElicitationExplorer(rate=0.29, rate_sd=0.034, x=1.8, target_scale=6.3, channel_scale=4.05)
    first = w.result.summary()
    assert set(w.fitted) == {"alpha", "lam"}
    w.controls["rate_sd"].value = 0.01  # a sharper experiment narrows the posterior of alpha
    sharper = w.result.summary()
    assert sharper.loc["alpha", "sd"] < first.loc["alpha", "sd"]
    w.controls["saturation"].value = "logistic"
    assert w.result.saturation.name == "logistic" and set(w.fitted) == {"lam", "beta"}
    assert "mass on HDI" in w.summary.value


def test_elicitation_explorer_updates_on_release_and_reports_its_time():
    from labkit.elicitation.widgets import ElicitationExplorer

    w = ElicitationExplorer(rate=0.29, rate_sd=0.034, x=1.8, target_scale=6.3, channel_scale=4.05)
    sliders = [c for c in w.controls.values() if hasattr(c, "continuous_update")]
    assert sliders and not any(c.continuous_update for c in sliders)
    w.controls["x"].value = 2.0
    assert 0 < w.seconds < 60 and f"{w.seconds:.2f} s" in w.status.value
    assert not any(c.disabled for c in w.controls.values()), "controls come back after an update"


def test_fold_explorer_updates_headless():
    import pandas as pd

    from labkit.roas.widgets import FoldExplorer

    rows = []
    for fold, end in enumerate(pd.to_datetime(["2024-01-06", "2024-01-13"])):
        for model in ("baseline", "calibrated"):
            for ch, mean in (("x1", 150.0 - 20 * fold), ("x2", 160.0)):
                rows.append(
                    {
                        "model": model,
                        "fold": fold,
                        "train_end": end,
                        "channel": ch,
                        "mean": mean,
                        "hdi_lower": mean - 10,
                        "hdi_upper": mean + 10,
                    }
                )
    tests = pd.DataFrame(
        {"channel": ["x1", "x2"], "date": pd.to_datetime(["2023-12-01", "2024-01-10"])}
    )
    w = FoldExplorer(pd.DataFrame(rows), tests, {"x1": 93.0, "x2": 171.0})
    assert set(w.result["fold"]) == {0} and "<b>1</b> of 2" in w.summary.value
    w.controls["fold"].value = 1
    assert set(w.result["fold"]) == {1} and "<b>2</b> of 2" in w.summary.value
