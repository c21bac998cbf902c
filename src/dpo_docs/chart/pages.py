"""Pages of a paginated chart: blocks packed onto sheets, then drawn with their page numbers.

``paginate`` decides what each block (a branch, or part of one) shows; this module
places the blocks on pages and fills in the cross references once every block has
its page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dpo_docs.chart import measure
from dpo_docs.chart.model import Box, ChartError, ChartLayout, ChartNode, ChartStyle, Connector


@dataclass(frozen=True)
class PageLink:
    """A box on a page whose sub-units are drawn on page ``page``."""

    box_id: str
    page: int


@dataclass(frozen=True)
class ChartPage:
    """One printed page of the chart, its drawing in pt before scaling."""

    number: int
    layout: ChartLayout
    roots: tuple[str, ...]  # the branch drawn at the top of each block, in order
    back: tuple[int, ...]  # the pages those branches continue from
    links: tuple[PageLink, ...]  # the boxes on this page that continue elsewhere
    trees: tuple[ChartNode, ...]  # what each block shows, notes included


@dataclass
class Block:
    """One drawn branch (or part of one) before it is given a page."""

    root: ChartNode
    view: ChartNode
    stubs: list[ChartNode]
    origin: int | None  # index of the block that holds this branch's continued box
    part: int = 0
    parts: int = 1
    layout: ChartLayout | None = None


class _Sheet:
    """A page being filled: blocks placed left to right on shelves, top to bottom."""

    def __init__(self, number: int, shared: bool):
        """An empty page; ``shared`` pages take more than one block."""
        self.number, self.shared = number, shared
        self.items: list[tuple[int, float, float]] = []
        self.ids: set[str] = set()
        self.shelves: list[list[float]] = []  # [top, height, right end] of each shelf

    def spot(self, w: float, h: float, cap: tuple[float, float], gaps: tuple[float, float]):
        """Where a w x h block goes on this page (first shelf with room), or None."""
        for shelf in self.shelves:
            top, height, end = shelf
            # Only the last shelf may grow taller: the others have shelves below them.
            room = h <= height or (shelf is self.shelves[-1] and top + h <= cap[1])
            if room and end + gaps[0] + w <= cap[0]:
                return shelf, end + gaps[0], top
        top = self.shelves[-1][0] + self.shelves[-1][1] + gaps[1] if self.shelves else 0.0
        return (None, 0.0, top) if top + h <= cap[1] else None

    def put(self, index: int, spot, lay: ChartLayout, ids: set[str]) -> None:
        """Place block ``index`` at ``spot`` (a shelf or None for a new one, x, y)."""
        shelf, x, y = spot
        if shelf is None:
            self.shelves.append([y, lay.height, x + lay.width])
        else:
            shelf[1], shelf[2] = max(shelf[1], lay.height), x + lay.width
        self.items.append((index, x, y))
        self.ids |= ids


def pack(blocks: list[Block], cap: tuple[float, float], style: ChartStyle) -> list[_Sheet]:
    """Pack each block on the first page after its parent's that has room (first fit).

    The top of the chart has pages of its own; a branch never comes before the page
    that sends the reader to it, nor on a page that already shows one of its units.
    """
    gaps = (3 * style.h_gap, 2 * style.v_gap)
    sheets: list[_Sheet] = []
    page_of: dict[int, int] = {}
    for index, block in enumerate(blocks):
        lay = block.layout
        assert lay is not None, "blocks are laid out before they are paged"
        ids = {b.id for b in lay.boxes}
        found = None
        if block.origin is not None:
            came_from = index - 1 if block.part else block.origin
            for sheet in sheets[page_of[came_from]:]:
                if sheet.shared and not ids & sheet.ids:
                    spot = sheet.spot(lay.width, lay.height, cap, gaps)
                    if spot is not None:
                        found = sheet, spot
                        break
        if found is None:
            sheet = _Sheet(len(sheets) + 1, shared=block.origin is not None)
            sheets.append(sheet)
            found = sheet, (None, 0.0, 0.0)
        found[0].put(index, found[1], lay, ids)
        page_of[index] = found[0].number
    return sheets


def finish(blocks: list[Block], target: dict[str, int], sheets: list[_Sheet],
           continued: str, back: str, style: ChartStyle) -> list[ChartPage]:
    """Fill in the page numbers and draw each page's blocks where they were packed."""
    page_of = {index: number for number, sheet in enumerate(sheets, 1)
               for index, _x, _y in sheet.items}
    pages = []
    for number, sheet in enumerate(sheets, 1):
        boxes: list[Box] = []
        links: list[Connector] = []
        refs: list[PageLink] = []
        trees, backs = [], set()
        width = height = 0.0
        items = sorted(sheet.items, key=lambda item: (item[2], item[1]))  # reading order
        for index, ox, oy in items:
            block = blocks[index]
            notes: dict[str, tuple[str, ...]] = {}
            for stub in block.stubs:
                notes[stub.id] = (continued.format(page=page_of[target[stub.id]]),)
                refs.append(PageLink(stub.id, page_of[target[stub.id]]))
            own = []
            # Back to the page that sent the reader here: the previous part, if any.
            came_from = index - 1 if block.part else block.origin
            if came_from is not None:
                backs.add(page_of[came_from])
                own.append(back.format(page=page_of[came_from]))
            if block.part < block.parts - 1:
                own.append(continued.format(page=page_of[index + 1]))
                refs.append(PageLink(block.root.id, page_of[index + 1]))
            notes[block.root.id] = tuple(own)
            assert block.layout is not None, "blocks are laid out before they are paged"
            lay = _relabel(block.layout, _planned(block.view), notes, style)
            boxes += [_moved_box(b, ox, oy) for b in lay.boxes]
            links += [replace(c, points=tuple((_r(x + ox), _r(y + oy)) for x, y in c.points))
                      for c in lay.connectors]
            trees.append(_renoted(block.view, notes))
            width, height = max(width, ox + lay.width), max(height, oy + lay.height)
        pages.append(ChartPage(
            number, ChartLayout(_r(width), _r(height), tuple(boxes), tuple(links)),
            tuple(blocks[i].root.id for i, _x, _y in items), tuple(sorted(backs)),
            tuple(refs), tuple(trees),
        ))  # fmt: skip
    return pages


def _r(value: float) -> float:
    """Round to 0.01 pt, as the layout does."""
    return round(value, 2) + 0.0


def _moved_box(box: Box, ox: float, oy: float) -> Box:
    """The box shifted by (ox, oy), text included."""
    lines = tuple(replace(t, x=_r(t.x + ox), y=_r(t.y + oy)) for t in box.lines)
    return replace(box, x=_r(box.x + ox), y=_r(box.y + oy), lines=lines)


def _planned(view: ChartNode) -> dict[str, tuple[str, ...]]:
    """The placeholder notes of every box of a view that has some."""
    out, todo = {}, [view]
    while todo:
        node = todo.pop()
        if node.notes:
            out[node.id] = node.notes
        todo.extend(node.children)
    return out


def _renoted(node: ChartNode, notes: dict[str, tuple[str, ...]]) -> ChartNode:
    """The view with its final notes, for text alternatives."""
    kids = tuple(_renoted(c, notes) for c in node.children)
    return replace(node, children=kids, notes=notes.get(node.id, node.notes))


def _relabel(lay: ChartLayout, planned: dict[str, tuple[str, ...]],
             final: dict[str, tuple[str, ...]], style: ChartStyle) -> ChartLayout:
    """Put the final notes in the lines their placeholders reserved (same box sizes)."""
    inner = style.box_width - 2 * style.padding
    size = style.detail_size
    boxes = []
    for box in lay.boxes:
        if box.id not in planned:
            boxes.append(box)
            continue
        slots = [line for line in box.lines if line.note]
        kept = [line for line in box.lines if not line.note]
        texts = final.get(box.id, ())
        at = 0
        for placeholder, text in zip(planned[box.id], (*texts, *[""] * len(planned[box.id])),
                                     strict=False):
            count = len(measure.wrap(placeholder, size, inner, True, True))
            wrapped = measure.wrap(text, size, inner, True, True) if text else []
            if len(wrapped) > count:
                raise ChartError(f"note {text!r} is wider than the room kept for it")
            for slot, (line, width) in zip(slots[at:at + count], wrapped, strict=False):
                kept.append(replace(slot, text=line, width=_r(width),
                                    x=_r(box.x + (box.w - width) / 2)))
            at += count
        boxes.append(replace(box, lines=tuple(kept)))
    return replace(lay, boxes=tuple(boxes))
