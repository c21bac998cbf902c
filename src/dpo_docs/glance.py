"""What a reader sees first and last: the department at a glance, who issues the documents."""

from __future__ import annotations

import re
from collections import Counter
from typing import get_args

from markupsafe import Markup

from dpo_docs.i18n import _locale, format_number, labels_for, markup, pick, plain, plural_key
from dpo_docs.model import COUNT_PLACEHOLDER, UNITS_PLACEHOLDER, Data, Department, Figure, UnitKind
from dpo_docs.typography import framed_islands

# Key figures the first page shows when no figure is flagged `key: true`: the first ones.
GLANCE_FIGURES = 4
# The end of a sentence: a full stop (or ! ?) and a space before a capital, or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«“\"])")


def key_figures(data: Data) -> tuple[Figure, ...]:
    """The figures flagged ``key``, or else the first few, in data order."""
    flagged = tuple(f for f in data.figures if f.key)
    return flagged or data.figures[:GLANCE_FIGURES]


def first_sentence(text, lang: str) -> Markup:
    """The first sentence of a text as the briefing prints it (with its language when it fell back)."""
    value, used = pick(text, lang)
    return markup({used: _SENTENCE_END.split(value.strip(), maxsplit=1)[0]}, lang)


def unit_counts(data: Data, lang: str, labels: dict[str, str]) -> list[str]:
    """The units by kind, counted with the language's plural: ``3 bureaux principaux``."""
    counts = Counter(u.kind for u in data.units)
    found = []
    for kind in get_args(UnitKind):  # the model's order: offices first
        if counts[kind]:
            key = plural_key(f"units_{kind}", counts[kind], lang)
            # replace, not format: the text may come from the data, where braces are text.
            text = labels[key].replace(COUNT_PLACEHOLDER, format_number(counts[kind], lang))
            found.append(text.replace(" ", "\u00a0", 1))
    return found


def structure_sentence(data: Data, lang: str, labels: dict[str, str]) -> str:
    """The structure in one sentence: ``Le département compte 3 bureaux principaux, 1 division…``."""
    from babel.lists import format_list

    counts = unit_counts(data, lang, labels)
    if not counts:
        return ""
    return labels["structure_sentence"].replace(UNITS_PLACEHOLDER, format_list(counts, locale=_locale(lang)))


def contact_line(dept: Department, lang: str) -> str:
    """Who issues the documents and how to reach them, on one line; empty without a contact."""
    contact = dept.contact
    if contact is None:
        return ""
    parts = [plain(contact.name, lang), plain(contact.address, lang), contact.url or "", contact.email or ""]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    labels = labels_for(lang)
    return framed_islands(f"{labels['contact']}{labels['colon']} " + " — ".join(parts), lang)


def colophon(dept: Department, lang: str) -> list[str]:
    """The closing lines of a document: the contact, then the disclaimer; only those the data has."""
    return [line for line in (contact_line(dept, lang), plain(dept.disclaimer, lang)) if line]
