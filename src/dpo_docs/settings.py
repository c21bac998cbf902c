"""Build settings: defaults, then command-line options, frozen into one value."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

TARGET_KINDS = ("briefing", "factsheets", "orgchart")
PAPER_SIZES = ("A3", "A4")


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know, resolved to absolute paths."""

    data_dir: Path
    templates_dir: Path
    out_dir: Path
    langs: tuple[str, ...] = ("fr",)
    only: tuple[str, ...] = TARGET_KINDS
    orgchart_paper: str = "A3"
    extra: dict = field(default_factory=dict, compare=False)

    def with_options(self, **options: object) -> Settings:
        """A copy with the options that were given; ``None`` leaves a value as it is."""
        given = {k: v for k, v in options.items() if v is not None}
        for key in ("data_dir", "templates_dir", "out_dir"):
            if key in given:
                given[key] = Path(given[key]).resolve()
        return replace(self, **given)


def default_settings(project_dir: Path | None = None) -> Settings:
    """Settings for a project laid out as data/, templates/ and output/ under ``project_dir``."""
    root = (project_dir or Path.cwd()).resolve()
    return Settings(
        data_dir=root / "data",
        templates_dir=root / "templates",
        out_dir=root / "output",
    )
