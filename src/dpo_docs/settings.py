"""Build settings: defaults, then command-line options, frozen into one value."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path

from dpo_docs.kinds import NAMES as TARGET_KINDS  # the registry of document kinds

# Settings that change how a build runs but never the bytes it writes.
RUN_ONLY = frozenset({"workers"})
PAPER_SIZES = ("A2", "A3", "A4")
ORIENTATIONS = ("landscape", "portrait")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "pdf/a-3u", "none")


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know, resolved to absolute paths."""

    data_dir: Path
    templates_dir: Path
    out_dir: Path
    langs: tuple[str, ...] = ("fr",)
    only: tuple[str, ...] = TARGET_KINDS
    orgchart_paper: str = "A3"
    orgchart_orientation: str = "landscape"
    chart_heads: bool = True  # org charts show each unit's head under its name
    stale_after_months: int = 12
    workers: int = 0  # processes rendering at once; 0 means one per core
    factsheet_kinds: tuple[str, ...] = ("office",)  # unit kinds that get a fact sheet
    strict: bool = False  # a missing translation fails the build instead of falling back
    pdf_variant: str = "pdf/ua-1"  # accessible by default; pdf/a-3b or pdf/a-3u to archive

    def with_options(self, **options: object) -> Settings:
        """A copy with the options that were given; ``None`` leaves a value as it is."""
        given = {k: v for k, v in options.items() if v is not None}
        for key in ("data_dir", "templates_dir", "out_dir"):
            if key in given:
                given[key] = Path(given[key]).resolve()
        return replace(self, **given)


CONFIG_NAME = "dpo-docs.toml"
_PATH_KEYS = {"data": "data_dir", "templates": "templates_dir", "out": "out_dir"}


def _from_config(root: Path) -> dict[str, object]:
    """Options from the project's ``dpo-docs.toml`` ([build] table), if there is one."""
    import tomllib

    from dpo_docs.errors import DataError, Location, Problem

    path = root / CONFIG_NAME
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("build", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError([Problem(Location(CONFIG_NAME), "", f"invalid TOML: {exc}")]) from None
    known = {f.name for f in fields(Settings)} | set(_PATH_KEYS)
    unknown = sorted(set(table) - known)
    if unknown:
        raise DataError([Problem(Location(CONFIG_NAME), f"build.{unknown[0]}", "unknown setting")])
    for key, choices in (("orgchart_paper", PAPER_SIZES), ("orgchart_orientation", ORIENTATIONS)):
        if key in table and table[key] not in choices:
            message = f"must be one of {', '.join(choices)}, not {table[key]!r}"
            raise DataError([Problem(Location(CONFIG_NAME), f"build.{key}", message)])
    if not isinstance(table.get("chart_heads", True), bool):
        raise DataError([Problem(Location(CONFIG_NAME), "build.chart_heads", "must be true or false")])
    options = {_PATH_KEYS.get(k, k): v for k, v in table.items()}
    for key in ("data_dir", "templates_dir", "out_dir"):
        if key in options:
            options[key] = root / str(options[key])
    for key in ("langs", "only"):
        if key in options:
            options[key] = tuple(options[key])
    return options


def default_settings(project_dir: Path | None = None) -> Settings:
    """Defaults for a project with data/, templates/ and output/, then its dpo-docs.toml."""
    root = (project_dir or Path.cwd()).resolve()
    base = Settings(data_dir=root / "data", templates_dir=root / "templates", out_dir=root / "output")
    return base.with_options(**_from_config(root))
