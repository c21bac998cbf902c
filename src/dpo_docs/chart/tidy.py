"""Placement of a measured tree: non-layered tidy tree with threaded contours, linear time.

The algorithm follows van der Ploeg, "Drawing non-layered tidy trees in linear time"
(Software: Practice and Experience, 2014), the one behind d3-flextree:

- y comes first and is local: a node's children start ``v_gap`` below its own box,
  whatever their cousins do; leaves listed in a column hang from a spine.
- x is computed bottom-up. Each subtree (or column of leaves) keeps its left and right
  contours as linked lists of cells (a y range and the x extent used in it). Placing a
  subtree next to its left siblings walks the two facing contours only down to the
  shallower one's bottom, then threads the shallower contour's end into the deeper
  one, so no contour is ever copied or scanned twice: the whole pass is O(n).
- Each cell of a parent spans its box and the gap below it, with the bus to its
  children: no other box can come over the bus or tuck under a box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpo_docs.chart.model import ChartNode, ChartStyle

if TYPE_CHECKING:
    from dpo_docs.chart.measure import Label


class Cell:
    """One step of a contour: down to ``bot``, x from ``lo`` to ``hi`` in its own frame.

    ``dx`` is the x of the next cell's frame minus the x of this cell's frame.
    """

    __slots__ = ("bot", "lo", "hi", "nxt", "dx")

    def __init__(self, bot: float, lo: float, hi: float):
        """A cell with no successor yet."""
        self.bot, self.lo, self.hi = bot, lo, hi
        self.nxt: Cell | None = None
        self.dx = 0.0


class Shape:
    """Contours of a placed subtree, in the frame of its anchor (x = 0).

    ``lh``/``rh`` start the left and right contours; ``el``/``er`` are their last cells
    (the extremes), ``elo``/``ero`` the x of those cells' frames; ``lo``/``hi`` bound
    everything drawn in the subtree.
    """

    __slots__ = ("lh", "rh", "el", "elo", "er", "ero", "lo", "hi")

    def __init__(self, lh: Cell, rh: Cell, el: Cell, elo: float, er: Cell, ero: float,
                 lo: float, hi: float):
        """Bundle the contour ends and bounds."""
        self.lh, self.rh, self.el, self.elo, self.er, self.ero = lh, rh, el, elo, er, ero
        self.lo, self.hi = lo, hi


def box_shape(bot: float, lo: float, hi: float) -> Shape:
    """The shape of a single block spanning ``lo``..``hi`` down to ``bot``."""
    left, right = Cell(bot, lo, hi), Cell(bot, lo, hi)
    return Shape(left, right, left, 0.0, right, 0.0, lo, hi)


class Stack:
    """Leaves listed in one or two columns along a vertical spine."""

    __slots__ = ("leaves", "cols", "spine", "spine_x", "lo", "hi", "bottom", "rel", "shape")

    def __init__(self, leaves: list[Node], cols: int):
        """A column group; geometry comes later."""
        self.leaves, self.cols = leaves, cols
        # spine: relative to the parent's centre (columns right under it) or 0 (columns
        # in a row, where the spine is the anchor); spine_x: absolute, once placed.
        self.spine = self.spine_x = self.lo = self.hi = self.bottom = self.rel = 0.0
        self.shape: Shape | None = None


class Node:
    """Working state of one unit while the chart is placed."""

    __slots__ = (
        "src", "parent", "depth", "kids", "label", "w", "h", "y", "cx", "rel", "mode",
        "slots", "stack", "in_stack", "shape", "sub_bottom",
    )  # fmt: skip

    def __init__(self, src: ChartNode, parent: Node | None, depth: int):
        """A node with no geometry yet."""
        self.src, self.parent, self.depth = src, parent, depth
        self.kids: list[Node] = []
        self.label: Label | None = None
        self.w = self.h = self.y = self.cx = self.rel = self.sub_bottom = 0.0
        self.mode = ""  # "" leaf, "stack" all children in columns, "row" side by side
        self.slots: list[Node | Stack] = []
        self.stack: Stack | None = None
        self.in_stack = False
        self.shape: Shape | None = None


def place(nodes: list[Node], style: ChartStyle) -> None:
    """Give every node (in pre-order, sized) its ``y`` and centre ``cx``; root at x 0."""
    _group(nodes, style)
    _place_y(nodes, style)
    _place_x(nodes, style)
    nodes[0].cx = 0.0
    for node in nodes:  # pre-order: a parent is placed before its children
        if node.stack is not None:  # mode "stack"
            _spread(node.stack, node.cx + node.stack.spine)
        for slot in node.slots:
            if isinstance(slot, Stack):
                _spread(slot, node.cx + slot.rel)
            else:
                slot.cx = node.cx + slot.rel


def _spread(stack: Stack, spine: float) -> None:
    """Absolute x of a column group's spine and leaves."""
    stack.spine_x = spine
    for leaf in stack.leaves:
        leaf.cx = spine + leaf.rel


def _columns(count: int, style: ChartStyle) -> int:
    """How many columns a list of ``count`` leaves takes."""
    return 2 if count > style.two_columns_after else 1


def _group(nodes: list[Node], style: ChartStyle) -> None:
    """Decide which children go side by side and which leaves go in columns."""
    threshold = style.stack_threshold
    for node in nodes:
        kids = node.kids
        if not kids:
            continue
        if node.src.side_by_side:
            node.mode, node.slots = "row", list(kids)
            continue
        if len(kids) >= threshold and all(not k.kids for k in kids):
            node.mode, node.stack = "stack", Stack(kids, _columns(len(kids), style))
            for kid in kids:
                kid.in_stack = True
            continue
        node.mode = "row"
        run: list[Node] = []
        ends: list[Node | None] = [*kids, None]  # None ends the last run
        for next_kid in ends:
            if next_kid is not None and not next_kid.kids:
                run.append(next_kid)
                continue
            # A long run of leaves between branches reads better as a column.
            if len(run) >= style.run_threshold:
                node.slots.append(Stack(run, _columns(len(run), style)))
                for leaf in run:
                    leaf.in_stack = True
            else:
                node.slots.extend(run)
            run = []
            if next_kid is not None:
                node.slots.append(next_kid)


def _place_y(nodes: list[Node], style: ChartStyle) -> None:
    """Top-down: children right below their parent; siblings in a row share a height."""
    nodes[0].y = style.margin
    for node in nodes:
        bottom = node.y + node.h
        if node.stack is not None:  # mode "stack"
            _stack_rows(node.stack, bottom + style.v_gap / 2, style)
        elif node.mode == "row":
            row = [s for s in node.slots if isinstance(s, Node)]
            if style.equal_row_heights and row:
                height = max(k.h for k in row)
                for kid in row:
                    kid.h = height
            for slot in node.slots:
                if isinstance(slot, Node):
                    slot.y = bottom + style.v_gap
                else:
                    _stack_rows(slot, bottom + style.v_gap, style)


def _stack_rows(stack: Stack, top: float, style: ChartStyle) -> None:
    """Rows of a column group from ``top``; x of the leaves relative to the spine."""
    leaves = stack.leaves
    half = (len(leaves) + 1) // 2
    columns = [leaves] if stack.cols == 1 else [leaves[:half], leaves[half:]]
    widths = [max(leaf.w for leaf in col) for col in columns]
    stub = style.stack_stub
    for index, (col, width) in enumerate(zip(columns, widths, strict=True)):
        # The left one of two columns hangs to the left of the spine.
        sign = -1.0 if len(columns) == 2 and index == 0 else 1.0
        for leaf in col:
            leaf.w = width  # one width per column: ragged columns look unfinished
            leaf.rel = sign * (stub + width / 2)
    y = top
    for i in range(len(columns[0])):
        row = [col[i] for col in columns if i < len(col)]
        height = max(leaf.h for leaf in row)
        for leaf in row:
            leaf.y = y
            if len(columns) == 2:
                leaf.h = height
        y += height + style.stack_gap
    stack.bottom = y - style.stack_gap
    if len(columns) == 1:
        stack.lo, stack.hi = 0.0, stub + widths[0]
    else:
        stack.lo, stack.hi = -stub - widths[0], stub + widths[1]


def _place_x(nodes: list[Node], style: ChartStyle) -> None:
    """Bottom-up: each subtree's shape from its children's, placed left to right."""
    clear = style.v_gap
    for node in reversed(nodes):  # reversed pre-order: children before parents
        if node.in_stack:
            continue
        half = node.w / 2
        bottom = node.y + node.h
        if not node.mode:
            node.shape = box_shape(bottom + clear, -half, half)
            node.sub_bottom = bottom
        elif node.stack is not None:  # mode "stack"
            stack = node.stack
            stack.spine = 0.0 if stack.cols == 2 else -half + min(style.stack_indent, half)
            lo, hi = min(-half, stack.spine + stack.lo), max(half, stack.spine + stack.hi)
            top_left, top_right = Cell(bottom, -half, half), Cell(bottom, -half, half)
            # The column's cell also spans the parent's width, so nothing tucks under it.
            low_left, low_right = Cell(stack.bottom + clear, lo, hi), Cell(stack.bottom + clear, lo, hi)
            top_left.nxt, top_right.nxt = low_left, low_right
            node.shape = Shape(top_left, top_right, low_left, 0.0, low_right, 0.0, lo, hi)
            node.sub_bottom = stack.bottom
        else:
            _place_row(node, half, bottom, style)


def _place_row(node: Node, half: float, bottom: float, style: ChartStyle) -> None:
    """Pack a node's slots left to right and centre the node over the first and last."""
    shapes: list[Shape] = []
    sub_bottom = bottom
    for slot in node.slots:
        if isinstance(slot, Stack):
            slot.shape = box_shape(slot.bottom + style.v_gap, slot.lo, slot.hi)
            sub_bottom = max(sub_bottom, slot.bottom)
        else:
            sub_bottom = max(sub_bottom, slot.sub_bottom)
        assert slot.shape is not None  # children are placed before their parent
        shapes.append(slot.shape)
    offsets, (el, elo, er, ero, lo, hi) = merge(shapes, style.h_gap)
    mid = offsets[-1] / 2
    for slot, offset in zip(node.slots, offsets, strict=True):
        slot.rel = offset - mid
    first, last = -mid, mid
    own_lo, own_hi = min(-half, first), max(half, last)
    cell_bot = bottom + style.v_gap
    left, right = Cell(cell_bot, own_lo, own_hi), Cell(cell_bot, own_lo, own_hi)
    left.nxt, left.dx = shapes[0].lh, first
    right.nxt, right.dx = shapes[-1].rh, last
    node.shape = Shape(left, right, el, elo - mid, er, ero - mid,
                       min(own_lo, lo - mid), max(own_hi, hi - mid))
    node.sub_bottom = sub_bottom


def merge(shapes: list[Shape], gap: float):
    """Place shapes (all starting at the same y) left to right, ``gap`` apart.

    Returns each shape's x offset from the first, and the forest's left extreme,
    right extreme (cells and frame offsets) and x bounds.
    """
    first = shapes[0]
    offsets = [0.0]
    el, elo, er, ero = first.el, first.elo, first.er, first.ero
    right, right_off = first.rh, 0.0
    lo, hi = first.lo, first.hi
    a: Cell | None
    b: Cell | None
    for shape in shapes[1:]:
        a, ao, b, bo = right, right_off, shape.lh, 0.0
        need = float("-inf")
        while a is not None and b is not None:
            need = max(need, a.hi + ao - b.lo - bo)
            a_bot, b_bot = a.bot, b.bot
            if a_bot <= b_bot:
                ao += a.dx
                a = a.nxt
            if b_bot <= a_bot:
                bo += b.dx
                b = b.nxt
        off = need + gap
        if b is not None:
            # The new shape reaches deeper: the forest's left contour continues into it.
            el.nxt, el.dx = b, bo + off - elo
            el, elo = shape.el, shape.elo + off
            er, ero = shape.er, shape.ero + off
        elif a is not None:
            # The forest reaches deeper: the new shape's right contour continues into it.
            shape.er.nxt, shape.er.dx = a, ao - (shape.ero + off)
        else:
            er, ero = shape.er, shape.ero + off
        right, right_off = shape.rh, off
        lo, hi = min(lo, shape.lo + off), max(hi, shape.hi + off)
        offsets.append(off)
    return offsets, (el, elo, er, ero, lo, hi)
