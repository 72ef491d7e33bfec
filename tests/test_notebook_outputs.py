"""The committed notebook outputs, which the book renders as they are (execution is off).

``make execute`` commits full-fidelity runs, top to bottom. These tests fail when a notebook
was instead saved from a fast-mode or partial session (JupyterLab autosaves: ``make
restore-notebooks`` undoes that), and when an output carries noise a reader should not see:
an absolute path of the machine that ran it, a traceback, a warning not on ``ALLOWED``,
PyTensor's and nutpie's notices, progress bars, ``Sampling: [...]`` logs, or a stray repr.
They read the .ipynb files only, so they take well under a second.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FULL_BANNER = "labkit full fidelity"  # labkit.sampling.mode_banner() without LABKIT_FAST
FAST_BANNER = "FAST MODE"  # ... and with LABKIT_FAST=1
TEXT_MIMES = ("text/plain", "text/html", "text/markdown")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}  # tqdm.auto's bars in Jupyter
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# What no committed output may contain: a name for the failure message and a pattern.
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "absolute path": re.compile(r"/root/|/home/|/work/|/tmp/|/usr/|site-packages"),
    "traceback": re.compile(r"Traceback"),
    "warning": re.compile(r"\b\w*Warning\b|\bWARNING\b"),
    "PyTensor BLAS notice": re.compile(r"could not link to a BLAS installation"),
    "xtensor notice": re.compile(r"xtensor module is experimental"),
    # a repr shown instead of the object it stands for (a figure or Markdown never rendered)
    "stray repr": re.compile(r"<IPython\.core\.display\.\w+ object>|<Figure size"),
    # nutpie's and tqdm's progress, and rich's bars (PyMC's "Computing ... ━━━━ 100%")
    "progress output": re.compile(
        r"Sampler Progress|it/s\]|Estimated Time to Completion|\u2501{4}"
    ),
    # PyMC's logs: "Sampling: [y]" (predictive draws) and the NUTS preamble
    "sampling log": re.compile(
        r"Sampling: \[|Auto-assigning NUTS|Initializing NUTS|(Multiprocess|Sequential) sampling"
        r"|Sampling \d+ chains? for"
    ),
    "fast-mode banner": re.compile(re.escape(FAST_BANNER)),
}

# Warnings a notebook may show on purpose. Each entry says why; a line matching one is
# exempt from the "warning" pattern only (a path on the same line still fails).
ALLOWED: dict[str, re.Pattern[str]] = {
    # CausalPy's synthetic-control check that the treated unit lies inside the convex hull of
    # its controls: the geo chapter shows it because it teaches when a synthetic control
    # extrapolates and its lift estimate should not be trusted.
    "CausalPy convex hull": re.compile(r"Convex hull assumption may be violated"),
}

MAX_REPORTED = 40


def _as_text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _cells(path: Path) -> list[dict]:
    return _notebook(path)["cells"]


def _widget_models(nb: dict, output: dict) -> list[dict]:
    """The saved widget models an output's widget view shows: its model and its descendants.

    The book renders a widget view from the notebook's saved widget state, so an Output
    widget's captured outputs and a progress-bar widget are what a reader sees.
    """
    view = output.get("data", {}).get(WIDGET_VIEW)
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not view or view.get("model_id") not in state:
        return []
    seen, todo = [], [view["model_id"]]
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in state:
            continue
        seen.append(model_id)
        todo.extend(re.findall(r"IPY_MODEL_(\w+)", json.dumps(state[model_id].get("state", {}))))
    return [state[m] for m in seen]


def _output_texts(output: dict) -> list[tuple[str, str]]:
    """The (kind, text) pairs of one output a reader can see: streams, errors, text mimes."""
    kind = output["output_type"]
    if kind == "stream":
        return [(f"stream {output.get('name', '')}".strip(), _as_text(output["text"]))]
    if kind == "error":
        head = f"{output.get('ename', '')}: {output.get('evalue', '')}"
        return [("error", "\n".join([head, *output.get("traceback", [])]))]
    data = output.get("data", {})
    return [(mime, _as_text(data[mime])) for mime in TEXT_MIMES if mime in data]


def _is_fallback(output: dict) -> bool:
    """Whether an output's text/plain is only the fallback of a richer representation.

    A figure's ``display_data`` carries ``<Figure size ...>`` next to its image/png, and
    ``display(HTML(...))`` carries ``<IPython.core.display.HTML object>``: the book renders
    the image or the HTML, so that text/plain is no stray repr.
    """
    return any(mime != "text/plain" for mime in output.get("data", {}))


def _excerpt(line: str, match: re.Match[str], width: int = 150) -> str:
    """The line around a match, short enough to read in a failure message."""
    start, end = max(match.start() - width, 0), min(match.end() + width, len(line))
    text = line[start:end].strip()
    return ("..." if start else "") + text + ("..." if end < len(line) else "")


def _line_problems(line: str, kind: str, output: dict) -> tuple[list[str], re.Match[str] | None]:
    """The names of the FORBIDDEN patterns a line matches, and the first match."""
    names, first = [], None
    for name, pattern in FORBIDDEN.items():
        match = pattern.search(line)
        if match is None:
            continue
        if name == "warning" and any(a.search(line) for a in ALLOWED.values()):
            continue
        if name == "stray repr" and kind == "text/plain" and _is_fallback(output):
            continue
        names.append(name)
        first = first or match
    return names, first


def _problems(path: Path) -> list[str]:
    """One entry per offending line (repeats counted): cell index, output kind, patterns, text."""
    nb = _notebook(path)
    found: dict[str, int] = {}

    def scan(index: int, output: dict, where: str = "") -> None:
        if output["output_type"] == "error":
            key = f"cell {index}: {where}error output {output.get('ename', '')}"
            found[key] = found.get(key, 0) + 1
        for kind, text in _output_texts(output):
            for line in ANSI.sub("", text).splitlines():
                names, match = _line_problems(line, kind, output)
                if names:
                    excerpt = _excerpt(line, match)
                    key = f"cell {index} ({where}{kind}): {', '.join(names)}: {excerpt}"
                    found[key] = found.get(key, 0) + 1

    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            scan(index, output)
            for model in _widget_models(nb, output):
                if model.get("model_name") in PROGRESS_MODELS:
                    key = f"cell {index} (widget): progress output: a {model['model_name']}"
                    found[key] = found.get(key, 0) + 1
                for captured in model.get("state", {}).get("outputs", []):
                    scan(index, captured, "widget Output, ")
    return [key if n == 1 else f"{key}  (x{n})" for key, n in found.items()]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/*.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_are_a_full_fidelity_run(path):
    cells = _cells(path)
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    unexecuted = [i for i, c in code if c.get("execution_count") is None]
    assert not unexecuted, (
        f"{path.name}: code cells {unexecuted} were never executed; run `make execute`"
    )
    counts = [c["execution_count"] for _, c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}: the outputs are not "
        "one top-to-bottom run; run `make execute`"
    )
    texts = [t for _, c in code for o in c.get("outputs", []) for _, t in _output_texts(o)]
    assert any(c.get("outputs") for _, c in code), f"{path.name}: no outputs at all"
    fast = [i for i, c in code for o in c.get("outputs", []) if FAST_BANNER in str(o)]
    assert not fast, (
        f"{path.name}: cells {fast} show the fast-mode banner: these are LABKIT_FAST=1 outputs "
        "(JupyterLab autosaved them?); `make restore-notebooks` or `make execute`"
    )
    assert any(FULL_BANNER in t for t in texts), (
        f"{path.name}: no output prints labkit.sampling.mode_banner() ({FULL_BANNER!r})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_are_clean(path):
    problems = _problems(path)
    shown = "\n  ".join(problems[:MAX_REPORTED])
    more = (
        f"\n  ... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
    )
    assert not problems, (
        f"{path.name}: {len(problems)} distinct unclean output lines:\n  {shown}{more}"
    )
