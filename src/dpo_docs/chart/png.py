"""Render a chart layout as PNG bytes with Pillow (for Word documents)."""

from __future__ import annotations

import io
import logging
import math
from typing import TYPE_CHECKING

from dpo_docs.chart import shape
from dpo_docs.chart.layout import Box, ChartError, ChartLayout, TextLine
from dpo_docs.chart.legend import SWATCH, Legend
from dpo_docs.chart.svg import (
    CONNECTOR_COLOUR,
    CONNECTOR_WIDTH,
    CORNER_RADIUS,
    DOUBLE_INSET,
    DOUBLE_WIDTH,
    LEGEND_TEXT,
    colours_for,
)

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

log = logging.getLogger(__name__)

# A 300 dpi A0 sheet is about 140 million pixels; beyond that something is wrong.
MAX_PIXELS = 150_000_000
# Rendered runs, kept across calls: a paginated chart draws the same words at the
# same size on every page.
_FACES: dict = {}
_GLYPHS: dict = {}


def to_png(layout: ChartLayout, dpi: int = 300, legend: Legend | None = None) -> bytes:
    """The chart drawn at ``dpi`` on white, as deterministic PNG bytes, with its ``legend`` if given."""
    from PIL import Image, ImageDraw  # lazy: Pillow is only needed for Word output
    from PIL.PngImagePlugin import PngInfo

    if not 36 <= dpi <= 1200:
        raise ChartError(f"dpi must be between 36 and 1200, got {dpi}")
    scale = dpi / 72
    width, height = (legend.width, legend.height) if legend else (layout.width, layout.height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size[0] * size[1] > MAX_PIXELS:
        raise ChartError(f"chart would be {size[0]}x{size[1]} px at {dpi} dpi; lower the dpi")
    image = Image.new("RGB", size, "#ffffff")
    draw = ImageDraw.Draw(image)
    line_w = max(1, round(CONNECTOR_WIDTH * scale))
    for link in layout.connectors:
        pts = [(x * scale, y * scale) for x, y in link.points]
        draw.line(pts, fill=CONNECTOR_COLOUR, width=line_w, joint="curve")
    if len(_GLYPHS) > 50_000:  # many sizes over a long process: start afresh
        _GLYPHS.clear()
    for box in layout.boxes:
        _draw_box(draw, box, scale, _FACES, _GLYPHS)
    for item in legend.items if legend else ():
        _draw_frame(draw, item.kind, item.shared, (item.x, item.y, *SWATCH), scale)
        label = TextLine(item.label, item.text_x, item.text_y, legend.size)  # type: ignore[union-attr]  # items imply a legend
        _draw_text(draw, label, LEGEND_TEXT, scale, _FACES, _GLYPHS)
    info = PngInfo()
    # Fixed metadata only: a timestamp would make every build's bytes differ.
    info.add_text("Software", "dpo-docs")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), pnginfo=info, optimize=False, compress_level=3)  # level 6 cost a third of a fact sheet
    return buffer.getvalue()


def _draw_box(
    draw: ImageDraw.ImageDraw,
    box: Box,
    scale: float,
    faces: dict,
    glyphs: dict,
) -> None:
    """Fill, border and text of one box."""
    _draw_frame(draw, box.kind, box.shared, (box.x, box.y, box.w, box.h), scale)
    colour = colours_for(box.kind).text
    for line in box.lines:
        _draw_text(draw, line, colour, scale, faces, glyphs)


def _draw_frame(draw: ImageDraw.ImageDraw, kind: str, shared: bool,
                rect: tuple[float, float, float, float], scale: float) -> None:
    """Fill and border of a box of ``kind`` at (x, y, w, h) pt, as the SVG draws it."""
    colours = colours_for(kind)
    x0, y0 = rect[0] * scale, rect[1] * scale
    x1, y1 = (rect[0] + rect[2]) * scale, (rect[1] + rect[3]) * scale
    radius = CORNER_RADIUS * scale
    width, dash, double = colours.border(shared)
    draw.rounded_rectangle((x0, y0, x1, y1), radius=radius, fill=colours.fill)
    _outline(draw, (x0, y0, x1, y1), radius, colours.stroke, width * scale, dash, scale)
    if double and colours.inner is not None:
        i = DOUBLE_INSET * scale
        _outline(draw, (x0 + i, y0 + i, x1 - i, y1 - i), 0.0, colours.inner,
                 DOUBLE_WIDTH * scale, dash, scale)


def _draw_text(draw: ImageDraw.ImageDraw, line: TextLine, colour: str, scale: float,
               faces: dict, glyphs: dict) -> None:
    """One line of text with its baseline start at (line.x, line.y) pt, shaped by HarfBuzz.

    Run by run in display order, each at the advance it was measured with, so the line
    is exactly as wide as the layout made room for; bidi controls are never drawn.
    """
    x, y = line.x * scale, round(line.y * scale)
    px = line.size * scale
    for run in shape.runs(line.text, line.bold, line.italic):
        if run.text.strip():
            _draw_run(draw, shape.face(run.path, px), (run.path, px), run, x, y, colour, glyphs)
        x += run.width * px


def _draw_run(draw: ImageDraw.ImageDraw, face: ImageFont.FreeTypeFont, key: tuple,
              run: shape.Run, x: float, y: int, colour: str, glyphs: dict) -> None:
    """One shaped run with its baseline start at (x, y), from a cache of rendered runs.

    Rasterising is most of the cost of a big chart; each run (a label's words repeat)
    is rendered once per face and quarter-pixel offset and then stamped.
    """
    whole = math.floor(x)
    quarter = round((x - whole) * 4)
    if quarter == 4:
        whole, quarter = whole + 1, 0
    entry = glyphs.get((key, run.text, run.rtl, quarter))
    if entry is None:
        from PIL import Image, ImageDraw

        direction = "rtl" if run.rtl else "ltr"
        # Whole pixels, as FreeType gives them (Pillow's annotations say float).
        left, top, right, bottom = map(int, face.getbbox(run.text, anchor="ls", direction=direction,
                                                         features=shape.FEATURES))
        mask = Image.new("L", (max(1, right - left + 3), max(1, bottom - top + 3)), 0)
        ImageDraw.Draw(mask).text((quarter / 4 - left + 1, -top + 1), run.text, font=face,
                                  fill=255, anchor="ls", direction=direction, features=shape.FEATURES)
        entry = glyphs[(key, run.text, run.rtl, quarter)] = (mask, left - 1, top - 1)
    mask, dx, dy = entry
    draw.bitmap((whole + dx, y + dy), mask, fill=colour)


def _outline(
    draw: ImageDraw.ImageDraw,
    rect: tuple[float, float, float, float],
    radius: float,
    colour: str,
    width: float,
    dash: tuple[float, ...] | None,
    scale: float,
) -> None:
    """A border centred on the rectangle's edge, as SVG strokes it: solid or dashed."""
    half = width / 2
    pixels = max(1, round(width))
    if dash is None:
        x0, y0, x1, y1 = rect
        # Pillow draws an outline inside the rectangle; move it out by half its width.
        outer = (x0 - half, y0 - half, x1 + half, y1 + half)
        draw.rounded_rectangle(outer, radius=radius + half if radius else 0, outline=colour,
                               width=pixels)
        return
    _dashed_outline(draw, rect, radius, colour, pixels, dash, scale)


def _dashed_outline(
    draw: ImageDraw.ImageDraw,
    rect: tuple[float, float, float, float],
    radius: float,
    colour: str,
    width: int,
    dash: tuple[float, ...],
    scale: float,
) -> None:
    """Dashed straight edges and solid rounded corners (Pillow has no dash pattern).

    ``dash`` alternates drawn and skipped lengths, as SVG's stroke-dasharray does.
    """
    x0, y0, x1, y1 = rect
    steps = [d * scale for d in dash]
    edges = [
        ((x0 + radius, y0), (x1 - radius, y0)),
        ((x1, y0 + radius), (x1, y1 - radius)),
        ((x1 - radius, y1), (x0 + radius, y1)),
        ((x0, y1 - radius), (x0, y0 + radius)),
    ]
    for (ax, ay), (bx, by) in edges:
        length = math.hypot(bx - ax, by - ay)
        if length <= 0:
            continue
        ux, uy = (bx - ax) / length, (by - ay) / length
        pos, step = 0.0, 0
        while pos < length:
            end = min(pos + steps[step % len(steps)], length)
            draw.line(
                [(ax + ux * pos, ay + uy * pos), (ax + ux * end, ay + uy * end)],
                fill=colour, width=width,
            )  # fmt: skip
            pos = end + steps[(step + 1) % len(steps)]
            step += 2
    if radius <= 0:
        return
    d = 2 * radius
    for box, start in (
        ((x0, y0, x0 + d, y0 + d), 180),
        ((x1 - d, y0, x1, y0 + d), 270),
        ((x1 - d, y1 - d, x1, y1), 0),
        ((x0, y1 - d, x0 + d, y1), 90),
    ):
        draw.arc(box, start, start + 90, fill=colour, width=width)
