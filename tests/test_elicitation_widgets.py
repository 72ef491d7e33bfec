"""The elicitation explorer, driven headless."""

from labkit.elicitation.widgets import ElicitationExplorer


def test_elicitation_explorer_updates_headless():
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
    w = ElicitationExplorer(rate=0.29, rate_sd=0.034, x=1.8, target_scale=6.3, channel_scale=4.05)
    sliders = [c for c in w.controls.values() if hasattr(c, "continuous_update")]
    assert sliders and not any(c.continuous_update for c in sliders)
    w.controls["x"].value = 2.0
    assert 0 < w.seconds < 60 and f"{w.seconds:.2f} s" in w.status.value
    assert not any(c.disabled for c in w.controls.values()), "controls come back after an update"
    assert bytes(w.figure.value).startswith(b"\x89PNG"), "the figure is a PNG in the widget's state"
