"""The real browser behind `audit`: find Chromium, serve a built site, visit pages in parallel.

One headless Chromium for the whole run. Each worker has its own browser context (so pages never
share state), axe-core is added to each context once with `add_init_script`, and the workers take
pages from one queue, so a site of a few hundred pages keeps every core busy.

The pages come from pull requests, so Chromium runs with its sandbox (`launch`). Only where the sandbox
cannot start (as root, or without user namespaces, as in many containers) does it run without one,
and the audit says so.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import urlsplit

# Flags for a machine without a GPU, on a closed network (no background calls). Playwright adds
# --no-sandbox itself unless asked for the sandbox (`chromium_sandbox=True`, as `launch` does).
LAUNCH_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NO_SANDBOX_NOTE = ("audit: note: Chromium's sandbox cannot start on this machine ({reason}); the pages are opened "
                   "without it, so audit here only content you trust, or run the audit as a user other than root")
BROWSER_ENV = "CLAIR_BROWSER"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome")
BROWSER_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium",
                 "/Applications/Chromium.app/Contents/MacOS/Chromium",
                 "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
WIDTHS = (1280, 375)  # screenshots: a desktop and a small phone
VIEWPORT_HEIGHT = {1280: 800, 375: 812}
PAGE_TIMEOUT_MS = 30_000

INSTALL_HELP = f"""\
The audit needs Chromium (or Chrome). Install it from your system's packages:
  Debian/Ubuntu:  apt-get install -y chromium
  Fedora:         dnf install -y chromium
  macOS:          brew install --cask chromium
then run the audit again; it looks for `chromium` on the PATH and in the usual places.
A browser somewhere else: pass --browser PATH or set {BROWSER_ENV}=PATH.
Outside Debian/Ubuntu, `playwright install chromium` also works: the audit uses Playwright's own
Chromium when no system browser is found."""


class BrowserNotFound(Exception):
    """No usable Chromium; the message says how to install one."""


def find_browser(explicit: str | None = None, env: Mapping[str, str] = os.environ,
                 bundled: str | None = None, names=BROWSER_NAMES, paths=BROWSER_PATHS) -> str:
    """The browser to launch: --browser, then $CLAIR_BROWSER, then the system's, then Playwright's own."""
    wanted = explicit or env.get(BROWSER_ENV)
    if wanted:
        found = shutil.which(wanted) if os.sep not in wanted else (wanted if _executable(wanted) else None)
        if found:
            return found
        origin = "--browser" if explicit else BROWSER_ENV
        raise BrowserNotFound(f"no browser at `{wanted}` (from {origin}).\n{INSTALL_HELP}")
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for path in paths:
        if _executable(path):
            return path
    if bundled and _executable(bundled):
        return bundled
    raise BrowserNotFound(f"no Chromium browser was found.\n{INSTALL_HELP}")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


async def launch(playwright, explicit: str | None = None):
    """One headless Chromium, from the system when there is one, with its sandbox where it can start;
    else without, saying so in one line on standard error."""
    from playwright.async_api import Error as PlaywrightError

    try:
        bundled = playwright.chromium.executable_path
    except Exception:  # Playwright without its own browsers
        bundled = None
    path = find_browser(explicit, bundled=bundled)
    try:
        return await playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS,
                                                chromium_sandbox=True)
    except PlaywrightError as err:
        if "sandbox" not in str(err).lower():
            raise
        reason = "running as root" if hasattr(os, "geteuid") and os.geteuid() == 0 else "no user namespaces"
        print(NO_SANDBOX_NOTE.format(reason=reason), file=sys.stderr)
    return await playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS,
                                            chromium_sandbox=False)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the folder under `base_path` (`/` or, for a site published under a path, `/plan/`); other addresses
    answer 404, as on the host the site is published on."""

    def __init__(self, *args, base_path: str = "/", **kwargs):
        self.base_path = base_path  # before the base class, which handles the request in its __init__
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def send_head(self):
        if not urlsplit(self.path).path.startswith(self.base_path):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path(path[len(self.base_path) - 1:])


@contextmanager
def serve(folder: Path, base_path: str = "/", handler=QuietHandler) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at a free port, under `base_path` (clair/urls.py), in a thread, with `handler`
    (a QuietHandler); yields the address of the folder, without a trailing slash (`http://127.0.0.1:PORT/plan`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder), base_path=base_path))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="clair-audit-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{base_path.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# Runs axe, then says for each failing element where it sits: inside <main> or in the layout, under
# which heading, and its text or image address, so the audit can point at the Markdown line.
AXE_RUN = """async (options) => {
  const results = await axe.run(document, options);
  const headings = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')];
  const where = (selector) => {
    let el = null;
    try { el = typeof selector === 'string' ? document.querySelector(selector) : null; } catch (e) { el = null; }
    if (!el) return {};
    let heading = null;
    for (const h of headings) {
      if (h === el || (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) heading = h; else break;
    }
    return {
      inMain: !!el.closest('main'),
      headingId: heading && heading.id ? heading.id : null,
      headingTag: heading ? heading.tagName.toLowerCase() : null,
      text: (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 200),
      src: el.getAttribute('src'),
      href: el.getAttribute('href'),
    };
  };
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, description: v.description,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, impact: n.impact,
                              failureSummary: n.failureSummary, ...where(n.target[0])})),
  }));
}"""


@dataclass
class PageVisit:
    """What the browser saw on one page."""

    path: str  # the URL path, e.g. /en/a/b/
    status: int | None = None
    violations: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # errors the page logged: CSP, missing files, scripts
    screenshots: list[Path] = field(default_factory=list)
    error: str | None = None  # the page could not be opened or axe could not run


def screenshot_name(path: str, width: int) -> str:
    """A flat file name per page and width: /en/a/b/ -> en_a_b.1280.png, / -> index.1280.png."""
    stem = path.strip("/").removesuffix(".html").replace("/", "_") or "index"
    return f"{stem}.{width}.png"


async def visit_pages(browser, base_url: str, paths: list[str], axe_source: str, axe_options: dict,
                      screenshots: Path | None = None, jobs: int | None = None) -> list[PageVisit]:
    """Open every page (in `jobs` parallel contexts), run axe, and take screenshots if asked."""
    jobs = max(1, min(jobs or default_jobs(), len(paths) or 1))
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    visits: dict[str, PageVisit] = {}
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)

    async def worker() -> None:
        context = await browser.new_context(viewport={"width": WIDTHS[0], "height": VIEWPORT_HEIGHT[WIDTHS[0]]},
                                            reduced_motion="reduce")
        await context.add_init_script(script=axe_source)
        page = await context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        current: list[PageVisit] = []

        def on_console(msg) -> None:
            # Chromium asks every host for /favicon.ico on its own; the pages never reference it.
            where = msg.location.get("url", "")
            if current and msg.type == "error" and not where.endswith("/favicon.ico"):
                current[-1].console.append(msg.text + (f" ({where})" if where and where not in msg.text else ""))

        page.on("console", on_console)
        page.on("pageerror", lambda exc: current and current[-1].console.append(f"script error: {exc}"))
        try:
            while not queue.empty():
                path = queue.get_nowait()
                visit = visits[path] = PageVisit(path)
                current.append(visit)
                await _visit(page, base_url, visit, axe_options, screenshots)
        finally:
            await context.close()

    await asyncio.gather(*(worker() for _ in range(jobs)))
    return [visits[path] for path in paths]


async def _visit(page, base_url: str, visit: PageVisit, axe_options: dict, screenshots: Path | None) -> None:
    try:
        if page.viewport_size["width"] != WIDTHS[0]:
            await page.set_viewport_size({"width": WIDTHS[0], "height": VIEWPORT_HEIGHT[WIDTHS[0]]})
        response = await page.goto(base_url + visit.path, wait_until="load")
        visit.status = response.status if response else None
        visit.violations = await page.evaluate(AXE_RUN, axe_options)
        if screenshots:
            for width in WIDTHS:
                if page.viewport_size["width"] != width:
                    await page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT[width]})
                target = screenshots / screenshot_name(visit.path, width)
                await page.screenshot(path=str(target), full_page=True)
                visit.screenshots.append(target)
    except Exception as err:  # one broken page must not stop the audit of the others
        visit.error = str(err).splitlines()[0] if str(err) else type(err).__name__


def default_jobs() -> int:
    """Pages opened at once: one per core, at least two (the browser waits on I/O too), at most eight."""
    return max(2, min(8, os.cpu_count() or 2))
