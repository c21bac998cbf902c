"""Accessible documents: PDF/UA-1 by default (PDF/A-3 on request), accessible Word files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests.conftest import run


def structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every structure element of a tagged PDF."""
    found, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                found.append(kid)
                stack.append(kid)
    return found


@pytest.mark.parametrize("name", ["briefing.pdf", "orgchart.pdf"])
def test_pdfs_are_pdf_ua_1(built: Path, name: str) -> None:
    pdf = built / "fr" / name
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfuaid:part(="1"|>1<)', xmp)  # the XMP names the conformance
    elements = structure(reader)
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures, "the charts must be tagged as figures"
    assert all(str(f.get("/Alt", "")).strip() for f in figures)  # every figure has alt text
    if name == "briefing.pdf":
        assert any(e["/S"] == "/TH" for e in elements)  # table headers are marked
        assert any(e["/S"] == "/H2" for e in elements)


def test_pdf_a_3b_on_request(project: Path) -> None:
    result = run(project, "build", "--only", "briefing", "--pdf-variant", "pdf/a-3b")
    assert result.exit_code == 0, result.output
    reader = PdfReader(project / "output/fr/briefing.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "pdfaid:part" in xmp and "pdfaid:conformance" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_word_sheets_are_accessible(built: Path) -> None:
    sheet = docx.Document(built / "fr/factsheets/orolsi.docx")
    levels = [int(p.style.name.split()[-1]) for p in sheet.paragraphs if p.style.name.startswith("Heading")]
    assert levels and levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    langs = {el.get(qn("w:val")) for el in sheet.styles.element.iter(qn("w:lang"))}
    assert langs == {"fr-FR"}
    for shape in sheet.inline_shapes:
        assert shape._inline.docPr.get("descr")
    header_row = sheet.tables[0].rows[0]._tr
    assert header_row.trPr is not None and header_row.trPr.find(qn("w:tblHeader")) is not None
