"""Text copied or extracted from a PDF reads as written: Arabic ligatures and chart labels in logical order."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from tests.conftest import build_copy, pdf_text

NAME = "إدارة عمليات السلام"  # the department's Arabic name, with a lam-alef ligature
SWAPPED = "السالم"  # "السلام" with the ligature's letters swapped, as extractors used to give it
CHART_LABEL = "شعبة الشرطة"  # data/units.yaml: the Police Division's Arabic name, one line in its chart box
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
SOFT_HYPHEN = "\u00ad"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project's briefing in Arabic, French and English."""
    return build_copy(tmp_path_factory, "pdftext", "--only", "briefing", "--lang", "ar,fr,en")


def plain_text(path: Path, *pages: int) -> str:
    """What pdftotext extracts in reading order (no -layout)."""
    cmd = ["pdftotext"] + (["-f", str(pages[0]), "-l", str(pages[-1])] if pages else [])
    return subprocess.run(cmd + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def actual_texts(path: Path) -> list[str]:
    """The /ActualText of every marked-content span drawn on the PDF's pages."""
    reader = PdfReader(path)
    found = []
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"BDC" and isinstance(operands[1], DictionaryObject) and "/ActualText" in operands[1]:
                found.append(str(operands[1]["/ActualText"]))
    return found


def chart_pages(path: Path) -> list[int]:
    """The 1-based numbers of the landscape pages: the org chart's."""
    return [i for i, page in enumerate(PdfReader(path).pages, start=1) if page.mediabox.width > page.mediabox.height]


@pytest.mark.parametrize("extract", [plain_text, pdf_text], ids=["reading-order", "layout"])
def test_arabic_ligatures_extract_in_logical_order(out: Path, extract) -> None:
    """The department's Arabic name extracts as written: the lam-alef's letters are not swapped."""
    text = extract(out / "ar" / "briefing.pdf")
    assert NAME in text
    assert SWAPPED not in text
    assert "الأمم المتحدة للإجراءات" in text  # data/units.yaml (UNMAS): lam-alef with hamza above, below


@pytest.mark.parametrize("extract", [plain_text, pdf_text], ids=["reading-order", "layout"])
def test_no_presentation_form_is_extracted(out: Path, extract) -> None:
    """The chart's pre-joined Arabic extracts as letters, not as presentation forms no search finds."""
    found = sorted(set(PRESENTATION_FORMS.findall(extract(out / "ar" / "briefing.pdf"))))
    assert not found, [f"U+{ord(c):04X}" for c in found]


def test_chart_labels_extract_in_logical_order(out: Path) -> None:
    """A unit's Arabic name drawn in the org chart extracts as written, by Poppler and by pypdf."""
    path = out / "ar" / "briefing.pdf"
    (page,) = chart_pages(path)
    assert CHART_LABEL in plain_text(path, page)
    assert CHART_LABEL in pdf_text(path, page)
    # pypdf reads the glyphs' own Unicode map, not /ActualText: letters there too, spaces its own guess.
    chart = PdfReader(path).pages[page - 1].extract_text()
    assert not PRESENTATION_FORMS.search(chart)
    assert CHART_LABEL.replace(" ", "") in chart.replace(" ", "")


def test_arabic_pdf_with_actual_text_is_well_formed(out: Path) -> None:
    """The Arabic briefing carries /ActualText spans of Arabic letters, and qpdf finds nothing wrong."""
    path = out / "ar" / "briefing.pdf"
    spans = actual_texts(path)
    assert "ال" in spans  # the lam-alef, in the order extractors lay a glyph's text
    assert all(re.fullmatch("[\u0600-\u06ff]+", s) or s == SOFT_HYPHEN for s in spans), spans
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.parametrize("lang, name", [("fr", "Département des opérations de paix"),
                                        ("en", "Department of Peace Operations")])
def test_latin_briefings_extract_as_before(out: Path, lang: str, name: str) -> None:
    """French and English extract as they did: no Latin glyph gets an actual text, only hyphens and Arabic.

    Their only /ActualText are the soft hyphens of line breaks (pdf_tags) and the
    ligatures of the Arabic name the cover lists among the department's other names,
    which extracts as written there too.
    """
    path = out / lang / "briefing.pdf"
    text = " ".join(plain_text(path).split())
    assert name in text and NAME in text and SWAPPED not in text
    spans = actual_texts(path)
    latin = [s for s in spans if s != SOFT_HYPHEN and not re.fullmatch("[\u0600-\u06ff]+", s)]
    assert not latin
