"""Run a study (a function of a seed) over many seeds: locally with joblib, or on Dask.

A study is a plain function ``seed -> dict`` returning metrics and boolean claims
(keys ``claim_<what>``). :func:`run_study` executes it over the seeds and
returns one row per seed, sorted by seed, so the rows are the same whichever
backend ran them (but for the wall time and the worker's peak memory, also
recorded). Each finished seed is appended to the output CSV at once: a
killed run loses only the seeds in flight, and a re-run skips the seeds already
done. A seed that raises is recorded with its error and the study goes on.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from labkit._validate import check_int, check_number
from labkit.sampling import FAST_ENV_VAR
from labkit.study.fingerprint import Fingerprint, study_fingerprint

__all__ = [
    "GENERAL_LOWER_BOUND",
    "Study",
    "StudyResult",
    "assert_general",
    "claim_summary",
    "run_study",
    "stamp_study",
]

PACKAGES = ("labkit", "numpy", "pymc", "pymc-marketing", "causalpy", "preliz")
"""Packages whose versions each row records."""

SAMPLING = ("none", "fast", "full")
"""A study's fits: none, fast mode, or full fidelity."""

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@dataclass(frozen=True)
class Study:
    """A named function of a seed, at a stated fidelity.

    Attributes
    ----------
    name : str
        File stem of its results (``data/studies/<name>.csv``).
    func : callable
        ``func(seed: int) -> dict`` of metrics and boolean ``claim_*`` entries;
        must be importable (a module-level function) to run in other processes.
    fidelity : str
        What the fits cost, stated in the output (e.g. ``"designer fixture, no MCMC"``).
    description : str
        One line on what the study measures.
    sampling : {"none", "fast", "full"}
        Whether it fits models, and at which fidelity: ``"fast"`` runs it with
        ``LABKIT_FAST=1``, ``"full"`` without (whatever the environment says);
        ``LABKIT_SMOKE=1`` asks for smoke fidelity in both. ``"none"``: no MCMC.
    """

    name: str
    func: Callable[[int], Mapping[str, Any]]
    fidelity: str
    description: str = ""
    sampling: str = "none"

    def __post_init__(self) -> None:
        if self.sampling not in SAMPLING:
            raise ValueError(f"sampling must be one of {SAMPLING}, got {self.sampling!r}")

    def fingerprint(self) -> Fingerprint:
        """Hash what this study's rows depend on: its settings and the labkit code it runs.

        See :mod:`labkit.study.fingerprint`.
        """
        settings = {"name": self.name, "sampling": self.sampling, "fidelity": self.fidelity}
        return study_fingerprint(self.func.__module__, settings)


@dataclass
class StudyResult:
    """The rows of a study (one per seed, sorted by seed) and its claim summary."""

    study: Study
    rows: pd.DataFrame
    wall_seconds: float
    fingerprint: Fingerprint | None = None
    """Of the code when the run started (default: now)."""
    claims: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.claims = claim_summary(self.rows)
        if self.fingerprint is None:
            self.fingerprint = self.study.fingerprint()

    def metadata(self) -> dict[str, Any]:
        """Return what the JSON sidecar records: fidelity, seeds, versions, wall time, k/N."""
        ok = self.rows[self.rows["status"] == "ok"]
        return {
            "name": self.study.name,
            "description": self.study.description,
            "fidelity": self.study.fidelity,
            "seeds": [int(s) for s in self.rows["seed"]],
            "n_ok": len(ok),
            "n_failed": int((self.rows["status"] != "ok").sum()),
            "versions": _versions(),
            "wall_seconds_total": round(float(self.rows["wall_seconds"].sum()), 1),
            "wall_seconds_elapsed": round(float(self.wall_seconds), 1),
            "peak_rss_mb": (
                round(float(self.rows["peak_rss_mb"].max()), 1)
                if "peak_rss_mb" in self.rows
                else None
            ),
            "fingerprint": self.fingerprint,
            "claims": {
                str(name): {
                    "k": int(r["k"]),
                    "n": int(r["n"]),
                    "share": round(float(r["share"]), 4),
                }
                for name, r in self.claims.iterrows()
            },
        }

    def write_json(self, path: str | Path) -> None:
        """Write :meth:`metadata` as indented JSON."""
        Path(path).write_text(json.dumps(self.metadata(), indent=2) + "\n")


CANARY_RTOL = {"none": 1e-6, "fast": 0.2, "full": 0.1}
"""Default tolerance of :func:`stamp_study` per sampling (claims must match exactly)."""

_NOT_COMPARED = ("seed", "status", "error", "fidelity", "wall_seconds", "peak_rss_mb", "versions")


def stamp_study(
    study: Study,
    directory: str | Path,
    *,
    seed: int | None = None,
    rtol: float | None = None,
    ignore: Sequence[str] = (),
) -> dict[str, Any]:
    """Re-run one committed seed; if it reproduces, record the code's fingerprint in the JSON.

    A study whose code changed only in form (a rename, a moved helper) need not be
    re-run in full: re-running one seed and finding the committed row shows that
    the rows still follow from the code, and the JSON then records the current
    fingerprint (and which seed vouched for it).

    Parameters
    ----------
    study : Study
    directory : path
        Holding ``<name>.csv`` and ``<name>.json``.
    seed : int, optional
        The seed to re-run (default: the first committed seed that ran).
    rtol : float, optional
        Relative tolerance for the numeric columns; claims must match exactly.
        Default :data:`CANARY_RTOL` for the study's sampling: a study without MCMC
        must reproduce to 1e-6; a fitted one to within the Monte Carlo error of its
        fits (MCMC draws are not bit-reproducible across processes and thread
        settings, and a tail quantile of 300 draws moves by several percent).
    ignore : sequence of str
        Columns not held to the tolerance; the JSON records their committed and
        fresh values under ``reproduced_ignoring`` (a diagnostic that is known not to
        reproduce, e.g. an effective sample size; say why where the study is used).

    Returns
    -------
    dict
        The updated JSON sidecar.

    Raises
    ------
    AssertionError
        Naming the columns that differ (then re-run the study).
    """
    folder = Path(directory)
    rows = pd.read_csv(folder / f"{study.name}.csv")
    meta = json.loads((folder / f"{study.name}.json").read_text())
    ok = rows[rows["status"] == "ok"]
    if ok.empty:
        raise ValueError(f"study {study.name!r} has no committed seed that ran")
    seed = int(ok["seed"].iloc[0]) if seed is None else check_int("seed", seed, minimum=0)
    if seed not in set(ok["seed"]):
        raise ValueError(f"seed must be a committed seed of {study.name!r} that ran, got {seed}")
    committed = ok[ok["seed"] == seed].iloc[0]
    fingerprint = study.fingerprint()  # the code the seed runs
    fresh = run_seed(study, seed)
    if fresh["status"] != "ok":
        raise AssertionError(f"seed {seed} of {study.name!r} now fails: {fresh['error']}")
    if rtol is None:
        rtol = CANARY_RTOL[study.sampling]
    rtol = check_number("rtol", rtol, low=0.0)
    differ = []
    worst = 0.0
    ignore = list(ignore)
    unknown = sorted(set(ignore) - set(rows.columns))
    if unknown:
        raise ValueError(f"ignore names columns the study does not have: {unknown}")
    ignored = {c: [_plain(committed[c]), _plain(fresh.get(c))] for c in ignore}
    for column in [c for c in rows.columns if c not in _NOT_COMPARED and c not in ignore]:
        old, new = committed[column], fresh.get(column)
        if column.startswith("claim_"):
            same = bool(old) == bool(new)
        elif isinstance(old, int | float | np.number) and isinstance(new, int | float | np.number):
            same = bool(np.isclose(float(old), float(new), rtol=rtol, atol=1e-12, equal_nan=True))
            if np.isfinite(float(old)) and float(old) != 0:
                worst = max(worst, abs(float(new) / float(old) - 1))
        else:
            same = (pd.isna(old) and new is None) or str(old) == str(new)
        if not same:
            differ.append(f"{column}: committed {_shown(old)}, now {_shown(new)}")
    missing = sorted(set(fresh) - set(rows.columns) - set(_NOT_COMPARED))
    if differ or missing:
        raise AssertionError(
            f"seed {seed} of {study.name!r} does not reproduce its committed row; re-run "
            f"the study (python -m labkit.study {study.name}). "
            + "; ".join(differ + [f"new column {m}" for m in missing])
        )
    meta["fingerprint"] = fingerprint
    meta["reproduced_seed"] = seed
    meta["reproduced_rtol"] = rtol
    meta["reproduced_worst_relative_gap"] = round(worst, 6)
    if ignored:
        meta["reproduced_ignoring"] = ignored
    else:
        meta.pop("reproduced_ignoring", None)
    (folder / f"{study.name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def claim_summary(rows: pd.DataFrame, confidence: float = 0.9) -> pd.DataFrame:
    """K of N per ``claim_*`` column over the seeds that ran, with a Jeffreys interval.

    Parameters
    ----------
    rows : pandas.DataFrame
        A study's rows (``status`` and boolean ``claim_*`` columns).
    confidence : float
        Of the interval for the share of worlds in which the claim holds.

    Returns
    -------
    pandas.DataFrame
        Indexed by claim: ``k``, ``n``, ``share``, ``low``, ``high``.
    """
    ok = rows[rows["status"] == "ok"] if "status" in rows else rows
    out = {}
    for column in [c for c in rows.columns if c.startswith("claim_")]:
        values = ok[column].dropna().astype(bool)
        k, n = int(values.sum()), len(values)
        tail = (1 - confidence) / 2
        low = float(beta.ppf(tail, k + 0.5, n - k + 0.5)) if k > 0 else 0.0
        high = float(beta.ppf(1 - tail, k + 0.5, n - k + 0.5)) if k < n else 1.0
        out[column.removeprefix("claim_")] = {
            "k": k, "n": n, "share": k / n if n else np.nan, "low": low, "high": high,
        }  # fmt: skip
    return pd.DataFrame.from_dict(out, orient="index", columns=["k", "n", "share", "low", "high"])


GENERAL_LOWER_BOUND = 0.65
"""A claim is stated as general only if the lower end of its 90 % Jeffreys interval reaches this
(16 of 20 worlds does not: 0.63; 17 of 20 does: 0.69; 36 of 40: 0.80)."""


def assert_general(summary: pd.DataFrame, claims: Sequence[str] | None = None) -> None:
    """Assert that claims of a :func:`claim_summary` may be stated as general.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`claim_summary` at its default 90 % confidence.
    claims : sequence of str, optional
        The claims the text states as general (default: every claim of ``summary``).

    Raises
    ------
    AssertionError
        Naming each claim whose interval's lower end is below
        :data:`GENERAL_LOWER_BOUND`, with its k of n: say it for the worlds
        measured, or measure more.
    ValueError
        For a claim ``summary`` does not hold.
    """
    names = list(summary.index) if claims is None else list(claims)
    unknown = [c for c in names if c not in summary.index]
    if unknown:
        raise ValueError(f"claims {unknown} are not in the summary; it has {list(summary.index)}")
    weak = [
        f"{c} ({int(summary.loc[c, 'k'])}/{int(summary.loc[c, 'n'])}, lower bound "
        f"{summary.loc[c, 'low']:.2f})"
        for c in names
        if not summary.loc[c, "low"] >= GENERAL_LOWER_BOUND
    ]
    if weak:
        raise AssertionError(
            f"stated as general but the 90 % Jeffreys lower bound is below {GENERAL_LOWER_BOUND}: "
            + "; ".join(weak)
        )


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except Exception:  # a package that is not installed is recorded as such
            found[name] = "not installed"
    return found


def _single_threaded() -> None:
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn and joblib
        pass


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_seed(study: Study, seed: int) -> dict[str, Any]:
    """Run one seed in this process, single-threaded; errors become a row, not an exception."""
    _single_threaded()
    start = time.perf_counter()
    row: dict[str, Any] = {"seed": int(seed)}
    before = os.environ.get(FAST_ENV_VAR)
    try:
        if study.sampling == "fast":
            os.environ[FAST_ENV_VAR] = "1"
        elif study.sampling == "full":
            os.environ.pop(FAST_ENV_VAR, None)
        result = dict(study.func(int(seed)))
        bad = [
            k
            for k, v in result.items()
            if k.startswith("claim_") and not isinstance(v, bool | np.bool_)
        ]
        if bad:
            raise TypeError(f"claims must be True or False: {bad}")
        row |= {"status": "ok", "error": ""} | result
    except Exception as err:  # a failing seed is data: record it and go on
        last = traceback.format_exception_only(type(err), err)[-1].strip()
        row |= {"status": "error", "error": last}
    finally:
        if before is None:
            os.environ.pop(FAST_ENV_VAR, None)
        else:
            os.environ[FAST_ENV_VAR] = before
    row |= {
        "fidelity": study.fidelity,
        "wall_seconds": round(time.perf_counter() - start, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "versions": json.dumps(_versions(), sort_keys=True),
    }
    return row


def _local(study: Study, seeds: list[int], n_jobs: int) -> Iterator[dict[str, Any]]:
    if n_jobs == 1:
        for seed in seeds:
            yield run_seed(study, seed)
        return
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="loky", inner_max_num_threads=1):
        yield from Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(run_seed)(study, s) for s in seeds
        )


def _dask(study: Study, seeds: list[int], client: Any) -> Iterator[dict[str, Any]]:
    from distributed import Client, as_completed

    own = isinstance(client, str)
    client = Client(client) if own else client
    try:
        futures = client.map(run_seed, [study] * len(seeds), seeds, pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        if own:
            client.close()


def _shown(value: Any) -> str:
    """Return a committed or fresh cell as the stamp's message shows it."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _plain(value: Any) -> Any:
    """Numpy scalars as Python scalars, for JSON (other objects as their text)."""
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def _finished(path: Path | None, journal: Path | None) -> list[dict[str, Any]]:
    """Rows with status ``ok`` already written by an earlier run (CSV, then its journal)."""
    found: list[dict[str, Any]] = []
    if path is not None and path.exists():
        frame = pd.read_csv(path)
        # an empty string reads back as NaN (a float column when every seed succeeded)
        frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), "")
        found += frame.to_dict("records")
    if journal is not None and journal.exists():
        found += [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    return [r for r in found if r.get("status") == "ok"]


def run_study(
    study: Study,
    seeds: Iterable[int],
    *,
    n_jobs: int = 2,
    client: Any = None,
    output: str | Path | None = None,
    progress: bool = True,
) -> StudyResult:
    """Run ``study`` over ``seeds`` and return one row per seed.

    Parameters
    ----------
    study : Study
    seeds : iterable of int
        Distinct seeds >= 0.
    n_jobs : int
        Local worker processes (joblib, each single-threaded; 1 runs in this process).
    client : distributed.Client or str, optional
        A Dask client, or a scheduler address (``"tcp://host:8786"``): the seeds run on
        that cluster instead of locally.
    output : path, optional
        CSV of the rows. Each finished seed is appended at once to a journal next to
        it (``<name>.partial.jsonl``); seeds with status ``ok`` in the CSV or the
        journal are skipped and their rows kept; the CSV is written, sorted by
        seed, when the run ends.
    progress : bool
        Show a progress bar (seeds done, failed, ETA).

    Returns
    -------
    StudyResult
    """
    seeds = [check_int("seeds[]", s, minimum=0) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct")
    if not seeds:
        raise ValueError("seeds must not be empty")
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    path = None if output is None else Path(output)
    journal = None if path is None else path.with_suffix(".partial.jsonl")
    rows = {int(r["seed"]): r for r in _finished(path, journal) if int(r["seed"]) in seeds}
    todo = [s for s in seeds if s not in rows]
    # the code the seeds run, hashed before they run (rows resumed from a journal are
    # taken to come from the same code)
    fingerprint = study.fingerprint()
    start = time.perf_counter()
    source = _dask(study, todo, client) if client is not None else _local(study, todo, n_jobs)
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=study.name, unit="seed")
    failed = 0
    for row in source:
        rows[row["seed"]] = row
        failed += row["status"] != "ok"
        if journal is not None:
            with journal.open("a") as f:
                f.write(json.dumps(row, default=_plain) + "\n")
        if bar is not None:
            bar.set_postfix(failed=failed)
            bar.update()
    if bar is not None:
        bar.close()
    table = pd.DataFrame([rows[s] for s in sorted(rows)])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False)
        assert journal is not None  # set with path
        journal.unlink(missing_ok=True)
    return StudyResult(study, table, time.perf_counter() - start, fingerprint)
