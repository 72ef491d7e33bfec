import matplotlib.pyplot as plt
import pytest

from labkit import load_dataset
from labkit.data.plots import plot_confounded, plot_geo_panel, plot_two_countries


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- legibility

BOOK_WIDTH_IN = 10.0  # the book's ~800 px column at dpi 100, with a little slack


def _geometry(fig):
    """(nrows, ncols) of the grid the figure's axes live on."""
    return fig.axes[0].get_subplotspec().get_geometry()[:2]


def test_multi_panel_figures_fit_the_book():
    dataset = load_dataset("geo_panel")
    for fig in (
        plot_geo_panel(dataset),
        plot_confounded(load_dataset("confounded")),
        plot_two_countries(load_dataset("two_countries")),
    ):
        assert fig.get_size_inches()[0] <= BOOK_WIDTH_IN
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        assert all(t.get_fontsize() >= 9 for leg in legends for t in leg.get_texts())
