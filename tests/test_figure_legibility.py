from figure_checks import BOOK_WIDTH_IN

from labkit import load_dataset
from labkit.data.plots import plot_confounded, plot_geo_panel, plot_two_countries

# --------------------------------------------------------------------------- legibility


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
