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
