"""The org-chart handout: one landscape PDF page, plus the chart as SVG and PNG."""

from __future__ import annotations

from markupsafe import Markup

from dpo_docs.i18n import plain
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Target
from dpo_docs.render import render_template
from dpo_docs.views import chart_node, outline, tree_view

# Drawing area inside the margins, in pt, below the title and above the legend.
PAPER_BOX = {"A3": (1122.0, 700.0), "A4": (774.0, 440.0)}
MAX_SCALE = 1.5


class Orgchart:
    """The whole unit tree, drawn to print."""

    name = "orgchart"
    templates = ("orgchart.html", "orgchart.css")
    settings = ("orgchart_paper",)

    def targets(self, data: Data, lang: str) -> list[Target]:
        """One handout per language, in three formats."""
        return [Target(self.name, lang, "orgchart",
                       tuple(f"{lang}/orgchart.{ext}" for ext in ("pdf", "svg", "png")))]

    def view(self, target: Target, job: Job) -> object:
        """The handout shows the unit tree and the department's name."""
        return {"tree": tree_view(job.tree), "department": job.data.department.name}

    def render(self, target: Target, job: Job) -> dict[str, bytes]:
        """Lay the chart out once, then write it three ways."""
        from dpo_docs.chart.layout import layout
        from dpo_docs.chart.png import to_png
        from dpo_docs.chart.svg import to_svg
        from dpo_docs.outputs.briefing import scale_svg
        from dpo_docs.outputs.weasy import html_to_pdf

        name = plain(job.data.department.name, job.lang)
        title = f"{job.labels['orgchart']} — {name}"
        desc = "\n".join(outline(job.tree, job.lang))
        chart = layout(chart_node(job.tree, job.lang))
        paper = job.settings.orgchart_paper
        box = PAPER_BOX[paper]
        # A small chart grows to use the sheet (text stays readable from a wall);
        # a large one shrinks to fit.
        scale = min(MAX_SCALE, box[0] / chart.width, box[1] / chart.height)
        inline = to_svg(chart, title=title, desc=desc, standalone=False, id_prefix="orgchart")
        context = {
            "org": job.data,
            "doc": {"lang": job.lang, "title": title, "paper": paper, "tree": job.tree,
                    "chart_svg": Markup(scale_svg(inline, scale))},
            "build": job.build_for(target),
            "labels": job.labels,
        }
        html = render_template(job.env, "orgchart.html", context)
        pdf_path, svg_path, png_path = target.paths
        return {
            pdf_path: html_to_pdf(html, job.settings.templates_dir),
            svg_path: to_svg(chart, title=title, desc=desc, standalone=True).encode("utf-8"),
            png_path: to_png(chart, dpi=300),
        }
