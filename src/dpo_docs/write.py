"""Atomic writes: a file is either its old self or its complete new self, never half."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from dpo_docs.errors import OutputError

# What a user can do about the usual failures, in place of the C library's wording.
_REASONS: dict[int | None, str] = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder stands where the file should go",
}


def reason(exc: OSError) -> str:
    """A short reason for an OSError, in words a user can act on."""
    return _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


def _temp_file(path: Path, data: bytes) -> str:
    """Write ``data`` to a flushed temporary file beside ``path``; return its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {reason(exc)}; it was left as it was") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it, then move it in place."""
    tmp = _temp_file(path, data)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {reason(exc)}; it was left as it was") from None


def atomic_write_all(files: Mapping[Path, bytes]) -> None:
    """Write several files so that a failure leaves every one of them as it was.

    Every temporary file is written first; only when all are complete (the disk had
    room for all) are they moved in place, each move being atomic.
    """
    temps: dict[Path, str] = {}
    try:
        for path, data in files.items():
            temps[path] = _temp_file(path, data)
    except BaseException:
        for tmp in temps.values():
            Path(tmp).unlink(missing_ok=True)
        raise
    moved = 0
    try:
        for path, tmp in temps.items():
            os.replace(tmp, path)
            moved += 1
    except OSError as exc:
        for tmp in list(temps.values())[moved:]:
            Path(tmp).unlink(missing_ok=True)
        path = list(temps)[moved]
        raise OutputError(f"cannot write {path}: {reason(exc)}; it was left as it was") from None


def check_destinations(out_dir: Path, paths: list[Path]) -> None:
    """Refuse, before anything is written, a destination that cannot or must not be written.

    Each path must lie inside ``out_dir`` with no link among the folders between (a
    link would send documents elsewhere), no file where a folder goes and no folder
    where the file goes.
    """
    for path in paths:
        try:
            rel = path.relative_to(out_dir)
        except ValueError:
            raise OutputError(f"{path}: outside the output folder {out_dir}") from None
        here = out_dir
        for part in rel.parts[:-1]:
            here = here / part
            if here.is_symlink():
                raise OutputError(f"cannot write {path}: {here} is a link, and documents are written only "
                                  "inside the output folder; replace the link by a folder")
            if here.exists() and not here.is_dir():
                raise OutputError(f"cannot write {path}: {here} is a file, not a folder; nothing was written")
        if path.is_symlink():
            raise OutputError(f"cannot write {path}: it is a link; remove it (nothing was written)")
        if path.is_dir():
            raise OutputError(f"cannot write {path}: a folder stands where the file should go; nothing was written")
