"""The chart engine's values: the tree it is given, its style, and the drawing it returns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dpo_docs.errors import DpoDocsError

# Characters XML 1.0 forbids or that draw nothing useful; \t \n \r are kept because
# wrapping treats them as spaces. Bidirectional controls (which i18n puts around
# fallback text for Word) go too: a chart shapes each line itself and would draw them.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                          "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MIN_FONT_SIZE = 7.0


class ChartError(DpoDocsError, ValueError):
    """The tree or the style cannot be laid out."""


def clean_text(text: str | None) -> str:
    """Drop characters XML cannot carry, so every renderer shows the same label."""
    return _UNPRINTABLE.sub("", text or "").strip()


@dataclass(frozen=True)
class ChartNode:
    """One unit of the organisation and its sub-units, in display order.

    ``notes`` are short lines drawn under the label in bold italic; pagination uses
    them for cross-page references ("suite page 4"), and sets ``continued`` on a unit
    whose sub-units it draws on another page.
    """

    id: str
    name: str
    acronym: str | None = None
    detail: str | None = None
    kind: str = "unit"
    shared: bool = False
    children: tuple[ChartNode, ...] = ()
    notes: tuple[str, ...] = ()
    continued: bool = False
    side_by_side: bool = False  # never list this unit's children in a column


@dataclass(frozen=True)
class ChartStyle:
    """Sizes in pt; the defaults print legibly on A4 and A3."""

    font_size: float = 8.0
    box_width: float = 120.0
    padding: float = 5.0
    h_gap: float = 14.0
    v_gap: float = 22.0
    min_box_width: float = 56.0
    line_height: float = 1.2
    detail_gap: float = 2.0
    # Parents whose children are all leaves list them in a column from this many on.
    stack_threshold: int = 4
    # A run of this many consecutive leaves among branches becomes a column too (a
    # shorter one stays in the row, where nobody takes it for a sub-unit).
    run_threshold: int = 4
    # A column longer than this is split into two, on either side of a central spine.
    two_columns_after: int = 8
    stack_indent: float = 10.0
    stack_stub: float = 8.0
    stack_gap: float = 6.0
    margin: float = 8.0
    # Siblings drawn side by side share one height, so their row reads as a row.
    equal_row_heights: bool = True

    @property
    def detail_size(self) -> float:
        """Size of the detail line: one point smaller than names, never below 7 pt."""
        return max(MIN_FONT_SIZE, self.font_size - 1)

    def check(self) -> None:
        """Refuse styles that would give illegible or self-overlapping charts."""
        if self.font_size < MIN_FONT_SIZE:
            raise ChartError(f"font_size {self.font_size} is below {MIN_FONT_SIZE} pt")
        if self.box_width < 2 * self.padding + 4 * self.font_size:
            raise ChartError(f"box_width {self.box_width} leaves no room for text")
        if min(self.h_gap, self.v_gap, self.stack_gap, self.stack_stub) <= 0:
            raise ChartError("gaps and stack_stub must be positive")
        if self.padding < 0 or self.margin < 0 or self.line_height < 1:
            raise ChartError("padding and margin must be >= 0, line_height >= 1")
        if min(self.stack_threshold, self.run_threshold) < 2 or self.two_columns_after < 1:
            raise ChartError("stack and run thresholds must be at least 2, "
                             "two_columns_after at least 1")


DEFAULT_STYLE = ChartStyle()


@dataclass(frozen=True)
class TextLine:
    """One line of a label; ``x`` is where it starts, ``y`` its baseline."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    italic: bool = False
    width: float = 0.0
    note: bool = False  # a cross-reference line, not part of the unit's label


@dataclass(frozen=True)
class Box:
    """A unit's box, top-left at (x, y)."""

    id: str
    x: float
    y: float
    w: float
    h: float
    kind: str
    shared: bool
    depth: int
    lines: tuple[TextLine, ...]
    # True when the unit has sub-units that this drawing leaves out (drawn elsewhere).
    continued: bool = False


@dataclass(frozen=True)
class Connector:
    """Orthogonal polyline from a parent's box edge to a child's box edge."""

    parent_id: str
    child_id: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class ChartLayout:
    """Everything a renderer needs, in pt, origin at the top left."""

    width: float
    height: float
    boxes: tuple[Box, ...]
    connectors: tuple[Connector, ...]

    @property
    def min_text_size(self) -> float:
        """The smallest font size used, in pt (before any scaling at print)."""
        return min((line.size for b in self.boxes for line in b.lines), default=MIN_FONT_SIZE)
