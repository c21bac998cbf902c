"""The web edition's org chart page: the handout's chart as an SVG tree to pan, zoom, search and fold.

The site kind (``outputs.site``) puts ``context(job)`` under ``chart_page`` in its
target's context and calls ``render`` for ``{lang}/orgchart.html``. The page works
without its script: the whole chart is drawn, the text version of the tree follows
it, and the controls (hidden in the HTML) appear only when ``assets/chart.js`` runs.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from dpo_docs.chart.layout import ChartNode
from dpo_docs.outputs import Job, Session
from dpo_docs.outputs.orgchart import legend_items
from dpo_docs.views import chart_node, outline

_LINE = re.compile(r"^((?:  )*)- (.*)$")


def context(job: Job) -> dict:
    """Everything the chart page shows: the chart's tree, its text version, the legend."""
    return {
        "chart": chart_node(job.tree, job.lang, with_heads=job.settings.chart_heads),
        "outline": outline(job.tree, job.lang),
        "legend": legend_items({n.kind for n in job.tree.walk()}, job.labels),
        "shared": any(n.shared_with or n.kind == "shared" for n in job.tree.walk()),
    }


def render(context: dict, session: Session) -> str:
    """The chart page's HTML: the laid-out chart inline, its legend and its text version."""
    from dpo_docs.chart.layout import layout, mirror
    from dpo_docs.chart.websvg import to_web_svg

    # Under "chart_page" as agreed; a caller that spread the dict beside "template" works too.
    template, page = context["template"], context.get("chart_page", context)
    drawing = layout(page["chart"])
    if template["dir"] == "rtl":  # root on the right, first sub-unit rightmost, as the handout
        drawing = mirror(drawing)
    svg = to_web_svg(drawing, _names(page["chart"]), title=template["title"], id_prefix="chart")
    chart = {"svg": Markup(svg), "legend": page["legend"], "shared": page["shared"],
             "outline": nest(page["outline"])}
    return session.render_html("site/orgchart.html", {**template, "chart": chart})


def _names(root: ChartNode) -> dict[str, tuple[str, str | None]]:
    """Each node's name and acronym, by id."""
    out: dict[str, tuple[str, str | None]] = {}
    todo = [root]
    while todo:
        node = todo.pop()
        out[node.id] = (node.name, node.acronym)
        todo.extend(node.children)
    return out


def nest(lines: list[str]) -> list[dict]:
    """The outline's indented lines as nested items: [{text, children}], for nested lists."""
    top: list[dict] = []
    stack: list[list[dict]] = [top]
    for line in lines:
        found = _LINE.match(line)
        if found is None:
            raise ValueError(f"not an outline line: {line!r}")
        depth = len(found.group(1)) // 2
        del stack[depth + 1:]
        children: list[dict] = []
        stack[depth].append({"text": found.group(2), "children": children})
        stack.append(children)
    return top
