"""Render a chart layout as an accessible SVG string (standalone file or inline in HTML)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from dpo_docs import fonts
from dpo_docs.chart.layout import Box, ChartError, ChartLayout, clean_text

log = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
CONNECTOR_COLOUR = "#7f7f7f"
CONNECTOR_WIDTH = 0.75
BOX_STROKE_WIDTH = 0.75
CORNER_RADIUS = 2.0
DASH = (3.0, 2.0)

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Attribute values may hold quotes and newlines; escape them so the XML stays valid.
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


@dataclass(frozen=True)
class KindColours:
    """Fill, border and text colour of one kind of box."""

    fill: str
    stroke: str
    text: str


# Sober UN blues, darkest at the top of the hierarchy; every text/fill pair is above
# the WCAG AA contrast of 4.5:1 (the tests check it).
PALETTE: dict[str, KindColours] = {
    "department": KindColours("#1f4e79", "#1f4e79", "#ffffff"),
    "office": KindColours("#2f6496", "#2f6496", "#ffffff"),
    "division": KindColours("#d6e4f2", "#2f6496", "#1a1a1a"),
    "service": KindColours("#e4edf7", "#5b84b1", "#1a1a1a"),
    "section": KindColours("#eef3f9", "#7f9cc0", "#1a1a1a"),
    "unit": KindColours("#ffffff", "#7f9cc0", "#1a1a1a"),
    "shared": KindColours("#f3f3f3", "#6b6b6b", "#1a1a1a"),
    "portfolio": KindColours("#e9eef2", "#5f7284", "#1a1a1a"),
}


def colours_for(kind: str) -> KindColours:
    """Colours of a kind; unknown kinds look like plain units."""
    return PALETTE.get(kind, PALETTE["unit"])


def num(value: float) -> str:
    """Shortest stable text for a coordinate rounded to 0.01."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr(value: str) -> str:
    """Escape text for a double-quoted XML attribute."""
    return escape(value, _ATTR_ENTITIES)


def to_svg(
    layout: ChartLayout,
    title: str,
    desc: str,
    *,
    standalone: bool = True,
    id_prefix: str = "orgchart",
) -> str:
    """The chart as SVG; ``standalone=False`` gives only the <svg> element for HTML."""
    if not _ID.match(id_prefix):
        raise ChartError(f"id_prefix {id_prefix!r} is not a valid XML id")
    w, h = num(layout.width), num(layout.height)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    out: list[str] = []
    if standalone:
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(
        f'<svg xmlns="{SVG_NS}" version="1.1" viewBox="0 0 {w} {h}" width="{w}pt" '
        f'height="{h}pt" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family=\'{fonts.FAMILY_STACK}\'>'
    )
    out.append(f'<title id="{title_id}">{escape(clean_text(title))}</title>')
    out.append(f'<desc id="{desc_id}">{escape(clean_text(desc))}</desc>')
    # Connectors first so box fills cover their ends cleanly.
    out.append(
        f'<g class="connectors" fill="none" stroke="{CONNECTOR_COLOUR}" '
        f'stroke-width="{num(CONNECTOR_WIDTH)}" stroke-linejoin="round">'
    )
    for link in layout.connectors:
        pts = " ".join(f"{num(x)},{num(y)}" for x, y in link.points)
        out.append(f'<polyline fill="none" points="{pts}"/>')
    out.append("</g>")
    out.append('<g class="units">')
    for box in layout.boxes:
        out.extend(_box(box))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _box(box: Box) -> list[str]:
    """SVG elements of one box: a group with its rectangle and text lines."""
    colours = colours_for(box.kind)
    dash = f' stroke-dasharray="{num(DASH[0])} {num(DASH[1])}"' if box.shared else ""
    parts = [
        f'<g class="unit {_attr(_css_word(box.kind))}" data-id="{_attr(clean_text(box.id))}">',
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.w)}" height="{num(box.h)}" '
        f'rx="{num(CORNER_RADIUS)}" fill="{colours.fill}" stroke="{colours.stroke}" '
        f'stroke-width="{num(BOX_STROKE_WIDTH)}"{dash}/>',
    ]
    for line in box.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        style = ' font-style="italic"' if line.italic else ""
        parts.append(
            f'<text x="{num(line.x)}" y="{num(line.y)}" font-size="{num(line.size)}"'
            f'{weight}{style} fill="{colours.text}">{escape(fonts.visual(line.text))}</text>'
        )
    parts.append("</g>")
    return parts


def _css_word(kind: str) -> str:
    """The kind reduced to a safe CSS class name."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", kind) or "unit"
