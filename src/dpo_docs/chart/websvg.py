"""A chart layout as inline SVG for the web edition: a tree of focusable boxes a script can operate.

The print SVG (``chart.svg``) is a picture; this one is a widget. Each unit is a
``treeitem`` group holding its box and, in a nested ``group``, the links to its
sub-units and their own groups: hiding a branch is hiding one element, and a screen
reader finds the tree's levels in the nesting. Boxes are drawn as the print SVG draws
them (``frame``, the same colours and text lines), so both editions look alike.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from dpo_docs.chart.layout import Box, ChartError, ChartLayout, clean_text
from dpo_docs.chart.svg import (
    _ID,
    CONNECTOR_COLOUR,
    CONNECTOR_WIDTH,
    SVG_NS,
    _attr,
    _css_word,
    _text,
    colours_for,
    frame,
    num,
)

TOGGLE_RADIUS = 5.5  # the collapse mark on a parent's bottom edge: big enough to aim at


def accessible_name(name: str, acronym: str | None) -> str:
    """How a screen reader names a box: the unit's name, then its acronym."""
    return f"{name} ({acronym})" if acronym else name


def to_web_svg(chart: ChartLayout, names: dict[str, tuple[str, str | None]], *, title: str,
               id_prefix: str = "chart") -> str:
    """The chart as an ``<svg>`` element for HTML: nested tree items, links grouped by branch.

    ``names`` gives each box's unit name and acronym (by id): the accessible name and
    what the page's search matches, whatever lines the box's label was wrapped into.
    """
    if not _ID.match(id_prefix):
        raise ChartError(f"id_prefix {id_prefix!r} is not a valid XML id")
    if not chart.boxes:
        raise ChartError("the chart has no boxes")
    boxes = {b.id: b for b in chart.boxes}
    kids: dict[str, list[str]] = {}
    links: dict[str, list[str]] = {}
    for link in chart.connectors:
        kids.setdefault(link.parent_id, []).append(link.child_id)
        pts = " ".join(f"{num(x)},{num(y)}" for x, y in link.points)
        links.setdefault(link.parent_id, []).append(f'<polyline points="{pts}"/>')
    w, h = num(chart.width), num(chart.height)
    out = [
        f'<svg xmlns="{SVG_NS}" id="{id_prefix}" class="chart-svg" viewBox="0 0 {w} {h}" '
        # Left to right whatever the page's direction: each line is placed from its left
        # end, and a right-to-left line says so itself (as in the print SVG).
        f'data-width="{w}" data-height="{h}" direction="ltr" role="tree" '
        f'aria-labelledby="{id_prefix}-title">',
        f'<title id="{id_prefix}-title">{escape(clean_text(title))}</title>',
    ]
    root = chart.boxes[0]
    # Iterative, parents before children, closing each group after its last descendant:
    # a deep organisation cannot reach the recursion limit.
    todo: list[tuple[str, str | None]] = [(root.id, None)]
    while todo:
        ident, parent = todo.pop()
        if ident == "":  # the end of a branch: close its group, mark it, close its tree item
            out.append("</g>")
            out.append(_toggle(boxes[parent or ""]))
            out.append("</g>")
            continue
        box = boxes[ident]
        children = kids.get(ident, [])
        name, acronym = names.get(ident, (ident, None))
        out.extend(_item(box, parent, name, acronym, bool(children), root is box))
        if not children:
            out.append("</g>")
            continue
        # The links' stroke is set on their own group: on the branch, the boxes' text would inherit it.
        out.append('<g class="branch" role="group">')
        out.append(f'<g class="links" fill="none" stroke="{CONNECTOR_COLOUR}" '
                   f'stroke-width="{num(CONNECTOR_WIDTH)}" stroke-linejoin="round">')
        out.extend(links[ident])
        out.append("</g>")
        todo.append(("", ident))
        todo.extend((child, ident) for child in reversed(children))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _item(box: Box, parent: str | None, name: str, acronym: str | None, has_children: bool,
          first: bool) -> list[str]:
    """The opening of one unit's tree item, and its box drawn inside."""
    label = accessible_name(clean_text(name), clean_text(acronym) or None)
    attrs = [
        f'class="node {_attr(_css_word(box.kind))}"',
        'role="treeitem"',
        # One box in the tab order (the first); the script moves it as focus moves.
        f'tabindex="{0 if first else -1}"',
        f'aria-label="{_attr(label)}"',
        f'data-id="{_attr(clean_text(box.id))}"',
        f'data-name="{_attr(clean_text(name))}"',
    ]
    if acronym:
        attrs.append(f'data-acronym="{_attr(clean_text(acronym))}"')
    if parent is not None:
        attrs.append(f'data-parent="{_attr(clean_text(parent))}"')
    if has_children:
        attrs.append('aria-expanded="true"')
    colours = colours_for(box.kind)
    parts = [f'<g {" ".join(attrs)}>', '<g class="box">',
             *frame(box.kind, box.shared, box.x, box.y, box.w, box.h)]
    for line in box.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        style = ' font-style="italic"' if line.italic else ""
        attrs_text = f' font-size="{num(line.size)}"{weight}{style} fill="{colours.text}"'
        parts.append(_text(line.text, line.x, line.y, line.width, attrs_text, False))
    parts.append("</g>")
    return parts


def _toggle(box: Box) -> str:
    """The collapse mark of a parent: on its bottom edge, where its links leave, over their ends.

    The page shows it once the script runs: a minus while the branch is open, a plus
    (the minus and a bar across) once it is folded.
    """
    cx, cy = box.x + box.w / 2, box.y + box.h
    return (f'<g class="toggle" aria-hidden="true"><circle cx="{num(cx)}" cy="{num(cy)}" '
            f'r="{num(TOGGLE_RADIUS)}"/><path d="M{num(cx - 3)} {num(cy)}h6"/>'
            f'<path class="plus" d="M{num(cx)} {num(cy - 3)}v6"/></g>')
