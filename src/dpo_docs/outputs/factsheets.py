"""Word fact sheets: one for the department and one per main office."""

from __future__ import annotations

from dpo_docs.glance import contact_line
from dpo_docs.i18n import direction, format_date, format_figure, plain
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Session, Target
from dpo_docs.settings import Settings
from dpo_docs.views import TreeNode, chart_node, display_name, outline

MAX_CHART_MM = 160.0
MAX_CHART_HEIGHT_MM = 200.0
# A chart this narrow stands beside the history (the template's 75 mm column): the
# department's sheet then fits two pages.
BESIDE_CHART_MM = 72.0


def _sources(job: Job, ids: list[str]) -> list[dict]:
    """The sources cited by the sheet's records, in order of first citation."""
    seen: list[str] = []
    for ref in ids:
        if ref not in seen:
            seen.append(ref)
    by_id = {s.id: s for s in job.data.sources}
    return [{"label": plain(by_id[r].title, job.lang), "url": by_id[r].url or ""} for r in seen]


class Factsheets:
    """Fact sheets rendered through the Word template templates/factsheet.docx."""

    name = "factsheets"

    def targets(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """The department's sheet, then one per unit of the configured kinds, in data order."""
        keys = [data.department.id] + [u.id for u in data.units if u.kind in settings.factsheet_kinds]
        return [Target(self.name, lang, key, (f"{lang}/factsheets/{key}.docx",)) for key in keys]

    def _head(self, node: TreeNode, lang: str) -> dict | None:
        """The head's title and name, when the data gives a head."""
        if node.head is None:
            return None
        return {"title": plain(node.head.title, lang), "name": node.head.name or ""}

    def context(self, target: Target, job: Job) -> dict:
        """The Word template's context for one sheet, and its chart's inputs."""
        data, lang, labels = job.data, job.lang, job.labels
        dept = data.department
        node = job.nodes[target.key]
        is_dept = node.id == dept.id
        acronym = plain(node.acronym, lang)
        dept_name, dept_acronym = plain(dept.name, lang), plain(dept.acronym, lang)
        facts = []
        if acronym:
            facts.append({"label": labels["acronym"], "value": acronym})
        if not is_dept:
            facts.append({"label": labels["parent"], "value": f"{dept_name} ({dept_acronym})"})
        if node.created:
            facts.append({"label": labels["created"], "value": str(node.created)})
        head = self._head(node, lang)
        if head is not None:
            facts.append({"label": labels["head"],
                          "value": head["title"] + (f", {head['name']}" if head["name"] else "")})
        if node.children:
            facts.append({"label": labels["subunits"], "value": str(len(node.children))})
        if is_dept and data.operations:  # an organisation without operations gets no "0" row
            facts.append({"label": labels["operations"], "value": str(len(data.operations))})
            for fig in data.figures:
                facts.append({"label": plain(fig.label, lang),
                              "value": f"{format_figure(fig, lang)} ({labels['as_of']} "
                                       f"{format_date(fig.as_of, lang)})"})
        summary = [plain(p, lang) for p in (dept.mandate + dept.role if is_dept else node.description)]
        if node.note:
            summary.append(plain(node.note, lang))
        events = [e for e in data.history if is_dept or node.id in e.units]
        refs = list(dept.sources if is_dept else data.unit(node.id).sources)
        if node.head:  # the sheet prints the head: its sources are the sheet's too
            refs += node.head.sources
        for child in node.walk():
            if child.id != dept.id:
                refs += data.unit(child.id).sources
        for event in events:
            refs += event.sources
        if is_dept:
            refs += [r for fig in data.figures for r in fig.sources]
        name = plain(node.name, lang)
        doc = {
            "lang": lang,
            "title": name,
            "subtitle": f"{labels['factsheet']} — {dept_acronym}",
            "summary": summary,
            "key_facts": facts,
            "head": self._head(node, lang),
            "subunits": [
                {"name": display_name(c, lang), "acronym": plain(c.acronym, lang),
                 "description": plain(c.description[0], lang) if c.description else ""}
                for c in node.children
            ],
            "history": [{"year": plain(e.label, lang) if e.label else str(e.year),
                         "text": plain(e.text, lang)} for e in events],
            "sources": _sources(job, refs),
            "chart_caption": f"{labels['orgchart']} — {name}",
            # The disclaimer is in every page's footer (build.disclaimer), as in the briefing.
            "colophon": [line for line in [contact_line(dept, lang)] if line],
        }
        template = {
            "org": {"name": dept_name, "acronym": dept_acronym},
            "doc": doc,
            "labels": labels,
            "build": {**job.build_for(target), "disclaimer": plain(dept.disclaimer, lang),
                      "data_label": f"{labels['data_as_of']} {job.build['data_label']} · "
                                    f"{labels['revision']} {target.revision}"},
        }
        return {
            "template": template,
            "chart": chart_node(node, lang, with_heads=job.settings.chart_heads),
            "alt": f"{doc['chart_caption']}.\n" + "\n".join(outline(node, lang)),
        }

    def cost(self, target: Target, job: Job) -> float:
        """Tens of milliseconds, more for a big branch (its chart and sub-unit table)."""
        return 25.0 + 2.0 * job.sizes[target.key]

    def render(self, target: Target, context: dict, session: Session) -> dict[str, bytes]:
        """Render one sheet; its picture is the chart of the unit's branch."""
        from dpo_docs.chart.fit import fit
        from dpo_docs.chart.layout import mirror
        from dpo_docs.chart.png import to_png
        from dpo_docs.outputs.docx import render_factsheet

        # The sheet's picture is at most 160 x 200 mm: a large branch keeps its top levels.
        box = (MAX_CHART_MM * 72 / 25.4, MAX_CHART_HEIGHT_MM * 72 / 25.4)
        fitted = fit(context["chart"], box)
        chart, scale = fitted.layout, fitted.scale
        width_mm = chart.width * scale * 25.4 / 72
        template = context["template"]
        if direction(template["doc"]["lang"]) == "rtl":
            chart = mirror(chart)
        beside = bool(template["doc"]["history"]) and width_mm <= BESIDE_CHART_MM
        template = {**template, "doc": {**template["doc"], "chart_beside": beside}}
        data = render_factsheet(
            session.template_file("factsheet.docx"), template,
            to_png(chart, dpi=300), context["alt"], chart_width_mm=width_mm,
        )
        return {target.paths[0]: data}
