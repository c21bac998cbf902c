"""Charts shaped by HarfBuzz: drawn as wide as measured, no bidi control drawn, Arabic in logical order, RTL mirrored."""

from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from dpo_docs.chart import ChartLayout, ChartNode, layout, to_png, to_svg
from dpo_docs.chart.model import Box, TextLine
from dpo_docs.chart.shape import width_em
from dpo_docs.templates import THEME_DIR
from tests.conftest import ROOT, run

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ARABIC = "إدارة عمليات السلام"
DPI = 300


def _png(text: str, size: float = 10.0) -> Image.Image:
    """``text`` drawn alone at 300 dpi on one line of a plain white box."""
    line = TextLine(text, 20.0, 30.0, size, width=width_em(text) * size)
    box = Box(id="b", x=5.0, y=5.0, w=line.width + 30.0, h=40.0, kind="unit", shared=False, depth=0,
              lines=(line,))
    chart = ChartLayout(line.width + 40.0, 50.0, (box,), ())
    return Image.open(io.BytesIO(to_png(chart, dpi=DPI))).convert("RGB")


def _ink(image: Image.Image) -> tuple[int, int]:
    """Left and right edge (px) of the dark text pixels; the blue dotted border is not ink."""
    r, g, b = (band.point(lambda v: 255 if v < 110 else 0) for band in image.split())
    left, _top, right, _bottom = ImageChops.multiply(ImageChops.multiply(r, g), b).getbbox()
    return left, right


@pytest.mark.parametrize("text", [ARABIC, "Peace Operations", "Служба правосудия"])
def test_drawn_width_equals_measured_width(text: str) -> None:
    """The ink of a box's line spans the width the layout measured for it (2 % for side bearings)."""
    chart = layout(ChartNode("u", text))
    (line,) = chart.boxes[0].lines
    image = Image.open(io.BytesIO(to_png(chart, dpi=DPI))).convert("RGB")
    left, right = _ink(image)
    measured = line.width * DPI / 72
    assert right - left == pytest.approx(measured, rel=0.02), (right - left, measured)
    assert left == pytest.approx(line.x * DPI / 72, abs=0.02 * measured)  # centred where placed


@pytest.mark.parametrize("control", list(CONTROLS))
def test_no_bidi_control_is_drawn(control: str) -> None:
    """"ABC" framed by a bidi control draws exactly as "ABC"; the SVG text holds no control."""
    plain = _png("ABC")
    marked = _png(f"{control}ABC{control}")
    assert marked.tobytes() == plain.tobytes()
    chart = layout(ChartNode("u", f"{control}ABC{control}", acronym=f"{control}DPO", detail=f"x{control}y"))
    svg = to_svg(chart, title=f"t{control}", desc=f"d{control}")
    assert not re.search(f"[{CONTROLS}]", svg)
    assert "ABC" in svg and "xy" in svg


def test_svg_keeps_arabic_in_logical_order() -> None:
    """Arabic is written as typed, for viewers to shape, with its direction and language."""
    chart = layout(ChartNode("dpo", ARABIC, acronym="DPO"))
    root = ET.fromstring(to_svg(chart, title="t", desc="d"))
    texts = {t.text: t for t in root.iter(f"{SVG}text")}
    assert ARABIC in texts, list(texts)
    arabic = texts[ARABIC]
    assert arabic.get("direction") == "rtl" and arabic.get(XML_LANG) == "ar"
    assert texts["DPO"].get("direction") is None  # Latin keeps the default direction
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", ET.tostring(root, encoding="unicode"))


def _boxes(svg: str) -> dict[str, tuple[float, float]]:
    """Each unit's box in an SVG file: its left edge and its centre."""
    root = ET.fromstring(svg)
    out = {}
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        if group.get("data-id") and rect is not None:
            x, w = float(rect.get("x")), float(rect.get("width"))
            out[group.get("data-id")] = (x, x + w / 2)
    return out


def _legend(svg: str) -> list[tuple[float, float]]:
    """Each legend entry: its sample box's left edge and its name's x."""
    root = ET.fromstring(svg)
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    rects = legend.findall(f"{SVG}rect")
    texts = legend.findall(f"{SVG}text")
    assert rects and len(rects) == len(texts)
    return [(float(r.get("x")), float(t.get("x"))) for r, t in zip(rects, texts, strict=True)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six-script data set's org chart built in Arabic and in English."""
    project = tmp_path_factory.mktemp("shaping") / "project"
    shutil.copytree(ROOT / "tests/fixtures/six_scripts", project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    result = run(project, "build", "--lang", "ar,en", "--only", "orgchart")
    assert result.exit_code == 0, result.output
    return project / "output"


def test_arabic_chart_is_mirrored(built: Path) -> None:
    """Arabic: the first sub-unit is rightmost, the root right of the last; each sample right of its name."""
    ar = _boxes((built / "ar/orgchart.svg").read_text(encoding="utf-8"))
    en = _boxes((built / "en/orgchart.svg").read_text(encoding="utf-8"))
    first, last = "orolsi", "regional-divisions"  # the root's first and last sub-units in the data
    assert ar[first][1] > ar["dpo"][1] > ar[last][1]
    assert en[first][1] < en["dpo"][1] < en[last][1]
    for swatch_x, text_x in _legend((built / "ar/orgchart.svg").read_text(encoding="utf-8")):
        assert swatch_x > text_x
    for swatch_x, text_x in _legend((built / "en/orgchart.svg").read_text(encoding="utf-8")):
        assert swatch_x < text_x


def test_arabic_chart_text_is_logical_and_clean(built: Path) -> None:
    """The Arabic SVG writes names as typed, without presentation forms or controls."""
    svg = (built / "ar/orgchart.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    drawn = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "إدارة عمليات السلام" in drawn
    assert not any(re.search(f"[{CONTROLS}\ufb50-\ufdff\ufe70-\ufeff]", t) for t in drawn)
