"""The live preview: build the web edition into a temporary folder, serve it, rebuild on a change.

Only the project's inputs are watched: the data folder, the templates folder and the
settings files. A change rebuilds the web edition (incrementally: only stale pages
render) in this process, whose engines stay warm, then tells open pages to reload. A
failed build leaves the last good edition served and sends its located problems to the
pages. On request the print kinds (PDF and Word) are rebuilt after each good build by
one child process at a time, into a folder of their own served in the same URL space:
the web edition never waits for them. Everything goes with the temporary folder at exit.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from dpo_docs.errors import DataError, DpoDocsError, SetupError

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from dpo_docs.build import BuildResult
    from dpo_docs.settings import Settings

log = logging.getLogger(__name__)

SITE = "site"
# watchfiles waits this long (ms) for a save to settle (an editor writes, then renames) ...
STEP_MS = 30
# ... and groups changes for at most this long before a rebuild starts.
DEBOUNCE_MS = 300
CONFIG_FILES = ("dpo-docs.toml", "pyproject.toml")  # where settings are read from


class Listener(Protocol):
    """What the preview tells whoever runs it (the command line prints it)."""

    def serving(self, url: str) -> None:
        """The server is up at ``url``."""

    def built(self, kind: str, result: BuildResult | None, seconds: float) -> None:
        """A build of the web edition (``kind`` "site") or of the print edition ("print") succeeded."""

    def failed(self, kind: str, problems: tuple[str, ...], error: str, kept: bool) -> None:
        """A build failed: its located problems (one a line), a one-line summary, and whether
        a previous good build is still served."""


def problems_of(exc: DpoDocsError) -> tuple[tuple[str, ...], str]:
    """An error's located problems, one a line, and its one-line summary."""
    if isinstance(exc, DataError):
        return tuple(exc.report().splitlines()), str(exc)
    line = " ".join(str(exc).split())
    return (line,), line


def print_kinds() -> tuple[str, ...]:
    """The kinds a build makes unless told otherwise: the PDF and Word documents."""
    from dpo_docs.kinds import DEFAULT_NAMES

    return DEFAULT_NAMES


class Preview:
    """A running preview; a context manager that leaves nothing behind when it exits."""

    def __init__(self, settings: Settings, load: Callable[[], Settings], listener: Listener,
                 host: str = "127.0.0.1", port: int = 0, pdf: bool = False, project_dir: Path | None = None) -> None:
        """Start from ``settings``; ``load`` reads them again before each rebuild (a settings file may have changed)."""
        self._settings = settings
        self._load = load
        self._listener = listener
        self._address = (host, port)
        self._pdf = pdf
        self._project = (project_dir or Path.cwd()).resolve()
        self._changes: queue.Queue[set] = queue.Queue()
        self._stop = threading.Event()
        self._refolder = threading.Event()  # the watched folders changed
        self._threads: list[threading.Thread] = []
        self._tmp: Path | None = None
        self._server: ThreadingHTTPServer | None = None
        self._printer: _PrintBuilds | None = None
        self._built = False  # a good edition is served
        self.url = ""

    def __enter__(self) -> Preview:
        """Make the temporary folder, bind the server and start the watchers."""
        from dpo_docs.preview_http import State, make_server, url

        self._tmp = Path(tempfile.mkdtemp(prefix="dpo-docs-serve-"))
        try:
            self.state = State()
            roots = (self._tmp / "site", self._tmp / "print")
            for root in roots:
                root.mkdir()
            try:
                self._server = make_server(*self._address, roots, self.state)
            except OSError as exc:
                raise SetupError(f"cannot serve on {self._address[0]} port {self._address[1]}: "
                                 f"{exc.strerror or exc}; choose another with --port (0: any free one)") from None
            server = self._server
            self.url = url(server)
            self._start(server.serve_forever, "serve")
            self._start(self._watch_folders, "watch folders")
            self._start(self._watch_project, "watch settings")
            if self._pdf:
                self._printer = _PrintBuilds(self._listener)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop everything and remove the temporary folder."""
        self.close()

    def close(self) -> None:
        """Stop the watchers, the server and any print build, then remove the temporary folder."""
        self._stop.set()
        if hasattr(self, "state"):
            self.state.close()  # ends the event streams: their threads end with them
        if self._server is not None:
            if any(t.name == "serve" for t in self._threads):
                self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._printer is not None:
            self._printer.stop()
            self._printer = None
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def run(self) -> None:
        """Build, say where the edition is served, then rebuild on each change until stopped."""
        self.rebuild()
        self._listener.serving(self.url)
        while not self._stop.is_set():
            try:
                changes = self._changes.get(timeout=1.0)  # a timeout keeps signals deliverable
            except queue.Empty:
                continue
            while not self._changes.empty():  # changes made while the last build ran: one build
                changes |= self._changes.get_nowait()
            log.info("changed: %s", ", ".join(sorted(path for _, path in changes)))
            self.rebuild()

    def rebuild(self) -> bool:
        """Build the web edition, announce it to the pages, then start the print build; False if it failed."""
        from dpo_docs.build import build

        started = time.monotonic()
        try:
            settings = self._load()
            moved = (settings.data_dir, settings.templates_dir) != self._folders()
            self._settings = settings
            if moved:
                self._refolder.set()
            assert self._tmp is not None
            site = dataclasses.replace(settings, out_dir=self._tmp / "site", only=(SITE,), workers=1)
            result = build(site)
        except DpoDocsError as exc:
            problems, summary = problems_of(exc)
            self.state.publish(problems)
            self._listener.failed(SITE, problems, summary, self._built)
            return False
        self._built = True
        self.state.publish(changed=bool(result.rebuilt or result.removed))
        self._listener.built(SITE, result, time.monotonic() - started)
        if self._printer is not None:
            self._printer.request(dataclasses.replace(
                settings, out_dir=self._tmp / "print", only=print_kinds(), workers=1))
        return True

    def _start(self, target: Callable[[], None], name: str) -> None:
        """Run ``target`` in a thread of its own."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _folders(self) -> tuple[Path, ...]:
        """The data and templates folders of the last valid settings."""
        return (self._settings.data_dir, self._settings.templates_dir)

    def _watch_folders(self) -> None:
        """Queue each change in the data and templates folders (watched anew when they come or move)."""
        import watchfiles

        while not self._stop.is_set():
            self._refolder.clear()
            folders = [folder for folder in self._folders() if folder.is_dir()]
            if not folders:
                self._refolder.wait(1.0)
                continue
            for changes in watchfiles.watch(*folders, stop_event=_Either(self._stop, self._refolder),
                                            step=STEP_MS, debounce=DEBOUNCE_MS, raise_interrupt=False,
                                            ignore_permission_denied=True):
                self._changes.put(changes)

    def _watch_project(self) -> None:
        """Queue changes of the settings files, and of the data and templates folders themselves."""
        import watchfiles

        def wanted(change, path: str) -> bool:
            """The settings files, and the watched folders (made, removed or renamed)."""
            return os.path.basename(path) in CONFIG_FILES or Path(path) in self._folders()

        for changes in watchfiles.watch(self._project, watch_filter=wanted, recursive=False, stop_event=self._stop,
                                        step=STEP_MS, debounce=DEBOUNCE_MS, raise_interrupt=False):
            if any(Path(path) in self._folders() for _, path in changes):
                self._refolder.set()  # the folder watcher starts again on what exists now
            self._changes.put(changes)


class _Either:
    """Set when either of two events is: watchfiles takes one stop event."""

    def __init__(self, first: threading.Event, second: threading.Event) -> None:
        """The two events."""
        self._events = (first, second)

    def is_set(self) -> bool:
        """True once either is set."""
        return any(event.is_set() for event in self._events)


class _PrintBuilds:
    """The print edition, built by one child process at a time; requests made meanwhile make one more build."""

    def __init__(self, listener: Listener) -> None:
        """Start the thread that waits for requests."""
        self._listener = listener
        self._wanted: Settings | None = None
        self._stopped = False
        self._child: subprocess.Popen | None = None
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="print builds", daemon=True)
        self._thread.start()

    def request(self, settings: Settings) -> None:
        """Build the print edition with these settings, after the build under way if any."""
        with self._lock:
            self._wanted = settings
            self._lock.notify_all()

    def stop(self) -> None:
        """Stop the build under way (the child removes what it made) and the thread."""
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
        self._thread.join()

    def _loop(self) -> None:
        """Run one requested build at a time until stopped."""
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._stopped or self._wanted is not None)
                if self._stopped:
                    return
                settings, self._wanted = self._wanted, None
                started = time.monotonic()
                self._child = subprocess.Popen(
                    [sys.executable, "-c", "from dpo_docs.serve import print_child; print_child()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            out, _ = self._child.communicate(pickle.dumps(settings))
            with self._lock:
                code, self._child = self._child.returncode, None
                if self._stopped:
                    return
            try:
                said = json.loads(out.decode() or "{}")
            except ValueError:
                said = {}
            if code == 0 and said.get("ok"):
                self._listener.built("print", None, time.monotonic() - started)
            else:
                problems = tuple(said.get("problems") or ())
                self._listener.failed("print", problems, said.get("error") or f"the print build ended with {code}",
                                      True)


def print_child() -> None:
    """Entry point of the print build's child: settings pickled on stdin, one JSON line out."""
    def stop(signum: int, frame) -> None:
        raise SystemExit(128 + signum)  # unwinds: the lock is released, temporary files removed

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.basicConfig(level=logging.ERROR)
    settings = pickle.load(sys.stdin.buffer)  # written by the parent process, never by a user
    from dpo_docs.build import build

    said: dict[str, object]
    try:
        result = build(settings)
        said = {"ok": True, "rebuilt": len(result.rebuilt)}
    except DpoDocsError as exc:
        problems, summary = problems_of(exc)
        said = {"ok": False, "problems": list(problems), "error": summary}
    finally:
        weasy = sys.modules.get("dpo_docs.outputs.weasy")
        if weasy is not None:
            weasy.remove_private_temp()
    sys.stdout.write(json.dumps(said) + "\n")
