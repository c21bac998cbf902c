"""The briefing's structure chart as printed: never below 7 pt, with its legend, kinds told apart without colour.

Sizes are read from the PDF (each character's font size times the matrices the page
applies), colours from the SVG the build writes, so the tests see what a reader sees.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from dpo_docs.chart import ChartNode, layout, to_svg
from dpo_docs.chart.svg import PALETTE
from tests.conftest import copy_project, pdf_text, run
from tests.test_chart_scale import write_units

SVG = "{http://www.w3.org/2000/svg}"
MIN_PT = 7.0
BIG = 126  # boxes of the large organisation: the department and 125 units
# The legend of the default data's chart, as a French reader sees it, in rank order.
DEFAULT_KINDS = ("Département", "Bureau principal", "Division", "Service", "Section", "Groupe",
                 "Portefeuille régional", "Structure partagée")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Output folders of the default data and of a 126-unit organisation (briefing and handout)."""
    out = {}
    for name, units in (("default", 0), ("big", BIG - 1)):
        project = copy_project(tmp_path_factory.mktemp(name) / "project")
        if units:
            write_units(project, units)
        result = run(project, "build", "--only", "briefing", "--only", "orgchart", "--lang", "fr,en")
        assert result.exit_code == 0, result.output
        out[name] = project / "output"
    return out


def structure_page(pdf: Path) -> int:
    """The number of the briefing's chart page: its only landscape page."""
    pages = PdfReader(pdf).pages
    found = [n for n, p in enumerate(pages, 1) if p.mediabox.width > p.mediabox.height]
    assert len(found) == 1, found
    return found[0]


def printed_sizes(pdf: Path, number: int) -> dict[str, float]:
    """Each piece of text on a page with the size it prints at, in pt."""
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        """Font size scaled by the text and page matrices (their vertical scale)."""
        if not text.strip():
            return
        # The second row of tm x cm: how far a unit of text height reaches on the page.
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        printed = size * (c * c + d * d) ** 0.5
        key = text.strip()
        sizes[key] = min(printed, sizes.get(key, printed))

    PdfReader(pdf).pages[number - 1].extract_text(visitor_text=visit)
    return sizes


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two colours."""
    hi, lo = sorted((luminance(one), luminance(two)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def drawn_boxes(svg: str) -> list[dict]:
    """Every unit box of an SVG chart: its kind, colours and border, as the file draws them."""
    boxes = []
    for group in ET.fromstring(svg.encode("utf-8")).iter(f"{SVG}g"):
        if "unit" not in (group.get("class") or "").split() or group.get("data-id") is None:
            continue
        rect, inner = group.find(f"{SVG}rect"), group.find(f"{SVG}path")
        boxes.append({
            "kind": group.get("class").split()[1], "fill": rect.get("fill"),
            "stroke": rect.get("stroke"), "texts": {t.get("fill") for t in group.iter(f"{SVG}text")},
            "inner": inner.get("stroke") if inner is not None else None,
            "border": (rect.get("stroke-width"), rect.get("stroke-dasharray"), inner is not None),
        })  # fmt: skip
    return boxes


@pytest.mark.parametrize("org", ["default", "big"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_briefing_chart_text_prints_at_7pt_or_more(builds, org, lang):
    pdf = builds[org] / lang / "briefing.pdf"
    sizes = printed_sizes(pdf, structure_page(pdf))
    assert len(sizes) > 20  # the chart's text is there to measure
    small = {text: round(size, 2) for text, size in sizes.items() if size < MIN_PT - 0.01}
    assert not small


def test_briefing_legend_names_the_kinds_drawn(builds):
    pdf = builds["default"] / "fr" / "briefing.pdf"
    text = pdf_text(pdf, structure_page(pdf))
    assert re.search(r"\s+".join(map(re.escape, DEFAULT_KINDS)), text), text
    assert "Bordure en tirets" in text  # the shared units' border is explained
    assert "Structure complète" not in text  # the whole chart is drawn


def test_large_organisation_keeps_top_levels_and_sends_readers_to_the_handout(builds):
    pdf = builds["big"] / "fr" / "briefing.pdf"
    text = pdf_text(pdf, structure_page(pdf))
    drawn = set(re.findall(r"\bU\d+\b", text)) | {"DPO"}
    assert 1 < len(drawn) < BIG
    assert re.search(r"Département\s+Bureau principal", text)  # the legend of what is drawn
    assert re.search(r"Structure complète\s:\svoir l’organigramme \(orgchart\.pdf\)", text)
    hidden = re.search(r"unités non représentées\s*:\s*(\d+)", text)
    assert hidden and int(hidden.group(1)) == BIG - len(drawn)
    english = builds["big"] / "en" / "briefing.pdf"
    text = pdf_text(english, structure_page(english))
    assert "Full structure: see the organization chart (orgchart.pdf)" in text
    assert f"units not shown: {BIG - len(drawn)}" in text


@pytest.mark.parametrize("org", ["default", "big"])
def test_every_border_and_text_contrasts_enough(builds, org):
    boxes = drawn_boxes((builds[org] / "fr" / "orgchart.svg").read_text(encoding="utf-8"))
    assert {b["kind"] for b in boxes} >= {"department", "office"}
    for box in boxes:
        fill, stroke = box["fill"], box["stroke"]
        # WCAG 1.4.11: the box's edge stands out 3:1 from the page; a dark fill is its own edge.
        if contrast(fill, "#ffffff") >= 3:
            assert stroke == fill or contrast(stroke, fill) >= 3, box
        else:
            assert contrast(stroke, "#ffffff") >= 3 and contrast(stroke, fill) >= 3, box
        if box["inner"]:
            assert contrast(box["inner"], fill) >= 3, box
        assert all(contrast(text, fill) >= 4.5 for text in box["texts"]), box


def _told_apart(one: dict, two: dict) -> bool:
    """True if two boxes differ by their border, or by a 3:1 difference in lightness."""
    return one["border"] != two["border"] or contrast(one["fill"], two["fill"]) >= 3


def test_kinds_never_differ_by_fill_colour_alone(builds):
    # Every kind, shared and not, side by side in one chart.
    kids = tuple(ChartNode(f"{kind}-{shared}", kind, kind=kind, shared=shared)
                 for kind in sorted(PALETTE) for shared in (False, True))
    boxes = drawn_boxes(to_svg(layout(ChartNode("root", "root", children=kids)), "t", "d"))
    boxes += drawn_boxes((builds["default"] / "fr" / "orgchart.svg").read_text(encoding="utf-8"))
    assert {b["kind"] for b in boxes} >= set(PALETTE)
    for one, two in itertools.combinations(boxes, 2):
        if one["kind"] != two["kind"]:
            assert _told_apart(one, two), (one, two)


def test_handout_legend_names_every_kind_with_a_sample_box(builds):
    pdf = builds["default"] / "fr" / "orgchart.pdf"
    text = pdf_text(pdf, 1)
    assert re.search(r"\s+".join(map(re.escape, DEFAULT_KINDS)), text), text


@pytest.mark.parametrize("org", ["default", "big"])
def test_handout_svg_and_png_carry_the_legend_of_what_they_draw(builds, org):
    from PIL import Image

    svg = (builds[org] / "fr" / "orgchart.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg.encode("utf-8"))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    names = [t.text for t in legend.iter(f"{SVG}text")]
    assert len(legend.findall(f"{SVG}rect")) == len(names)  # a sample box per name
    if org == "default":
        assert tuple(names) == DEFAULT_KINDS
    assert float(legend.get("font-size")) >= MIN_PT
    # The PNG's bottom-left corner shows the department's dark sample box.
    with Image.open(builds[org] / "fr" / "orgchart.png") as png:
        px = 300 / 72
        corner = png.crop((round(8 * px), png.height - round(20 * px), round(26 * px), png.height))
        assert corner.convert("L").getextrema()[0] < 100


@pytest.mark.parametrize("size", [10, BIG, 1_000])
def test_fit_drops_levels_before_it_shrinks_text(size):
    from dpo_docs.chart.fit import fit
    from dpo_docs.chart.sample import sample_tree
    from dpo_docs.outputs.briefing import CHART_BOX

    fitted = fit(sample_tree(size, seed=size), CHART_BOX)
    assert fitted.min_text_pt >= MIN_PT - 1e-6
    assert fitted.layout.width * fitted.scale <= CHART_BOX[0] + 0.01
    assert fitted.layout.height * fitted.scale <= CHART_BOX[1] + 0.01
    assert fitted.hidden == size - len(fitted.layout.boxes)
    assert (fitted.levels is None) == (fitted.hidden == 0)
    if size == BIG:
        assert fitted.levels == 2  # the department and its offices, in two columns
