"""Render a chart layout as an accessible SVG string (standalone file or inline in HTML)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from dpo_docs import fonts
from dpo_docs.chart import measure
from dpo_docs.chart.layout import Box, ChartError, ChartLayout, clean_text
from dpo_docs.chart.legend import SWATCH, Legend
from dpo_docs.chart.shape import is_rtl, lang_of, strip_controls

log = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
CONNECTOR_COLOUR = "#6b6b6b"  # 5.3:1 on white: links are part of the chart's meaning
CONNECTOR_WIDTH = 0.75
CORNER_RADIUS = 2.0
DASH = (3.0, 2.0)  # a shared unit's border, whatever its kind
DOTS = (1.0, 1.5)
DASH_DOT = (3.0, 1.5, 1.0, 1.5)  # a shared unit of a kind drawn with dots
LONG_DASH = (6.0, 2.0)
DOUBLE_INSET = 1.75  # centre of a double border's inner line, from the box edge
DOUBLE_WIDTH = 0.6
LEGEND_TEXT = "#1a1a1a"

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Attribute values may hold quotes and newlines; escape them so the XML stays valid.
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


@dataclass(frozen=True)
class KindStyle:
    """How one kind of box looks: colours, and a border that tells it apart without colour.

    ``inner`` is the colour of a double border's inner line (None: a single border).
    """

    fill: str
    stroke: str
    text: str
    width: float = 0.75
    dash: tuple[float, ...] | None = None
    inner: str | None = None

    def border(self, shared: bool = False) -> tuple[float, tuple[float, ...] | None, bool]:
        """Width, dash pattern and doubling of the border.

        A shared unit's solid border is dashed and its dotted one dash-dotted: its
        width and double line still tell its kind.
        """
        dash = self.dash
        if shared and dash is None:
            dash = DASH
        elif shared and dash == DOTS:
            dash = DASH_DOT
        return self.width, dash, self.inner is not None


# Sober UN blues, darkest at the top of the hierarchy. Kinds with light fills never
# share a border (width, dashes or dots, double line), shared or not, so a reader who
# cannot tell the fills apart still can tell the kinds apart; the two dark kinds differ
# by the double line. Text is 4.5:1 or more on its fill; a border drawn on a light fill
# is 3:1 or more against that fill and the white page; a dark fill is its own border
# (the tests check all of it).
PALETTE: dict[str, KindStyle] = {
    "department": KindStyle("#1f4e79", "#1f4e79", "#ffffff", inner="#ffffff"),
    "office": KindStyle("#2f6496", "#2f6496", "#ffffff"),
    "division": KindStyle("#d6e4f2", "#1f4e79", "#1a1a1a", width=1.75),
    "service": KindStyle("#e4edf7", "#2f6496", "#1a1a1a"),
    "section": KindStyle("#eef3f9", "#2f6496", "#1a1a1a", inner="#2f6496"),
    "unit": KindStyle("#ffffff", "#2f6496", "#1a1a1a", width=1.0, dash=DOTS),
    "shared": KindStyle("#f3f3f3", "#595959", "#1a1a1a", dash=LONG_DASH),
    "portfolio": KindStyle("#e9eef2", "#44566a", "#1a1a1a", width=1.75, inner="#44566a"),
}


def colours_for(kind: str) -> KindStyle:
    """The look of a kind; unknown kinds look like plain units."""
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
    legend: Legend | None = None,
    letters: bool = False,
) -> str:
    """The chart as SVG; ``standalone=False`` gives only the <svg> element for HTML.

    A ``legend`` (placed under this layout by ``legend.place``) is drawn below the chart.
    Text is kept in logical order for viewers that shape it (browsers, librsvg);
    ``letters=True`` writes it pre-joined in display order instead, for a renderer that
    places one character after another (WeasyPrint's SVG text).
    """
    if not _ID.match(id_prefix):
        raise ChartError(f"id_prefix {id_prefix!r} is not a valid XML id")
    w, h = num(layout.width), num(layout.height)
    if legend is not None:
        w, h = num(legend.width), num(legend.height)
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
        out.extend(_box(box, letters))
    out.append("</g>")
    if legend is not None and legend.items:
        out.append(f'<g class="legend" font-size="{num(legend.size)}" fill="{LEGEND_TEXT}">')
        for item in legend.items:
            out.extend(frame(item.kind, item.shared, item.x, item.y, *SWATCH))
            width = measure.em_width(clean_text(item.label)) * legend.size
            out.append(_text(clean_text(item.label), item.text_x, item.text_y, width, "", letters))
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _box(box: Box, letters: bool = False) -> list[str]:
    """SVG elements of one box: a group with its border and text lines."""
    colours = colours_for(box.kind)
    parts = [
        f'<g class="unit {_attr(_css_word(box.kind))}" data-id="{_attr(clean_text(box.id))}">',
        *frame(box.kind, box.shared, box.x, box.y, box.w, box.h),
    ]
    for line in box.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        style = ' font-style="italic"' if line.italic else ""
        attrs = f' font-size="{num(line.size)}"{weight}{style} fill="{colours.text}"'
        parts.append(_text(line.text, line.x, line.y, line.width, attrs, letters))
    parts.append("</g>")
    return parts


def _text(text: str, x: float, y: float, width: float, attrs: str, letters: bool) -> str:
    """A <text> element for a line that starts at ``x`` and is ``width`` wide.

    A right-to-left line is anchored at its middle: "start" would mean its right end
    to one viewer and its left end to another, the middle is the same to all.
    """
    text = strip_controls(text)
    if letters:
        return f'<text x="{num(x)}" y="{num(y)}"{attrs}>{escape(fonts.visual(text))}</text>'
    if not is_rtl(text):
        return f'<text x="{num(x)}" y="{num(y)}"{attrs}>{escape(text)}</text>'
    return (f'<text x="{num(x + width / 2)}" y="{num(y)}" text-anchor="middle" direction="rtl" '
            f'unicode-bidi="embed" xml:lang="{lang_of(text)}"{attrs}>{escape(text)}</text>')


def frame(kind: str, shared: bool, x: float, y: float, w: float, h: float) -> list[str]:
    """A box's rectangle and, for a double border, its inner line: one drawing for chart and legend."""
    look = colours_for(kind)
    width, dash, double = look.border(shared)
    pattern = f' stroke-dasharray="{" ".join(map(num, dash))}"' if dash else ""
    out = [
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
        f'rx="{num(CORNER_RADIUS)}" fill="{look.fill}" stroke="{look.stroke}" '
        f'stroke-width="{num(width)}"{pattern}/>'
    ]
    if double:
        i = DOUBLE_INSET
        # A path, not a rect: one rect per box is how readers of the SVG count units.
        out.append(
            f'<path class="inner" d="M{num(x + i)} {num(y + i)}H{num(x + w - i)}V{num(y + h - i)}'
            f'H{num(x + i)}Z" fill="none" stroke="{look.inner}" '
            f'stroke-width="{num(DOUBLE_WIDTH)}"{pattern}/>'
        )
    return out


def swatch(kind: str, shared: bool = False, width: float = 18.0, height: float = 10.0) -> str:
    """A standalone SVG of a small box of ``kind``: a legend's sample."""
    m = 1.0  # room for the border's outer half
    body = "".join(frame(kind, shared, m, m, width - 2 * m, height - 2 * m))
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {num(width)} {num(height)}" '
        f'width="{num(width)}pt" height="{num(height)}pt">{body}</svg>'
    )


def _css_word(kind: str) -> str:
    """The kind reduced to a safe CSS class name."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", kind) or "unit"
