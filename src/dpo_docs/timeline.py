"""Draw the history as a proportional timeline (an SVG string), labels kept apart."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from dpo_docs import fonts
from dpo_docs.chart.shape import strip_controls, width_em

AXIS_COLOUR = "#1f4e79"
LABEL_SIZE = 8.0
LANE_HEIGHT = 16.0


@dataclass(frozen=True)
class Mark:
    """One event on the timeline: its number in the list, year and shown label."""

    number: int
    year: int
    label: str


def _label(mark: Mark) -> str:
    """The drawn text of a mark, without the bidi controls that frame fallback text for Word."""
    return strip_controls(f"{mark.number}. {mark.label}")


def _label_width(mark: Mark) -> float:
    """Width of a mark's label as drawn: shaped, so joined Arabic is measured joined."""
    return width_em(_label(mark), bold=True) * LABEL_SIZE


def _place(marks: list[Mark], x_of, lanes: int) -> list[tuple[Mark, float, int, float]]:
    """Give each label a lane above the axis (nearest first) so none overlap."""
    ends: dict[int, float] = {}
    placed = []
    # Labels stay above the axis so their stems never cross the decade labels below it.
    order = [-i for i in range(1, lanes + 1)]
    for mark in marks:
        width = _label_width(mark) + 4
        x = x_of(mark.year)
        for lane in order:
            if ends.get(lane, float("-inf")) + 6 <= x - 2:
                break
        else:
            lane = min(order, key=lambda ln: ends.get(ln, float("-inf")))
        ends[lane] = x - 2 + width
        placed.append((mark, x, lane, width))
    return placed


def timeline_svg(marks: list[Mark], *, width: float, title: str, desc: str, id_prefix: str = "timeline") -> str:
    """An accessible SVG timeline ``width`` pt wide, decades ticked, events numbered."""
    years = [m.year for m in marks]
    first = (min(years) // 10) * 10
    last = -(-max(years) // 10) * 10 + (10 if max(years) % 10 == 0 else 0)
    margin = 12.0
    # Leave room on the right for the label of the latest event to run past its mark.
    latest = max(marks, key=lambda m: m.year)
    tail = _label_width(latest)
    span = width - 2 * margin - max(0.0, tail - (last - latest.year) / (last - first) * (width - 2 * margin))
    x_of = lambda year: margin + (year - first) / (last - first) * span  # noqa: E731
    placed = _place(marks, x_of, lanes=6)
    used = max((abs(lane) for _, _, lane, _ in placed), default=1)
    axis_y = used * LANE_HEIGHT + 8
    height = axis_y + 16
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.2f} {height:.2f}" '
        f'width="{width:.2f}pt" height="{height:.2f}pt" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family=\'{fonts.FAMILY_STACK}\'>',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>',
        f'<line x1="{margin:.2f}" y1="{axis_y:.2f}" x2="{x_of(last):.2f}" y2="{axis_y:.2f}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="2"/>',
    ]
    for year in range(first, last + 1, 10):
        x = x_of(year)
        out.append(f'<line x1="{x:.2f}" y1="{axis_y - 3:.2f}" x2="{x:.2f}" y2="{axis_y + 3:.2f}" stroke="{AXIS_COLOUR}"/>')
        out.append(
            f'<text x="{x:.2f}" y="{axis_y + 11:.2f}" font-size="7" fill="#5a6b7b" '
            f'text-anchor="middle">{year}</text>'
        )
    # Stems first, then labels on white backing, so a stem passing behind a lower
    # label never strikes through its text.
    rows = []
    for mark, x, lane, label_w in placed:
        label_y = axis_y + lane * LANE_HEIGHT
        out.append(
            f'<line x1="{x:.2f}" y1="{axis_y:.2f}" x2="{x:.2f}" y2="{label_y + 3:.2f}" '
            f'stroke="#8aa1b8" stroke-width="0.6"/>'
        )
        rows.append((mark, x, label_y, label_w))
    for mark, x, label_y, label_w in rows:
        # The timeline is drawn only by WeasyPrint, which sets SVG text a character at a
        # time: Arabic goes in pre-joined, in display order.
        out.append(
            f'<rect x="{x - 3:.2f}" y="{label_y - LABEL_SIZE:.2f}" width="{label_w:.2f}" '
            f'height="{LABEL_SIZE + 2.5:.2f}" fill="#ffffff"/>'
        )
        out.append(
            f'<text x="{x - 2:.2f}" y="{label_y:.2f}" font-size="{LABEL_SIZE}" font-weight="bold" '
            f'fill="#1b2a38">{escape(fonts.visual(_label(mark)))}</text>'
        )
    for _, x, _, _ in rows:
        out.append(f'<circle cx="{x:.2f}" cy="{axis_y:.2f}" r="3.2" fill="#ffffff" '
                   f'stroke="{AXIS_COLOUR}" stroke-width="1.4"/>')
    out.append("</svg>")
    return "\n".join(out)
