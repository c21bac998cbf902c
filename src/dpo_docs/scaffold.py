"""``dpo-docs init``: a new project, from the starter shipped with the package.

The starter (``dpo_docs/starter``) holds the example data (one of every kind of
record, each fact citing its source), a ``dpo-docs.toml`` and a README saying how to
build and how to override a template of the theme. It has no templates folder: the
theme serves every file until the user copies one in.
"""

from __future__ import annotations

import os
from pathlib import Path

from dpo_docs.errors import OutputError
from dpo_docs.write import atomic_write, reason

STARTER_DIR = Path(__file__).resolve().parent / "starter"
MAX_NAMED = 3  # files named in the refusal of a folder that is not empty


def starter_files() -> dict[str, bytes]:
    """The starter project's files, by path relative to the project, in sorted order."""
    from dpo_docs.schema import schema_files

    files = {path.relative_to(STARTER_DIR).as_posix(): path.read_bytes()
             for path in sorted(STARTER_DIR.rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts}
    # The data files name their JSON Schemas (``../schemas/…``) for the editor: made
    # from this version's models, so they describe the data this version reads.
    files.update((f"schemas/{name}", data) for name, data in schema_files().items())
    return dict(sorted(files.items()))


def init_project(folder: Path, shown: str | None = None) -> list[str]:
    """Write the starter project into ``folder`` (new, or empty); the relative paths written.

    A folder holding anything (even a hidden file) is refused: a project is never
    written over a user's files. ``shown`` is the folder as the user wrote it.
    """
    shown = shown or str(folder)
    if os.path.lexists(folder) and not folder.is_dir():
        raise OutputError(f"{shown}: a file stands where the project folder should be; choose a new folder")
    if folder.is_dir():
        try:
            present = sorted(os.listdir(folder))
        except OSError as exc:
            raise OutputError(f"{shown}: cannot read the folder: {reason(exc)}") from None
        if present:
            named = ", ".join(present[:MAX_NAMED]) + (", …" if len(present) > MAX_NAMED else "")
            raise OutputError(f"{shown}: the folder is not empty (it holds {named}); "
                              "dpo-docs init writes a new project into an empty or new folder only")
    files = starter_files()
    for rel, data in files.items():
        atomic_write(folder / rel, data)
    return list(files)
