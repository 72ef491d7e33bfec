"""What the experiment designer reports: ranked candidates and single evaluations.

- :class:`Recommendation`: one candidate lift test (channel, spend change,
  duration) with its expected lift and HDI, signal-to-noise ratio, assurance
  (plain, tempered, sceptical), ramp fraction, net cost and score, and the
  rationale of its rank in words;
- :class:`Recommendations`: the ranking, best first, shown in Jupyter as a table
  with a caption and the channels flagged near-null (:class:`NullChannel`);
- :class:`CandidateSummary`: one candidate with its lift draws, what the
  explorer widget shows.

Lift, noise and cost are on the model scale unless a field says otherwise.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, overload

import numpy as np
import pandas as pd

from labkit.design.checks import NATIONAL
from labkit.design.learning import LearningCheck, geo_learning_check
from labkit.stats import HDI_PROB


def _format_change(change: float) -> str:
    """``-1`` -> ``"go-dark"``, ``0.2`` -> ``"+20%/wk"``, ``0.125`` -> ``"+12.5%/wk"``."""
    return "go-dark" if change == -1 else f"{change * 100:+.3g}%/wk"


def _format_prob(prob: float) -> str:
    """``0.94`` -> ``"94%"``, ``0.895`` -> ``"89.5%"``."""
    return f"{prob * 100:.3g}%"


@dataclass(frozen=True)
class Recommendation:
    """One candidate lift test and what the posterior predicts for it.

    Lift, noise and cost are on the model scale; ``*_original`` fields are in
    outcome units (lift) and currency (cost).
    """

    channel: str
    spend_change: float
    duration: int
    expected_lift: float
    lift_hdi: tuple[float, float]
    snr: float
    assurance: float
    assurance_tempered: float
    assurance_sceptical: float
    ramp_fraction: float
    net_cost: float
    score: float
    geo: str = NATIONAL
    expected_lift_original: float = float("nan")
    net_cost_original: float = float("nan")
    sigma_d: float = float("nan")
    learning_value: float = float("nan")
    learning_ess: float = float("nan")
    decision_value: float = float("nan")
    decision_ess: float = float("nan")
    dominated: bool = False
    context: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def rationale(self) -> str:
        """Why this test ranks where it does, in words (built on demand)."""
        return _rationale(self, **self.context)


@dataclass(frozen=True)
class NullChannel:
    """A channel whose contribution is indistinguishable from noise."""

    channel: str
    geo: str
    go_dark_snr: float
    duration: int

    def __str__(self) -> str:
        return (
            f"{self.channel} ({self.geo}): switching it off for {self.duration} weeks would move "
            f"the outcome by |SNR| = {abs(self.go_dark_snr):.2f} < 1 on average"
        )


@dataclass
class Recommendations(Sequence[Recommendation]):
    """Ranked candidates (best first), sliceable, rendered as a table in Jupyter.

    A slice (``recs[:10]``) keeps the counts of the full ranking
    (:attr:`n_passed`, :attr:`n_evaluated`) and each candidate's rank.

    Attributes
    ----------
    items : list of Recommendation
        The candidates shown, in rank order.
    null_confirmation : list of NullChannel
        Channels flagged as near-null (see :meth:`ExperimentDesigner.null_channels`).
    n_evaluated : int
        Candidates evaluated before the SNR filter (default: :attr:`n_passed`).
    settings : dict
        The arguments of :meth:`ExperimentDesigner.recommend`.
    n_passed : int
        Candidates that passed the SNR filter (default: ``len(items)``); a slice keeps
        the full ranking's count.
    ranks : list of int
        Rank of each item in the full ranking (default ``1 .. len(items)``).
    """

    items: list[Recommendation]
    null_confirmation: list[NullChannel] = field(default_factory=list)
    n_evaluated: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    n_passed: int | None = None
    ranks: list[int] | None = None

    def __post_init__(self) -> None:
        self.items = list(self.items)
        if self.n_passed is None:
            self.n_passed = len(self.items)
        if not self.n_evaluated:
            self.n_evaluated = self.n_passed
        if self.ranks is None:
            self.ranks = list(range(1, len(self.items) + 1))
        self.ranks = [int(r) for r in self.ranks]
        if len(self.ranks) != len(self.items):
            raise ValueError(
                f"ranks must give one rank per item: {len(self.ranks)} ranks for "
                f"{len(self.items)} items"
            )
        if not len(self.items) <= self.n_passed <= self.n_evaluated:
            raise ValueError(
                "counts must satisfy len(items) <= n_passed <= n_evaluated, got "
                f"{len(self.items)}, {self.n_passed}, {self.n_evaluated}"
            )

    @overload
    def __getitem__(self, i: int) -> Recommendation: ...
    @overload
    def __getitem__(self, i: slice) -> Recommendations: ...
    def __getitem__(self, i: int | slice) -> Recommendation | Recommendations:
        if isinstance(i, slice):
            assert self.ranks is not None  # set by __post_init__
            return Recommendations(
                self.items[i],
                self.null_confirmation,
                self.n_evaluated,
                self.settings,
                n_passed=self.n_passed,
                ranks=self.ranks[i],
            )
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self.items)

    @property
    def hdi_prob(self) -> float | None:
        """The probability of the lift HDIs (``None`` if unknown)."""
        prob = self.settings.get("hdi_prob")
        if prob is None and self.items:
            prob = self.items[0].context.get("hdi_prob")
        return None if prob is None else float(prob)

    def to_dataframe(self) -> pd.DataFrame:
        """Return a tidy table, one row per candidate, in rank order.

        Returns
        -------
        pandas.DataFrame
            Columns ``channel, spend_change, duration, expected_lift, lift_hdi_lower,
            lift_hdi_upper, snr, assurance, ramp_fraction, net_cost, score`` then
            ``geo, assurance_tempered, assurance_sceptical, sigma_d,
            expected_lift_original, net_cost_original, learning_value, learning_ess,
            decision_value, decision_ess, dominated``; a default integer index
            (the rank is ``index + 1`` for the full ranking, see :attr:`ranks`).
        """
        rows = []
        for r in self.items:
            d = asdict(r)
            lo, hi = d.pop("lift_hdi")
            d.pop("context")
            rows.append(d | {"lift_hdi_lower": lo, "lift_hdi_upper": hi})
        cols = [
            "channel", "spend_change", "duration", "expected_lift", "lift_hdi_lower",
            "lift_hdi_upper", "snr", "assurance", "ramp_fraction", "net_cost", "score", "geo",
            "assurance_tempered", "assurance_sceptical", "sigma_d", "expected_lift_original",
            "net_cost_original", "learning_value", "learning_ess", "decision_value",
            "decision_ess", "dominated",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=cols)

    def to_display_frame(self) -> pd.DataFrame:
        """Return the formatted table the HTML view shows, built row by row from the items.

        A compact subset of :meth:`to_dataframe` as strings: ``channel``, ``Δ spend``,
        ``weeks``, ``E[lift]``, the lift HDI (headed with the probability used,
        e.g. ``lift 94% HDI``), ``SNR``, ``assurance``, ``net cost`` and ``score``,
        indexed by ``rank`` in the full ranking (plus a ``geo`` column when the
        items come from several geos, ``learning`` when the learning value was
        computed and ``value/wk`` when the decision value was). Tempered and
        sceptical assurance and the ramp fraction are in :meth:`to_dataframe` only.

        Returns
        -------
        pandas.DataFrame
        """
        prob = self.hdi_prob
        hdi_col = "lift HDI" if prob is None else f"lift {_format_prob(prob)} HDI"
        rows = [
            {
                "geo": r.geo,
                "channel": r.channel,
                "Δ spend": _format_change(r.spend_change),
                "weeks": r.duration,
                "E[lift]": f"{r.expected_lift:.3g}",
                hdi_col: f"[{r.lift_hdi[0]:.3g}, {r.lift_hdi[1]:.3g}]",
                "SNR": f"{r.snr:.2f}",
                "assurance": f"{r.assurance:.2f}",
                "net cost": f"{r.net_cost:.3g}",
                "learning": f"{r.learning_value:.0%}",
                "value/wk": f"{r.decision_value:.3g}",
                "score": f"{r.score:.3f}",
            }
            for r in self.items
        ]
        columns = [
            "geo", "channel", "Δ spend", "weeks", "E[lift]", hdi_col, "SNR", "assurance",
            "net cost", "learning", "value/wk", "score",
        ]  # fmt: skip
        table = pd.DataFrame(rows, columns=columns, index=pd.Index(self.ranks, name="rank"))
        if table["geo"].nunique() <= 1:
            table = table.drop(columns="geo")
        if all(np.isnan(r.learning_value) for r in self.items):
            table = table.drop(columns="learning")
        if all(np.isnan(r.decision_value) for r in self.items):
            table = table.drop(columns="value/wk")
        return table

    def caption(self) -> str:
        """One sentence on what the table shows: counts, filter, scale and HDI."""
        min_snr = self.settings.get("min_snr")
        rule = "" if min_snr is None else f" (|SNR| ≥ {float(min_snr):g})"
        if len(self) == self.n_passed and self.ranks == list(range(1, len(self) + 1)):
            counts = (
                f"{self.n_passed} of {self.n_evaluated} candidates passed the SNR filter{rule}."
            )
        else:
            counts = (
                f"Showing {len(self)} of the {self.n_passed} candidates that passed the SNR "
                f"filter{rule}; {self.n_evaluated} evaluated."
            )
        geos = sorted({r.geo for r in self.items})
        where = f" Geo: {geos[0]}." if len(geos) == 1 and geos[0] != NATIONAL else ""
        prob = self.hdi_prob
        hdi_note = "" if prob is None else f"; lift HDI at {_format_prob(prob)}"
        return (
            f"{counts}{where} Lift and net cost on the model scale{hdi_note}. Tempered and "
            "sceptical assurance and the ramp fraction: to_dataframe()."
        )

    def _repr_html_(self) -> str:
        table = self.to_display_frame().to_html(escape=True)
        note = f"<p>{html.escape(self.caption())}</p>"
        if self.null_confirmation:
            items = "".join(f"<li>{html.escape(str(n))}</li>" for n in self.null_confirmation)
            note += f"<p><b>Null-confirmation candidates</b>:</p><ul>{items}</ul>"
        return f'<div style="overflow-x: auto; white-space: nowrap">{table}</div>{note}'

    def __repr__(self) -> str:
        nulls = [n.channel for n in self.null_confirmation]
        return (
            f"Recommendations({len(self)} of {self.n_passed} candidates passing the SNR filter, "
            f"{self.n_evaluated} evaluated; null-confirmation: {nulls})"
        )


@dataclass(frozen=True)
class CandidateSummary:
    """Everything the explorer widget shows for one candidate."""

    channel: str
    geo: str
    spend_change: float
    duration: int
    lift_draws: np.ndarray
    lift_hdi: tuple[float, float]
    sigma_d: float
    snr: float
    assurance: float
    assurance_tempered: float
    ramp_fraction: float
    hdi_prob: float = HDI_PROB


def _rationale(
    r: Recommendation,
    rank: int = 1,
    n_channels: int = 1,
    correlated: Sequence[tuple[str, float]] = (),
    is_null: bool = False,
    prior_trust: float = 1.0,
    null_probability: float = 0.0,
    hdi_prob: float = HDI_PROB,
    horizon: int | None = None,
) -> str:
    lo, hi = r.lift_hdi
    lines = [
        f"{r.channel} is the channel whose contribution the posterior is least sure of "
        f"(uncertainty rank #1 of {n_channels}): a high-priority test target."
        if rank == 1
        else f"{r.channel} ranks #{rank} of {n_channels} by the posterior uncertainty of its "
        "contribution.",
        f"A {_format_change(r.spend_change)} change for {r.duration} weeks predicts a total "
        "lift of "
        f"{r.expected_lift:.3g} ({_format_prob(hdi_prob)} HDI [{lo:.3g}, {hi:.3g}], model scale), "
        f"SNR {r.snr:.2f}, "
        f"assurance {r.assurance:.2f}.",
        f"If the posterior were {prior_trust:g}x as wide, assurance would be "
        f"{r.assurance_tempered:.2f}; "
        f"with a {null_probability:.0%} chance of no effect at all, {r.assurance_sceptical:.2f}.",
        f"The test captures {r.ramp_fraction:.0%} of the steady-state effect (adstock ramp); "
        "net cost "
        f"{r.net_cost:.3g} (model scale).",
    ]
    if correlated:
        pairs = ", ".join(f"{o} (r = {v:.2f})" for o, v in correlated)
        lines.append(
            f"Caution: {r.channel}'s spend is strongly correlated with {pairs}; the MMM may not "
            "have separated their effects, so this posterior (and the assurance built on it) "
            "can be "
            "confidently wrong. The test itself breaks the correlation."
        )
    if not np.isnan(r.learning_value):
        lines.append(
            f"Its result would cut the posterior sd of {r.channel}'s ROAS by "
            f"{r.learning_value:.0%} on average (preposterior reweighting, "
            f"{r.learning_ess:.0f} effective draws)."
        )
    if not np.isnan(r.decision_value):
        over = "" if horizon is None else f", {r.decision_value * horizon:.3g} over {horizon} weeks"
        lines.append(
            f"For the budget split its result is worth {r.decision_value:.3g} per week{over} "
            "(the expected gain from re-allocating after it, in the decision's money; "
            f"{r.decision_ess:.0f} effective draws)."
        )
    criteria = ["cost", "assurance"] + [
        name
        for name, v in (("learning", r.learning_value), ("value for the budget", r.decision_value))
        if not np.isnan(v)
    ]
    if len(criteria) > 2:
        listed = ", ".join(criteria[:-1]) + f" and {criteria[-1]}"
        lines.append(
            f"Another candidate is at least as good on {listed}, and better on one of these."
            if r.dominated
            else f"No other candidate beats it on {listed} at once."
        )
    if is_null:
        lines.append(f"{r.channel} is flagged near-null: this test would mostly confirm a null.")
    return "\n".join(lines)


@dataclass
class GeoRanking:
    """Ranked geo tests (:meth:`~labkit.design.GeoDesigner.rank`), best first.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate: ``rank``, ``treated_set`` (a tuple of geos),
        ``n_geos``, ``channel``, ``spend_change``, ``duration``, the lift's mean
        and HDI, the sds, ``assurance``, ``net_cost`` (and in currency),
        ``cost_efficiency``, the learning value and feasibility columns,
        ``dominated``.
    settings : dict
        The arguments of the ranking.
    """

    table: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def learning_check(self) -> LearningCheck | None:
        """How far to trust the learning value's level on a geo MMM (None without learning value).

        How refits of a hierarchical geo MMM met the learning value over simulated
        panels (:func:`labkit.design.learning.geo_learning_check`), the factor to put
        on its level. Read from the committed study when asked for, not when ranking.
        """
        if not self.settings.get("learning_value"):
            return None
        return geo_learning_check()

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, i: int) -> pd.Series:
        """Return the candidate of rank ``i + 1`` (a row of :attr:`table`)."""
        return self.table.iloc[i]

    def __iter__(self) -> Iterator[pd.Series]:
        return (row for _, row in self.table.iterrows())

    def to_dataframe(self) -> pd.DataFrame:
        """Return a copy of :attr:`table`, the treated sets as ``"geo_a+geo_b"`` labels."""
        out = self.table.copy()
        out["treated_set"] = out["treated_set"].map("+".join)
        return out

    def _repr_html_(self) -> str:
        shown = self.to_dataframe().head(10)
        note = "" if self.learning_check is None else f"<p>{self.learning_check}</p>"
        return (
            f"<p>{len(self)} geo tests, best first (top 10)</p>"
            + shown.to_html(index=False, float_format=lambda v: f"{v:.3g}")
            + note
        )

    def __repr__(self) -> str:
        return f"GeoRanking({len(self)} candidates)"
