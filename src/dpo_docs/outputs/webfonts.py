"""The web edition's fonts: the shipped Noto faces as WOFF2, and their @font-face rules.

Every face is cut to the characters the pages can show plus a base every language of
its script needs (Latin letters and punctuation; the Arabic block), with the shaping
features kept: whole faces cost seconds of compression each, and the CJK face is 16 MB.
Arabic and CJK faces come only when a page shows their script. The bytes depend only
on the shipped fonts and those characters: no timestamp is recomputed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path

from dpo_docs.fonts import FALLBACKS, FAMILY, FONT_DIR
from dpo_docs.settings import CACHE_ENV

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


# What a face holds whatever the data says, so that an edit rarely needs a new cut: the
# Latin letters of the languages written with them, punctuation, spaces, currency signs.
LATIN_BASE = frozenset(chr(c) for c in [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2000, 0x2070),
                                        *range(0x20A0, 0x20C0), 0x2116, 0x2212])
ARABIC_BASE = frozenset(chr(c) for c in [*range(0x0600, 0x0700), *range(0x20, 0x40), 0xA0, 0x200C, 0x200D,
                                         0x200E, 0x200F])


def _within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    """True when ``char`` lies in one of ``ranges``."""
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def cjk_text(chars: str) -> str:
    """The characters of ``chars`` that the CJK face draws, sorted and unique."""
    return "".join(sorted({c for c in chars if _within(c, CJK_RANGES)}))


def face_text(name: str, chars: str) -> str:
    """The characters the face of file ``name`` is cut to, for pages showing ``chars``."""
    stem = name.removesuffix(".woff2")
    if stem == CJK:
        return cjk_text(chars)
    if stem in ARABIC:
        return "".join(sorted(ARABIC_BASE | {c for c in chars if _within(c, ARABIC_RANGES)}))
    return "".join(sorted(LATIN_BASE | {c for c in chars if not _within(c, ARABIC_RANGES + CJK_RANGES)}))


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


# Cut faces are kept between runs (a preview's restart, a scheduled build in a fresh
# folder): by a hash of everything that makes their bytes, so a kept file is the file
# the cut would make. Best effort: a folder that cannot be written only costs time.
_CUT_VERSION = "1"  # bump when the options of the cut change


def cache_dir() -> Path:
    """Where cut faces are kept: $DPO_DOCS_CACHE_DIR, else the user's cache folder."""
    own = os.environ.get(CACHE_ENV)
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dpo-docs" / "webfonts"


@lru_cache(maxsize=32)
def woff2(name: str, text: str) -> bytes:
    """The WOFF2 bytes of the face of file ``name`` cut to the characters ``text`` (see
    ``face_text``), from the cache when the same cut was made before."""
    import fontTools

    from dpo_docs.deps import file_digest

    source = _source(name)
    key = hashlib.sha256(json.dumps([_CUT_VERSION, fontTools.version, source.name, file_digest(source), text],
                                    ensure_ascii=False).encode("utf-8")).hexdigest()
    kept = cache_dir() / f"{key}.woff2"
    try:
        data = kept.read_bytes()
        # The name holds the cut's hash, the file's last 32 bytes the hash of the rest:
        # a file damaged or changed since it was kept is made again.
        if len(data) > 32 and hashlib.sha256(data[:-32]).digest() == data[-32:]:
            return data[:-32]
    except OSError:
        pass
    data = cut(name, text)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data + hashlib.sha256(data).digest())
        os.replace(tmp, kept)
    except OSError:
        pass
    return data


def _source(name: str) -> Path:
    """The shipped font file a web font is cut from."""
    stem = name.removesuffix(".woff2")
    return FONT_DIR / (f"{stem}.otf" if stem == CJK else f"{stem}.ttf")


def cut(name: str, text: str) -> bytes:
    """The face of file ``name`` cut to the characters ``text``, as WOFF2: the same bytes every time."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.recalc_timestamp = False  # the source's date stays: same bytes every build
    options.name_IDs = ["*"]  # the licence and the names stay with the face
    options.notdef_outline = True
    options.hinting = False  # screens scale outlines; instructions would double the size
    font = TTFont(str(_source(name)), recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
