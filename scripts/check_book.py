"""Browser check of the built book: every page loads cleanly in headless Chromium.

Serves ``_build/html`` on a loopback port, opens every HTML page built from the
table of contents in Debian's Chromium (driven by Playwright, never a downloaded
browser) with the network blocked, and fails if

- a page does not load, has no title or heading, logs a JavaScript error or shows an
  error/traceback cell output;
- a page asks for anything that is not on the loopback server or a file:// URL (a CDN
  script, a web font): the book must read offline, so every such request is aborted
  and listed; nor may any page's HTML name a remote script or stylesheet;
- math is left unrendered (each ``.math`` element must hold a MathJax ``mjx-container``)
  or a widget is (each embedded widget view must be rendered from its saved state).

Saves a screenshot of the intro page to ``_build/intro.png``.

Usage: ``python scripts/check_book.py [--html _build/html] [--chromium /usr/bin/chromium]``
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ERROR_SELECTORS = ".output.error, .output.traceback, div.cell_output .traceback"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+; *url=([^"]+)"', re.IGNORECASE)
ERROR_TEXT = (
    "Traceback (most recent call last)",
    "Error in callback",
    "---------------------------",
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# a <script src> or <link href> (stylesheet, font, icon...) that points off the machine
REMOTE_ASSET = re.compile(
    r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']+|"
    r"<link\b(?=[^>]*\brel=[\"'](?:stylesheet|preload|modulepreload|icon|manifest)[\"'])"
    r"[^>]*\bhref=[\"'](?:https?:)?//[^\"']+",
    re.IGNORECASE,
)
WIDGET_VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'
# html-manager inserts a div.widget-subarea before each view's script and attaches the view to it
UNRENDERED_VIEWS = """sel => [...document.querySelectorAll(sel)].filter(s => {
    const d = s.previousElementSibling;
    return !(d && d.classList.contains("widget-subarea") && d.childElementCount > 0);
}).length"""
RENDER_TIMEOUT_MS = 20_000


def _serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):  # the browser moved on
                pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _pages(html: Path) -> list[Path]:
    pages = sorted(p for p in html.rglob("*.html") if not p.name.startswith(("genindex", "search")))
    return [p for p in pages if "_static" not in p.parts and "_sources" not in p.parts]


def _watch(page) -> list[str]:
    """Collect uncaught exceptions, console errors and failed requests of a page."""
    errors: list[str] = []

    def on_console(msg) -> None:
        # failed requests are reported with their URL by on_response
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console.error: {msg.text}")

    def on_response(response) -> None:
        # the browser asks for /favicon.ico on its own; the book ships none
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"HTTP {response.status}: {response.url}")

    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("console", on_console)
    page.on("response", on_response)
    return errors


def _is_local(url: str) -> bool:
    """Whether a request stays on this machine (the loopback server, a file, inline data)."""
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


def _block_network(context) -> list[str]:
    """Abort every request that leaves the machine; return the (growing) list of them."""
    blocked: list[str] = []

    def route(route) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    return blocked


def _check_math(page) -> list[str]:
    """Every math element must have been typeset by MathJax (no raw ``\\(...\\)`` left)."""
    total = page.locator(".math").count()
    if not total:
        return []
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.math')]"
            ".every(e => e.querySelector('mjx-container'))",
            timeout=RENDER_TIMEOUT_MS,
        )
    except PlaywrightTimeout:
        pass
    raw = page.evaluate(
        "() => [...document.querySelectorAll('.math')]"
        ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.trim())"
    )
    if raw:
        return [f"{len(raw)} of {total} math elements not rendered by MathJax, e.g. {raw[0]!r}"]
    return []


def _check_widgets(page) -> list[str]:
    """Every embedded widget view must have been rendered from the saved widget state."""
    total = page.locator(WIDGET_VIEWS).count()
    if not total:
        return []
    try:
        page.wait_for_function(
            f"sel => ({UNRENDERED_VIEWS})(sel) === 0", arg=WIDGET_VIEWS, timeout=RENDER_TIMEOUT_MS
        )
    except PlaywrightTimeout:
        pass
    missing = page.evaluate(UNRENDERED_VIEWS, WIDGET_VIEWS)
    if missing:
        return [f"{missing} of {total} widget views not rendered by the widget manager"]
    return []


def _remote_assets(html: Path) -> list[str]:
    """Scripts and stylesheets that any built page (search and index pages too) loads remotely."""
    problems = []
    for path in sorted(html.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        for tag in REMOTE_ASSET.findall(path.read_text(errors="replace")):
            problems.append(f"{path.relative_to(html).as_posix()}: remote asset {tag!r}")
    return problems


def check(html: Path, chromium: str, screenshot: Path) -> list[str]:
    """Open every page; return the problems found (empty when all is well)."""
    problems: list[str] = _remote_assets(html)
    server, base = _serve(html)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            blocked = _block_network(context)
            for path in _pages(html):
                rel = path.relative_to(html).as_posix()
                redirect = REFRESH.search(path.read_text(errors="replace"))
                if redirect:
                    # a redirect stub (index.html -> the root chapter, which is checked itself)
                    target = redirect.group(1)
                    if not (path.parent / target).is_file():
                        problems.append(f"{rel}: redirects to a missing page {target!r}")
                    print(f"ok  {rel:40s} -> {target}")
                    continue
                page = context.new_page()
                errors = _watch(page)
                first_blocked = len(blocked)
                response = page.goto(f"{base}/{rel}", wait_until="load")
                if response is None or not response.ok:
                    problems.append(f"{rel}: did not load ({response and response.status})")
                    page.close()
                    continue
                errors.extend(_check_math(page))
                errors.extend(_check_widgets(page))
                page.wait_for_load_state("networkidle")
                errors.extend(f"network request (blocked): {u}" for u in blocked[first_blocked:])
                title = page.title().strip()
                if not title:
                    problems.append(f"{rel}: no <title>")
                if page.locator("h1").count() == 0:
                    problems.append(f"{rel}: no <h1> heading")
                if page.locator(ERROR_SELECTORS).count():
                    problems.append(f"{rel}: shows an error output")
                body = page.inner_text("body")
                for marker in ERROR_TEXT[:2]:
                    if marker in body:
                        problems.append(f"{rel}: page text contains {marker!r}")
                problems.extend(f"{rel}: {e}" for e in errors)
                if rel == "notebooks/intro.html":
                    page.screenshot(path=str(screenshot), full_page=False)
                print(f"ok  {rel:40s} {title}" if not errors else f"ERR {rel}")
                page.close()
            context.close()
            browser.close()
    finally:
        server.shutdown()
    if not screenshot.exists():
        problems.append(f"no screenshot written to {screenshot} (is notebooks/intro in _toc.yml?)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the check from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", default="_build/html", type=Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--screenshot", default="_build/intro.png", type=Path)
    args = parser.parse_args(argv)
    if not (args.html / "index.html").exists():
        print(f"{args.html}/index.html is missing: build the book first (make book)")
        return 2
    if not Path(args.chromium).exists():
        print(f"Chromium not found at {args.chromium} (apt-get install chromium)")
        return 2
    args.screenshot.unlink(missing_ok=True)
    problems = check(args.html, args.chromium, args.screenshot)
    if problems:
        print("browser check failed:")
        for p in problems:
            print("  -", p)
        return 1
    print(f"browser check passed; screenshot of the intro page: {args.screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
