"""The organisation's own words for the kinds of things it has, as labels that override the catalogs'."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dpo_docs.i18n import MESSAGES, plain

# Which label each top-level wording key replaces (i18n.MESSAGES).
TOP_LABELS = {"operations": "operations", "structure": "structure_sentence", "shared": "legend_shared"}
# Which label each form of a unit kind's wording replaces: "kind_office", "units_office_one"…;
# ``other`` is the bare count label, as plural_key falls back to it.
KIND_FORMS = {"name": "kind_{kind}", "one": "units_{kind}_one", "few": "units_{kind}_few",
              "many": "units_{kind}_many", "other": "units_{kind}"}
# The forms a language may leave out: it then takes its ``other`` text.
COUNT_FORMS = ("one", "few", "many")


def _texts(wording: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, str]]]:
    """(label key, text) for every text the wording gives, a count form without a language taking ``other``'s."""
    for key, label in TOP_LABELS.items():
        if wording.get(key):
            yield label, wording[key]
    for kind, forms in (wording.get("kinds") or {}).items():
        if not forms:
            continue
        other = forms.get("other") or {}
        for form, pattern in KIND_FORMS.items():
            label = pattern.format(kind=kind)
            if label not in MESSAGES or not forms.get(form if form == "name" else "other"):
                continue
            # Each language's own form, else its own ``other``: Russian's "few" never
            # leaks into an English count through the fallback chain.
            text = dict(forms.get(form) or {}) if form == "name" else {**other, **(forms.get(form) or {})}
            yield label, text


def _as_mapping(wording: Any) -> Mapping[str, Any]:
    """The wording as plain mappings, whether the model or the loaded values."""
    if hasattr(wording, "model_dump"):
        return wording.model_dump(exclude_none=True)
    return wording if isinstance(wording, Mapping) else {}


def given_labels(wording: Any) -> set[str]:
    """The label keys the data's wording replaces."""
    return {label for label, _ in _texts(_as_mapping(wording))}


def wording_labels(wording: Any, lang: str) -> dict[str, str]:
    """The labels the data's wording gives, in ``lang`` (or its fallback), set by the language's rules."""
    return {label: plain(text, lang) for label, text in _texts(_as_mapping(wording))}
