"""``kbgen serve``: the author's preview, kept up to date page by page, served as Netlify serves it.

The site is built once in process (``sitebuilder``) into a temporary folder and
kept there; saving a data file re-renders only the pages it affects, and the
open browser tab reloads itself. Every response carries the production headers
from the generated ``_headers``, the Content-Security-Policy included, and
``_redirects`` applies, through the same handler the tests use
(``preview.NetlifyHandler``). The reload script is a file, not an inline script,
so the policy allows it: it is added to HTML responses only, never to the built
files. While the data has errors the preview keeps the last good site and the
terminal lists the problems.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from .preview import NetlifyHandler, PreviewServer, parse_headers, parse_redirects, running
from .sitebuilder import BuildError, Result, SiteBuilder

log = logging.getLogger("kbgen.serve")

PREFIX = "/.kbgen/"
RELOAD_TAG = f'<script src="{PREFIX}reload.js"></script>'.encode()
# Waits for the next version of the site (long poll), then reloads the page.
RELOAD_JS = b"""// kbgen preview: reload this page when the site has been rebuilt.
(() => {
  let seen = null;
  const poll = async () => {
    try {
      const answer = await fetch(`/.kbgen/version?seen=${seen ?? ""}`, { cache: "no-store" });
      const version = (await answer.text()).trim();
      if (seen !== null && version !== seen) {
        location.reload();
        return;
      }
      seen = version;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    poll();
  };
  poll();
})();
"""
WAIT = 20.0  # seconds a version request is held open


class Preview:
    """The built site, its version, and the lock that keeps readers off half-written files."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.header_rules: list[tuple[str, dict[str, str]]] = []
        self.redirect_rules: list[Any] = []

    def publish(self) -> None:
        """Call with the lock held, after a build: read the Netlify files again, wake the tabs."""
        self.header_rules = parse_headers(_read(self.site_dir / "_headers"))
        self.redirect_rules = parse_redirects(_read(self.site_dir / "_redirects"))
        self.version += 1
        self.changed.notify_all()

    def wait(self, seen: str) -> int:
        with self.changed:
            if seen == str(self.version):
                self.changed.wait(WAIT)
            return self.version


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


class PreviewHandler(NetlifyHandler):
    """NetlifyHandler, plus the reload script, with every file read under the preview's lock."""

    preview: Preview

    def send_head(self) -> BinaryIO | None:
        path = self.url_path
        if path.startswith(PREFIX):
            return self._own(path)
        with self.preview.lock:
            type(self).header_rules = self.preview.header_rules
            type(self).redirect_rules = self.preview.redirect_rules
            return super().send_head()

    def _send_file(self, file: Path) -> BinaryIO:
        # Called with the lock held: the whole file now, so a rebuild cannot change it
        # under the reader; a page gets the reload script.
        if file.suffix == ".html":
            return self._page(file.read_bytes())
        return self._send_body(200, self.guess_type(str(file)), file.read_bytes(),
                               last_modified=file.stat().st_mtime)

    def _page(self, body: bytes) -> io.BytesIO:
        at = body.rfind(b"</body>")
        body = body[:at] + RELOAD_TAG + body[at:] if at >= 0 else body + RELOAD_TAG
        return self._answer(body, "text/html; charset=utf-8")

    def _own(self, path: str) -> BinaryIO:
        if path == PREFIX + "reload.js":
            return self._answer(RELOAD_JS, "text/javascript; charset=utf-8")
        if path == PREFIX + "version":
            seen = parse_qs(urlsplit(self.path).query).get("seen", [""])[0]
            return self._answer(str(self.preview.wait(seen)).encode(), "text/plain; charset=utf-8",
                                cache=False)
        return self._not_found()

    def _answer(self, body: bytes, content_type: str, cache: bool = True) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if not cache:
            self.send_header("Cache-Control", "no-store")
        self.end_headers()  # adds the _headers rules for the path, the CSP among them
        return io.BytesIO(body)

    def handle(self) -> None:
        # The browser went away (a reload): nothing to tell anyone.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()


def make_server(preview: Preview, host: str, port: int) -> PreviewServer:
    handler = type("Handler", (PreviewHandler,), {"site_dir": preview.site_dir, "preview": preview})
    return PreviewServer((host, port), handler)


@contextlib.contextmanager
def serving_built(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """`kbgen serve`'s server and handler on an already built site, without a watcher or
    a build (for the tests and the load test); gives its address."""
    preview = Preview(site_dir.resolve())
    with preview.lock:
        preview.publish()
    with running(make_server(preview, host, port)) as base:
        yield base


class Watcher:
    """Collects changed files under the project (watchdog), a short pause after the last one."""

    QUIET = 0.05  # seconds: an editor's save is often several events

    def __init__(self, config: Path, paths: list[Path], ignore: Path) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        self.pending: set[Path] = set()
        self.event = threading.Condition()
        ignored = ignore.resolve()
        top, config_name = config.resolve().parent, config.name
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    path = Path(str(raw)).resolve() if raw else None
                    # At the top only mkdocs.yml counts: not the folder's own "modified"
                    # event, which any file created or removed beside it sets off.
                    if path is None or path.is_relative_to(ignored) or path == top or \
                            (path.parent == top and path.name != config_name) or \
                            path.name.endswith(("~", ".swp", ".swx")) or path.name.startswith(".#"):
                        continue  # the preview itself, other files at the top, editors' files
                    with watcher.event:
                        watcher.pending.add(path)
                        watcher.event.notify()

        self.observer = Observer()
        for path in paths:
            if path.is_dir():
                self.observer.schedule(Handler(), str(path), recursive=True)
        self.observer.schedule(Handler(), str(top), recursive=False)  # mkdocs.yml
        self.observer.start()

    def next(self) -> set[Path]:
        with self.event:
            while not self.pending:
                self.event.wait()
            while True:  # until the editor has finished writing
                count = len(self.pending)
                self.event.wait(self.QUIET)
                if len(self.pending) == count:
                    break
            changed, self.pending = self.pending, set()
        return changed

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()


def _rebuild(builder: SiteBuilder, preview: Preview, changed: set[Path] | None,
             say: Callable[[str], None], verify: bool = False) -> None:
    start = time.perf_counter()
    with preview.lock:
        try:
            result: Result = builder.build() if changed is None else builder.update(changed)
        except BuildError as err:
            say(f"kbgen serve: the build failed: {err}; still serving the last good version")
            return
        if result.error:
            say(f"kbgen serve: {result.error}")
            return
        preview.publish()
    took = time.perf_counter() - start
    what = "built the whole site" if result.full else \
        f"updated {len(result.rendered)} page(s)" if result.rendered else "nothing to update"
    say(f"kbgen serve: {what} in {took:.2f} s")
    if verify and not result.full:
        differ = builder.differences()
        if differ:
            say(f"kbgen serve --verify: {len(differ)} file(s) differ from a clean build: "
                + ", ".join(differ[:20]) + (" …" if len(differ) > 20 else "")
                + " (please report it with the change you saved)")
        else:
            say("kbgen serve --verify: the update matches a clean build")


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, config_file: str = "mkdocs.yml",
          say: Callable[[str], None] = print, verify: bool = False) -> int:
    """Build, serve and keep up to date until interrupted (Ctrl-C). ``verify``: after each
    update, build the site from scratch as well and report every file that differs."""
    _log_to_terminal()
    site_dir = Path(tempfile.mkdtemp(prefix="kbgen-serve-"))
    builder = SiteBuilder(root / config_file, site_dir)
    preview = Preview(site_dir)
    server = make_server(preview, host, port)
    watcher = Watcher(root / config_file, [root / "data", root / "docs", root / "overrides"],
                      ignore=site_dir)
    try:
        _rebuild(builder, preview, None, say)
        for limit in builder.limits():
            say(f"kbgen serve: warning: {limit}: an update renders a page again when its own "
                "inputs change, so such a page can show an old value until the next full build "
                "(`kbgen serve --verify` checks every update against one)")
        with running(server) as base:
            say(f"kbgen serve: {base} (Ctrl-C stops)")
            while True:
                _rebuild(builder, preview, watcher.next(), say, verify)
    except KeyboardInterrupt:
        return 0
    finally:
        # Not server.shutdown(): it waits for a serving loop, and a Ctrl-C during the
        # first build comes before there is one.
        watcher.stop()
        server.server_close()
        shutil.rmtree(site_dir, ignore_errors=True)


def _log_to_terminal() -> None:
    """MkDocs' and kbgen's messages (data problems, warnings) on stderr, as `mkdocs serve` prints them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING)
    mkdocs = logging.getLogger("mkdocs")
    if not mkdocs.handlers:
        mkdocs.addHandler(handler)
        mkdocs.setLevel(logging.INFO)
