"""A chart's legend drawn under it: one sample box and name per kind, in rows, measured with the shipped font."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dpo_docs.chart import measure

SWATCH = (18.0, 10.0)
LEGEND_SIZE = 7.5  # like the handout's printed legend: above the 7 pt floor
ROW = 14.0
GAP = 3.0  # between a sample and its name
SPACING = 10.0  # between two entries
TOP = 6.0  # between the chart and the legend


@dataclass(frozen=True)
class LegendItem:
    """One entry: the sample box's top-left corner, and its name's baseline start."""

    kind: str
    label: str
    x: float
    y: float
    text_x: float
    text_y: float
    shared: bool


@dataclass(frozen=True)
class Legend:
    """Entries placed under a chart, and the size of the whole drawing with them."""

    items: tuple[LegendItem, ...]
    width: float
    height: float
    size: float = LEGEND_SIZE


def place(entries: list[tuple[str, str]], width: float, top: float, margin: float = 8.0,
          rtl: bool = False) -> Legend:
    """Lay ``(kind, name)`` entries in rows under a drawing ``width`` wide whose content ends at ``top``.

    ``rtl`` mirrors the rows for right-to-left readers: entries from the right, each
    sample box on the right of its name.
    """
    ascent, descent = _metrics()
    widths = [SWATCH[0] + GAP + measure.em_width(label) * LEGEND_SIZE for _kind, label in entries]
    room = max([width - 2 * margin, *widths])
    items, x, y = [], 0.0, top + TOP
    for (kind, label), need in zip(entries, widths, strict=True):
        if x and x + need > room:
            x, y = 0.0, y + ROW
        # The name's baseline centres its letters on the sample box.
        baseline = y + SWATCH[1] / 2 + (ascent - descent) * LEGEND_SIZE / 2
        items.append(LegendItem(kind, label, _r(margin + x), _r(y), _r(margin + x + SWATCH[0] + GAP),
                                _r(baseline), kind == "shared"))
        x += need + SPACING
    bottom = y + ROW + margin if items else top
    total = _r(max(width, room + 2 * margin))
    if rtl:
        items = [replace(item, x=_r(total - item.x - SWATCH[0]),
                         text_x=_r(total - item.text_x - (need - SWATCH[0] - GAP)))
                 for item, need in zip(items, widths, strict=True)]
    return Legend(tuple(items), total, _r(bottom))


def _metrics() -> tuple[float, float]:
    """Ascent and descent of the regular face, in em."""
    from dpo_docs import fonts

    return fonts.vertical_metrics(False, False)


def _r(value: float) -> float:
    """Round to 0.01 pt, as the layout does."""
    return round(value, 2) + 0.0
