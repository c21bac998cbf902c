"""The briefing: a multi-page A4 PDF rendered from templates/briefing.html."""

from __future__ import annotations

import logging
import re

from markupsafe import Markup

from dpo_docs.citations import briefing_statements, number_sources
from dpo_docs.glance import contact_line, first_sentence, key_figures, structure_sentence
from dpo_docs.glossary import entries, operation_acronyms
from dpo_docs.i18n import direction, markup, plain
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Session, Target
from dpo_docs.settings import Settings
from dpo_docs.timeline import Mark, timeline_svg
from dpo_docs.views import chart_node

log = logging.getLogger(__name__)

# Room for the chart on the landscape structure page, in pt, below its heading and
# above its legend (two lines), the line sending readers to the handout and the caption.
CHART_BOX = (739.0, 350.0)
# The sections in reading order: the key figures come right after the mission, so that a
# reader meets the department's size before its organisation. The contents and the body
# both follow this order (the template loops over doc.sections).
SECTIONS = ("mission", "figures", "leadership", "structure", "relationships", "history",
            "operations", "glossary", "sources")


def filled_sections(data: Data, heads: list, glossary: list | None = None) -> list[str]:
    """The ids of SECTIONS that have something to print for this data, in reading order."""
    # The mission (its mandate is required) and the structure (the chart shows at least
    # the department) always print.
    empty = {
        "glossary": not glossary,
        "figures": not data.figures,
        "leadership": not heads,
        "relationships": not data.relationships,
        "history": not data.history,
        "operations": not data.operations,
        "sources": not data.sources,
    }
    return [s for s in SECTIONS if not empty.get(s, False)]


def scale_svg(svg: str, scale: float) -> str:
    """Scale the outer width and height of an SVG (the viewBox keeps the drawing)."""
    def resize(match: re.Match) -> str:
        return f'{match.group(1)}="{float(match.group(2)) * scale:.2f}pt"'

    head, sep, rest = svg.partition(">")
    head = re.sub(r'\b(width|height)="([\d.]+)pt"', resize, head, count=2)
    return head + sep + rest


def chart_markup(tree, box: tuple[float, float], title: str, desc: str, id_prefix: str,
                 rtl: bool = False, letters: bool = True):
    """The chart of ``tree`` (a chart node) as inline SVG fitted to ``box`` with text at 7 pt or more.

    A chart too large for the page keeps only as many top levels as fit (the handout
    carries the whole chart). Returns the SVG and the ``Fitted`` chart: its levels
    kept (None when whole) and the units left out. ``letters=False`` keeps the text in
    logical order, for a browser that shapes it itself.
    """
    from dpo_docs.chart.fit import MIN_TEXT_PT, fit
    from dpo_docs.chart.layout import mirror
    from dpo_docs.chart.svg import to_svg

    fitted = fit(tree, box)
    if fitted.min_text_pt < MIN_TEXT_PT - 1e-6:  # only a frame too small for the top box
        log.warning("org chart text prints at %.1f pt, below %.0f pt", fitted.min_text_pt, MIN_TEXT_PT)
    drawn = mirror(fitted.layout) if rtl else fitted.layout
    # WeasyPrint sets SVG text a character at a time: it gets the text pre-joined.
    svg = to_svg(drawn, title=title, desc=desc, standalone=False, id_prefix=id_prefix, letters=letters)
    return scale_svg(svg, fitted.scale), fitted


def chart_legend(chart, labels: dict) -> dict:
    """The legend of a drawn chart: its kinds with sample boxes, and the dashed-border note if needed."""
    from dpo_docs.outputs.orgchart import legend_items

    kinds = legend_items({b.kind for b in chart.boxes}, labels)
    shared = any(b.shared for b in chart.boxes)
    return {"kinds": kinds, "notes": [labels["legend_shared"]] if shared else []}


class Briefing:
    """The department's briefing in one PDF."""

    name = "briefing"

    def targets(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """One briefing per language."""
        return [Target(self.name, lang, "briefing", (f"{lang}/briefing.pdf",))]

    def context(self, target: Target, job: Job) -> dict:
        """The namespaced template context (org, doc, build, labels) and the charts' inputs."""
        data, lang, labels = job.data, job.lang, job.labels
        dept = data.department
        name = plain(dept.name, lang)
        heads = [{"id": dept.id, "unit": dept.name, "head": dept.head}] if dept.head else []
        heads += [{"id": n.id, "unit": n.name, "head": n.head} for n in job.tree.children if n.head]
        marks = [
            Mark(i, e.year, plain(e.label, lang) if e.label else str(e.year))
            for i, e in enumerate(data.history, start=1)
        ]
        other_names = [
            {"lang": code, "text": text} for code, text in sorted(dept.name.items()) if code != lang
        ]
        # The operations' table gives each operation's acronym beside its name already.
        glossary = entries(data, lang, operation_acronyms(data))
        sections = filled_sections(data, heads, glossary)
        cites, source_list = number_sources(
            data, briefing_statements(data, job.tree, sections, heads, glossary), lang, labels)
        doc = {
            "lang": lang,
            "title": f"{labels['briefing']} — {name}",
            "subject": f"{labels['briefing']}{labels['colon']} {name} ({plain(dept.acronym, lang)})",
            "other_names": other_names,
            "sections": [{"id": s, "title": labels[s]} for s in sections],
            "glossary": glossary,
            # The first page: what the department is, its head, key figures, its structure;
            # at its foot, who issues the document and what kind of document it is.
            "glance": {
                "what": first_sentence(dept.mandate[0], lang),
                "figures": key_figures(data),
                "structure": structure_sentence(data, lang, labels),
            },
            "contact": contact_line(dept, lang),
            "footer_note": plain(dept.disclaimer, lang),
            "heads": heads,
            "tree": job.tree,
            "chart_caption": f"{labels['orgchart']} — {name}",
            "events": data.history,
            # As the t filter would print them: a fallback in its own language and direction
            # (a French title in an Arabic card keeps "(27 mai 2025)" in order), numbers kept
            # with their words.
            "source_titles": {s.id: markup(s.title, lang) for s in data.sources},
            # Markers by statement key, and the Sources list in number order (citations.py).
            "cites": cites,
            "source_list": source_list,
        }
        return {
            "template": {"org": data, "doc": doc, "build": job.build_for(target), "labels": labels},
            "chart": chart_node(job.tree, lang, with_heads=job.settings.chart_heads),
            "chart_title": f"{labels['orgchart']} — {name}",
            "marks": marks,
            "timeline_title": f"{labels['timeline']} — {name}",
            "timeline_desc": f"{labels['semicolon']} ".join(
                f"{m.label}{labels['colon']} {plain(e.text, lang)}"
                for m, e in zip(marks, data.history, strict=True)),
        }

    def cost(self, target: Target, job: Job) -> float:
        """About a second, growing slowly with the units it lists (measured, 13 and 300 units)."""
        return 900.0 + 0.5 * len(job.data.units)

    def render(self, target: Target, context: dict, session: Session) -> dict[str, bytes]:
        """Render the briefing's HTML, then its PDF."""
        return {target.paths[0]: session.pdf(self.html(context, session), target.paths[0])}

    def html(self, context: dict, session: Session, name: str = "briefing.html",
             box: tuple[float, float] = CHART_BOX, web: bool = False) -> str:
        """Draw the chart and the timeline, then render the briefing's HTML (template ``name``;
        ``web``: the chart's text left for the browser to shape)."""
        from dpo_docs.chart.describe import describe

        template = context["template"]
        labels, doc = template["labels"], dict(template["doc"])
        chart, fitted = chart_markup(context["chart"], box, context["chart_title"],
                                     describe([context["chart"]], labels), "briefing-chart",
                                     rtl=direction(doc["lang"]) == "rtl", letters=not web)
        doc["chart_svg"] = Markup(chart)
        doc["chart_legend"] = chart_legend(fitted.layout, labels)
        doc["chart_more"] = ""
        if fitted.levels is not None:
            doc["chart_caption"] += " " + labels["chart_levels"].format(
                levels=fitted.levels, hidden=fitted.hidden)
            doc["chart_more"] = labels["chart_see_handout"]
        doc["timeline_svg"] = Markup(timeline_svg(
            context["marks"], width=482.0, title=context["timeline_title"], desc=context["timeline_desc"],
            rtl=direction(doc["lang"]) == "rtl",
        ) if context["marks"] else "")
        return session.render_html(name, {**template, "doc": doc})
