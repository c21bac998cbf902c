"""The acronyms a document prints and what they stand for, gathered from the data."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from dpo_docs.errors import Problem
from dpo_docs.i18n import pick
from dpo_docs.loader import describe
from dpo_docs.model import EDITOR_NOTE, Data

# An acronym: a word of capitals and digits with at least two capitals (DDR, A4P, ONUST).
# A document symbol (PKO/827, SGA/1705) is a reference and US$ a currency sign, not
# acronyms: both are left out.
ACRONYM = re.compile(r"(?<![\w/])(?=(?:\d*[A-Z]){2})[A-Z\d]+(?![\w/$])")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")
# Sections whose records name an acronym with its expansion (their `name`).
_NAMED = ("units", "relationships", "operations")
# Values never printed, and the glossary, whose expansions explain acronyms rather than
# use them. Lists of ids (sources, units) hold no text and yield nothing.
_SKIPPED = frozenset({EDITOR_NOTE, "glossary"})


def _is_text(value: Any) -> bool:
    """True for a multilingual text: a non-empty mapping of language codes to strings."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and _LANG.match(k) and isinstance(v, str) for k, v in value.items()))


def printed_texts(values: Any, lang: str, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Each text of the data as a ``lang`` document prints it, with its path, in data order."""
    if _is_text(values):
        yield path, pick(values, lang)[0]
    elif isinstance(values, dict):
        for key, value in values.items():
            if key not in _SKIPPED:
                yield from printed_texts(value, lang, path + (key,))
    elif isinstance(values, list | tuple):
        for index, value in enumerate(values):
            if isinstance(value, str) and path[-1:] == ("shared_with",):
                yield path + (index,), value  # "partagé avec DPPA"
            else:
                yield from printed_texts(value, lang, path + (index,))


def _pairs(data: Data):
    """(acronym, expansion) of every record that has both, then of the glossary."""
    dept = data.department
    yield dept.acronym, dept.name
    for section in _NAMED:
        for record in getattr(data, section):
            if record.acronym:
                yield record.acronym, record.name
    for entry in data.glossary:
        yield entry.acronym, entry.expansion


def expansions(data: Data, lang: str) -> dict[str, Mapping[str, str]]:
    """Each acronym (as written in ``lang``, then in its other languages) and its expansion."""
    found: dict[str, Mapping[str, str]] = {}
    pairs = list(_pairs(data))
    for acronym, name in pairs:  # the document's own language first: DOMP in French
        found.setdefault(pick(acronym, lang)[0], name)
    for acronym, name in pairs:  # then the others: an English acronym in a French text
        for text in acronym.values():
            found.setdefault(text, name)
    return found


def used(values: Any, lang: str) -> dict[str, tuple]:
    """Every acronym a ``lang`` document prints, with the path of its first use."""
    found: dict[str, tuple] = {}
    for path, text in printed_texts(values, lang):
        for match in ACRONYM.finditer(text):
            found.setdefault(match.group(), path)
    return found


def entries(data: Data, lang: str, expanded: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The glossary of a ``lang`` document: acronyms it prints that have an expansion, sorted.

    ``expanded`` names acronyms the document already spells out elsewhere (a table
    giving each operation's acronym beside its name): they are not repeated.
    """
    known = expansions(data, lang)
    printed = set(used(data.model_dump(mode="json"), lang))
    printed |= {pick(acronym, lang)[0] for acronym, _ in _pairs(data) if _is_record(acronym, data)}
    # An entry of the glossary list cites its sources; a record's acronym is sourced with
    # its record, where that prints.
    listed: dict[str, Any] = {}
    for entry in data.glossary:
        listed.setdefault(pick(entry.acronym, lang)[0], entry)
    for entry in data.glossary:
        for text in entry.acronym.values():
            listed.setdefault(text, entry)
    return [{"acronym": a, "expansion": known[a],
             "sources": listed[a].sources if a in listed and listed[a].expansion is known[a] else ()}
            for a in sorted(printed - expanded, key=lambda a: (a.casefold(), a)) if a in known]


def operation_acronyms(data: Data) -> frozenset[str]:
    """Every acronym of the operations, in all their languages."""
    return frozenset(text for op in data.operations for text in op.acronym.values())


def _is_record(acronym: Mapping[str, str], data: Data) -> bool:
    """True when ``acronym`` belongs to a record (which every document shows), not to the glossary."""
    return all(entry.acronym is not acronym for entry in data.glossary)


def unexplained(loaded, data: Data, langs: tuple[str, ...]) -> list[Problem]:
    """A located warning for each acronym a document prints without an expansion."""
    problems = []
    for lang in langs:
        known = expansions(data, lang)
        for acronym, path in used(loaded.values, lang).items():
            if acronym not in known:
                problems.append(Problem(
                    loaded.where(path), describe(loaded.values, path),
                    f"acronym '{acronym}' is printed in the '{lang}' documents without an expansion; "
                    "add it to a 'glossary:' list with its expansion and sources",
                ))
    return problems
