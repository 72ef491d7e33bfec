"""environment.yml (conda users) and pyproject.toml (pip, CI) must list the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _norm(spec: str) -> str:
    """Normalise a requirement: lower case, '_' -> '-', no spaces."""
    return spec.strip().lower().replace("_", "-").replace(" ", "")


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_norm(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}


def _environment() -> tuple[dict, set[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    names = {_norm(d) for d in conda if not d.startswith(("python=", "pip"))}
    return env, names


def test_same_dependencies():
    _, conda = _environment()
    pip = _pyproject()
    only_conda, only_pip = sorted(conda - pip), sorted(pip - conda)
    assert conda == pip, (
        f"only in environment.yml: {only_conda}; only in pyproject.toml: {only_pip}"
    )


def test_conda_forge_only_python_311_and_editable_labkit():
    env, _ = _environment()
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]


def test_constraints_pin_every_declared_package():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, ver = line.partition("==")
            assert ver, f"constraints.txt line {line!r} is not an exact pin"
            pins[name.lower().replace("_", "-")] = ver
    for spec in _pyproject():
        name = re.split(r"[<>=!~]", spec)[0]
        assert name in pins, f"{name} is declared but not pinned in constraints.txt"
    assert pins["pymc-marketing"] == "0.19.2"
    assert pins["preliz"] == "0.24.0"
    assert int(pins["jupyter-book"].split(".")[0]) < 2
