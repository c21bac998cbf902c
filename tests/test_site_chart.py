"""The web edition's org chart page in a real browser: search, keyboard, folding, scripts off, axe."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from dpo_docs.build import load_data
from dpo_docs.i18n import plain
from dpo_docs.outputs import Job, Session
from dpo_docs.settings import default_settings
from dpo_docs.templates import THEME_DIR
from dpo_docs.views import display_name
from tests.browser import axe_violations, chromium

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("fr", "en", "ar")


def _page(job: Job, lang: str) -> str:
    """The chart page as the web edition's kind renders it."""
    from dpo_docs.outputs.site import Site

    target = next(t for t in Site().targets(job.data, lang, job.settings) if t.key == "orgchart")
    return Site().render(target, Site().context(target, job), Session(job.settings, lang))[target.paths[0]].decode()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chart page of the default data in three languages, with the page's assets."""
    out = tmp_path_factory.mktemp("site")
    settings = default_settings(ROOT)
    data = load_data(settings)
    for lang in LANGS:
        (out / lang).mkdir()
        (out / lang / "orgchart.html").write_text(_page(Job(data, settings, lang), lang), encoding="utf-8")
        shutil.copytree(THEME_DIR / "site" / "assets", out / lang / "assets")
    return out


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module."""
    with chromium() as context:
        yield context


@pytest.fixture
def page(browser):
    """A fresh tab, closed afterwards."""
    tab = browser.new_page()
    yield tab
    tab.close()


def _job(lang: str) -> Job:
    """The default data's build job in ``lang``."""
    settings = default_settings(ROOT)
    return Job(load_data(settings), settings, lang)


def _url(site: Path, lang: str) -> str:
    """The chart page of ``lang``, as a browser opens it from disk."""
    return (site / lang / "orgchart.html").as_uri()


def _inside(inner: dict, outer: dict) -> bool:
    """Whether one bounding box lies inside another."""
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


def _folded(text: str) -> str:
    """Text without case or accents, as the search compares it."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def test_search_shows_the_unit_found_and_says_how_many(site: Path, page) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(_url(site, "fr"))
    for _ in range(8):  # zoomed in far on the middle of the chart: the office is out of sight
        page.get_by_role("button", name="Agrandir").click()
    box = page.locator('.node[data-id="oma"] > .box')
    assert not _inside(box.bounding_box(), page.locator("#chart").bounding_box())
    status = page.get_by_role("status")
    assert status.text_content() == ""
    page.get_by_label("Rechercher une unité (nom ou sigle)").fill("OMA")
    assert status.text_content() == "Unités trouvées\u00a0: 1"
    assert page.locator(".node.match").evaluate_all("ns => ns.map(n => n.dataset.id)") == ["oma"]
    found = box.bounding_box()
    assert _inside(found, page.locator("#chart").bounding_box())
    assert _inside(found, {"x": 0, "y": 0, "width": 1280, "height": 720})  # scrolled into the window
    # A click folds a branch; a search unfolds the branches that hold what it finds.
    page.get_by_role("button", name="Vue d’ensemble").click()
    page.locator('.node[data-id="orolsi"] > .box').click()
    assert page.locator('.node[data-id="orolsi"]').get_attribute("aria-expanded") == "false"
    # Case and accents do not matter: "SECURITE" finds every unit named with "sécurité".
    page.get_by_label("Rechercher une unité (nom ou sigle)").fill("SECURITE")
    names = page.locator(".node.match").evaluate_all("ns => ns.map(n => n.dataset.name)")
    assert all(n.is_visible() for n in page.locator(".node.match").all())
    job = _job("fr")
    expected = [n.id for n in job.tree.walk() if "securite" in _folded(plain(n.name, "fr"))]
    assert len(names) == len(expected) >= 2 and all("sécurité" in n for n in names)
    assert status.text_content() == f"Unités trouvées\u00a0: {len(expected)}"


@pytest.mark.parametrize("lang, sibling_key", [("fr", "ArrowRight"), ("ar", "ArrowLeft")])
def test_keyboard_walks_the_tree_and_folds_a_branch(site: Path, page, lang: str, sibling_key: str) -> None:
    page.goto(_url(site, lang))
    page.keyboard.press("Tab")  # the skip link
    while page.evaluate("document.activeElement.getAttribute('role')") != "treeitem":
        page.keyboard.press("Tab")  # past the navigation, the controls and the canvas
    active = "document.activeElement.dataset.id"
    assert page.evaluate(active) == "dpo"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(active) == "orolsi"
    page.keyboard.press(sibling_key)  # the next unit, on the reader's side
    assert page.evaluate(active) == "oma"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    office = page.locator('.node[data-id="orolsi"]')
    children = page.locator('.node[data-parent="orolsi"]')
    assert children.count() == 5 and all(c.is_visible() for c in children.all())
    page.keyboard.press("Enter")
    assert office.get_attribute("aria-expanded") == "false"
    assert not any(c.is_visible() for c in children.all())
    assert page.locator('.node[data-id="oma"]').is_visible()  # only that branch folds
    page.keyboard.press("Enter")
    assert office.get_attribute("aria-expanded") == "true"
    assert all(c.is_visible() for c in children.all())
    # Right to left, the chart is mirrored: the first office is drawn rightmost.
    xs = {i: page.locator(f'.node[data-id="{i}"] > .box').bounding_box()["x"] for i in ("orolsi", "oma")}
    assert (xs["orolsi"] > xs["oma"]) == (lang == "ar")


def test_the_canvas_pans_and_zooms_from_the_keyboard(site: Path, page) -> None:
    page.goto(_url(site, "fr"))
    view = 'document.querySelector("#chart").getAttribute("viewBox").split(" ").map(Number)'
    start = page.evaluate(view)
    page.locator("#chart-canvas").focus()
    page.keyboard.press("ArrowRight")  # the drawing moves left: what lay right of the view comes in
    moved = page.evaluate(view)
    assert moved[0] > start[0] and moved[1:] == start[1:]
    page.keyboard.press("+")
    zoomed = page.evaluate(view)
    assert zoomed[2] < moved[2] and zoomed[3] < moved[3]
    page.keyboard.press("0")
    assert page.evaluate(view) == start


def test_without_scripts_the_chart_and_its_text_version_show_and_the_controls_do_not(site: Path, browser) -> None:
    page = browser.new_page()
    try:
        page.context.new_cdp_session(page).send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(_url(site, "fr"))
        assert page.evaluate("document.querySelector('#chart-canvas').classList.contains('live')") is False
        units = len(list(_job("fr").tree.walk()))
        nodes = page.locator(".node")
        assert nodes.count() == units and all(n.is_visible() for n in nodes.all())
        chart = page.locator("#chart").bounding_box()
        assert all(_inside(n.locator("> .box").bounding_box(), chart) for n in nodes.all())  # the whole chart
        outline = page.locator(".chart-outline li")
        assert outline.count() == units and outline.first.is_visible()
        assert "Bureau des affaires militaires (OMA)" in page.locator(".chart-outline").inner_text()
        assert not page.locator("#chart-controls").is_visible()
        assert not page.get_by_label("Rechercher une unité (nom ou sigle)").is_visible()
        assert not page.locator("#chart-help").is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_passes_axe(site: Path, page, lang: str) -> None:
    page.goto(_url(site, lang))
    page.locator("#chart-search").fill("a")  # matches highlighted, the live region filled
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ("fr", "ar"))
def test_every_box_is_named_after_its_unit(site: Path, page, lang: str) -> None:
    page.goto(_url(site, lang))
    job = _job(lang)
    items = page.get_by_role("treeitem")
    assert items.count() == len(list(job.tree.walk()))
    for node in job.tree.walk():
        acronym = plain(node.acronym, lang)
        name = display_name(node, lang) + (f" ({acronym})" if acronym else "")
        name = re.sub("[\u200e\u200f\u2066-\u2069]", "", name)  # direction marks: nothing to read
        assert page.get_by_role("treeitem", name=name, exact=True).count() == 1, name


def test_the_svg_nests_each_unit_and_its_links_in_its_parent_branch() -> None:
    import xml.etree.ElementTree as ET

    from dpo_docs.chart.layout import ChartNode, layout, mirror
    from dpo_docs.chart.websvg import to_web_svg

    def grow(ident: str, depth: int) -> ChartNode:
        """A tree three wide below each node, four levels down, ids naming their path."""
        kids = tuple(grow(f"{ident}-{i}", depth + 1) for i in range(3)) if depth < 4 else ()
        return ChartNode(id=ident, name=f"Unité {ident}", acronym=f"U{ident}", children=kids)

    root = grow("r", 0)
    names = {}
    todo = [root]
    while todo:
        node = todo.pop()
        names[node.id] = (node.name, node.acronym)
        todo.extend(node.children)
    for drawing in (layout(root), mirror(layout(root))):
        svg = ET.fromstring(to_web_svg(drawing, names, title="Organigramme"))
        ns = "{http://www.w3.org/2000/svg}"
        items = svg.findall(f".//{ns}g[@role='treeitem']")
        assert len(items) == len(names) == 121
        for item in items:
            ident = item.get("data-id")
            kids = sorted(k for k in names if k != ident and k.rsplit("-", 1)[0] == ident)  # in data order
            assert item.get("aria-label") == f"Unité {ident} (U{ident})"
            branch = item.find(f"{ns}g[@class='branch']")
            if not kids:
                assert branch is None and item.get("aria-expanded") is None
                continue
            assert item.get("aria-expanded") == "true"
            # Folding the branch hides every descendant and every link below the unit.
            assert [k.get("data-id") for k in branch.findall(f"{ns}g[@role='treeitem']")] == kids
            assert all(k.get("data-parent") == ident for k in branch.findall(f"{ns}g[@role='treeitem']"))
            assert len(branch.findall(f"{ns}g[@class='links']/{ns}polyline")) == len(kids)
