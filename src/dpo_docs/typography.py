"""Typography by rule: the spaces, quotes, apostrophes and ordinals each language prints.

``apply`` takes plain text and gives plain text; running it twice gives the same text.
URLs, e-mail addresses and code-like ids (``S/RES/1925``, ``editor_note``) are left as
they are. ``markup`` gives the same text as HTML, with French ordinals in superscript,
the last word of the text kept from hyphenation and, in right-to-left text, addresses and
ids kept left to right. ``finish_html`` sets the punctuation a template writes between
values (", " and the colon's space) by the language of the element it falls in.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from markupsafe import Markup, escape

NBSP = "\u00a0"  # NO-BREAK SPACE: a word space that never breaks
NNBSP = "\u202f"  # NARROW NO-BREAK SPACE: the French "espace fine insécable"
LRM = "\u200e"  # LEFT-TO-RIGHT MARK: an invisible strong left-to-right character
_STRONG_LTR = re.compile(r"[A-Za-z0-9]")
_SPACES = "[ \t\u00a0\u202f]"
# Languages written right to left: their documents get dir="rtl" and Word's bidi.
RTL_LANGS = frozenset({"ar", "fa", "he", "ur"})

# Left alone: addresses and ids, whose ':' '/' '?' and quotes are not prose. A URL's final
# punctuation belongs to the sentence around it.
_PROTECTED = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)[^\s<>\"«»\u200e\u200f]*[^\s<>\"«».,;:!?)\]\u200e\u200f]"
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
# Arabic writes its own comma, semicolon and question mark (، ؛ ؟), with no space before
# them; a comma between digits is a thousands separator and stays.
_AR_PUNCTUATION = re.compile(rf"{_SPACES}*(?:(,)(?!\d)|(?<!\d)(,)|([;?]))")
_AR_FORMS = {",": "\u060c", ";": "\u061b", "?": "\u061f"}
# Chinese full-width punctuation carries its own space: none is added after it or before it.
_ZH_FULL_WIDTH = "，。、；：！？）」』》"
_ZH_FORMS = {",": "，", ";": "；"}
_ZH_SPACING = re.compile(rf"(?<=[{_ZH_FULL_WIDTH}]){_SPACES}+|{_SPACES}+(?=[{_ZH_FULL_WIDTH}])")

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
_RULED = frozenset({"fr", "en", "ar", "zh"})  # the languages with rules here; others as written


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
    elif lang == "ar":
        text = _AR_PUNCTUATION.sub(lambda m: _AR_FORMS[next(g for g in m.groups() if g)], text)
    elif lang == "zh":
        return _ZH_SPACING.sub("", text)
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
    """``text`` with the spaces, quotes, apostrophes and punctuation of ``lang`` (fr, en, ar, zh)."""
    # The same names are set again in every view of every document, and again at each
    # rebuild of the live preview: plain strings are set once (Markup keeps its own type).
    return _applied(text, lang) if type(text) is str else _apply(text, lang)


@functools.lru_cache(maxsize=16384)
def _applied(text: str, lang: str) -> str:
    """``apply`` for a plain string, remembered."""
    return _apply(text, lang)


def _apply(text: str, lang: str) -> str:
    """``apply``, worked out."""
    if not text or lang not in _RULED:
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
    """Text already set by rule, escaped, with French ordinals' letters in <sup>.

    In right-to-left text an address or an id is an isolated left-to-right island, so its
    slashes and final characters stay where they are written (never "/https://…").
    """
    if lang.split("-")[0] in RTL_LANGS:
        # The span isolates: LRM marks framing the piece for plain text would join the
        # words around it to a left-to-right run.
        pieces = _pieces(text)
        out = []
        for index, (piece, protected) in enumerate(pieces):
            if protected:
                out.append(f'<span dir="ltr">{escape(piece)}</span>')
                continue
            if index + 1 < len(pieces):
                piece = piece.removesuffix(LRM)
            if index > 0:
                piece = piece.removeprefix(LRM)
            out.append(str(escape(piece)))
        return "".join(out)
    return "".join(f"<sup>{escape(piece)}</sup>" if up else str(escape(piece)) for piece, up in raised(text, lang))


def framed_islands(text: str, lang: str) -> str:
    """Plain ``text`` with, in a right-to-left language, each address and id framed by LRM marks.

    Where no element can isolate it (Word runs, a CSS string in a page margin), a mark on
    each side keeps an address's final "/" at its end: "https://un.org/ar/", never
    "/https://un.org/ar".
    """
    if lang.split("-")[0] not in RTL_LANGS or not text:
        return text
    pieces = _pieces(text)
    out: list[str] = []
    for index, (piece, protected) in enumerate(pieces):
        if protected and _STRONG_LTR.search(piece):
            before = "" if out and out[-1].endswith(LRM) else LRM
            after = "" if index + 1 < len(pieces) and pieces[index + 1][0].startswith(LRM) else LRM
            piece = f"{before}{piece}{after}"
        out.append(piece)
    return "".join(out)


def islands(text: str, lang: str) -> Markup:
    """Plain ``text`` (a line already composed) as HTML, its addresses and ids isolated left to right in RTL pages."""
    return Markup(_html(text, lang))


def markup(text: str, lang: str) -> Markup:
    """``text`` set by ``lang``'s rules as HTML: French ordinals raised, the last word never hyphenated."""
    text = apply(text, lang)
    head, space, last = text.rpartition(" ")
    if not space:  # one word: a name or a figure, kept whole by the stylesheet if need be
        return Markup(_html(text, lang))
    # A paragraph's last word split over two lines leaves a lone fragment below ("fran-/çais.").
    return Markup(f'{_html(head, lang)}{space}<span class="last-word">{_html(last, lang)}</span>')


# A template's HTML cut into markup (tags, comments, entities) and text. A tag ends at the
# first ">" outside its quoted attribute values: title="a > b" is part of the tag.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
_HTML_TOKEN = re.compile(rf"(<!--.*?-->|<[a-zA-Z/!?]{_ATTRS}>|&#?\w+;)", re.DOTALL)
_TAG = re.compile(rf"<(/?)([a-zA-Z][\w-]*)({_ATTRS})(/?)>", re.DOTALL)
_LANG_ATTR = re.compile(r"""\s(?:xml:)?lang\s*=\s*["']?([\w-]+)""")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_RAW = frozenset({"style", "script"})  # their content is not text
# What a template writes between values, as each language punctuates it.
_BETWEEN = {
    "ar": (re.compile(r"[,;](?= )"), lambda m: _AR_FORMS[m.group()]),
    "zh": (re.compile(rf"[,;] +|{_ZH_SPACING.pattern}"), lambda m: _ZH_FORMS.get(m.group()[:1], "")),
}


def finish_html(html: str, lang: str) -> str:
    """``html`` with the punctuation its templates wrote between values set by each text's language.

    A template joins values with ", " and follows a colon with a space; in Arabic text the
    comma is "،" and the semicolon "؛", and Chinese full-width punctuation takes no space.
    Each text is set by the ``lang`` of the element it is in, so an English passage inside
    an Arabic page keeps its Latin comma. Entities, tags, styles and scripts are left alone.
    """
    if not any(code in _BETWEEN for code in _langs_in(html, lang)):
        return html
    stack: list[tuple[str, str]] = [("", lang)]
    out = []
    for token in _HTML_TOKEN.split(html):
        tag = _TAG.fullmatch(token) if token.startswith("<") else None
        if tag:
            closing, name = tag.group(1), tag.group(2).lower()
            if closing:
                while len(stack) > 1 and stack.pop()[0] != name:
                    pass  # an element left open by a template closes with its parent
            elif not tag.group(4) and name not in _VOID:
                found = _LANG_ATTR.search(tag.group(3))
                stack.append((name, found.group(1) if found else stack[-1][1]))
        elif token and not token.startswith(("<", "&")) and stack[-1][0] not in _RAW:
            token = between(token, stack[-1][1])
        out.append(token)
    return "".join(out)


def _langs_in(html: str, lang: str) -> set[str]:
    """The languages of ``html``: its own and every ``lang`` attribute's."""
    return {lang.split("-")[0]} | {code.split("-")[0] for code in _LANG_ATTR.findall(html)}


# A fallback passage of the other direction, as plain() frames it with LRM or RLM marks.
_FRAMED = re.compile("([\u200e\u200f][^\u200e\u200f]*[\u200e\u200f])")


def between(text: str, lang: str, after: str = "") -> str:
    """Plain ``text`` with the punctuation between values set as ``finish_html`` sets it.

    ``after`` is the text just before it (the previous run of a Word paragraph), so a
    space after a Chinese colon is dropped even when it starts the next run. Passages
    framed by direction marks are fallbacks in their own language and are left alone.
    """
    rule = _BETWEEN.get(lang.split("-")[0])
    if rule is None or not text:
        return text
    out = []
    for index, piece in enumerate(_FRAMED.split(text)):
        if index % 2 == 0 and piece:
            lead = after[-1:] if index == 0 else ""
            piece = _punctuate(lead + piece, rule)[len(lead):]
        out.append(piece)
    return "".join(out)


def _punctuate(text: str, rule: tuple[re.Pattern[str], Any]) -> str:
    """``text`` with ``rule`` applied; in a text of Latin letters alone, only at its two ends.

    "Europe, Central Asia" untranslated in an Arabic page keeps its comma; the ", " a
    template puts before or after such a name joins it to the Arabic sentence.
    """
    if not _latin_only(text):
        return rule[0].sub(rule[1], text)

    def at_end(match: re.Match[str]) -> str:
        inner = match.group()[:1] in ",;" and text[:match.start()].strip() and text[match.end():].strip()
        return match.group() if inner else rule[1](match)

    return rule[0].sub(at_end, text)


def _latin_only(text: str) -> bool:
    """True when ``text`` has Latin letters and no letter of another script."""
    import unicodedata

    letters = {unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha()}
    return letters == {True}
