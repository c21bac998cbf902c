"""Build settings, validated once from every layer that may set them.

Layers, each overriding the one before key by key: the defaults; the ``[tool.dpo-docs]``
table of the project's ``pyproject.toml``; the ``[build]`` table of its ``dpo-docs.toml``;
``DPO_DOCS_<KEY>`` environment variables; the command-line options given. Every problem
of every layer is reported at once, each with where it was written.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass as plain_dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import ConfigDict, Field, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from dpo_docs import tomlfile
from dpo_docs.choices import (
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
# The "files" of problems that come from no file.
ENVIRONMENT = "environment"
COMMAND_LINE = "command line"
# Each worker is a process holding the rendering engines (about 150 MB): past this many
# they only exhaust the memory of any machine this runs on.
MAX_WORKERS = 64


class _RunOnly:
    """Marks a setting that changes how a build runs but never the bytes it writes."""


_RUN_ONLY = _RunOnly()


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Settings:
    """Everything a build needs to know, resolved to absolute paths."""

    data_dir: Path
    templates_dir: Path
    out_dir: Path
    langs: tuple[str, ...] = ("fr",)
    only: tuple[Kind, ...] = TARGET_KINDS
    orgchart_paper: Paper = "A3"
    orgchart_orientation: Orientation = "landscape"
    chart_heads: Annotated[bool, Field(strict=True)] = True  # org charts show each unit's head
    stale_after_months: Annotated[int, Field(strict=True, ge=1)] = 12
    # Processes rendering at once; 0 means one per core.
    workers: Annotated[int, Field(strict=True, ge=0, le=MAX_WORKERS), _RUN_ONLY] = 0
    factsheet_kinds: tuple[str, ...] = ("office",)  # unit kinds that get a fact sheet
    strict: Annotated[bool, Field(strict=True)] = False  # a missing translation fails the build
    pdf_variant: PdfVariant = "pdf/ua-1"

    @field_validator("langs", "only", "factsheet_kinds", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Read ``"fr,en"`` as ``("fr", "en")``, as ``--lang fr,en`` is."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("langs")
    @classmethod
    def _available(cls, langs: tuple[str, ...]) -> tuple[str, ...]:
        """Languages with labels, ``all`` meaning every one of them."""
        from dpo_docs.i18n import available_languages

        available = available_languages()
        if "all" in langs:
            return available
        unknown = [lang for lang in dict.fromkeys(langs) if lang not in available]
        if unknown or not langs:
            hints = [f"'{a}'" for lang in unknown for a in available if a.lower() == lang.lower()]
            hint = f" (codes are case-sensitive: {', '.join(hints)})" if hints else ""
            raise ValueError(f"unsupported language {', '.join(map(repr, unknown)) or '(none)'}{hint}; "
                             f"available: {', '.join(available)} (or 'all')")
        return tuple(dict.fromkeys(langs))

    @field_validator("only")
    @classmethod
    def _some_kind(cls, only: tuple[str, ...]) -> tuple[str, ...]:
        """At least one kind of document, each once."""
        if not only:
            raise ValueError(f"names no kind of document; choose from {', '.join(TARGET_KINDS)}")
        return tuple(dict.fromkeys(only))

    @field_validator("factsheet_kinds")
    @classmethod
    def _unit_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """Kinds of unit the data knows, each once."""
        # The data models own the list of unit kinds; loaded only when a project sets
        # this, as a build with nothing to do never needs them otherwise.
        from dpo_docs.model import UnitKind

        known = get_args(UnitKind)
        unknown = [kind for kind in dict.fromkeys(kinds) if kind not in known]
        if unknown:
            raise ValueError(f"unknown unit kind {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(known)}")
        return tuple(dict.fromkeys(kinds))


FIELDS = Settings.__pydantic_fields__
RUN_ONLY = frozenset(name for name, info in FIELDS.items() if _RUN_ONLY in info.metadata)
# Where the folders are when nothing says otherwise, under the project folder.
FOLDERS = {"data_dir": "data", "templates_dir": "templates", "out_dir": "output"}
# The names users write: the folders without their "_dir", the other fields as they are.
KEYS = {name.removesuffix("_dir"): name for name in FIELDS}


def default_text(name: str) -> str:
    """A field's default as a user would write it, for ``--help``."""
    if name in FOLDERS:
        return f"./{FOLDERS[name]}"
    default = FIELDS[name].default
    if isinstance(default, tuple):
        return ",".join(default)
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


@plain_dataclass(frozen=True)
class _Given:
    """One value of one setting, as a layer gave it."""

    value: Any
    where: Location
    path: str  # the key as the user wrote it: build.langs, DPO_DOCS_LANGS
    base: Path  # the folder a relative path in it is read from


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
    given: dict[str, _Given] = {}
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
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        problems += [_problem(error, given) for error in exc.errors()]
    if problems:
        raise DataError(problems)
    return settings


def default_settings(project_dir: Path | None = None) -> Settings:
    """The settings of a project folder with no command-line options."""
    return load_settings(project_dir)


def _file_layer(root: Path, name: str, table: tuple[str, ...], problems: list[Problem]) -> dict[str, _Given]:
    """The settings in one table of one TOML file of the project, if the file is there."""
    path = root / name
    if not path.is_file():
        return {}
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
        tools = document.get("tool") if isinstance(document.get("tool"), dict) else {}
        for key in sorted(tools):
            if key != table[-1] and difflib.get_close_matches(key, [table[-1]], cutoff=0.8):
                problems.append(Problem(Location(name, lines.get(("tool", key))), f"tool.{key}",
                                        f"unknown table (did you mean [{dotted}]?)"))
    section: Any = document
    for part in table:
        section = section.get(part, {}) if isinstance(section, dict) else section
    if not isinstance(section, dict):
        problems.append(Problem(where(), dotted, f"must be a table of settings, not {_shown(section)}"))
        return {}
    found = {}
    for key, value in section.items():
        if key not in KEYS:
            problems.append(Problem(where(key), f"{dotted}.{key}", f"unknown setting{_suggest(key, KEYS)}"))
        else:
            found[KEYS[key]] = _Given(value, where(key), f"{dotted}.{key}", root)
    return found


def _env_layer(environ: Mapping[str, str], cwd: Path, problems: list[Problem]) -> dict[str, _Given]:
    """The settings in ``DPO_DOCS_<KEY>`` variables, their text read as the field's type."""
    found = {}
    for var in sorted(environ):
        if not var.startswith(ENV_PREFIX):
            continue
        key = var.removeprefix(ENV_PREFIX).lower()
        if key not in KEYS:
            names = {ENV_PREFIX + known.upper(): known for known in KEYS}
            problems.append(Problem(Location(ENVIRONMENT), var, f"unknown setting{_suggest(var, names)}"))
            continue
        field = KEYS[key]
        found[field] = _Given(_from_text(field, environ[var]), Location(ENVIRONMENT), var, cwd)
    return found


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def _from_text(field: str, text: str) -> Any:
    """An environment variable's text as the field's type, or as it is if it is not one."""
    kind = FIELDS[field].annotation
    if kind is bool:
        word = text.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else text
    if kind is int:
        try:
            return int(text)
        except ValueError:  # said by the model, in the words it uses for every layer
            return text
    return text


def _option_layer(options: Mapping[str, Any], cwd: Path, problems: list[Problem]) -> dict[str, _Given]:
    """The command-line options that were given, by field name."""
    found = {}
    for name, value in options.items():
        if value is None:
            continue
        if name not in FIELDS:
            problems.append(Problem(Location(COMMAND_LINE), name, f"unknown setting{_suggest(name, FIELDS)}"))
        else:
            found[name] = _Given(value, Location(COMMAND_LINE), name, cwd)
    return found


def _as_path(item: _Given, problems: list[Problem]) -> Any:
    """A folder's text resolved from the folder its layer reads paths from."""
    if not isinstance(item.value, str | os.PathLike):
        return item.value  # the model says what a path must be
    try:
        return (item.base / item.value).resolve()
    except (OSError, ValueError) as exc:  # a NUL character, a loop of links
        problems.append(Problem(item.where, item.path, f"not a usable path: {exc}"))
        return None


def _problem(error: Mapping[str, Any], given: Mapping[str, _Given]) -> Problem:
    """One pydantic error as a located problem in the words of a settings file."""
    name = str(error["loc"][0]) if error["loc"] else ""
    item = given.get(name) or _Given(None, Location("defaults"), name, Path())
    return Problem(item.where, item.path, _message(name, error))


def _message(name: str, error: Mapping[str, Any]) -> str:
    """What is wrong with a value, and what would be right."""
    kind, ctx = error["type"], error.get("ctx") or {}
    value = _shown(error.get("input"))
    if kind == "literal_error":
        choices = _choices(name)
        given = str(error.get("input")).lower()
        hint = next((f" (did you mean '{c}'?)" for c in choices if c.lower() == given), "")
        return f"must be one of {', '.join(choices)}, not {value}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {value}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {value}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, not {value}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}, not {value}"
    if kind == "tuple_type":
        return f"must be a list or comma-separated text, not {value}"
    if kind == "string_type":
        return f"must hold text only, not {value}"
    if kind in ("path_type", "path_parsing"):
        return f"must be a folder path, as text, not {value}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg']}, not {value}"


def _choices(name: str) -> tuple[str, ...]:
    """The values a Literal field (or the items of a tuple of them) may take."""
    kind = FIELDS[name].annotation if name in FIELDS else None
    if get_origin(kind) is tuple:
        kind = get_args(kind)[0]
    return get_args(kind) if get_origin(kind) is Literal else ()


def _shown(value: Any, limit: int = 60) -> str:
    """A value as TOML would write it, cut short when long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        shown: list[str] = []
        for item in value:  # a long list is cut short anyway: show only its start
            shown.append(_shown(item, limit))
            if sum(map(len, shown)) > limit:
                break
        text = f"[{', '.join(shown)}{', …' if len(shown) < len(value) else ''}]"
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
