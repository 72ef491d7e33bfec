"""The environment: environment.yml (conda users) and pyproject.toml (pip, CI) list the same
packages, constraints.txt pins them, and the book's JavaScript is pinned in package-lock.json
and served from the build (so that the book reads offline)."""

import json
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
    extras = project["optional-dependencies"]
    return {_norm(d) for d in project["dependencies"] + extras["book"] + extras["dev"]}


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


def test_book_javascript_is_pinned_in_package_lock():
    """MathJax, RequireJS and the widget manager: exact versions, the same in the lock file."""
    deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert set(deps) == {"mathjax", "requirejs", "@jupyter-widgets/html-manager"}
    for name, version in deps.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version!r} is not an exact pin"
        assert lock[f"node_modules/{name}"]["version"] == version
    assert deps["mathjax"].startswith("3."), "Sphinx 7 and MyST-NB configure MathJax 3"
    assert deps["@jupyter-widgets/html-manager"].startswith("1."), "ipywidgets 8 state"


def test_book_serves_its_own_javascript():
    """The book reads offline: no script of jupyter_book_config.yml comes from the network."""
    book = yaml.safe_load((ROOT / "jupyter_book_config.yml").read_text())
    config = book["sphinx"]["config"]
    assert config["html_static_path"] == ["_build/assets"]
    scripts = [config["mathjax_path"], *config["nb_ipywidgets_js"]]
    makefile = (ROOT / "Makefile").read_text()
    for script in scripts:
        assert not re.match(r"(https?:)?//", script), f"{script} is loaded from the network"
        assert script.startswith("offline/"), script
        # `make assets` copies it into _build/assets/offline/
        assert Path(script).name in makefile, f"the Makefile does not copy {script}"


def test_sphinx_extension_is_not_part_of_the_package():
    book = yaml.safe_load((ROOT / "jupyter_book_config.yml").read_text())
    assert book["sphinx"]["local_extensions"] == {"labkit_sphinx": "_ext"}
    assert (ROOT / "_ext" / "labkit_sphinx.py").is_file()
    assert not list((ROOT / "labkit").glob("*sphinx*"))


def test_slow_marker_is_registered():
    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    assert any(m.startswith("slow:") for m in pytest_ini["ini_options"]["markers"])
