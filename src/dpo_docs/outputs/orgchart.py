"""The org-chart handout: the chart fitted to paper, its text version, and the chart as SVG and PNG.

A chart that stays legible on one sheet is drawn on one sheet; a bigger one gets an
overview page and branch pages (``chart.paginate``), each with its own inline SVG.
The standalone SVG and the PNG always hold the whole chart.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from markupsafe import Markup

from dpo_docs.glance import colophon
from dpo_docs.i18n import direction, plain
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Session, Target
from dpo_docs.settings import Settings
from dpo_docs.views import chart_node, outline, tree_view

log = logging.getLogger(__name__)

MM = 72 / 25.4
PAPER_MM = {"A2": (420.0, 594.0), "A3": (297.0, 420.0), "A4": (210.0, 297.0)}  # portrait
MARGINS_MM = (12.0, 12.0, 14.0, 12.0)  # top, right, bottom (the footer), left
# Heights of the title block and the legend of each chart page, in pt; the template
# gives them these fixed heights so the drawing area is known before rendering. The
# legend's lines are measured (orgchart.css sets its type: 7.5 pt on 10 pt lines).
HEAD_PT = 46.0
LEGEND_PT = 40.0  # a two-line legend: what most sheets need
LEGEND_FONT_PT, LEGEND_LINE_PT = 7.5, 10.0
SWATCH_PT = 18.0 + 3.0 + 10.0  # swatch, gap to its label, gap after the label
SAFETY_PT = 6.0  # rounding in the PDF engine must never push a chart onto a second page
MAX_SCALE = 1.5  # a small chart grows to use the sheet, up to this much
PNG_DPI = 300
KIND_ORDER = ("department", "office", "division", "service", "section", "unit", "portfolio",
              "shared")


@dataclass(frozen=True)
class Paper:
    """A sheet and the room it leaves for the drawing, in pt."""

    size: str
    orientation: str
    width: float
    height: float

    @classmethod
    def of(cls, size: str, orientation: str) -> Paper:
        """The sheet for a paper name (A2, A3, A4) and an orientation."""
        short, long = (v * MM for v in PAPER_MM[size])
        w, h = (long, short) if orientation == "landscape" else (short, long)
        return cls(size, orientation, w, h)

    @property
    def content_width(self) -> float:
        """Width inside the side margins."""
        return self.width - (MARGINS_MM[1] + MARGINS_MM[3]) * MM

    @property
    def box(self) -> tuple[float, float]:
        """Width and height left for the drawing with a two-line legend."""
        return self.drawing_box(LEGEND_PT)

    def drawing_box(self, legend: float) -> tuple[float, float]:
        """Width and height left for the drawing inside margins, title and a legend this tall."""
        return (self.content_width - SAFETY_PT,
                self.height - (MARGINS_MM[0] + MARGINS_MM[2]) * MM - HEAD_PT - legend - SAFETY_PT)

    @property
    def css(self) -> dict[str, str]:
        """The @page size and margin the template writes."""
        return {"size": f"{self.size} {self.orientation}",
                "margin": " ".join(f"{v:g}mm" for v in MARGINS_MM)}


class Orgchart:
    """The whole unit tree, drawn to print."""

    name = "orgchart"

    def targets(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """One handout per language, in three formats."""
        return [Target(self.name, lang, "orgchart",
                       tuple(f"{lang}/orgchart.{ext}" for ext in ("pdf", "svg", "png")))]

    def cost(self, target: Target, job: Job) -> float:
        """About 11 ms a unit: every box's text is drawn in the PDF, the SVG and the PNG."""
        return 100.0 + 11.0 * len(job.data.units)

    def context(self, target: Target, job: Job) -> dict:
        """The handout's template context, and its chart's inputs: the tree, the paper, the legend."""
        labels, settings = job.labels, job.settings
        name = plain(job.data.department.name, job.lang)
        return {
            "template": {
                # Only what a handout shows: a change elsewhere in the data leaves it current.
                "org": {"department": {"name": job.data.department.name, "acronym": job.data.department.acronym}},
                "doc": {"lang": job.lang, "title": f"{labels['orgchart']} — {name}", "tree": tree_view(job.tree),
                        # The footer's second line: what kind of document this is, and its issuer.
                        "footer_note": " · ".join(reversed(colophon(job.data.department, job.lang)))},
                "build": job.build_for(target),
                "labels": labels,
            },
            "chart": chart_node(job.tree, job.lang, with_heads=settings.chart_heads),
            "paper": [settings.orgchart_paper, settings.orgchart_orientation],
            "legend": legend_items({n.kind for n in job.tree.walk()}, job.labels),
            "shared": any(n.shared_with or n.kind == "shared" for n in job.tree.walk()),
            "outline": outline(job.tree, job.lang),
            "units": len(job.data.units) + 1,
        }

    def render(self, target: Target, context: dict, session: Session) -> dict[str, bytes]:
        """Fit the chart to the paper, then write the handout, the SVG and the PNG."""
        from dpo_docs.chart.layout import layout, mirror
        from dpo_docs.chart.paginate import fits_one_page, paginate
        from dpo_docs.chart.png import to_png
        from dpo_docs.chart.svg import to_svg

        template = context["template"]
        labels, title = template["labels"], template["doc"]["title"]
        tree, legend, shared = context["chart"], context["legend"], context["shared"]
        paper = Paper.of(*context["paper"])
        notes = [labels["legend_shared"]] * shared
        box = paper.drawing_box(_legend_height(legend, notes, paper.content_width))
        if not fits_one_page(tree, box):
            # Pages need the legend's line on cross references, so less room to draw.
            notes.append(labels["legend_continued"])
            box = paper.drawing_box(_legend_height(legend, notes, paper.content_width))
        pagination = paginate(tree, box, continued=labels["chart_continued"],
                              back=labels["chart_back"], max_scale=MAX_SCALE)
        legend_h = _legend_height(legend, notes, paper.content_width)
        desc = "\n".join(context["outline"])
        rtl = direction(template["doc"]["lang"]) == "rtl"
        pages = [_page(p, pagination, title, labels, to_svg, rtl) for p in pagination.pages]
        if len(pages) > 1:
            log.info("org chart: %d units on %d pages of %s %s", context["units"],
                     len(pages), paper.size, paper.orientation)
        doc = {**template["doc"], "paper": paper.css, "pages": pages, "legend": legend,
               "paginated": len(pages) > 1, "shared": shared,
               "sizes": {"head": HEAD_PT, "chart": box[1], "legend": legend_h}}
        html = session.render_html("orgchart.html", {**template, "doc": doc})
        first = pagination.pages[0].layout
        whole = first if len(pages) == 1 else layout(tree)
        if rtl:  # right-to-left readers: root on the right, legend samples right of their names
            first, whole = mirror(first), mirror(whole)
        pdf_path, svg_path, png_path = target.paths
        # The SVG zooms, so it holds every unit; the PNG is for documents and slides,
        # so it is the handout's first page: the whole chart, or its overview. Both
        # carry the legend of the kinds they draw, as the printed pages do.
        return {
            pdf_path: session.pdf(html, pdf_path),
            svg_path: to_svg(whole, title=title, desc=desc, standalone=True,
                             legend=_placed(whole, legend, rtl)).encode("utf-8"),
            png_path: to_png(first, dpi=_png_dpi(first), legend=_placed(first, legend, rtl)),
        }


def _page(page, pagination, title: str, labels: dict, to_svg, rtl: bool = False) -> dict:
    """What the template needs to draw one chart page."""
    from dpo_docs.chart.describe import describe
    from dpo_docs.chart.layout import mirror
    from dpo_docs.outputs.briefing import scale_svg

    total = len(pagination.pages)
    subtitle = ""
    if total > 1:
        title = f"{title} ({labels['chart_page_of'].format(page=page.number, pages=total)})"
    if page.back:
        key = "chart_from_page" if len(page.back) == 1 else "chart_from_pages"
        names = " · ".join(_name(t) for t in page.trees)
        subtitle = f"{labels[key].format(pages=', '.join(map(str, page.back)))} — {names}"
    # The alt text says what the page shows; the handout's text version lists every unit.
    # WeasyPrint sets SVG text a character at a time: the page's drawing gets it pre-joined.
    svg = to_svg(mirror(page.layout) if rtl else page.layout, title=title,
                 desc=describe(page.trees, labels), standalone=False,
                 id_prefix=f"orgchart-p{page.number}", letters=True)
    return {"number": page.number, "subtitle": subtitle,
            "svg": Markup(scale_svg(svg, pagination.scale))}


def _name(node) -> str:
    """A chart node as a reader names it: name and acronym."""
    return f"{node.name} ({node.acronym})" if node.acronym else node.name


def legend_items(kinds: set[str], labels: dict) -> list[dict]:
    """One legend entry per kind, in rank order: its name and a sample box drawn as the chart draws it.

    The sample is a CSS background (a data URI): an inline SVG would be tagged as a
    figure, and a screen reader would announce a picture before every kind's name.
    """
    import base64

    from dpo_docs.chart.svg import swatch

    ordered = [k for k in KIND_ORDER if k in kinds] + sorted(kinds - set(KIND_ORDER))
    out = []
    for kind in ordered:
        picture = base64.b64encode(swatch(kind, shared=kind == "shared").encode("utf-8"))
        out.append({"kind": kind, "label": labels.get(f"kind_{kind}", kind),
                    "swatch": f"data:image/svg+xml;base64,{picture.decode('ascii')}"})
    return out


def _placed(layout, legend: list[dict], rtl: bool = False):
    """The legend entries of the kinds ``layout`` draws, placed under it (mirrored when ``rtl``)."""
    from dpo_docs.chart.legend import place

    kinds = {b.kind for b in layout.boxes}
    return place([(i["kind"], i["label"]) for i in legend if i["kind"] in kinds],
                 layout.width, layout.height, rtl=rtl)


def _legend_height(items: list[dict], notes: list[str], width: float) -> float:
    """Height of the legend on a page ``width`` wide: its lines, measured with the shipped font."""
    from dpo_docs import fonts

    lines, used = 1, 0.0
    for item in items:
        need = SWATCH_PT + fonts.text_width(item["label"], LEGEND_FONT_PT)
        if used and used + need > width:
            lines, used = lines + 1, 0.0
        used += need
    for note in notes:
        lines += math.ceil(fonts.text_width(note, LEGEND_FONT_PT) / width)
    # Padding and rule above, a point between paragraphs, and a little spare.
    return lines * LEGEND_LINE_PT + 4.0 + len(notes) + 4.0


def _png_dpi(layout) -> int:
    """300 dpi, or less for a chart so big that the picture would pass the pixel limit."""
    from dpo_docs.chart.png import MAX_PIXELS

    area = layout.width * layout.height / 72**2
    dpi = min(PNG_DPI, int((MAX_PIXELS / area) ** 0.5))
    if dpi < PNG_DPI:
        log.info("org chart PNG drawn at %d dpi: at %d dpi it would pass %d pixels",
                    dpi, PNG_DPI, MAX_PIXELS)
    return max(36, dpi)
