"""Shaped text for charts: HarfBuzz (Pillow's raqm engine) measures and draws each line.

A line is cut into runs of one shipped font (Noto Sans has no Arabic or Chinese, Noto
Sans Arabic no Latin letters), each run shaped whole in its own direction, and the runs
ordered for display by the line's direction. Measuring and drawing go through the same
runs, so a line is drawn exactly as wide as it was measured.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dpo_docs import fonts
from dpo_docs.errors import SetupError

if TYPE_CHECKING:
    from PIL import ImageFont

# Direction marks, embeddings, overrides and isolates: they steer the bidi algorithm and
# draw nothing; labels framed by i18n for Word carry them, a chart must never show them.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Measuring at a large size keeps HarfBuzz's 1/64 px positions far below a visible error.
_EM = 1000
# No pair kerning: WeasyPrint sets a chart's SVG text one character at a time, unkerned,
# so a kerned measure would be narrower than the PDF draws it. Joining, ligatures and
# mark placement (what Arabic needs) are other features and stay on.
FEATURES = ["-kern"]
_RTL_CLASSES = frozenset({"R", "AL"})


@dataclass(frozen=True)
class Run:
    """Part of a line set in one font and one direction; ``width`` in em."""

    text: str
    path: str
    rtl: bool
    width: float


def strip_controls(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)


def is_rtl(text: str) -> bool:
    """True when the first strong character of ``text`` is right-to-left (as dir="auto")."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False


def lang_of(text: str) -> str | None:
    """The language tag of a right-to-left line (Arabic script is the only one shipped)."""
    return "ar" if is_rtl(text) else None


@functools.cache
def face(path: str, size: float) -> ImageFont.FreeTypeFont:
    """A font at ``size`` px laid out by HarfBuzz through libraqm."""
    from PIL import ImageFont, features

    if not features.check("raqm"):
        raise SetupError("Pillow cannot shape text: libraqm is missing; install libraqm0 and libfribidi0 "
                         "(tools/sysdeps.sh)")
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


@functools.lru_cache(maxsize=1 << 16)
def runs(text: str, bold: bool = False, italic: bool = False) -> tuple[Run, ...]:
    """The runs of one line in display order, left to right, each measured in em."""
    text = unicodedata.normalize("NFC", strip_controls(text))
    pieces: list[list] = []  # [text, path, rtl or None while only neutrals]
    for char in text:
        kind = unicodedata.bidirectional(char)
        strong = True if kind in _RTL_CLASSES else False if kind == "L" else None
        last = pieces[-1] if pieces else None
        # Neutrals, digits and marks stay in the run before them when its font has them,
        # so "(DPO)" keeps its brackets and an Arabic word its vowel marks.
        if last and strong is None and _has(last[1], char):
            last[0] += char
            continue
        path = str(fonts.font_path_for(char, bold, italic))
        if last and last[1] == path and (strong is None or last[2] in (None, strong)):
            last[0] += char
            last[2] = strong if last[2] is None else last[2]
            continue
        pieces.append([char, path, strong])
    base = is_rtl(text)
    shaped = []
    for t, p, r in pieces:
        rtl = base if r is None else r
        body = t.rstrip() if rtl != base else t
        shaped.append(Run(body, p, rtl, _width(body, p, rtl)))
        if body != t:  # spaces after a run of the other direction take the line's (bidi rule N1)
            shaped.append(Run(t[len(body):], p, base, _width(t[len(body):], p, base)))
    return tuple(_display_order(shaped, base))


def width_em(text: str, bold: bool = False, italic: bool = False) -> float:
    """Shaped width of one line in em, as it is drawn."""
    return sum(run.width for run in runs(text, bold, italic))


def _display_order(items: list[Run], rtl: bool) -> list[Run]:
    """Runs in display order: against the line's direction, runs of the other direction keep theirs."""
    if not rtl:
        groups: list[list[Run]] = []
        for run in items:  # an RTL run group inside an LTR line reads right to left
            if groups and groups[-1][0].rtl and run.rtl:
                groups[-1].append(run)
            else:
                groups.append([run])
        return [r for g in groups for r in (reversed(g) if g[0].rtl else g)]
    groups = []
    for run in items:
        if groups and not groups[-1][0].rtl and not run.rtl:
            groups[-1].append(run)
        else:
            groups.append([run])
    return [r for g in reversed(groups) for r in g]


@functools.lru_cache(maxsize=1 << 16)
def _width(text: str, path: str, rtl: bool) -> float:
    """Advance width of one shaped run in em."""
    return face(path, _EM).getlength(text, direction="rtl" if rtl else "ltr", features=FEATURES) / _EM


@functools.cache
def _cmap(path: str) -> frozenset[int]:
    """The code points a shipped font has glyphs for."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def _has(path: str, char: str) -> bool:
    """True when the font at ``path`` draws ``char`` (or it draws nothing anywhere)."""
    return ord(char) in _cmap(path) or unicodedata.category(char) in ("Mn", "Me", "Cf")
