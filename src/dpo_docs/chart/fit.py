"""Fit a chart into a fixed frame by keeping as many top levels as stay legible."""

from __future__ import annotations

from dataclasses import replace

from dpo_docs.chart.layout import ChartLayout, ChartNode, layout

MIN_TEXT_PT = 7.0


def pruned(node: ChartNode, depth: int) -> ChartNode:
    """The chart node with its descendants below ``depth`` levels left out."""
    children = () if depth <= 1 else tuple(pruned(c, depth - 1) for c in node.children)
    return replace(node, children=children)


def depth(node: ChartNode) -> int:
    """Levels in a chart tree."""
    return 1 + max((depth(c) for c in node.children), default=0)


def fit(root: ChartNode, box: tuple[float, float], max_scale: float = 1.0) -> tuple[ChartLayout, float, int | None]:
    """Lay ``root`` out to fit ``box`` (pt) with text at 7 pt or more.

    Returns the layout, the scale that fits it in the box, and the number of levels
    kept (None when the whole tree fits). Two levels are always kept, even if their
    text must then print smaller.
    """
    levels = depth(root)
    shown: int | None = None
    while True:
        chart = layout(root if shown is None else pruned(root, shown))
        scale = min(max_scale, box[0] / chart.width, box[1] / chart.height)
        smallest = min((line.size for b in chart.boxes for line in b.lines), default=MIN_TEXT_PT)
        if smallest * scale >= MIN_TEXT_PT - 1e-6 or (shown or levels) <= 2:
            return chart, scale, shown
        shown = (shown or levels) - 1
