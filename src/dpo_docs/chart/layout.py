"""Org chart layout: boxes sized by their measured labels, tidy placement, orthogonal links.

``layout()`` is the public entry; ``arrange()`` stops before building the drawing,
for callers (pagination) that only need sizes.
"""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from dataclasses import replace

from dpo_docs.chart import measure
from dpo_docs.chart.model import (
    DEFAULT_STYLE,
    MIN_FONT_SIZE,
    Box,
    ChartError,
    ChartLayout,
    ChartNode,
    ChartStyle,
    Connector,
    TextLine,
    clean_text,
)
from dpo_docs.chart.tidy import Node, Stack, place

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_STYLE", "MIN_FONT_SIZE", "Arrangement", "Box", "ChartError", "ChartLayout",
    "ChartNode", "ChartStyle", "Connector", "TextLine", "arrange", "clean_text", "layout", "mirror",
]  # fmt: skip


class Arrangement:
    """A placed tree: its nodes in pre-order and the size of its drawing."""

    __slots__ = ("nodes", "style", "width", "height", "dx")

    def __init__(self, nodes: list[Node], style: ChartStyle):
        """Bounds from the root's shape: boxes, buses and spines all lie inside."""
        root = nodes[0]
        assert root.shape is not None, "the tree is placed"
        self.nodes, self.style = nodes, style
        self.dx = style.margin - root.shape.lo
        self.width = root.shape.hi - root.shape.lo + 2 * style.margin
        self.height = root.sub_bottom + style.margin


def layout(root: ChartNode, style: ChartStyle = DEFAULT_STYLE) -> ChartLayout:
    """Lay out the tree under ``root``: deterministic, linear time, nothing overlaps."""
    arr = arrange(root, style)
    with _gc_paused():
        return assemble(arr)


@contextmanager
def _gc_paused():
    """Hold the cyclic garbage collector while a layout allocates its working objects.

    A layout creates some twenty small objects per unit that all live until it ends;
    the collector would rescan that growing heap again and again (about a third of the
    time of a 10,000-unit layout) to find nothing to free.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def arrange(root: ChartNode, style: ChartStyle = DEFAULT_STYLE) -> Arrangement:
    """Measure and place every node of the tree, without building the drawing."""
    style.check()
    with _gc_paused():
        return _arrange(root, style)


def _arrange(root: ChartNode, style: ChartStyle) -> Arrangement:
    """The work of ``arrange``."""
    nodes = _flatten(root)
    pad = 2 * style.padding
    for node in nodes:
        src = node.src
        node.label = measure.label(
            clean_text(src.acronym), clean_text(src.name), clean_text(src.detail),
            tuple(t for t in map(clean_text, src.notes) if t), style,
        )  # fmt: skip
        node.w, node.h = node.label.w, node.label.content_h + pad
    place(nodes, style)
    return Arrangement(nodes, style)


def _flatten(root: ChartNode) -> list[Node]:
    """Nodes in pre-order (iterative, so deep trees cannot hit the recursion limit)."""
    nodes: list[Node] = []
    seen: set[str] = set()
    todo: list[tuple[object, Node | None, int]] = [(root, None, 0)]
    while todo:
        src, parent, depth = todo.pop()
        if not isinstance(src, ChartNode):
            raise ChartError(f"chart children must be ChartNode, got {type(src).__name__}")
        if src.id in seen:
            raise ChartError(f"node id {src.id!r} appears twice in the chart")
        if not clean_text(src.name):
            raise ChartError(f"node {src.id!r} has an empty name")
        seen.add(src.id)
        node = Node(src, parent, depth)
        nodes.append(node)
        if parent is not None:
            parent.kids.append(node)
        todo.extend((child, node, depth + 1) for child in reversed(src.children))
    return nodes


def _r(value: float) -> float:
    """Round to 0.01 pt; adding 0.0 turns -0.0 into 0.0 for stable output."""
    return round(value, 2) + 0.0


def assemble(arr: Arrangement) -> ChartLayout:
    """Build boxes, text lines and connectors, shifted into the margin and rounded."""
    style, dx = arr.style, arr.dx
    boxes = tuple(_box(n, dx, style) for n in arr.nodes)
    connectors: list[Connector] = []
    for node in arr.nodes:
        if not node.kids:
            continue
        px, bottom = node.cx + dx, node.y + node.h
        bus = bottom + style.v_gap / 2
        if node.stack is not None:  # mode "stack"
            _leaf_links(connectors, node, node.stack, [(node.stack.spine_x + dx, bottom)], dx)
            continue
        for slot in node.slots:
            if isinstance(slot, Stack):
                spine = slot.spine_x + dx
                _leaf_links(connectors, node, slot, [(px, bottom), (px, bus), (spine, bus)], dx)
            else:
                kx = slot.cx + dx
                pts = [(px, bottom), (px, bus), (kx, bus), (kx, slot.y)]
                connectors.append(Connector(node.src.id, slot.src.id, _polyline(pts)))
    return ChartLayout(_r(arr.width), _r(arr.height), boxes, tuple(connectors))


def mirror(chart: ChartLayout) -> ChartLayout:
    """The drawing flipped left to right, for right-to-left readers: root on the right, first child rightmost.

    Only places move; each line of text keeps its own reading direction.
    """
    width = chart.width

    def box(b: Box) -> Box:
        """One box and its lines, mirrored."""
        lines = tuple(replace(t, x=_r(width - t.x - t.width)) for t in b.lines)
        return replace(b, x=_r(width - b.x - b.w), lines=lines)

    links = tuple(replace(c, points=tuple((_r(width - x), y) for x, y in c.points))
                  for c in chart.connectors)
    return replace(chart, boxes=tuple(box(b) for b in chart.boxes), connectors=links)


def _leaf_links(out: list[Connector], parent: Node, stack: Stack,
                head: list[tuple[float, float]], dx: float) -> None:
    """Links down a column group's spine, then across to each leaf's facing edge."""
    spine = stack.spine_x + dx
    for leaf in stack.leaves:
        mid = leaf.y + leaf.h / 2
        edge = leaf.cx + dx + (leaf.w / 2 if leaf.rel < 0 else -leaf.w / 2)
        pts = [*head, (spine, mid), (edge, mid)]
        out.append(Connector(parent.src.id, leaf.src.id, _polyline(pts)))


def _polyline(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Rounded points with repeats and straight-through middle points removed."""
    out: list[tuple[float, float]] = []
    for x, y in points:
        pt = (_r(x), _r(y))
        if out and pt == out[-1]:
            continue
        straight = len(out) >= 2 and (
            out[-2][0] == out[-1][0] == pt[0] or out[-2][1] == out[-1][1] == pt[1]
        )
        if straight:
            out[-1] = pt
            continue
        out.append(pt)
    return tuple(out)


def _box(node: Node, dx: float, style: ChartStyle) -> Box:
    """The final box of a node, with its text centred in both directions."""
    x = node.cx + dx - node.w / 2
    assert node.label is not None, "the node is measured"
    top = node.y + (node.h - node.label.content_h) / 2
    lines = tuple(
        TextLine(spec.text, _r(x + (node.w - spec.width) / 2), _r(top + spec.baseline),
                 spec.size, spec.bold, spec.italic, _r(spec.width), spec.note)
        for spec in node.label.lines
    )
    src = node.src
    return Box(
        id=src.id, x=_r(x), y=_r(node.y), w=_r(node.w), h=_r(node.h), kind=src.kind,
        shared=bool(src.shared or src.kind == "shared"), depth=node.depth,
        lines=lines, continued=bool(src.continued),
    )  # fmt: skip
