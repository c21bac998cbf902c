"""The org-chart handout: A3 landscape (A4 on request), vector chart, SVG and PNG beside it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from dpo_docs.chart.layout import layout
from dpo_docs.views import chart_node, unit_tree
from tests.conftest import pdf_text, run
from tests.test_briefing import flat

SVG = "{http://www.w3.org/2000/svg}"


def test_handout_is_a3_landscape_with_chart_and_text_version(built: Path) -> None:
    pdf = built / "fr/orgchart.pdf"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    reader = PdfReader(pdf)
    first = reader.pages[0]
    assert (float(first.mediabox.width), float(first.mediabox.height)) == pytest.approx((1190.55, 841.89), abs=1)
    chart_page = flat(pdf_text(pdf, 1))
    for label in ("DPO", "OROLSI", "Division de la police", "Service de la constitution des",
                  "Divisions régionales (8)", "Sous-secrétaire général"):
        assert label in chart_page
    text_version = pdf_text(pdf, 2)
    assert "Version texte de l’organigramme" in text_version
    assert "Divisions régionales (8), partagé avec DPPA" in flat(text_version)
    assert reader.metadata.title == "Organigramme — Département des opérations de paix"


def test_svg_and_png_are_written_for_reuse(built: Path) -> None:
    root = ET.parse(built / "fr/orgchart.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Organigramme — Département des opérations de paix"
    assert "Bureau des affaires militaires (OMA)" in root.find(f"{SVG}desc").text
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"OROLSI", "OMA"} <= texts
    assert "Division de la police" in " ".join(t for t in texts if t)
    with Image.open(built / "fr/orgchart.png") as png:
        dpi = png.info["dpi"]
        assert round(dpi[0]) == 300
        width_pt = float(root.get("viewBox").split()[2])
        assert png.width == pytest.approx(width_pt * 300 / 72, abs=2)


def test_default_chart_boxes_never_overlap_and_text_is_legible() -> None:
    from dpo_docs.build import load_data
    from dpo_docs.settings import default_settings
    from tests.conftest import ROOT

    data = load_data(default_settings(ROOT))
    chart = layout(chart_node(unit_tree(data), "fr"))
    assert len(chart.boxes) == len(data.units) + 1
    boxes = chart.boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, (a.id, b.id)
    assert min(line.size for box in boxes for line in box.lines) >= 7


def test_a4_on_request(project: Path) -> None:
    result = run(project, "build", "--only", "orgchart", "--paper", "A4")
    assert result.exit_code == 0, result.output
    page = PdfReader(project / "output/fr/orgchart.pdf").pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((841.89, 595.28), abs=1)
