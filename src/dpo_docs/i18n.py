"""Language helpers: pick a text in the wanted language, fixed labels, dates and numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from dpo_docs import typography

if TYPE_CHECKING:  # the models pull in pydantic, which --help should not pay for
    from dpo_docs.model import Figure

# The language the data is written in first, and of the labels' msgids; the last resort of
# every fallback chain but its own (DEFAULT_FALLBACKS).
SOURCE_LANG = "fr"

# The fixed labels of the documents, keyed by name. Their text is the French msgid of
# the gettext catalogs under locale/ (French is the source language); the key is the
# message context, so one French word can take two translations. `make extract` and
# `make update-translations` keep the catalogs in step with this table.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
# The languages an untranslated text falls back to, in order, by document language: an
# Arabic or Chinese edition shows English where it has no text of its own, as UN
# documents in those languages do. The ``fallbacks`` setting replaces a language's chain.
DEFAULT_FALLBACKS: dict[str, tuple[str, ...]] = {
    "ar": ("en", "fr"), "en": ("fr",), "es": ("en", "fr"), "fr": ("en",),
    "ru": ("en", "fr"), "zh": ("en", "fr"),
}
# Babel locales for dates and numbers: British English writes "30 November 2026";
# Chinese is the Simplified Chinese of the United Nations.
BABEL_LOCALES = {"en": "en_GB", "zh": "zh_Hans"}
# Joins a number to the word it counts, so no line, page or cell ever splits them.
NBSP = "\u00a0"
# Money is printed in millions below a billion, in billions from there. Decimals kept:
# two for billions (to the nearest US$10 million, as the budgets are published: 5,38),
# one for millions (to the nearest US$100 000), three below one million so a small
# amount does not print as 0; trailing zeros are dropped (152,3 and 1, never 152,30).
MONEY_SCALES = (  # (size, label key, decimals), largest first
    (Decimal(10) ** 9, "billion_usd", 2),
    (Decimal(10) ** 6, "million_usd", 1),
)
SMALL_MONEY_DECIMALS = 3
# Chinese counts large amounts in 亿 (10^8) and 万 (10^4), as UN Chinese budget documents
# do ("53.8亿美元"), not in millions: three decimals of 亿 keep the US$100 000 of precision.
MONEY_SCALES_BY_LANG = {
    "zh": ((Decimal(10) ** 8, "hundred_million_usd", 3), (Decimal(10) ** 4, "ten_thousand_usd", 0)),
}


def N_(context: str, message: str) -> str:
    """Mark a label for extraction (pgettext-style: context, message); returns it as is."""
    return message


MESSAGES: dict[str, str] = {
    "briefing": N_("briefing", "Note d’information"),
    "factsheet": N_("factsheet", "Fiche d’information"),
    "orgchart": N_("orgchart", "Organigramme"),
    "contents": N_("contents", "Sommaire"),
    "mission": N_("mission", "Mission et rôle"),
    "mandate": N_("mandate", "Mandat"),
    "role": N_("role", "Rôle"),
    "leadership": N_("leadership", "Direction"),
    "structure": N_("structure", "Structure"),
    "relationships": N_("relationships", "Partenaires et relations"),
    "history": N_("history", "Historique"),
    "timeline": N_("timeline", "Frise chronologique"),
    "operations": N_("operations", "Opérations de maintien de la paix en cours"),
    "figures": N_("figures", "Chiffres clés"),
    "sources": N_("sources", "Sources"),
    "notes": N_("notes", "Notes"),
    "page": N_("page", "Page"),
    "of": N_("of", "sur"),
    "data_as_of": N_("data_as_of", "Données au"),
    "revision": N_("revision", "révision"),
    "as_of": N_("as_of", "au"),
    "source": N_("source", "Source"),
    "back_to_text": N_("back_to_text", "Retour au texte (source {n})"),
    "general_sources": N_("general_sources", "Sources générales"),
    "acronym": N_("acronym", "Sigle"),
    "name": N_("name", "Nom"),
    "location": N_("location", "Lieu"),
    "since": N_("since", "Depuis"),
    "resolutions": N_("resolutions", "Résolution(s)"),
    "created": N_("created", "Année de création"),
    "parent": N_("parent", "Rattachement"),
    "head": N_("head", "Direction"),
    "summary": N_("summary", "Présentation"),
    "key_facts": N_("key_facts", "Faits essentiels"),
    "fact": N_("fact", "Élément"),
    "value": N_("value", "Valeur"),
    "subunits": N_("subunits", "Unités rattachées"),
    "chart": N_("chart", "Organigramme"),
    "text_alternative": N_("text_alternative", "Version texte de l’organigramme"),
    "shared_with": N_("shared_with", "partagé avec"),
    "count": N_("count", "Nombre"),
    "about": N_("about", "environ"),
    "more_than": N_("more_than", "plus de"),
    # Amounts of money, one label per scale and plural form: the key ending in _one,
    # _few or _many serves that CLDR category of the document's language (French "one":
    # below 2; Russian "few": 2-4, "many": 5-20), the bare key every other (plural_key).
    # French has no few or many: its msgids there are the plural, for the contexts only.
    "million_usd_one": N_("million_usd_one", "{amount} million de dollars des États-Unis"),
    "million_usd_few": N_("million_usd_few", "{amount} millions de dollars des États-Unis"),
    "million_usd_many": N_("million_usd_many", "{amount} millions de dollars des États-Unis"),
    "million_usd": N_("million_usd", "{amount} millions de dollars des États-Unis"),
    "billion_usd_one": N_("billion_usd_one", "{amount} milliard de dollars des États-Unis"),
    "billion_usd_few": N_("billion_usd_few", "{amount} milliards de dollars des États-Unis"),
    "billion_usd_many": N_("billion_usd_many", "{amount} milliards de dollars des États-Unis"),
    "billion_usd": N_("billion_usd", "{amount} milliards de dollars des États-Unis"),
    # The scales of Chinese (MONEY_SCALES_BY_LANG): 亿 and 万 of dollars.
    "hundred_million_usd": N_("hundred_million_usd", "{amount} centaines de millions de dollars des États-Unis"),
    "ten_thousand_usd": N_("ten_thousand_usd", "{amount} dizaines de milliers de dollars des États-Unis"),
    "period": N_("period", "période"),
    "appointed": N_("appointed", "nommé le"),
    "in_office_since": N_("in_office_since", "en fonctions depuis le"),
    "operations_count": N_("operations_count", "opérations"),
    "kinds": N_("kinds", "Types d’unité"),
    "kind_department": N_("kind_department", "Département"),
    "kind_office": N_("kind_office", "Bureau principal"),
    "kind_division": N_("kind_division", "Division"),
    "kind_service": N_("kind_service", "Service"),
    "kind_section": N_("kind_section", "Section"),
    "kind_unit": N_("kind_unit", "Groupe"),
    "kind_shared": N_("kind_shared", "Structure partagée"),
    "kind_portfolio": N_("kind_portfolio", "Portefeuille régional"),
    "legend_shared": N_("legend_shared", "Bordure en tirets : unité partagée avec un autre département"),
    "chart_desc": N_("chart_desc", "Organigramme du {name}, unité par unité."),
    "chart_alt_size": N_("chart_alt_size", "{units} unités sur {levels} niveaux."),
    "chart_alt_top": N_("chart_alt_top", "Au sommet\u00a0: {units}."),
    "chart_alt_next": N_("chart_alt_next", "Au niveau suivant\u00a0: {units}."),
    "chart_alt_sep": N_("chart_alt_sep", "\u00a0; "),
    "chart_levels": N_("chart_levels", "(niveaux représentés\u00a0: {levels}\u202f; unités non représentées\u00a0: {hidden})"),
    "chart_see_handout": N_("chart_see_handout", "Structure complète\u00a0: voir l’organigramme (orgchart.pdf)"),
    "chart_continued": N_("chart_continued", "suite page {page}"),
    "chart_back": N_("chart_back", "retour à la page {page}"),
    "chart_from_page": N_("chart_from_page", "Suite de la page {pages}"),
    "chart_from_pages": N_("chart_from_pages", "Suite des pages {pages}"),
    "chart_page_of": N_("chart_page_of", "page {page} sur {pages}"),
    "legend_continued": N_("legend_continued", "« suite page N » : les unités rattachées figurent page N"),
    # The web edition's interactive chart: its controls and the help its canvas gives.
    "chart_canvas": N_("chart_canvas", "Organigramme interactif"),
    "chart_help": N_("chart_help", "Flèches\u00a0: passer d’une unité à l’autre\u202f; Entrée\u00a0: replier ou déplier une branche\u202f; sur le fond\u00a0: flèches pour déplacer, + et − pour zoomer."),
    "chart_controls": N_("chart_controls", "Commandes de l’organigramme"),
    "chart_search": N_("chart_search", "Rechercher une unité (nom ou sigle)"),
    "chart_matches": N_("chart_matches", "Unités trouvées\u00a0: {n}"),
    "chart_zoom_in": N_("chart_zoom_in", "Agrandir"),
    "chart_zoom_out": N_("chart_zoom_out", "Réduire"),
    "chart_zoom_reset": N_("chart_zoom_reset", "Vue d’ensemble"),
    "colon": N_("colon", "\u00a0:"),
    # The first page, the glossary and the issuer (glance.py, glossary.py).
    "glance": N_("glance", "En bref"),
    "glossary": N_("glossary", "Sigles et acronymes"),
    "contact": N_("contact", "Contact"),
    "structure_sentence": N_("structure_sentence", "Le département compte {units}."),
    "units_office_one": N_("units_office_one", "{n} bureau principal"),
    "units_office_few": N_("units_office_few", "{n} bureaux principaux"),
    "units_office_many": N_("units_office_many", "{n} bureaux principaux"),
    "units_office": N_("units_office", "{n} bureaux principaux"),
    "units_division_one": N_("units_division_one", "{n} division"),
    "units_division_few": N_("units_division_few", "{n} divisions"),
    "units_division_many": N_("units_division_many", "{n} divisions"),
    "units_division": N_("units_division", "{n} divisions"),
    "units_service_one": N_("units_service_one", "{n} service"),
    "units_service_few": N_("units_service_few", "{n} services"),
    "units_service_many": N_("units_service_many", "{n} services"),
    "units_service": N_("units_service", "{n} services"),
    "units_section_one": N_("units_section_one", "{n} section"),
    "units_section_few": N_("units_section_few", "{n} sections"),
    "units_section_many": N_("units_section_many", "{n} sections"),
    "units_section": N_("units_section", "{n} sections"),
    "units_unit_one": N_("units_unit_one", "{n} groupe"),
    "units_unit_few": N_("units_unit_few", "{n} groupes"),
    "units_unit_many": N_("units_unit_many", "{n} groupes"),
    "units_unit": N_("units_unit", "{n} groupes"),
    "units_shared_one": N_("units_shared_one", "{n} structure partagée"),
    "units_shared_few": N_("units_shared_few", "{n} structures partagées"),
    "units_shared_many": N_("units_shared_many", "{n} structures partagées"),
    "units_shared": N_("units_shared", "{n} structures partagées"),
    "units_portfolio_one": N_("units_portfolio_one", "{n} portefeuille régional"),
    "units_portfolio_few": N_("units_portfolio_few", "{n} portefeuilles régionaux"),
    "units_portfolio_many": N_("units_portfolio_many", "{n} portefeuilles régionaux"),
    "units_portfolio": N_("units_portfolio", "{n} portefeuilles régionaux"),
    "semicolon": N_("semicolon", "\u202f;"),
    # The web edition: its pages' furniture and the index of documents (outputs/site.py, site_index.py).
    "site_skip": N_("site_skip", "Aller au contenu"),
    "site_nav": N_("site_nav", "Navigation du site"),
    "site_index": N_("site_index", "Tous les documents"),
    "site_documents": N_("site_documents", "Documents publiés"),
    "site_document": N_("site_document", "Document"),
    "site_format": N_("site_format", "Format"),
    "site_size": N_("site_size", "Taille"),
    "site_language": N_("site_language", "Langue"),
    "site_size_kb": N_("site_size_kb", "{size} Ko"),
    "site_web_page": N_("site_web_page", "page web"),
}


def direction(lang: str) -> str:
    """"rtl" for a right-to-left language, else "ltr"."""
    return "rtl" if lang.split("-")[0] in typography.RTL_LANGS else "ltr"


def available_languages() -> tuple[str, ...]:
    """The source language and every language with a catalog under locale/."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (SOURCE_LANG, *sorted(found - {SOURCE_LANG}))


@cache
def _entries(lang: str) -> dict[tuple[str, str], tuple[str, bool]]:
    """The translations of ``lang``: (context, French msgid) -> (text, fuzzy)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=_locale(lang))
    return {(m.context or "", m.id): (m.string, m.fuzzy) for m in catalog
            if m.id and m.string and isinstance(m.id, str) and isinstance(m.string, str)}


def _catalog(lang: str) -> dict[tuple[str, str], str]:
    """The translations of ``lang``, fuzzy ones included: a label awaiting review is printed,
    and listed by ``fuzzy_labels`` so that a translator knows what to check."""
    return {key: text for key, (text, _) in _entries(lang).items()}


def fuzzy_labels(lang: str) -> list[str]:
    """The label keys whose translation in ``lang`` is marked fuzzy (awaiting review)."""
    entries = _entries(lang)
    return [key for key, msgid in MESSAGES.items() if entries.get((key, msgid), ("", False))[1]]


def missing_labels(lang: str) -> list[str]:
    """The label keys with no translation in ``lang``'s catalog."""
    if lang == SOURCE_LANG:
        return []
    catalog = _catalog(lang)
    return [key for key, msgid in MESSAGES.items() if (key, msgid) not in catalog]


@cache
def labels_for(lang: str) -> dict[str, str]:
    """The fixed labels in ``lang``; an untranslated one stays in the source language."""
    # Set by the language's typographic rules, as the data's texts are (typography.py).
    if lang == SOURCE_LANG:
        return {key: typography.apply(msgid, lang) for key, msgid in MESSAGES.items()}
    catalog = _catalog(lang)
    return {key: typography.apply(catalog[key, msgid], lang) if (key, msgid) in catalog
            else typography.apply(msgid, SOURCE_LANG) for key, msgid in MESSAGES.items()}


# The fallback chains of the render under way (the ``fallbacks`` setting over the
# defaults); set by ``using_fallbacks`` around each document's context and render.
_fallbacks: ContextVar[Mapping[str, tuple[str, ...]]] = ContextVar("dpo_docs_fallbacks", default=DEFAULT_FALLBACKS)


def fallback_chain(lang: str) -> tuple[str, ...]:
    """The languages a ``lang`` document tries, in order: its own, then its chain."""
    chain = _fallbacks.get().get(lang, (SOURCE_LANG,))
    return tuple(dict.fromkeys((lang, *chain)))


@contextmanager
def using_fallbacks(fallbacks: Mapping[str, tuple[str, ...]] | None) -> Iterator[None]:
    """Texts picked inside the block follow ``fallbacks`` (by language; others keep the defaults)."""
    token = _fallbacks.set({**DEFAULT_FALLBACKS, **(fallbacks or {})})
    try:
        yield
    finally:
        _fallbacks.reset(token)


def pick(text: Mapping[str, str] | None, lang: str) -> tuple[str, str]:
    """The text in ``lang``, else in the first language of its chain that has it, else in any; with its language."""
    if not text:
        return "", lang
    for candidate in fallback_chain(lang):
        if candidate in text:
            return text[candidate], candidate
    first = sorted(text)[0]
    return text[first], first


def plain(text: Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang`` (with fallback) as a plain string.

    A fallback written in the other direction (French inside an Arabic document) is
    framed by invisible marks of its own direction, so its final punctuation stays at
    its end in Word and in the charts.
    """
    value, used = pick(text, lang)
    value = typography.apply(value, used)  # a fallback keeps its own language's rules
    if value and direction(used) != direction(lang):
        mark = "\u200f" if direction(used) == "rtl" else "\u200e"
        return f"{mark}{value}{mark}"
    return value


def markup(text: Mapping[str, str] | None, lang: str) -> Markup:
    """The text escaped for HTML and set by its language's rules, in a ``lang`` span when it fell back.

    Its numbers stay on one line with the word they count ("11 opérations"), French
    ordinals are raised (1<sup>er</sup>) and its last word is never hyphenated.
    """
    value, used = pick(text, lang)
    html = typography.markup(value, used)
    if used != lang:
        # A fallback keeps its own language, and its own direction inside an RTL page.
        if direction(used) != direction(lang):
            return Markup('<span lang="{}" dir="{}">{}</span>').format(used, direction(used), html)
        return Markup('<span lang="{}">{}</span>').format(used, html)
    return html


def html_date(value: dt.date, lang: str) -> Markup:
    """A date as ``format_date`` writes it, as HTML with a French ordinal raised (1<sup>er</sup>)."""
    return typography.markup(format_date(value, lang), lang)


def format_date(value: dt.date, lang: str) -> str:
    """A date written out for the language, never split across lines: ``30 juin 2025``."""
    from babel.dates import format_date as babel_date

    text = babel_date(value, format="long", locale=_locale(lang))
    if lang == "fr" and value.day == 1:
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text.replace(" ", NBSP)


def _locale(lang: str) -> str:
    """The Babel locale that writes ``lang``'s dates and numbers."""
    return BABEL_LOCALES.get(lang, lang)


def format_list(items: Iterable[object], lang: str) -> str:
    """Items joined as the language lists them (CLDR): "425, 426 et 427", "425 و426", "425、426和427"."""
    from babel.lists import format_list as babel_list

    words = [str(item) for item in items]
    return babel_list(words, style="standard", locale=_locale(lang)) if words else ""


def format_number(value: float | Decimal, lang: str) -> str:
    """A number with the language's separators: ``68 000``."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(lang))


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """``value`` to ``decimals`` places with trailing zeros dropped: 1.00 -> 1, 152.30 -> 152.3."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    # Without trailing zeros the plural rules see 1, not 1.00 (which English counts as "other").
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral() else rounded.normalize()


def plural_key(key: str, count: float | Decimal, lang: str) -> str:
    """The label for ``count`` things: ``key_one``, ``key_few``, ``key_many`` by CLDR category, else ``key``."""
    from babel import Locale

    category = Locale.parse(_locale(lang)).plural_form(count)
    return f"{key}_{category}" if f"{key}_{category}" in MESSAGES else key


def _money_scale(value: Decimal, scales=MONEY_SCALES) -> tuple[Decimal, str, int]:
    """The scale an amount of dollars is printed in: the largest it reaches once rounded."""
    for (size, key, decimals), (smaller, _, smaller_decimals) in pairwise(scales):
        # Rounded as the smaller scale would print it: US$999.96 million reads
        # "1 billion", not "1 000 millions"; US$999.9 million stays in millions.
        if _rounded(value / smaller, smaller_decimals) * smaller >= size:
            return size, key, decimals
    return scales[-1]


def format_money(dollars: float, lang: str) -> str:
    """An amount of US dollars in millions or billions: ``152,3 millions de dollars des États-Unis``."""
    value = Decimal(repr(dollars))  # repr: 152300000.0 stays exact, not 152299999.99…
    size, key, decimals = _money_scale(value, MONEY_SCALES_BY_LANG.get(lang, MONEY_SCALES))
    amount = _rounded(value / size, decimals if value >= size else SMALL_MONEY_DECIMALS)
    label = labels_for(lang)[plural_key(key, amount, lang)]
    # The amount and the words beside it stay on one line, in every output.
    label = label.replace("{amount} ", "{amount}" + NBSP).replace(" {amount}", NBSP + "{amount}")
    return label.format(amount=format_number(amount, lang))


def format_figure(figure: Figure, lang: str) -> str:
    """A figure's value with its qualifier and unit: ``environ 68 000``."""
    if figure.unit == "usd":
        text = format_money(figure.value, lang)
    else:
        text = format_number(figure.value, lang)
    if figure.qualifier != "exact":
        text = f"{labels_for(lang)[figure.qualifier]}{NBSP}{text}"
    return text
