"""What a document depends on, recorded while it is made, never declared by hand.

A render runs inside ``recording()``: the template loader, WeasyPrint's URL fetcher and
the Word writer report each file they read, and the settings view each setting read.
The context handed to the templates is hashed whole (``fingerprint``): a value that
cannot be hashed cannot be given to a template. The engines (this package's code, its
fonts and catalogs, and the versions of the rendering libraries) hash as one value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePath
from typing import Any

CHUNK = 1 << 20
# Libraries whose upgrade can change the bytes of a document.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "fonttools",
             "python-docx", "docxtpl", "lxml", "pillow", "jinja2", "markupsafe", "babel",
             "arabic-reshaper", "python-bidi", "pydantic", "pyyaml")
# Folders a recorded file may lie in, by the name the manifest gives them.
ROOTS = ("templates", "theme", "data")


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file read in chunks, or None when missing, unreadable or not a file.

    The file is opened without blocking and checked after opening, so a FIFO or a
    device under a watched folder neither hangs a build nor fills its memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def _plain(value: Any) -> Any:
    """A JSON-able stand-in for a value json cannot write; refuses anything else."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"__model__": type(value).__name__, **value.model_dump(mode="json")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__dataclass__": type(value).__name__,
                **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, PurePath):
        raise TypeError("a path; give the template the file's content or name instead")
    raise TypeError(f"a {type(value).__name__}, which cannot be hashed")


def fingerprint(value: Any) -> str:
    """Hash of a template context (or any plain value) in a canonical form.

    Plain values, mappings, lists, dates, dataclasses and pydantic models only: a
    function or an arbitrary object raises TypeError, since its effect on the document
    could not be known from its hash.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normal(name: str) -> str:
    """A distribution name as the packaging rules compare them."""
    return re.sub(r"[-_.]+", "_", name).lower()


@cache
def _installed() -> dict[str, str]:
    """Installed distributions and their versions, read from the names of their metadata folders.

    One listing of each import folder: asking importlib.metadata for each library
    would cost a no-change build a third of its time.
    """
    import sys

    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                dist, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(_normal(dist), version)
    return found


def _version(name: str) -> str | None:
    """The installed version of a distribution, or None."""
    return _installed().get(_normal(name))


# Files this large are hashed again only when their size, time or inode changed (the
# shipped fonts: 18 MB, a sixth of a no-change build if read each time).
BIG_FILE = 1 << 20
_RACY_SECONDS = 2.0  # a file changed this close to when its digest was kept is hashed again


class StatCache:
    """Digests of large files kept beside the build state, trusted while the file's stat is unchanged."""

    def __init__(self, path: Path | None):
        """Read the kept digests from ``path`` (None: keep nothing)."""
        self.path, self.entries, self.changed = path, {}, False
        if path is not None:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.entries = {k: v for k, v in raw.items() if isinstance(v, list) and len(v) == 2}
            except (OSError, ValueError, AttributeError):
                self.entries = {}

    def digest(self, path: Path, any_size: bool = False) -> str | None:
        """The file's digest, from the cache when its stat is unchanged and not racy.

        Only large files are kept unless ``any_size`` (a build's own outputs: hundreds
        of sheets are read on every no-change build otherwise).
        """
        try:
            info = os.stat(path)
        except OSError:
            return None
        small = info.st_size < BIG_FILE and not any_size
        if self.path is None or small or not stat.S_ISREG(info.st_mode):
            return file_digest(path)
        key = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        kept = self.entries.get(str(path))
        if kept and kept[0] == key:
            return kept[1]
        digest = file_digest(path)
        import time

        if time.time() - info.st_mtime > _RACY_SECONDS and time.time() - info.st_ctime > _RACY_SECONDS:
            self.entries[str(path)] = [key, digest]
            self.changed = True
        return digest

    def save(self) -> None:
        """Keep the digests for the next build (best effort: a failure only costs time)."""
        if self.path is None or not self.changed:
            return
        try:
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


_engine: str | None = None
_kept: StatCache | None = None


def engine_fingerprint(state_dir: Path | None = None) -> str:
    """One hash of what renders: this package's files (code, catalogs, fonts), its version,
    Python's version and the versions of the rendering libraries.

    Made once per process; ``state_dir`` (the output folder's state folder) lets large
    files be taken from the digests kept there.
    """
    global _engine, _kept
    if _engine is None:
        _kept = StatCache(state_dir / "digests.json" if state_dir else None)
        _engine = _engine_digest(_kept)
    return _engine


def stat_cache() -> StatCache | None:
    """The digests kept beside the build state, once the engine fingerprint has been made."""
    return _kept


def keep_digests() -> None:
    """Save the large files' digests beside the build state (a build calls it once it writes)."""
    if _kept is not None and _kept.path is not None and _kept.path.parent.is_dir():
        _kept.save()


def _engine_digest(cache: StatCache) -> str:
    """The engine fingerprint, computed."""
    import sys

    from dpo_docs import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}\0".encode())
    for name in LIBRARIES:
        digest.update(f"{name}={_version(name)}\0".encode())
    # Charts are shaped through Pillow's libraqm and HarfBuzz, which come with Pillow's
    # version, and the system's FriBiDi, named here by its library file.
    digest.update(f"fribidi={_fribidi()}\0".encode())
    # The theme's files are recorded by the renders that read them (templates.py); the
    # starter project is only copied by `dpo-docs init`, never read by a render.
    skipped = (package / "theme", package / "starter")
    for path in sorted(package.rglob("*")):
        if ("__pycache__" in path.parts or path.suffix in (".pyc", ".mo") or not path.is_file()
                or path.is_relative_to(skipped[0]) or path.is_relative_to(skipped[1])):
            continue
        digest.update(f"{path.relative_to(package).as_posix()}\0{cache.digest(path)}\0".encode())
    return digest.hexdigest()


def _fribidi() -> str:
    """The real name of the system's FriBiDi library (libfribidi.so.0.4.0), or "none".

    Asking Pillow (PIL.features) would import its imaging core on every build, a
    no-change build included; the file's name carries the library's version.
    """
    import glob

    for pattern in ("/usr/lib/*/libfribidi.so.0", "/usr/lib64/libfribidi.so.0", "/usr/lib/libfribidi.so.0",
                    "/usr/local/lib/libfribidi.so.0"):
        for found in sorted(glob.glob(pattern)):
            return Path(found).resolve().name
    return "none"


def forget_engine() -> None:
    """Compute the engine fingerprint again on next use (tests that change a library version)."""
    global _engine
    _engine = None
    _installed.cache_clear()


@dataclass
class Recorder:
    """The files and settings one render read."""

    files: dict[str, str | None] = field(default_factory=dict)  # "templates/x.html" -> digest
    settings: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[Recorder | None] = ContextVar("dpo_docs_recorder", default=None)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record what the code run inside the block reads (in this thread)."""
    recorder = Recorder()
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


def record_file(key: str, digest: str | None) -> None:
    """Note that the current render read the file ``key`` (None: looked for, not found)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.files.setdefault(key, digest)


def record_path(path: Path, roots: Mapping[str, Path]) -> str | None:
    """Record a file by its place under one of ``roots``; returns its digest."""
    digest = file_digest(path)
    key = file_key(path, roots)
    if key is not None:
        record_file(key, digest)
    return digest


def file_key(path: Path, roots: Mapping[str, Path]) -> str | None:
    """``templates/x.css`` for a file under the templates folder; None outside every root."""
    resolved = Path(os.path.abspath(path))
    for name, root in roots.items():
        try:
            return f"{name}/{resolved.relative_to(Path(os.path.abspath(root))).as_posix()}"
        except ValueError:
            continue
    return None


def key_path(key: str, roots: Mapping[str, Path]) -> Path | None:
    """The file a recorded key names under today's roots; None for a key that is not one."""
    name, _, rel = key.partition("/")
    root = roots.get(name)
    parts = PurePath(rel).parts
    if root is None or not rel or PurePath(rel).is_absolute() or ".." in parts:
        return None
    return root / rel


class SettingsView:
    """The settings as a render sees them: read-only, each field read noted."""

    # Where things are, not what they say: the files read there are recorded instead.
    # The fallback chains are recorded as the one chain each context holds (Job.build):
    # a change to the Chinese chain leaves the Arabic documents current.
    _UNRECORDED = frozenset({"data_dir", "templates_dir", "out_dir", "workers", "fallbacks"})

    def __init__(self, settings: Any):
        """Wrap ``settings``."""
        object.__setattr__(self, "_settings", settings)

    def __getattr__(self, name: str) -> Any:
        """The setting, noted for the current render."""
        value = getattr(self._settings, name)
        recorder = _current.get()
        if recorder is not None and name not in self._UNRECORDED:
            recorder.settings.setdefault(name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        """Settings are not changed while rendering."""
        raise AttributeError("settings are read-only")

    def __reduce__(self):
        """Pickled as the settings it wraps."""
        return (SettingsView, (self._settings,))
