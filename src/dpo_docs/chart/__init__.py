"""Org chart engine: tidy-tree layout measured with the shipped font, pagination, SVG and PNG."""

from dpo_docs.chart.layout import (
    Box,
    ChartError,
    ChartLayout,
    ChartNode,
    ChartStyle,
    Connector,
    TextLine,
    layout,
)
from dpo_docs.chart.paginate import ChartPage, PageLink, Pagination, paginate
from dpo_docs.chart.png import to_png
from dpo_docs.chart.svg import to_svg

__all__ = [
    "Box",
    "ChartError",
    "ChartLayout",
    "ChartNode",
    "ChartPage",
    "ChartStyle",
    "Connector",
    "PageLink",
    "Pagination",
    "TextLine",
    "layout",
    "paginate",
    "to_png",
    "to_svg",
]
