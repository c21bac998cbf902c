"""Build settings: what a build may be told, and every layer that may tell it.

Layers, each overriding the one before key by key: the defaults; the ``[tool.dpo-docs]``
table of the project's ``pyproject.toml``; the ``[build]`` table of its ``dpo-docs.toml``;
``DPO_DOCS_<KEY>`` environment variables; the command-line options given. What they give
is validated once, by the model in ``settings_model.py``, and every problem of every layer
is reported at once, each with where it was written.

This module does not load pydantic: a build given no setting at all (a no-change build
of a project without settings files, say) takes the defaults without paying for it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any

from dpo_docs.choices import (
    DEFAULT_KINDS,
    ORIENTATIONS,
    PAPER_SIZES,
    PDF_VARIANTS,
    TARGET_KINDS,
    Kind,
    Orientation,
    Paper,
    PdfVariant,
)
from dpo_docs.errors import DataError, Location, Problem

__all__ = ["CONFIG_NAME", "ORIENTATIONS", "PAPER_SIZES", "PDF_VARIANTS", "RUN_ONLY", "TARGET_KINDS",
           "Settings", "default_settings", "load_settings"]

CONFIG_NAME = "dpo-docs.toml"
PYPROJECT_NAME = "pyproject.toml"
ENV_PREFIX = "DPO_DOCS_"
# Variables of the same family that are not settings: where cut web fonts are kept, and
# the browser the test suite drives. Any other DPO_DOCS_ variable is a setting or a typo.
CACHE_ENV = "DPO_DOCS_CACHE_DIR"
NOT_SETTINGS = frozenset({CACHE_ENV, "DPO_DOCS_CHROMIUM"})
# The "files" of problems that come from no file.
ENVIRONMENT = "environment"
COMMAND_LINE = "command line"
# Each worker is a process holding the rendering engines (about 150 MB): past this many
# they only exhaust the memory of any machine this runs on.
MAX_WORKERS = 64


@dataclass(frozen=True)
class Whole:
    """A whole number (never a bool) from ``low`` up to ``high``, as the model checks it."""

    low: int
    high: int | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic's hook for annotations: an integer schema with these bounds."""
        from pydantic_core import core_schema

        return core_schema.int_schema(strict=True, ge=self.low, le=self.high)


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know, resolved to absolute paths.

    The field types are the settings' schema: ``settings_model.SettingsModel`` checks
    values against them, and the command line's choices are read from them.
    """

    data_dir: Path
    templates_dir: Path
    out_dir: Path
    langs: tuple[str, ...] = ("fr",)
    only: tuple[Kind, ...] = DEFAULT_KINDS
    orgchart_paper: Paper = "A3"
    orgchart_orientation: Orientation = "landscape"
    chart_heads: bool = True  # org charts show each unit's head
    stale_after_months: Annotated[int, Whole(1)] = 12
    # Processes rendering at once; 0 means one per core. Never changes the bytes written.
    workers: Annotated[int, Whole(0, MAX_WORKERS)] = field(default=0, metadata={"run_only": True})
    factsheet_kinds: tuple[str, ...] = ("office",)  # unit kinds that get a fact sheet
    strict: bool = False  # a missing translation fails the build
    pdf_variant: PdfVariant = "pdf/ua-1"
    # The languages an untranslated text falls back to, by document language, as pairs
    # (settings stay hashable): written ar = ["en", "fr"] in a [build.fallbacks] table.
    # A language not named keeps its chain in i18n.DEFAULT_FALLBACKS.
    fallbacks: tuple[tuple[str, tuple[str, ...]], ...] = ()


# Settings that change how a build runs but never the bytes it writes.
RUN_ONLY = frozenset(f.name for f in fields(Settings) if f.metadata.get("run_only"))
DEFAULTS = {f.name: f.default for f in fields(Settings)}
# Where the folders are when nothing says otherwise, under the project folder.
FOLDERS = {"data_dir": "data", "templates_dir": "templates", "out_dir": "output"}
# The names users write: the folders without their "_dir", the other fields as they are.
KEYS = {name.removesuffix("_dir"): name for name in DEFAULTS}


def default_text(name: str) -> str:
    """A field's default as a user would write it, for ``--help``."""
    if name in FOLDERS:
        return f"./{FOLDERS[name]}"
    default = DEFAULTS[name]
    if isinstance(default, tuple):
        return ",".join(default)
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


@dataclass(frozen=True)
class Given:
    """One value of one setting, as a layer gave it."""

    value: Any
    where: Location
    path: str  # the key as the user wrote it: build.langs, DPO_DOCS_LANGS
    base: Path  # the folder a relative path in it is read from

    @property
    def is_text(self) -> bool:
        """True for an environment variable's text, which the model reads as the field's type."""
        return self.where.file == ENVIRONMENT


def load_settings(project_dir: Path | None = None, options: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of a project folder: every layer merged, then validated once.

    ``options`` are the command line's, by field name (``None`` leaves a value as it is);
    ``environ`` defaults to the process's environment. Raises DataError listing every
    problem, each located in its file and line, the environment or the command line.
    """
    root = (project_dir or Path.cwd()).resolve()
    cwd = Path.cwd()
    problems: list[Problem] = []
    given: dict[str, Given] = {}
    for layer in (_file_layer(root, PYPROJECT_NAME, ("tool", "dpo-docs"), problems),
                  _file_layer(root, CONFIG_NAME, ("build",), problems),
                  _env_layer(os.environ if environ is None else environ, cwd, problems),
                  _option_layer(options or {}, cwd, problems)):
        given.update(layer)
    values: dict[str, Any] = {name: root / folder for name, folder in FOLDERS.items()}
    for name, item in given.items():
        value = _as_path(item, problems) if name in FOLDERS else item.value
        if value is not None:
            values[name] = value
    chosen = given.get("templates_dir")
    if chosen is not None and isinstance(values.get("templates_dir"), Path) and not values["templates_dir"].is_dir():
        # The default folder may be missing (the theme serves every file); one named on
        # purpose and missing is a typo that would silently draw the theme.
        problems.append(Problem(chosen.where, chosen.path,
                                f"no folder {shown(str(chosen.value))}; create it to override the theme's files, "
                                "or leave the setting out to use the theme"))
    if not given and not problems:
        # Defaults need no checking (a test holds them to the model), nor pydantic's import.
        return Settings(**values)
    if problems:
        from dpo_docs.settings_model import check

        raise DataError(problems + check(values, given)[1])
    memo = _Memo(values, given)
    settings = memo.recall()
    if settings is not None:
        return settings
    from dpo_docs.settings_model import check

    checked, found = check(values, given)
    if found or checked is None:
        raise DataError(found)
    settings = checked
    global _pending
    _pending = (memo, settings)
    return settings


_pending: tuple[_Memo, Settings] | None = None


def keep_checked() -> None:
    """Keep the settings checked in this process for the next run (a build calls it once it writes)."""
    if _pending is not None:
        _pending[0].keep(_pending[1])


class _Memo:
    """Settings checked before, kept in the output folder's state by the hash of what was given.

    Checking loads pydantic, a third of a no-change build; the same values given again
    (by the same code, with the same label catalogs) are the same settings.
    """

    NAME = "settings.json"
    KEPT = 16

    def __init__(self, values: Mapping[str, Any], given: Mapping[str, Given]):
        """The memo for these values, in the state folder of the output folder they name."""
        import hashlib
        import json

        from dpo_docs import __version__

        out = values.get("out_dir")
        self.path = Path(out) / ".dpo-docs" / self.NAME if isinstance(out, Path) else None
        package = Path(__file__).resolve().parent
        code = hashlib.sha256()
        for source in sorted(package.glob("*.py")):  # what checking may depend on
            code.update(source.read_bytes())
        locales = sorted(p.name for p in (package / "locale").glob("*") if p.is_dir())
        raw = {"values": {k: repr(v) for k, v in sorted(values.items())},
               "text": sorted(name for name, item in given.items() if item.is_text),
               "version": __version__, "code": code.hexdigest(), "locales": locales}
        self.key = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()

    def _read(self) -> dict[str, Any]:
        """What the memo holds (nothing, if it is missing or malformed)."""
        import json

        try:
            kept = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}
        return kept if isinstance(kept, dict) else {}

    def recall(self) -> Settings | None:
        """The settings checked before for these values, if any."""
        fields_ = self._read().get(self.key)
        if not isinstance(fields_, dict) or set(fields_) != set(DEFAULTS):
            return None
        try:
            return Settings(**{name: Path(value) if name in FOLDERS else _tupled(value)  # type: ignore[arg-type]
                               for name, value in fields_.items()})
        except (TypeError, ValueError):
            return None

    def keep(self, settings: Settings) -> None:
        """Keep checked settings for next time, where a build has already made its state folder."""
        import json

        if self.path is None or not self.path.parent.is_dir():
            return
        kept = {k: v for k, v in self._read().items() if k != self.key}
        kept[self.key] = {name: str(value) if name in FOLDERS else value for name, value in vars(settings).items()}
        kept = dict(list(kept.items())[-self.KEPT:])
        try:
            tmp = self.path.with_name(f".{self.NAME}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(kept, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # only time is lost


def _tupled(value: Any) -> Any:
    """JSON's lists as the tuples the settings hold, at every depth."""
    return tuple(_tupled(item) for item in value) if isinstance(value, list) else value


def default_settings(project_dir: Path | None = None) -> Settings:
    """The settings of a project folder with no command-line options."""
    return load_settings(project_dir)


def _file_layer(root: Path, name: str, table: tuple[str, ...], problems: list[Problem]) -> dict[str, Given]:
    """The settings in one table of one TOML file of the project, if the file is there."""
    path = root / name
    if not path.is_file():
        return {}
    from dpo_docs import tomlfile  # loads tomllib: only when there is a file to read

    try:
        document, lines = tomlfile.read(path, name)
    except DataError as exc:
        problems += exc.problems
        return {}
    dotted = ".".join(table)

    def where(*key: str) -> Location:
        """The line of a key, else of its table, else the file."""
        line = lines.get((*table, *key)) or lines.get(table)
        return Location(name, line)

    if name == CONFIG_NAME:
        for key in sorted(set(document) - {table[0]}):
            what = "a setting outside its table" if key in KEYS else "unknown table"
            problems.append(Problem(Location(name, lines.get((key,))), key, f"{what}; settings go under [{dotted}]"))
    else:  # pyproject.toml belongs to many tools; only a near miss of ours is worth a word
        tool = document.get("tool")
        tools = tool if isinstance(tool, dict) else {}
        for key in sorted(tools):
            if key != table[-1] and difflib.get_close_matches(key, [table[-1]], cutoff=0.8):
                problems.append(Problem(Location(name, lines.get(("tool", key))), f"tool.{key}",
                                        f"unknown table (did you mean [{dotted}]?)"))
    section: Any = document
    for part in table:
        section = section.get(part, {}) if isinstance(section, dict) else section
    if not isinstance(section, dict):
        problems.append(Problem(where(), dotted, f"must be a table of settings, not {shown(section)}"))
        return {}
    found = {}
    for key, value in section.items():
        if key not in KEYS:
            problems.append(Problem(where(key), f"{dotted}.{key}", f"unknown setting{_suggest(key, KEYS)}"))
        else:
            found[KEYS[key]] = Given(value, where(key), f"{dotted}.{key}", root)
    return found


def _env_layer(environ: Mapping[str, str], cwd: Path, problems: list[Problem]) -> dict[str, Given]:
    """The settings in ``DPO_DOCS_<KEY>`` variables, as text."""
    found = {}
    for var in sorted(environ):
        if not var.startswith(ENV_PREFIX) or var in NOT_SETTINGS:
            continue
        key = var.removeprefix(ENV_PREFIX).lower()
        if key not in KEYS:
            names = {ENV_PREFIX + known.upper(): known for known in KEYS}
            problems.append(Problem(Location(ENVIRONMENT), var, f"unknown setting{_suggest(var, names)}"))
            continue
        found[KEYS[key]] = Given(environ[var], Location(ENVIRONMENT), var, cwd)
    return found


def _option_layer(options: Mapping[str, Any], cwd: Path, problems: list[Problem]) -> dict[str, Given]:
    """The command-line options that were given, by field name."""
    found = {}
    for name, value in options.items():
        if value is None:
            continue
        if name not in DEFAULTS:
            problems.append(Problem(Location(COMMAND_LINE), name, f"unknown setting{_suggest(name, DEFAULTS)}"))
        else:
            found[name] = Given(value, Location(COMMAND_LINE), name, cwd)
    return found


def _as_path(item: Given, problems: list[Problem]) -> Any:
    """A folder's text resolved from the folder its layer reads paths from."""
    if not isinstance(item.value, str | os.PathLike):
        return item.value  # the model says what a path must be
    try:
        return (item.base / item.value).resolve()
    except (OSError, ValueError) as exc:  # a NUL character, a loop of links
        problems.append(Problem(item.where, item.path, f"not a usable path: {exc}"))
        return None


def shown(value: Any, limit: int = 60) -> str:
    """A value as TOML would write it, cut short when long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        items: list[str] = []
        for item in value:  # a long list is cut short anyway: show only its start
            items.append(shown(item, limit))
            if sum(map(len, items)) > limit:
                break
        text = f"[{', '.join(items)}{', …' if len(items) < len(value) else ''}]"
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, str | int | float):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


def _suggest(word: str, known: Mapping[str, Any] | list[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else the known names."""
    close = difflib.get_close_matches(word, list(known), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; known: {', '.join(known)}"
