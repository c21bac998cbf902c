"""List the labels whose translation is marked fuzzy, by language, for translators to review.

The documents print a fuzzy translation (a label awaiting review reads better than the
French), so nothing but this list shows a translator which ones to check.
Run by ``make compile-translations``; exits 0 whatever it finds.
"""

from __future__ import annotations

from dpo_docs.i18n import MESSAGES, available_languages, fuzzy_labels, missing_labels


def main() -> int:
    """Print each language's fuzzy and missing labels, with their French source."""
    for lang in available_languages():
        fuzzy, missing = fuzzy_labels(lang), missing_labels(lang)
        if not fuzzy and not missing:
            print(f"{lang}: every label reviewed")
            continue
        print(f"{lang}: {len(fuzzy)} fuzzy label(s) to review, {len(missing)} untranslated")
        for key in fuzzy:
            print(f"  fuzzy    {key}: {MESSAGES[key]}")
        for key in missing:
            print(f"  missing  {key}: {MESSAGES[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
