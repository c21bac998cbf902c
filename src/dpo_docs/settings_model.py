"""The settings model: the fields of ``Settings`` checked once by pydantic, and its
errors told in the words of a settings file, at the place each value was given.

Values have their TOML type (``strict``): ``"2"`` is no number and ``1`` no boolean;
an environment variable's text is read as the field's type first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import ConfigDict, ValidationError, field_validator
from pydantic.dataclasses import dataclass

from dpo_docs.choices import TARGET_KINDS
from dpo_docs.errors import Location, Problem
from dpo_docs.settings import FOLDERS, Given, Settings, shown


@dataclass(frozen=True, config=ConfigDict(extra="forbid", strict=True))
class SettingsModel(Settings):
    """``Settings`` with every value checked: types, choices, bounds, languages, unit kinds."""

    @field_validator("langs", "only", "factsheet_kinds", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Read ``"fr,en"`` as ``("fr", "en")``, as ``--lang fr,en`` is, and a TOML list as a tuple."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(value) if isinstance(value, list) else value

    @field_validator("langs")
    @classmethod
    def _available(cls, langs: tuple[str, ...]) -> tuple[str, ...]:
        """Languages with labels, ``all`` meaning every one of them."""
        from dpo_docs import langcodes
        from dpo_docs.i18n import available_languages

        available = available_languages()
        if "all" in langs:
            return available
        unknown = [lang for lang in dict.fromkeys(langs) if lang not in available]
        if unknown or not langs:
            hint = langcodes.hint(unknown, available)
            raise ValueError(f"unsupported language {_named(unknown) or '(none)'}{hint}; "
                             f"available: {', '.join(available)} (or 'all')")
        return tuple(dict.fromkeys(langs))

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _chains(cls, value: Any) -> Any:
        """Each language's fallback chain: a table of languages to lists of languages, all with labels.

        An environment variable writes it as text: ``ar=en,fr; zh=en,fr``.
        """
        from dpo_docs import langcodes
        from dpo_docs.i18n import available_languages

        if isinstance(value, str):
            pairs = (part.partition("=") for part in value.split(";") if part.strip())
            value = {lang.strip(): chain for lang, _, chain in pairs}
        elif isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
            value = dict(value)  # the settings' own form, given back
        if not isinstance(value, dict):
            raise ValueError(f"must be a table of languages to lists of languages (ar = [\"en\", \"fr\"]), "
                             f"not {shown(value)}")
        available = available_languages()
        chains, problems = {}, []
        for lang, chain in value.items():
            if isinstance(chain, str):
                chain = [part.strip() for part in chain.split(",") if part.strip()]
            if not isinstance(chain, list | tuple) or not all(isinstance(c, str) for c in chain):
                problems.append(f"{lang}: must be a list of languages, not {shown(chain)}")
                continue
            unknown = [code for code in (lang, *chain) if code not in available]
            if unknown:
                problems.append(f"{lang}: unsupported language {_named(unknown)}{langcodes.hint(unknown, available)}; "
                                f"available: {', '.join(available)}")
                continue
            chains[lang] = tuple(code for code in dict.fromkeys(chain) if code != lang)
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(sorted(chains.items()))

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
            raise ValueError(f"unknown unit kind {_named(unknown)}; "
                             f"known: {', '.join(known)}")
        return tuple(dict.fromkeys(kinds))


FIELDS = SettingsModel.__pydantic_fields__  # type: ignore[attr-defined]  # set by the dataclass decorator


def _named(values: list[str], most: int = 5) -> str:
    """``'a', 'b'``: the first few values, each cut short, as a pasted list may be long."""
    named = ", ".join(shown(value) for value in values[:most])
    return named + (f" and {len(values) - most} more" if len(values) > most else "")


def check(values: Mapping[str, Any], given: Mapping[str, Given]) -> tuple[Settings | None, list[Problem]]:
    """The settings the values make, or the problems with them, each where it was given."""
    values = {name: _from_text(name, value) if name in given and given[name].is_text else value
              for name, value in values.items()}
    try:
        checked = SettingsModel(**values)
    except ValidationError as exc:
        return None, [_problem(error, given) for error in exc.errors()]
    # The build gets the plain value: equal to the defaults' when it holds the same.
    return Settings(**{f.name: getattr(checked, f.name) for f in fields(Settings)}), []


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def _from_text(name: str, text: Any) -> Any:
    """An environment variable's text as the field's type, or as it is if it is not one."""
    if name in FOLDERS or not isinstance(text, str):
        return text
    kind = FIELDS[name].annotation
    if kind is bool:
        word = text.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else text
    if kind is int:
        try:
            return int(text)
        except ValueError:  # said by the model, in the words it uses for every layer
            return text
    return text


def _problem(error: Mapping[str, Any], given: Mapping[str, Given]) -> Problem:
    """One pydantic error as a located problem."""
    name = str(error["loc"][0]) if error["loc"] else ""
    item = given.get(name) or Given(None, Location("defaults"), name, Path())
    return Problem(item.where, item.path, _message(name, error))


def _message(name: str, error: Mapping[str, Any]) -> str:
    """What is wrong with a value, and what would be right."""
    kind, ctx = error["type"], error.get("ctx") or {}
    value = shown(error.get("input"))
    if name in FOLDERS and kind in ("is_instance_of", "path_type"):
        return f"must be a folder path, as text, not {value}"
    if kind == "literal_error":
        choices = _choices(name)
        given = str(error.get("input")).lower()
        hint = next((f" (did you mean '{c}'?)" for c in choices if c.lower() == given), "")
        return f"must be one of {', '.join(choices)}, not {value}{hint}"
    if kind in ("int_type", "int_parsing"):
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
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg']}, not {value}"


def _choices(name: str) -> tuple[str, ...]:
    """The values a Literal field (or the items of a tuple of them) may take."""
    kind = FIELDS[name].annotation if name in FIELDS else None
    if get_origin(kind) is tuple:
        kind = get_args(kind)[0]
    return get_args(kind) if get_origin(kind) is Literal else ()
