"""Figures of the data tour."""

import pytest

from labkit.data import load_dataset
from labkit.data.plots import plot_confounded, plot_geo_panel, plot_two_countries


def test_data_figures():
    assert len(plot_geo_panel(load_dataset("geo_panel")).axes) == 3
    assert len(plot_confounded(load_dataset("confounded")).axes) == 4  # one twin axis
    assert len(plot_two_countries(load_dataset("two_countries")).axes) == 2


def test_data_figures_check_their_input():
    with pytest.raises(ValueError, match="geo_panel"):
        plot_geo_panel(load_dataset("confounded"))
    with pytest.raises(TypeError, match="Dataset"):
        plot_two_countries("two_countries")
