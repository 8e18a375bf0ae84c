"""`python build.py serve`: a live preview on 127.0.0.1 that rebuilds and reloads the open page on save.

The site is built in memory (nothing is written) and served from memory by a ThreadingHTTPServer:
`/en/x/` is `en/x/index.html`, an address that leads nowhere gets the language's 404 page with status
404. A site published under a path (`base_url: https://org.github.io/plan/`) is served both there
(`/plan/en/x/`, where its links lead) and at the root. serve_build.Watcher notices saved files and
serve_build.Builder rebuilds what they affect.

Only `serve` adds to the HTML it sends (the built files are never changed, and the published site
never holds any of it): before `</head>` the banner's style sheet (/__clair/serve.css), after `<body>`
a banner with the check findings of the page's Markdown file (or, after a failed rebuild, the errors
that stopped it), and before `</body>` the script /__clair/reload.js. The script listens to
/__clair/events (Server-Sent Events): each message carries the build's generation, and the page
reloads when it differs from the one it was served with. It is a file on the site's own address, so
the pages' Content-Security-Policy (`default-src 'self'`, `script-src 'self'`) allows it.
"""
from __future__ import annotations

import hashlib
import html
import mimetypes
import posixpath
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from . import command, report
from .files import MEDIA_TYPES
from .model import LANGUAGES, Finding, built_bytes, built_text
from .pipeline import Later
from .project import Project
from .serve_build import Builder, Outcome, Snapshot, Watcher
from .urls import publish, unpublish

HOST = "127.0.0.1"  # the preview is for the writer's own machine only
PREFIX = "/__clair/"
KEEPALIVE_SECONDS = 15  # an SSE comment this often, so dead connections are noticed
CONNECTION_TIMEOUT = 30  # seconds a connection may stay silent (a request not sent, a response not read)
MAX_CONNECTIONS = 32  # handled at once, one thread each; every open page holds one for its reload events
BUSY_WAIT = 5  # seconds a new connection waits for a free thread before it is answered 503
BACKLOG = 64  # connections the system holds until the server takes them
BUSY_RESPONSE = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 b"Retry-After: 1\r\nConnection: close\r\n\r\nThe preview is busy; reload the page.\n")
MAX_BANNER_ITEMS = 50
TYPES = mimetypes.MimeTypes()  # the built-in table only: the same types on every machine
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/javascript", "image/svg+xml")
EXTRA_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".xml": "application/xml", ".woff2": "font/woff2",
               ".wasm": "application/wasm"}  # the templates' assets and the search index; media: files.MEDIA_TYPES


def run_command(args, project: Project) -> int:
    """The `serve` command: build, serve, watch; Ctrl-C (or SIGTERM) stops it with exit code 0."""
    if not 0 <= args.port <= 65535:
        print(f"--port {args.port} is not a port number; use 1 to 65535, or 0 for any free port", file=sys.stderr)
        return 2
    preview = Preview(Builder(project, run_checks=not args.skip_checks, jobs=args.jobs), args.port)
    try:
        preview.start_server()
    except OSError as err:
        print(f"cannot serve on {HOST}:{args.port} ({err.strerror or err}); choose another port with --port "
              "(--port 0 picks a free one)", file=sys.stderr)
        return 2
    try:
        preview.say(f"Preview at {preview.url} (press Ctrl-C to stop). Building the site in memory...")
        preview.build()
        preview.watch()
        preview.say(f"Watching {args.content}/, templates/, data/ and {args.config} for changes.")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        preview.say("\nStopped the preview server.")
        return 0
    finally:
        preview.stop()


class Preview:
    """The builder, the server and the watcher, and the snapshot they share."""

    def __init__(self, builder: Builder, port: int = 8000, out=None):
        self.builder = builder
        self.port = port
        self.out = out
        self.token = secrets.token_hex(4)  # a restarted server never repeats a generation
        self.count = 0
        self.changed = threading.Condition()
        self.snapshot: Snapshot = builder.snapshot(self.generation())
        self.stopping = False
        self.server: PreviewServer | None = None
        self.watcher: Watcher | None = None
        self.last: Outcome | None = None
        self.seen: dict | None = None  # the sources as the first build read them

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def generation(self) -> str:
        return f"{self.token}-{self.count}"

    def say(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def start_server(self) -> None:
        self.server = PreviewServer((HOST, self.port), Handler)
        self.server.preview = self
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="clair-server",
                         daemon=True).start()

    def build(self) -> Outcome:
        """Build now (the first build, in the calling thread), publish, report."""
        scan = self.builder.scan()
        outcome = self.builder.rebuild(scan)
        self.publish(outcome)
        self.seen = scan
        return outcome

    def watch(self) -> None:
        self.watcher = Watcher(self.builder.scan, self.rebuild, self.seen or self.builder.scan())
        self.watcher.start()

    def rebuild(self, scan) -> None:
        self.publish(self.builder.rebuild(scan))

    def publish(self, outcome: Outcome) -> None:
        """Show the new build to the server and to open pages, then tell the terminal."""
        with self.changed:
            self.count += 1
            self.snapshot = self.builder.snapshot(self.generation())
            self.last = outcome
            self.changed.notify_all()
        self.say(describe(outcome, colour=(self.out or sys.stdout).isatty()))

    def wait_for_change(self, generation: str, timeout: float) -> str:
        """The current generation once it differs from `generation` (or after `timeout`)."""
        with self.changed:
            self.changed.wait_for(lambda: self.stopping or self.snapshot.generation != generation, timeout)
            return self.snapshot.generation

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        if self.watcher:
            self.watcher.stop()
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def describe(outcome: Outcome, colour: bool = False) -> str:
    """The terminal's account of a rebuild: what was rebuilt, then the findings of the edited pages."""
    took = f"{outcome.seconds * 1000:.0f} ms" if outcome.seconds < 10 else f"{outcome.seconds:.1f} s"
    if outcome.errors:
        return (f"Rebuild failed ({took}); still serving the last good build. Fix this and save:\n"
                + report.as_text(outcome.errors, colour=colour).rstrip("\n"))
    if outcome.kind == "full":
        what = f"Built the whole site in {took} ({report.printable(outcome.reason)}): {outcome.summary}."
    elif outcome.kind == "pages":
        what = f"Rebuilt {report.printable(', '.join(outcome.pages))} in {took}."
    elif outcome.kind in ("media", "assets"):
        what = f"Reloaded {report.printable(', '.join(outcome.changed))} in {took}."
    else:
        what = f"Up to date ({took})."
    if outcome.kind == "pages" or (outcome.kind == "full" and outcome.changed):
        shown = outcome.findings
        what += "\n" + (report.as_text(shown, colour=colour).rstrip("\n") if shown else "No findings on these pages.")
    return what


class PreviewServer(ThreadingHTTPServer):
    """One thread per connection, at most MAX_CONNECTIONS at once: a connection beyond them waits for one to
    end (up to BUSY_WAIT seconds, then gets 503), and the ones after it wait in the system's backlog. Each
    connection times out after CONNECTION_TIMEOUT silent seconds, so idle clients cannot hold threads."""

    daemon_threads = True
    request_queue_size = BACKLOG
    preview: Preview

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.free = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address) -> None:
        if not self.free.acquire(timeout=BUSY_WAIT):
            return self.refuse(request)
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: its place is free again
            self.free.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.free.release()

    def refuse(self, request) -> None:
        """503, without waiting for the request; what it sent so far is read, since closing a connection with
        unread data would reset it before the browser reads the answer."""
        try:
            request.settimeout(1)
            request.sendall(BUSY_RESPONSE)
            request.setblocking(False)
            request.recv(65536)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away (a reload, a closed tab): nothing to report
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "clair-serve"
    timeout = CONNECTION_TIMEOUT

    def log_message(self, format, *args) -> None:  # no access log: the terminal is for findings
        pass

    def do_HEAD(self) -> None:
        self.respond(head=True)

    def do_GET(self) -> None:
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        preview = self.server.preview
        if self.headers.get("Host", "").lower() not in (f"{HOST}:{preview.port}", f"localhost:{preview.port}"):
            # another site's address made to lead here (DNS rebinding) must not read the drafts
            return self.send(421, b"Use the address clair printed.\n", "text/plain; charset=utf-8", head)
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            return self.events(preview, head)
        if path == PREFIX + "reload.js":
            return self.send(200, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        if path == PREFIX + "serve.css":
            return self.send(200, SERVE_CSS.encode(), "text/css; charset=utf-8", head)
        snapshot = preview.snapshot
        status, key, location = lookup(snapshot.files, unpublish(path, snapshot.base_path))
        if not snapshot.built and status != 200:  # until a first build succeeds: the assets, else this
            body = decorate(placeholder(snapshot), snapshot, None)
            return self.send(503, body.encode(), "text/html; charset=utf-8", head)
        if location:
            query = urlsplit(self.path).query
            return self.send(301, b"", "text/plain; charset=utf-8", head,
                             {"Location": publish(location, snapshot.base_path) + (f"?{query}" if query else "")})
        if key is None:
            return self.send(404, b"Not found\n", "text/plain; charset=utf-8", head)
        content = snapshot.files[key]
        if isinstance(content, Later):
            try:
                content = content.get()
            except Exception as err:  # noqa: BLE001 - shown to the writer, the server carries on
                message = f"clair could not render {key}: {err}\n"
                return self.send(500, message.encode(), "text/plain; charset=utf-8", head)
        kind = content_type(key)
        if kind.startswith("text/html"):  # pages are kept as UTF-8 bytes, other built HTML as text
            content = decorate(built_text(content), snapshot, snapshot.sources.get(key))
        self.send(status, built_bytes(content), kind, head)

    def send(self, status: int, body: bytes, kind: str, head: bool, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def events(self, preview: Preview, head: bool) -> None:
        """Server-Sent Events: the generation now, then again after every rebuild."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        self.close_connection = True
        generation = preview.snapshot.generation
        try:
            self.wfile.write(f"retry: 1000\nevent: build\ndata: {generation}\n\n".encode())
            while True:
                now = preview.wait_for_change(generation, KEEPALIVE_SECONDS)
                if preview.stopping:
                    return
                self.wfile.write(f"event: build\ndata: {now}\n\n".encode() if now != generation else b": ping\n\n")
                generation = now
        except (ConnectionError, TimeoutError):
            return


def lookup(files, path: str) -> tuple[int, PurePosixPath | None, str | None]:
    """(status, file to send, redirect): `/en/x/` is en/x/index.html; else the language's 404 page."""
    decoded = unquote(path)
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." not in parts:
        rel = PurePosixPath(*parts) if parts else PurePosixPath()
        if decoded.endswith("/") or not parts:
            key = rel / "index.html"
            if key in files:
                return 200, key, None
        elif rel in files:
            return 200, rel, None
        elif rel / "index.html" in files:
            return 301, None, quote(posixpath.join("/", *parts)) + "/"
    lang = parts[0] if parts and parts[0] in LANGUAGES else "en"
    missing = PurePosixPath(lang, "404.html")
    return 404, (missing if missing in files else None), None


def content_type(path: PurePosixPath) -> str:
    """The type a file is sent as, from its suffix (sent with `nosniff`, so no browser guesses another)."""
    suffix = path.suffix.lower()
    kind = (MEDIA_TYPES.get(suffix) or EXTRA_TYPES.get(suffix) or TYPES.guess_type(path.name)[0]
            or "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


# --- what serve adds to each HTML page -----------------------------------------------------------------

BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def decorate(page: str, snapshot: Snapshot, source: str | None) -> str:
    """The page as built, plus the banner's style sheet, the banner and the reload script."""
    style = f'<link rel="stylesheet" href="{PREFIX}serve.css">\n'
    script = f'<script src="{PREFIX}reload.js" data-build="{html.escape(snapshot.generation)}"></script>\n'
    head_end = page.lower().find("</head>")
    if head_end >= 0:
        page = page[:head_end] + style + page[head_end:]
    shown = banner(snapshot, source)
    opening = BODY_OPEN.search(page)
    if shown and opening:
        page = page[:opening.end()] + "\n" + shown + page[opening.end():]
    body_end = page.lower().rfind("</body>")
    return page[:body_end] + script + page[body_end:] if body_end >= 0 else page + script


def banner(snapshot: Snapshot, source: str | None) -> str:
    """The errors of a failed rebuild (on every page), else the findings of this page's Markdown file."""
    if snapshot.errors:
        title = ("The site could not be built. Fix this, then save:" if not snapshot.built else
                 "Your last change could not be built: this page is the last good build. Fix this, then save:")
        items = [f"<li>{shown(where(f))}: {shown(f.message)}</li>" for f in snapshot.errors]
        return banner_html("alert", "clair-preview-errors", title, items)
    findings = snapshot.findings.get(source, ()) if source else ()
    if not findings:
        return ""
    errors = sum(1 for f in findings if f.severity == "error")
    title = f"{source}: {report.summary_line(list(findings))}"
    items = [finding_item(f) for f in findings[:MAX_BANNER_ITEMS]]
    if len(findings) > MAX_BANNER_ITEMS:
        items.append(f"<li>… and {len(findings) - MAX_BANNER_ITEMS} more: see the terminal or "
                     f"<code>{command.typed()} check</code></li>")
    return banner_html("status", "clair-preview-findings" + (" clair-preview-has-errors" if errors else ""), title,
                       items)


def where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def shown(text: str) -> str:
    """A message's text in the banner: escaped, its control characters made visible as in the terminal."""
    return html.escape(report.printable(text))


def finding_item(finding: Finding) -> str:
    related = (f" (see {shown(finding.related_file)}:{finding.related_line})"
               if finding.related_file else "")
    return (f'<li><span class="clair-preview-severity clair-preview-{html.escape(finding.severity)}">'
            f"{html.escape(finding.severity)}</span> line {finding.line}: {shown(finding.message)}{related}"
            f' <span class="clair-preview-check">[{shown(finding.check)}]</span></li>')


def banner_html(role: str, kind: str, title: str, items: list[str]) -> str:
    """A labelled region with a list and a close button; the key lets a dismissal last until the text changes."""
    text = title + "".join(items)
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    return (f'<section id="clair-preview-banner" class="clair-preview {kind}" role="{role}" lang="en" '
            f'aria-labelledby="clair-preview-title" data-key="{key}">\n'
            f'<div class="clair-preview-head"><p id="clair-preview-title" class="clair-preview-title">'
            f"<strong>Preview</strong> {shown(title)}</p>"
            '<button type="button" class="clair-preview-close">Dismiss<span class="clair-preview-hidden"> '
            "this message</span></button></div>\n"
            # a long list scrolls inside the banner; it takes the keyboard focus so it can be scrolled
            + ('<ul class="clair-preview-list" tabindex="0" aria-labelledby="clair-preview-title">\n'
               if len(items) > 6 else '<ul class="clair-preview-list">\n')
            + "\n".join(items) + "\n</ul>\n</section>\n")


def placeholder(snapshot: Snapshot) -> str:
    """The page every address shows until a first build succeeds."""
    heading = "The site could not be built yet" if snapshot.errors else "Building the site…"
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'self'; "
            "style-src 'self'; connect-src 'self'\">\n"
            f"<title>{heading} – clair preview</title>\n"
            '<link rel="stylesheet" href="/assets/style.css">\n</head>\n<body>\n'
            f'<main id="main-content" class="wrap" tabindex="-1">\n<h1>{heading}</h1>\n'
            "<p>This page reloads by itself when the site is ready.</p>\n</main>\n</body>\n</html>\n")


RELOAD_JS = """\
// Served only by `python build.py serve`, never published: reloads the page after every rebuild
// and lets the writer dismiss the preview banner (until its text changes).
(function () {
  "use strict";
  var script = document.currentScript;
  var build = script ? script.getAttribute("data-build") : null;
  var banner = document.getElementById("clair-preview-banner");
  if (banner) {
    var key = "clair-preview-dismissed:" + location.pathname + ":" + banner.getAttribute("data-key");
    var stored = null;
    try { stored = window.sessionStorage.getItem(key); } catch (error) { stored = null; }
    if (stored === "1") {
      banner.parentNode.removeChild(banner);
    } else {
      var close = banner.querySelector(".clair-preview-close");
      var dismiss = function () {
        try { window.sessionStorage.setItem(key, "1"); } catch (error) { /* private mode: this page only */ }
        banner.parentNode.removeChild(banner);
        var main = document.getElementById("main-content");
        if (main) { main.focus(); }
      };
      close.addEventListener("click", dismiss);
      banner.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { dismiss(); }
      });
    }
  }
  if (!window.EventSource) { return; }
  var events = new EventSource("/__clair/events");
  events.addEventListener("build", function (event) {
    if (event.data !== build) {
      events.close();
      window.location.reload();
    }
  });
}());
"""

SERVE_CSS = """\
/* Served only by `python build.py serve`, never published: the preview banner. */
.clair-preview {
  margin: 0;
  padding: 0.75rem 1rem;
  border-bottom: 4px solid #8a6d00;
  background: #fff4ce;
  color: #1b1b1b;
  font: 1rem/1.4 system-ui, sans-serif;
}
.clair-preview-errors { border-bottom-color: #b00020; background: #fde8e8; }
.clair-preview-head { display: flex; gap: 1rem; align-items: flex-start; justify-content: space-between; }
.clair-preview-title { margin: 0; }
.clair-preview-list { margin: 0.5rem 0 0; padding-left: 1.25rem; max-height: 40vh; overflow-y: auto; }
.clair-preview-list li { margin: 0.2rem 0; }
.clair-preview-severity { font-weight: bold; text-transform: uppercase; font-size: 0.8em; }
.clair-preview-error { color: #b00020; }
.clair-preview-warning { color: #6b5300; }
.clair-preview-check { color: #4a4a4a; font-size: 0.85em; }
.clair-preview-close {
  flex: none;
  padding: 0.3rem 0.75rem;
  border: 2px solid #1b1b1b;
  border-radius: 3px;
  background: #ffffff;
  color: #1b1b1b;
  font: inherit;
  cursor: pointer;
}
.clair-preview-close:hover { background: #1b1b1b; color: #ffffff; }
.clair-preview-close:focus-visible { outline: 3px solid #0535d2; outline-offset: 2px; }
.clair-preview-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
@media print { .clair-preview { display: none; } }
"""
