"""Org chart engine: tidy-tree layout measured with the shipped font, SVG and PNG output."""

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
from dpo_docs.chart.png import to_png
from dpo_docs.chart.svg import to_svg

__all__ = [
    "Box",
    "ChartError",
    "ChartLayout",
    "ChartNode",
    "ChartStyle",
    "Connector",
    "TextLine",
    "layout",
    "to_png",
    "to_svg",
]
