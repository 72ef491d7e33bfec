"""Drop progress-bar leftovers from executed notebooks, in place.

Run: python scripts/clean_outputs.py notebooks/*.ipynb

Libraries draw progress with widgets or rich "live" displays that pymc-marketing
does not let a caller switch off everywhere (posterior predictive sampling inside
cross-validation, for instance). They are useful while a notebook runs and
meaningless in a committed output: an empty widget box offline, an empty ``<pre>``.
This script removes exactly those outputs and nothing else:

- a widget view whose plain-text form is ``Output()`` (rich's live display) or a
  tqdm bar (``12/40 [00:03<00:09, 3.1it/s]``);
- an HTML output that is an empty ``<pre>`` with an empty plain-text form;
- a stream output with no text.

``make execute`` runs it after executing each notebook. Widget state of labkit's
explorers is kept (their views have a real plain-text form).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

WIDGET = "application/vnd.jupyter.widget-view+json"
TQDM = re.compile(r"\d+(/\S+)?\s*\[\d\d:\d\d.*(it/s|s/it|\?it/s)\]|\bit/s\]")
EMPTY_PRE = re.compile(r"^\s*<pre[^>]*>\s*</pre>\s*$")


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def is_progress_leftover(output: dict) -> bool:
    """Whether an output is a progress bar's leftover (see the module docstring)."""
    kind = output.get("output_type")
    if kind == "stream":
        return _text(output.get("text", "")).strip() == ""
    if kind not in {"display_data", "execute_result"}:
        return False
    data = output.get("data", {})
    plain = _text(data.get("text/plain", "")).strip()
    if WIDGET in data:
        return plain == "Output()" or bool(TQDM.search(plain))
    html = _text(data.get("text/html", ""))
    return set(data) <= {"text/html", "text/plain"} and plain == "" and bool(EMPTY_PRE.match(html))


def clean(path: Path) -> int:
    """Remove progress leftovers from one notebook; return how many were removed."""
    nb = nbformat.read(path, as_version=4)
    removed = 0
    for cell in nb["cells"]:
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = [o for o in outputs if not is_progress_leftover(o)]
        removed += len(outputs) - len(kept)
        cell["outputs"] = kept
    if removed:
        nbformat.write(nb, path)
    return removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.notebooks:
        print(f"{path}: removed {clean(path)} progress outputs")


if __name__ == "__main__":
    main()
