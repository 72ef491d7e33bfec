import warnings

import matplotlib
import numpy as np
import pandas as pd

from labkit._figures import concise_dates, grid_shape

matplotlib.use("agg")


def test_concise_dates_never_warns():
    import matplotlib.pyplot as plt

    for weeks in (8, 20, 104, 300):
        for maxticks in (4, 5, 8):
            fig, ax = plt.subplots()
            dates = pd.date_range("2023-01-01", periods=weeks, freq="W")
            ax.plot(dates, np.arange(weeks))
            concise_dates(ax, maxticks)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                fig.canvas.draw()
            labels = [t.get_text() for t in ax.get_xticklabels()]
            assert 2 <= len(labels) <= maxticks + 1, (weeks, maxticks, labels)
            plt.close(fig)


def test_grid_shape_is_balanced():
    assert grid_shape(4, 3) == (2, 2)
    assert grid_shape(6, 3) == (2, 3)
    assert grid_shape(1, 3) == (1, 1)


def test_figure_png_renders_and_closes():
    import matplotlib.pyplot as plt

    from labkit._figures import figure_png

    fig, ax = plt.subplots(figsize=(10, 3))
    ax.plot([0, 1], [0, 1])
    data = figure_png(fig)
    assert data.startswith(b"\x89PNG") and not plt.fignum_exists(fig.number)
    width = int.from_bytes(data[16:20], "big")
    assert 600 < width <= 800, "10 inches at 80 dpi (less if a style crops to the tight bbox)"
