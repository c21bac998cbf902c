"""Mixed directions and scripts: punctuation between values, left-to-right islands, Word runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from dpo_docs.typography import apply, between, finish_html
from tests.conftest import copy_project, pdf_text, run


@pytest.fixture(scope="module")
def arabic_chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, its contact address ending in "/", built in Arabic and Chinese."""
    project = copy_project(tmp_path_factory.mktemp("bidi") / "project")
    data = project / "data/department.yaml"
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("    url: https://peacekeeping.un.org/fr\n",
                                 "    url: https://peacekeeping.un.org/ar/\n", 1), encoding="utf-8")
    result = run(project, "build", "--lang", "ar,zh")
    assert result.exit_code == 0, result.output
    return project / "output"


def test_arabic_text_takes_arabic_punctuation_and_latin_text_keeps_its_own() -> None:
    assert apply("القرارات 425, 426; هل تعمل? 68,000", "ar") == "القرارات 425، 426؛ هل تعمل؟ 68,000"
    assert apply("انظر https://un.org/a,b; ثم", "ar") == "انظر https://un.org/a,b؛ ثم"  # an address is as written
    assert between("Europe, Central Asia and Americas", "ar") == "Europe, Central Asia and Americas"
    assert between(", Jean-Pierre Lacroix", "ar") == "، Jean-Pierre Lacroix"  # the template's join
    assert between("\u200eDPO, DPPA\u200e، DOS", "ar") == "\u200eDPO, DPPA\u200e، DOS"  # a framed fallback


def test_chinese_full_width_punctuation_takes_no_space() -> None:
    assert apply("负责人： 某某 ， 其他", "zh") == "负责人：某某，其他"
    assert between(" Jean-Pierre Lacroix", "zh", after="负责人：") == "Jean-Pierre Lacroix"
    assert finish_html('<p>来源： <span lang="en">A, B</span>, C</p>', "zh") == \
        '<p>来源：<span lang="en">A, B</span>，C</p>'
    # Tags, entities and styles are never touched.
    assert finish_html('<style>a, b { x: "; " }</style><p title="a, b">R&amp; D</p>', "ar") == \
        '<style>a, b { x: "; " }</style><p title="a, b">R&amp; D</p>'
    # A ">" inside a quoted attribute value does not end its tag.
    assert finish_html('<p title="x > y, z" lang="en">A, B</p>, C', "ar") == \
        '<p title="x > y, z" lang="en">A, B</p>، C'


def test_arabic_briefing_joins_untranslated_values_the_arabic_way(arabic_chinese: Path) -> None:
    text = pdf_text(arabic_chinese / "ar/briefing.pdf")
    cover = pdf_text(arabic_chinese / "ar/briefing.pdf", 1)
    # Head's title and name, both untranslated, joined in an Arabic sentence by "،".
    assert re.search(r"Lacroix\s*،", cover) and not re.search(r"Lacroix\s*,", cover), cover
    # An untranslated unit name keeps its Latin comma, in the text and in the chart.
    assert "Europe, Central Asia" in text and "Europe، Central" not in text
    # UNIFIL's resolutions as Arabic lists them, "425 و426" (pdftotext adds embedding marks).
    assert re.search(r"426\W*و\W*425|425\W*و\W*426", text) and not re.search(r"42[56]\s*[,،]\s*42[56]", text)


def test_an_address_in_arabic_text_stays_left_to_right(arabic_chinese: Path) -> None:
    """The contact's address ends in "/": without an island the slash moves to the other end."""
    cover = pdf_text(arabic_chinese / "ar/briefing.pdf", 1)
    assert "https://peacekeeping.un.org/ar/ —" in cover, cover
    assert "/United Nations" not in cover
    # The handout's footer (a CSS string: no element to isolate it) and the Word sheet as
    # LibreOffice prints it.
    handout = pdf_text(arabic_chinese / "ar/orgchart.pdf", 1)
    assert "https://peacekeeping.un.org/ar/ :" in handout and "/United Nations" not in handout, handout
    out = arabic_chinese.parent / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", "pdf",
                    "--outdir", str(out), str(arabic_chinese / "ar/factsheets/dpo.docx")],
                   capture_output=True, text=True, timeout=300, check=True)
    sheet = pdf_text(out / "dpo.pdf")
    assert "https://peacekeeping.un.org/ar/ :" in sheet and "/United Nations" not in sheet


def test_chinese_briefing_sets_no_space_after_its_colon(arabic_chinese: Path) -> None:
    text = pdf_text(arabic_chinese / "zh/briefing.pdf")
    assert "负责人：Under-Secretary-General for Peace Operations，Jean-Pierre Lacroix" in text.replace("\n", " ")
    assert not re.search(r"[：；，] ", text)
    assert "425和426" in text  # UNIFIL's resolutions, listed as Chinese lists (CLDR)


def test_word_runs_carry_their_direction_and_chinese_sheets_their_spacing(arabic_chinese: Path) -> None:
    sheet = docx.Document(arabic_chinese / "ar/factsheets/dpo.docx")
    marked, latin = 0, 0
    for r in sheet.element.body.iter(qn("w:r")):
        words = "".join(t.text or "" for t in r.iter(qn("w:t")))
        rtl = r.rPr is not None and r.rPr.find(qn("w:rtl")) is not None
        if re.match(r"[\u200f\s]*[\u0600-\u06ff]", words):
            assert rtl, words
            marked += 1
        elif re.match(r"[\u200e\s]*[A-Za-z]", words):
            assert not rtl, words  # an untranslated passage or an address stays left to right
            latin += 1
    assert marked > 10 and latin > 3
    # Headers and footers are right to left too: "الصفحة 1 من 3", never "3 الصفحة 1 من".
    furniture = [part._element for part in sheet.part.package.iter_parts()
                 if part.content_type.endswith(("header+xml", "footer+xml"))]
    paragraphs = [p for element in furniture for p in element.iter(qn("w:p"))]
    assert len(paragraphs) >= 3
    assert all(p.pPr is not None and p.pPr.find(qn("w:bidi")) is not None for p in paragraphs)
    chinese = docx.Document(arabic_chinese / "zh/factsheets/dpo.docx")
    lines = [p.text for p in chinese.paragraphs]
    assert not [line for line in lines if re.search(r"[：；，] ", line)]
    assert not any(r.rPr is not None and r.rPr.find(qn("w:rtl")) is not None
                   for r in chinese.element.body.iter(qn("w:r")))


def _region(pdf: Path, page: int, x: int, y: int, w: int, h: int) -> str:
    """The text pdftotext finds in a rectangle of a page, in points from the top left."""
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-x", str(x), "-y", str(y),
                           "-W", str(w), "-H", str(h), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_arabic_pages_are_mirrored(arabic_chinese: Path) -> None:
    """Running header, footer, the at-a-glance rule and the figure cards start at the right."""
    pdf = arabic_chinese / "ar/briefing.pdf"
    top_right, top_left = _region(pdf, 3, 298, 0, 297, 70), _region(pdf, 3, 0, 0, 297, 70)
    assert "إدارة عمليات" in top_right and "إدارة عمليات" not in top_left  # the department at the start
    bottom_left = _region(pdf, 3, 0, 760, 297, 82)
    assert "الصفحة" in bottom_left  # "page 3 of 8" at the end of the line
    # The first figure (71 operations) is the top right card; the second the top left.
    cards_right, cards_left = _region(pdf, 3, 298, 70, 297, 140), _region(pdf, 3, 0, 70, 297, 140)
    assert "71" in cards_right and "68,000" in cards_left, (cards_right, cards_left)
    # The Chinese edition, left to right, has them the other way round.
    zh = arabic_chinese / "zh/briefing.pdf"
    assert "71" in _region(zh, 3, 0, 70, 297, 140) and "3/8" in _region(zh, 3, 298, 760, 297, 82)
