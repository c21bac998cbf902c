"""WeasyPrint, loaded once per process: HTML to PDF with the shipped fonts.

WeasyPrint fetches what a document refers to (stylesheets, images, fonts). Here it may
read only ``data:`` URIs and files inside the templates folder (a file it lacks is read
from the package's theme), the data folder and the package's font folder: never the
network, never the rest of the disk.

WeasyPrint logs some failures and carries on (a chart it could not draw is left
blank, a Ctrl-C while it draws one is swallowed): here they fail the document, or
interrupt the build. What it writes to the temporary folder goes with the process.
The PDF/UA tags it leaves incomplete are completed by ``pdf_tags`` before the file is
written, and the right-to-left glyphs whose own text extracts wrong get their actual
text from ``pdf_text``.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from dpo_docs import fonts
from dpo_docs.deps import record_path
from dpo_docs.errors import OutputError, SetupError, TemplateError
from dpo_docs.outputs import pdf_tags, pdf_text
from dpo_docs.templates import PROJECT, THEME, THEME_DIR, overridden

log = logging.getLogger(__name__)

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
MAX_REPORTED_URL = 120
_MARK = "dpo-docs: "  # starts the messages of our own fetch failures


class _OwnFailures(logging.Filter):
    """Drops WeasyPrint's log lines about fetches we refused: the build reports them itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but those quoting our own failures."""
        return _MARK not in record.getMessage()


# WeasyPrint's errors about a document that is complete nonetheless: a picture without
# alt text or a page without lang (for PDF/UA), a link to an anchor that is not there.
# They stay in the log, as warnings a user may act on; every other error means part of
# a page is missing, and fails the document.
_COMPLETE = ('Image "%s" has no required alt description', 'Missing required "lang" attribute',
             "No anchor #%s for internal URI reference")


class _Errors(logging.Filter):
    """Takes WeasyPrint's errors out of the log while this thread renders: html_to_pdf raises them.

    WeasyPrint logs some failures and carries on; an SVG it cannot draw (or whose
    drawing a Ctrl-C cut short) leaves a blank page where the chart goes. The filter
    stays on the logger and collects only for a thread inside ``collecting``: records
    that helpers logged, passed on by the build's other thread, go to the log as before.
    """

    def __init__(self) -> None:
        """Collect for no thread yet."""
        super().__init__()
        self._local = threading.local()

    @contextmanager
    def collecting(self) -> Iterator[list[str]]:
        """The messages of the errors WeasyPrint logs from this thread meanwhile."""
        found: list[str] = []
        self._local.found = found
        try:
            yield found
        finally:
            self._local.found = None

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep a record for the log, unless it is an error this thread is collecting."""
        found = getattr(self._local, "found", None)
        if found is None or record.levelno < logging.ERROR or str(record.msg).startswith(_COMPLETE):
            return True
        found.append(record.getMessage())
        return False


# One of each, so that building the engine again (tests do) does not stack them.
_OWN_FAILURES = _OwnFailures()
_ERRORS = _Errors()


class _Interrupts:
    """Raises again on leaving what a SIGINT handler raised meanwhile, if WeasyPrint swallowed it.

    WeasyPrint draws each SVG inside ``except BaseException`` (images.SVGImage.draw):
    the KeyboardInterrupt of a Ctrl-C arriving then is logged, not raised. The current
    handler (Python's raises KeyboardInterrupt) is wrapped, so whatever it raises is
    raised once WeasyPrint returns. Handlers belong to the main thread; elsewhere this
    does nothing.
    """

    def __init__(self) -> None:
        """Nothing raised yet."""
        self.raised: BaseException | None = None
        self.previous: Callable[[int, Any], Any] | None = None

    def _note(self, signum: int, frame) -> None:
        """Run the previous handler, remembering what it raises."""
        assert self.previous is not None, "installed only over a Python handler"
        try:
            self.previous(signum, frame)
        except BaseException as exc:
            self.raised = exc
            raise

    def __enter__(self) -> _Interrupts:
        """Wrap the current handler, if it is a Python one (SIG_DFL or SIG_IGN raise nothing)."""
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self.previous = previous
                signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, kind, error, trace) -> None:
        """Put the previous handler back; raise again what it raised, if that was swallowed."""
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        if self.raised is not None and error is not self.raised:
            raise self.raised


# This process's temporary folder, by pid (a forked child must not remove its parent's).
_PRIVATE: dict[int, str] = {}


def remove_private_temp() -> None:
    """Remove this process's temporary folder, if it made one."""
    folder = _PRIVATE.pop(os.getpid(), None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_on_sigterm() -> None:
    """Remove the folder when SIGTERM ends this process (the build stops its helpers so)."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread sets handlers; atexit still applies
    previous = signal.getsignal(signal.SIGTERM)
    if previous in (signal.SIG_IGN, None):
        return  # SIGTERM does not end this process: the folder goes at exit

    def removing(signum: int, frame) -> None:
        """Remove the folder, then end as the previous handler would have."""
        remove_private_temp()
        signal.signal(signum, previous)
        if callable(previous):
            previous(signum, frame)
        else:
            os.kill(os.getpid(), signum)  # SIG_DFL: die of the signal, as without us

    signal.signal(signal.SIGTERM, removing)


_ABANDONED = re.compile(r"dpo-docs-\d+-[0-9a-f]{8}")
_ALIVE = ".alive"  # locked by the folder's process for as long as it lives
_SETTLED_SECONDS = 60.0  # a folder younger than this may be one whose lock is being taken
_held: list[int] = []


def _hold(folder: str) -> None:
    """Lock the folder's mark for the life of this process: the kernel frees it however we end."""
    import fcntl

    fd = os.open(os.path.join(folder, _ALIVE), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _held.append(fd)


def _sweep_abandoned(parent: str) -> None:
    """Remove the temporary folders of processes that ended without removing them (kill -9).

    A folder is abandoned when its mark can be locked: its process, which held the lock,
    is gone. Process ids are not compared, so a folder of a live process in another
    container sharing this temporary folder is never taken for abandoned.
    """
    import fcntl
    import time

    try:
        names = [n for n in os.listdir(parent) if _ABANDONED.fullmatch(n)]
    except OSError:
        return
    for name in names:
        folder = os.path.join(parent, name)
        try:
            info = os.lstat(folder)
            if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                    or time.time() - info.st_mtime < _SETTLED_SECONDS):
                continue
            fd = os.open(os.path.join(folder, _ALIVE), os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # alive
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)
        log.debug("removed %s, left by a process that was killed", folder)


def _private_temp() -> str:
    """A temporary folder of this process, removed when it exits or SIGTERM ends it."""
    pid = os.getpid()
    if pid not in _PRIVATE:
        _sweep_abandoned(tempfile.gettempdir())
        _remove_on_sigterm()
        atexit.register(remove_private_temp)
        # Named and recorded before it exists: a SIGTERM at any point removes it or
        # finds nothing to remove, never a folder that is not yet recorded.
        while True:
            folder = os.path.join(tempfile.gettempdir(), f"dpo-docs-{pid}-{secrets.token_hex(4)}")
            _PRIVATE[pid] = folder
            try:
                os.mkdir(folder, 0o700)
                _hold(folder)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                del _PRIVATE[pid]
                raise SetupError(f"cannot make a temporary folder in {tempfile.gettempdir()} "
                                 f"({exc.strerror}); point TMPDIR to a writable folder") from None
    return _PRIVATE[pid]


def _short(url: str) -> str:
    """A URL cut to a readable length (a data: URI can run to megabytes)."""
    return url if len(url) <= MAX_REPORTED_URL else url[: MAX_REPORTED_URL - 1] + "…"


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    """True when ``path`` (symlinks resolved) lies inside one of ``roots``."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def check_url(url: str, roots: Sequence[Path]) -> str | None:
    """Why ``url`` may not be fetched, or None when it may."""
    scheme = url.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url) else ""
    if scheme == "data":
        return None
    if scheme != "file":
        return "only files of the project are used, never the network" if scheme in (
            "http", "https", "ftp") else f"'{scheme or 'relative'}' addresses are not used"
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return "files on other machines are not used"
    path = Path(url2pathname(unquote(parts.path)))
    if not _inside(path, roots):
        return "it lies outside the templates, data and font folders"
    return None


class _Guard:
    """What every fetcher here does: check an address first, remember refusals and misses."""

    roots: tuple[Path, ...]
    refused: list[str]
    missing: list[str]

    def _start(self, roots: Sequence[Path]) -> None:
        """Allow ``roots``; start with no refusals."""
        self.roots = tuple(roots)
        self.refused = []
        self.missing = []
        self.named: dict[str, Path] = {}  # folders whose files are recorded as the render's inputs
        self.layered: tuple[Path, Path] | None = None  # (project's templates folder, theme)

    def _guarded(self, url: str, fetch):
        """Open ``url`` with ``fetch`` if allowed; else record it and fail.

        WeasyPrint catches the failure, logs it and goes on without the resource;
        html_to_pdf raises afterwards from what was recorded here.
        """
        reason = check_url(url, self.roots)
        if reason:
            self.refused.append(f"'{_short(url)}' ({reason})")
            raise ValueError(f"{_MARK}refused {_short(url)}")
        if url.lower().startswith("file:"):
            path = Path(url2pathname(unquote(urlsplit(url).path)))
            record_path(path, self.named)
            theme = self._theme_file(path)
            if theme is not None:  # the project does not override it: the theme's serves
                record_path(theme, self.named)
                url = theme.as_uri()
        try:
            return fetch(url)
        except OSError:
            self.missing.append(f"'{_short(url)}'")
            raise ValueError(f"{_MARK}cannot read {_short(url)}") from None

    def _theme_file(self, path: Path) -> Path | None:
        """The theme's file standing for ``path`` in the project's templates folder, when the
        project has nothing there and the theme has it; else None."""
        if self.layered is None:
            return None
        own, theme = self.layered
        try:
            rel = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(own)))
        except ValueError:
            return None
        candidate = theme / rel
        return candidate if not overridden(path) and candidate.is_file() else None


def _fetcher_class(weasyprint) -> type:
    """A guarded URL fetcher for the installed WeasyPrint."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before 66: a fetcher is a function returning a dict
        class FunctionFetcher(_Guard):
            """A callable fetcher delegating to WeasyPrint's default one."""

            def __init__(self, roots: Sequence[Path]):
                """Allow ``roots``."""
                self._start(roots)

            def __call__(self, url: str):
                """Fetch ``url`` if allowed."""
                return self._guarded(url, weasyprint.default_url_fetcher)

        return FunctionFetcher

    class GuardedFetcher(_Guard, URLFetcher):
        """URLFetcher restricted to data: URIs and the allowed folders."""

        def __init__(self, roots: Sequence[Path]):
            """Allow ``roots``; no redirects, no protocol but data: and file:."""
            URLFetcher.__init__(self, allowed_protocols=("data", "file"), allow_redirects=False)
            self._start(roots)

        def fetch(self, url, headers=None):
            """Fetch ``url`` if allowed."""
            return self._guarded(url, lambda u: URLFetcher.fetch(self, u, headers))

    return GuardedFetcher


@lru_cache(maxsize=1)
def _engine():
    """Import WeasyPrint and build one font configuration with the shipped fonts.

    WeasyPrint leaves files in tempfile's default folder: the font configuration copies
    every @font-face font (18 MB) into a folder removed only when the configuration is
    collected, never as it lives as long as the process; and importing it runs
    ctypes.util.find_library, whose temporary file stays when the build stops a helper
    then. Both go into a folder of this process, removed when it ends (helpers too).
    """
    saved, tempfile.tempdir = tempfile.tempdir, _private_temp()
    try:
        return _load_engine()
    finally:
        tempfile.tempdir = saved


def _load_engine():
    """What _engine returns, made in whatever temporary folder is current."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except OSError as exc:  # Pango or HarfBuzz missing: WeasyPrint fails on import
        raise SetupError(
            f"WeasyPrint cannot load its system libraries ({exc}); "
            f"install them with: sudo apt-get install -y {APT_PACKAGES}"
        ) from None
    except ImportError as exc:
        raise SetupError(f"WeasyPrint is not installed or too old ({exc}); run: pip install -e .") from None
    for bold in (False, True):
        for italic in (False, True):
            fonts.font_path(bold, italic)  # SetupError naming the file when one is missing
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addFilter(_OWN_FAILURES)  # first: our refusals are reported, not collected
    weasy_log.addFilter(_ERRORS)
    pdf_tags.install(weasyprint)
    if font_subsetter() != "HarfBuzz":
        log.warning("fonts are subset with fontTools, several times slower than HarfBuzz; "
                    "install HarfBuzz's subset library: sudo apt-get install -y libharfbuzz-subset0")
    fetcher_class = _fetcher_class(weasyprint)
    config = FontConfiguration()
    font_fetcher = fetcher_class([fonts.FONT_DIR])
    font_css = weasyprint.CSS(string=fonts.font_face_css(), font_config=config, url_fetcher=font_fetcher)
    if font_fetcher.refused or font_fetcher.missing:
        raise SetupError(f"cannot load the shipped fonts from {fonts.FONT_DIR}; reinstall dpo-docs")
    return weasyprint, config, font_css, fetcher_class


def font_subsetter() -> str:
    """Which library WeasyPrint subsets embedded fonts with: "HarfBuzz", or its slow "fontTools" fallback."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    # WeasyPrint's own test: the subset library, and HarfBuzz 4.1 or later.
    return "HarfBuzz" if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0) else "fontTools"


def _finisher(found: list):
    """What completes WeasyPrint's PDF before it is written: PDF/UA tags, then right-to-left actual text."""
    tags = pdf_tags.finisher(found)

    def finish(document, pdf) -> None:
        """Complete the tags, then span the glyphs whose own text extracts wrong."""
        tags(document, pdf)
        pdf_text.actual_text(document, pdf)
    return finish


def _title(html: str) -> str:
    """The document's <title>, to name it in a message when the caller did not."""
    match = re.search(r"<title>(.*?)</title>", html, re.S | re.I)
    return f"the PDF '{' '.join(match.group(1).split())}'" if match else "the PDF"


def html_to_pdf(
    html: str,
    base_dir: Path,
    *,
    document: str | None = None,
    roots: Sequence[Path] = (),
    variant: str = "pdf/ua-1",
) -> bytes:
    """Render an HTML string to PDF bytes; relative links resolve in ``base_dir``.

    Only files under ``base_dir`` (the templates folder), the theme, ``roots`` (the data
    folder) and the font folder are read; a file the templates folder lacks is read from
    the theme. Anything else referred to stops the build with a TemplateError naming the
    address and ``document``.
    """
    weasyprint, config, font_css, fetcher_class = _engine()
    fetcher = fetcher_class([base_dir, THEME_DIR, *roots, fonts.FONT_DIR])
    fetcher.named = {PROJECT: base_dir, THEME: THEME_DIR, **({"data": roots[0]} if roots else {})}
    fetcher.layered = (base_dir, THEME_DIR)
    name = document or _title(html)
    with _Interrupts(), _ERRORS.collecting() as errors, pdf_tags.recording() as found:
        try:
            page = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher)
            # custom_metadata copies <meta name="data-revision"> into the PDF's Info.
            options = {} if variant == "none" else {"pdf_variant": variant}
            pdf = page.write_pdf(stylesheets=[font_css], font_config=config, custom_metadata=True,
                                 finisher=_finisher(found), **options)
        except Exception as exc:  # WeasyPrint raises many kinds; the build must name the document
            raise OutputError(f"{name}: PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    # WeasyPrint only logs a failed fetch and carries on without the resource: a
    # document missing its stylesheet or showing a refused image is not written.
    if fetcher.refused:
        raise TemplateError(f"{name}: refused to load {', '.join(fetcher.refused)}")
    if fetcher.missing:
        raise TemplateError(f"{name}: cannot load {', '.join(fetcher.missing)} (file not found)")
    # Nor is a document with a part WeasyPrint failed to draw and logged (a blank chart).
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise OutputError(f"{name}: PDF rendering failed: WeasyPrint: {errors[0]}{more}")
    return pdf
