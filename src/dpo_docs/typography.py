"""Typography by rule: the spaces, quotes, apostrophes and ordinals each language prints.

``apply`` takes plain text and gives plain text; running it twice gives the same text.
URLs, e-mail addresses and code-like ids (``S/RES/1925``, ``editor_note``) are left as
they are. ``markup`` gives the same text as HTML, with French ordinals in superscript
and the last word of the text kept from hyphenation.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

NBSP = "\u00a0"  # NO-BREAK SPACE: a word space that never breaks
NNBSP = "\u202f"  # NARROW NO-BREAK SPACE: the French "espace fine insécable"
_SPACES = "[ \t\u00a0\u202f]"

# Left alone: addresses and ids, whose ':' '/' '?' and quotes are not prose. A URL's final
# punctuation belongs to the sentence around it.
_PROTECTED = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b\w*[_/]\w[\w/._-]*",  # an id: S/RES/1925, SGA/1705, editor_note
    re.IGNORECASE,
)

# French, after the Imprimerie nationale's rules: a narrow no-break space before ; ! ? and
# inside « », a full-width no-break space before the colon (the Lexique's "espace mot
# insécable", wider than the fine space), as the colon label of the catalogs already does.
_FR_TIGHT = re.compile(rf"(?<=[^\s\u00a0\u202f;:!?«(\[]){_SPACES}*([;!?])|{_SPACES}+([;!?])")
_FR_COLON = re.compile(rf"(?<=[^\s\u00a0\u202f;:!?«(\[]){_SPACES}*:(?!\d)|{_SPACES}+:(?!\d)")
_FR_OPEN = re.compile(rf"«{_SPACES}*")
_FR_CLOSE = re.compile(rf"{_SPACES}*»")
# A straight double quote opens at the start or after a space or bracket, else it closes.
_OPENING_QUOTE = re.compile(r"(^|(?<=[\s\u00a0\u202f(\[—–-]))\"")
_EN_SPACE_BEFORE = re.compile(rf"{_SPACES}+(?=[;:!?])")
_OPENING_SINGLE = re.compile(r"(^|(?<=[\s\u00a0\u202f(\[—–-]))'(?=[^\W\d_])")

# A number and the word it counts or dates stay on one line ("11 opérations", "1er avril");
# a number inside a word ("A4") is left alone. Thousands typed with a plain space ("68 000")
# are joined too, and a month to its year ("avril 2017", "April 2017").
NUMBER_AND_WORD = re.compile(r"(?<![\w.,])(\d+(?:[.,\u202f\u00a0]\d+)*(?:er|re|e|st|nd|rd|th)?) (?=[^\W\d_])")
THOUSANDS = re.compile(r"(?<![\w.,])(\d{1,3}) (?=\d{3}\b)")
_MONTHS = ("janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
           "|January|February|March|April|May|June|July|August|September|October|November|December")
MONTH_AND_YEAR = re.compile(rf"\b({_MONTHS}) (?=\d{{4}}\b)")

# French ordinals, printed with their letters raised: 1er, 1re, 2e, 21es, XXe siècle. A Roman
# numeral counts only in capitals I, V and X followed by "e", or as "Ier": "Ce" and "Vers"
# are words.
_FR_ORDINAL = re.compile(r"(?<![\w.,])(\d+(?=(?:ers?|res?|es?)(?!\w))|[IVX]+(?=e(?!\w))|I(?=er(?!\w)))(\w+)")
# Stands for a protected piece while the rules run (private-use characters: never in data).
_HOLD = "\ue000{}\ue001"
_HELD = re.compile("\ue000(\\d+)\ue001")


def _by_rule(text: str, lang: str) -> str:
    """``text`` (with no protected part in it) set by ``lang``'s rules."""
    text = text.replace("'", "’") if lang == "fr" else text
    if lang == "fr":
        if '"' in text:
            text = _OPENING_QUOTE.sub("«", text).replace('"', "»")
        text = _FR_OPEN.sub("«" + NNBSP, text)
        text = _FR_CLOSE.sub(NNBSP + "»", text)
        text = _FR_TIGHT.sub(lambda m: NNBSP + (m.group(1) or m.group(2)), text)
        text = _FR_COLON.sub(NBSP + ":", text)
    elif lang == "en":
        text = _EN_SPACE_BEFORE.sub("", text)
        if '"' in text:
            text = _OPENING_QUOTE.sub("“", text).replace('"', "”")
        if "'" in text:
            text = _OPENING_SINGLE.sub("‘", text).replace("'", "’")
    else:
        return text
    return keep_numbers_with_words(text)


def keep_numbers_with_words(text: str) -> str:
    """``text`` with each number joined to the word after it, and each month to its year."""
    text = THOUSANDS.sub("\\1" + NBSP, text)
    text = NUMBER_AND_WORD.sub("\\1" + NBSP, text)
    return MONTH_AND_YEAR.sub("\\1" + NBSP, text)


def _pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, protected) in order."""
    pieces, start = [], 0
    for match in _PROTECTED.finditer(text):
        pieces.append((text[start:match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    pieces.append((text[start:], False))
    return pieces


def apply(text: str, lang: str) -> str:
    """``text`` with the spaces, quotes and apostrophes of ``lang`` (fr or en; others as is)."""
    if not text or lang not in ("fr", "en"):
        return text
    pieces = _pieces(text)
    if len(pieces) == 1:
        return _by_rule(text, lang)
    # The rules look across a protected piece (the space between an address and the ";"
    # after it): they run on the whole, each protected piece held by a placeholder.
    held = [piece for piece, protected in pieces if protected]
    marked = "".join(_HOLD.format(held.index(piece)) if protected else piece
                     for piece, protected in pieces)
    return _HELD.sub(lambda m: held[int(m.group(1))], _by_rule(marked, lang))


def raised(text: str, lang: str) -> list[tuple[str, bool]]:
    """``text`` (already set by rule) cut into (piece, raised?): French ordinals' letters are raised.

    Addresses and ids are never cut. Word sets the raised pieces as superscript runs,
    HTML in <sup>.
    """
    if lang != "fr":
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    for piece, protected in _pieces(text):
        start = 0
        if not protected:
            for match in _FR_ORDINAL.finditer(piece):
                out += [(piece[start:match.end(1)], False), (match.group(2), True)]
                start = match.end()
        out.append((piece[start:], False))
    return [(piece, up) for piece, up in out if piece]


def _html(text: str, lang: str) -> str:
    """Text already set by rule, escaped, with French ordinals' letters in <sup>."""
    return "".join(f"<sup>{escape(piece)}</sup>" if up else str(escape(piece)) for piece, up in raised(text, lang))


def markup(text: str, lang: str) -> Markup:
    """``text`` set by ``lang``'s rules as HTML: French ordinals raised, the last word never hyphenated."""
    text = apply(text, lang)
    head, space, last = text.rpartition(" ")
    if not space:  # one word: a name or a figure, kept whole by the stylesheet if need be
        return Markup(_html(text, lang))
    # A paragraph's last word split over two lines leaves a lone fragment below ("fran-/çais.").
    return Markup(f'{_html(head, lang)}{space}<span class="last-word">{_html(last, lang)}</span>')
