"""Tidy-tree layout of an org chart: boxes sized by their measured labels, orthogonal links."""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from dpo_docs import fonts
from dpo_docs.errors import DpoDocsError

log = logging.getLogger(__name__)

# Characters XML 1.0 forbids or that draw nothing useful; \t \n \r are kept because
# wrapping treats them as spaces.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MIN_FONT_SIZE = 7.0


class ChartError(DpoDocsError, ValueError):
    """The tree or the style cannot be laid out."""


@dataclass(frozen=True)
class ChartNode:
    """One unit of the organisation and its sub-units, in display order."""

    id: str
    name: str
    acronym: str | None = None
    detail: str | None = None
    kind: str = "unit"
    shared: bool = False
    children: tuple[ChartNode, ...] = ()


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
    stack_threshold: int = 4
    stack_indent: float = 10.0
    stack_stub: float = 8.0
    stack_gap: float = 6.0
    margin: float = 8.0
    equal_row_heights: bool = True

    @property
    def detail_size(self) -> float:
        """Size of the detail line: one point smaller than names, never below 7 pt."""
        return max(_MIN_FONT_SIZE, self.font_size - 1)


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


class _Node:
    """Mutable working state of one node while the layout is computed."""

    __slots__ = (
        "src", "parent", "depth", "children", "stacked", "in_stack", "w", "h",
        "spec", "content_h", "y", "cx", "rel_x", "contour", "spine",
    )  # fmt: skip

    def __init__(self, src: ChartNode, parent: _Node | None, depth: int):
        """Start a node with no geometry yet."""
        self.src, self.parent, self.depth = src, parent, depth
        self.children: list[_Node] = []
        self.stacked = self.in_stack = False
        self.w = self.h = self.content_h = self.y = self.cx = self.rel_x = self.spine = 0.0
        self.spec: list[tuple[str, float, bool, bool, float, float]] = []
        self.contour: list[tuple[float, float]] = []


DEFAULT_STYLE = ChartStyle()


def layout(root: ChartNode, style: ChartStyle = DEFAULT_STYLE) -> ChartLayout:
    """Lay out the tree under ``root``: deterministic, near-linear, nothing overlaps."""
    _check_style(style)
    nodes = _flatten(root, style)
    for node in nodes:
        _measure(node, style)
    tops = _place_rows(nodes, style)
    _place_columns(nodes, tops, style)
    return _assemble(nodes, tops, style)


def _check_style(style: ChartStyle) -> None:
    """Refuse styles that would give illegible or self-overlapping charts."""
    if style.font_size < _MIN_FONT_SIZE:
        raise ChartError(f"font_size {style.font_size} is below {_MIN_FONT_SIZE} pt")
    if style.box_width < 2 * style.padding + 4 * style.font_size:
        raise ChartError(f"box_width {style.box_width} leaves no room for text")
    if min(style.h_gap, style.v_gap, style.stack_gap, style.stack_stub) <= 0:
        raise ChartError("gaps and stack_stub must be positive")
    if style.padding < 0 or style.margin < 0 or style.line_height < 1:
        raise ChartError("padding and margin must be >= 0, line_height >= 1")
    if style.stack_threshold < 2:
        raise ChartError("stack_threshold must be at least 2")


def clean_text(text: str | None) -> str:
    """Drop characters XML cannot carry, so every renderer shows the same label."""
    return _UNPRINTABLE.sub("", text or "").strip()


def _flatten(root: ChartNode, style: ChartStyle) -> list[_Node]:
    """Nodes in pre-order (iterative, so deep trees cannot hit the recursion limit)."""
    nodes: list[_Node] = []
    seen: set[str] = set()
    todo: list[tuple[object, _Node | None, int]] = [(root, None, 0)]
    while todo:
        src, parent, depth = todo.pop()
        if not isinstance(src, ChartNode):
            raise ChartError(f"chart children must be ChartNode, got {type(src).__name__}")
        if src.id in seen:
            raise ChartError(f"node id {src.id!r} appears twice in the chart")
        if not clean_text(src.name):
            raise ChartError(f"node {src.id!r} has an empty name")
        seen.add(src.id)
        node = _Node(src, parent, depth)
        nodes.append(node)
        if parent is not None:
            parent.children.append(node)
        todo.extend((child, node, depth + 1) for child in reversed(src.children))
    for node in nodes:
        kids = node.children
        # A long list of leaves reads better as a column than as a page-wide row.
        if len(kids) >= style.stack_threshold and all(not k.children for k in kids):
            node.stacked = True
            for kid in kids:
                kid.in_stack = True
    return nodes


def _measure(node: _Node, style: ChartStyle) -> None:
    """Wrap the label, then size the box around its widest line."""
    inner = style.box_width - 2 * style.padding
    size, small = style.font_size, style.detail_size
    parts: list[tuple[str, float, bool, bool, float]] = []
    if acronym := clean_text(node.src.acronym):
        parts += [(t, size, True, False, 0.0) for t in fonts.wrap(acronym, size, inner, True)]
    name = fonts.wrap(clean_text(node.src.name), size, inner)
    parts += [(t, size, False, False, 0.0) for t in name]
    detail = fonts.wrap(clean_text(node.src.detail), small, inner, italic=True)
    parts += [
        (t, small, False, True, style.detail_gap if i == 0 else 0.0) for i, t in enumerate(detail)
    ]
    node.spec = [
        (text, sz, bold, italic, fonts.text_width(text, sz, bold, italic), gap)
        for text, sz, bold, italic, gap in parts
    ]
    widest = max(spec[4] for spec in node.spec)
    node.w = min(style.box_width, max(style.min_box_width, widest + 2 * style.padding))
    node.content_h = sum(sz * style.line_height + gap for _t, sz, _b, _i, _w, gap in node.spec)
    node.h = node.content_h + 2 * style.padding


def _place_rows(nodes: list[_Node], style: ChartStyle) -> list[float]:
    """Give every node its y; return the top of each depth's row."""
    depth = max(n.depth for n in nodes)
    row_h = [0.0] * (depth + 1)
    for node in nodes:
        if not node.in_stack:
            row_h[node.depth] = max(row_h[node.depth], node.h)
    tops = [style.margin]
    for d in range(1, depth + 1):
        tops.append(tops[d - 1] + row_h[d - 1] + style.v_gap)
    for node in nodes:
        if not node.in_stack:
            node.y = tops[node.depth]
            if style.equal_row_heights:
                node.h = row_h[node.depth]
        if node.stacked:
            # One width for the whole column: ragged stacks look unfinished.
            col_w = max(k.w for k in node.children)
            y = tops[node.depth + 1]
            for kid in node.children:
                kid.w, kid.y = col_w, y
                y += kid.h + style.stack_gap
    return tops


def _place_columns(nodes: list[_Node], tops: list[float], style: ChartStyle) -> None:
    """Set every node's centre x by merging subtree contours bottom-up (Reingold-Tilford).

    A contour holds, for each row band from the subtree's own row down, the leftmost
    and rightmost x used by its boxes and connectors, relative to the subtree root's
    centre. Bands span a row plus the gap below it, so a stacked column reaching into
    lower rows is kept clear of its neighbours' boxes and buses.
    """

    def band(y: float) -> int:
        """Index of the row band containing y."""
        return max(0, bisect.bisect_right(tops, y) - 1)

    for node in reversed(nodes):  # reversed pre-order: children before parents
        if node.in_stack:
            continue
        half = node.w / 2
        kids = node.children
        if not kids:
            node.contour = [(-half, half)]
        elif node.stacked:
            node.spine = -half + min(style.stack_indent, half)
            left = node.spine + style.stack_stub
            for kid in kids:
                kid.rel_x = left + kid.w / 2
            last = kids[-1]
            lower = [(node.spine, left + last.w)] * (band(last.y + last.h) - node.depth)
            node.contour = [(-half, half), *lower]
        else:
            node.contour = _merge(node, half, style.h_gap)
    root = nodes[0]
    root.cx = 0.0
    for node in nodes[1:]:
        node.cx = node.parent.cx + node.rel_x


def _merge(node: _Node, half: float, gap: float) -> list[tuple[float, float]]:
    """Pack the children's subtrees left to right; centre the node over them."""
    kids = node.children
    acc = list(kids[0].contour)
    offsets = [0.0]
    for kid in kids[1:]:
        common = min(len(acc), len(kid.contour))
        shift = max(acc[k][1] - kid.contour[k][0] for k in range(common)) + gap
        offsets.append(shift)
        for k, (lo, hi) in enumerate(kid.contour):
            if k < common:
                acc[k] = (acc[k][0], hi + shift)
            else:
                acc.append((lo + shift, hi + shift))
    mid = offsets[-1] / 2
    for kid, offset in zip(kids, offsets, strict=True):
        kid.rel_x = offset - mid
    # The node's own band also holds the bus that runs above its children.
    return [(min(-half, -mid), max(half, mid)), *((lo - mid, hi - mid) for lo, hi in acc)]


def _r(value: float) -> float:
    """Round to 0.01 pt; adding 0.0 turns -0.0 into 0.0 for stable output."""
    return round(value, 2) + 0.0


def _assemble(nodes: list[_Node], tops: list[float], style: ChartStyle) -> ChartLayout:
    """Shift into the margin, build boxes, text lines and connectors, rounded."""
    dx = style.margin - min(n.cx - n.w / 2 for n in nodes)
    boxes = tuple(_box(n, dx, style) for n in nodes)
    connectors: list[Connector] = []
    for node in nodes:
        if not node.children:
            continue
        px, bottom = node.cx + dx, node.y + node.h
        for kid in node.children:
            kx = kid.cx + dx
            if node.stacked:
                spine, mid_y = px + node.spine, kid.y + kid.h / 2
                pts = [(spine, bottom), (spine, mid_y), (kx - kid.w / 2, mid_y)]
            else:
                bus = tops[node.depth + 1] - style.v_gap / 2
                pts = [(px, bottom), (px, bus), (kx, bus), (kx, kid.y)]
            connectors.append(Connector(node.src.id, kid.src.id, _polyline(pts)))
    width = max(b.x + b.w for b in boxes) + style.margin
    height = max(b.y + b.h for b in boxes) + style.margin
    return ChartLayout(_r(width), _r(height), boxes, tuple(connectors))


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


def _box(node: _Node, dx: float, style: ChartStyle) -> Box:
    """The final box of a node, with its text centred in both directions."""
    x = node.cx + dx - node.w / 2
    lines = []
    top = node.y + (node.h - node.content_h) / 2
    for text, size, bold, italic, width, gap in node.spec:
        ascent, descent = fonts.vertical_metrics(bold, italic)
        slot = size * style.line_height
        top += gap
        # Centre the font's ascent+descent in the slot, as CSS line-height does.
        baseline = top + (slot - (ascent + descent) * size) / 2 + ascent * size
        lines.append(
            TextLine(
                text, _r(x + (node.w - width) / 2), _r(baseline), size, bold, italic, _r(width)
            )
        )
        top += slot
    src = node.src
    return Box(
        id=src.id,
        x=_r(x),
        y=_r(node.y),
        w=_r(node.w),
        h=_r(node.h),
        kind=src.kind,
        shared=bool(src.shared or src.kind == "shared"),
        depth=node.depth,
        lines=tuple(lines),
    )
