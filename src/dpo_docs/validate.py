"""Check loaded data against the models and the rules between records; report every problem."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from dpo_docs.errors import DataError, Problem
from dpo_docs.loader import LoadedData, PathKey, format_path
from dpo_docs.model import Data

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "date_type": "a date (YYYY-MM-DD)",
    "dict_type": "a mapping of language codes to text, e.g. {fr: …}",
    "model_type": "a mapping of fields",
    "tuple_type": "a list",
    "list_type": "a list",
}


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so the model or container type shows."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _model_at(path: PathKey) -> type[BaseModel] | None:
    """The model class that the mapping at ``path`` is validated against."""
    current: Any = Data
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) in (tuple, list) and isinstance(part, int):
            current = typing.get_args(current)[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _suggest(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or nothing."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(value: Any) -> str:
    """A short, readable rendering of an offending value."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _message(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a sentence a data editor understands."""
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        hint = _suggest(str(loc[-1]), allowed)
        if not hint and allowed:
            hint = f" (allowed: {', '.join(allowed)})"
        return f"unknown field '{loc[-1]}'{hint}"
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, got {_describe(value)}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_describe(value)} is not one of {expected}"
    if kind == "string_pattern_mismatch":
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
        if field in ("id", "parent") or field == "sources" or isinstance(loc[-1], int):
            return f"{_describe(value)} is not a valid id (lower-case letters, digits and '-')"
        if field == "url":
            return f"{_describe(value)} is not an http(s) address"
        return f"{_describe(value)} is not a valid language code (e.g. 'fr', 'en')"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{_describe(value)} is out of range ({error['msg'].lower()})"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return "text is too long"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"][0].lower() + error["msg"][1:]


def _pydantic_problems(loaded: LoadedData, exc: ValidationError) -> list[Problem]:
    """Locate every pydantic error in the data files."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if loc and loc[-1] == "[key]":
            # pydantic marks a bad mapping key this way; the key itself is the path.
            loc = loc[:-1]
        problems.append(Problem(loaded.where(loc), format_path(loc), _message(error)))
    return problems


class _Rules:
    """Checks that span records: ids, parents, cycles, references, dates."""

    def __init__(self, data: Data, loaded: LoadedData, today: dt.date):
        self.data = data
        self.loaded = loaded
        self.today = today
        self.problems: list[Problem] = []

    def add(self, path: PathKey, message: str) -> None:
        """Record a problem at ``path``."""
        self.problems.append(Problem(self.loaded.where(path), format_path(path), message))

    def unique_ids(self, section: str, records: Iterable[Any], taken: dict[str, PathKey]) -> None:
        """Ids must be unique within a section (and units must not reuse the department's)."""
        for i, record in enumerate(records):
            path = (section, i, "id")
            if record.id in taken:
                self.add(path, f"duplicate id '{record.id}' (already used at {format_path(taken[record.id])})")
            else:
                taken[record.id] = path

    def parents(self) -> None:
        """Every parent exists, and following parents always reaches the department."""
        known = {self.data.department.id} | {u.id for u in self.data.units}
        parent_of = {u.id: u.parent for u in self.data.units}
        for i, unit in enumerate(self.data.units):
            if unit.parent == unit.id:
                self.add(("units", i, "parent"), f"unit '{unit.id}' cannot be its own parent")
            elif unit.parent not in known:
                hint = _suggest(unit.parent, known)
                self.add(("units", i, "parent"), f"unknown unit '{unit.parent}'{hint}")
        reported: set[frozenset[str]] = set()
        for i, unit in enumerate(self.data.units):
            chain, current = [unit.id], unit.parent
            while current in parent_of:
                if current in chain:
                    cycle = chain[chain.index(current):] + [current]
                    key = frozenset(cycle)
                    # Report each cycle once, at the unit where it closes, and leave
                    # self-parents to the clearer message above.
                    if current == unit.id and len(key) > 1 and key not in reported:
                        reported.add(key)
                        self.add(("units", i, "parent"), f"cycle in the unit tree: {' -> '.join(cycle)}")
                    break
                chain.append(current)
                current = parent_of[current]

    def references(self) -> None:
        """Every ``sources`` entry names a known source; events name known units."""
        units = {self.data.department.id} | {u.id for u in self.data.units}
        for i, event in enumerate(self.data.history):
            for j, ref in enumerate(event.units):
                if ref not in units:
                    self.add(("history", i, "units", j), f"unknown unit '{ref}'{_suggest(ref, units)}")
        known = {s.id for s in self.data.sources}
        for section in ("units", "relationships", "history", "operations", "figures"):
            for i, record in enumerate(getattr(self.data, section)):
                self._refs((section, i), record, known)
        self._refs(("department",), self.data.department, known)

    def _refs(self, path: PathKey, record: Any, known: set[str]) -> None:
        """Check the source references of one record and of its head."""
        for j, ref in enumerate(record.sources):
            if ref not in known:
                self.add(path + ("sources", j), f"unknown source '{ref}'{_suggest(ref, known)}")
        head = getattr(record, "head", None)
        if head is not None:
            for j, ref in enumerate(head.sources):
                if ref not in known:
                    self.add(path + ("head", "sources", j), f"unknown source '{ref}'{_suggest(ref, known)}")

    def dates(self) -> None:
        """Years and dates of the past cannot lie in the future."""
        year = self.today.year
        for i, unit in enumerate(self.data.units):
            if unit.created is not None and unit.created > year:
                self.add(("units", i, "created"), f"year {unit.created} is in the future")
        for i, event in enumerate(self.data.history):
            if event.year > year:
                self.add(("history", i, "year"), f"year {event.year} is in the future")
        for i, op in enumerate(self.data.operations):
            if op.start > year:
                self.add(("operations", i, "start"), f"year {op.start} is in the future")
        for i, fig in enumerate(self.data.figures):
            if fig.as_of > self.today:
                self.add(("figures", i, "as_of"), f"date {fig.as_of.isoformat()} is in the future")
            if fig.period_start and fig.period_end and fig.period_start > fig.period_end:
                self.add(("figures", i, "period_end"), "period ends before it starts")


def validate(loaded: LoadedData, today: dt.date | None = None) -> Data:
    """Validate loaded data into a ``Data`` model, or raise DataError with every problem."""
    try:
        data = Data.model_validate(loaded.values)
    except ValidationError as exc:
        raise DataError(_pydantic_problems(loaded, exc)) from None
    rules = _Rules(data, loaded, today or dt.date.today())
    rules.unique_ids("units", data.units, {data.department.id: ("department", "id")})
    for section in ("relationships", "operations", "figures", "sources"):
        rules.unique_ids(section, getattr(data, section), {})
    rules.parents()
    rules.references()
    rules.dates()
    if rules.problems:
        raise DataError(rules.problems)
    return data
