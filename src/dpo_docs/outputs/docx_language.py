"""A Word document's language and direction, set where Word looks for them."""

from __future__ import annotations

from typing import Any

# Elements that must follow w:bidi (and w:bidiVisual) in their parent, per the OOXML
# schema: Word refuses a file whose properties are out of order.
_AFTER_P_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                 "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                 "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                 "w:pPrChange")
_AFTER_TBL_BIDI = ("w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
                   "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                   "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_SECT_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")

# Word wants full language tags; the region is the one UN documents use.
WORD_LANG = {"fr": "fr-FR", "en": "en-GB", "ar": "ar-SA", "es": "es-ES", "ru": "ru-RU", "zh": "zh-CN"}


def word_lang(lang: str) -> str:
    """The Word language tag of a document language: ``fr`` -> ``fr-FR``."""
    return WORD_LANG.get(lang, lang)


def set_language(document: Any, lang: str, rtl: bool) -> None:
    """Mark the styles with the document's language; lay an RTL document out right to left.

    The language goes on the default run properties and on every style that names one,
    so spelling and screen readers use it. Right to left, every paragraph (headers and
    footers too) gets ``w:bidi``, tables ``w:bidiVisual`` and sections ``w:bidi``.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = word_lang(lang)
    styles = document.styles.element
    for lang_el in styles.iter(qn("w:lang")):
        lang_el.set(qn("w:val"), tag)
        if rtl:
            lang_el.set(qn("w:bidi"), tag)
        if lang == "zh":
            lang_el.set(qn("w:eastAsia"), tag)
    if not rtl:
        return
    # Every header and footer part, whatever its section or kind (first page, even pages):
    # the template engine replaces them with parts python-docx's sections do not see.
    parts = [document.element.body] + [
        part._element for part in document.part.package.iter_parts()
        if part.content_type.endswith(("header+xml", "footer+xml")) and getattr(part, "_element", None) is not None
    ]
    for section in document.sections:
        sect_pr = section._sectPr
        if sect_pr.find(qn("w:bidi")) is None:
            sect_pr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_SECT_BIDI)
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            p_pr = paragraph.get_or_add_pPr()
            if p_pr.find(qn("w:bidi")) is None:
                p_pr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_P_BIDI)
        for table_pr in part.iter(qn("w:tblPr")):
            if table_pr.find(qn("w:bidiVisual")) is None:
                table_pr.insert_element_before(OxmlElement("w:bidiVisual"), *_AFTER_TBL_BIDI)


# The strong directions of characters, as the Unicode bidi algorithm classes them.
_RTL_CLASSES = frozenset({"R", "AL"})


def set_runs(document: Any, lang: str, rtl: bool) -> int:
    """Give each text run its direction and its language's punctuation; return the runs marked ``w:rtl``.

    Right to left, a run that starts with Arabic (or holds no letter, as a number or a
    bracket) gets ``w:rtl``, so Word orders its digits and mirrors its brackets as Arabic
    text; a run of Latin text stays left to right, and an address keeps its final "/" at
    its end (framed by LRM marks). The punctuation a template writes
    between values follows the language (", " is "، " in Arabic; Chinese full-width
    punctuation takes no space after it, even when the space starts the next run); a
    fallback passage, framed by direction marks, keeps its own.
    """
    from docx.oxml.ns import qn

    from dpo_docs.outputs.docx_links import text_runs
    from dpo_docs.typography import between, framed_islands

    count = 0
    previous: dict[Any, Any] = {}  # paragraph -> its last w:t so far
    for _part, run in text_runs(document):
        texts = run.findall(qn("w:t"))
        paragraph = run.getparent()
        while paragraph is not None and paragraph.tag != qn("w:p"):
            paragraph = paragraph.getparent()
        for t in texts:
            before = previous.get(paragraph)
            text = between(t.text or "", lang, after=before.text if before is not None else "")
            t.text = framed_islands(text, lang) if rtl else text
            previous[paragraph] = t
        if rtl and texts and _first_strong(run) != "L":
            run.get_or_add_rPr().get_or_add_rtl()
            count += 1
    return count


def _first_strong(run: Any) -> str:
    """"L" or "R" for the first strongly directional character of the run's text, "" when none."""
    import unicodedata

    from docx.oxml.ns import qn

    for t in run.iter(qn("w:t")):
        for ch in t.text or "":
            kind = unicodedata.bidirectional(ch)
            if kind == "L":
                return "L"
            if kind in _RTL_CLASSES:
                return "R"
    return ""
