"""The live preview's web server: the built folders, a reload script, and server-sent events.

Files are looked up in each served folder in turn (the web edition's, then the print
edition's), so that both share one URL space. HTML responses get one script tag on the
way out; the files stay as built, byte for byte. The script listens to the event stream
and reloads the page when a build has changed the edition, or shows the problems of a
failed build in a panel over the last good one.
"""

from __future__ import annotations

import http.server
import io
import json
import logging
import os
import re
import secrets
import socket
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "/__dpo-docs/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "live.js"
# A connection with nothing to say still writes this often: a closed page is noticed.
KEEP_ALIVE = 15.0
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


class State:
    """What open pages must know: the edition's version and the problems of the last build."""

    def __init__(self) -> None:
        """Version 0, no problem; a token tells this server's versions from a previous one's."""
        self._changed = threading.Condition()
        self._token = secrets.token_hex(4)
        self._count = 0
        self._problems: tuple[str, ...] = ()
        self._closed = False

    def snapshot(self) -> tuple[str, tuple[str, ...]]:
        """The current version and problems."""
        with self._changed:
            return f"{self._token}.{self._count}", self._problems

    def publish(self, problems: tuple[str, ...] = (), changed: bool = False) -> None:
        """Announce a build: its problems (none when it succeeded), and whether the edition changed."""
        with self._changed:
            self._count += int(changed)
            self._problems = tuple(problems)
            self._changed.notify_all()

    def wait(self, seen: tuple[str, tuple[str, ...]] | None,
             timeout: float) -> tuple[str, tuple[str, ...]] | None:
        """The state once it differs from ``seen`` (or after ``timeout``); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._now() != seen, timeout)
            return None if self._closed else self._now()

    def _now(self) -> tuple[str, tuple[str, ...]]:
        """The snapshot, the lock held."""
        return f"{self._token}.{self._count}", self._problems

    def close(self) -> None:
        """End every event stream, so that the server can stop."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def inject(html: bytes, version: str) -> bytes:
    """The page with the preview's script added before its last ``</body>`` (or at its end)."""
    tag = f'<script src="{SCRIPT}" data-version="{version}"></script>'.encode()
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + tag
    at = ends[-1].start()
    return html[:at] + tag + html[at:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the folders, the script and the event stream; every response is never cached."""

    roots: tuple[Path, ...] = ()
    state: State
    timeout = 30  # a connection that sends no request is dropped, not kept forever
    _html = False  # this response is a page (with the script): never kept
    _etag = ""  # the served file's tag, for a reload to ask whether it changed

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        """The script, the event stream, or a file."""
        route = self.path.split("?", 1)[0]
        if route == SCRIPT:
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS.encode())
        elif route == EVENTS:
            self._events()
        else:
            super().do_GET()

    def translate_path(self, path: str) -> str:
        """The file in the first folder that has it (else where the first folder would have it)."""
        found = []
        for root in self.roots:
            self.directory = str(root)
            found.append(super().translate_path(path))
            if os.path.exists(found[-1]):
                return found[-1]
        return found[0]

    def send_head(self):
        """HTML with the script added; anything else as the standard handler sends it."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if path.endswith((".html", ".htm")) and os.path.isfile(path):
            try:
                with open(path, "rb") as page:
                    html = page.read()
            except OSError:
                self.send_error(404, "File not found")
                return None
            body = inject(html, self.state.snapshot()[0])
            self._html = True
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        try:
            stat = os.stat(path)
        except OSError:
            return super().send_head()  # says what is wrong
        # A rebuilt file may keep its modification second: its own tag says whether it changed.
        self._etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        del self.headers["If-Modified-Since"]
        if self.headers.get("If-None-Match") == self._etag and os.path.isfile(path):
            self.send_response(304)
            self.end_headers()
            return None
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard error page, with the script: a page missing before a build reloads after it."""
        self._html = True
        self.error_message_format = (http.server.DEFAULT_ERROR_MESSAGE.replace("</body>", "")  # type: ignore[attr-defined]
                                     + inject(b"</body>", self.state.snapshot()[0]).decode())
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        """A reload fetches the page again, and asks whether each file it uses changed since."""
        self.send_header("Cache-Control", "no-store" if self._html else "no-cache")
        if self._etag and not self._html:
            self.send_header("ETag", self._etag)
        super().end_headers()

    def _send(self, code: int, kind: str, body: bytes) -> None:
        """A whole response from memory."""
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """The event stream: the state now, then each change, until the page or the server goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = None
        try:
            self.wfile.write(b"retry: 500\n\n")  # a restarted server is found again at once
            while True:
                now = self.state.wait(seen, KEEP_ALIVE)
                if now is None:
                    return
                if now == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    message = json.dumps({"version": now[0], "problems": list(now[1])}, ensure_ascii=False)
                    self.wfile.write(f"data: {message}\n\n".encode())
                    seen = now
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        """Requests go to the debug log, never to the terminal directly."""
        log.debug("%s %s", self.address_string(), format % args)


class _Server(http.server.ThreadingHTTPServer):
    """The standard threading server; closing it does not wait for a page's idle connection."""

    block_on_close = False


def make_server(host: str, port: int, roots: tuple[Path, ...], state: State) -> http.server.ThreadingHTTPServer:
    """A server bound to ``host``:``port`` (0: any free port) for these folders; not yet serving."""
    handler = type("Handler", (_Handler,), {"roots": roots, "state": state})
    server = type("Server", (_Server,), {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET})
    return server((host, port), handler)


def url(server: http.server.ThreadingHTTPServer) -> str:
    """The address a browser opens."""
    host, port = str(server.server_address[0]), server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


LIVE_JS = """\
// dpo-docs serve: reload this page when the edition is rebuilt; show a failed build's problems.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script ? script.getAttribute("data-version") : null;
  var panel = null;

  function show(problems) {
    if (!problems.length) {
      if (panel) { panel.remove(); panel = null; }
      return;
    }
    if (!panel) {
      panel = document.createElement("div");
      panel.id = "dpo-docs-problems";
      panel.setAttribute("role", "alert");
      panel.setAttribute("lang", "en");
      panel.setAttribute("dir", "ltr");
      panel.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;" +
        "max-height:45vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff;color:#1a1a1a;" +
        "border:3px solid #b00020;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.3);" +
        "font:15px/1.45 system-ui,sans-serif;text-align:left";
      document.body.appendChild(panel);
    }
    panel.textContent = "";
    var heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:bold;color:#b00020";
    heading.textContent = "The build failed (" + problems.length + " problem" +
      (problems.length === 1 ? "" : "s") + "); " + ((version || "").slice(-2) === ".0" ?
      "nothing is built yet: this page reloads once the build succeeds." :
      "this page shows the last good edition.");
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    problems.forEach(function (text) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.style.cssText = "white-space:pre-wrap;font-family:ui-monospace,monospace";
      code.textContent = text;
      item.appendChild(code);
      list.appendChild(item);
    });
    panel.appendChild(heading);
    panel.appendChild(list);
  }

  var source = new EventSource("/__dpo-docs/events");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (version !== null && state.version !== version) {
      source.close();
      location.reload();
      return;
    }
    show(state.problems);
  };
})();
"""
