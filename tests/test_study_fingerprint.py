"""A committed study cannot go stale unnoticed: fingerprints, the staleness check, stamping."""

import json
import shutil
import sys
import textwrap

import pytest

from labkit.study import STUDIES, STUDY_DIR, stale_studies, stamp_study
from labkit.study.__main__ import main
from labkit.study.fingerprint import labkit_imports, module_hash, stale_modules


def test_every_committed_study_is_current():
    stale = stale_studies()
    message = "; ".join(
        f"{name} is stale ({', '.join(changed)}): refresh it with `python -m labkit.study {name}`"
        " (or `--stamp` if only the form of its code changed)"
        for name, changed in stale.items()
    )
    assert not stale, message


@pytest.fixture
def fake_labkit_module(tmp_path, monkeypatch):
    """A throwaway module inside a package named labkit_fake_pkg, importable by name."""
    package = tmp_path / "labkit_fake_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(source):
        (package / "mod.py").write_text(textwrap.dedent(source))
        sys.modules.pop("labkit_fake_pkg.mod", None)
        return module_hash("labkit_fake_pkg.mod")

    return write


def test_docstrings_annotations_and_casts_do_not_change_a_module_hash(fake_labkit_module):
    plain = fake_labkit_module(
        """
        def f(x, y=2):
            return x * y
        """
    )
    dressed = fake_labkit_module(
        '''
        """A module."""
        from typing import TYPE_CHECKING, cast
        if TYPE_CHECKING:
            import numpy


        def f(x: "numpy.ndarray", y: int = 2) -> float:
            """Multiply."""
            # a comment
            return cast(float, x * y)
        '''
    )
    changed = fake_labkit_module(
        """
        def f(x, y=3):
            return x * y
        """
    )
    assert plain != changed
    # the typing import remains (it is code), so compare without it
    bare_typing = fake_labkit_module(
        """
        from typing import TYPE_CHECKING, cast

        def f(x, y=2):
            return x * y
        """
    )
    assert dressed == bare_typing


def test_imports_are_followed_inside_functions_too():
    modules = labkit_imports("labkit.study.geo_test_loop")
    # geo_test_loop imports these only inside its function
    assert {"labkit.geo", "labkit.design.geo_designer", "labkit.data.experiments"} <= set(modules)
    assert "labkit.study" not in modules and "labkit.elicitation" not in modules
    assert labkit_imports("labkit.study.noise")[0] == "labkit"


def test_stale_modules_names_what_changed():
    old = {"parameters": "a", "modules": {"labkit.x": "1", "labkit.y": "2"}}
    new = {"parameters": "b", "modules": {"labkit.x": "1", "labkit.z": "3"}}
    assert stale_modules(old, new) == ["parameters", "labkit.y", "labkit.z"]
    assert stale_modules(new, new) == []


def test_module_hash_refuses_what_is_not_python_source():
    with pytest.raises(ValueError, match=r"^module must be a labkit module"):
        module_hash("labkit_no_such_module")


@pytest.fixture
def noise_copy(tmp_path):
    for suffix in (".csv", ".json"):
        shutil.copy(STUDY_DIR / f"noise{suffix}", tmp_path / f"noise{suffix}")
    meta = json.loads((tmp_path / "noise.json").read_text())
    meta.pop("fingerprint", None)
    (tmp_path / "noise.json").write_text(json.dumps(meta))
    return tmp_path


def test_stamp_records_the_fingerprint_when_a_seed_reproduces(noise_copy, capsys):
    assert main(["noise", "--stamp", "--canary", "3", "--output", str(noise_copy)]) == 0
    assert "seed 3 reproduces" in capsys.readouterr().out
    meta = json.loads((noise_copy / "noise.json").read_text())
    assert meta["reproduced_seed"] == 3
    assert meta["fingerprint"] == STUDIES["noise"].fingerprint()


def _set_first_row(folder, column, value):
    """Overwrite one cell of the copied study's first row (a row the code no longer gives)."""
    csv = folder / "noise.csv"
    lines = csv.read_text().splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    first[header.index(column)] = value
    csv.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")


def test_stamp_refuses_a_row_the_code_does_not_reproduce(noise_copy):
    _set_first_row(noise_copy, "fpr_exact", "0.5")
    with pytest.raises(AssertionError, match=r"does not reproduce.*fpr_exact: committed 0\.5"):
        stamp_study(STUDIES["noise"], noise_copy, seed=0)
    assert "fingerprint" not in json.loads((noise_copy / "noise.json").read_text())
    with pytest.raises(ValueError, match=r"^seed must be a committed seed"):
        stamp_study(STUDIES["noise"], noise_copy, seed=10_000)


def test_stamp_records_the_columns_it_was_told_to_ignore(noise_copy):
    _set_first_row(noise_copy, "fpr_limit", "0.5")
    meta = stamp_study(STUDIES["noise"], noise_copy, seed=0, ignore=["fpr_limit"])
    committed, fresh = meta["reproduced_ignoring"]["fpr_limit"]
    assert committed == 0.5 and fresh != 0.5 and meta["fingerprint"]
    with pytest.raises(ValueError, match="ignore names columns"):
        stamp_study(STUDIES["noise"], noise_copy, seed=0, ignore=["nope"])
