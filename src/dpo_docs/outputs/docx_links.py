"""Runs of a rendered Word file cut where a reader expects more than plain text.

Web addresses become real hyperlinks in the Hyperlink character style; French
ordinals' letters (1er, XXe) become superscript, as the PDF prints them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

# An address as the data writes them (model.Source.url); the punctuation that ends a
# sentence after it is not part of it.
URL = re.compile(r"https?://[^\s<>\"«»\u200e\u200f]+")  # direction marks frame it, never belong to it
TRAILING = ".,;:!?)]’'"
HYPERLINK_STYLE = "Hyperlink"  # Word's built-in name: Word and LibreOffice style links by it
LINK_COLOR = "0563C1"  # Word's own hyperlink blue: 5.9:1 on white
# The parts whose runs a reader sees as text.
TEXT_PARTS = ("document.main+xml", "header+xml", "footer+xml", "footnotes+xml", "endnotes+xml")


def link_addresses(document: Any) -> int:
    """Turn every address printed in a run of the document into a hyperlink; return how many.

    Each link is a ``w:hyperlink`` to an external relationship of its own part, whose
    run keeps the run's properties and takes the Hyperlink style (added when the
    template lacks it). Parts and runs are walked in document order, so relationship
    ids come out the same for the same input.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    count = 0
    for part, run in text_runs(document):
        if run.getparent().tag == qn("w:hyperlink"):
            continue
        pieces = _pieces(run, _addresses)
        if pieces is None:
            continue
        props = run.find(qn("w:rPr"))
        for text, url in pieces:
            new = _run(text, props, linked=url is not None)
            if url is not None:
                link = run.makeelement(qn("w:hyperlink"), {
                    qn("r:id"): part.relate_to(url, RT.HYPERLINK, is_external=True),
                    qn("w:history"): "1",
                })
                link.append(new)
                new = link
                count += 1
            run.addprevious(new)
        run.getparent().remove(run)
    if count:
        ensure_hyperlink_style(document)
    return count


def raise_ordinals(document: Any, lang: str) -> int:
    """Set French ordinals' letters ("er" of 1er) in superscript runs; return how many."""
    from docx.oxml.ns import qn

    from dpo_docs.typography import raised

    count = 0
    for _part, run in text_runs(document):
        pieces = _pieces(run, lambda text: raised(text, lang))
        if pieces is None or not any(up for _, up in pieces):
            continue
        props = run.find(qn("w:rPr"))
        for text, up in pieces:
            run.addprevious(_run(text, props, linked=False, superscript=up))
            count += up
        run.getparent().remove(run)
    return count


def text_runs(document: Any) -> list[tuple[Any, Any]]:
    """Every (part, run) of the parts a reader sees as text, in document order (a list: callers replace runs)."""
    from docx.oxml.ns import qn

    found = []
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None and part.content_type.endswith(TEXT_PARTS):
            found += [(part, run) for run in element.iter(qn("w:r"))]
    return found


def _pieces(run: Any, cut: Any) -> list[tuple[str, Any]] | None:
    """The run's text cut by ``cut`` into (text, tag), or None when nothing is to cut.

    Only runs made of properties and text are cut; a run holding a tab, a break or a
    field is left as it is.
    """
    from docx.oxml.ns import qn

    if any(child.tag not in (qn("w:rPr"), qn("w:t")) for child in run):
        return None
    text = "".join(t.text or "" for t in run.findall(qn("w:t")))
    return cut(text) if text else None


def _addresses(text: str) -> list[tuple[str, str | None]] | None:
    """``text`` cut into (text, address or None), or None when it has no address."""
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in URL.finditer(text):
        url = match.group().rstrip(TRAILING)
        if match.start() > start:
            pieces.append((text[start:match.start()], None))
        pieces.append((url, url))
        start = match.start() + len(url)
    if not pieces:
        return None
    if start < len(text):
        pieces.append((text[start:], None))
    return pieces


def _run(text: str, props: Any, *, linked: bool, superscript: bool = False) -> Any:
    """A run of ``text`` with a copy of ``props``, in the Hyperlink style when ``linked``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    rpr = copy.deepcopy(props) if props is not None else None
    if linked:
        if rpr is None:
            rpr = OxmlElement("w:rPr")
        for old in rpr.findall(qn("w:rStyle")):
            rpr.remove(old)
        style = OxmlElement("w:rStyle")
        style.set(qn("w:val"), HYPERLINK_STYLE)
        rpr.insert(0, style)  # the schema puts rStyle first
    if superscript:
        if rpr is None:
            rpr = OxmlElement("w:rPr")
        rpr.get_or_add_vertAlign().set(qn("w:val"), "superscript")
    if rpr is not None:
        run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    return run


def ensure_hyperlink_style(document: Any) -> None:
    """Add the Hyperlink character style (blue, underlined) unless the template has one."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    styles = document.styles
    if any(s.get(qn("w:styleId")) == HYPERLINK_STYLE for s in styles.element.findall(qn("w:style"))):
        return
    style = styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    style.base_style = styles["Default Paragraph Font"]
    style.font.color.rgb = RGBColor.from_string(LINK_COLOR)
    style.font.underline = True
    style.priority = 99
    style.unhide_when_used = True
    style.element.attrib.pop(qn("w:customStyle"), None)  # Word's own style, not a custom one
