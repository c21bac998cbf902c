"""The briefing PDF: the seed's facts in French, a working contents page, bookmarks, metadata."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import pdf_text, run

SEED_FACTS = [
    "direction politique et exécutive des opérations de maintien de la paix",
    "relation privilégiée avec les membres du Conseil de sécurité",
    "pays fournissant des contingents et/ou des ressources financières",
    "parties au conflit",
    "processus politiques actifs et durables",
    "organisations non gouvernementales",
    "la lutte antimines",
    "Les origines du DPO remontent à 1948",
    "ONUST",
    "UNMOGIP",
    "Bureau des affaires politiques",
    "Boutros Boutros-Ghali",
    "1992",
    "Secrétaire général adjoint aux opérations de paix",
    "Jean-Pierre Lacroix",
    "Nommé le 14 février 2017 ; en fonctions depuis le 1er avril 2017",
    "Bureau de l’état de droit et des institutions chargées de la sécurité",
    "créé en 2007",
    "Bureau des affaires militaires",
    "Division du partenariat stratégique pour le maintien de la paix",
    "formations standardisées",
    "Département des affaires politiques et de la consolidation de la paix (DPPA)",
    "huit divisions régionales",
    "trois sous-secrétaires généraux",
]


@pytest.fixture(scope="module")
def briefing(built: Path) -> Path:
    return built / "fr" / "briefing.pdf"


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces folded, as a reader would read it."""
    return re.sub(r"\s+", " ", text.replace("-\n", "-"))


def bookmark_pages(path: Path) -> dict[str, int]:
    """Top-level bookmark titles and the 1-based pages they open."""
    reader = PdfReader(path)
    return {item.title: reader.get_destination_page_number(item) + 1
            for item in reader.outline if not isinstance(item, list)}


def test_qpdf_accepts_the_pdf(briefing: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(briefing)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_every_fact_of_the_seed_is_in_the_briefing(briefing: Path) -> None:
    text = flat(subprocess.run(["pdftotext", str(briefing), "-"], capture_output=True, text=True, check=True).stdout)
    missing = [fact for fact in SEED_FACTS if fact not in text]
    assert not missing


def test_figures_show_their_dates_and_operations_their_table(briefing: Path) -> None:
    text = flat(pdf_text(briefing))
    assert "environ 68 000" in text.replace("\u202f", " ")
    assert "Au 27 mai 2025" in text
    assert "5,38 milliards de dollars des États-Unis" in text
    for acronym in ("ONUST", "FINUL", "MINUSCA", "MONUSCO", "FISNUA", "MINUSS", "FNUOD"):
        assert acronym in text
    assert "Sigle Nom Lieu Depuis Résolution(s)" in text


def test_contents_page_numbers_match_bookmarks_and_pages(briefing: Path) -> None:
    bookmarks = bookmark_pages(briefing)
    for title in ("Mission et rôle", "Direction", "Structure", "Historique", "Chiffres clés", "Sources"):
        assert title in bookmarks
    contents = pdf_text(briefing, 2)
    assert "Sommaire" in contents
    for title, page in bookmarks.items():
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.M)
        assert match, f"{title} missing from contents"
        assert int(match.group(1)) == page
        assert title in pdf_text(briefing, page)


def test_running_header_and_page_x_of_y(briefing: Path) -> None:
    pages = len(PdfReader(briefing).pages)
    assert pages >= 3  # the page looked at below exists (the count itself: test_briefing_flow.py)
    third = pdf_text(briefing, 3)
    assert f"Page 3 sur {pages}" in third
    assert "Département des opérations de paix" in third
    assert "Données au 30 juin 2025" in third
    assert "Page 1 sur" not in pdf_text(briefing, 1)  # the cover has no furniture


def test_metadata_title_language_subject(briefing: Path) -> None:
    reader = PdfReader(briefing)
    assert reader.metadata.title == "Note d’information — Département des opérations de paix"
    assert "Département des opérations de paix (DPO)" in reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)


def test_org_chart_and_timeline_are_vector_graphics(briefing: Path) -> None:
    pages = bookmark_pages(briefing)
    page = PdfReader(briefing).pages[pages["Structure"] - 1]
    assert page.mediabox.width > page.mediabox.height  # the chart gets a landscape page
    text = pdf_text(briefing, pages["Structure"])
    for label in ("OROLSI", "OMA", "Divisions régionales (8)", "Service de la constitution des", "Conseiller militaire"):
        assert label in text
    images = subprocess.run(["pdfimages", "-list", str(briefing)], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) == 2  # header lines only: no raster image
    history = pdf_text(briefing, pages["Historique"])
    assert "1940" in history and "2030" in history and "10. 2021" in history


def test_data_is_text_in_every_output(project: Path) -> None:
    typed = "Bureau <b>{{ 7*7 }}</b> & ]]> {% raw %}"
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace(
        "      fr: Bureau des affaires militaires\n", f"      fr: \"{typed}\"\n"), encoding="utf-8")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    out = project / "output/fr"
    briefing = flat(pdf_text(out / "briefing.pdf"))
    assert typed in briefing
    assert "Bureau 49" not in briefing and "Bureau <b>49" not in briefing
    assert typed in flat(pdf_text(out / "orgchart.pdf"))
    import xml.etree.ElementTree as ET

    svg_texts = " ".join(t.text or "" for t in ET.parse(out / "orgchart.svg").iter("{http://www.w3.org/2000/svg}text"))
    assert "Bureau <b>{{ 7*7 }}</b> &" in svg_texts
    import docx

    sheet = docx.Document(out / "factsheets/oma.docx")
    assert next(p.text for p in sheet.paragraphs if p.style.name == "Title") == typed
