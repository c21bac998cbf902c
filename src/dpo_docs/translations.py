"""Which data texts and labels lack a translation into a document's language."""

from __future__ import annotations

import re
from typing import Any

from dpo_docs.errors import DataError, Location, Problem
from dpo_docs.i18n import missing_labels
from dpo_docs.loader import LoadedData, describe, format_path
from dpo_docs.model import EDITOR_NOTE
from dpo_docs.wording import COUNT_FORMS, given_labels

_LANG = re.compile(r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")


def _is_text(value: Any) -> bool:
    """True for a multilingual text: a non-empty mapping of language codes to strings."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and _LANG.match(k) and isinstance(v, str) for k, v in value.items()))


def missing_texts(values: Any, lang: str, path: tuple = ()) -> list[tuple]:
    """Paths of the texts in the loaded data that have no ``lang`` version."""
    if _is_text(values):
        return [] if lang in values else [path]
    found: list[tuple] = []
    if isinstance(values, dict):
        for key, value in values.items():
            if key != EDITOR_NOTE:  # never printed, so never missing from a document
                found += missing_texts(value, lang, path + (key,))
    elif isinstance(values, list):
        for index, value in enumerate(values):
            found += missing_texts(value, lang, path + (index,))
    return found


def _missing(values: Any, lang: str) -> list[tuple]:
    """``missing_texts``, less the count forms of a unit kind's wording that its ``other`` covers in ``lang``."""
    kinds = (values.get("wording") or {}).get("kinds") or {}

    def covered(path: tuple) -> bool:
        """A wording count form whose kind's ``other`` has a ``lang`` text: that text serves."""
        if len(path) != 4 or path[:2] != ("wording", "kinds") or path[3] not in COUNT_FORMS:
            return False
        return lang in ((kinds.get(path[2]) or {}).get("other") or {})

    return [p for p in missing_texts(values, lang) if not covered(p)]


def _labels_missing(loaded: LoadedData, lang: str) -> list[str]:
    """The labels without a ``lang`` translation that the documents print: not those the data's wording replaces."""
    given = given_labels(loaded.values.get("wording"))
    return [key for key in missing_labels(lang) if key not in given]


def report(loaded: LoadedData, langs: tuple[str, ...]) -> dict[str, dict[str, list[str]]]:
    """For each document language, the untranslated data paths and labels, and where each text is.

    ``where`` names each text as a reader finds it: ``data/units.yaml:96:5: unit 'orolsi' name``.
    """
    result = {}
    for lang in langs:  # the source language too: a text may exist only in another one
        paths = _missing(loaded.values, lang)
        labels = _labels_missing(loaded, lang)
        if paths or labels:
            result[lang] = {"data": [format_path(p) for p in paths], "labels": labels,
                            "where": [f"{loaded.where(p)}: {describe(loaded.values, p)}" for p in paths]}
    return result


def strict_problems(loaded: LoadedData, langs: tuple[str, ...]) -> DataError | None:
    """Every missing translation as a located problem, for ``--strict`` builds."""
    problems = []
    for lang in langs:
        for path in _missing(loaded.values, lang):
            # Named as a reader finds it ("unit 'oma' name"), not by its place in the lists.
            problems.append(Problem(loaded.where(path), describe(loaded.values, path),
                                    f"no '{lang}' text (strict build)"))
        for key in _labels_missing(loaded, lang):
            problems.append(Problem(Location(f"src/dpo_docs/locale/{lang}/LC_MESSAGES/messages.po"), key,
                                    f"label '{key}' is not translated (strict build)"))
    return DataError(problems) if problems else None


# Untranslated texts named one a line per language; the report lists them all.
SHOWN = 3


def summarize(missing: dict[str, dict[str, list[str]]]) -> list[str]:
    """Warning lines per language with missing translations: the count, then the first few texts, located."""
    lines = []
    for lang, found in missing.items():
        texts, labels = found["data"], found["labels"]
        where = found.get("where") or texts  # a report written before texts were located
        lines.append(f"{lang}: {len(texts)} data text(s) and {len(labels)} label(s) have no translation "
                     "and fall back to another language")
        lines += [f"{text} has no '{lang}' text" for text in where[:SHOWN]]
        if len(where) > SHOWN:
            lines.append(f"{lang}: … and {len(where) - SHOWN} more data text(s), listed in CHANGES.md")
    return lines
