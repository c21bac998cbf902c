"""Draw the history as a proportional timeline (an SVG string), labels kept apart.

A right-to-left document gets the mirror image: the earliest year at the right, each
label running leftwards from its mark with its number on the right, as the numbered
list under the timeline reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from dpo_docs import fonts
from dpo_docs.chart.shape import lang_of, strip_controls, width_em

AXIS_COLOUR = "#1f4e79"
LABEL_SIZE = 8.0
LANE_HEIGHT = 16.0
MARGIN = 12.0
# A label starts this far past its mark; its white backing one point further out.
LABEL_OFFSET = 2.0
BACKING_PAD = 1.0


@dataclass(frozen=True)
class Mark:
    """One event on the timeline: its number in the list, year and shown label."""

    number: int
    year: int
    label: str


@dataclass(frozen=True)
class Label:
    """A mark's label as drawn: its number and text (logical order, no controls), widths in pt."""

    number: str
    text: str
    number_width: float
    text_width: float

    @property
    def width(self) -> float:
        """Width of the whole label, number and text."""
        return self.number_width + self.text_width


def label_of(mark: Mark) -> Label:
    """A mark's label measured shaped, as drawn, without the bidi controls that frame fallback text for Word."""
    number, text = f"{mark.number}. ", strip_controls(mark.label)
    return Label(number, text, width_em(number, bold=True) * LABEL_SIZE, width_em(text, bold=True) * LABEL_SIZE)


def _place(starts: list[tuple[Mark, float, Label]], lanes: int) -> list[tuple[Mark, float, int, Label]]:
    """Give each label a lane above the axis (nearest first) so none overlap.

    ``starts`` gives each mark's distance from the axis's start (the left end, or the
    right end of a right-to-left axis), in that order: labels run away from the start.
    """
    ends: dict[int, float] = {}
    placed = []
    # Labels stay above the axis so their stems never cross the decade labels below it.
    order = [-i for i in range(1, lanes + 1)]
    for mark, p, label in starts:
        for lane in order:
            if ends.get(lane, float("-inf")) + 6 <= p - LABEL_OFFSET:
                break
        else:
            lane = min(order, key=lambda ln: ends.get(ln, float("-inf")))
        ends[lane] = p - LABEL_OFFSET + label.width + 4
        placed.append((mark, p, lane, label))
    return placed


def _span(marks: list[Mark], labels: dict[int, Label], first: int, last: int, width: float) -> float:
    """Length of the axis that keeps every label inside the drawing, its far end included."""
    span = width - 2 * MARGIN
    for mark in marks:
        share = (mark.year - first) / (last - first)
        if share > 0:  # its label ends at MARGIN + share * span - LABEL_OFFSET + width, a point from the edge
            room = width - MARGIN + LABEL_OFFSET - labels[mark.number].width - 1
            span = min(span, room / share)
    return span


def timeline_svg(marks: list[Mark], *, width: float, title: str, desc: str, id_prefix: str = "timeline",
                 rtl: bool = False) -> str:
    """An accessible SVG timeline ``width`` pt wide, decades ticked, events numbered; mirrored when ``rtl``."""
    years = [m.year for m in marks]
    first = (min(years) // 10) * 10
    last = -(-max(years) // 10) * 10 + (10 if max(years) % 10 == 0 else 0)
    labels = {m.number: label_of(m) for m in marks}
    span = _span(marks, labels, first, last, width)
    # Distances from the start of the axis; x turns them into the page's left-to-right.
    p_of = lambda year: MARGIN + (year - first) / (last - first) * span  # noqa: E731
    x = (lambda p: width - p) if rtl else (lambda p: p)  # noqa: E731
    placed = _place([(m, p_of(m.year), labels[m.number]) for m in marks], lanes=6)
    used = max((abs(lane) for _, _, lane, _ in placed), default=1)
    axis_y = used * LANE_HEIGHT + 8
    height = axis_y + 16
    x1, x2 = sorted((x(MARGIN), x(p_of(last))))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.2f} {height:.2f}" '
        f'width="{width:.2f}pt" height="{height:.2f}pt" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family=\'{fonts.FAMILY_STACK}\'>',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>',
        f'<line x1="{x1:.2f}" y1="{axis_y:.2f}" x2="{x2:.2f}" y2="{axis_y:.2f}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="2"/>',
    ]
    for year in range(first, last + 1, 10):
        at = x(p_of(year))
        out.append(f'<line x1="{at:.2f}" y1="{axis_y - 3:.2f}" x2="{at:.2f}" y2="{axis_y + 3:.2f}" stroke="{AXIS_COLOUR}"/>')
        out.append(
            f'<text x="{at:.2f}" y="{axis_y + 11:.2f}" font-size="7" fill="#5a6b7b" '
            f'text-anchor="middle">{year}</text>'
        )
    # Stems first, then labels on white backing, so a stem passing behind a lower
    # label never strikes through its text.
    for _, p, lane, _ in placed:
        at = x(p)
        out.append(
            f'<line x1="{at:.2f}" y1="{axis_y:.2f}" x2="{at:.2f}" y2="{axis_y + lane * LANE_HEIGHT + 3:.2f}" '
            f'stroke="#8aa1b8" stroke-width="0.6"/>'
        )
    for mark, p, lane, label in placed:
        out.extend(_label_svg(mark, label, x, p, axis_y + lane * LANE_HEIGHT, rtl))
    for mark, p, _, _ in placed:
        out.append(f'<circle cx="{x(p):.2f}" cy="{axis_y:.2f}" r="3.2" fill="#ffffff" '
                   f'stroke="{AXIS_COLOUR}" stroke-width="1.4" data-year="{mark.year}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _label_svg(mark: Mark, label: Label, x, p: float, y: float, rtl: bool) -> list[str]:
    """A label's white backing and text, ``p`` its mark's distance from the axis's start.

    The timeline is drawn only by WeasyPrint, which sets SVG text a character at a time
    and neither joins Arabic letters nor reorders a right-to-left run: such text goes in
    pre-joined, in display order (``fonts.visual``), tagged with its language.
    """
    left = min(x(p - LABEL_OFFSET - BACKING_PAD), x(p - LABEL_OFFSET - BACKING_PAD + label.width))
    attrs = f'font-size="{LABEL_SIZE}" font-weight="bold" fill="#1b2a38"'
    lang = lang_of(label.text)
    tag = f' xml:lang="{lang}"' if lang else ""
    parts = [
        f'<g class="event" data-year="{mark.year}">',
        f'<rect x="{left:.2f}" y="{y - LABEL_SIZE:.2f}" width="{label.width:.2f}" '
        f'height="{LABEL_SIZE + 2.5:.2f}" fill="#ffffff"/>',
    ]
    if not rtl:
        # One run from the mark rightwards: "3. label", the label's own bidi inside it.
        start = x(p - LABEL_OFFSET)
        parts.append(f'<text x="{start:.2f}" y="{y:.2f}" {attrs}{tag}>'
                     f'{escape(label.number)}{escape(fonts.visual(label.text))}</text>')
    else:
        # Read from the right: the number at the mark ("3." shows ".3" in a right-to-left
        # line, as in the numbered list below), then the label in its own direction,
        # both anchored by their right ends so the mark never depends on a measure.
        end = x(p - LABEL_OFFSET)
        # WeasyPrint draws no space at the start of a text: the gap is left by position.
        number = "." + label.number.strip().rstrip(".")
        parts.append(f'<text x="{end:.2f}" y="{y:.2f}" text-anchor="end" {attrs}>{escape(number)}</text>')
        parts.append(f'<text x="{end - label.number_width:.2f}" y="{y:.2f}" text-anchor="end" {attrs}{tag}>'
                     f'{escape(fonts.visual(label.text))}</text>')
    parts.append("</g>")
    return parts
