"""What the figure tests share: the book's column width and a figure's grid."""

BOOK_WIDTH_IN = 10.0
"""The book's ~800 px column at dpi 100, with a little slack (inches)."""


def grid_geometry(fig):
    """(nrows, ncols) of the grid the figure's axes live on."""
    return fig.axes[0].get_subplotspec().get_geometry()[:2]
