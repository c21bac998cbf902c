"""Box labels: wrapped lines measured with the shipped font, cached by their text.

Words and lines are measured shaped (``chart.shape``: HarfBuzz, the engine that draws
them), so joined Arabic and kerned Latin are as wide as drawn. The wrap is greedy with
the rule of ``fonts.wrap`` (over-long words cut between characters); each word is
measured once, so a label costs a few dictionary look-ups.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from dpo_docs import fonts
from dpo_docs.chart import shape
from dpo_docs.chart.model import ChartError, ChartStyle

# The same rule as fonts.wrap: break at ordinary spaces only, never at no-break ones.
_BREAKABLE = re.compile(r"[^\S\u00a0\u202f\u2007]+")
_WORD_EM: dict[tuple[bool, bool], dict[str, float]] = {}


@dataclass(frozen=True)
class LineSpec:
    """One measured line of a label, before it is placed."""

    text: str
    size: float
    bold: bool
    italic: bool
    width: float
    gap: float  # extra space above the line
    note: bool = False
    baseline: float = 0.0  # from the top of the label's first line


@dataclass(frozen=True)
class Label:
    """A box's lines and the size of the box around them."""

    lines: tuple[LineSpec, ...]
    w: float
    content_h: float


def clear_caches() -> None:
    """Forget every measured label and word, as a fresh process would (for benchmarks)."""
    label.cache_clear()
    _WORD_EM.clear()
    shape.runs.cache_clear()


def em_width(text: str, bold: bool = False, italic: bool = False) -> float:
    """Width of ``text`` in em, shaped as it is drawn."""
    return shape.width_em(text, bold, italic)


def _word_em(word: str, bold: bool, italic: bool) -> float:
    """Width of one word in em, cached (names repeat the same words)."""
    table = _WORD_EM.setdefault((bold, italic), {})
    width = table.get(word)
    if width is None:
        width = table[word] = em_width(word, bold, italic)
    return width


def wrap(text: str, size: float, max_width: float, bold: bool = False,
         italic: bool = False) -> list[tuple[str, float]]:
    """Greedy word wrap like ``fonts.wrap``; each line comes with its width."""
    if max_width <= 0:
        raise ChartError(f"max_width must be positive, got {max_width}")
    limit = max_width / size
    space = em_width(" ", bold, italic)
    lines: list[tuple[str, float]] = []
    line, line_em = "", 0.0
    for word in _BREAKABLE.split(unicodedata.normalize("NFC", text).strip()):
        if not word:
            continue
        word_em = _word_em(word, bold, italic)
        candidate = line_em + space + word_em if line else word_em
        if candidate <= limit:
            line, line_em = (f"{line} {word}" if line else word), candidate
            continue
        if line:
            lines.append((line, line_em))
        if word_em <= limit:
            line, line_em = word, word_em
            continue
        pieces = _cut(word, limit, bold, italic)
        lines.extend(pieces[:-1])
        line, line_em = pieces[-1]
    if line:
        lines.append((line, line_em))
    # The line shaped whole: what is drawn, kerning and run order included.
    return [(text, em_width(text, bold, italic) * size) for text, _em in lines]


def _cut(word: str, limit: float, bold: bool, italic: bool) -> list[tuple[str, float]]:
    """Split one word into pieces no wider than ``limit`` em, without hyphens."""
    pieces: list[tuple[str, float]] = []
    piece, piece_em = "", 0.0
    for char in word:
        char_em = em_width(char, bold, italic)
        if char_em > limit:
            raise ChartError(f"character {char!r} is wider than a box")
        if piece and piece_em + char_em > limit:
            pieces.append((piece, piece_em))
            piece, piece_em = "", 0.0
        piece, piece_em = piece + char, piece_em + char_em
    pieces.append((piece, piece_em))
    return pieces


@functools.lru_cache(maxsize=1 << 16)
def label(acronym: str, name: str, detail: str, notes: tuple[str, ...],
          style: ChartStyle) -> Label:
    """Wrap a box's texts (already cleaned) and size the box around its widest line."""
    inner = style.box_width - 2 * style.padding
    size, small, gap = style.font_size, style.detail_size, style.detail_gap
    # (text, width, size, bold, italic, gap above, note)
    raw = [(t, w, size, True, False, 0.0, False) for t, w in wrap(acronym, size, inner, True)]
    raw += [(t, w, size, False, False, 0.0, False) for t, w in wrap(name, size, inner)]
    raw += [(t, w, small, False, True, gap if i == 0 else 0.0, False)
            for i, (t, w) in enumerate(wrap(detail, small, inner, italic=True))]
    for note in notes:
        raw += [(t, w, small, True, True, gap if i == 0 else 0.0, True)
                for i, (t, w) in enumerate(wrap(note, small, inner, True, True))]
    widest = max(line[1] for line in raw)
    box_w = min(style.box_width, max(style.min_box_width, widest + 2 * style.padding))
    lines, top = [], 0.0
    for text, width, sz, bold, italic, above, is_note in raw:
        ascent, descent = fonts.vertical_metrics(bold, italic)
        slot = sz * style.line_height
        top += above
        # Centre the font's ascent+descent in the slot, as CSS line-height does.
        baseline = top + (slot - (ascent + descent) * sz) / 2 + ascent * sz
        lines.append(LineSpec(text, sz, bold, italic, width, above, is_note, baseline))
        top += slot
    return Label(tuple(lines), box_w, top)
