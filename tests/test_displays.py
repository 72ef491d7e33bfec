"""Every rich display labkit defines shows, row for row, the numbers of its tidy table.

The rendered HTML or Markdown is parsed back (no pandas/lxml involved) and compared
with ``to_dataframe()`` (or the report's summary tables) row by row, so a display that
shifts columns against each other, drops a row or rounds away a value fails here.
"""

import ast
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import labkit
from labkit.design.designer import ExperimentDesigner
from labkit.design.fixture import simulate_designer_fixture
from labkit.design.recommendations import Recommendations

# --------------------------------------------------------------------------- parsing helpers


class _TableParser(HTMLParser):
    """Collect every ``<table>`` as header rows and body rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[str]]]] = []
        self._section = "body"
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "body": []})
        elif tag == "thead":
            self._section = "head"
        elif tag == "tbody":
            self._section = "body"
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][self._section].append(self._row)
            self._row = None
        elif tag == "thead":
            self._section = "body"

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_table(html: str) -> tuple[list[str], list[list[str]]]:
    """Return the column headers (index name first) and body rows of the only table."""
    parser = _TableParser()
    parser.feed(html)
    assert len(parser.tables) == 1, f"expected one table, found {len(parser.tables)}"
    head, body = parser.tables[0]["head"], parser.tables[0]["body"]
    columns = head[0]
    if len(head) > 1:  # pandas puts the index name on a second header row
        columns = [head[1][0] or columns[0], *columns[1:]]
    assert all(len(row) == len(columns) for row in body), "ragged table"
    return columns, body


def markdown_tables(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Return ``{section heading: (columns, rows)}`` of the pipe tables in Markdown."""
    tables, heading, lines = {}, None, []

    def flush():
        if heading is not None and lines:
            rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
            tables[heading] = (rows[0], [r for r in rows[2:]])

    for line in text.splitlines():
        if line.startswith("#"):
            flush()
            heading, lines = line.lstrip("#").strip(), []
        elif line.startswith("|"):
            lines.append(line)
    flush()
    return tables


def parse_change(text: str) -> float:
    return -1.0 if text == "go-dark" else float(text.removesuffix("%/wk")) / 100


def parse_interval(text: str) -> tuple[float, float]:
    lo, hi = text.strip("[]").split(",")
    return float(lo), float(hi)


def close(shown: str, value: float, digits: int = 3) -> bool:
    """Whether ``shown`` (``value`` printed with ``digits`` significant digits) matches it."""
    return float(shown) == pytest.approx(value, rel=10 ** (1 - digits), abs=1e-12)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def recs(designer):
    return designer.recommend()


@pytest.fixture(scope="module")
def report():
    from fakes import fake_geo_idata

    from labkit.geo.lift_tests import oracle_lift_tests
    from labkit.geo.report import CalibrationReport

    geo = labkit.load_dataset("geo_panel")
    uncal = fake_geo_idata(geo, beta_sd=0.08, shift=0.05, seed=1, draws=100)
    cal = fake_geo_idata(geo, beta_sd=0.02, seed=2, draws=100)
    return CalibrationReport.from_fits(uncal, cal, geo, lift_tests=oracle_lift_tests(geo))


# --------------------------------------------------------------------------- the inventory

#: Every class in labkit with a rich display, and the test below that checks it.
COVERED = {
    "design.recommendations.Recommendations": "test_recommendations_html_matches_to_dataframe_row_for_row",  # noqa: E501
    "geo.report.CalibrationReport": "test_calibration_report_markdown_matches_its_tables",
    "design.recommendations.GeoRanking": "test_geo_ranking_html_matches_its_table_row_for_row",
}


def test_every_rich_display_is_covered():
    found = set()
    root = Path(labkit.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(f, ast.FunctionDef) and re.fullmatch(r"_repr_\w+_", f.name)
                for f in node.body
            ):
                module = ".".join(path.relative_to(root).with_suffix("").parts)
                found.add(f"{module}.{node.name}")
    assert found == set(COVERED), (
        "a rich display was added or removed: give it a row-for-row test here and list it in "
        f"COVERED (found {sorted(found)})"
    )


# --------------------------------------------------------------------------- Recommendations


def assert_rows_match(recs: Recommendations, hdi_prob: float = 0.94) -> None:
    """The HTML table shows, row for row, the same candidate as ``to_dataframe()``."""
    columns, rows = html_table(recs._repr_html_())
    df = recs.to_dataframe()
    hdi_col = f"lift {hdi_prob * 100:.3g}% HDI"
    assert columns == [
        "rank", "channel", "Δ spend", "weeks", "E[lift]", hdi_col, "SNR", "assurance",
        "net cost", "score",
    ]  # fmt: skip
    assert len(rows) == len(df) == len(recs)
    for i, (row, (_, want)) in enumerate(zip(rows, df.iterrows(), strict=True)):
        cell = dict(zip(columns, row, strict=True))
        assert "nan" not in row, (i, row)
        assert int(cell["rank"]) == recs.ranks[i]
        assert cell["channel"] == want["channel"], (i, cell, want)
        assert int(cell["weeks"]) == want["duration"], (i, cell, want)
        assert parse_change(cell["Δ spend"]) == pytest.approx(want["spend_change"]), (i, cell)
        assert close(cell["E[lift]"], want["expected_lift"]), (i, cell, want)
        lo, hi = parse_interval(cell[hdi_col])
        assert close(str(lo), want["lift_hdi_lower"]) and close(str(hi), want["lift_hdi_upper"])
        assert float(cell["SNR"]) == pytest.approx(want["snr"], abs=0.0051)
        assert float(cell["assurance"]) == pytest.approx(want["assurance"], abs=0.0051)
        assert close(cell["net cost"], want["net_cost"]), (i, cell, want)
        assert float(cell["score"]) == pytest.approx(want["score"], abs=0.00051)


def test_recommendations_html_matches_to_dataframe_row_for_row(recs):
    assert_rows_match(recs)
    assert_rows_match(recs[:10])
    assert_rows_match(recs[10:20])
    assert_rows_match(recs[::7])


def test_display_frame_is_what_the_html_shows(recs):
    top = recs[:10]
    columns, rows = html_table(top._repr_html_())
    frame = top.to_display_frame().reset_index()
    assert columns == list(frame.columns)
    assert rows == frame.astype(str).to_numpy().tolist()
    # the notebook's check: the displayed top row is the top row of to_dataframe()
    shown, tidy = top.to_display_frame().iloc[0], top.to_dataframe().iloc[0]
    assert (shown["channel"], shown["weeks"]) == (tidy["channel"], tidy["duration"])
    assert parse_change(shown["Δ spend"]) == pytest.approx(tidy["spend_change"])


def test_html_is_compact(recs):
    html = recs[:10]._repr_html_()
    columns, _ = html_table(html)
    assert len(columns) <= 10
    assert not {"tempered", "sceptical", "ramp", "geo"} & set(columns)
    assert "white-space: nowrap" in html and "overflow-x: auto" in html
    # the hidden columns stay in the tidy table
    assert {"assurance_tempered", "assurance_sceptical", "ramp_fraction"} <= set(
        recs.to_dataframe().columns
    )


def test_a_slice_keeps_the_counts_and_ranks(recs):
    assert (recs.n_passed, recs.n_evaluated) == (49, 84)
    top = recs[:10]
    assert (len(top), top.n_passed, top.n_evaluated) == (10, 49, 84)
    assert top.ranks == list(range(1, 11))
    assert recs[10:20].ranks == list(range(11, 21))
    assert recs[:20][5:10].ranks == list(range(6, 11))
    assert recs[:20][5:10].n_passed == 49
    caption = top.caption()
    assert "10 of 84" not in caption and "49" in caption and "84" in caption
    assert "49" in top._repr_html_() and "84 evaluated" in top._repr_html_()
    assert recs.caption().startswith("49 of 84 candidates passed the SNR filter")
    pd.testing.assert_frame_equal(
        recs[10:20].to_dataframe(), recs.to_dataframe().iloc[10:20].reset_index(drop=True)
    )


def test_html_shows_the_hdi_probability_used(designer):
    recs = designer.recommend(hdi_prob=0.8)
    assert_rows_match(recs[:10], hdi_prob=0.8)
    html = recs._repr_html_()
    assert "lift 80% HDI" in html and "94%" not in html
    assert "80% HDI" in recs[0].rationale and "94%" not in recs[0].rationale
    wide = designer.recommend(hdi_prob=0.5, channels="search", durations=12, spend_changes=0.5)
    assert (
        wide[0].lift_hdi[1] - wide[0].lift_hdi[0]
        < (
            recs.to_dataframe()
            .query("channel == 'search' and duration == 12 and spend_change == 0.5")
            .eval("lift_hdi_upper - lift_hdi_lower")
            .iloc[0]
        )
    )
    assert designer.evaluate("tv", 0.2, 4, hdi_prob=0.8).hdi_prob == 0.8


def test_null_confirmation_and_geo_caption(designer):
    edge = simulate_designer_fixture(
        ("tv", "search", "social", "display"), spend_correlation={("tv", "search"): 0.85}
    ).designer()
    recs = edge.recommend(spend_changes=[0.2, 0.5, -0.5, -1.0], durations=[4, 8], min_snr=0.0)
    assert_rows_match(recs[:8])
    assert "Null-confirmation" in recs[:8]._repr_html_() and "display" in recs[:8]._repr_html_()
    fx = simulate_designer_fixture(n_draws=200)
    post = fx.idata.posterior.expand_dims(geo=["north", "south"])
    geo = ExperimentDesigner.from_idata(
        post, current_spend={c: [v, v / 2] for c, v in fx.current_spend.items()}, residual_std=0.1
    )
    south = geo.recommend(geo="south", min_snr=0.0)
    assert_rows_match(south[:5])
    assert "Geo: south" in south.caption()


def test_empty_recommendations_render(designer):
    none = designer.recommend(min_snr=1e6)
    assert len(none) == 0 and none.n_evaluated == 84
    columns, rows = html_table(none._repr_html_())
    assert rows == [] and columns[:2] == ["rank", "channel"]
    assert "0 of 84" in none.caption()


def test_recommendations_counts_are_consistent():
    with pytest.raises(ValueError, match="ranks"):
        Recommendations([], ranks=[1])
    with pytest.raises(ValueError, match="n_passed"):
        Recommendations([], n_evaluated=3, n_passed=5)


# --------------------------------------------------------------------------- GeoRanking


def test_geo_ranking_html_matches_its_table_row_for_row(geo):
    from labkit.design import GeoDesigner, geo_panel_designer

    designer = geo_panel_designer(geo, n_draws=200, seed=1)
    ranking = GeoDesigner(designer, geo.data).rank(
        [("geo_01",), ("geo_02", "geo_03")], placebo=False, durations=(4, 8), n_outcomes=8
    )
    columns, rows = html_table(ranking._repr_html_())
    table = ranking.to_dataframe().head(10)
    assert columns == [str(c) for c in table.columns]
    assert len(rows) == len(table) == min(10, len(ranking))
    for row, (_, want) in zip(rows, table.iterrows(), strict=True):
        assert row[columns.index("treated_set")] == want["treated_set"]
        assert int(row[columns.index("rank")]) == want["rank"]
        assert float(row[columns.index("assurance")]) == pytest.approx(want["assurance"], rel=1e-2)
    assert "geo_02+geo_03" in set(table["treated_set"])
    assert f"{len(ranking)} geo tests" in ranking._repr_html_()


# --------------------------------------------------------------------------- CalibrationReport


def _assert_table_matches(shown, expected: pd.DataFrame, digits: int) -> None:
    columns, rows = shown
    assert columns == [str(c) for c in expected.columns]
    assert len(rows) == len(expected)
    for row, (_, want) in zip(rows, expected.iterrows(), strict=True):
        for text, value in zip(row, want, strict=True):
            if isinstance(value, str):
                assert text == value
            else:
                assert float(text) == pytest.approx(float(value), abs=0.51 * 10**-digits)


def test_calibration_report_markdown_matches_its_tables(report):
    for digits in (3, 1):
        text = report.to_markdown(digits=digits)
        tables = markdown_tables(text)
        _assert_table_matches(
            tables["Precision and bias improvement (% of the uncalibrated HDI width)"],
            report.summary().reset_index(),
            digits,
        )
        _assert_table_matches(
            tables["Saturation-curve recovery"], report.curve_summary().reset_index(), digits
        )
        _assert_table_matches(
            tables["In-sample fit (mean over geos)"], report.fit_summary().reset_index(), digits
        )
    assert report._repr_markdown_() == report.to_markdown()
    assert "HDI probability 94%" in report.to_markdown()
    other = dataclasses.replace(report, hdi_prob=0.8)
    assert "HDI probability 80%" in other.to_markdown() and "94%" not in other.to_markdown()
    with pytest.raises(TypeError, match="digits"):
        report.to_markdown(digits=2.5)
    with pytest.raises(ValueError, match="digits"):
        report.to_markdown(digits=-1)


# --------------------------------------------------------------------------- geo pooling table


def test_pooling_table_is_compact():
    from labkit.geo.model import POOLING, centred_priors, geo_priors, pooling_table

    for priors in (geo_priors(), centred_priors()):
        table = pooling_table(priors).assign(source="x")
        longest = table.astype(str).map(len).to_numpy().max()
        assert longest <= 28, table
        assert max(len(c) for c in table.columns) <= 12
        assert set(table["pooling"]) <= set(POOLING)
        columns, rows = html_table(table.to_html())
        assert columns[1:] == list(table.columns)
        assert len(rows) == len(table) == 3
        assert [r[1] for r in rows] == list(table["parameter"])
    hyper = pooling_table(geo_priors())["hyperpriors"]
    assert (hyper == "mu, sigma [channel]").all()
    assert np.array_equal(pooling_table()["centred"], [False] * 3)
