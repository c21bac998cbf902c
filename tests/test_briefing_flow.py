"""The briefing flows: sections follow each other, pages are well filled, empty sections vanish.

The page counts and fills below hold for the shipped fonts (Noto Sans, embedded from
the package), which the first test checks, so they do not depend on the machine's fonts.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.conftest import copy_project, pdf_text, run
from tests.test_briefing import bookmark_pages

# The @page margins of templates/briefing.css: the running header and footer sit in them.
TOP_MM, BOTTOM_MM = 22, 20
DPI = 30


@pytest.fixture(scope="module")
def briefings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default data's briefing in French and English."""
    project = copy_project(tmp_path_factory.mktemp("flow") / "project")
    result = run(project, "build", "--only", "briefing", "--lang", "fr,en")
    assert result.exit_code == 0, result.output
    return {lang: project / "output" / lang / "briefing.pdf" for lang in ("fr", "en")}


def fonts(pdf: Path) -> set[str]:
    """The base names of the fonts a PDF uses, without their subset prefix."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def fills(pdf: Path, tmp: Path) -> list[tuple[bool, float]]:
    """Per page: (landscape, the share of the text area's height down to its last inked row)."""
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), str(pdf), str(tmp / "page")], check=True)
    found = []
    for path in sorted(tmp.glob("page-*.pgm"), key=lambda p: int(re.findall(r"\d+", p.name)[-1])):
        image = Image.open(path)
        width, height = image.size
        top, bottom = round(TOP_MM * DPI / 25.4), height - round(BOTTOM_MM * DPI / 25.4)
        band = image.crop((0, top, width, bottom))
        # The lowest row with a pixel darker than light grey; 0 for a blank text area.
        rows = [y for y in range(band.height) if band.crop((0, y, width, y + 1)).getextrema()[0] < 200]
        found.append((width > height, (rows[-1] + 1) / band.height if rows else 0.0))
    return found


def test_the_briefing_is_set_in_the_shipped_noto_sans(briefings: dict[str, Path]) -> None:
    for pdf in briefings.values():
        # Noto Sans Arabic sets the cover's Arabic name, upright: never a synthesized oblique.
        assert fonts(pdf) <= {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-BoldItalic",
                              "Noto-Sans-Arabic"}


def test_the_french_briefing_takes_six_to_eight_pages(briefings: dict[str, Path]) -> None:
    # Each section on its own page took 11 pages for about 4 pages of text.
    assert 6 <= len(PdfReader(briefings["fr"]).pages) <= 8


@pytest.mark.parametrize("lang, title", [("fr", "Chiffres clés"), ("en", "Key figures")])
def test_key_figures_come_before_the_chart(briefings: dict[str, Path], lang: str, title: str) -> None:
    pages = bookmark_pages(briefings[lang])
    assert pages[title] <= 3  # page 10 when every section opened a page
    contents = pdf_text(briefings[lang], 2)
    order = [line.split(".")[0].strip() for line in contents.splitlines() if re.search(r"\.{3,}\s*\d+\s*$", line)]
    assert order[:3] == (["Mission et rôle", "Chiffres clés", "Direction"] if lang == "fr"
                         else ["Mission and role", "Key figures", "Leadership"])
    # The contents list the sections in the order they print.
    assert list(pages.values()) == sorted(pages.values())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_page_is_under_half_full_but_those_that_stand_alone(
        briefings: dict[str, Path], lang: str, tmp_path: Path) -> None:
    pages = fills(briefings[lang], tmp_path)
    # The chart's landscape page and the sources list, last, stand alone whatever their fill.
    thin = [(number, f"{fill:.0%}") for number, (landscape, fill) in enumerate(pages, start=1)
            if fill < 0.5 and not landscape and number != len(pages)]
    assert not thin, f"pages under half full: {thin}"
    assert sum(1 for landscape, _ in pages if landscape) == 1


def test_sections_without_content_have_neither_heading_nor_contents_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "data/relationships.yaml").write_text("relationships: []\n", encoding="utf-8")
    (project / "data/history.yaml").write_text("history: []\n", encoding="utf-8")
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 0, result.output
    pdf = project / "output/fr/briefing.pdf"
    text = pdf_text(pdf)
    assert "Partenaires et relations" not in text
    assert "Historique" not in text
    assert "Partenaires et relations" not in bookmark_pages(pdf) and "Historique" not in bookmark_pages(pdf)
    contents = pdf_text(pdf, 2)
    for title in ("Mission et rôle", "Chiffres clés", "Direction", "Structure",
                  "Opérations de maintien de la paix en cours", "Sources"):
        assert title in contents
