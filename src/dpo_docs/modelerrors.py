"""The model's errors told in the words of a data file: what is wrong, at which value, and what would be right."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from dpo_docs import langcodes
from dpo_docs.errors import Problem
from dpo_docs.loader import LoadedData, PathKey, format_path
from dpo_docs.model import Data

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
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


def suggest(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or nothing."""
    if len(word) > 100:
        return ""  # nothing is close to a pasted paragraph, and difflib would crawl
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {describe(close[0])}?)" if close else ""


def describe(value: Any) -> str:
    """A short, readable rendering of an offending value; control characters escaped."""
    if isinstance(value, dt.date):
        return str(value)  # 2025-05-27 10:30:00, as the data file writes it
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {len(str(value)) if value.bit_length() < 10_000 else 'many'}-digit number"
    if isinstance(value, str) and len(value) > 60:
        value = value[:60]  # repr of a megabyte would cost a megabyte
        return repr(value)[:57] + "…"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _message(error: Mapping[str, Any]) -> str:
    """Turn one pydantic error into a sentence a data editor understands."""
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    if kind == "missing":
        if len(loc) == 1:
            return f"missing section: no data file has '{loc[0]}:'"
        return f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        hint = suggest(str(loc[-1]), allowed)
        if not hint and allowed:
            hint = f" (allowed: {', '.join(allowed)})"
        what = "section" if len(loc) == 1 else "field"
        return f"unknown {what} {describe(loc[-1])}{hint}"
    if kind == "string_type" and isinstance(value, (bool, int, float, dt.date)):
        # YAML reads yes, no, 1948 and 2019-01-01 as values, not text.
        return f"expected text, got {describe(value)} (put it in quotes to make it text)"
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, got {describe(value)}"
    if kind in ("date_from_datetime_inexact", "date_from_datetime_parsing"):
        return f"expected a date (YYYY-MM-DD) without a time, got {describe(value)}"
    if kind == "finite_number":
        return f"expected a finite number, got {describe(value)}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{describe(value)} is not one of {expected}"
    if kind == "string_pattern_mismatch":
        field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
        if field in ("id", "parent") or field == "sources" or isinstance(loc[-1], int):
            return f"{describe(value)} is not a valid id (lower-case letters, digits and '-')"
        if field == "url":
            return f"{describe(value)} is not an http(s) address"
        from dpo_docs.i18n import available_languages

        hint = langcodes.hint([value], available_languages()) if isinstance(value, str) else ""
        return f"{describe(value)} is not a valid language code (e.g. 'fr', 'en'){hint}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{describe(value)} is out of range ({error['msg'].lower()})"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return f"text is too long (max {error['ctx']['max_length']} characters)"
    if kind == "too_long":
        ctx = error["ctx"]
        return f"too many entries ({ctx['actual_length']}; max {ctx['max_length']})"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"][0].lower() + error["msg"][1:]


def pydantic_problems(loaded: LoadedData, exc: ValidationError) -> list[Problem]:
    """Locate every pydantic error in the data files."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if loc and loc[-1] == "[key]":
            # pydantic marks a bad mapping key this way; the key itself is the path.
            loc = loc[:-1]
        message = _message(error)
        if error["type"] == "string_type" and loc in loaded.as_text:
            message += f"; {loaded.as_text[loc]}"  # [Office] or {Office}, meant as a text
        problems.append(Problem(loaded.where(loc), format_path(loc), message))
    return problems
