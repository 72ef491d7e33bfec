"""The fold explorer, driven headless."""

import matplotlib.pyplot as plt
import pandas as pd

from labkit.roas.widgets import FoldExplorer


def test_fold_explorer_updates_headless():
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
    plt.close("all")
