"""The read-out noise of a geo test, measured with CausalPy synthetic controls on placebo windows.

A geo test is read against a synthetic control: a weighted sum of the untreated
geos' sales, fitted on the weeks before. How wrong that read is on weeks where
nothing happened is the test's noise. :func:`placebo_noise` fits CausalPy's
``SyntheticControl`` (``WeightedProportion`` weights) for each candidate set of
treated geos on every placebo window of the pre-period, the remaining geos as
donors, and returns the placebo "effects" with the feasibility facts a
practitioner checks (donors, pre-period fit, how often the treated series leaves
the donors' range, treated share of sales). Their root mean square is the
empirical sd of the read-out (GeoLift's idea); :class:`labkit.design.GeoDesigner`
compares it with the model's.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_bool, check_date, check_int, check_probability, check_strings
from labkit.design.checks import check_durations
from labkit.stats import HDI_PROB

__all__ = [
    "MIN_TRAIN_WEEKS",
    "PlaceboNoise",
    "placebo_noise",
    "read_sigma",
    "set_label",
    "treated_sets",
]

MIN_TRAIN_WEEKS = 40
"""Default fewest pre-period weeks a placebo synthetic control is fitted on."""


def set_label(geos: Sequence[str]) -> str:
    """Return the display label of a treated set: its geos joined by ``+``."""
    return "+".join(geos)


def treated_sets(
    geos: Sequence[str], max_size: int = 1, *, min_donors: int = 3
) -> list[tuple[str, ...]]:
    """Every set of 1 to ``max_size`` geos that leaves at least ``min_donors`` donors.

    Parameters
    ----------
    geos : sequence of str
        The panel's geos.
    max_size : int
        Largest set (>= 1).
    min_donors : int
        Geos that must stay untreated to build the synthetic control (>= 1).

    Returns
    -------
    list of tuple of str
        Sorted by size, then lexically.
    """
    geos = check_strings("geos", geos)
    max_size = check_int("max_size", max_size, minimum=1)
    min_donors = check_int("min_donors", min_donors, minimum=1)
    if max_size > len(geos) - min_donors:
        raise ValueError(
            f"max_size must be <= {len(geos) - min_donors} so that {min_donors} of the "
            f"{len(geos)} geos remain donors, got {max_size}"
        )
    return [s for k in range(1, max_size + 1) for s in itertools.combinations(sorted(geos), k)]


@dataclass(frozen=True)
class PlaceboNoise:
    """Synthetic-control read-out error on placebo windows, per treated set.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per set, placebo window and duration: ``treated_set``, ``start``,
        ``duration`` and ``effect``, the estimated total "lift" over the set and the
        window where nothing happened (model scale).
    feasibility : pandas.DataFrame
        Per ``treated_set``: ``n_donors``, ``pre_r2`` and ``pre_rmse`` of the
        synthetic control fitted on the whole pre-period (weekly, per-geo mean
        series), ``outside_hull`` (share of pre-period weeks where the treated
        series leaves the donors' range) and ``treated_share`` (of all sales).
    settings : dict
        The arguments that produced it (to check a cache hit).
    """

    effects: pd.DataFrame
    feasibility: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    def windows(self) -> pd.DataFrame:
        """Non-overlapping placebo windows: ``treated_set`` x ``duration``.

        Consecutive windows overlap and share most of their noise; the windows a
        test of ``T`` weeks could have run in one after another are the
        independent pieces of evidence behind :meth:`sigma`: its degrees of freedom.
        """
        week = pd.factorize(self.effects["start"], sort=True)[0]  # start as a week index
        counts = {}
        for (label, weeks), rows in self.effects.assign(week=week).groupby(
            ["treated_set", "duration"], sort=False
        ):
            n, last = 0, None
            for start in np.sort(rows["week"].to_numpy()):
                if last is None or start >= last + weeks:
                    n, last = n + 1, start
            counts[(label, weeks)] = n
        index = pd.MultiIndex.from_tuples(list(counts), names=["treated_set", "duration"])
        counts = pd.Series(list(counts.values()), index=index)
        return counts.unstack("duration")

    def sigma(self) -> pd.DataFrame:
        """Root mean square of the placebo effects: ``treated_set`` x ``duration``."""
        squared = self.effects.assign(effect=self.effects["effect"] ** 2)
        table = squared.pivot_table(
            index="treated_set", columns="duration", values="effect", aggfunc="mean", sort=False
        )
        return np.sqrt(table)


def read_sigma(
    sigma: float | np.ndarray, windows: float | np.ndarray, prob: float = HDI_PROB
) -> np.ndarray:
    """Return the sd whose normal interval covers a read as often as the placebo windows say.

    A read's error is judged against the placebo sd, itself estimated from only
    ``windows`` independent windows: the error over the estimated sd follows a
    Student t with ``windows`` degrees of freedom (the placebo effects have mean
    zero), whose central ``prob`` interval is wider than the normal's. The
    returned sd is the placebo sd times ``t_q(windows) / z_q``, ``q = (1 + prob) / 2``:
    a normal interval (or a lift-test likelihood) with it has the t interval's width.

    Parameters
    ----------
    sigma : float or numpy.ndarray
        Placebo sds (:meth:`PlaceboNoise.sigma`).
    windows : float or numpy.ndarray
        Their independent windows (:meth:`PlaceboNoise.windows`, >= 1).
    prob : float
        Probability of the interval, in (0, 1).

    Returns
    -------
    numpy.ndarray
    """
    from scipy.stats import norm, t

    prob = check_probability("prob", prob)
    dof = np.asarray(windows, dtype=float)
    if np.any(~(dof >= 1)):
        raise ValueError(f"windows must be >= 1, got {windows}")
    q = 0.5 + prob / 2
    return np.asarray(sigma, dtype=float) * t.ppf(q, dof) / norm.ppf(q)


def wide_panel(panel: pd.DataFrame, value: str, scale: Mapping[str, float] | None) -> pd.DataFrame:
    """Pivot a long panel (``date``, ``geo``, ``value``) to weeks x geos, divided by ``scale``."""
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"panel must be a DataFrame, got {type(panel).__name__}")
    missing = [c for c in ("date", "geo", value) if c not in panel.columns]
    if missing:
        raise ValueError(f"panel must have columns date, geo and {value!r}; missing {missing}")
    wide = panel.pivot(index="date", columns="geo", values=value).sort_index()
    if wide.isna().any().any():
        raise ValueError("panel must hold every geo in every week (no missing values)")
    if scale is not None:
        wide = wide / pd.Series(scale).reindex(wide.columns).to_numpy()
    return wide


def _synthetic_control(data: pd.DataFrame, start: pd.Timestamp, donors: list[str]) -> Any:
    import causalpy as cp

    with warnings.catch_warnings():
        # the convex-hull notice becomes the outside_hull column
        warnings.filterwarnings("ignore", message=".*convex hull.*", category=UserWarning)
        return cp.SyntheticControl(
            data,
            start,
            control_units=donors,
            treated_units=["treated"],
            model=cp.skl_models.WeightedProportion(),
        )


def set_series(wide: pd.DataFrame, geos: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return the donors' sales with the treated set's mean (column ``treated``), and the donors."""
    donors = [g for g in wide.columns if g not in geos]
    return wide[donors].assign(treated=wide[list(geos)].mean(axis=1)), donors


def read_window(series: pd.DataFrame, donors: list[str], start: int, weeks: int) -> np.ndarray:
    """Cumulative synthetic-control impact of the set's mean over ``weeks`` weeks from ``start``.

    ``series`` holds the weeks up to the window's end; each is centred on its mean
    before ``start`` and the weights are fitted on those weeks. Returns the running
    sum of the weekly impacts (length ``weeks``), per treated geo (times the set's
    size, which the caller applies).
    """
    data = series - series.iloc[:start].mean()
    result = _synthetic_control(data, data.index[start], donors)
    return np.cumsum(np.asarray(result.post_impact).reshape(-1)[:weeks])


def _placebo_one_set(
    wide: pd.DataFrame,
    geos: tuple[str, ...],
    starts: list[int],
    durations: tuple[int, ...],
    feasibility_start: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Placebo effects and feasibility of one treated set (runs in a worker)."""
    series, donors = set_series(wide, geos)
    longest = max(durations)
    rows: list[dict[str, Any]] = []
    for i0 in starts:
        cumulative = read_window(series.iloc[: i0 + longest], donors, i0, longest) * len(geos)
        rows.extend(
            {
                "treated_set": set_label(geos),
                "start": series.index[i0],
                "duration": t,
                "effect": float(cumulative[t - 1]),
            }
            for t in durations
        )
    data = series - series.iloc[:feasibility_start].mean()
    result = _synthetic_control(data, data.index[feasibility_start], donors)
    pre = data.iloc[:feasibility_start]
    residual = np.asarray(result.pre_impact).reshape(-1)
    low, high = pre[donors].min(axis=1), pre[donors].max(axis=1)
    outside = ((pre["treated"] < low) | (pre["treated"] > high)).mean()
    facts = {
        "treated_set": set_label(geos),
        "n_geos": len(geos),
        "n_donors": len(donors),
        "pre_r2": float(np.asarray(result.score).reshape(-1)[0]),
        "pre_rmse": float(np.sqrt(np.mean(residual**2))) * len(geos),
        "outside_hull": float(outside),
        "treated_share": float(wide[list(geos)].sum().sum() / wide.sum().sum()),
    }
    return rows, facts


def placebo_noise(
    panel: pd.DataFrame,
    sets: Sequence[Sequence[str]],
    durations: Sequence[int],
    *,
    pre_end: str | pd.Timestamp | None = None,
    value: str = "y",
    scale: Mapping[str, float] | None = None,
    n_windows: int | None = None,
    min_train: int = MIN_TRAIN_WEEKS,
    min_donors: int = 3,
    n_jobs: int = 1,
    progress: bool = True,
) -> PlaceboNoise:
    """Fit CausalPy synthetic controls on placebo windows and measure the read-out error.

    For each treated set, the treated series is the mean of its geos' sales (so a
    convex combination of single donor geos can match it) and the donors are all
    other geos. Each placebo window starts at one of the weeks of the pre-period
    (after ``min_train`` weeks of fit and before the longest
    duration runs past ``pre_end``); the synthetic control is fitted on the weeks
    before the window, each series centred on their mean, and its impact summed
    over the first ``T`` weeks of the window, times the set's size, is the
    placebo effect of a ``T``-week test on the set's total.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``date``, ``geo`` and the sales column ``value``.
    sets : sequence of sequence of str
        Treated sets (e.g. from :func:`treated_sets`).
    durations : sequence of int
        Test lengths in weeks.
    pre_end : date, optional
        First week not to use (an experiment's start); default: after the last week.
    value : str
        Sales column.
    scale : dict, optional
        Per-geo divisor (the model's target scale) to put sales on the model scale.
    n_windows : int, optional
        Placebo windows per set, spread evenly over the possible starts (>= 2);
        default every start (consecutive windows overlap, so more of them add
        less than independent ones would).
    min_train : int
        Weeks before the first window (>= 8).
    min_donors : int
        Fewest donors a set may leave (>= 1).
    n_jobs : int
        Worker processes over the sets (joblib); 1 runs in this process.
    progress : bool
        Print one line per set.

    Returns
    -------
    PlaceboNoise
    """
    wide = wide_panel(panel, value, scale)
    geos = list(wide.columns)
    weeks = check_durations(durations, "durations")
    if n_windows is not None:
        n_windows = check_int("n_windows", n_windows, minimum=2)
    min_train = check_int("min_train", min_train, minimum=8, unit="weeks")
    min_donors = check_int("min_donors", min_donors, minimum=1)
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    progress = check_bool("progress", progress)
    if pre_end is not None:
        end = check_date("pre_end", pre_end)
        wide = wide[wide.index < end]
    checked = check_sets(sets, geos, min_donors)
    longest = max(weeks)
    last_start = len(wide) - longest
    if last_start < min_train:
        raise ValueError(
            f"durations must be <= {len(wide) - min_train} weeks: the pre-period has "
            f"{len(wide)} weeks and a placebo window needs {min_train} weeks of fit before it "
            f"(got a longest duration of {longest})"
        )
    if n_windows is None:
        starts = list(range(min_train, last_start + 1))
    else:
        starts = sorted(set(np.linspace(min_train, last_start, n_windows).round().astype(int)))
    feasibility_start = len(wide) - longest
    jobs = [(wide, s, starts, weeks, feasibility_start) for s in checked]
    if n_jobs == 1:
        results = []
        for i, job in enumerate(jobs, 1):
            results.append(_placebo_one_set(*job))
            if progress:
                print(f"placebo {i}/{len(jobs)} {set_label(job[1])}: {len(starts)} windows")
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs, verbose=5 if progress else 0)(
            delayed(_placebo_one_set)(*job) for job in jobs
        )
    effects = pd.DataFrame([row for rows, _ in results for row in rows])
    feasibility = pd.DataFrame([facts for _, facts in results]).set_index("treated_set")
    settings = {
        "sets": [set_label(s) for s in checked],
        "durations": list(weeks),
        "n_windows": n_windows,
        "min_train": min_train,
        "pre_weeks": len(wide),
        "value": value,
    }
    return PlaceboNoise(effects, feasibility, settings)


def check_sets(
    sets: Sequence[Sequence[str]], geos: list[str], min_donors: int
) -> list[tuple[str, ...]]:
    """Validate treated sets: known geos, no repeats, ``min_donors`` geos left as donors."""
    if isinstance(sets, str) or not isinstance(sets, Sequence) or not sets:
        raise ValueError("sets must be a non-empty sequence of treated sets (sequences of geos)")
    out = []
    for i, s in enumerate(sets):
        members = (s,) if isinstance(s, str) else tuple(s)
        if not members:
            raise ValueError(f"sets[{i}] is empty: a treated set needs at least one geo")
        unknown = [g for g in members if g not in geos]
        if unknown:
            raise ValueError(f"sets[{i}] has unknown geo(s) {unknown}; geos are {geos}")
        if len(set(members)) != len(members):
            raise ValueError(f"sets[{i}] repeats a geo: {list(members)}")
        donors = len(geos) - len(members)
        if donors < min_donors:
            raise ValueError(
                f"sets[{i}] = {list(members)} leaves {donors} donor geo(s); a synthetic control "
                f"needs at least min_donors={min_donors} untreated geos"
            )
        out.append(tuple(sorted(members)))
    return out
