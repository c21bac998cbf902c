"""Fit a chart into a fixed frame by keeping as many top levels as stay legible."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dpo_docs.chart.layout import ChartLayout, ChartNode, layout
from dpo_docs.chart.model import DEFAULT_STYLE, MIN_FONT_SIZE, ChartStyle

MIN_TEXT_PT = MIN_FONT_SIZE


@dataclass(frozen=True)
class Fitted:
    """A chart fitted to a frame: its drawing, the scale it prints at, and what it leaves out."""

    layout: ChartLayout
    scale: float
    levels: int | None  # levels kept, None when the whole tree is drawn
    hidden: int  # units left out

    @property
    def min_text_pt(self) -> float:
        """The smallest text as printed, in pt."""
        return self.layout.min_text_size * self.scale


def pruned(node: ChartNode, depth: int) -> ChartNode:
    """The chart node with its descendants below ``depth`` levels left out."""
    if depth <= 1:
        return replace(node, children=(), continued=node.continued or bool(node.children))
    return replace(node, children=tuple(pruned(c, depth - 1) for c in node.children))


def depth(node: ChartNode) -> int:
    """Levels in a chart tree."""
    return 1 + max((depth(c) for c in node.children), default=0)


def count(node: ChartNode) -> int:
    """Boxes in a chart tree."""
    return 1 + sum(count(c) for c in node.children)


def compact(style: ChartStyle) -> ChartStyle:
    """The style with sub-units in columns of two from few on: narrower, for a full frame."""
    return replace(style, stack_threshold=2, run_threshold=2, two_columns_after=4)


def fit(root: ChartNode, box: tuple[float, float], max_scale: float = 1.0,
        style: ChartStyle = DEFAULT_STYLE, min_text: float = MIN_TEXT_PT) -> Fitted:
    """Lay ``root`` out to fit ``box`` (pt) with every text at ``min_text`` or more.

    The most levels that fit win: each number of levels is tried with the usual
    layout, then with sub-units in columns, before a level is dropped. The top box
    alone is the last resort; the text never prints smaller.
    """
    total = count(root)
    levels = depth(root)
    for shown in range(levels, 0, -1):
        tree = root if shown == levels else pruned(root, shown)
        for candidate in (style, compact(style)):
            chart = layout(tree, candidate)
            scale = min(max_scale, box[0] / chart.width, box[1] / chart.height)
            if chart.min_text_size * scale >= min_text - 1e-6 or shown == 1:
                kept = None if shown == levels else shown
                return Fitted(chart, scale, kept, total - len(chart.boxes))
    raise AssertionError("unreachable: one level always returns")
