"""One build at a time per output folder: an advisory lock file under it."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dpo_docs.errors import OutputError
from dpo_docs.manifest import STATE_DIR

log = logging.getLogger(__name__)


@contextmanager
def build_lock(out_dir: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold the output folder's lock, waiting up to ``timeout`` seconds for another build."""
    state = out_dir / STATE_DIR
    try:
        state.mkdir(parents=True, exist_ok=True)
        fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write to the output folder: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    log.warning("another build is writing to %s; waiting for it to finish", out_dir)
                    told = True
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"{out_dir}: another build is still writing here after {timeout:.0f} s; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


_TEMPORARY = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")


def remove_stale_temp_files(out_dir: Path, outputs: set[str]) -> list[Path]:
    """Delete temporary files an interrupted build left beside its outputs (only under the lock).

    Only names this tool makes are removed (``.<file>.<8 random characters>.tmp``,
    beside a file it writes): never any other file, whatever its name. Each folder is
    listed once.
    """
    by_folder: dict[Path, set[str]] = {}
    for rel in outputs | {f"{STATE_DIR}/manifest.json"}:
        target = out_dir / rel
        by_folder.setdefault(target.parent, set()).add(target.name)
    removed = []
    for folder, names in sorted(by_folder.items()):
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(entries):
            match = _TEMPORARY.fullmatch(name)
            if match is None or match.group(1) not in names:
                continue
            path = folder / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return removed
