r"""Posterior-aware lift-test design.

For every candidate experiment (channel x relative spend change x duration) the
designer pushes each posterior draw of a fitted MMM through geometric adstock
and the saturation curve, and predicts the total lift the test would measure:

* steady-state adstocked spend :math:`x_{ss} = m\,x` with :math:`m = \sum_{k<L}
  \alpha^k` (:math:`m = 1` for normalised adstock);
* ramp :math:`\rho_t = \sum_{k \le \min(t, L-1)} w_k / \sum_k w_k`, which is
  exactly 1 from week :math:`L - 1` on (truncated at ``l_max``);
* weekly lift :math:`\ell_t = f(m(x + \rho_t \Delta x)) - f(m x)`, total lift
  :math:`L_T = \sum_{t<T} \ell_t`;
* noise of the measured total :math:`\sigma_d = \sigma_\varepsilon \sqrt{T (1+\rho)
  / (1-\rho)}` with :math:`\rho` the lag-1 residual autocorrelation clipped to
  [0, 0.99];
* assurance: the mean over draws of the two-sided normal power
  :math:`\Phi(|L_T|/\sigma_d - z_{1-a/2}) + \Phi(-|L_T|/\sigma_d - z_{1-a/2})`
  (or the one-sided power in the expected direction).

Lift, noise and cost are on the **model scale** (spend divided by the channel
scale, outcome divided by the target scale) unless a name ends in
``_original``: then lift is in outcome units and cost in currency.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, overload

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from labkit import _kernels
from labkit._validate import (
    check_bool,
    check_int,
    check_mapping,
    check_number,
    check_probability,
    check_strings,
    check_values,
)
from labkit.response import Saturation, adstock_ramp, get_saturation, steady_state_multiplier

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_SPEND_CHANGES",
    "MAX_SPEND_CHANGE",
    "ExperimentDesigner",
    "Recommendation",
    "Recommendations",
    "assurance",
    "hdi",
    "power",
]

DEFAULT_SPEND_CHANGES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, -0.2, -0.5, -1.0)
DEFAULT_DURATIONS: tuple[int, ...] = (4, 6, 8, 12)
#: Largest relative spend change accepted (+500 %): changes are fractions, so 20 is +2000 %.
MAX_SPEND_CHANGE = 5.0
SCORE_KEYS = ("assurance", "cost_efficiency")
CORRELATION_CAUTION = 0.7
NATIONAL = "national"


# --------------------------------------------------------------------------- small math


def hdi(samples: np.ndarray, hdi_prob: float = 0.94) -> np.ndarray:
    """Highest-density interval of samples along the last axis.

    The same algorithm as :func:`arviz.hdi` for unimodal samples (the narrowest
    window spanning ``floor(hdi_prob * n)`` sorted draws), vectorised over the
    leading axes; ``tests/test_designer.py`` checks it equals ArviZ. Only the
    ``n - floor(hdi_prob * n)`` smallest and largest draws can bound such a window,
    so a linear-time partition plus two short sorts replace the full sort.

    Parameters
    ----------
    samples : numpy.ndarray
        Draws on the last axis.
    hdi_prob : float
        Probability mass in (0, 1).

    Returns
    -------
    numpy.ndarray
        Shape ``samples.shape[:-1] + (2,)``: lower and upper bounds.
    """
    _check_open_unit("hdi_prob", hdi_prob)
    x = np.asarray(samples, dtype=float)
    n = x.shape[-1]
    interval = int(np.floor(hdi_prob * n))
    if n - interval < 1 or interval < 1:
        raise ValueError(f"hdi_prob={hdi_prob} leaves no interval for {n} draws")
    if 2 * (n - interval) >= n:  # wide windows: a full sort is as cheap
        ordered = np.sort(x, axis=-1)
        widths = ordered[..., interval:] - ordered[..., : n - interval]
        lo = np.argmin(widths, axis=-1)[..., None]
        return np.concatenate(
            [np.take_along_axis(ordered, lo, -1), np.take_along_axis(ordered, lo + interval, -1)],
            axis=-1,
        )
    flat = np.ascontiguousarray(x.reshape(-1, n))
    return _kernels.hdi_rows(flat, interval).reshape((*x.shape[:-1], 2))


def power(
    effect: np.ndarray, sigma: np.ndarray | float, significance_level: float, one_sided: bool
) -> np.ndarray:
    """Power of a z-test of the measured total lift.

    Parameters
    ----------
    effect : numpy.ndarray
        True total lift(s).
    sigma : float or numpy.ndarray
        Standard deviation of the measurement, same scale.
    significance_level : float
        Test level in (0, 1).
    one_sided : bool
        If true, ``effect`` must already be signed in the tested direction
        (positive = the direction the test expects).

    Returns
    -------
    numpy.ndarray
        Probability of a significant result.
    """
    level = _check_open_unit("significance_level", significance_level)
    ncp = np.asarray(effect, dtype=float) / sigma
    if check_bool("one_sided", one_sided):
        return ndtr(ncp - ndtri(1 - level))
    z = ndtri(1 - level / 2)
    return ndtr(np.abs(ncp) - z) + ndtr(-np.abs(ncp) - z)


def assurance(
    lifts: np.ndarray,
    sigma: np.ndarray,
    significance_level: float,
    *,
    one_sided: bool = False,
    prior_trust: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Bayesian assurance of candidates: mean power over lift draws.

    Parameters
    ----------
    lifts : numpy.ndarray
        Lift draws, draws on the last axis; leading axes are candidates.
    sigma : numpy.ndarray
        Noise sd of each candidate, broadcastable to ``lifts.shape[:-1]``.
    significance_level : float
    one_sided : bool
        Count only significant results in the direction of the expected lift.
    prior_trust : float
        k >= 1: the tempered assurance spreads the draws around their mean by k.

    Returns
    -------
    tuple of numpy.ndarray
        Plain and tempered assurance, shape ``lifts.shape[:-1]``.
    """
    lifts = np.ascontiguousarray(lifts, dtype=float)
    shape = lifts.shape[:-1]
    flat = lifts.reshape(-1, lifts.shape[-1])
    sig = np.ascontiguousarray(np.broadcast_to(sigma, shape), dtype=float).reshape(-1)
    level = _check_open_unit("significance_level", significance_level)
    one_sided = check_bool("one_sided", one_sided)
    z = float(ndtri(1 - level)) if one_sided else float(ndtri(1 - level / 2))
    direction = np.where(flat.mean(axis=-1) < 0, -1.0, 1.0) if one_sided else np.ones(len(flat))
    plain, tempered = _kernels.assurance_rows(
        flat, sig, z, bool(one_sided), direction, _check_trust(prior_trust)
    )
    return plain.reshape(shape), tempered.reshape(shape)


def effective_sigma(
    residual_std: np.ndarray | float, residual_autocorr: np.ndarray | float, duration: np.ndarray
) -> np.ndarray:
    """Return the standard deviation of the sum of ``duration`` AR(1) residuals.

    ``residual_std * sqrt(T * (1 + rho) / (1 - rho))`` with ``rho`` clipped to
    [0, 0.99]: negative autocorrelation is not given credit.
    """
    rho = np.clip(np.asarray(residual_autocorr, dtype=float), 0.0, 0.99)
    return np.asarray(residual_std) * np.sqrt(np.asarray(duration) * (1 + rho) / (1 - rho))


# --------------------------------------------------------------------------- validation


def _check_open_unit(name: str, value: Any) -> float:
    return check_probability(name, value)


_CHANGE_HINT = (
    f" (a fraction of current weekly spend: 0.2 for +20 %, -1 for go-dark; at most "
    f"{MAX_SPEND_CHANGE:g} = +{MAX_SPEND_CHANGE * 100:.0f} %)"
)


def _check_spend_change(name: str, value: Any) -> float:
    """One relative spend change: a number in [-1, MAX_SPEND_CHANGE], not 0."""
    v = check_number(name, value, low=-1.0, high=MAX_SPEND_CHANGE, hint=_CHANGE_HINT)
    if v == 0:
        raise ValueError(f"{name} must not be 0: a test needs a spend change{_CHANGE_HINT}")
    return v


def _check_spend_changes(values: Any, name: str = "spend_changes") -> tuple[float, ...]:
    """Spend changes: ``None`` gives the defaults, one number is one change, empty raises."""
    items = check_values(name, values, default=DEFAULT_SPEND_CHANGES)
    out = tuple(_check_spend_change(f"{name}[{i}]", v) for i, v in enumerate(items))
    _check_unique(name, out)
    return out


def _check_durations(values: Any, name: str = "durations") -> tuple[int, ...]:
    """Test lengths: ``None`` gives the defaults, one int is one duration, empty raises."""
    items = check_values(name, values, default=DEFAULT_DURATIONS)
    out = tuple(check_int(f"{name}[{i}]", d, minimum=1, unit="weeks") for i, d in enumerate(items))
    _check_unique(name, out)
    return out


def _check_unique(name: str, values: Sequence[Any]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{name} repeats {repeated}; give each value once")


def _per_unit(name: str, values: Any, n_units: int) -> np.ndarray:
    """``values`` as floats, one per unit (a scalar is shared by every unit)."""
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or one number per unit, got {values!r}") from err
    if v.ndim > 1 or v.size not in (1, n_units):
        raise ValueError(f"{name} must be one number or {n_units} (one per unit), got {values!r}")
    return np.broadcast_to(v.reshape(-1), (n_units,)).copy()


def _check_sigma(name: str, values: Any, n_units: int = 1) -> np.ndarray:
    v = _per_unit(name, values, n_units)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {values!r}")
    return v


def _check_rho(values: Any, n_units: int = 1) -> np.ndarray:
    v = _per_unit("residual_autocorr", values, n_units)
    if not np.all(np.isfinite(v)) or np.any((v <= -1) | (v >= 1)):
        raise ValueError(f"residual_autocorr must lie in (-1, 1), got {values!r}")
    return v


def _check_weights(score_weights: Mapping[str, float] | None) -> dict[str, float]:
    if score_weights is None:
        return {"assurance": 0.5, "cost_efficiency": 0.5}
    if not isinstance(score_weights, Mapping):
        raise TypeError(f"score_weights must be a mapping, got {type(score_weights).__name__}")
    unknown = sorted(set(score_weights) - set(SCORE_KEYS))
    if unknown:
        raise ValueError(
            f"unknown score_weights keys {unknown}; allowed keys are {list(SCORE_KEYS)}"
        )
    weights = {
        k: check_number(f"score_weights[{k!r}]", score_weights.get(k, 0.0), low=0.0)
        for k in SCORE_KEYS
    }
    if sum(weights.values()) == 0:
        raise ValueError(
            f"score_weights must be finite, >= 0 and not all 0, got {dict(score_weights)}"
        )
    return weights


def _minmax(v: np.ndarray) -> np.ndarray:
    span = v.max() - v.min() if v.size else 0.0
    return np.ones_like(v) if span == 0 else (v - v.min()) / span


# --------------------------------------------------------------------------- results


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
    context: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def rationale(self) -> str:
        """Why this test ranks where it does, in words (built on demand)."""
        return _rationale(self, **self.context)

    @property
    def label(self) -> str:
        """Short description, e.g. ``"search +20%/wk for 4w"``."""
        return f"{self.channel} {_format_change(self.spend_change)} for {self.duration}w"


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
            expected_lift_original, net_cost_original``; a default integer index
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
            "net_cost_original",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=cols)

    def to_display_frame(self) -> pd.DataFrame:
        """Return the formatted table the HTML view shows, built row by row from the items.

        A compact subset of :meth:`to_dataframe` as strings: ``channel``, ``Δ spend``,
        ``weeks``, ``E[lift]``, the lift HDI (headed with the probability used,
        e.g. ``lift 94% HDI``), ``SNR``, ``assurance``, ``net cost`` and ``score``,
        indexed by ``rank`` in the full ranking (plus a ``geo`` column when the
        items come from several geos). Tempered and sceptical assurance and the ramp
        fraction are in :meth:`to_dataframe` only.

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
                "score": f"{r.score:.3f}",
            }
            for r in self.items
        ]
        columns = [
            "geo", "channel", "Δ spend", "weeks", "E[lift]", hdi_col, "SNR", "assurance",
            "net cost", "score",
        ]  # fmt: skip
        table = pd.DataFrame(rows, columns=columns, index=pd.Index(self.ranks, name="rank"))
        if table["geo"].nunique() <= 1:
            table = table.drop(columns="geo")
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
    hdi_prob: float = 0.94


# --------------------------------------------------------------------------- designer


class ExperimentDesigner:
    """Rank lift tests by what a fitted MMM's posterior predicts they would show.

    Build it with :meth:`from_mmm` (a fitted pymc-marketing multidimensional
    ``MMM``) or :meth:`from_idata` (a posterior plus the facts an MMM would
    provide). With a ``geo`` dimension the designer evaluates each geo and a
    national aggregate (lift summed over geos draw by draw, noise added in
    quadrature across geos).

    Parameters
    ----------
    params : dict
        ``{channel: {param: array (n_units, n_draws)}}`` of saturation parameters
        named as pymc-marketing names them.
    adstock_alpha : dict
        ``{channel: array (n_units, n_draws)}``.
    current_spend : dict
        ``{channel: array (n_units,)}`` weekly spend on the model scale.
    residual_std, residual_autocorr : array (n_units,)
        Weekly residual sd (model scale) and lag-1 autocorrelation per unit.
    l_max : int
    normalize : bool
    saturation : str or Saturation
    spend_correlation : pandas.DataFrame, optional
    units : list of str
        Names of the units (``["national"]`` or the geos).
    channel_scale : dict, optional
        Currency per model-scale spend unit, per channel (> 0; 1 for a channel
        not listed).
    target_scale : float or array (n_units,), optional
        Outcome units per model-scale unit (> 0).
    """

    def __init__(
        self,
        *,
        params: Mapping[str, Mapping[str, np.ndarray]],
        adstock_alpha: Mapping[str, np.ndarray],
        current_spend: Mapping[str, np.ndarray],
        residual_std: np.ndarray,
        residual_autocorr: np.ndarray,
        l_max: int,
        normalize: bool,
        saturation: str | Saturation,
        spend_correlation: pd.DataFrame | None = None,
        units: Sequence[str] = (NATIONAL,),
        channel_scale: Mapping[str, float] | None = None,
        target_scale: np.ndarray | float = 1.0,
    ) -> None:
        self.saturation = (
            saturation if isinstance(saturation, Saturation) else get_saturation(saturation)
        )
        self.l_max = check_int("l_max", l_max, minimum=1, unit="weeks")
        self.normalize = check_bool("normalize", normalize)
        self.units = check_strings("units", units)
        n_units = len(self.units)
        self.channels = list(params)
        missing = [c for c in self.channels if c not in current_spend or c not in adstock_alpha]
        if missing:
            raise ValueError(
                f"current_spend and adstock_alpha need every channel; missing {missing}"
            )
        self.params = {
            c: {p: _as_units(params[c][p]) for p in self.saturation.params} for c in self.channels
        }
        self.alpha = {c: _as_units(adstock_alpha[c]) for c in self.channels}
        self.current_spend = {}
        for c in self.channels:
            x = _per_unit(f"current_spend[{c!r}]", current_spend[c], n_units)
            if not np.all(np.isfinite(x)) or np.any(x < 0):
                raise ValueError(
                    f"current_spend[{c!r}] must be {n_units} finite value(s) >= 0, "
                    f"got {current_spend[c]!r}"
                )
            self.current_spend[c] = x
        self.residual_std = _check_sigma("residual_std", residual_std, n_units)
        self.residual_autocorr = _check_rho(residual_autocorr, n_units)
        self.n_draws = self.alpha[self.channels[0]].shape[-1]
        for c in self.channels:
            shapes = {a.shape for a in (*self.params[c].values(), self.alpha[c])}
            if shapes != {(n_units, self.n_draws)}:
                raise ValueError(
                    f"posterior arrays of {c!r} must all have shape {(n_units, self.n_draws)}"
                )
        if spend_correlation is None:
            spend_correlation = pd.DataFrame(
                np.eye(len(self.channels)), self.channels, self.channels
            )
        corr = pd.DataFrame(spend_correlation).reindex(index=self.channels, columns=self.channels)
        if corr.isna().any().any() or ((corr.to_numpy() < -1) | (corr.to_numpy() > 1)).any():
            raise ValueError("spend_correlation must cover every channel with values in [-1, 1]")
        self.spend_correlation = corr
        scales = (
            {}
            if channel_scale is None
            else check_mapping("channel_scale", channel_scale, allow_empty=True)
        )
        self.channel_scale = {
            c: check_number(f"channel_scale[{c!r}]", scales.get(c, 1.0), low=0.0, low_open=True)
            for c in self.channels
        }
        self.target_scale = _check_sigma("target_scale", target_scale, n_units)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_idata(
        cls,
        idata: Any,
        *,
        current_spend: Mapping[str, float],
        residual_std: float,
        residual_autocorr: float = 0.0,
        l_max: int = 8,
        normalize: bool = True,
        saturation: str = "logistic",
        spend_correlation: pd.DataFrame | None = None,
        channel_scale: Mapping[str, float] | None = None,
        target_scale: float = 1.0,
    ) -> ExperimentDesigner:
        """Build a designer from a posterior with pymc-marketing's names and dims.

        Parameters
        ----------
        idata : arviz.InferenceData or xarray.Dataset
            Its posterior holds ``saturation_<param>`` for each parameter of the
            saturation family and ``adstock_alpha`` over ``chain, draw, channel``
            (optionally ``geo`` too).
        current_spend : dict
            Channel -> weekly spend on the model scale (one value, or one per geo).
        residual_std : float
            Weekly residual standard deviation on the model scale (> 0).
        residual_autocorr : float
            Lag-1 residual autocorrelation in (-1, 1); clipped to [0, 0.99] in the noise formula.
        l_max : int
        normalize : bool
        saturation : str
            ``"logistic"``, ``"michaelis_menten"`` or ``"hill"``.
        spend_correlation : pandas.DataFrame, optional
            Channel x channel correlation of spend.
        channel_scale, target_scale : optional
            Model-scale units, to report results in currency and outcome units.

        Returns
        -------
        ExperimentDesigner
        """
        sat = get_saturation(saturation)
        posterior = getattr(idata, "posterior", idata)
        names = [f"saturation_{p}" for p in sat.params] + ["adstock_alpha"]
        missing = [n for n in names if n not in posterior]
        if missing:
            raise ValueError(
                f"the posterior is missing {missing}; a {sat.name} designer needs {names}"
            )
        channels = [str(c) for c in posterior["adstock_alpha"].coords["channel"].to_numpy()]
        units, arrays = _stack_units(posterior, names)
        check_mapping("current_spend", current_spend)
        unknown = sorted(set(current_spend) - set(channels))
        if unknown:
            raise ValueError(
                f"current_spend has unknown channel(s) {unknown}; channels are {channels}"
            )
        absent = [c for c in channels if c not in current_spend]
        if absent:
            raise ValueError(
                f"current_spend has no value for channel(s) {absent}; it needs every channel "
                f"of the posterior {channels}"
            )
        params = {c: {p: arrays[f"saturation_{p}"][c] for p in sat.params} for c in channels}
        alpha = {c: arrays["adstock_alpha"][c] for c in channels}
        return cls(
            params=params,
            adstock_alpha=alpha,
            current_spend={c: current_spend[c] for c in channels},
            residual_std=residual_std,
            residual_autocorr=residual_autocorr,
            l_max=l_max,
            normalize=normalize,
            saturation=sat,
            spend_correlation=spend_correlation,
            units=units,
            channel_scale=channel_scale,
            target_scale=target_scale,
        )

    @classmethod
    def from_mmm(
        cls, mmm: Any, *, last_weeks: int = 8, max_ppc_draws: int = 500, random_seed: int = 0
    ) -> ExperimentDesigner:
        """Build a designer from a fitted pymc-marketing multidimensional ``MMM``.

        Extracts the posterior draws, the current weekly spend (mean of the last
        ``last_weeks`` weeks, model scale), the residual sd and lag-1
        autocorrelation of ``y`` minus its posterior-predictive mean (model scale,
        per geo), the spend correlation, the adstock settings, the saturation type
        and the scalers.

        Parameters
        ----------
        mmm : pymc_marketing.mmm.multidimensional.MMM
            A fitted model (``mmm.idata`` holds a posterior).
        last_weeks : int
            Weeks averaged for the current spend.
        max_ppc_draws : int
            Posterior draws used for the posterior-predictive mean of ``y``.
        random_seed : int
            Seed of the posterior-predictive draws.

        Returns
        -------
        ExperimentDesigner
        """
        from labkit.mmm import mmm_facts

        facts = mmm_facts(
            mmm, last_weeks=last_weeks, max_ppc_draws=max_ppc_draws, random_seed=random_seed
        )
        sat = get_saturation(mmm.saturation)
        names = [f"saturation_{p}" for p in sat.params] + ["adstock_alpha"]
        missing = [n for n in names if n not in mmm.idata.posterior]
        if missing:
            raise ValueError(f"the MMM's posterior is missing {missing}")
        units, arrays = _stack_units(mmm.idata.posterior, names, units=facts.units)
        return cls(
            params={
                c: {p: arrays[f"saturation_{p}"][c] for p in sat.params} for c in facts.channels
            },
            adstock_alpha={c: arrays["adstock_alpha"][c] for c in facts.channels},
            current_spend=facts.current_spend,
            residual_std=facts.residual_std,
            residual_autocorr=facts.residual_autocorr,
            l_max=mmm.adstock.l_max,
            normalize=mmm.adstock.normalize,
            saturation=sat,
            spend_correlation=facts.spend_correlation,
            units=units,
            channel_scale=facts.channel_scale,
            target_scale=facts.target_scale,
        )

    # ------------------------------------------------------------------ core math

    def _unit_index(self, geo: str | None) -> list[int] | None:
        """Return the units to evaluate; None means the national aggregate of all units."""
        if geo is None or (isinstance(geo, str) and geo == NATIONAL):
            return None
        if not isinstance(geo, str):
            raise TypeError(f"geo must be a geo name (str) or None, got {geo!r}")
        if self.units == [NATIONAL]:
            raise ValueError(
                f"geo must be None or {NATIONAL!r}: this designer is national (its posterior has "
                f"no geo dimension), got {geo!r}"
            )
        if geo not in self.units:
            choices = list(dict.fromkeys([NATIONAL, *self.units]))
            raise ValueError(f"geo must be one of {choices} (or None), got {geo!r}")
        return [self.units.index(geo)]

    def _check_channel(self, channel: str, name: str = "channel") -> str:
        if not isinstance(channel, str):
            raise TypeError(
                f"{name} must be a channel name (str), one of {self.channels}, got {channel!r}"
            )
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}; channels are {self.channels}")
        return channel

    def steady_state_contribution(self, channel: str) -> np.ndarray:
        """Weekly contribution at current spend in steady state, per unit and draw (model scale)."""
        c = self._check_channel(channel)
        m = steady_state_multiplier(self.alpha[c], self.l_max, self.normalize)
        return self.saturation(m * self.current_spend[c][:, None], **self.params[c])

    def _lifts(
        self, channels: Sequence[str], spend_changes: np.ndarray, durations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lift (channel, unit, change, duration, draw) and ramp (channel, unit, duration, draw).

        Runs the compiled :func:`labkit._kernels.lift_grid` once for all channels
        (stacked as extra units): per draw, a change of ``spend_change * x`` held for
        ``t`` weeks enters the adstocked spend with the ramp truncated at ``l_max``,
        and weekly lifts through the saturation curve are summed.
        """

        def stack(arrays: list[np.ndarray]) -> np.ndarray:
            return np.ascontiguousarray(np.concatenate(arrays, axis=0))

        pars = [stack([self.params[c][p] for c in channels]) for p in self.saturation.params]
        while len(pars) < 3:
            pars.append(pars[0])
        changes = np.asarray(spend_changes, dtype=float)
        weeks = np.asarray(durations, dtype=np.int64)
        lifts, ramps = _kernels.lift_grid(
            _kernels.SATURATION_CODES[self.saturation.name],
            *pars,
            stack([self.alpha[c] for c in channels]),
            stack([self.current_spend[c] for c in channels]),
            changes,
            weeks,
            self.l_max,
            self.normalize,
        )
        n_c, n_u = len(channels), len(self.units)
        return (
            lifts.reshape(n_c, n_u, len(changes), len(weeks), self.n_draws),
            ramps.reshape(n_c, n_u, len(weeks), self.n_draws),
        )

    def lift_draws(
        self, channel: str, spend_change: float, duration: int, geo: str | None = None
    ) -> np.ndarray:
        """Posterior draws of the total lift of one test (model scale).

        Parameters
        ----------
        channel : str
        spend_change : float
            Relative change of weekly spend, >= -1 (-1 = go-dark).
        duration : int
            Weeks.
        geo : str, optional
            A geo, or ``None``/``"national"`` for the sum over geos.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_draws,)``.
        """
        self._check_channel(channel)
        change = _check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        lifts, _ = self._lifts([channel], np.array([change]), np.array([weeks]))
        lift = lifts[0, :, 0, 0, :]
        return lift.sum(axis=0) if idx is None else lift[idx[0]]

    def sigma_d(self, duration: int | np.ndarray, geo: str | None = None) -> np.ndarray:
        """Noise sd of the measured total lift over ``duration`` weeks (model scale).

        ``duration`` is one int >= 1 (a float is returned) or an array of them.
        """
        if np.ndim(duration):
            weeks = np.array(
                [check_int("duration", d, minimum=1, unit="weeks") for d in np.ravel(duration)]
            )
        else:
            weeks = np.array([check_int("duration", duration, minimum=1, unit="weeks")])
        idx = self._unit_index(geo)
        per_unit = effective_sigma(
            self.residual_std[:, None], self.residual_autocorr[:, None], weeks
        )
        out = np.sqrt((per_unit**2).sum(axis=0)) if idx is None else per_unit[idx[0]]
        return out if np.ndim(duration) else out[0]

    # ------------------------------------------------------------------ ranking

    def evaluate(
        self,
        channel: str,
        spend_change: float,
        duration: int,
        *,
        geo: str | None = None,
        significance_level: float = 0.05,
        hdi_prob: float = 0.94,
        prior_trust: float = 1.0,
        one_sided: bool = False,
    ) -> CandidateSummary:
        """Evaluate one candidate (what the explorer widget shows).

        Parameters
        ----------
        channel : str
            One of :attr:`channels`.
        spend_change : float
            Relative change of weekly spend, a fraction in [-1, 5] other than 0
            (0.2 = +20 %, -1 = go-dark).
        duration : int
            Test length in weeks (>= 1).
        geo : str, optional
            A geo, or ``None``/``"national"`` for the national aggregate.
        significance_level : float
            Level of the test, in (0, 1).
        hdi_prob : float
            Mass of the lift HDI, in (0, 1).
        prior_trust : float
            k >= 1 widens the design prior: lift draws are spread around their
            mean by k before assurance is computed.
        one_sided : bool
            Count only significant results in the expected direction.

        Returns
        -------
        CandidateSummary
        """
        self._check_channel(channel)
        change = _check_spend_change("spend_change", spend_change)
        weeks = check_int("duration", duration, minimum=1, unit="weeks")
        idx = self._unit_index(geo)
        sig = _check_open_unit("significance_level", significance_level)
        prob = _check_open_unit("hdi_prob", hdi_prob)
        k = _check_trust(prior_trust)
        one_sided = check_bool("one_sided", one_sided)
        draws = self.lift_draws(channel, change, weeks, geo)
        sd = float(self.sigma_d(weeks, geo))
        mean = draws.mean()
        plain, temp = assurance(draws, sd, sig, one_sided=one_sided, prior_trust=k)
        ramp = adstock_ramp(self.alpha[channel], self.l_max, weeks).mean(axis=-1)
        ramp_unit = ramp.mean(axis=0) if idx is None else ramp[idx[0]]
        lo, hi = hdi(draws, prob)
        return CandidateSummary(
            channel=channel,
            geo=NATIONAL if idx is None else self.units[idx[0]],
            spend_change=change,
            duration=weeks,
            lift_draws=draws,
            lift_hdi=(float(lo), float(hi)),
            sigma_d=sd,
            snr=float(mean / sd),
            assurance=float(plain),
            assurance_tempered=float(temp),
            ramp_fraction=float(ramp_unit.mean()),
            hdi_prob=prob,
        )

    @cached_property
    def contribution_cv(self) -> dict[str, float]:
        """Relative posterior spread of each channel's contribution.

        The coefficient of variation (sd / mean) over draws of the steady-state
        weekly contribution at current spend, summed over units.
        """
        cv = {}
        for c in self.channels:
            contrib = self.steady_state_contribution(c).sum(axis=0)
            cv[c] = float(contrib.std() / max(abs(contrib.mean()), 1e-12))
        return cv

    def uncertainty_rank(self) -> dict[str, int]:
        """Rank channels by :attr:`contribution_cv` (1 = most uncertain)."""
        cv = self.contribution_cv
        order = sorted(cv, key=lambda c: -cv[c])
        return {c: i + 1 for i, c in enumerate(order)}

    def null_channels(
        self,
        duration: int = 12,
        geo: str | None = None,
        *,
        go_dark_means: Mapping[str, float] | None = None,
    ) -> list[NullChannel]:
        """Channels whose contribution is indistinguishable from noise.

        Rule: a channel is near-null when even switching it off for ``duration``
        weeks (the longest test considered) gives an expected lift smaller than
        the measurement noise, ``|E[lift]| / sigma_d < 1``. Such channels cannot
        reach useful assurance, so the ranking deprioritises them; they are
        reported separately because confirming a null can free budget.
        ``go_dark_means`` passes expected go-dark lifts already computed.

        Parameters
        ----------
        duration : int
            Weeks of the go-dark test (>= 1).
        geo : str, optional
            A geo, or ``None``/``"national"`` for the national aggregate.
        go_dark_means : dict, optional
            ``{channel: expected go-dark lift}`` already computed.

        Returns
        -------
        list of NullChannel
        """
        duration = check_int("duration", duration, minimum=1, unit="weeks")
        out = []
        sd = float(self.sigma_d(duration, geo))
        known = go_dark_means or {}
        for c in self.channels:
            mean = known[c] if c in known else self.lift_draws(c, -1.0, duration, geo).mean()
            snr = float(mean / sd)
            if abs(snr) < 1:
                out.append(NullChannel(c, NATIONAL if geo is None else geo, snr, duration))
        return out

    def recommend(
        self,
        spend_changes: Sequence[float] | None = None,
        durations: Sequence[int] | None = None,
        min_snr: float = 2.0,
        significance_level: float = 0.05,
        score_weights: Mapping[str, float] | None = None,
        hdi_prob: float = 0.94,
        *,
        channels: Sequence[str] | None = None,
        geo: str | None = None,
        prior_trust: float = 2.0,
        null_probability: float = 0.3,
        one_sided: bool = False,
    ) -> Recommendations:
        """Evaluate the grid of candidates and rank those passing the SNR filter.

        Parameters
        ----------
        spend_changes : float or sequence of float, optional
            Relative changes of weekly spend, fractions in [-1, 5] other than 0
            (0.2 = +20 %, -1 = go-dark); one number is one change. Default
            ``(0.1, 0.2, 0.3, 0.5, -0.2, -0.5, -1.0)``; an empty sequence raises.
        durations : int or sequence of int, optional
            Test lengths in weeks (>= 1); one int is one duration. Default
            ``(4, 6, 8, 12)``; an empty sequence raises.
        min_snr : float
            Keep candidates with ``|E[lift]| / sigma_d >= min_snr``.
        significance_level : float
            Level of the test, in (0, 1).
        score_weights : dict, optional
            Weights of ``assurance`` and ``cost_efficiency`` (default 0.5 each);
            unknown keys raise.
        hdi_prob : float
            Mass of the lift HDI, in (0, 1).
        channels : str or sequence of str, optional
            Restrict to these channels (one name is one channel); default all.
        geo : str, optional
            A geo, or the national aggregate (default).
        prior_trust : float
            k >= 1 for the tempered assurance (design prior = posterior spread x k).
        null_probability : float
            Weight of the point mass at zero effect in the sceptical assurance, in [0, 1).
        one_sided : bool
            Count only significant results in the expected direction.

        Returns
        -------
        Recommendations
        """
        changes = np.array(_check_spend_changes(spend_changes, "spend_changes"))
        weeks = np.array(_check_durations(durations, "durations"))
        sig = _check_open_unit("significance_level", significance_level)
        hdi_prob = _check_open_unit("hdi_prob", hdi_prob)
        weights = _check_weights(score_weights)
        k = _check_trust(prior_trust)
        null_probability = check_number(
            "null_probability", null_probability, low=0.0, high=1.0, high_open=True
        )
        min_snr = check_number("min_snr", min_snr, low=0.0)
        one_sided = check_bool("one_sided", one_sided)
        chans = [
            self._check_channel(c, "channels")
            for c in check_strings("channels", channels, default=self.channels)
        ]
        idx = self._unit_index(geo)
        unit_name = NATIONAL if idx is None else self.units[idx[0]]
        sd = self.sigma_d(weeks, geo)  # (T,)
        ranks = self.uncertainty_rank()

        lifts, ramp = self._lifts(chans, changes, weeks)  # (C,U,K,T,D), (C,U,T,D)
        if idx is None:
            lifts = lifts[:, 0] if len(self.units) == 1 else lifts.sum(axis=1)  # (C,K,T,D)
            ramp = ramp.mean(axis=(1, 3))  # (C,T)
            x = np.array([self.current_spend[c].sum() for c in chans])
        else:
            lifts, ramp = lifts[:, idx[0]], ramp[:, idx[0]].mean(axis=-1)
            x = np.array([self.current_spend[c][idx[0]] for c in chans])
        mean = lifts.mean(axis=-1)
        bounds = hdi(lifts, hdi_prob)
        plain, temp = assurance(lifts, sd[None, None, :], sig, one_sided=one_sided, prior_trust=k)
        shape = mean.shape  # (C,K,T)
        table = {
            key: np.broadcast_to(value, shape).ravel()
            for key, value in {
                "channel": np.array(chans, dtype=object)[:, None, None],
                "spend_change": changes[None, :, None],
                "duration": weeks[None, None, :],
                "mean": mean,
                "lo": bounds[..., 0],
                "hi": bounds[..., 1],
                "assurance": plain,
                "tempered": temp,
                "ramp": ramp[:, None, :],
                "net_cost": x[:, None, None] * changes[None, :, None] * weeks[None, None, :],
                "sigma_d": sd[None, None, :],
            }.items()
        }
        n_eval = len(table["channel"])
        snr = table["mean"] / table["sigma_d"]
        keep = np.abs(snr) >= min_snr
        sceptical = (1 - null_probability) * table["assurance"] + null_probability * sig
        efficiency = table["assurance"] / np.abs(table["net_cost"]).clip(min=1e-12)
        score = np.zeros(n_eval)
        if keep.any():
            score[keep] = weights["assurance"] * _minmax(table["assurance"][keep]) + weights[
                "cost_efficiency"
            ] * _minmax(efficiency[keep])
        order = [i for i in np.argsort(-score, kind="stable") if keep[i]]
        go_dark = {}
        if -1.0 in changes:
            at = (table["spend_change"] == -1.0) & (table["duration"] == weeks.max())
            go_dark = dict(zip(table["channel"][at], table["mean"][at], strict=True))
        nulls = self.null_channels(int(weeks.max()), geo, go_dark_means=go_dark)
        null_names = {n.channel for n in nulls}
        # Outcome units: a geo's lift times its target scale; the national sum of model-scale
        # lifts converts only when every geo shares one target scale (pymc-marketing's default).
        if idx is not None:
            target = float(self.target_scale[idx[0]])
        elif np.allclose(self.target_scale, self.target_scale[0]):
            target = float(self.target_scale[0])
        else:
            target = float("nan")
        contexts = {
            c: {
                "rank": ranks[c],
                "n_channels": len(self.channels),
                "correlated": self._correlated(c),
                "is_null": c in null_names,
                "prior_trust": k,
                "null_probability": float(null_probability),
                "hdi_prob": hdi_prob,
            }
            for c in chans
        }
        items = []
        for i in order:
            c = str(table["channel"][i])
            items.append(
                Recommendation(
                    channel=c,
                    spend_change=float(table["spend_change"][i]),
                    duration=int(table["duration"][i]),
                    expected_lift=float(table["mean"][i]),
                    lift_hdi=(float(table["lo"][i]), float(table["hi"][i])),
                    snr=float(snr[i]),
                    assurance=float(table["assurance"][i]),
                    assurance_tempered=float(table["tempered"][i]),
                    assurance_sceptical=float(sceptical[i]),
                    ramp_fraction=float(table["ramp"][i]),
                    net_cost=float(table["net_cost"][i]),
                    score=float(score[i]),
                    geo=unit_name,
                    expected_lift_original=float(table["mean"][i] * target),
                    net_cost_original=float(table["net_cost"][i] * self.channel_scale[c]),
                    sigma_d=float(table["sigma_d"][i]),
                    context=contexts[c],
                )
            )
        settings = {
            "spend_changes": changes.tolist(), "durations": weeks.tolist(), "min_snr": min_snr,
            "significance_level": sig, "score_weights": weights, "hdi_prob": hdi_prob,
            "geo": unit_name,
            "prior_trust": k, "null_probability": null_probability, "one_sided": one_sided,
        }  # fmt: skip
        return Recommendations(items, nulls, n_eval, settings, n_passed=len(items))

    def _correlated(self, channel: str) -> list[tuple[str, float]]:
        """Other channels whose spend correlation with ``channel`` exceeds 0.7 in absolute value."""
        i = self.channels.index(channel)
        row = self.spend_correlation.to_numpy()[i]
        return [
            (o, float(r))
            for j, (o, r) in enumerate(zip(self.channels, row, strict=True))
            if j != i and abs(r) > CORRELATION_CAUTION
        ]

    def simulate_detection_rate(
        self,
        channel: str,
        spend_change: float,
        duration: int,
        *,
        n_experiments: int = 4000,
        significance_level: float = 0.05,
        geo: str | None = None,
        random_seed: int | None = None,
    ) -> float:
        """Share of simulated experiments that reach significance.

        Each simulated experiment draws a "true" lift from the posterior, observes
        it with N(0, sigma_d) noise and runs the two-sided z-test. Over many
        experiments the share of significant results estimates the assurance.
        """
        n_experiments = check_int("n_experiments", n_experiments, minimum=1)
        sig = _check_open_unit("significance_level", significance_level)
        rng = np.random.default_rng(random_seed)
        draws = self.lift_draws(channel, spend_change, duration, geo)
        sd = float(self.sigma_d(duration, geo))
        truth = rng.choice(draws, size=n_experiments, replace=True)
        observed = truth + rng.normal(0.0, sd, n_experiments)
        z = ndtri(1 - sig / 2)
        return float(np.mean(np.abs(observed) / sd > z))

    def __repr__(self) -> str:
        return (
            f"ExperimentDesigner(channels={self.channels}, units={self.units}, "
            f"draws={self.n_draws}, "
            f"saturation={self.saturation.name}, l_max={self.l_max}, normalize={self.normalize})"
        )


def _as_units(values: Any) -> np.ndarray:
    """Posterior draws as a C-contiguous float (n_units, n_draws) array."""
    return np.ascontiguousarray(np.atleast_2d(np.asarray(values, dtype=float)))


def _check_trust(prior_trust: float) -> float:
    return check_number("prior_trust", prior_trust, low=1.0, hint=" (1 = trust the posterior)")


def _stack_units(
    posterior: Any, names: list[str], units: list[str] | None = None
) -> tuple[list[str], dict[str, dict[str, np.ndarray]]]:
    """Reshape posterior variables to ``{name: {channel: (n_units, n_draws)}}``."""
    first = posterior[names[-1]]
    has_geo = "geo" in first.dims
    geo_units = [str(g) for g in first.coords["geo"].to_numpy()] if has_geo else None
    for name in names:
        if "geo" in posterior[name].dims and geo_units is None:
            geo_units = [str(g) for g in posterior[name].coords["geo"].to_numpy()]
    units = units or geo_units or [NATIONAL]
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in names:
        da = posterior[name]
        extra = set(da.dims) - {"chain", "draw", "channel", "geo"}
        if extra:
            raise ValueError(f"{name} has unsupported dims {sorted(extra)}")
        da = da.stack(sample=("chain", "draw"))
        if "geo" in da.dims:
            da = da.sel(geo=units)
        out[name] = {}
        for c in da.coords["channel"].to_numpy():
            v = da.sel(channel=c)
            arr = (
                v.transpose("geo", "sample").to_numpy()
                if "geo" in v.dims
                else v.to_numpy()[None, :]
            )
            out[name][str(c)] = np.broadcast_to(arr, (len(units), arr.shape[-1])).copy()
    return units, out


def _rationale(
    r: Recommendation,
    rank: int = 1,
    n_channels: int = 1,
    correlated: Sequence[tuple[str, float]] = (),
    is_null: bool = False,
    prior_trust: float = 1.0,
    null_probability: float = 0.0,
    hdi_prob: float = 0.94,
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
    if is_null:
        lines.append(f"{r.channel} is flagged near-null: this test would mostly confirm a null.")
    return "\n".join(lines)
