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
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

CHUNK = 1 << 20
# Libraries whose upgrade can change the bytes of a document.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "fonttools",
             "python-docx", "docxtpl", "lxml", "pillow", "jinja2", "markupsafe", "babel",
             "arabic-reshaper", "python-bidi", "pydantic", "pyyaml")
# Folders a recorded file may lie in, by the name the manifest gives them.
ROOTS = ("templates", "data")


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


def _version(name: str) -> str | None:
    """The installed version of a distribution, or None."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """One hash of what renders: this package's files (code, catalogs, fonts), its version,
    Python's version and the versions of the rendering libraries."""
    import sys

    from dpo_docs import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}\0".encode())
    for name in LIBRARIES:
        digest.update(f"{name}={_version(name)}\0".encode())
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or path.suffix in (".pyc", ".mo") or not path.is_file():
            continue
        digest.update(f"{path.relative_to(package).as_posix()}\0{file_digest(path)}\0".encode())
    return digest.hexdigest()


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
    _UNRECORDED = frozenset({"data_dir", "templates_dir", "out_dir", "workers"})

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
