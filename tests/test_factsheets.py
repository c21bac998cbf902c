"""The Word fact sheets built from the default data: reopened, and converted by LibreOffice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest

from tests.conftest import pdf_text

SHEETS = ["dpo", "orolsi", "oma", "strategic-partnership"]


def headings(document) -> list[str]:
    """The Heading 1 texts in reading order, those in layout tables' cells included."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    paragraphs = (Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p")))
    return [p.text for p in paragraphs if p.style.name == "Heading 1"]


def key_facts(document) -> dict[str, str]:
    """The key-facts table as label -> value."""
    table = document.tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def test_department_sheet(built: Path) -> None:
    document = docx.Document(built / "fr/factsheets/dpo.docx")
    title = next(p.text for p in document.paragraphs if p.style.name == "Title")
    assert title == "Département des opérations de paix"
    # The chart, narrow, stands beside the history: side by side, the history reads first.
    # The head is a key fact ("Direction"), not a section that would repeat it.
    assert headings(document) == ["Présentation", "Faits essentiels", "Unités rattachées",
                                  "Historique", "Organigramme", "Sources"]
    facts = key_facts(document)
    assert facts["Sigle"] == "DPO"
    assert facts["Année de création"] == "1992"
    assert "Jean-Pierre Lacroix" in facts["Direction"]
    # A date is never split across lines in Word either: its spaces are no-break spaces.
    assert facts["Pays fournissant du personnel en uniforme"] == "119 (au 27\u00a0mai\u00a02025)"
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(b.startswith("Bureau des affaires militaires (OMA)") for b in bullets)
    assert document.core_properties.title == title
    assert document.core_properties.language == "fr-FR"
    pictures = document.inline_shapes
    assert len(pictures) == 1
    assert pictures[0]._inline.docPr.get("descr").startswith("Organigramme — Département des opérations de paix.")


def test_office_sheet_shows_its_branch_head_and_history(built: Path) -> None:
    document = docx.Document(built / "fr/factsheets/orolsi.docx")
    assert "Historique" in headings(document)
    facts = key_facts(document)
    assert facts["Rattachement"] == "Département des opérations de paix (DPO)"
    assert facts["Année de création"] == "2007"
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Service de la lutte antimines des Nations Unies (UNMAS)" in bullets
    alt = document.inline_shapes[0]._inline.docPr.get("descr")
    assert "Division de la police" in alt and "Bureau des affaires militaires" not in alt
    oma = docx.Document(built / "fr/factsheets/oma.docx")
    assert "Direction" not in headings(oma)
    assert key_facts(oma)["Direction"] == "Conseiller militaire"


@pytest.fixture(scope="module")
def converted(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lo")
    files = [str(built / f"fr/factsheets/{sheet}.docx") for sheet in SHEETS]
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile",
         "--convert-to", "pdf", "--outdir", str(out), *files],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("sheet", SHEETS)
def test_libreoffice_converts_every_sheet(converted: Path, sheet: str) -> None:
    pdf = converted / f"{sheet}.pdf"
    assert pdf.exists()
    text = pdf_text(pdf)
    assert "Faits essentiels" in text
    assert "Page 1 sur" in text
    assert "{{" not in text and "{%" not in text


def test_a_large_organisation_gets_a_sheet_per_unit_with_a_legible_chart(tmp_path: Path) -> None:
    """300 units, a sheet each: the department's picture keeps the top levels that fit."""
    from tests.conftest import generated_project, run

    project = generated_project(tmp_path / "project", 300)
    result = run(project, "-q", "build", "--only", "factsheets")
    assert result.exit_code == 0, result.output
    sheets = list((project / "output/fr/factsheets").glob("*.docx"))
    assert len(sheets) == 301
    document = docx.Document(project / "output/fr/factsheets/dpo.docx")
    picture = document.inline_shapes[0]
    assert picture.width.mm <= 160.5 and picture.height.mm <= 200.5
