"""Views of the data that several documents share: the unit tree and its chart."""

from __future__ import annotations

from dataclasses import dataclass

from dpo_docs.i18n import format_list, labels_for, plain
from dpo_docs.model import Data, Head, Text


@dataclass(frozen=True)
class TreeNode:
    """A unit (or the department, at the root) with its children in data order."""

    id: str
    kind: str
    name: Text
    acronym: Text | None
    head: Head | None
    shared_with: tuple[str, ...]
    count: int | None
    description: tuple[Text, ...]
    created: int | None
    note: Text | None
    children: tuple[TreeNode, ...]

    def walk(self):
        """Every node of the subtree, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()


def unit_tree(data: Data) -> TreeNode:
    """The department as the root of its unit tree (validation has ruled out cycles)."""
    by_parent: dict[str, list] = {}
    for unit in data.units:
        by_parent.setdefault(unit.parent, []).append(unit)

    def node(unit) -> TreeNode:
        return TreeNode(
            id=unit.id, kind=unit.kind, name=unit.name, acronym=unit.acronym, head=unit.head,
            shared_with=unit.shared_with, count=unit.count, description=unit.description,
            created=unit.created, note=unit.note, children=tuple(node(c) for c in by_parent.get(unit.id, ())),
        )

    dept = data.department
    return TreeNode(
        id=dept.id, kind="department", name=dept.name, acronym=dept.acronym, head=dept.head,
        shared_with=(), count=None, description=dept.mandate, created=dept.created, note=None,
        children=tuple(node(u) for u in by_parent.get(dept.id, ())),
    )


def display_name(node: TreeNode, lang: str) -> str:
    """The name as a chart shows it, with a count where the unit groups several."""
    name = plain(node.name, lang)
    return f"{name} ({node.count})" if node.count else name


def chart_node(node: TreeNode, lang: str, *, with_heads: bool = True):
    """The chart engine's node for this subtree."""
    from dpo_docs.chart.layout import ChartNode

    detail = None
    if with_heads and node.head is not None:
        detail = plain(node.head.title, lang)
        if node.head.name:
            detail = f"{detail}{labels_for(lang)['colon']} {node.head.name}"
    return ChartNode(
        id=node.id,
        name=display_name(node, lang),
        acronym=plain(node.acronym, lang) or None,
        detail=detail,
        kind=node.kind,
        shared=bool(node.shared_with),
        children=tuple(chart_node(c, lang, with_heads=with_heads) for c in node.children),
    )


def outline(node: TreeNode, lang: str, depth: int = 0) -> list[str]:
    """The tree as indented text lines: the chart's description for screen readers."""
    labels = labels_for(lang)
    acronym = plain(node.acronym, lang)
    line = display_name(node, lang) + (f" ({acronym})" if acronym else "")
    if node.shared_with:
        line += f", {labels['shared_with']} {format_list(node.shared_with, lang)}"
    lines = ["  " * depth + "- " + line]
    for child in node.children:
        lines.extend(outline(child, lang, depth + 1))
    return lines


def tree_view(node: TreeNode) -> dict:
    """The subtree as plain values: what charts and outlines of it can show."""
    return {
        "id": node.id, "kind": node.kind, "name": node.name, "acronym": node.acronym,
        "head": node.head.model_dump(mode="json") if node.head else None,
        "shared_with": list(node.shared_with), "count": node.count,
        "children": [tree_view(c) for c in node.children],
    }
