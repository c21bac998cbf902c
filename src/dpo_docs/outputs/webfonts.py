"""The web edition's fonts: the shipped Noto faces as WOFF2, and their @font-face rules.

The Latin faces (Latin, Greek and Cyrillic) go whole; Arabic goes whole when a page
shows Arabic; the CJK face (16 MB) is cut to the characters the pages show. The bytes
depend only on the shipped fonts and those characters: no timestamp is recomputed.
"""

from __future__ import annotations

import io
from functools import lru_cache

from dpo_docs.fonts import FALLBACKS, FAMILY, FONT_DIR

LATIN = {  # file stem -> (weight, style)
    "NotoSans-Regular": (400, "normal"),
    "NotoSans-Bold": (700, "normal"),
    "NotoSans-Italic": (400, "italic"),
    "NotoSans-BoldItalic": (700, "italic"),
}
ARABIC_FAMILY, CJK_FAMILY = (name for name, _ in FALLBACKS)
ARABIC = {"NotoSansArabic-Regular": 400, "NotoSansArabic-Bold": 700}
CJK = "NotoSansCJKsc-Regular"
# Where the browser needs the other faces: it fetches a face only for a page that uses
# one of its characters.
ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
CJK_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x9FFF), (0xF900, 0xFAFF),
              (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF))


def _within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    """True when ``char`` lies in one of ``ranges``."""
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def cjk_text(chars: str) -> str:
    """The characters of ``chars`` that the CJK face draws, sorted and unique."""
    return "".join(sorted({c for c in chars if _within(c, CJK_RANGES)}))


def files(chars: str) -> list[str]:
    """The WOFF2 files pages showing ``chars`` need, by name."""
    names = [f"{stem}.woff2" for stem in LATIN]
    if any(_within(c, ARABIC_RANGES) for c in chars):
        names += [f"{stem}.woff2" for stem in ARABIC]
    if cjk_text(chars):
        names.append(f"{CJK}.woff2")
    return names


def _range(ranges: tuple[tuple[int, int], ...]) -> str:
    """A CSS unicode-range value."""
    return ", ".join(f"U+{low:04X}-{high:04X}" for low, high in ranges)


def font_face_css(names: list[str]) -> str:
    """The @font-face rules of the WOFF2 files ``names`` (relative to the stylesheet)."""
    rules = []
    for name in names:
        stem = name.removesuffix(".woff2")
        if stem in LATIN:
            weight, style = LATIN[stem]
            family, extra = FAMILY, ""
        elif stem in ARABIC:
            weight, style, family = ARABIC[stem], "normal", ARABIC_FAMILY
            extra = f"\n  unicode-range: {_range(ARABIC_RANGES)};"
        else:
            weight, style, family = 400, "normal", CJK_FAMILY
            extra = f"\n  unicode-range: {_range(CJK_RANGES)};"
        rules.append(f'@font-face {{\n  font-family: "{family}";\n  src: url("fonts/{name}") format("woff2");\n'
                     f"  font-weight: {weight};\n  font-style: {style};\n  font-display: swap;{extra}\n}}\n")
    return "".join(rules)


@lru_cache(maxsize=16)
def woff2(name: str, cjk: str = "") -> bytes:
    """The WOFF2 bytes of the file ``name``; the CJK face cut to the characters ``cjk``."""
    from fontTools.ttLib import TTFont

    stem = name.removesuffix(".woff2")
    if stem == CJK:
        from fontTools import subset

        options = subset.Options()
        options.flavor = "woff2"
        options.recalc_timestamp = False  # the source's date stays: same bytes every build
        options.name_IDs = ["*"]  # the licence and the names stay with the face
        options.notdef_outline = True
        font = TTFont(str(FONT_DIR / f"{stem}.otf"), recalcTimestamp=False, lazy=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=cjk)
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return out.getvalue()
    font = TTFont(str(FONT_DIR / f"{stem}.ttf"), recalcTimestamp=False)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()
