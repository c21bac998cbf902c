"""Word fact sheets carry their fonts and keep their layout on a machine without Noto.

LibreOffice converts the sheets twice: once with fontconfig seeing only the shipped
Noto faces, once seeing no Noto at all (a generated stand-in font only, since
LibreOffice refuses to start without any font). The embedded faces must make both
conversions alike.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from dpo_docs.fonts import FONT_DIR
from dpo_docs.outputs.docx_fonts import obfuscate
from tests.conftest import copy_project, pdf_text, run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
LANGS = ("fr", "en", "ar")


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default data's fact sheets in French, English and Arabic."""
    project = copy_project(tmp_path_factory.mktemp("fonts") / "project")
    result = run(project, "-q", "build", "--only", "factsheets", "--lang", ",".join(LANGS))
    assert result.exit_code == 0, result.output
    return project / "output"


def _stand_in_font(path: Path) -> None:
    """A font named "Stand In" drawing every ASCII and Latin-1 character as a wide box."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box(width: int):
        pen = TTGlyphPen(None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 700))
        pen.lineTo((width - 50, 700))
        pen.lineTo((width - 50, 0))
        pen.closePath()
        return pen.glyph()

    codes = [*range(0x21, 0x7F), *range(0xA1, 0x100)]
    names = [".notdef", "space"] + [f"uni{c:04X}" for c in codes]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x20: "space", 0xA0: "space", **{c: f"uni{c:04X}" for c in codes}})
    builder.setupGlyf({name: box(700) for name in names})
    builder.setupHorizontalMetrics({name: (700, 50) for name in names})
    builder.setupHorizontalHeader(ascent=900, descent=-300)
    builder.setupNameTable({"familyName": "Stand In", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=900, sTypoDescender=-300, usWinAscent=900, usWinDescent=300)
    builder.setupPost()
    builder.save(str(path))


def convert(files: list[Path], font_dir: Path, out: Path) -> dict[str, Path]:
    """Convert Word files to PDF with fontconfig seeing only ``font_dir``; name -> PDF."""
    out.mkdir(parents=True)
    config = out / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{font_dir}</dir><cachedir>{out / 'cache'}</cachedir></fontconfig>\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "FONTCONFIG_FILE": str(config)}
    result = subprocess.run(
        [shutil.which("soffice") or "soffice", "--headless", f"-env:UserInstallation=file://{out}/profile",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
        capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    return {f.stem: out / f"{f.stem}.pdf" for f in files}


def _named(sheets: Path, lang: str, sheet: str, folder: Path) -> Path:
    """A copy of one sheet named after its language, so conversions do not collide."""
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(sheets / lang / "factsheets" / f"{sheet}.docx", folder / f"{sheet}-{lang}.docx"))


@pytest.fixture(scope="module")
def pdfs(sheets: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """The department's sheets converted with the shipped fonts, and without any Noto."""
    root = tmp_path_factory.mktemp("converted")
    files = [_named(sheets, lang, "dpo", root / "docx") for lang in LANGS]
    stand_in = root / "stand-in"
    stand_in.mkdir()
    _stand_in_font(stand_in / "StandIn.ttf")
    return {"shipped": convert(files, FONT_DIR, root / "shipped"),
            "without": convert([f for f in files if not f.stem.endswith("-en")], stand_in, root / "without")}


def pages(pdf: Path) -> int:
    """The page count of a PDF."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def embedded_fonts(pdf: Path) -> set[str]:
    """The base names (subset prefix dropped) of the fonts pdffonts lists as embedded."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 5 and fields[-5] == "yes":
            names.add(fields[0].split("+", 1)[-1])
    return names


@pytest.mark.parametrize(("lang", "faces"), [
    ("fr", {"NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic"}),
    ("ar", {"NotoSans-Regular", "NotoSans-Bold", "NotoSansArabic-Regular", "NotoSansArabic-Bold"}),
])
def test_without_noto_installed_the_sheet_uses_its_own_fonts_and_keeps_its_pages(pdfs, lang, faces) -> None:
    without, shipped = pdfs["without"][f"dpo-{lang}"], pdfs["shipped"][f"dpo-{lang}"]
    assert faces <= embedded_fonts(without)
    assert "StandIn" not in " ".join(embedded_fonts(without))
    assert pages(without) == pages(shipped)
    for page in range(1, pages(shipped) + 1):
        assert pdf_text(without, page).split() == pdf_text(shipped, page).split()


@pytest.mark.parametrize("lang", [
    "fr", "en",
    pytest.param("ar", marks=pytest.mark.xfail(strict=True, reason=(
        "a line with Arabic script takes Noto Sans Arabic's line height, 2.11 em against "
        "1.36 em: the Arabic sheet needs a third page"))),
])
def test_the_department_sheet_fills_at_most_two_pages(pdfs, lang) -> None:
    assert pages(pdfs["shipped"][f"dpo-{lang}"]) <= 2


@pytest.mark.parametrize("lang", LANGS)
def test_the_department_sheet_ends_on_no_near_empty_page(pdfs, lang) -> None:
    pdf = pdfs["shipped"][f"dpo-{lang}"]
    count = pages(pdf)
    first, last = (len("".join(pdf_text(pdf, page).split())) for page in (1, count))
    assert last >= 0.15 * first
    assert count <= 3


@pytest.mark.parametrize("lang", LANGS)
def test_the_key_facts_table_stays_on_one_page(pdfs, sheets: Path, lang) -> None:
    """A table split across pages repeats its header row: the header shows on one page only."""
    table = docx.Document(sheets / lang / "factsheets" / "dpo.docx").tables[0]
    header = table.rows[0].cells[0].text
    last_value = table.rows[-1].cells[1].text.strip("\u200e\u200f").split()[0]
    pdf = pdfs["shipped"][f"dpo-{lang}"]
    texts = [pdf_text(pdf, page) for page in range(1, pages(pdf) + 1)]
    holding = [i for i, text in enumerate(texts) if re.search(rf"(?<!\w){re.escape(header)}(?!\w)", text)]
    assert len(holding) == 1, f"the key facts' header row shows on pages {[i + 1 for i in holding]}"
    assert last_value in texts[holding[0]]
    # In Word too: every row keeps with the next, and no row splits.
    assert table.rows[1].cells[0].paragraphs[0].style.paragraph_format.keep_with_next
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in table.rows[1:])


def _parts(data: bytes) -> dict[str, bytes]:
    """The parts of a zip, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_embedded_faces_are_the_noto_faces_keyed_as_office_requires(sheets: Path) -> None:
    from fontTools.ttLib import TTFont

    parts = _parts((sheets / "ar/factsheets/dpo.docx").read_bytes())
    assert re.search(rb'<w:embedTrueTypeFonts/>\s*<w:saveSubsetFonts/>', parts["word/settings.xml"])
    assert (b'Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"'
            in parts["[Content_Types].xml"])
    table = etree.fromstring(parts["word/fontTable.xml"])
    rels = {rel.get("Id"): rel.get("Target")
            for rel in etree.fromstring(parts["word/_rels/fontTable.xml.rels"])}
    text = "".join(docx.Document(io.BytesIO((sheets / "ar/factsheets/dpo.docx").read_bytes()))
                   .paragraphs[i].text for i in range(3))
    found = {}
    for font in table.iter(f"{W}font"):
        for embed in font:
            if embed.tag.startswith(f"{W}embed"):
                data = obfuscate(parts["word/" + rels[embed.get(R_ID)]], embed.get(f"{W}fontKey"))
                face = TTFont(io.BytesIO(data))
                found[(font.get(f"{W}name"), embed.tag[len(W):])] = face
                assert face["name"].getDebugName(1) == font.get(f"{W}name")
                # Subset to what the sheet needs: far smaller than the shipped face.
                assert len(data) < 60_000
    assert set(found) == {("Noto Sans", "embedRegular"), ("Noto Sans", "embedBold"),
                          ("Noto Sans", "embedItalic"), ("Noto Sans Arabic", "embedRegular"),
                          ("Noto Sans Arabic", "embedBold")}
    latin = found[("Noto Sans", "embedRegular")].getBestCmap()
    arabic = found[("Noto Sans Arabic", "embedRegular")].getBestCmap()
    assert all(ord(c) in latin or ord(c) in arabic for c in text if not c.isspace())


def test_a_latin_sheet_embeds_no_arabic_face(sheets: Path) -> None:
    table = _parts((sheets / "fr/factsheets/dpo.docx").read_bytes())["word/fontTable.xml"]
    assert b'w:name="Noto Sans"' in table and b"embedRegular" in table
    assert b'w:name="Noto Sans Arabic"' not in table


def test_an_arabic_face_with_borrowed_punctuation_has_the_same_bytes_in_a_later_process() -> None:
    import sys
    import time

    # Arabic letters and brackets: the brackets come from Noto Sans, merged into the face.
    script = ("import hashlib; from dpo_docs.outputs import docx_fonts as d; "
              "p = frozenset(map(ord, 'إدارة (DPO) عمليات السلام — ١٢')); "
              "print(hashlib.sha256(d._face('NotoSansArabic-Regular.ttf', 'NotoSans-Regular.ttf', p)).hexdigest())")
    digests = []
    for _ in range(2):
        digests.append(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                      check=True).stdout)
        time.sleep(1.1)  # a face dated by the clock would change here
    assert digests[0] == digests[1]
