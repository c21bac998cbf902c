"""The web edition: per language, the briefing and each fact sheet as HTML pages, the
interactive org chart, and the assets they share (stylesheet, web fonts, scripts).

Every page reuses the context of the print document it mirrors (the same texts, the same
numbered sources) and adds the page namespace of ``theme/site/base.html``. Every link is
relative, nothing is fetched from elsewhere: the site works from ``file://`` and from any
static host. The index of every document is written by the build (``site_index``).
"""

from __future__ import annotations

from dataclasses import replace

from markupsafe import Markup

from dpo_docs.i18n import direction, plain
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Session, Target, webfonts
from dpo_docs.settings import Settings

ASSETS = "site/assets"  # under the theme, or a project's templates folder
# Room for the charts, in pt: the SVG scales to the page's width, this sets the
# proportions and the smallest text (7 pt at this width).
CHART_BOX = (900.0, 560.0)
SHEET_CHART_BOX = (640.0, 480.0)


def _page(job: Job, target: Target, title: str, depth: int, current: str) -> dict:
    """The namespace base.html expects: language, title, labels, build and the page's links."""
    labels = job.labels
    root = "../" * depth
    site = "../" * (depth + 1)
    nav = [{"href": f"{site}index.html", "text": labels["site_index"], "current": False},
           {"href": f"{root}briefing.html", "text": labels["briefing"], "current": current == "briefing"},
           {"href": f"{root}orgchart.html", "text": labels["orgchart"], "current": current == "orgchart"}]
    return {"lang": job.lang, "dir": direction(job.lang), "title": title, "labels": labels,
            "build": job.build_for(target), "page": {"root": root, "site": site, "nav": nav}}


def _strings(value, out: set[str]) -> None:
    """Every character of every text in ``value`` (mappings, sequences, models), added to ``out``."""
    if isinstance(value, str):
        out.update(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _strings(key, out)
            _strings(item, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _strings(item, out)
    elif hasattr(value, "model_dump"):
        _strings(value.model_dump(mode="json"), out)
    elif hasattr(value, "__dataclass_fields__"):
        _strings({name: getattr(value, name) for name in value.__dataclass_fields__}, out)


class Site:
    """The web edition of one language."""

    name = "site"

    def targets(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """The briefing and chart pages, one page per fact sheet, and the assets."""
        pages = self._pages(data, lang, settings)
        chars = self._characters(pages, Job(data, settings, lang))
        assets = [f"{lang}/assets/site.css"]
        assets += [f"{lang}/assets/{name}" for name in _asset_names(settings)]
        assets += [f"{lang}/assets/fonts/{name}" for name in webfonts.files(chars)]
        return [*pages, Target(self.name, lang, "assets", tuple(assets))]

    def _pages(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """The pages of ``lang``: briefing, chart, then the fact sheets in the Word sheets' order."""
        from dpo_docs.outputs.factsheets import Factsheets

        pages = [Target(self.name, lang, "briefing", (f"{lang}/briefing.html",)),
                 Target(self.name, lang, "orgchart", (f"{lang}/orgchart.html",))]
        return pages + [Target(self.name, lang, f"sheet-{t.key}", (f"{lang}/factsheets/{t.key}.html",))
                        for t in Factsheets().targets(data, lang, settings)]

    def _characters(self, pages: list[Target], job: Job) -> str:
        """Every character the pages of this language show, sorted: what the fonts must hold."""
        found: set[str] = set()
        for target in pages:
            _strings(self.context(target, job), found)
        return "".join(sorted(found))

    def context(self, target: Target, job: Job) -> dict:
        """The page's context: the print document's, with the page namespace as ``template``."""
        if target.key == "briefing":
            return self._briefing(target, job)
        if target.key == "orgchart":
            from dpo_docs.outputs import site_chart

            chart = site_chart.context(job)
            title = f"{job.labels['orgchart']} — {plain(job.data.department.name, job.lang)}"
            page = _page(job, target, title, 0, "orgchart")
            return {**chart, "template": {**chart.get("template", {}), **page}}
        if target.key.startswith("sheet-"):
            return self._sheet(target, job)
        return self._assets(target, job)

    def _briefing(self, target: Target, job: Job) -> dict:
        """The briefing's context, its template namespace joined by the page's."""
        from dpo_docs.outputs.briefing import Briefing

        context = Briefing().context(replace(target, kind="briefing"), job)
        doc = context["template"]["doc"]
        page = _page(job, target, doc["title"], 0, "briefing")
        return {**context, "template": {**context["template"], **page}}

    def _sheet(self, target: Target, job: Job) -> dict:
        """A fact sheet's context (the Word sheet's), with the page namespace."""
        from dpo_docs.outputs.factsheets import Factsheets

        key = target.key.removeprefix("sheet-")
        context = Factsheets().context(replace(target, kind="factsheets", key=key), job)
        sheet = context["template"]
        doc = {**sheet["doc"], "disclaimer": sheet["build"]["disclaimer"]}
        page = _page(job, target, f"{doc['title']} — {doc['subtitle']}", 1, "")
        return {**context, "template": {**sheet, "doc": doc, **page}}

    def _assets(self, target: Target, job: Job) -> dict:
        """The files to copy and the characters the fonts must hold."""
        chars = self._characters(self._pages(job.data, job.lang, job.settings), job)
        return {"files": _asset_names(job.settings), "fonts": webfonts.files(chars),
                "cjk": webfonts.cjk_text(chars), "lang": job.lang}

    def cost(self, target: Target, job: Job) -> float:
        """Pages take tens of milliseconds; the fonts' compression takes seconds."""
        if target.key == "assets":
            return 4000.0
        if target.key in ("briefing", "orgchart"):
            return 200.0 + 3.0 * len(job.data.units)
        return 30.0

    def render(self, target: Target, context: dict, session: Session) -> dict[str, bytes]:
        """Render one page, or write the assets."""
        if target.key == "assets":
            return self._render_assets(target, context, session)
        if target.key == "briefing":
            from dpo_docs.outputs.briefing import Briefing

            html = Briefing().html(context, session, "site/briefing.html", CHART_BOX, web=True)
        elif target.key == "orgchart":
            from dpo_docs.outputs import site_chart

            html = site_chart.render(context, session)
        else:
            html = self._render_sheet(context, session)
        return {target.paths[0]: html.encode("utf-8")}

    def _render_sheet(self, context: dict, session: Session) -> str:
        """A fact sheet's page: its texts and the chart of its branch."""
        from dpo_docs.chart.fit import fit
        from dpo_docs.chart.layout import mirror
        from dpo_docs.chart.svg import to_svg
        from dpo_docs.outputs.briefing import scale_svg

        template = context["template"]
        fitted = fit(context["chart"], SHEET_CHART_BOX)
        chart = mirror(fitted.layout) if template["dir"] == "rtl" else fitted.layout
        caption, _, rest = context["alt"].partition("\n")
        svg = to_svg(chart, title=caption.rstrip("."), desc=rest, standalone=False, id_prefix="sheet-chart")
        doc = {**template["doc"], "chart_svg": Markup(scale_svg(svg, fitted.scale))}
        return session.render_html("site/factsheet.html", {**template, "doc": doc})

    def _render_assets(self, target: Target, context: dict, session: Session) -> dict[str, bytes]:
        """The stylesheet with its @font-face rules, the theme's assets and the web fonts."""
        from dpo_docs.templates import find

        lang = context["lang"]
        folder = session.settings.templates_dir
        css = find("site/site.css", folder).read_bytes()
        files = {f"{lang}/assets/site.css": webfonts.font_face_css(context["fonts"]).encode("utf-8") + css}
        for name in context["files"]:
            files[f"{lang}/assets/{name}"] = find(f"{ASSETS}/{name}", folder).read_bytes()
        for name in context["fonts"]:
            files[f"{lang}/assets/fonts/{name}"] = webfonts.woff2(name, context["cjk"])
        return files


def _asset_names(settings) -> list[str]:
    """The names of the files in the theme's site assets and the project's, sorted."""
    from pathlib import Path

    from dpo_docs.templates import THEME_DIR

    names: set[str] = set()
    for folder in (THEME_DIR / ASSETS, Path(settings.templates_dir) / ASSETS):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return sorted(names)
