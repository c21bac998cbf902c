"""The web edition (``--only site``): the files it writes, reproducible bytes, links that
resolve, nothing fetched from elsewhere, and pages a browser shows and axe-core passes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import axe_violations, chromium
from tests.conftest import copy_project, run

SHEETS = ("dpo", "orolsi", "oma", "strategic-partnership")
LATIN = ("NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic")


class Links(HTMLParser):
    """Every link and resource of a page, and its ids: (tag, attribute, value) triples."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if "id" in values:
            self.ids.add(values["id"])
        for name in ("href", "src", "xlink:href", "srcset", "poster", "data"):
            if values.get(name):
                self.refs.append((tag, name, values[name]))
        if values.get("style"):
            self.styles.append(values["style"])
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def parse(path: Path) -> Links:
    """The links of the page at ``path``."""
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def css_urls(css: str) -> list[str]:
    """The url() references of a stylesheet (data: URIs left out)."""
    return [u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css) if not u.startswith("data:")]


def site_files(out: Path) -> dict[str, bytes]:
    """The web edition's files under ``out`` (pages, assets and the index), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and (p.suffix in (".html", ".css", ".woff2", ".js") or "/assets/" in p.as_posix())}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A project with the web edition built in French and English.

    Built in this process (-j 1): the web fonts it compresses are kept for the later builds.
    """
    project = copy_project(tmp_path_factory.mktemp("site"), templates=False)
    result = run(project, "build", "--only", "site", "--lang", "fr,en", "-j", "1")
    assert result.exit_code == 0, result.output
    return project


def test_site_build_writes_the_pages_the_assets_and_the_index(site: Path) -> None:
    out = site / "output"
    for lang in ("fr", "en"):
        assert (out / lang / "briefing.html").is_file()
        assert (out / lang / "orgchart.html").is_file()
        assert sorted(p.stem for p in (out / lang / "factsheets").glob("*.html")) == sorted(SHEETS)
        css = (out / lang / "assets" / "site.css").read_text(encoding="utf-8")
        for face in LATIN:
            assert (out / lang / "assets" / "fonts" / f"{face}.woff2").read_bytes()[:4] == b"wOF2"
            assert f'url("fonts/{face}.woff2")' in css
        # The pages show the department's name in Arabic and Chinese too: those faces come,
        # the CJK one cut to the few characters used (the whole face is 16 MB).
        assert "Noto Sans Arabic" in css and "unicode-range" in css
        cjk = out / lang / "assets" / "fonts" / "NotoSansCJKsc-Regular.woff2"
        assert 0 < cjk.stat().st_size < 100_000
    # A build given no --only makes the print documents only, as before.
    assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.docx"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="fr/briefing.html"' in index and 'href="en/factsheets/oma.html"' in index
    assert 'lang="en" dir="ltr"' in index and "Données au 30\u00a0juin\u00a02025" in index
    assert "Data as of 30\u00a0June\u00a02025" in index


def test_site_is_not_in_the_default_selection_but_offered(tmp_path: Path) -> None:
    from dpo_docs.settings import DEFAULTS

    assert "site" not in DEFAULTS["only"]
    result = run(tmp_path, "build", "--help")
    assert "site" in result.output


def test_second_build_rewrites_nothing_and_a_fresh_folder_gets_the_same_bytes(site: Path) -> None:
    out = site / "output"
    before = site_files(out)
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    again = run(site, "build", "--only", "site", "--lang", "fr,en")
    assert again.exit_code == 0 and "nothing to do" in again.output
    assert site_files(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.html")} == times
    fresh = run(site, "build", "--only", "site", "--lang", "fr,en", "--out", "fresh", "-j", "1")
    assert fresh.exit_code == 0, fresh.output
    assert site_files(site / "fresh") == before


def test_no_page_fetches_anything_from_elsewhere(site: Path) -> None:
    out = site / "output"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 1 + 2 * (2 + len(SHEETS))
    for page in pages:
        links = parse(page)
        for tag, attr, value in links.refs:
            if tag == "a" and attr == "href":
                continue  # a source's address is a link a reader may follow, not a request
            assert not re.match(r"(?i)\s*(https?:)?//", value), (page, tag, attr, value)
        for style in links.styles:
            assert not any(re.match(r"(?i)(https?:)?//", u) for u in css_urls(style)), page
    for css in out.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text
        assert not any(re.match(r"(?i)(https?:)?//", u) for u in css_urls(text)), css


def test_every_relative_link_and_resource_resolves(site: Path) -> None:
    out = site / "output"
    checked = 0
    for page in sorted(out.rglob("*.html")):
        links = parse(page)
        for _tag, _attr, value in links.refs:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https", "mailto", "data"):
                continue
            if not parts.path:  # a link within the page
                assert parts.fragment in links.ids, (page, value)
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() and target.is_relative_to(out.resolve()), (page, value)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in parse(target).ids, (page, value)
            checked += 1
    for css in out.rglob("*.css"):
        for url in css_urls(css.read_text(encoding="utf-8")):
            assert (css.parent / url).is_file(), (css, url)
            checked += 1
    assert checked > 50


def test_briefing_page_has_the_briefings_numbered_sources(site: Path) -> None:
    import yaml

    html = (site / "output" / "fr" / "briefing.html").read_text(encoding="utf-8")
    sources = yaml.safe_load((site / "data" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    numbers = [int(n) for n in re.findall(r'<li id="source-(\d+)"', html)]
    assert numbers == list(range(1, len(sources) + 1))
    cited = set(re.findall(r'href="#source-(\d+)"', html))
    assert cited and all(f'id="cite-{n}"' in html for n in cited)


@pytest.fixture(scope="module")
def browser(site: Path):
    """One Chromium for the module's browser tests, with Arabic pages built beside the others."""
    result = run(site, "build", "--only", "site", "--lang", "ar", "-j", "1")
    assert result.exit_code == 0, result.output
    with chromium() as context:
        yield context


def test_a_reader_opens_the_index_and_follows_a_link_to_the_french_briefing(site: Path, browser,
                                                                            tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto((site / "output" / "index.html").as_uri())
    assert page.locator("section#lang-ar").get_attribute("dir") == "rtl"
    page.locator('a[href="fr/briefing.html"]').click()
    page.wait_for_load_state()
    assert page.url.endswith("/fr/briefing.html")
    assert page.locator("h1").inner_text() == "Département des opérations de paix"
    assert page.locator("#sources ol li").count() > 10
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status == 'loaded').map(f => f.family)")
    assert any("Noto Sans" in family for family in loaded)  # the site's own fonts, not the machine's
    page.set_viewport_size({"width": 390, "height": 800})
    # Nothing wider than a phone's screen but the charts and tables, which scroll in their frames.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_pages_pass_axe(site: Path, browser, lang: str) -> None:
    out = site / "output"
    page = browser.new_page()
    for rel in ("index.html", f"{lang}/briefing.html", f"{lang}/factsheets/orolsi.html"):
        if rel == "index.html" and lang != "fr":
            continue
        page.goto((out / rel).as_uri())
        assert axe_violations(page) == [], rel
        if rel != "index.html":
            assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
            assert page.locator("html").get_attribute("lang") == lang
    page.close()


def test_a_changed_unit_name_rebuilds_the_pages_that_show_it_not_the_assets(tmp_path: Path) -> None:
    project = copy_project(tmp_path, templates=False)
    assert run(project, "build", "--only", "site", "-j", "1").exit_code == 0
    units = project / "data" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("fr: Service de la constitution des forces",
                                  "fr: Service de la génération des forces"), encoding="utf-8")
    result = run(project, "build", "--only", "site", "-j", "1")
    assert result.exit_code == 0, result.output
    changes = json.loads((project / "output" / "changes.json").read_text(encoding="utf-8"))
    rebuilt = sorted(item["path"] for item in changes["rebuilt"])
    # The unit is in the briefing, the chart, its office's sheet and the department's chart.
    assert rebuilt == ["fr/briefing.html", "fr/factsheets/dpo.html", "fr/factsheets/oma.html",
                       "fr/orgchart.html"]
    assert "Service de la génération des forces" in (project / "output/fr/factsheets/oma.html").read_text(
        encoding="utf-8")


def test_cjk_face_is_cut_to_the_characters_used_with_the_same_bytes_each_time() -> None:
    import io

    from fontTools.ttLib import TTFont

    from dpo_docs.outputs import webfonts

    text = "维持和平行动部"
    first, second = (webfonts.cut(f"{webfonts.CJK}.woff2", text) for _ in range(2))
    assert first == second  # no timestamp or random order: two builds write the same font
    font = TTFont(io.BytesIO(first))
    assert font.flavor == "woff2"
    assert set(text) <= {chr(c) for c in font.getBestCmap()} and len(font.getBestCmap()) < 20


def test_a_projects_site_templates_and_assets_override_the_themes(tmp_path: Path) -> None:
    project = copy_project(tmp_path, templates=False)
    assets = project / "templates" / "site" / "assets"
    assets.mkdir(parents=True)
    (assets / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (project / "templates" / "site" / "site.css").write_text("main { color: #222; }\n", encoding="utf-8")
    result = run(project, "build", "--only", "site", "-j", "1")
    assert result.exit_code == 0, result.output
    out = project / "output" / "fr" / "assets"
    assert (out / "logo.svg").read_text(encoding="utf-8").startswith("<svg")
    css = (out / "site.css").read_text(encoding="utf-8")
    assert css.endswith("main { color: #222; }\n") and "@font-face" in css
    (project / "templates" / "site" / "site.css").unlink()  # back to the theme's: only the assets rebuild
    assert run(project, "build", "--only", "site", "-j", "1").exit_code == 0
    changes = json.loads((project / "output" / "changes.json").read_text(encoding="utf-8"))
    assert [item["path"] for item in changes["rebuilt"]] == ["fr/assets/site.css"]


def test_every_character_the_pages_show_is_in_a_face_they_serve(tmp_path: Path) -> None:
    """The faces are cut to what the pages can show: no character of any page falls to
    a system font, in the Latin, Arabic and Chinese editions."""
    import html as html_lib
    import re

    from fontTools.ttLib import TTFont

    project = copy_project(tmp_path, templates=False)
    result = run(project, "build", "--only", "site", "--lang", "fr,ar,zh", "-j", "1")
    assert result.exit_code == 0, result.output
    out = project / "output"
    for lang in ("fr", "ar", "zh"):
        held: set[str] = set()
        for face in (out / lang / "assets" / "fonts").glob("*.woff2"):
            held |= {chr(code) for code in TTFont(str(face)).getBestCmap()}
        shown: set[str] = set()
        for page in (out / lang).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
            shown |= set(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)))
        # Controls and marks drawn by no font: line breaks, direction marks, joiners.
        missing = {c for c in shown - held if c.isprintable() and c not in "\u200e\u200f\u2060\u00ad"}
        assert not missing, f"{lang}: {sorted(missing)}"


def test_a_kept_font_that_was_damaged_is_cut_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut faces are kept between runs by a hash of what makes them; a kept file that was
    damaged since (truncated, or changed by hand) is never served: the face is cut again."""
    from dpo_docs.outputs import webfonts

    monkeypatch.setenv(webfonts.CACHE_ENV, str(tmp_path / "cache"))
    name, text = f"{webfonts.CJK}.woff2", "维持和平行动部"
    fresh = webfonts.cut(name, text)
    assert webfonts.woff2.__wrapped__(name, text) == fresh
    (kept,) = (tmp_path / "cache").glob("*.woff2")
    assert kept.read_bytes()[:len(fresh)] == fresh
    assert webfonts.woff2.__wrapped__(name, text) == fresh  # read back from the cache
    for damage in (kept.read_bytes()[:100], b"wOF2" + bytes(200), b""):
        kept.write_bytes(damage)
        assert webfonts.woff2.__wrapped__(name, text) == fresh
    # A cache folder that cannot be made (a file stands in the way) only costs time.
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    monkeypatch.setenv(webfonts.CACHE_ENV, str(tmp_path / "blocked" / "cache"))
    assert webfonts.woff2.__wrapped__(name, text) == fresh


def test_the_web_briefing_has_every_section_of_the_print_briefing(site: Path) -> None:
    """The two briefings are separate templates: every section the PDF's contents list for
    this data is on the web page too, in the same order, under the same title."""
    from dpo_docs.i18n import labels_for
    from dpo_docs.outputs.briefing import SECTIONS

    page = (site / "output" / "fr" / "briefing.html").read_text(encoding="utf-8")
    found = re.findall(r'<section id="([\w-]+)"', page)
    assert [s for s in found if s in SECTIONS] == list(SECTIONS), found  # the default data fills them all
    labels = labels_for("fr")
    for section in SECTIONS:
        assert re.search(rf'<section id="{section}"[^>]*>\s*<h2[^>]*>{re.escape(labels[section])}', page), section
