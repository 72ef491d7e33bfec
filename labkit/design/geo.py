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
:func:`simulate_placebo_detection` runs simulated geo tests end to end to check
the assurance. Everything is on the model scale (sales divided by each geo's
target scale) unless a column says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from labkit.design.checks import check_durations, check_spend_changes
from labkit.design.designer import ExperimentDesigner
from labkit.design.grid import pareto_dominated
from labkit.design.learning import DEFAULT_OUTCOMES, expected_sd_reduction
from labkit.design.placebo import (
    MIN_TRAIN_WEEKS,
    PlaceboNoise,
    _check_sets,
    _read_window,
    _set_series,
    _wide,
    placebo_noise,
    set_label,
)
from labkit.stats import HDI_PROB, assurance, hdi

__all__ = ["MIN_ASSURANCE", "GeoDesigner", "choose_design", "simulate_placebo_detection"]

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
        The long panel the model was fitted on (``date``, ``geo``, ``value``).
    pre_end : date, optional
        First week the placebo windows may not use.
    value : str
        Sales column of the panel.
    """

    def __init__(
        self,
        designer: ExperimentDesigner,
        panel: pd.DataFrame,
        *,
        pre_end: Any = None,
        value: str = "y",
    ) -> None:
        if not isinstance(designer, ExperimentDesigner):
            raise TypeError(
                f"designer must be an ExperimentDesigner, got {type(designer).__name__}"
            )
        if len(designer.units) < 2:
            raise ValueError("designer must have one unit per geo (a geo MMM's posterior)")
        wide = _wide(panel, value, None)
        if sorted(wide.columns) != sorted(designer.units):
            raise ValueError(
                f"panel geos {sorted(wide.columns)} must be the designer's {sorted(designer.units)}"
            )
        self.designer = designer
        self.panel = panel
        self.pre_end = None if pre_end is None else check_date("pre_end", pre_end)
        self.value = value
        self._placebo: dict[tuple[Any, ...], PlaceboNoise] = {}

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
        checked = _check_sets(sets, self.geos, check_int("min_donors", min_donors, minimum=1))
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
        n_outcomes: int = DEFAULT_OUTCOMES,
        random_seed: int = 0,
        min_r2: float = 0.5,
        n_windows: int | None = None,
        min_train: int = MIN_TRAIN_WEEKS,
        min_donors: int = 3,
        n_jobs: int = 1,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Evaluate and rank every treated set x channel x spend change x duration.

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
        n_outcomes, random_seed
            Simulated outcomes per candidate for the learning value, and their seed.
        min_r2 : float
            A set whose pre-period synthetic-control R² is below this is flagged
            ``feasible = False`` (placebo only).
        n_windows, min_train, min_donors, n_jobs, progress
            As in :func:`placebo_noise`.

        Returns
        -------
        pandas.DataFrame
            One row per candidate, best first: the set and candidate, the expected
            total lift and its HDI, ``sigma_model``, ``sigma_placebo`` and the
            ``sigma`` used, ``assurance``, ``learning_value`` (and ``learning_ess``),
            ``net_cost`` (model scale and, with the designer's channel scale,
            ``net_cost_currency``), ``assurance_per_cost``, the feasibility
            columns, ``dominated`` (another candidate is at least as good on
            |net cost|, assurance and learning value, and better on one) and
            ``rank``. Feasible, undominated candidates come first, by assurance
            per unit of |net cost|.
        """
        d = self.designer
        checked = _check_sets(
            [(g,) for g in self.geos] if sets is None else sets,
            self.geos,
            check_int("min_donors", min_donors, minimum=1),
        )
        chans = [
            d._check_channel(c, "channels")
            for c in check_strings("channels", channels, default=d.channels)
        ]
        changes = np.array(check_spend_changes(spend_changes, "spend_changes"))
        weeks = np.array(check_durations(durations, "durations"))
        sig = check_probability("significance_level", significance_level)
        prob = check_probability("hdi_prob", hdi_prob)
        placebo = check_bool("placebo", placebo)
        learning_value = check_bool("learning_value", learning_value)
        min_r2 = check_number("min_r2", min_r2, high=1.0)
        random_seed = check_int("random_seed", random_seed, minimum=0)
        index = {g: i for i, g in enumerate(d.units)}
        members = np.zeros((len(checked), len(d.units)))
        for i, s in enumerate(checked):
            members[i, [index[g] for g in s]] = 1.0
        lifts, _ = d._lifts(chans, changes, weeks)  # (C, U, K, T, D)
        set_lifts = np.einsum("su,cuktd->scktd", members, lifts)
        per_unit = np.array([d.sigma_d(weeks, g) for g in d.units])  # (U, T)
        sigma_model = np.sqrt(members @ per_unit**2)  # (S, T)
        spend = np.array([d.current_spend[c] for c in chans])  # (C, U)
        set_spend = members @ spend.T  # (S, C)
        labels = [set_label(s) for s in checked]
        shape = set_lifts.shape[:-1]  # (S, C, K, T)

        def column(values: Any) -> np.ndarray:
            return np.broadcast_to(values, shape).ravel()

        sigma_placebo = np.full(len(checked) * len(weeks), np.nan).reshape(len(checked), -1)
        feasibility = None
        if placebo:
            noise = self.placebo(
                checked, weeks.tolist(), n_windows=n_windows, min_train=min_train,
                min_donors=min_donors, n_jobs=n_jobs, progress=progress,
            )  # fmt: skip
            sigma_placebo = noise.sigma().reindex(index=labels, columns=weeks).to_numpy()
            feasibility = noise.feasibility.reindex(labels)
        sigma = np.fmax(sigma_model, np.nan_to_num(sigma_placebo, nan=0.0))
        sd = column(sigma[:, None, None, :])
        draws = set_lifts.reshape(-1, set_lifts.shape[-1])
        plain, _ = assurance(draws, sd, sig)
        bounds = hdi(draws, prob)
        net_cost = column(
            set_spend[:, :, None, None] * changes[None, None, :, None] * weeks[None, None, None, :]
        )
        table = pd.DataFrame(
            {
                "treated_set": column(np.array(labels, dtype=object)[:, None, None, None]),
                "n_geos": column(members.sum(axis=1)[:, None, None, None]).astype(int),
                "channel": column(np.array(chans, dtype=object)[None, :, None, None]),
                "spend_change": column(changes[None, None, :, None]),
                "duration": column(weeks[None, None, None, :]),
                "lift_mean": draws.mean(axis=1),
                "lift_low": bounds[:, 0],
                "lift_high": bounds[:, 1],
                "sigma_model": column(sigma_model[:, None, None, :]),
                "sigma_placebo": column(sigma_placebo[:, None, None, :]),
                "sigma": sd,
                "assurance": plain,
                "net_cost": net_cost,
            }
        )
        scale = np.array([d.channel_scale[c] for c in chans])
        table["net_cost_currency"] = net_cost * column(scale[None, :, None, None])
        table["assurance_per_cost"] = plain / np.abs(net_cost).clip(min=1e-12)
        if learning_value:
            # the channel's steady-state ROAS in the treated geos, per set and draw: (S, C, D)
            contribution = np.array([d.steady_state_contribution(c) for c in chans])
            roas = np.einsum("su,cud->scd", members, contribution) / set_spend[:, :, None].clip(
                min=1e-12
            )
            which = np.broadcast_to(
                np.arange(len(checked))[:, None, None, None] * len(chans)
                + np.arange(len(chans))[None, :, None, None],
                shape,
            ).ravel()
            value = expected_sd_reduction(
                draws, sd, roas.reshape(-1, roas.shape[-1])[which], n_outcomes=check_int(
                    "n_outcomes", n_outcomes, minimum=8
                ), rng=np.random.default_rng(random_seed),
            )  # fmt: skip
            table["learning_value"] = value.reduction
            table["learning_ess"] = value.ess
        if feasibility is not None:
            facts = feasibility.loc[table["treated_set"]].reset_index(drop=True)
            table = pd.concat([table, facts.drop(columns=["n_geos"])], axis=1)
            table["feasible"] = table["pre_r2"] >= min_r2
        else:
            table["feasible"] = True
        objectives = [-np.abs(table["net_cost"]), table["assurance"]]
        if learning_value:
            objectives.append(table["learning_value"])
        table["dominated"] = pareto_dominated(np.column_stack(objectives))
        order = np.lexsort(
            (-table["assurance_per_cost"].to_numpy(), table["dominated"], ~table["feasible"])
        )
        table = table.iloc[order].reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        return table

    def read_placebo_sigma(
        self, candidate: pd.Series, ranking: pd.DataFrame | None = None
    ) -> dict[str, float]:
        """Return a ranked candidate's placebo sd per treated geo, in data units.

        What :func:`labkit.geo.synthetic_control_lift_tests` takes as
        ``placebo_sigma``: the candidate's ``sigma_placebo`` (model scale, the
        total over its weeks) times the geo's target scale. A synthetic control
        reads each geo of a set on its own, so each geo of a set gets its own
        single-geo placebo sd at the candidate's duration, looked up in
        ``ranking``, not the set's.

        Parameters
        ----------
        candidate : pandas.Series
            A row of :meth:`rank` ranked with ``placebo=True`` (for example
            :func:`choose_design`'s choice).
        ranking : pandas.DataFrame, optional
            For a set of geos: a :meth:`rank` table that holds each of its geos
            alone at the candidate's duration.

        Returns
        -------
        dict
            ``{geo: sd}``, the total over the test's weeks in sales units.
        """
        if not isinstance(candidate, pd.Series):
            raise TypeError(f"candidate must be a rank() row, got {type(candidate).__name__}")
        missing = [c for c in ("treated_set", "duration", "sigma_placebo") if c not in candidate]
        if missing:
            raise ValueError(f"candidate must be a rank() row; missing {missing}")
        geos = str(candidate["treated_set"]).split("+")
        unknown = sorted(set(geos) - set(self.geos))
        if unknown:
            raise ValueError(f"candidate treats unknown geos {unknown}; geos are {self.geos}")
        if len(geos) == 1:
            sd = {geos[0]: float(candidate["sigma_placebo"])}
        else:
            if not isinstance(ranking, pd.DataFrame):
                raise ValueError(
                    "ranking must be a rank() table holding each geo of the set alone: "
                    "a synthetic control reads each geo on its own"
                )
            same = ranking[ranking["duration"] == candidate["duration"]]
            alone = same.groupby("treated_set")["sigma_placebo"].first()
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
    ranking: pd.DataFrame, min_assurance: float = MIN_ASSURANCE, *, feasible_only: bool = True
) -> pd.Series:
    """Pick a test from a :meth:`GeoDesigner.rank` table: likely to succeed, then most informative.

    Among the feasible candidates whose assurance is at least ``min_assurance``,
    the one with the largest learning value; if no candidate reaches it, the
    feasible candidate with the highest assurance. Ties go to the ranking's order.

    Parameters
    ----------
    ranking : pandas.DataFrame
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
    if not isinstance(ranking, pd.DataFrame):
        raise TypeError(f"ranking must be a GeoDesigner.rank table, got {type(ranking).__name__}")
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


def simulate_placebo_detection(
    geo_designer: GeoDesigner,
    dataset: Any,
    treated_set: Sequence[str],
    channel: str,
    spend_change: float,
    duration: int,
    *,
    sigma: float,
    n_tests: int = 200,
    significance_level: float = 0.05,
    min_train: int = MIN_TRAIN_WEEKS,
    random_seed: int = 0,
) -> pd.DataFrame:
    """Run simulated geo tests end to end and read each with a CausalPy synthetic control.

    Each test happens in a new draw of the ``geo_panel`` world: the same spend and
    true curves, new weekly noise (the data-generating process's own iid Normal
    draw per geo and week). A window of ``duration`` weeks is chosen at random in
    the pre-period; a posterior draw of the candidate's lift (the design prior the
    assurance averages over) is added to the treated geos' sales over the window,
    each geo's own lift spread evenly over its weeks; the synthetic control fitted
    on the weeks before reads it (the set's mean against the other geos, times the
    set's size), and a two-sided z-test with ``sigma`` decides. The share of
    significant tests is what the assurance with ``sigma`` predicts.

    Parameters
    ----------
    geo_designer : GeoDesigner
        Its designer's posterior gives the lift draws.
    dataset : SimulatedDataset
        The ``geo_panel`` data set the designer's panel came from (its truth gives
        the noise-free sales and the noise sd).
    treated_set : sequence of str
    channel : str
    spend_change : float
    duration : int
    sigma : float
        Standard error the read-out is judged with (model scale, > 0).
    n_tests : int
        Simulated tests (>= 1).
    significance_level : float
    min_train : int
        Fewest pre-window weeks a synthetic control is fitted on.
    random_seed : int

    Returns
    -------
    pandas.DataFrame
        One row per test: ``start``, ``draw``, ``true_lift``, ``estimate``,
        ``significant``.
    """
    from scipy.special import ndtri

    from labkit.data.experiments import channel_response

    if not isinstance(geo_designer, GeoDesigner):
        raise TypeError(f"geo_designer must be a GeoDesigner, got {type(geo_designer).__name__}")
    if getattr(dataset, "name", None) != "geo_panel":
        raise ValueError("dataset must be the geo_panel data set the designer was built on")
    d = geo_designer.designer
    (members,) = _check_sets([treated_set], geo_designer.geos, 1)
    channel = d._check_channel(channel)
    weeks = check_int("duration", duration, minimum=1, unit="weeks")
    sigma = check_number("sigma", sigma, low=0.0, low_open=True)
    n_tests = check_int("n_tests", n_tests, minimum=1)
    z = float(ndtri(1 - check_probability("significance_level", significance_level) / 2))
    rng = np.random.default_rng([0x6E0, check_int("random_seed", random_seed, minimum=0)])
    truth, df = dataset.truth, dataset.data
    wide = _wide(df, geo_designer.value, None)
    if geo_designer.pre_end is not None:
        wide = wide[wide.index < geo_designer.pre_end]
    n_pre = len(wide)
    if n_pre - weeks < min_train:
        raise ValueError(
            f"duration must be <= {n_pre - min_train} weeks to leave {min_train} weeks of fit"
        )
    geos = list(wide.columns)
    mean = pd.DataFrame(index=wide.index, columns=geos, dtype=float)
    for g in geos:
        rows = df[df["geo"] == g].set_index("date").loc[wide.index]
        mean[g] = truth["intercept"][g] + sum(
            channel_response(dataset, c, g)[1](rows[c].to_numpy()) for c in truth["channels"]
        )
    noise_sd = np.array([truth["y_sigma"][g] for g in geos])
    scale = dict(zip(d.units, d.target_scale, strict=True))
    lifts, _ = d._lifts([channel], np.array([spend_change]), np.array([weeks]))
    unit = [d.units.index(g) for g in members]
    per_geo = lifts[0][unit, 0, 0, :]  # (set, draws), model scale
    out = []
    for _ in range(n_tests):
        start = int(rng.integers(min_train, n_pre - weeks + 1))
        draw = int(rng.integers(0, per_geo.shape[1]))
        sales = mean + rng.standard_normal(mean.shape) * noise_sd
        sales = sales / np.array([scale[g] for g in geos])
        window = sales.iloc[: start + weeks].copy()
        for g, lift in zip(members, per_geo[:, draw], strict=True):
            window.iloc[start:, geos.index(g)] += lift / weeks
        series, donors = _set_series(window, members)
        estimate = float(_read_window(series, donors, start, weeks)[-1]) * len(members)
        out.append(
            {
                "start": series.index[start],
                "draw": draw,
                "true_lift": float(per_geo[:, draw].sum()),
                "estimate": estimate,
                "significant": abs(estimate) > z * sigma,
            }
        )
    return pd.DataFrame(out)
