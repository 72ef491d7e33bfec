"""The book's simulated data sets: registry, loader and byte-exact serialisation.

Three seeded simulators, one per data set, write the observations to
``data/<name>.csv`` and the truth that generated them to ``data/<name>.json``:

- ``geo_panel`` (:mod:`labkit.data.geo_panel`): eight geos, two near-collinear
  channels and a geo lift test on one of them;
- ``confounded`` (:mod:`labkit.data.confounded`): national sales with an
  unobserved confounder of spend and sales;
- ``two_countries`` (:mod:`labkit.data.two_countries`): a spend cut in one
  country with the other as a natural control.

:func:`load_dataset` reads a data set with its truth; ``python -m labkit.data``
regenerates the files, and ``--check`` verifies that a regeneration reproduces
them byte for byte. Figures of the data tour are in :mod:`labkit.data.plots`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labkit._validate import check_strings
from labkit.data.confounded import simulate_confounded
from labkit.data.geo_panel import simulate_geo_panel
from labkit.data.simulate import SimulatedDataset
from labkit.data.two_countries import simulate_two_countries

__all__ = [
    "DATASETS",
    "DATA_DIR",
    "Dataset",
    "SimulatedDataset",
    "check_dataset",
    "dataset_bytes",
    "dataset_kind",
    "load_dataset",
    "loaded",
    "simulate_confounded",
    "simulate_geo_panel",
    "simulate_two_countries",
    "truth_frame",
    "write_datasets",
]

DATA_DIR = Path(str(resources.files("labkit.data") / "files"))
"""Where the committed data sets live: inside the package (``labkit/data/files``), so an
installed labkit finds them; the repository's ``data/`` links there."""

FLOAT_FORMAT = "%.10g"


@dataclass(frozen=True)
class _Entry:
    simulate: Callable[[], SimulatedDataset]
    date_columns: tuple[str, ...]
    description: str
    columns: tuple[str, ...] = ()
    """What tells a data set of this kind: columns and truth keys only its simulator writes."""
    truth_keys: tuple[str, ...] = ()


DATASETS: dict[str, _Entry] = {
    "geo_panel": _Entry(
        simulate_geo_panel,
        ("date",),
        "8 geos x 104 weeks, 2 channels correlated ~0.99, geo lift test on channel_1",
        ("date", "geo", "y"),
        ("treated_geos", "control_geos", "test_channel", "experiment_start"),
    ),
    "confounded": _Entry(
        simulate_confounded,
        ("date",),
        "131 weeks, hidden confounder z drives x1 and sales; y01/y02 counterfactuals",
        ("date", "x1", "x2", "y"),
        ("channels",),
    ),
    "two_countries": _Entry(
        simulate_two_countries,
        ("date",),
        "150 weeks, Venezuela vs Colombia, 90% meta cut in Venezuela",
        ("date", "venezuela", "colombia", "meta"),
        ("treatment_start",),
    ),
}


@dataclass(frozen=True)
class Dataset:
    """A data set loaded from ``data/``.

    Attributes
    ----------
    name : str
        Registry name.
    data : pandas.DataFrame
        The observations (date columns parsed).
    truth : dict
        The true parameters from the JSON sidecar.
    description : str
        One line on what the data set is.
    """

    name: str
    data: pd.DataFrame
    truth: dict[str, Any]
    description: str


def check_name(name: Any) -> str:
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known data sets are {sorted(DATASETS)}")
    return name


def _directory(directory: Any) -> Path:
    if not isinstance(directory, str | Path):
        raise TypeError(f"directory must be a str or Path, got {type(directory).__name__}")
    return Path(directory)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def dataset_bytes(dataset: SimulatedDataset) -> tuple[bytes, bytes]:
    """Serialise a simulated data set exactly as it is stored in ``data/``.

    Parameters
    ----------
    dataset : SimulatedDataset
        Output of a simulator.

    Returns
    -------
    tuple of bytes
        The CSV and the JSON sidecar.
    """
    if not isinstance(dataset, SimulatedDataset):
        raise TypeError(
            "dataset must be a SimulatedDataset (a simulator's output), got "
            f"{type(dataset).__name__}"
        )
    csv = dataset.data.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    truth = json.dumps(_jsonable(dataset.truth), indent=2, sort_keys=True) + "\n"
    return csv.encode(), truth.encode()


def write_datasets(directory: str | Path = DATA_DIR, names: list[str] | None = None) -> list[Path]:
    """Simulate and write data sets as ``<name>.csv`` and ``<name>.json``.

    Parameters
    ----------
    directory : str or Path
        Where to write; created if missing.
    names : str or list of str, optional
        Data sets to write (one name is one data set); ``None`` writes all, an
        empty list raises.

    Returns
    -------
    list of Path
        The files written.
    """
    names = [check_name(n) for n in check_strings("names", names, default=list(DATASETS))]
    directory = _directory(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        csv, truth = dataset_bytes(DATASETS[name].simulate())
        for suffix, payload in ((".csv", csv), (".json", truth)):
            path = directory / f"{name}{suffix}"
            path.write_bytes(payload)
            written.append(path)
    return written


def load_dataset(name: str, directory: str | Path = DATA_DIR) -> Dataset:
    """Load a data set and its truth (default: the copy installed with labkit).

    Parameters
    ----------
    name : str
        One of ``geo_panel``, ``confounded``, ``two_countries``.
    directory : str or Path
        Folder holding the files (default: the data sets installed with labkit,
        :data:`DATA_DIR`).

    Returns
    -------
    Dataset
        The observations and the truth.

    Raises
    ------
    ValueError
        If ``name`` is not a known data set (the message lists the known names).
    FileNotFoundError
        If the files are missing; the message says how to regenerate them.
    """
    name = check_name(name)
    directory = _directory(directory)
    csv, sidecar = directory / f"{name}.csv", directory / f"{name}.json"
    for path in (csv, sidecar):
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing; regenerate it with `python -m labkit.data`"
            )
    return _parse(name, csv, sidecar.read_text())


def _parse(name: str, csv: Path | io.BytesIO, truth: str) -> Dataset:
    entry = DATASETS[name]
    data = pd.read_csv(csv, parse_dates=list(entry.date_columns))
    return Dataset(name=name, data=data, truth=json.loads(truth), description=entry.description)


def loaded(dataset: SimulatedDataset) -> Dataset:
    """Return a simulator's output exactly as :func:`load_dataset` would read it back.

    The data and the truth go through the same serialisation as ``data/`` (rounded
    floats, parsed dates, JSON truth), so a study of seed ``s`` sees what a notebook
    would see had ``data/`` been written with seed ``s``.

    Parameters
    ----------
    dataset : SimulatedDataset
        Output of a simulator.

    Returns
    -------
    Dataset
    """
    csv, sidecar = dataset_bytes(dataset)
    return _parse(dataset.name, io.BytesIO(csv), sidecar.decode())


def truth_frame(dataset: Dataset) -> pd.DataFrame:
    """Flatten a data set's truth into a two-column table for display.

    Parameters
    ----------
    dataset : Dataset
        A loaded data set.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter`` (a dotted path such as ``saturation_lam.geo_00.channel_1``)
        and ``value``; lists are joined into one string.
    """
    if not isinstance(getattr(dataset, "truth", None), dict):
        raise TypeError(
            f"dataset must be a loaded data set with a truth dict (load_dataset(name)), "
            f"got {type(dataset).__name__}"
        )
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            rows.append((prefix, ", ".join(map(str, value)) if isinstance(value, list) else value))

    walk("", dataset.truth)
    return pd.DataFrame(rows, columns=["parameter", "value"])


def dataset_kind(dataset: Any) -> str:
    """Which simulator's kind of data ``dataset`` is, read off its columns and truth.

    Parameters
    ----------
    dataset : Dataset or SimulatedDataset
        Anything with a ``data`` frame and a ``truth`` dict.

    Returns
    -------
    str
        A key of :data:`DATASETS` whose columns and truth keys it holds.

    Raises
    ------
    ValueError
        If it holds what no kind holds.
    """
    data, truth = getattr(dataset, "data", None), getattr(dataset, "truth", None)
    if isinstance(data, pd.DataFrame) and isinstance(truth, dict):
        for kind, entry in DATASETS.items():
            if all(c in data.columns for c in entry.columns) and all(
                k in truth for k in entry.truth_keys
            ):
                return kind
    raise ValueError(
        f"dataset must hold the columns and truth of one of {list(DATASETS)} "
        "(load_dataset(name) or a simulate_* result)"
    )


def check_dataset(dataset: Dataset, kind: str) -> pd.DataFrame:
    """Return ``dataset``'s frame after checking that it holds what a ``kind`` data set holds.

    The check reads the data, not the name: any data set with the columns and the
    truth a ``kind`` simulator writes (:data:`DATASETS`) passes, whatever it is called.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a labkit Dataset, got {type(dataset).__name__}")
    entry = DATASETS[check_name(kind)]
    missing = [c for c in entry.columns if c not in dataset.data.columns]
    absent = [k for k in entry.truth_keys if k not in (dataset.truth or {})]
    if missing or absent:
        raise ValueError(
            f"dataset must hold what a {kind!r} data set holds: it lacks column(s) {missing} "
            f"and truth key(s) {absent}"
        )
    return dataset.data
