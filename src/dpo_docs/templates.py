"""Where template files come from: the project's templates folder, then the package's theme.

The theme (``dpo_docs/theme``) holds every template, stylesheet and the Word template;
a project's templates folder overrides it file by file, as mkdocs' ``custom_dir`` does,
and may be missing altogether. Each lookup is recorded (``deps``): the project's file,
or its absence and the theme's file, so that adding, changing or removing an override,
and a change to the theme, make the documents that read it stale.
"""

from __future__ import annotations

import os
from pathlib import Path

from dpo_docs.deps import record_path

THEME_DIR = Path(__file__).resolve().parent / "theme"
# The names the manifest gives the two layers: "templates/briefing.css", "theme/briefing.css".
PROJECT, THEME = "templates", "theme"


def roots(settings) -> dict[str, Path]:
    """The folders whose files renders may read, by the names the manifest gives them."""
    return {PROJECT: settings.templates_dir, THEME: THEME_DIR, "data": settings.data_dir}


def layers(templates_dir: Path) -> tuple[tuple[str, Path], ...]:
    """The folders a template is looked for in, first match wins, with their manifest names."""
    return ((PROJECT, Path(templates_dir)), (THEME, THEME_DIR))


def overridden(path: Path) -> bool:
    """True when something stands at ``path`` in the project's folder (even a broken link).

    Whatever stands there is the override, and its problems are reported: a file the
    user put in the templates folder is never silently passed over.
    """
    return os.path.lexists(path)


def find(name: str, templates_dir: Path) -> Path:
    """The file serving ``name`` (the project's, else the theme's), its lookup recorded."""
    known = {PROJECT: Path(templates_dir), THEME: THEME_DIR}
    own = Path(templates_dir) / name
    record_path(own, known)  # None when absent: creating it later makes the document stale
    if overridden(own):
        return own
    theme = THEME_DIR / name
    record_path(theme, known)
    return theme
