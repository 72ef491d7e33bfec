"""A tiny Sphinx extension for the book: load each script once.

Jupyter Book 1's ``sphinx-thebe`` registers its inline configuration script each
time the environment reads documents, so a page can carry two
``const THEBE_JS_URL = ...`` declarations and the browser throws
``Identifier 'THEBE_JS_URL' has already been declared``. This extension drops
duplicate script entries from every page's context before rendering.

It is part of the book's build, not of the ``labkit`` package: jupyter_book_config.yml
loads it from ``_ext/`` (``sphinx.local_extensions``).
"""

from __future__ import annotations

from typing import Any


def _dedupe_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        # Same file (None and "" both mean inline) and attributes: the same script.
        attributes = getattr(script, "attributes", {}) or {}
        key = (
            getattr(script, "filename", None) or "",
            tuple(sorted(map(str, attributes.items()))),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
