"""Right-to-left glyphs that extract as they read: /ActualText for ligatures and presentation forms.

WeasyPrint (70) maps each glyph to the characters it stands for, and draws a
right-to-left line's glyphs from left to right; an extractor puts the line back in
reading order. Two kinds of glyph come out wrong:

- a ligature standing for several characters (the lam-alef of "السلام"): Poppler and
  MuPDF lay its characters from left to right across the glyph, then reverse the
  line, so its characters come out swapped ("السالم");
- a letter drawn from an Arabic presentation form (an SVG chart's text is written
  pre-joined, WeasyPrint setting SVG text one character at a time): it extracts as
  that form ("ﻣﻜﺘﺐ"), which no search for "مكتب" finds.

Each such glyph is drawn inside a ``/Span <</ActualText (…)>> BDC … EMC`` (ISO 32000-1,
14.9.4) holding its letters (presentation forms decomposed by NFKC) in the order the
extractors lay a glyph's text: left to right, that is the reverse of reading order for
a right-to-left glyph. A span over a whole line, in reading order, extracts reversed in
both (they lay its text left to right too), and MuPDF spreads it over the line's glyphs
one by one; one span per glyph is read alike by Poppler, MuPDF and pypdf (which reads
the glyphs' own mapping and leaves /ActualText aside). Drawing is unchanged.

The spans are added to the content streams handed to WeasyPrint's ``finisher``, as
``pdf_tags`` does for hyphens, so the bytes stay reproducible.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

_RTL = frozenset({"R", "AL"})
# A text-showing operator as WeasyPrint writes it: glyph ids in hex, positions between.
_TJ = re.compile(rb"^\[(.*)\] TJ$", re.S)
_PART = re.compile(rb"<([0-9a-fA-F]*)>|([^<>]+)")
_GLYPH = 4  # hex digits of a glyph id in a font that is not a bitmap one
_BFCHAR = re.compile(rb"^<([0-9a-f]+)> <([0-9a-f]+)>$")  # one glyph's entry in a ToUnicode map
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")  # Arabic presentation forms


def actual_text(document, pdf) -> None:
    """Span each right-to-left ligature or presentation-form glyph of ``pdf`` with its letters."""
    fonts = _glyph_texts(document)
    if not fonts:
        return
    spans = 0
    for stream in _content_streams(pdf):
        if isinstance(getattr(stream, "stream", None), list):
            stream.stream, count = _spanned(stream.stream, fonts)
            spans += count
    if not spans:  # such glyphs were drawn, yet none was found: WeasyPrint writes text otherwise
        import weasyprint

        log.warning("WeasyPrint %s writes text otherwise than 70 did: right-to-left ligatures and "
                    "presentation forms get no /ActualText and extract wrong", weasyprint.__version__)
    _letters_in_maps(pdf)


def _letters_in_maps(pdf) -> None:
    """Map glyphs drawn from presentation forms to their letters in the fonts' ToUnicode maps.

    For extractors that read a glyph's mapping and leave /ActualText aside (pypdf).
    """
    for font in pdf.objects:
        if not isinstance(font, dict) or font.get("Type") != "/Font" or "ToUnicode" not in font:
            continue
        cmap = pdf.objects[int(font["ToUnicode"].split()[0])]
        for index, line in enumerate(cmap.stream):
            match = _BFCHAR.match(line) if isinstance(line, bytes) else None
            text = bytes.fromhex(match.group(2).decode()).decode("utf-16-be", "replace") if match else ""
            if match and _PRESENTATION.search(text):
                letters = unicodedata.normalize("NFKC", text).encode("utf-16-be").hex().encode()
                cmap.stream[index] = b"<" + match.group(1) + b"> <" + letters + b">"


def extracted(text: str) -> str | None:
    """The actual text of a glyph mapped to ``text``, or None when its mapping extracts right.

    None for a glyph of a left-to-right script, or of one right-to-left letter that is
    no presentation form.
    """
    letters = unicodedata.normalize("NFKC", text)
    strong = next((k for c in letters if (k := unicodedata.bidirectional(c)) in ("L", "R", "AL")), None)
    if strong not in _RTL or (letters == text and len(text) < 2):
        return None
    return letters[::-1]


def _glyph_texts(document) -> dict[bytes, dict[bytes, str]]:
    """By font resource name, the glyphs (hex ids as drawn) that need an actual text, with it."""
    found: dict[bytes, dict[bytes, str]] = {}
    for font in document.fonts.values():
        try:
            mapping, bitmap, name = font.to_unicode, font.bitmap, font.hash
        except AttributeError:  # another WeasyPrint's fonts: nothing known to span
            log.warning("WeasyPrint's fonts changed: right-to-left ligatures get no /ActualText")
            return {}
        if bitmap:
            continue
        glyphs = {f"{g:04x}".encode(): actual for g, text in sorted(mapping.items())
                  if (actual := extracted(text)) is not None}
        if glyphs:
            found[b"/" + str(name).encode()] = glyphs
    return found


def _content_streams(pdf) -> list:
    """The pages' content streams, then the form and pattern streams their drawing uses."""
    pages = [pdf.objects[int(ref.split()[0])] for ref in pdf.page_references]
    streams = [pdf.objects[int(page["Contents"].split()[0])] for page in pages]
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if isinstance(extra, dict) and (extra.get("Subtype") == "/Form" or extra.get("Type") == "/Pattern"):
            streams.append(obj)
    return streams


def _spanned(ops: list, fonts: dict[bytes, dict[bytes, str]]) -> tuple[list, int]:
    """``ops`` with each listed glyph shown by a TJ of its own inside an /ActualText span, and how many."""
    import pydyf

    out: list = []
    spans = 0
    glyphs: dict[bytes, str] = {}
    for op in ops:
        if isinstance(op, bytes) and op.endswith(b" Tf"):
            glyphs = fonts.get(op.split()[0], {})
        match = _TJ.match(op) if glyphs and isinstance(op, bytes) else None
        if match is None or not any(g in match.group(1) for g in glyphs):
            out.append(op)
            continue
        chunk: list[bytes] = []  # what the current TJ shows, as written
        start_len = len(out)
        for hexa, number in _PART.findall(match.group(1)):
            if number:
                chunk.append(number)
                continue
            for at in range(0, len(hexa), _GLYPH):
                glyph = hexa[at:at + _GLYPH]
                actual = glyphs.get(glyph)
                if actual is None:
                    chunk.append(b"<" + glyph + b">")
                    continue
                if chunk:
                    out.append(b"[" + b"".join(chunk) + b"] TJ")
                    chunk = []
                out += ["/Span", pydyf.Dictionary({"ActualText": pydyf.String(actual)}), b"BDC",
                        b"[<" + glyph + b">] TJ", b"EMC"]
                spans += 1
        if len(out) == start_len:  # the ids matched across two glyphs: nothing to span
            out.append(op)
        elif chunk:  # a position after the last glyph still moves what follows
            out.append(b"[" + b"".join(chunk) + b"] TJ")
    return out, spans
