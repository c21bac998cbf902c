"""What a structure chart shows, in a few sentences: the alt text of the charts in the PDFs.

A screen reader user hears the size of the organisation, the unit at the top and the
units of the next level, each with its head, as the chart prints them; the full list of
units is in the document's text (the handout's outline), not in the alt text.
"""

from __future__ import annotations

from collections.abc import Sequence

from dpo_docs.chart.model import ChartNode


def _unit(node: ChartNode) -> str:
    """A box as the chart prints it: name, acronym and head."""
    text = f"{node.name} ({node.acronym})" if node.acronym else node.name
    return f"{text} — {node.detail}" if node.detail else text


def _depth(node: ChartNode) -> int:
    """The number of levels of the subtree, its top included."""
    return 1 + max((_depth(c) for c in node.children), default=0)


def _count(node: ChartNode) -> int:
    """The number of boxes of the subtree."""
    return 1 + sum(_count(c) for c in node.children)


def describe(tops: Sequence[ChartNode], labels: dict[str, str]) -> str:
    """The alt text of a chart whose top boxes are ``tops``: size, top units and the next level."""
    sep = labels["chart_alt_sep"]
    below = [c for top in tops for c in top.children]
    parts = [
        labels["chart_alt_size"].format(units=sum(_count(t) for t in tops),
                                        levels=max((_depth(t) for t in tops), default=0)),
        labels["chart_alt_top"].format(units=sep.join(_unit(t) for t in tops)),
    ]
    if below:
        parts.append(labels["chart_alt_next"].format(units=sep.join(_unit(c) for c in below)))
    return " ".join(parts)
