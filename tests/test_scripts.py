"""Every UN script: an Arabic (right-to-left) document with names in the six languages."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from dpo_docs.templates import THEME_DIR
from tests.conftest import ROOT, pdf_text, run

FIXTURE = ROOT / "tests/fixtures/six_scripts"


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six-script data set built as an Arabic briefing and handout."""
    project = tmp_path_factory.mktemp("six") / "project"
    shutil.copytree(FIXTURE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    result = run(project, "build", "--lang", "ar", "--only", "briefing", "--only", "orgchart")
    assert result.exit_code == 0, result.output
    return project / "output/ar"


def test_every_script_is_extractable_and_embedded(arabic: Path) -> None:
    text = pdf_text(arabic / "briefing.pdf")
    assert "إدارة عمليات" in text  # Arabic, in logical order once extracted
    assert "警务司" in text  # Chinese
    assert "Служба правосудия" in text  # Russian
    assert "Sección de Desarme" in text  # Spanish
    assert "Departamento de Operaciones de Paz" in text
    assert "Department of Peace Operations" in text
    fonts = subprocess.run(["pdffonts", str(arabic / "briefing.pdf")], capture_output=True, text=True).stdout
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-CJK-SC" in fonts
    assert PdfReader(arabic / "briefing.pdf").trailer["/Root"]["/Lang"] == "ar"


def test_arabic_pages_run_right_to_left(arabic: Path) -> None:
    """The contents' title and entries hug the right margin of an A4 page."""
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(arabic / "briefing.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', bbox)
    # pdftotext's bbox mode lists Arabic words in display order (letters reversed).
    title = [(float(a), float(b)) for a, b, w in words if w in ("المحتويات", "المحتويات"[::-1])]
    assert title, "Arabic contents title missing"
    assert title[0][1] > 595 - 60  # ends at the right margin (A4 is 595 pt wide)


def test_chart_keeps_arabic_joined_and_ordered(arabic: Path) -> None:
    """The chart's SVG text is in logical order for viewers to shape, marked right to left."""
    svg = (arabic / "orgchart.svg").read_text(encoding="utf-8")
    assert 'direction="rtl" unicode-bidi="embed" xml:lang="ar" font-size="8" fill="#ffffff">إدارة عمليات السلام<' in svg
    assert "ﻡﻼﺴﻟﺍ" not in svg  # no presentation forms: viewers join the letters themselves
    assert "警务司" in pdf_text(arabic / "orgchart.pdf", 1)


def test_arabic_word_sheet_runs_right_to_left(tmp_path: Path) -> None:
    """Paragraphs, tables and sections are right to left; the styles carry Arabic."""
    import docx
    from docx.oxml.ns import qn

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    assert run(project, "build", "--lang", "ar", "--only", "factsheets").exit_code == 0
    sheet = docx.Document(project / "output/ar/factsheets/orolsi.docx")
    assert sheet.core_properties.language == "ar-SA"
    paragraphs = list(sheet.element.body.iter(qn("w:p")))
    assert all(p.pPr is not None and p.pPr.find(qn("w:bidi")) is not None for p in paragraphs)
    assert all(t.find(qn("w:bidiVisual")) is not None for t in sheet.element.body.iter(qn("w:tblPr")))
    assert sheet.sections[0]._sectPr.find(qn("w:bidi")) is not None
    langs = list(sheet.styles.element.iter(qn("w:lang")))
    assert langs and all(el.get(qn("w:bidi")) == "ar-SA" for el in langs)
    headings = [p.text for p in sheet.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["لمحة عامة", "حقائق رئيسية"]
    assert any("مكتب سيادة القانون" in p.text for p in sheet.paragraphs)
    out = tmp_path / "lo"
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile",
                             "--convert-to", "pdf", "--outdir", str(out),
                             str(project / "output/ar/factsheets/orolsi.docx")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "حقائق رئيسية" in pdf_text(out / "orolsi.pdf")
