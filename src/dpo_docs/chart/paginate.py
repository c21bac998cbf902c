"""Fit an org chart to paper: one page while its text stays legible, else several pages.

When the whole chart would print below the smallest legible size, the first page
shows the top levels of the tree and every unit whose sub-units do not fit carries a
note "suite page N"; the branch under it is drawn on page N, its top box noting
"retour à la page M". A branch too big for a page is cut the same way, level by
level; a unit with too many sub-units for one page is drawn on several pages, each
with a run of them. Small branches share a page, packed in shelves, in the order
their notes appear (breadth first), so related branches stay together.

Nothing is ever clipped, and every page prints at one common scale, never below the
legible size. The function is pure: a tree and a paper size in, pages out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dpo_docs.chart import measure
from dpo_docs.chart.layout import arrange, assemble
from dpo_docs.chart.model import DEFAULT_STYLE, MIN_FONT_SIZE, ChartError, ChartNode, ChartStyle
from dpo_docs.chart.pages import Block, ChartPage, PageLink, finish, pack

__all__ = ["BACK", "CONTINUED", "ChartPage", "PageLink", "Pagination", "fits_one_page", "paginate"]

CONTINUED = "suite page {page}"
BACK = "retour à la page {page}"


@dataclass(frozen=True)
class Pagination:
    """The pages of a chart and the one scale they all print at."""

    pages: tuple[ChartPage, ...]
    scale: float
    box: tuple[float, float]


def paginate(
    root: ChartNode,
    box: tuple[float, float],
    style: ChartStyle = DEFAULT_STYLE,
    *,
    continued: str = CONTINUED,
    back: str = BACK,
    max_scale: float = 1.5,
    min_text: float = MIN_FONT_SIZE,
) -> Pagination:
    """The chart on as few pages of ``box`` (drawable width, height in pt) as legibility allows."""
    box_w, box_h = box
    whole = arrange(root, style)
    fit = _single_page_scale(root, whole, box, style, min_text)
    if fit is not None:
        page = ChartPage(1, assemble(whole), (root.id,), (), (), (root,))
        return Pagination((page,), min(max_scale, fit), box)
    # Cross references print at the detail size: that size bounds how far pages shrink.
    floor = min_text / style.detail_size
    cap = (box_w / floor, box_h / floor)
    blocks, target = _Planner(style, cap, continued, back, whole).plan(root)
    pages = finish(blocks, target, pack(blocks, cap, style), continued, back, style)
    scale = min(1.0, *(min(box_w / p.layout.width, box_h / p.layout.height) for p in pages))
    return Pagination(tuple(pages), scale, box)


def fits_one_page(root: ChartNode, box: tuple[float, float], style: ChartStyle = DEFAULT_STYLE,
                  min_text: float = MIN_FONT_SIZE) -> bool:
    """True if the whole chart prints on one page of ``box`` with text of ``min_text`` or more."""
    return _single_page_scale(root, arrange(root, style), box, style, min_text) is not None


def _single_page_scale(root: ChartNode, whole, box: tuple[float, float], style: ChartStyle,
                       min_text: float) -> float | None:
    """The scale that fits the whole chart to ``box``, or None if its text would be too small."""
    if box[0] <= 0 or box[1] <= 0:
        raise ChartError(f"paper box {box} has no room to draw in")
    smallest = style.detail_size if _has_detail(root) else style.font_size
    fit = min(box[0] / whole.width, box[1] / whole.height)
    return fit if smallest * fit >= min_text - 1e-9 else None


def _has_detail(root: ChartNode) -> bool:
    """True if any box of the tree has a detail line or a note (drawn smaller)."""
    todo = [root]
    while todo:
        node = todo.pop()
        if node.detail or node.notes:
            return True
        todo.extend(node.children)
    return False


class _Planner:
    """Decides what each block of the paginated chart shows."""

    def __init__(self, style: ChartStyle, cap: tuple[float, float], continued: str,
                 back: str, whole) -> None:
        """Placeholders as wide as any real page number, and each subtree's size."""
        # On paper that is already full, even two leaves go in a column: a narrower
        # branch leaves room for one more level on the page.
        self.style, self.cap = replace(style, stack_threshold=2), cap
        digit = max("0123456789", key=lambda c: measure.em_width(c, True, True))
        # Page numbers are known only once every block is packed; the boxes reserve
        # room for the widest number there could be, and the notes are filled in last.
        number = digit * len(str(max(9, len(whole.nodes))))
        self.stub_note = continued.format(page=number)
        self.back_note = back.format(page=number)
        self.sizes = {
            n.src.id: (n.shape.hi - n.shape.lo, n.sub_bottom - n.y)
            for n in whole.nodes if n.shape is not None
        }  # fmt: skip
        self.count: dict[str, int] = {}
        for n in reversed(whole.nodes):
            self.count[n.src.id] = 1 + sum(self.count[k.src.id] for k in n.kids)

    def fits(self, view: ChartNode) -> bool:
        """True if the view's drawing fits the page at the legible scale."""
        arr = arrange(view, self.style)
        return arr.width <= self.cap[0] + 1e-6 and arr.height <= self.cap[1] + 1e-6

    def may_fit(self, node: ChartNode) -> bool:
        """Cheap pre-check from the whole chart's layout (with slack for notes and rows)."""
        w, h = self.sizes[node.id]
        margin = 2 * self.style.margin
        return w + margin <= self.cap[0] * 1.1 and h + margin <= self.cap[1] * 1.1 + 60

    def view(self, node: ChartNode, kids: tuple[ChartNode, ...], depth: int | None,
             notes: tuple[str, ...], expand: frozenset[str] = frozenset(),
             side: bool = False) -> tuple[ChartNode, list[ChartNode]]:
        """``node`` over ``kids`` down to ``depth`` levels; deeper sub-units are continued.

        Units in ``expand`` are shown whole whatever their level; ``side`` keeps the
        top unit's children side by side.
        """
        stubs: list[ChartNode] = []
        note = (self.stub_note,)

        def cut(child: ChartNode, level: int) -> ChartNode:
            """The child's subtree as this page shows it."""
            if not child.children or child.id in expand:
                return child
            if depth is not None and level >= depth:
                stubs.append(child)
                return replace(child, children=(), notes=note, continued=True)
            return replace(child, children=tuple(cut(c, level + 1) for c in child.children))

        shown = tuple(cut(c, 1) for c in kids)
        return replace(node, children=shown, notes=notes, side_by_side=side), stubs

    def deepest(self, node: ChartNode, kids: tuple[ChartNode, ...], notes: tuple[str, ...]):
        """The fullest view that fits, or None if not even one level does.

        First the most levels that fit for every branch alike (a clean overview), then
        the smallest of the branches it cuts short drawn whole, as many as still fit.
        """
        best, depth = None, 1
        while True:
            view, stubs = self.view(node, kids, depth, notes)
            if not self.fits(view):
                break
            best = (view, stubs, depth)
            if not stubs:
                return best[:2]
            depth += 1
        if best is None:
            return None
        view, stubs, depth = best
        side = False
        if depth == 1:
            # One level only: the units side by side read as a chart, not as a list.
            wide = self.view(node, kids, 1, notes, side=True)
            if self.fits(wide[0]):
                (view, stubs), side = wide, True
        return self.fill(node, kids, depth, notes, side, (view, stubs))

    def fill(self, node: ChartNode, kids: tuple[ChartNode, ...], depth: int,
             notes: tuple[str, ...], side: bool, best):
        """Draw whole as many of the smallest cut-short branches as still fit."""
        cap_w, cap_h = self.cap
        small = sorted(
            (self.count[s.id], i, s.id) for i, s in enumerate(best[1])
            if self.count[s.id] <= 60 and self.sizes[s.id][0] <= cap_w / 2
            and self.sizes[s.id][1] <= cap_h / 2
        )  # fmt: skip
        low, high = 0, len(small)
        while low < high:  # bisect the number of branches drawn whole
            mid = (low + high + 1) // 2
            expand = frozenset(sid for _c, _i, sid in small[:mid])
            trial = self.view(node, kids, depth, notes, expand, side)
            if self.fits(trial[0]):
                low, best = mid, trial
            else:
                high = mid - 1
        return best

    def branch(self, node: ChartNode, origin: int | None) -> list[tuple[ChartNode, list]]:
        """The block(s) drawing ``node``'s branch: whole, cut by depth, or in parts."""
        notes = (self.back_note,) if origin is not None else ()
        if origin is not None and self.may_fit(node):
            view, stubs = self.view(node, node.children, None, notes)
            if self.fits(view):
                return [(view, stubs)]
        best = self.deepest(node, node.children, notes)
        if best is not None:
            return [best]
        return self.parts(node, origin is not None)

    def parts(self, node: ChartNode, has_back: bool) -> list[tuple[ChartNode, list]]:
        """Too many sub-units side by side: runs of them, each on its own page.

        Each part's top box notes where the reader came from and where the next part is.
        """
        kids, start = node.children, 0
        out: list[tuple[ChartNode, list]] = []
        if not kids:
            raise ChartError(f"unit {node.id!r} alone does not fit on one page; choose larger paper")

        def notes(last: bool) -> tuple[str, ...]:
            """The top box's notes for the part being planned."""
            back = (self.back_note,) if has_back or out else ()
            return back if last else (*back, self.stub_note)

        def fits(end: int) -> bool:
            """True if the sub-units start..end fit one page, one level deep."""
            return self.fits(self.view(node, kids[start:end], 1, notes(False))[0])

        while start < len(kids):
            if not fits(start + 1):
                raise ChartError(
                    f"unit {kids[start].id!r} under {node.id!r} does not fit on one page; "
                    "choose larger paper"
                )
            size = 1  # gallop, then bisect: the run that fits is found in O(log n) tries
            while start + 2 * size <= len(kids) and fits(start + 2 * size):
                size *= 2
            low, high = start + size, min(len(kids), start + 2 * size)
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if fits(mid) else (low, mid - 1)
            group, last = kids[start:low], low == len(kids)
            # One note fewer on the last part can only make its top box smaller.
            best = self.deepest(node, group, notes(last)) or self.deepest(node, group, notes(False))
            out.append(best)
            start = low
        return out

    def plan(self, root: ChartNode) -> tuple[list[Block], dict[str, int]]:
        """Every block, breadth first, and the first block of each continued branch."""
        blocks: list[Block] = []
        target: dict[str, int] = {}
        queue: list[tuple[ChartNode, int | None]] = [(root, None)]
        for node, origin in queue:  # the queue grows while it is read
            plans = self.branch(node, origin)
            target[node.id] = len(blocks)
            for part, (view, stubs) in enumerate(plans):
                block = Block(node, view, stubs, origin, part=part, parts=len(plans))
                block.layout = assemble(arrange(view, self.style))
                blocks.append(block)
                # The view kept the original nodes of the units it cut short.
                queue.extend((stub, len(blocks) - 1) for stub in stubs)
        return blocks, target


