"""Source markers: which statements of a document cite which sources, numbered for readers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dpo_docs.i18n import plain
from dpo_docs.model import Data
from dpo_docs.views import TreeNode

# A statement is (key, source ids): the template prints the marker of ``key`` once, after
# the statement. Keys say what the statement is: "mandate", "head:<unit id>",
# "unit:<unit id>", "figure:<id>", "event:<index>"…


def briefing_statements(data: Data, tree: TreeNode, sections: Sequence[str],
                        heads: Sequence[dict], glossary: Sequence[dict] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """The briefing's sourced statements in reading order, as its template prints them.

    ``heads`` are the leadership section's entries ({"id", "head"}) in their order; the
    units section lists the department's direct children and, under each, its children;
    ``glossary`` the glossary's entries ({"acronym", "sources"}), whose records' own
    entries cite nothing there (their record does, where it prints).
    """
    dept = data.department
    by_section: dict[str, list[tuple[str, tuple[str, ...]]]] = {
        "mission": [("mandate", dept.sources)]
        + ([("role", dept.sources)] if dept.role else [])
        + ([("notes", dept.sources)] if dept.notes else []),
        "figures": [(f"figure:{f.id}", f.sources) for f in data.figures],
        "leadership": [(f"head:{e['id']}", e["head"].sources) for e in heads],
        "structure": [(f"unit:{n.id}", data.unit(n.id).sources)
                      for top in tree.children for n in (top, *top.children)],
        "relationships": [(f"relationship:{r.id}", r.sources) for r in data.relationships],
        "history": [(f"event:{i}", e.sources) for i, e in enumerate(data.history)],
        "operations": [(f"operation:{o.id}", o.sources) for o in data.operations],
        "glossary": [(f"glossary:{e['acronym']}", e["sources"]) for e in glossary],
    }
    return [item for section in sections for item in by_section.get(section, ())]


def number_sources(data: Data, statements: Iterable[tuple[str, tuple[str, ...]]], lang: str,
                   labels: dict[str, str]) -> tuple[dict[str, list[dict]], list[dict]]:
    """Number the sources in the order the text first cites them; the markers and the list.

    Returns the markers by statement key ({"n", "first", "label"} each; ``first`` marks
    the citation a Sources entry links back to) and the Sources entries in number order:
    the cited ones, then the ones no printed statement cites (``cited`` false), in data
    order. Numbering by first citation lets a reader meet 1, 2, 3… going through the
    text, whatever order the maintainers keep data/sources.yaml in.
    """
    numbers: dict[str, int] = {}
    markers: dict[str, list[dict]] = {}
    for key, refs in statements:
        marks: list[dict[str, Any]] = []
        for ref in dict.fromkeys(refs):  # a source listed twice is cited once
            first = ref not in numbers
            if first:
                numbers[ref] = len(numbers) + 1
            marks.append({"n": numbers[ref], "first": first})
        if marks:
            markers[key] = sorted(marks, key=lambda m: m["n"])
    cited = len(numbers)
    for src in data.sources:
        numbers.setdefault(src.id, len(numbers) + 1)
    by_number = {n: data.source(ref) for ref, n in numbers.items()}
    for marks in markers.values():
        for mark in marks:
            title = plain(by_number[mark["n"]].title, lang)
            mark["label"] = f"{labels['source']} {mark['n']}{labels['colon']} {title}"
    entries = [
        {"n": n, "source": by_number[n], "cited": n <= cited,
         "back_label": labels["back_to_text"].format(n=n)}
        for n in sorted(by_number)
    ]
    return markers, entries
