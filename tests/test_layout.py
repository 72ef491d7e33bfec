"""The package's layout rules: one home per concept, maths free of GUI libraries, small modules."""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import labkit

ROOT = Path(labkit.__file__).parent
MODULES = sorted(ROOT.rglob("*.py"))
GUI = ("matplotlib", "ipywidgets", "IPython")
DRAWING = {"plots.py", "widgets.py", "_figures.py"}
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """Nodes inside ``if TYPE_CHECKING:`` blocks (never imported at run time)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped |= set(ast.walk(child))
    return skipped


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    skipped = _type_checking_only(tree)
    nodes = [n for n in (tree.body if top_level_only else ast.walk(tree)) if n not in skipped]
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", [p for p in MODULES if p.name not in DRAWING], ids=_module_name)
def test_maths_modules_never_import_gui_libraries(path):
    gui = sorted(m for m in _imports(path, top_level_only=False) if m.split(".")[0] in GUI)
    where = "figures go to plots.py, widgets to widgets.py"
    assert not gui, f"{_module_name(path)} imports {gui}: {where}"


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_modules_stay_small(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{_module_name(path)} has {n} lines (at most {MAX_LINES})"


def _import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    """Which labkit modules each labkit module imports."""
    names = {_module_name(p): p for p in MODULES}
    graph = {}
    for name, path in names.items():
        targets = set()
        for imported in _imports(path, top_level_only=top_level_only):
            while imported and imported not in names:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        graph[name] = targets
    return graph


def test_no_import_cycles():
    """Module-level imports between labkit modules form no cycle."""
    graph = _import_graph(top_level_only=True)

    def visit(node, stack, done):
        if node in stack:
            cycle = [*stack[stack.index(node) :], node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        for target in graph[node]:
            visit(target, [*stack, node], done)
        done.add(node)

    done: set[str] = set()
    for name in graph:
        visit(name, [], done)


def test_each_concept_imports_alone_in_a_fresh_interpreter():
    """Importing any one module first works: no module relies on another being imported before."""
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    for key in [k for k in sys.modules if k == 'labkit' or k.startswith('labkit.')]:\n"
        "        del sys.modules[key]\n"
        "    importlib.import_module(name)\n"
    )
    names = [_module_name(p) for p in MODULES if p.name != "__main__.py"]
    result = subprocess.run(
        [sys.executable, "-c", code, *reversed(names)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_each_concept_keeps_its_figures_and_widget():
    for concept in ("design", "geo", "roas", "elicitation"):
        for part in ("plots", "widgets"):
            importlib.import_module(f"labkit.{concept}.{part}")
    importlib.import_module("labkit.data.plots")


def test_book_build_code_is_not_in_the_package():
    assert not any("sphinx" in p.read_text() for p in MODULES if "sphinx" in p.name)
    assert not list(ROOT.rglob("*sphinx*"))


def test_importing_labkit_then_arviz_prints_no_notice(tmp_path):
    """ArviZ's once-a-day refactor notice (shown when its stamp file is missing) stays silent."""

    def run(code: str, cache: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / cache)}
        command = [sys.executable, "-W", "error::FutureWarning", "-c", code]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    bare = run("import arviz", "bare")
    assert bare.returncode == 1 and "ArviZ is undergoing" in bare.stderr, "the notice exists"
    result = run("import labkit, arviz", "labkit")
    assert result.returncode == 0, result.stderr[-2000:]


def test_no_import_cycles_through_deferred_imports_either():
    """Imports inside functions (deferred for speed) form no cycle with the others either."""
    graph = _import_graph(top_level_only=False)
    # a package's __init__ re-exports its modules: an edge into a package is an edge into
    # what its __init__ imports, so only cycles through a module's own code count
    cycles = []

    def visit(node, stack, done):
        if node in stack:
            cycles.append([*stack[stack.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*stack, node], done)
        done.add(node)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [], done)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_private_name_is_imported_across_modules():
    """``from labkit.x import _name`` never: a helper used elsewhere is public where it lives.

    Private modules (``from labkit import _kernels``) are the package's own plumbing and may be
    imported anywhere in labkit.
    """
    offenders = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labkit")):
                continue
            package = ROOT.parent.joinpath(*node.module.split("."))
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and not (package / f"{alias.name}.py").exists():
                    offenders.append(
                        f"{_module_name(path)}: from {node.module} import {alias.name}"
                    )
    assert not offenders, "private names imported across modules: " + "; ".join(offenders)
