"""Smoke test of an installed labkit wheel, run from outside the repository.

``make wheel-smoke`` builds the wheel, installs it (non-editable, with its runtime
dependencies only) into a fresh venv and runs this script there from a temporary
folder: labkit must import from site-packages, load every data set and study it
ships, and rank lift tests; the book and test tools must not have come with it.
"""

import importlib.util
import sys
from pathlib import Path

import labkit
from labkit.data import DATASETS, load_dataset
from labkit.design.fixture import simulate_designer_fixture
from labkit.study import STUDIES, load_study

here = Path(labkit.__file__).resolve()
assert "site-packages" in here.parts, f"labkit imported from {here}, not from the installed wheel"
for name in DATASETS:
    data = load_dataset(name)
    assert len(data.data) > 0 and data.truth, name
for name in STUDIES:
    rows, meta = load_study(name)
    assert len(rows) == len(meta["seeds"]), name
recs = simulate_designer_fixture().designer().recommend()
assert len(recs) > 0
for tool in ("jupyter_book", "nbmake", "jupyterlab", "pytest"):
    assert importlib.util.find_spec(tool) is None, f"{tool} came with the runtime dependencies"
print(
    f"wheel smoke: labkit {labkit.__version__} from {here.parent}, {len(DATASETS)} data sets, "
    f"{len(STUDIES)} studies, {len(recs)} recommendations (Python {sys.version.split()[0]})"
)
