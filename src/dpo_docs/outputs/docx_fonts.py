"""Embed the shipped Noto faces a Word package uses, subset and obfuscated as Office requires.

A reader without Noto installed would otherwise see the sheet in a substitute font
that reflows it (the Arabic sheet grew a page). ECMA-376 Part 1 §17.8.1: each face is
a ``word/fonts/fontN.odttf`` part, related from ``word/fontTable.xml`` and named by
``w:embedRegular`` (Bold, Italic, BoldItalic) with its ``w:fontKey``; §17.8.3.3: the
first 32 bytes of the font are XORed with the key's 16 bytes, taken from the end of
the GUID. Word and LibreOffice both load such faces for the document alone.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import unicodedata

from lxml import etree

from dpo_docs.fonts import FALLBACKS, FONT_DIR

log = logging.getLogger(__name__)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
ODTTF_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FONT_TABLE = "word/fontTable.xml"
FONT_TABLE_RELS = "word/_rels/fontTable.xml.rels"
SETTINGS = "word/settings.xml"

# Family -> (embed element, file, companion) for each shipped face, in the schema's order.
# Noto Sans Arabic has no Latin punctuation, yet Word and LibreOffice set the brackets,
# dashes and bullets of right-to-left text in it: its embedded face also carries those
# glyphs of its Noto Sans companion, drawn as they would be by fallback to Noto Sans.
# The CJK face is CFF-based OpenType: Word embeds only TrueType (glyf) outlines, and no
# shipped language writes Chinese, so it is left out; a sheet with Chinese text names it
# unembedded, as before.
FACES = {
    "Noto Sans": (("embedRegular", "NotoSans-Regular.ttf", None), ("embedBold", "NotoSans-Bold.ttf", None),
                  ("embedItalic", "NotoSans-Italic.ttf", None),
                  ("embedBoldItalic", "NotoSans-BoldItalic.ttf", None)),
    "Noto Sans Arabic": (("embedRegular", "NotoSansArabic-Regular.ttf", "NotoSans-Regular.ttf"),
                         ("embedBold", "NotoSansArabic-Bold.ttf", "NotoSans-Bold.ttf")),
}
# Kept in every subset beside the sheet's own text, so that a reader's small edit (a
# letter, a figure, a sign) still shows in the face: printable ASCII, Latin-1, the
# French œ and the usual dashes, quotes, spaces and signs, Arabic punctuation and digits.
MARGIN = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x100), 0x152, 0x153, 0x178, *range(0x2000, 0x200C),
     *range(0x2010, 0x2028), 0x202F, *range(0x2030, 0x203B), 0x20AC, 0x2212,
     0x60C, 0x61B, 0x61F, *range(0x660, 0x66A)])
PAGE = 128
# Elements of w:settings that come before w:embedTrueTypeFonts (CT_Settings's sequence).
_BEFORE_EMBED = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                 "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                 "printFractionalCharacterWidth", "printFormsData")
# Elements of w:font that come before the embed* elements.
_FONT_HEAD = ("altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig")
_TEXT_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|numbering)\.xml")


def _w(tag: str) -> str:
    """A name in the WordprocessingML namespace."""
    return f"{{{W_NS}}}{tag}"


def embed_fonts(items: dict[str, bytes]) -> dict[str, bytes]:
    """The package's items with the shipped faces it names embedded, subset to its text.

    A face is embedded when the package names its family and its text has a character
    that the face draws; parts, keys and ids depend on the content alone, so the same
    sheet gives the same bytes.
    """
    if FONT_TABLE not in items or SETTINGS not in items:
        return items
    # Each part parsed once: styles.xml alone is a few hundred kilobytes of latent styles.
    roots = {name: etree.fromstring(items[name]) for name in sorted(items)
             if _TEXT_PART.fullmatch(name) or name == "word/styles.xml"}
    text = _text(roots)
    named = _named_families(roots)
    faces_asked = _faces_asked(roots)
    # Whole runs of 128 code points: the sheets of one language then share their subsets,
    # which are cut once per process (a cut costs half a second), and a reader's edit
    # in the same script still finds its letters.
    wanted = frozenset({p for page in {c // PAGE for c in text} for p in range(page * PAGE, (page + 1) * PAGE)}
                       | MARGIN)
    embedded: list[tuple[str, str, str, bytes]] = []  # (family, element, key, obfuscated)
    for family, faces in FACES.items():
        if family not in named or not _draws(faces[0][1], text):
            continue  # a family the text does not need: none of its faces
        for element, filename, companion in faces:
            if element not in faces_asked:
                continue
            drawn = _cmap(filename) | (_cmap(companion) if companion else frozenset())
            face = _face(filename, companion, wanted & drawn)
            if face is not None:
                key = _font_key(family, face)
                embedded.append((family, element, key, obfuscate(face, key)))
    others = text - _cmap("NotoSans-Regular.ttf") - _cmap("NotoSansArabic-Regular.ttf")
    if others and others & _cmap_cjk():  # the CJK cmap takes a quarter second to read
        log.info("Chinese text: Noto Sans CJK SC, not TrueType, is not embedded; readers need it installed")
    if not embedded:
        return items
    out = dict(items)
    rels = _add_font_parts(out, embedded)
    out[FONT_TABLE] = _font_table(items[FONT_TABLE], embedded, rels)
    out[SETTINGS] = _settings(items[SETTINGS])
    out["[Content_Types].xml"] = _content_types(items["[Content_Types].xml"])
    log.debug("embedded %d font face(s): %s", len(embedded),
              ", ".join(f"{f} {e[5:]}" for f, e, _, _ in embedded))
    return out


def obfuscate(font: bytes, key: str) -> bytes:
    """The font with its first 32 bytes XORed with the key's bytes, last byte of the GUID first.

    The same function undoes it (XOR is its own inverse).
    """
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ digits[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def _font_key(family: str, face: bytes) -> str:
    """A GUID derived from the family and the face's bytes: random-looking, never random."""
    digest = hashlib.sha256(family.encode() + b"\0" + face).hexdigest()[:32].upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}}}"


def _text(roots: dict[str, etree._Element]) -> set[int]:
    """The code points of the text the package shows: body, headers, footers, notes, bullets."""
    points: set[int] = set()
    for name, root in roots.items():
        if not _TEXT_PART.fullmatch(name):
            continue
        for el in root.iter(_w("t"), _w("lvlText")):
            points.update(map(ord, el.text or el.get(_w("val")) or ""))
    # Private-use code points are symbol-font bullets of list levels Word ships unused.
    return {p for p in points if unicodedata.category(chr(p)) not in ("Co", "Cc")}


def _named_families(roots: dict[str, etree._Element]) -> set[str]:
    """The font families the styles, numbering and text name in w:rFonts."""
    names: set[str] = set()
    for name in ("word/styles.xml", "word/numbering.xml", "word/document.xml"):
        if name in roots:
            for fonts in roots[name].iter(_w("rFonts")):
                names.update(v for k, v in fonts.attrib.items() if k in _RFONT_ATTRS)
    return names


_RFONT_ATTRS = {_w(a) for a in ("ascii", "hAnsi", "cs", "eastAsia")}


def _faces_asked(roots: dict[str, etree._Element]) -> set[str]:
    """The embed elements of the faces the text asks for: regular, and bold or italic.

    A face is asked for by a run's own properties, or by a style the text uses (with
    the styles it is based on, and a table style's conditional formats), or the defaults.
    """
    styles = roots.get("word/styles.xml")
    by_id = {} if styles is None else {s.get(_w("styleId")): s for s in styles.iter(_w("style"))}
    used = {s for s, el in by_id.items() if el.get(_w("default")) in ("1", "true", "on")}
    run_props: list[list[etree._Element]] = []
    for name, root in roots.items():
        if _TEXT_PART.fullmatch(name):
            used.update(el.get(_w("val")) for el in root.iter(_w("pStyle"), _w("rStyle"), _w("tblStyle")))
            run_props += [[rpr] for rpr in root.iter(_w("rPr"))]
    for style_id in sorted(used, key=str):
        chain, seen = [], set()
        while style_id in by_id and style_id not in seen:
            seen.add(style_id)
            chain.append(by_id[style_id])
            based = by_id[style_id].find(_w("basedOn"))
            style_id = None if based is None else based.get(_w("val"))
        run_props.append([rpr for style in chain for rpr in style.iter(_w("rPr"))])
    if styles is not None:
        run_props.append(list(styles.find(_w("docDefaults")).iter(_w("rPr")))
                         if styles.find(_w("docDefaults")) is not None else [])
    asked = {"embedRegular"}
    for props in run_props:
        bold = any(_on(rpr, "b") or _on(rpr, "bCs") for rpr in props)
        italic = any(_on(rpr, "i") or _on(rpr, "iCs") for rpr in props)
        asked.update(name for name, wanted in (("embedBold", bold), ("embedItalic", italic),
                                               ("embedBoldItalic", bold and italic)) if wanted)
    return asked


def _on(rpr: etree._Element, tag: str) -> bool:
    """Whether a toggle property (w:b, w:i) is present and not switched off."""
    el = rpr.find(_w(tag))
    return el is not None and el.get(_w("val"), "true") not in ("0", "false", "off")


@functools.cache
def _cmap(filename: str) -> frozenset[int]:
    """The code points a shipped face has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_DIR / filename), lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _cmap_cjk() -> frozenset[int]:
    """The code points of the CJK face, which is named but never embedded."""
    return _cmap(FALLBACKS[-1][1][400])


def _draws(filename: str, text: set[int]) -> bool:
    """Whether the text has a character the face draws and Noto Sans itself does not.

    Noto Sans draws the Latin text; the other families are needed only for their script.
    """
    own = _cmap(filename)
    if filename.startswith("NotoSans-"):
        return bool(text & own)
    return bool((text & own) - _cmap("NotoSans-Regular.ttf") - MARGIN)


@functools.lru_cache(maxsize=32)
def _face(filename: str, companion: str | None, points: frozenset[int]) -> bytes | None:
    """The face cut to ``points``, with the companion's glyphs for those it lacks."""
    own = _subset(filename, points & _cmap(filename))
    # Only what has no script of its own (punctuation, symbols, spaces) takes the face
    # of the text around it; letters and digits keep their own font.
    extra = frozenset(p for p in points - _cmap(filename) if unicodedata.category(chr(p))[0] in "PSZ"
                      ) if companion else frozenset()
    added = _subset(companion, extra & _cmap(companion)) if own is not None and extra else None
    if own is None or added is None:
        return own
    from fontTools.merge import Merger, Options
    from fontTools.ttLib import TTFont

    # The first font's names, and its larger vertical metrics, are the merged face's.
    merged = Merger(Options(drop_tables=["DSIG"])).merge([io.BytesIO(own), io.BytesIO(added)])
    # The merger dates the face with the clock; the first face's dates keep the bytes the same.
    with TTFont(io.BytesIO(own), lazy=True) as first:
        merged["head"].created, merged["head"].modified = first["head"].created, first["head"].modified
    merged.recalcTimestamp = False
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=32)
def _subset(filename: str, points: frozenset[int]) -> bytes | None:
    """The shipped face cut to the code points it has among ``points``, with all its layout.

    fontTools' default features are kept: those text engines apply unasked (Arabic joining
    forms, required ligatures, kerning, marks), not the alternates a user must switch on.
    Hinting is dropped. None when the face draws none of the code points.
    """
    from fontTools import subset

    if not points:
        return None
    options = subset.Options()
    options.hinting = False
    options.notdef_outline = True
    options.recalc_timestamp = False  # the head table keeps the shipped date: same bytes
    options.drop_tables += ["DSIG"]
    font = subset.load_font(str(FONT_DIR / filename), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(points))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    finally:
        font.close()
    return out.getvalue()


def _add_font_parts(out: dict[str, bytes], embedded: list[tuple[str, str, str, bytes]]) -> list[str]:
    """Add one .odttf part per face and its relationship from the font table; return the ids."""
    if FONT_TABLE_RELS in out:
        rels = etree.fromstring(out[FONT_TABLE_RELS])
    else:
        rels = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    taken = {rel.get("Id") for rel in rels}
    ids = []
    number = 0
    for _family, _element, _key, data in embedded:
        number += 1
        while f"word/fonts/font{number}.odttf" in out or f"rIdFont{number}" in taken:
            number += 1
        out[f"word/fonts/font{number}.odttf"] = data
        rel = etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship")
        rel.set("Id", f"rIdFont{number}")
        rel.set("Type", FONT_REL)
        rel.set("Target", f"fonts/font{number}.odttf")
        ids.append(f"rIdFont{number}")
    out[FONT_TABLE_RELS] = _xml(rels)
    return ids


def _font_table(blob: bytes, embedded: list[tuple[str, str, str, bytes]], ids: list[str]) -> bytes:
    """The font table with an entry per embedded family naming its faces and their keys."""
    root = etree.fromstring(blob)
    entries = {font.get(_w("name")): font for font in root.iter(_w("font"))}
    for family in dict.fromkeys(f for f, _, _, _ in embedded):
        font = entries.get(family)
        if font is None:
            font = etree.SubElement(root, _w("font"))
            font.set(_w("name"), family)
            for tag, value in (("charset", "00"), ("family", "swiss"), ("pitch", "variable")):
                etree.SubElement(font, _w(tag)).set(_w("val"), value)
        for old in [c for c in font if etree.QName(c).localname.startswith("embed")]:
            font.remove(old)
        where = max((i + 1 for i, c in enumerate(font) if etree.QName(c).localname in _FONT_HEAD), default=0)
        for (fam, element, key, _data), rid in zip(embedded, ids, strict=True):
            if fam == family:
                embed = etree.Element(_w(element))
                embed.set(_w("fontKey"), key)
                embed.set(f"{{{R_NS}}}id", rid)
                font.insert(where, embed)
                where += 1
    return _xml(root)


def _settings(blob: bytes) -> bytes:
    """Settings asking Word to keep the fonts embedded, subset, when the reader saves."""
    root = etree.fromstring(blob)
    before: tuple[str, ...] = _BEFORE_EMBED
    for tag in ("embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts"):
        if root.find(_w(tag)) is None and tag != "embedSystemFonts":
            earlier = [i for i, c in enumerate(root) if etree.QName(c).localname in before]
            root.insert(earlier[-1] + 1 if earlier else 0, etree.Element(_w(tag)))
        before += (tag,)
    return _xml(root)


def _content_types(blob: bytes) -> bytes:
    """Content types declaring .odttf parts as obfuscated fonts."""
    root = etree.fromstring(blob)
    if not any(d.get("Extension") == "odttf" for d in root.iter(f"{{{CT_NS}}}Default")):
        default = etree.Element(f"{{{CT_NS}}}Default")
        default.set("Extension", "odttf")
        default.set("ContentType", ODTTF_TYPE)
        defaults = [i for i, c in enumerate(root) if c.tag == f"{{{CT_NS}}}Default"]
        root.insert(defaults[-1] + 1 if defaults else 0, default)
    return _xml(root)


def _xml(root: etree._Element) -> bytes:
    """An XML part as python-docx writes them."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
