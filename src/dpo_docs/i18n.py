"""Language helpers: pick a text in the wanted language, fixed labels, dates and numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:  # the models pull in pydantic, which --help should not pay for
    from dpo_docs.model import Figure

# The language the data is written in first; other languages fall back to it.
SOURCE_LANG = "fr"

# Fixed labels of the documents, by language. Later languages add a table here.
LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "briefing": "Note d’information",
        "factsheet": "Fiche d’information",
        "orgchart": "Organigramme",
        "contents": "Sommaire",
        "mission": "Mission et rôle",
        "mandate": "Mandat",
        "role": "Rôle",
        "leadership": "Direction",
        "structure": "Structure",
        "relationships": "Partenaires et relations",
        "history": "Historique",
        "timeline": "Frise chronologique",
        "operations": "Opérations de maintien de la paix en cours",
        "figures": "Chiffres clés",
        "sources": "Sources",
        "notes": "Notes",
        "page": "Page",
        "of": "sur",
        "data_as_of": "Données au",
        "revision": "révision",
        "as_of": "au",
        "source": "Source",
        "acronym": "Sigle",
        "name": "Nom",
        "location": "Lieu",
        "since": "Depuis",
        "resolutions": "Résolution(s)",
        "created": "Année de création",
        "parent": "Rattachement",
        "head": "Direction",
        "summary": "Présentation",
        "key_facts": "Faits essentiels",
        "fact": "Élément",
        "value": "Valeur",
        "subunits": "Unités rattachées",
        "chart": "Organigramme",
        "text_alternative": "Version texte de l’organigramme",
        "shared_with": "partagé avec",
        "count": "Nombre",
        "about": "environ",
        "more_than": "plus de",
        "billion_usd": "milliards de dollars des États-Unis",
        "period": "période",
        "appointed": "nommé le",
        "in_office_since": "en fonctions depuis le",
        "operations_count": "opérations",
        "kinds": "Types d’unité",
        "kind_department": "Département",
        "kind_office": "Bureau principal",
        "kind_division": "Division",
        "kind_service": "Service",
        "kind_section": "Section",
        "kind_unit": "Groupe",
        "kind_shared": "Structure partagée",
        "kind_portfolio": "Portefeuille régional",
        "legend_shared": "Bordure en tirets : unité partagée avec un autre département",
        "chart_desc": "Organigramme du {name}, unité par unité.",
        "chart_levels": "({levels} premiers niveaux ; l’organigramme complet figure dans le document Organigramme)",
        "chart_continued": "suite page {page}",
        "chart_back": "retour à la page {page}",
        "chart_from_page": "Suite de la page {pages}",
        "chart_from_pages": "Suite des pages {pages}",
        "chart_page_of": "page {page} sur {pages}",
        "legend_continued": "« suite page N » : les unités rattachées figurent page N",
    },
}


def labels_for(lang: str) -> dict[str, str]:
    """The fixed labels of ``lang``, falling back to the source language's."""
    return {**LABELS[SOURCE_LANG], **LABELS.get(lang, {})}


def pick(text: Mapping[str, str] | None, lang: str) -> tuple[str, str]:
    """The text in ``lang``, else in the source language, else in any; with its language."""
    if not text:
        return "", lang
    for candidate in (lang, SOURCE_LANG, "en"):
        if candidate in text:
            return text[candidate], candidate
    first = sorted(text)[0]
    return text[first], first


def plain(text: Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang`` (with fallback) as a plain string."""
    return pick(text, lang)[0]


def markup(text: Mapping[str, str] | None, lang: str) -> Markup:
    """The text escaped for HTML, wrapped in a ``lang`` span when it fell back."""
    value, used = pick(text, lang)
    if used != lang:
        return Markup('<span lang="{}">{}</span>').format(used, value)
    return escape(value)


def format_date(value: dt.date, lang: str) -> str:
    """A date written out for the language: ``30 juin 2025``."""
    from babel.dates import format_date as babel_date

    text = babel_date(value, format="long", locale=lang)
    if lang == "fr" and value.day == 1:
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text


def format_number(value: float, lang: str) -> str:
    """A number with the language's separators: ``68 000``."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang)


def format_figure(figure: Figure, lang: str) -> str:
    """A figure's value with its qualifier and unit: ``environ 68 000``."""
    labels = labels_for(lang)
    if figure.unit == "usd":
        amount = format_number(round(figure.value / 1e9, 2), lang)
        text = f"{amount} {labels['billion_usd']}"
    else:
        text = format_number(figure.value, lang)
    if figure.qualifier != "exact":
        text = f"{labels[figure.qualifier]} {text}"
    return text
