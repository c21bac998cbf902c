"""Content hashes of everything a target depends on, kept in a small JSON manifest.

A target is rebuilt only when the hash of what it shows from the data, of its
templates, of the fonts, of the settings it reads or of the package's code changed, or
when one of its output files is missing or no longer holds the bytes last written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from dpo_docs import __version__, fonts
from dpo_docs.settings import RUN_ONLY

log = logging.getLogger(__name__)

STATE_DIR = ".dpo-docs"
MANIFEST_NAME = "manifest.json"
FORMAT = 1


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    """Hex SHA-256 of a file, or None when it is missing or unreadable (then it is rebuilt)."""
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def json_hash(value: Any) -> str:
    """Hash of a JSON-able value in canonical form (sorted keys, dates as ISO text)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    # A file name that is not UTF-8 reaches here as Python holds it (lone surrogates);
    # hashed as its own bytes, so the loader can then refuse it by name.
    return sha256(text.encode("utf-8", errors="surrogateescape"))


def _tree_hash(files: list[Path], root: Path) -> str:
    """One hash over several files, their relative names included."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def fonts_hash() -> str:
    """Hash of the shipped font files."""
    return _tree_hash(list(fonts.FONT_DIR.glob("*.ttf")), fonts.FONT_DIR)


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the package's code, label catalogs and version: any of them may change the bytes."""
    package = Path(__file__).resolve().parent
    files = [*package.rglob("*.py"), *package.rglob("*.po")]
    return sha256((__version__ + _tree_hash(files, package)).encode())


def templates_hash(templates_dir: Path, names: tuple[str, ...]) -> str:
    """Hash of the named template files (a missing file hashes as missing)."""
    return json_hash({name: file_hash(templates_dir / name) for name in names})


def data_revision(data_dir: Path) -> str:
    """Short hash of every data file: the revision of the data as a whole."""
    files = [p for p in data_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
    return _tree_hash(files, data_dir)[:12]


def all_inputs_hash(settings: Any) -> str:
    """One hash of every input of a build: data and template files, fonts, code, settings.

    When it matches the previous build's and every output is intact, nothing can have
    changed, and the build stops before parsing a single data file.
    """
    def files(folder: Path) -> dict[str, str | None]:
        if not folder.is_dir():
            return {}
        return {str(p.relative_to(folder)): file_hash(p) for p in sorted(folder.rglob("*")) if p.is_file()}

    return json_hash({
        "data": files(settings.data_dir),
        "templates": files(settings.templates_dir),
        "fonts": fonts_hash(),
        "code": code_hash(),
        "settings": {k: v for k, v in vars(settings).items()
                     if not k.endswith("_dir") and k not in RUN_ONLY},
    })


def outputs_intact(manifest: dict[str, Any], out_dir: Path) -> bool:
    """True when every output the manifest lists still holds the bytes last written."""
    return all(
        file_hash(out_dir / rel) == digest
        for entry in manifest.get("targets", {}).values()
        for rel, digest in entry.get("outputs", {}).items()
    )


def manifest_path(out_dir: Path) -> Path:
    """Where the manifest of an output folder lives."""
    return out_dir / STATE_DIR / MANIFEST_NAME


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The previous build's manifest; an empty one if missing or unreadable."""
    path = manifest_path(out_dir)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"format": FORMAT, "targets": {}}
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable manifest (%s); rebuilding everything", path, exc)
        return {"format": FORMAT, "targets": {}}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return {"format": FORMAT, "targets": {}}
    manifest.setdefault("targets", {})
    return manifest


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    """The manifest as stable, readable JSON."""
    return (json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def state(entry: dict[str, Any] | None, inputs: dict[str, str], out_dir: Path) -> str:
    """Why a target must be rebuilt ("new", "changed: data", "missing", "altered"), or "current"."""
    if not entry:
        return "new"
    changed = sorted(k for k in inputs if entry.get("inputs", {}).get(k) != inputs[k])
    if changed:
        return "changed: " + ", ".join(changed)
    for rel, digest in entry.get("outputs", {}).items():
        on_disk = file_hash(out_dir / rel)
        if on_disk is None:
            return "missing"
        if on_disk != digest:
            return "altered"
    return "current"
