"""Recovery studies: a chapter's claims measured over many simulated worlds.

:func:`run_study` runs a :class:`Study` (a function ``seed -> dict`` of metrics and
boolean ``claim_*`` entries) over many seeds, locally with joblib or on a Dask
cluster, resumably; :data:`STUDIES` lists the book's studies. From a shell::

    python -m labkit.study designer --seeds 0:200 --n-jobs 2
    python -m labkit.study designer --seeds 0:200 --scheduler tcp://host:8786

The results are committed as ``data/studies/<name>.csv`` (one row per seed) and
``data/studies/<name>.json`` (fidelity, seeds, versions, wall time, k/N per claim);
:func:`load_study` reads them back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from labkit.data import DATA_DIR
from labkit.study.carryover import carryover_study
from labkit.study.confounders import confounder_study
from labkit.study.designer import designer_study
from labkit.study.elicitation import elicitation_study
from labkit.study.fingerprint import stale_modules
from labkit.study.geo_calibration import geo_calibration_study
from labkit.study.geo_test_loop import geo_test_loop_study
from labkit.study.learning import learning_study
from labkit.study.noise import noise_study
from labkit.study.programme import programme_study
from labkit.study.runner import (
    GENERAL_LOWER_BOUND,
    Study,
    StudyResult,
    assert_general,
    claim_summary,
    run_study,
    stamp_study,
)

__all__ = [
    "GENERAL_LOWER_BOUND",
    "STUDIES",
    "STUDY_DIR",
    "Study",
    "StudyResult",
    "assert_general",
    "claim_summary",
    "load_study",
    "run_study",
    "stale_studies",
    "stamp_study",
]

STUDY_DIR = DATA_DIR / "studies"
"""Where the committed studies live."""

STUDIES: dict[str, Study] = {
    "designer": Study(
        "designer",
        designer_study,
        fidelity="designer fixture (posterior drawn around the truth, no MCMC)",
        description="chapter 1: assurance vs simulated detection, learning value, frontier",
    ),
    "noise": Study(
        "noise",
        noise_study,
        fidelity="simulated AR(1) residual series (4000 per seed)",
        description="chapter 1: the z-test's level with the exact and the large-T noise sd",
    ),
    "elicitation": Study(
        "elicitation",
        elicitation_study,
        fidelity="fast mode (LABKIT_FAST=1): MMMs and CausalPy 2 chains x 150 draws, PyMC NUTS",
        description="chapter 4: MMM with priors elicited from one experiment vs generic priors",
        sampling="fast",
    ),
    "geo_calibration": Study(
        "geo_calibration",
        geo_calibration_study,
        fidelity=(
            "fast mode (LABKIT_FAST=1): MMMs 2 chains x 150 draws, nutpie; "
            "CausalPy 2 x 150, PyMC NUTS"
        ),
        description=(
            "chapter 2: uncalibrated, oracle- and CausalPy-calibrated hierarchical geo MMMs"
        ),
        sampling="fast",
    ),
    "geo_test_loop": Study(
        "geo_test_loop",
        geo_test_loop_study,
        fidelity=(
            "fast mode (LABKIT_FAST=1): MMMs 2 chains x 150 draws, nutpie; "
            "CausalPy 2 x 150, PyMC NUTS"
        ),
        description=(
            "chapter 5: a designed geo test run in the panel's world, read with CausalPy, "
            "calibrating the geo MMM"
        ),
        sampling="fast",
    ),
    "learning": Study(
        "learning",
        learning_study,
        fidelity="full fidelity: 4 chains x 1000 draws per MMM fit, nutpie",
        description="chapter 1: predicted learning value against refits with the simulated test",
        sampling="full",
    ),
    "programme": Study(
        "programme",
        programme_study,
        fidelity="fast mode (LABKIT_FAST=1): 2 chains x 150 draws per MMM fit, nutpie",
        description=(
            "chapter 7: three tests in a row chosen by five policies, regret and ROAS error "
            "by round"
        ),
        sampling="fast",
    ),
    "carryover": Study(
        "carryover",
        carryover_study,
        fidelity="fast mode (LABKIT_FAST=1): 2 chains x 150 draws per MMM fit, nutpie",
        description=(
            "carry-over: a test read as a total and week by week, the adstock decay before "
            "and after"
        ),
        sampling="fast",
    ),
    "confounders": Study(
        "confounders",
        confounder_study,
        fidelity="fast mode (LABKIT_FAST=1): 2 chains x 150 draws, nutpie",
        description="chapter 3: baseline vs lift-test-calibrated ROAS under a hidden confounder",
        sampling="fast",
    ),
}
"""The book's studies by name."""

DEFAULT_SEEDS = {
    "designer": range(200),
    "noise": range(500),
    "geo_calibration": range(20),
    "geo_test_loop": range(40),
    "confounders": range(40),
    "elicitation": range(20),
    "learning": range(8),
    "programme": range(20),
    "carryover": range(20),
}
"""Seeds each committed study runs."""


def load_study(
    name: str, directory: str | Path | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a committed study: its rows and its JSON sidecar.

    Parameters
    ----------
    name : str
        One of :data:`STUDIES`.
    directory : path, optional
        Default :data:`STUDY_DIR`.

    Returns
    -------
    (pandas.DataFrame, dict)
    """
    if name not in STUDIES:
        raise ValueError(f"name must be one of {sorted(STUDIES)}, got {name!r}")
    folder = STUDY_DIR if directory is None else Path(directory)
    rows = pd.read_csv(folder / f"{name}.csv")
    return rows, json.loads((folder / f"{name}.json").read_text())


def stale_studies(directory: str | Path | None = None) -> dict[str, list[str]]:
    """Return the committed studies whose code, settings or seeds changed since they ran.

    Parameters
    ----------
    directory : path, optional
        Default :data:`STUDY_DIR`.

    Returns
    -------
    dict
        ``{name: [what changed]}`` for each stale study: module names, ``"parameters"``,
        ``"seeds"`` (not :data:`DEFAULT_SEEDS`) or ``"no fingerprint"``. Refresh one with
        ``python -m labkit.study NAME`` (or ``--stamp`` when only the form of the code changed).
    """
    out = {}
    for name, study in STUDIES.items():
        _, meta = load_study(name, directory)
        changed = []
        if "fingerprint" not in meta:
            changed.append("no fingerprint")
        else:
            changed += stale_modules(meta["fingerprint"], study.fingerprint())
        if [int(s) for s in meta["seeds"]] != list(DEFAULT_SEEDS[name]):
            changed.append("seeds")
        if changed:
            out[name] = changed
    return out
