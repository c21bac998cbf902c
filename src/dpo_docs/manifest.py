"""The state of an output folder: what each document was made from, in one JSON file.

For every document the manifest keeps what its last render actually read: the hash of
its template context, the digest of every file loaded (templates, stylesheets, images,
the Word template), the settings it looked at and the engines' fingerprint; and the
digest of every file it wrote. A document is current only when all of these still
hold. ``Manifest`` alone knows the file's JSON format.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dpo_docs.deps import file_digest, key_path

log = logging.getLogger(__name__)

STATE_DIR = ".dpo-docs"
MANIFEST_NAME = "manifest.json"
FORMAT = 2
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class State(enum.Enum):
    """Why a document is (or is not) built again."""

    CURRENT = "current"
    NEW = "new"
    CHANGED = "changed"
    MISSING = "missing"
    ALTERED = "altered"
    FORCED = "forced"
    ORPHANED = "orphaned"  # its document is no longer planned; its files are removed


@dataclass(frozen=True)
class Status:
    """A document's state, with what changed (``changed: data, templates``)."""

    state: State
    detail: tuple[str, ...] = ()

    def __str__(self) -> str:
        """How reports and ``check`` say it."""
        return self.state.value + (": " + ", ".join(self.detail) if self.detail else "")

    @property
    def stale(self) -> bool:
        """True when the document must be rendered again."""
        return self.state is not State.CURRENT


@dataclass(frozen=True)
class Entry:
    """What one document's last render read and wrote."""

    kind: str
    lang: str
    key: str
    context: str  # fingerprint of the template context
    engine: str  # engine_fingerprint() of the process that rendered it
    files: Mapping[str, str | None]  # "templates/briefing.css" -> digest (None: looked for, absent)
    settings: Mapping[str, Any]  # setting -> value, as read by the render
    outputs: Mapping[str, str]  # output path (relative) -> digest of the bytes written


def safe_relative(rel: str) -> bool:
    """True for a relative path that stays inside its folder (no '..', not absolute)."""
    path = PurePosixPath(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts and "\\" not in rel and "\0" not in rel


def _entry(raw: Any) -> Entry | None:
    """An entry from its JSON, or None when any part is malformed."""
    if not isinstance(raw, dict):
        return None
    try:
        text = {k: raw[k] for k in ("kind", "lang", "key", "context", "engine")}
        files, settings, outputs = raw["files"], raw["settings"], raw["outputs"]
    except KeyError:
        return None
    if not all(isinstance(v, str) for v in text.values()):
        return None
    if not (isinstance(files, dict) and isinstance(settings, dict) and isinstance(outputs, dict)):
        return None
    if not all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in files.items()):
        return None
    if not all(safe_relative(k) and isinstance(v, str) for k, v in outputs.items()) or not outputs:
        return None
    return Entry(**text, files=files, settings=settings, outputs=outputs)


@dataclass
class Manifest:
    """Every document of an output folder with its entry, and the build's summary."""

    entries: dict[str, Entry] = field(default_factory=dict)  # by label (first output path)
    summary: dict[str, Any] | None = None  # the data facts the change report compares
    # For each selection of settings (its hash): the inputs' fingerprint when a build
    # with it last found every document current, and the documents it planned.
    fast: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @staticmethod
    def path(out_dir: Path) -> Path:
        """Where the manifest of an output folder lives."""
        return out_dir / STATE_DIR / MANIFEST_NAME

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The previous build's manifest; an empty one (everything rebuilt) if missing or malformed."""
        path = cls.path(out_dir)
        try:
            if path.is_symlink() or (path.exists() and path.stat().st_size > MAX_MANIFEST_BYTES):
                raise ValueError("not a regular file of a sensible size")
            raw = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable build state (%s); every document will be rebuilt", path, exc)
            return cls()
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            if isinstance(raw, dict) and isinstance(raw.get("format"), int):
                log.info("%s: state of another version; every document will be rebuilt", path)
            else:
                log.warning("%s: malformed build state; every document will be rebuilt", path)
            return cls()
        entries: dict[str, Entry] = {}
        targets = raw.get("targets")
        for label, value in (targets.items() if isinstance(targets, dict) else ()):
            entry = _entry(value)
            if entry is None or not safe_relative(str(label)):
                log.warning("%s: malformed entry %r ignored; that document will be rebuilt", path, str(label)[:80])
                continue
            entries[label] = entry
        summary = raw.get("summary") if isinstance(raw.get("summary"), dict) else None
        fast = {}
        for key, value in (raw.get("fast") or {}).items() if isinstance(raw.get("fast"), dict) else ():
            if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                    and isinstance(value[1], list) and all(isinstance(p, str) for p in value[1])):
                fast[key] = (value[0], tuple(value[1]))
        return cls(entries, summary, fast)

    def encode(self) -> bytes:
        """The manifest as stable, readable JSON."""
        raw = {
            "format": FORMAT,
            "fast": {key: [inputs, list(planned)] for key, (inputs, planned) in self.fast.items()},
            "summary": self.summary,
            "targets": {label: {"kind": e.kind, "lang": e.lang, "key": e.key, "context": e.context,
                                "engine": e.engine, "files": dict(e.files), "settings": dict(e.settings),
                                "outputs": dict(e.outputs)}
                        for label, e in self.entries.items()},
        }
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False, indent=1, default=list)
        return (text + "\n").encode("utf-8")

    def output_paths(self) -> set[str]:
        """Every output path the manifest records."""
        return {rel for entry in self.entries.values() for rel in entry.outputs}

    def recorded_files(self) -> set[str]:
        """Every file any document's render read, by key."""
        return {key for entry in self.entries.values() for key in entry.files}

    def outputs_intact(self, out_dir: Path, digests: DigestCache) -> bool:
        """True when every recorded output still holds the bytes last written."""
        return all(digests.get(out_dir / rel) == digest
                   for entry in self.entries.values() for rel, digest in entry.outputs.items())


class DigestCache:
    """File digests computed at most once per build or check."""

    def __init__(self, kept: Any = None) -> None:
        """Start empty; ``kept`` (a ``deps.StatCache``) serves digests of files unchanged since hashed."""
        self._known: dict[Path, str | None] = {}
        self._kept = kept

    def get(self, path: Path) -> str | None:
        """The digest of ``path`` (None when missing or not a regular file)."""
        if path not in self._known:
            self._known[path] = self._kept.digest(path, any_size=True) if self._kept else file_digest(path)
        return self._known[path]


def status(entry: Entry | None, context: str, engine: str, settings: Any, roots: Mapping[str, Path],
           out_dir: Path, paths: Iterable[str], digests: DigestCache) -> Status:
    """Whether a document with this context is current against its previous entry."""
    if entry is None:
        return Status(State.NEW)
    changed = []
    if entry.context != context:
        changed.append("data")
    if any(digests.get(path) != digest if (path := key_path(key, roots)) else True
           for key, digest in entry.files.items()):
        changed.append("templates")
    if any(getattr(settings, name, None) != _tupled(value) for name, value in entry.settings.items()):
        changed.append("settings")
    if entry.engine != engine:
        changed.append("code")
    if changed:
        return Status(State.CHANGED, tuple(changed))
    if set(entry.outputs) != set(paths):
        return Status(State.CHANGED, ("outputs",))
    for rel, digest in entry.outputs.items():
        on_disk = digests.get(out_dir / rel)
        if on_disk is None:
            return Status(State.MISSING)
        if on_disk != digest:
            return Status(State.ALTERED)
    return Status(State.CURRENT)


def _tupled(value: Any) -> Any:
    """JSON gives lists where the settings hold tuples."""
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
