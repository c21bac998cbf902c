"""The web edition's org-chart page: the whole chart as inline SVG, and its text version."""

from __future__ import annotations

from markupsafe import Markup

from dpo_docs.i18n import direction, plain
from dpo_docs.views import chart_node, outline


def context(job) -> dict:
    """The chart's inputs and its text outline, as plain values."""
    name = plain(job.data.department.name, job.lang)
    return {"chart": chart_node(job.tree, job.lang, with_heads=job.settings.chart_heads),
            "outline": outline(job.tree, job.lang),
            "title": f"{job.labels['orgchart']} — {name}"}


def render(context: dict, session) -> str:
    """The page: the chart drawn whole, then the tree as an indented list."""
    from markupsafe import escape

    from dpo_docs.chart.layout import layout, mirror
    from dpo_docs.chart.svg import to_svg

    template = context["template"]
    drawn = layout(context["chart"])
    if direction(template["lang"]) == "rtl":
        drawn = mirror(drawn)
    svg = to_svg(drawn, title=context["title"], desc="\n".join(context["outline"]), standalone=False,
                 id_prefix="orgchart")
    items = "".join(f"<li style=\"margin-inline-start: {(len(line) - len(line.lstrip())) // 2}em\">"
                    f"{escape(line.strip().removeprefix('- '))}</li>" for line in context["outline"])
    body = (f'<figure class="chart chart-wide"><div class="chart-frame" tabindex="0" role="group" '
            f'aria-label="{escape(context["title"])}">{svg}</div></figure>'
            f'<h2>{escape(template["labels"]["text_alternative"])}</h2><ul class="outline">{items}</ul>')
    return session.render_html("site/page.html", {**template, "body": Markup(body)})
