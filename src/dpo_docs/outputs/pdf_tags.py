"""PDF/UA details WeasyPrint leaves out, added to its PDF objects before they are written.

WeasyPrint (70) tags a document's structure but: table header cells carry no /Scope;
the running headers and footers (page margin boxes) are marked content of structure
elements it leaves out of the tree, instead of artifacts; a link's description is its
target ("#mission"); an element in another language has no /Lang; a chart's alt text is
its SVG <title> only; and a hyphen added at a line break reads as a real character.

The fixes work on the pydyf objects handed to WeasyPrint's ``finisher``, before the file
is written, so the bytes stay reproducible. To know which HTML element a structure
element stands for, WeasyPrint's tree builder is wrapped once: it records the pairs for
the thread that asks (``recording``), and changes nothing else.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HYPHEN = "\u2010"  # WeasyPrint's default hyphenate-character
SOFT_HYPHEN = "\u00ad"  # what a hyphen added at a line break stands for (ISO 32000-1, 14.8.2.2.3)
SVG = "{http://www.w3.org/2000/svg}"
_local = threading.local()
_TJ = re.compile(rb"^\[(.*)<([0-9a-f]*)>(-?[0-9.]*)\] TJ$", re.S)


def install(weasyprint) -> None:
    """Wrap WeasyPrint's structure builder so that ``recording`` sees each element's box (once)."""
    try:
        from weasyprint.pdf import tags
    except ImportError:  # a WeasyPrint without tagging: nothing to record
        return
    original = getattr(tags, "_build_box_tree", None)
    if original is None or getattr(original, "_dpo_docs", False):
        return

    def build_box_tree(box, *args, **kwargs):
        """WeasyPrint's builder, noting each structure element it yields with its box."""
        for element in original(box, *args, **kwargs):
            found = getattr(_local, "found", None)
            # The innermost call made the element; callers passing it up (html, body,
            # pages) are not its box.
            if found is not None and id(element) not in found.seen:
                found.seen.add(id(element))
                found.append((box, element))
            yield element

    build_box_tree._dpo_docs = True  # type: ignore[attr-defined]  # marks the wrapper as ours
    tags._build_box_tree = build_box_tree  # its recursive calls go through the wrapper too


class _Found(list):
    """Recorded pairs, and the ids of the structure elements among them."""

    def __init__(self) -> None:
        """Nothing recorded yet."""
        super().__init__()
        self.seen: set[int] = set()


@contextmanager
def recording() -> Iterator[list]:
    """The (box, structure element) pairs WeasyPrint's builder yields from this thread meanwhile."""
    found = _Found()
    _local.found = found
    try:
        yield found
    finally:
        _local.found = None


def finisher(found: list):
    """A WeasyPrint finisher completing the PDF/UA tags from the recorded pairs."""
    def finish(document, pdf) -> None:
        """Complete the tags of ``pdf``, if it has any."""
        if "StructTreeRoot" not in pdf.catalog:
            return
        for box, element in found:
            _complete(box, element)
        _as_artifacts(pdf, _leader_marks(pdf, found))
        _list_kids_in_items(pdf)
        _soft_hyphens(document, pdf)
    return finish


def _object(pdf, reference):
    """The object a reference (b"12 0 R") points to."""
    return pdf.objects[int(reference.split()[0])]


def _text(element) -> str:
    """An HTML element's text, spaces collapsed."""
    return " ".join("".join(element.itertext()).split())


def _complete(box, struct) -> None:
    """Add what WeasyPrint leaves out to one structure element: scope, link text, language, alt."""
    import pydyf

    element = getattr(box, "element", None)
    if element is None:
        return
    tag = struct["S"]
    if tag == "/TH":
        scope = element.get("scope", "col")
        struct["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:
        # What a reader is told the link is: its label, else its visible text, never its target.
        label = element.get("aria-label") or element.get("title") or _text(element)
        if label:
            annotation["Contents"] = pydyf.String(label)
    lang = element.get("lang")
    if lang and element.tag != "html":
        struct["Lang"] = pydyf.String(lang)
    if tag == "/Figure" and element.tag == f"{SVG}svg":
        # An SVG's <title> names it; its <desc> says what it shows: the alt text needs both.
        parts = [_text(part) for name in ("title", "desc")
                 if (part := element.find(f"{SVG}{name}")) is not None]
        alt = ". ".join(p.rstrip(".") for p in parts if p)
        if alt:
            struct["Alt"] = pydyf.String(alt + ".")


def _reachable(pdf) -> set[int]:
    """Numbers of the structure elements reachable from the structure tree's root."""
    seen: set[int] = set()
    stack = [pdf.catalog["StructTreeRoot"]]
    while stack:
        node = _object(pdf, stack.pop())
        kids = node.get("K", ())
        for kid in kids if isinstance(kids, (list, tuple)) else (kids,):
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                number = int(kid.split()[0])
                if number not in seen and "S" in pdf.objects[number]:
                    seen.add(number)
                    stack.append(kid)
    return seen


def _leader_marks(pdf, found: list) -> dict[int, dict[int, str]]:
    """Take the dots of leaders out of their structure elements: by page, their ids as layout artifacts.

    A leader ("Mission ........ 2") is drawn as one text per dot, each tagged, so a
    screen reader reads "point" sixty times a line. Its element keeps its link annotation;
    its dots (ids directly in a link, or kid elements, which become unreachable) go.
    """
    pages = {ref: index for index, ref in enumerate(pdf.page_references)}
    marks: dict[int, dict[int, str]] = {}
    for box, struct in found:
        if getattr(box, "is_leader", False):
            kids = struct["K"]
            page = pages[struct["Pg"]]
            marks.setdefault(page, {}).update((k, "/Layout") for k in kids if isinstance(k, int))
            struct["K"] = type(kids)(k for k in kids if isinstance(k, bytes)
                                     and _object(pdf, k).get("Type") == "/OBJR")
    return marks


def _as_artifacts(pdf, marks: dict[int, dict[int, str]]) -> None:
    """Mark content outside the structure tree (running headers, footers, leaders) as artifacts.

    WeasyPrint gives the text of page margin boxes marked-content ids whose structure
    elements it keeps out of the tree (PDF 1.7 has no artifact element). A screen reader
    then meets content that belongs to nothing; marked as a pagination /Artifact, and
    out of the parent tree, it is skipped. ``marks`` adds ids by page, with their type.
    """
    import pydyf

    reachable = _reachable(pdf)
    nums = _object(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"]
    nums = _object(pdf, nums)["Nums"]
    pages = [_object(pdf, ref) for ref in pdf.page_references]
    for index in range(0, len(nums), 2):
        key, refs = nums[index], nums[index + 1]
        if not isinstance(refs, (list, tuple)) or key >= len(pages):
            continue  # an annotation's entry
        loose = {mcid: "/Pagination" for mcid, ref in enumerate(refs)
                 if isinstance(ref, bytes) and int(ref.split()[0]) not in reachable}
        loose.update(marks.get(key, {}))
        if not loose:
            continue
        for mcid in loose:
            refs[mcid] = b"null"  # type: ignore[index]  # pydyf's arrays are lists
        ops = _object(pdf, pages[key]["Contents"]).stream
        middle = (pages[key]["MediaBox"][1] + pages[key]["MediaBox"][3]) / 2
        for i in range(len(ops) - 2):
            properties = ops[i + 1]
            if (ops[i + 2] == b"BDC" and isinstance(properties, dict)
                    and properties.get("MCID") in loose):
                kind = loose[properties["MCID"]]
                ops[i] = "/Artifact"
                ops[i + 1] = pydyf.Dictionary({"Type": kind})
                if kind == "/Pagination" and (y := _text_top(ops, i + 3)) is not None:
                    # Drawn top down (WeasyPrint flips the page): above the middle, a header.
                    ops[i + 1]["Subtype"] = "/Header" if y < middle else "/Footer"


def _text_top(ops: list, start: int) -> float | None:
    """The vertical position of the first text drawn in the marked content starting at ``start``."""
    depth = 0
    for op in ops[start:]:
        if op in (b"BDC", b"BMC"):
            depth += 1
        elif op == b"EMC":
            if depth == 0:
                return None
            depth -= 1
        elif isinstance(op, bytes) and op.endswith(b" Tm"):
            return float(op.split()[-2])
    return None


def _list_kids_in_items(pdf) -> None:
    """Move a list's kids that are not items into the item before them (PDF/UA: an L holds L, LI, Caption).

    WeasyPrint leaves some inline content of an unmarked list item (the legend's colour
    swatches) beside the item instead of inside its body.
    """
    for struct in list(pdf.objects):
        if not isinstance(struct, dict) or struct.get("S") != "/L":
            continue
        kept, item = [], None
        for kid in struct["K"]:
            child = _object(pdf, kid) if isinstance(kid, bytes) else None
            if child is None or child.get("S") in ("/L", "/LI", "/Caption") or item is None:
                kept.append(kid)
                item = child if child is not None and child.get("S") == "/LI" else item
                continue
            bodies = [_object(pdf, k) for k in item["K"] if isinstance(k, bytes)]
            body = next((b for b in bodies if b.get("S") == "/LBody"), item)
            body["K"].append(kid)
            child["P"] = body.reference
        struct["K"] = type(struct["K"])(kept)


def _soft_hyphens(document, pdf) -> None:
    """Give each hyphen added at a line break the actual text of a soft hyphen.

    WeasyPrint draws the hyphenate-character as a glyph mapped to U+2010, so copied or
    extracted text reads "ame‐ né". The hyphen is always the last glyph of its line's
    text: it is drawn apart, inside a span whose /ActualText is U+00AD. (The data writes
    its own hyphens as "-", a glyph of its own, which stays as it is.)
    """
    import pydyf

    hyphens: dict[bytes, set[bytes]] = {}
    for face in document.fonts.values():
        ids = {f"{g:04x}".encode() for g, text in face.to_unicode.items() if text == HYPHEN}
        if ids and not face.bitmap:
            hyphens[b"/" + str(face.hash).encode()] = ids
    if not hyphens:
        return
    actual = pydyf.Dictionary({"ActualText": pydyf.String(SOFT_HYPHEN)})
    for ref in pdf.page_references:
        stream = _object(pdf, _object(pdf, ref)["Contents"])
        out: list[object] = []  # content-stream operators, and the span's dictionary
        ops, font = stream.stream, None
        for op in ops:
            if isinstance(op, bytes) and op.endswith(b" Tf"):
                font = op.split()[0]
            marked = hyphens.get(font) if font is not None else None
            match = _TJ.match(op) if isinstance(op, bytes) and marked else None
            if match and marked and len(match.group(2)) >= 4 and match.group(2)[-4:] in marked:
                before, glyphs, after = match.groups()
                head = glyphs[:-4]
                if before or head:
                    out.append(b"[" + before + (b"<" + head + b">" if head else b"") + b"] TJ")
                out += ["/Span", actual, b"BDC", b"[<" + glyphs[-4:] + b">" + after + b"] TJ", b"EMC"]
            else:
                out.append(op)
        stream.stream = out
