"""The built book works offline, in a real browser.

Every page the table of contents produces is served from 127.0.0.1 and opened
in Debian's Chromium, driven by Playwright, with every request that would leave
the machine aborted: what passes here works on a downloaded copy of the book or
in a classroom without internet. A full-page screenshot of each page is saved
under _build/screenshots/ for a person to look at.

Needs /usr/bin/chromium (Debian's package; Playwright cannot download its own
browser here) and the playwright package from requirements.txt. .ci/run
installs Chromium, so CI never skips this test.
"""

from __future__ import annotations

import ast
import functools
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import nbtools
from nnhistory.results import GLUE_MIME_PREFIX

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # the skip message in `browser` says how to install it
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
# This machine's network is closed: without these, Chromium keeps trying to
# reach Google's services at start-up. Playwright gives every launch a fresh,
# empty profile (its own --user-data-dir) and adds --headless.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
MATHJAX_TIMEOUT_MS = 15_000  # served locally it starts in well under a second
SCREENSHOTS = nbtools.ROOT / "_build" / "screenshots"
PAGES = nbtools.toc_files()  # "book/intro", ..., "notebooks/01_mcculloch_pitts", ...
RAW_TEX = ["$$", "\\begin{", "\\end{", "\\(", "\\)", "\\[", "\\]"]
COLAB = "https://colab.research.google.com/github/"
# Sphinx 7.4 writes an inline script twice when an extension adds it after the
# builder started; sphinx-thebe's (always loaded by Jupyter Book 1) declares a
# const, so the second copy fails. Harmless: the first copy ran, and this book
# has no live-code (thebe) button. Jupyter Book 1 pins Sphinx below 8.
KNOWN_CONSOLE_ERRORS = {"Identifier 'THEBE_JS_URL' has already been declared"}
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
GLUED_TEXT = GLUE_MIME_PREFIX + "text/plain"  # where glue stores a value's repr

# Runs in the page once MathJax is done. Text outside typeset mathematics and
# code that still holds TeX delimiters is mathematics MathJax never saw.
COLLECT_PAGE_FACTS = """(rawTex) => {
    const outsideMath = "mjx-container, code, pre, script, style, textarea";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const rawTexText = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(outsideMath)) continue;
        if (rawTex.some((marker) => node.data.includes(marker))) {
            rawTexText.push(node.data.trim().slice(0, 160));
        }
    }
    const hrefs = (selector) =>
        [...document.querySelectorAll(selector)].map((a) => a.href);
    return {
        rawTexText,
        untypesetMath: document.querySelectorAll(".math:not(:has(mjx-container))")
            .length,
        mathErrors: [...document.querySelectorAll("mjx-merror")].map(
            (e) => e.textContent),
        brokenImages: [...document.querySelectorAll("img")]
            .filter((img) => !img.complete || img.naturalWidth === 0)
            .map((img) => img.src),
        links: hrefs("a[href]"),
        launchLinks: hrefs(".dropdown-launch-buttons a[href]"),
        downloadLinks: hrefs("a.btn-download-source-button[href]"),
        pastedText: [...document.querySelectorAll(".pasted-text")].map(
            (e) => e.textContent),
        problematic: [...document.querySelectorAll(".problematic, .system-message")]
            .map((e) => e.textContent.slice(0, 160)),
        text: document.body.innerText,
    };
}"""


@dataclass(repr=False)
class Visit:
    """What one page did in the browser, and what it showed."""

    name: str  # as in _toc.yml, e.g. "notebooks/03_perceptron"
    facts: dict  # what COLLECT_PAGE_FACTS returned
    mathjax_problem: str | None  # why MathJax did not typeset the page, if it did not
    console_errors: list[str]
    failed_local_requests: list[str]
    blocked_requests: list[str]  # requests for anything not on 127.0.0.1

    def __repr__(self):  # keeps a failing assert's report short
        return f"Visit({self.name!r})"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keeps pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        pytest.skip(
            "Playwright is not installed: .venv/bin/pip install -r requirements.txt"
        )
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium is missing ({CHROMIUM} does not exist): install Debian's "
            "package with `sudo apt-get install chromium` (.ci/run does this in CI; "
            "`playwright install` cannot download a browser here)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(book):
    """The built book on a local HTTP server; yields its base URL."""
    assert book.returncode == 0, "the book did not build: see tests/test_book.py"
    handler = functools.partial(QuietHandler, directory=str(book.html))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}/"
    server.shutdown()
    server.server_close()


def wait_for_mathjax(page) -> str | None:
    """Wait until MathJax has typeset the page; None then, else what went wrong."""
    if not page.locator("script[src*='mathjax']").count():
        return None  # Sphinx loads MathJax only on pages with mathematics
    try:
        page.wait_for_function(
            "() => window.MathJax?.startup?.promise", timeout=MATHJAX_TIMEOUT_MS
        )
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    except PlaywrightTimeout:
        return f"MathJax did not start within {MATHJAX_TIMEOUT_MS / 1000:.0f} s"
    return None


def is_local(url: str) -> bool:
    return urlsplit(url).hostname == LOCAL_HOST


@pytest.fixture(scope="module", params=PAGES)
def visit(request, browser, site) -> Visit:
    """Open one page with the network cut off, wait for MathJax, look at it."""
    name = request.param
    console_errors, failed_local, blocked = [], [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def only_local(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def record_error(text):
        if text not in KNOWN_CONSOLE_ERRORS:
            console_errors.append(text)

    def on_response(response):
        if is_local(response.url) and response.status >= 400:
            failed_local.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        if is_local(request.url):
            failed_local.append(f"{request.failure} {request.url}")

    context.route("**/*", only_local)
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and record_error(message.text),
    )
    page.on("pageerror", lambda error: record_error(error.message))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.goto(f"{site}{name}.html", wait_until="load")
    mathjax_problem = wait_for_mathjax(page)
    facts = page.evaluate(COLLECT_PAGE_FACTS, RAW_TEX)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{Path(name).name}.png", full_page=True)
    context.close()
    return Visit(name, facts, mathjax_problem, console_errors, failed_local, blocked)


def chapter_path(visit: Visit) -> Path | None:
    """The chapter's notebook; None for the book's other pages."""
    if visit.name.startswith("notebooks/"):
        return nbtools.ROOT / f"{visit.name}.ipynb"
    return None


def test_nothing_is_fetched_from_the_internet(visit):
    assert not visit.blocked_requests, (
        "the page needs resources from outside the book (serve them from _static): "
        f"{visit.blocked_requests}"
    )


def test_mathematics_is_typeset(visit):
    facts = visit.facts
    assert visit.mathjax_problem is None, visit.mathjax_problem
    assert not facts["rawTexText"], f"raw TeX left on the page: {facts['rawTexText']}"
    assert facts["untypesetMath"] == 0, "math elements that MathJax did not typeset"
    assert not facts["mathErrors"], f"TeX errors: {facts['mathErrors']}"


def test_images_load(visit):
    assert not visit.facts["brokenImages"], visit.facts["brokenImages"]


def test_no_console_errors_or_failed_requests(visit):
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed_local_requests, visit.failed_local_requests


class IdCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for key, value in attrs if key in ("id", "name"))


@functools.cache
def anchors(page: Path) -> frozenset[str]:
    """The ids (and old-style names) a link's #anchor can point at."""
    collector = IdCollector()
    collector.feed(page.read_text(encoding="utf-8"))
    return frozenset(collector.ids)


def local_file(html: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return html / path


def test_internal_links_resolve(visit, book):
    broken = []
    for url in visit.facts["links"]:
        if not is_local(url):
            continue  # links a reader clicks to leave the book (DOIs, Colab, ...)
        target = local_file(book.html, url)
        anchor = unquote(urlsplit(url).fragment)
        if not target.is_file():
            broken.append(f"{url}: no such file")
        elif anchor and target.suffix == ".html" and anchor not in anchors(target):
            broken.append(f"{url}: no #{anchor} on {target.name}")
    assert not broken, broken


def stored_glue_text(notebook) -> dict[str, str]:
    """Each glued name's text/plain, as glue stored it in the outputs."""
    return {
        output.metadata["scrapbook"]["name"]: output.data[GLUED_TEXT]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
        and GLUED_TEXT in output.get("data", {})
    }


def formatted(text_plain: str, format_spec: str) -> str:
    """How {glue:text}`key:format_spec` shows a value: its repr read back, formatted."""
    try:
        value = ast.literal_eval(text_plain)
    except (SyntaxError, ValueError):
        value = text_plain
    return format(value, format_spec) if format_spec else str(value)


def expected_glue_texts(notebook) -> list[str]:
    """Every {glue:text} role in the chapter's prose, in order, as it should read."""
    stored = stored_glue_text(notebook)
    expected = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for role in GLUE_ROLE.findall(cell.source):
                key, _, format_spec = role.partition(":")
                expected.append(formatted(stored[key], format_spec))
    return expected


def test_glued_values_are_shown(visit):
    facts = visit.facts
    assert "{glue" not in facts["text"], "a glue role was left unresolved"
    assert not facts["problematic"], f"unresolved roles: {facts['problematic']}"
    path = chapter_path(visit)
    if path is not None:
        assert facts["pastedText"] == expected_glue_texts(nbtools.read(path))


def source_file(name: str) -> Path:
    """The notebook or Markdown file a page of the table of contents is built from."""
    (source,) = [
        path
        for path in (nbtools.ROOT / f"{name}.ipynb", nbtools.ROOT / f"{name}.md")
        if path.exists()
    ]
    return source


def test_launch_and_download_buttons_point_at_this_page(visit, book):
    path = chapter_path(visit)
    facts = visit.facts
    if path is None:
        assert not facts["launchLinks"], "only chapters can be launched"
    else:
        release = nbtools.config()["repository"]["branch"]
        assert facts["launchLinks"], "a chapter has launch buttons (Colab, Binder)"
        for url in facts["launchLinks"]:
            assert f"notebooks/{path.name}" in url and release in url, url
        # The launch button and the link under the title both open this chapter.
        colab = [url for url in facts["links"] if url.startswith(COLAB)]
        assert len(colab) >= 2 and set(colab) == {nbtools.colab_url(path)}, colab
    assert facts["downloadLinks"], "every page offers its source for download"
    source = source_file(visit.name)
    for url in facts["downloadLinks"]:
        downloaded = local_file(book.html, url)
        assert downloaded.name == source.name, url
        assert downloaded.read_bytes() == source.read_bytes(), url
