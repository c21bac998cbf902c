"""The shipped Noto Sans faces: paths, text measurement, word wrap and @font-face CSS."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

from dpo_docs.errors import DpoDocsError, SetupError

log = logging.getLogger(__name__)

FONT_DIR: Path = Path(__file__).resolve().parent / "fonts"
FAMILY = "Noto Sans"
# Faces for the scripts Noto Sans lacks (Arabic, Chinese), tried in order for any
# character the main face has no glyph for; CSS and SVG name them after FAMILY.
FALLBACKS = (
    ("Noto Sans Arabic", {400: "NotoSansArabic-Regular.ttf", 700: "NotoSansArabic-Bold.ttf"}),
    ("Noto Sans CJK SC", {400: "NotoSansCJKsc-Regular.otf"}),
)
# No space after the commas: WeasyPrint's SVG text strips only the quotes around each name,
# so ' "Noto Sans Arabic"' would match no face and Arabic would be drawn in a system font.
FAMILY_STACK = ",".join(f'"{name}"' for name in (FAMILY, *(f for f, _ in FALLBACKS))) + ",sans-serif"

_FILES = {
    (False, False): "NotoSans-Regular.ttf",
    (True, False): "NotoSans-Bold.ttf",
    (False, True): "NotoSans-Italic.ttf",
    (True, True): "NotoSans-BoldItalic.ttf",
}

# Break only at ordinary spaces: no-break spaces (U+00A0, U+202F, U+2007) glue French
# punctuation and numbers ("paix :", "10 000") and must never become line breaks.
_BREAKABLE = re.compile(r"[^\S\u00a0\u202f\u2007]+")
# Marks, controls and format characters (soft hyphen, zero-width space) draw nothing
# of their own; they must not be measured as a .notdef box when the font lacks them.
_NO_ADVANCE = frozenset({"Mn", "Me", "Cc", "Cf"})


class FontError(DpoDocsError, ValueError):
    """A measurement or wrap was asked with impossible arguments."""


class _Face:
    """Advance widths of one TTF, read once; per-character widths cached in em units."""

    def __init__(self, path: Path):
        """Read cmap, hmtx and vertical metrics of the font at ``path``."""
        from fontTools.ttLib import TTFont  # lazy: fontTools is slow to import

        try:
            font = TTFont(str(path), lazy=True)
        except OSError as exc:
            raise SetupError(f"cannot read font {path}: {exc}") from exc
        upem = font["head"].unitsPerEm
        hmtx = font["hmtx"].metrics
        self._glyph_of = font.getBestCmap() or {}
        self._advance = {name: adv / upem for name, (adv, _lsb) in hmtx.items()}
        notdef = self._advance.get(font.getGlyphOrder()[0], 0.0)
        # Some fonts ship an empty .notdef; fall back to the average width then.
        self._missing = notdef or font["OS/2"].xAvgCharWidth / upem
        self.ascent = font["hhea"].ascent / upem
        self.descent = -font["hhea"].descent / upem
        self._cache: dict[str, float] = {}
        font.close()

    def own_width(self, char: str) -> float | None:
        """Advance width of one character in this face, in em, or None without a glyph."""
        glyph = self._glyph_of.get(ord(char))
        return self._advance.get(glyph) if glyph else None

    def char_width(self, char: str) -> float:
        """Advance width of one character, in em, from a fallback face if this one lacks it."""
        width = self._cache.get(char)
        if width is None:
            width = self.own_width(char)
            if width is None and unicodedata.category(char) in _NO_ADVANCE:
                width = 0.0
            if width is None:
                for face in _fallback_faces():
                    width = face.own_width(char)
                    if width is not None:
                        break
            if width is None:
                width = self._missing
            self._cache[char] = width
        return width


@functools.cache
def _fallback_faces() -> tuple[_Face, ...]:
    """The regular faces of the fallback scripts, loaded on first need."""
    return tuple(_Face(FONT_DIR / files[400]) for _, files in FALLBACKS if (FONT_DIR / files[400]).is_file())


@functools.cache
def _face(bold: bool, italic: bool) -> _Face:
    """The cached face for a weight and style."""
    return _Face(font_path(bold, italic))


def font_path(bold: bool = False, italic: bool = False) -> Path:
    """Path of the shipped TTF for the given weight and style."""
    path = FONT_DIR / _FILES[(bool(bold), bool(italic))]
    if not path.is_file():
        raise SetupError(f"font file missing: {path}")
    return path


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of ``text`` set at ``size``, in the unit of ``size`` (kerning ignored)."""
    face = _face(bool(bold), bool(italic))
    # Measure the composed form: decomposed accents would otherwise count twice.
    text = unicodedata.normalize("NFC", text)
    return sum(face.char_width(c) for c in text) * size


_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def visual(text: str) -> str:
    """Text in display order with Arabic letters in their joined forms.

    For WeasyPrint's SVG text, which places characters one by one: it neither shapes
    Arabic nor reorders right-to-left runs. Everything else is shaped by HarfBuzz
    (``chart.shape``) or by the viewer.
    """
    if not _RTL_CHARS.search(text):
        return text
    # The pure-Python algorithm, not the package's default (Rust) one: that one skips rule
    # L4 and leaves "(12)" in Arabic drawn as ")12(".
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text))


def font_path_for(char: str, bold: bool = False, italic: bool = False) -> Path:
    """The shipped font file that has a glyph for ``char`` (the main face if none has)."""
    if _face(bool(bold), bool(italic)).own_width(char) is not None:
        return font_path(bold, italic)
    for (_, files), face in zip(FALLBACKS, _fallback_faces(), strict=False):
        if face.own_width(char) is not None:
            return FONT_DIR / files.get(700 if bold else 400, files[400])
    return font_path(bold, italic)


def vertical_metrics(bold: bool = False, italic: bool = False) -> tuple[float, float]:
    """(ascent, descent) of the face in em, both positive, from the hhea table."""
    face = _face(bool(bold), bool(italic))
    return face.ascent, face.descent


def wrap(
    text: str, size: float, max_width: float, bold: bool = False, italic: bool = False
) -> list[str]:
    """Greedy word wrap by measured width; over-long words are cut between characters."""
    if max_width <= 0:
        raise FontError(f"max_width must be positive, got {max_width}")
    text = unicodedata.normalize("NFC", text)
    lines: list[str] = []
    line = ""
    for word in _BREAKABLE.split(text.strip()):
        if not word:
            continue
        # Measure the whole candidate, not a running sum, so float drift can never
        # let a line end up a hair wider than max_width.
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold, italic) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        if text_width(word, size, bold, italic) <= max_width:
            line = word
            continue
        pieces = _cut(word, size, max_width, bold, italic)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line:
        lines.append(line)
    return lines


def _cut(word: str, size: float, max_width: float, bold: bool, italic: bool) -> list[str]:
    """Split one word into pieces that each fit ``max_width``, without hyphens."""
    pieces: list[str] = []
    piece = ""
    for char in word:
        if text_width(char, size, bold, italic) > max_width:
            raise FontError(f"character {char!r} is wider than max_width {max_width:.2f}")
        if piece and text_width(piece + char, size, bold, italic) > max_width:
            pieces.append(piece)
            piece = ""
        piece += char
    pieces.append(piece)
    return pieces


def font_face_css() -> str:
    """@font-face rules for the four shipped faces, with absolute file:// URIs."""
    rules = []
    for (bold, italic), name in sorted(_FILES.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        uri = (FONT_DIR / name).as_uri()
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n'
            f"  font-weight: {700 if bold else 400};\n"
            f"  font-style: {'italic' if italic else 'normal'};\n"
            f'  src: url("{uri}") format("truetype");\n'
            "}"
        )
    for family, files in FALLBACKS:
        for weight, name in sorted(files.items()):
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family}";\n'
                f"  font-weight: {weight};\n"
                f'  src: url("{(FONT_DIR / name).as_uri()}");\n'
                "}"
            )
    return "\n".join(rules) + "\n"
