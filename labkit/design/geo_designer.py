"""Geo-level test design: which geos to treat, and what the test will cost and teach.

A geo test changes a channel's spend in a few *treated* geos and reads the lift
against a synthetic control built from the others (CausalPy's
``SyntheticControl``). Choosing the treated geos is a design decision with two
sides:

- **what the model expects**: the lift summed over the treated geos, draw by draw
  from a geo MMM's posterior (:class:`~labkit.design.ExperimentDesigner`, one unit
  per geo), and the noise of that sum from the model's residuals;
- **how the test will be read**: the synthetic control's error on placebo windows
  where nothing happened (:mod:`labkit.design.placebo`).

:class:`GeoDesigner` ranks candidate sets x channels x spend changes x durations
with the larger of the two sds, reports both, and adds assurance, learning
value (:mod:`labkit.design.learning`), net cost and the feasibility facts;
:func:`labkit.design.detection.simulate_placebo_detection` runs simulated geo
tests end to end to check the assurance. Everything is on the model scale
(sales divided by each geo's target scale) unless a column says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import (
    check_bool,
    check_date,
    check_int,
    check_number,
    check_probability,
    check_strings,
)
from labkit.design.checks import check_durations, check_spend_changes, check_weights
from labkit.design.designer import ExperimentDesigner
from labkit.design.grid import score_candidates
from labkit.design.learning import DEFAULT_OUTCOMES, expected_sd_reduction
from labkit.design.placebo import (
    MIN_TRAIN_WEEKS,
    PlaceboNoise,
    check_sets,
    placebo_noise,
    read_sigma,
    set_label,
    wide_panel,
)
from labkit.design.recommendations import GeoRanking
from labkit.mmm import check_mmm
from labkit.stats import HDI_PROB, assurance, hdi

__all__ = ["MIN_ASSURANCE", "GeoDesigner", "choose_design"]

MIN_ASSURANCE = 0.8
"""Default assurance :func:`choose_design` asks of a design."""


class GeoDesigner:
    """Rank geo tests: which geos to treat, with which channel, change and duration.

    Parameters
    ----------
    designer : ExperimentDesigner
        A designer with one unit per geo (:meth:`ExperimentDesigner.from_mmm` on a
        geo MMM, or :meth:`~ExperimentDesigner.from_idata` on its posterior).
    panel : pandas.DataFrame
        The long panel the model was fitted on: a date, a geo and a sales column.
    pre_end : date, optional
        First week the placebo windows may not use.
    value, date, geo : str
        The panel's sales, date and geo columns.

    See Also
    --------
    GeoDesigner.from_mmm : the designer and the panel from a fitted geo MMM.
    """

    def __init__(
        self,
        designer: ExperimentDesigner,
        panel: pd.DataFrame,
        *,
        pre_end: str | pd.Timestamp | None = None,
        value: str = "y",
        date: str = "date",
        geo: str = "geo",
    ) -> None:
        if not isinstance(designer, ExperimentDesigner):
            raise TypeError(
                f"designer must be an ExperimentDesigner, got {type(designer).__name__}"
            )
        if len(designer.units) < 2:
            raise ValueError("designer must have one unit per geo (a geo MMM's posterior)")
        if not isinstance(panel, pd.DataFrame):
            raise TypeError(f"panel must be a DataFrame, got {type(panel).__name__}")
        for name, column in (("value", value), ("date", date), ("geo", geo)):
            if not isinstance(column, str):
                raise TypeError(f"{name} must be a column name (str), got {column!r}")
        missing = [c for c in (date, geo, value) if c not in panel.columns]
        if missing:
            raise ValueError(
                f"panel is missing column(s) {missing}; pass the panel's own names as "
                f"date=, geo= and value= (its columns are {list(panel.columns)})"
            )
        panel = panel[[date, geo, value]].rename(columns={date: "date", geo: "geo"})
        panel = panel.assign(geo=panel["geo"].astype(str))
        wide = wide_panel(panel, value, None)
        if sorted(wide.columns) != sorted(designer.units):
            raise ValueError(
                f"panel geos {sorted(wide.columns)} must be the designer's {sorted(designer.units)}"
            )
        self.designer = designer
        self.panel = panel
        self.pre_end = None if pre_end is None else check_date("pre_end", pre_end)
        self.value = value
        self._placebo: dict[tuple[Any, ...], PlaceboNoise] = {}

    @classmethod
    def from_mmm(
        cls,
        mmm: Any,
        panel: pd.DataFrame | None = None,
        *,
        pre_end: str | pd.Timestamp | None = None,
        **designer_kwargs: Any,
    ) -> GeoDesigner:
        """Build a geo designer from a fitted pymc-marketing MMM with ``dims=("geo",)``.

        Parameters
        ----------
        mmm : pymc_marketing.mmm.multidimensional.MMM
            Fitted, ``dims=("geo",)``.
        panel : pandas.DataFrame, optional
            The long panel in the model's own column names (``mmm.date_column``,
            ``geo``, ``mmm.target_column``); its geos and dates must be the
            model's. Default: the model's own data.
        pre_end : date, optional
            First week the placebo windows may not use.
        **designer_kwargs
            Passed to :meth:`ExperimentDesigner.from_mmm`.

        Returns
        -------
        GeoDesigner
        """
        check_mmm(mmm, dims=(("geo",),))
        designer = ExperimentDesigner.from_mmm(mmm, **designer_kwargs)
        data = mmm.xarray_dataset["_target"].transpose("date", "geo")
        own = data.to_dataframe(name=mmm.target_column).reset_index()
        own = own.rename(columns={"date": mmm.date_column})
        if panel is None:
            panel = own
        else:
            if not isinstance(panel, pd.DataFrame):
                raise TypeError(f"panel must be a DataFrame, got {type(panel).__name__}")
            missing = [c for c in (mmm.date_column, "geo", mmm.target_column) if c not in panel]
            if missing:
                raise ValueError(f"panel is missing the model's column(s) {missing}")
            geos = sorted(map(str, panel["geo"].unique()))
            if geos != sorted(map(str, own["geo"].unique())):
                raise ValueError(
                    f"panel geos {geos} must be the model's {sorted(map(str, own['geo'].unique()))}"
                )
            dates = pd.DatetimeIndex(sorted(pd.to_datetime(panel[mmm.date_column].unique())))
            model_dates = pd.DatetimeIndex(data["date"].to_numpy())
            if not dates.equals(model_dates):
                raise ValueError(
                    f"panel dates ({dates[0].date()} .. {dates[-1].date()}, {len(dates)} weeks) "
                    f"must be the model's ({model_dates[0].date()} .. {model_dates[-1].date()}, "
                    f"{len(model_dates)} weeks)"
                )
        return cls(designer, panel, pre_end=pre_end, value=mmm.target_column, date=mmm.date_column)

    @property
    def geos(self) -> list[str]:
        """The panel's geos, as the designer orders them."""
        return list(self.designer.units)

    def placebo(
        self,
        sets: Sequence[Sequence[str]],
        durations: Sequence[int],
        *,
        n_windows: int | None = None,
        min_train: int = MIN_TRAIN_WEEKS,
        min_donors: int = 3,
        n_jobs: int = 1,
        progress: bool = True,
    ) -> PlaceboNoise:
        """:func:`placebo_noise` on the model scale, cached per set and arguments."""
        checked = check_sets(sets, self.geos, check_int("min_donors", min_donors, minimum=1))
        weeks = check_durations(durations, "durations")
        key = (tuple(weeks), n_windows, min_train, min_donors)
        cached = [self._placebo.get((s, *key)) for s in checked]
        missing = [s for s, c in zip(checked, cached, strict=True) if c is None]
        if missing:
            scale = dict(zip(self.geos, self.designer.target_scale, strict=True))
            fresh = placebo_noise(
                self.panel, missing, weeks, pre_end=self.pre_end, value=self.value,
                scale=scale, n_windows=n_windows, min_train=min_train, min_donors=min_donors,
                n_jobs=n_jobs, progress=progress,
            )  # fmt: skip
            for s in missing:
                label = set_label(s)
                self._placebo[(s, *key)] = PlaceboNoise(
                    fresh.effects[fresh.effects["treated_set"] == label].reset_index(drop=True),
                    fresh.feasibility.loc[[label]],
                    fresh.settings,
                )
        parts = [self._placebo[(s, *key)] for s in checked]
        return PlaceboNoise(
            pd.concat([p.effects for p in parts], ignore_index=True),
            pd.concat([p.feasibility for p in parts]),
            parts[0].settings,
        )

    def rank(
        self,
        sets: Sequence[Sequence[str]] | None = None,
        *,
        channels: Sequence[str] | None = None,
        spend_changes: Sequence[float] = (0.5,),
        durations: Sequence[int] = (4, 6, 8, 12),
        placebo: bool = True,
        significance_level: float = 0.05,
        hdi_prob: float = HDI_PROB,
        learning_value: bool = True,
        score_weights: Mapping[str, float] | None = None,
        n_outcomes: int = DEFAULT_OUTCOMES,
        random_seed: int = 0,
        min_r2: float = 0.5,
        n_windows: int | None = None,
        min_train: int = MIN_TRAIN_WEEKS,
        min_donors: int = 3,
        n_jobs: int = 1,
        progress: bool = True,
    ) -> GeoRanking:
        """Evaluate and rank every treated set x channel x spend change x duration.

        Four steps: the candidates' lifts and model noise (:meth:`candidates`),
        the read-out noise on placebo windows (:meth:`placebo`), the learning
        value, then the score and order both designers share
        (:func:`labkit.design.grid.score_candidates`).

        Parameters
        ----------
        sets : sequence of sequence of str, optional
            Treated sets; default every single geo.
        channels : sequence of str, optional
            Default every channel of the designer.
        spend_changes : sequence of float
            Relative changes of weekly spend in the treated geos.
        durations : sequence of int
            Weeks.
        placebo : bool
            Measure the read-out noise with :meth:`placebo` and use the larger of
            the placebo and model sds; ``False`` uses the model's alone.
        significance_level, hdi_prob
            In (0, 1).
        learning_value : bool
            Add each candidate's expected posterior-sd reduction of the channel's
            steady-state ROAS in the treated geos (:mod:`labkit.design.learning`).
        score_weights : dict, optional
            Weights of ``assurance``, ``cost_efficiency`` and ``learning_value``
            in the score, as in :meth:`ExperimentDesigner.recommend` (default 0.5,
            0.5 and 0).
        n_outcomes, random_seed
            Simulated outcomes per candidate for the learning value, and their seed.
        min_r2 : float
            A set whose pre-period synthetic-control R² is below this is flagged
            ``feasible = False`` (placebo only).
        n_windows, min_train, min_donors, n_jobs, progress
            As in :func:`placebo_noise`.

        Returns
        -------
        GeoRanking
            Its table has one row per candidate, best first: the treated set (a
            tuple of geos) and candidate, the expected total lift and its HDI,
            ``sigma_model``, ``sigma_placebo`` and the ``sigma`` used (the larger),
            ``placebo_windows`` (independent placebo windows behind ``sigma_placebo``)
            and ``sigma_read`` (the sd a read's interval needs,
            :func:`~labkit.design.placebo.read_sigma`),
            ``assurance``, ``learning_value`` (and ``learning_ess``), ``net_cost``
            (model scale and, with the designer's channel scale,
            ``net_cost_currency``), ``cost_efficiency`` (assurance per unit of
            ``|net cost|``), ``score``, the feasibility columns, ``dominated``
            (another candidate is at least as good on ``|net cost|``, assurance
            and learning value, and better on one) and ``rank``. Feasible
            candidates come first, each group by score.
        """
        checked = check_sets(
            [(g,) for g in self.geos] if sets is None else sets,
            self.geos,
            check_int("min_donors", min_donors, minimum=1),
        )
        sig = check_probability("significance_level", significance_level)
        prob = check_probability("hdi_prob", hdi_prob)
        placebo = check_bool("placebo", placebo)
        learning_value = check_bool("learning_value", learning_value)
        weights = check_weights(score_weights)
        if weights["decision_value"]:
            raise ValueError(
                "score_weights['decision_value'] is not available for geo designs: rank national "
                "candidates with ExperimentDesigner.recommend(decision=...)"
            )
        min_r2 = check_number("min_r2", min_r2, high=1.0)
        random_seed = check_int("random_seed", random_seed, minimum=0)
        n_outcomes = check_int("n_outcomes", n_outcomes, minimum=8)
        table, draws, roas = self.candidates(
            checked, channels=channels, spend_changes=spend_changes, durations=durations
        )
        weeks = sorted(set(table["duration"]))
        if placebo:
            noise = self.placebo(
                checked, weeks, n_windows=n_windows, min_train=min_train,
                min_donors=min_donors, n_jobs=n_jobs, progress=progress,
            )  # fmt: skip
            labels = table["treated_set"].map(set_label)
            sigmas = noise.sigma().stack()
            keys = list(zip(labels, table["duration"], strict=True))
            table["sigma_placebo"] = sigmas.reindex(keys).to_numpy()
            table["placebo_windows"] = noise.windows().stack().reindex(keys).to_numpy()
            table["sigma_read"] = read_sigma(table["sigma_placebo"], table["placebo_windows"])
            facts = noise.feasibility.loc[labels].reset_index(drop=True)
            table = pd.concat([table, facts.drop(columns=["n_geos"])], axis=1)
            table["feasible"] = table["pre_r2"] >= min_r2
        else:
            table["sigma_placebo"] = np.nan
            table["placebo_windows"] = np.nan
            table["sigma_read"] = np.nan
            table["feasible"] = True
        table["sigma"] = np.fmax(table["sigma_model"], table["sigma_placebo"].fillna(0.0))
        sd = table["sigma"].to_numpy()
        table["assurance"] = assurance(draws, sd, sig)[0]
        bounds = hdi(draws, prob)
        table["lift_low"], table["lift_high"] = bounds[:, 0], bounds[:, 1]
        learning = np.full(len(table), np.nan)
        if learning_value:
            value = expected_sd_reduction(
                draws, sd, roas, n_outcomes=n_outcomes, rng=np.random.default_rng(random_seed)
            )
            learning = value.reduction
            table["learning_value"], table["learning_ess"] = value.reduction, value.ess
        efficiency, score, dominated = score_candidates(
            table["assurance"].to_numpy(), table["net_cost"].to_numpy(), learning, weights
        )
        table["cost_efficiency"], table["score"], table["dominated"] = efficiency, score, dominated
        order = np.lexsort((-score, ~table["feasible"].to_numpy(bool)))
        table = table.iloc[order].reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        settings = {
            "channels": list(dict.fromkeys(table["channel"])),
            "spend_changes": list(dict.fromkeys(table["spend_change"])),
            "durations": weeks, "placebo": placebo, "significance_level": sig, "hdi_prob": prob,
            "learning_value": learning_value, "score_weights": weights, "n_outcomes": n_outcomes,
            "random_seed": random_seed, "min_r2": min_r2,
        }  # fmt: skip
        return GeoRanking(table, settings)

    def candidates(
        self,
        sets: Sequence[Sequence[str]],
        *,
        channels: Sequence[str] | None = None,
        spend_changes: Sequence[float] = (0.5,),
        durations: Sequence[int] = (4, 6, 8, 12),
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Each treated set x channel x spend change x duration: lift, model noise, cost.

        Parameters
        ----------
        sets : sequence of sequence of str
            Treated sets (checked by :func:`~labkit.design.placebo.check_sets`).
        channels, spend_changes, durations
            As in :meth:`rank`.

        Returns
        -------
        table : pandas.DataFrame
            One row per candidate: ``treated_set``, ``n_geos``, ``channel``,
            ``spend_change``, ``duration``, ``lift_mean``, ``sigma_model`` (the
            model's residual noise summed over the set's geos), ``net_cost`` and
            ``net_cost_currency``.
        draws : numpy.ndarray
            ``(n_candidates, n_draws)``: each candidate's total lift over its set.
        roas : numpy.ndarray
            ``(n_candidates, n_draws)``: the channel's steady-state ROAS in the set.
        """
        d = self.designer
        checked = check_sets(sets, self.geos, 1)
        chans = [
            d.check_channel(c, "channels")
            for c in check_strings("channels", channels, default=d.channels)
        ]
        changes = np.array(check_spend_changes(spend_changes, "spend_changes"))
        weeks = np.array(check_durations(durations, "durations"))
        index = {g: i for i, g in enumerate(d.units)}
        members = np.zeros((len(checked), len(d.units)))
        for i, s in enumerate(checked):
            members[i, [index[g] for g in s]] = 1.0
        lifts, _ = d.lift_grid(chans, changes, weeks)  # (C, U, K, T, D)
        set_lifts = np.einsum("su,cuktd->scktd", members, lifts)
        per_unit = np.array([d.sigma_d(weeks, g) for g in d.units])  # (U, T)
        sigma_model = np.sqrt(members @ per_unit**2)  # (S, T)
        spend = np.array([d.current_spend[c] for c in chans])  # (C, U)
        set_spend = members @ spend.T  # (S, C)
        shape = set_lifts.shape[:-1]  # (S, C, K, T)

        def column(values: np.ndarray) -> np.ndarray:
            return np.broadcast_to(values, shape).ravel()

        draws = set_lifts.reshape(-1, set_lifts.shape[-1])
        net_cost = column(
            set_spend[:, :, None, None] * changes[None, None, :, None] * weeks[None, None, None, :]
        )
        scale = np.array([d.channel_scale[c] for c in chans])
        table = pd.DataFrame(
            {
                "treated_set": column(_objects(checked)[:, None, None, None]),
                "n_geos": column(members.sum(axis=1)[:, None, None, None]).astype(int),
                "channel": column(np.array(chans, dtype=object)[None, :, None, None]),
                "spend_change": column(changes[None, None, :, None]),
                "duration": column(weeks[None, None, None, :]),
                "lift_mean": draws.mean(axis=1),
                "sigma_model": column(sigma_model[:, None, None, :]),
                "net_cost": net_cost,
                "net_cost_currency": net_cost * column(scale[None, :, None, None]),
            }
        )
        # the channel's steady-state ROAS in the treated geos, per set and draw: (S, C, D)
        contribution = np.array([d.steady_state_contribution(c) for c in chans])
        roas = np.einsum("su,cud->scd", members, contribution)
        roas = roas / set_spend[:, :, None].clip(min=1e-12)
        which = column(
            np.arange(len(checked))[:, None, None, None] * len(chans)
            + np.arange(len(chans))[None, :, None, None]
        )
        return table, draws, roas.reshape(-1, roas.shape[-1])[which]

    def read_placebo_sigma(
        self, candidate: pd.Series, ranking: GeoRanking | None = None
    ) -> dict[str, float]:
        """Return a ranked candidate's placebo sd per treated geo, in data units.

        What :func:`labkit.geo.synthetic_control_lift_tests` takes as
        ``placebo_sigma``: the candidate's ``sigma_read`` (model scale, the total
        over its weeks: the placebo sd widened for the few independent windows it
        was measured on, :func:`~labkit.design.placebo.read_sigma`) times the
        geo's target scale. A synthetic control
        reads each geo of a set on its own, so each geo of a set gets its own
        single-geo placebo sd at the candidate's duration, looked up in
        ``ranking``, not the set's.

        Parameters
        ----------
        candidate : pandas.Series
            A row of :meth:`rank` ranked with ``placebo=True`` (for example
            :func:`choose_design`'s choice).
        ranking : GeoRanking, optional
            For a set of geos: a :meth:`rank` result that holds each of its geos
            alone at the candidate's duration.

        Returns
        -------
        dict
            ``{geo: sd}``, the total over the test's weeks in sales units.
        """
        if not isinstance(candidate, pd.Series):
            raise TypeError(f"candidate must be a rank() row, got {type(candidate).__name__}")
        missing = [c for c in ("treated_set", "duration", "sigma_read") if c not in candidate]
        if missing:
            raise ValueError(f"candidate must be a rank() row; missing {missing}")
        geos = list(_as_set(candidate["treated_set"]))
        unknown = sorted(set(geos) - set(self.geos))
        if unknown:
            raise ValueError(f"candidate treats unknown geos {unknown}; geos are {self.geos}")
        if len(geos) == 1:
            sd = {geos[0]: float(candidate["sigma_read"])}
        else:
            if not isinstance(ranking, GeoRanking):
                raise ValueError(
                    "ranking must be a rank() result holding each geo of the set alone: "
                    "a synthetic control reads each geo on its own"
                )
            table = ranking.table
            same = table[(table["duration"] == candidate["duration"]) & (table["n_geos"] == 1)]
            alone = same.groupby(same["treated_set"].map(set_label))["sigma_read"].first()
            absent = [g for g in geos if g not in alone.index]
            if absent:
                raise ValueError(
                    f"ranking has no single-geo candidate for {absent} at "
                    f"{int(candidate['duration'])} weeks: rank the single geos too"
                )
            sd = {g: float(alone[g]) for g in geos}
        if not all(np.isfinite(v) for v in sd.values()):
            raise ValueError("candidate has no placebo sd: rank with placebo=True")
        scale = dict(zip(self.geos, self.designer.target_scale, strict=True))
        return {g: sd[g] * float(scale[g]) for g in geos}


def choose_design(
    ranking: GeoRanking, min_assurance: float = MIN_ASSURANCE, *, feasible_only: bool = True
) -> pd.Series:
    """Pick a test from a :meth:`GeoDesigner.rank` table: likely to succeed, then most informative.

    Among the feasible candidates whose assurance is at least ``min_assurance``,
    the one with the largest learning value; if no candidate reaches it, the
    feasible candidate with the highest assurance. Ties go to the ranking's order.

    Parameters
    ----------
    ranking : GeoRanking
        From :meth:`GeoDesigner.rank` with ``learning_value=True``.
    min_assurance : float
        In (0, 1).
    feasible_only : bool
        Consider only candidates flagged ``feasible`` (a pre-period synthetic-control
        R² of at least ``min_r2``); ``False`` considers every candidate, for panels
        where no geo's sales track the others' closely (the placebo sd still
        measures how noisy the read will be).

    Returns
    -------
    pandas.Series
        The chosen row.
    """
    if isinstance(ranking, GeoRanking):
        ranking = ranking.table
    if not isinstance(ranking, pd.DataFrame):
        raise TypeError(f"ranking must be a GeoDesigner.rank result, got {type(ranking).__name__}")
    missing = [c for c in ("feasible", "assurance", "learning_value") if c not in ranking]
    if missing:
        raise ValueError(
            f"ranking must be a GeoDesigner.rank table with learning value; missing {missing}"
        )
    min_assurance = check_probability("min_assurance", min_assurance)
    feasible = ranking[ranking["feasible"].astype(bool)] if check_bool(
        "feasible_only", feasible_only
    ) else ranking  # fmt: skip
    if feasible.empty:
        raise ValueError(
            "ranking has no feasible candidate (every set's pre-period fit is below min_r2); "
            "pass feasible_only=False to choose among all"
        )
    powered = feasible[feasible["assurance"] >= min_assurance]
    if powered.empty:
        return feasible.loc[feasible["assurance"].idxmax()]
    return powered.loc[powered["learning_value"].idxmax()]


def _objects(sets: Sequence[tuple[str, ...]]) -> np.ndarray:
    """Return the treated sets as a 1-d object array of tuples (numpy would make it 2-d)."""
    out = np.empty(len(sets), dtype=object)
    out[:] = list(sets)
    return out


def _as_set(value: str | Sequence[str]) -> tuple[str, ...]:
    """Return a ranking's treated set as a tuple of geos (one geo's name: a set of one)."""
    return (value,) if isinstance(value, str) else tuple(value)
