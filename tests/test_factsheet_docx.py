"""Word fact sheets: what a reader of the rendered .docx (and of its PDF) sees."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image, ImageDraw

from dpo_docs.errors import TemplateError
from dpo_docs.outputs.docx import render_factsheet
from dpo_docs.templates import THEME_DIR

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = THEME_DIR / "factsheet.docx"
SCRIPT = ROOT / "tools" / "make_factsheet_template.py"
ALT = "Organigramme : le Bureau des affaires militaires et ses services"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
DIRECT_RUN_FORMATTING = ("w:b", "w:i", "w:sz", "w:color", "w:rFonts", "w:u", "w:highlight")

LABELS = {
    "factsheet": "Fiche d'information",
    "summary": "Présentation",
    "key_facts": "Faits essentiels",
    "fact": "Élément",
    "value": "Valeur",
    "head": "Direction",
    "subunits": "Unités rattachées",
    "chart": "Organigramme",
    "history": "Repères historiques",
    "sources": "Sources",
    "page": "Page",
    "of": "sur",
    "colon": "\u00a0:",
}


def make_context() -> dict:
    """A French context shaped like the one the fact-sheet builder passes in."""
    return {
        "org": {"name": "Département des opérations de paix", "acronym": "DPO"},
        "doc": {
            "lang": "fr",
            "title": "Bureau des affaires militaires",
            "subtitle": "Fiche d'information — DPO",
            "summary": [
                "Le Bureau des affaires militaires veille à la bonne exécution des mandats.",
                "Il conseille le Secrétaire général adjoint aux opérations de paix.",
            ],
            "key_facts": [
                {"label": "Rattachement", "value": "Département des opérations de paix (DPO)"},
                {"label": "Année de création", "value": "2007"},
            ],
            "head": {"title": "Conseiller militaire", "name": ""},
            "subunits": [
                {"name": "Service de la constitution des forces", "acronym": "", "description": ""},
                {"name": "Service de la planification", "acronym": "SPM", "description": "plans"},
            ],
            "history": [{"year": "2007", "text": "Création du bureau"}],
            "sources": [
                {"label": "Texte de présentation du DPO", "url": ""},
                {"label": "peacekeeping.un.org", "url": "https://peacekeeping.un.org"},
            ],
            "chart_caption": "Organigramme du Bureau des affaires militaires",
            "colophon": [],
        },
        "labels": dict(LABELS),
        "build": {"date": dt.date(2025, 6, 30), "data_label": "Données au 30 juin 2025",
                  "disclaimer": "Document non officiel."},
    }


def make_png(size: tuple[int, int] = (600, 300)) -> bytes:
    """A PNG with a framed rectangle, standing in for the org chart."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle([40, 40, size[0] - 40, size[1] - 40], outline=(31, 78, 121))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def render(context: dict | None = None, chart: bool = True) -> bytes:
    """Render the committed template with a context (the sample one by default)."""
    png = make_png() if chart else None
    return render_factsheet(TEMPLATE, context or make_context(), png, ALT)


def part_xml(data: bytes, prefix: str) -> str:
    """The concatenated XML of every zip entry whose name starts with prefix."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith(prefix))


def open_docx(data: bytes):
    """Reopen rendered bytes with python-docx."""
    return docx.Document(io.BytesIO(data))


def styled(document, style: str) -> list[str]:
    """Texts of the body paragraphs that use a given style."""
    return [p.text for p in document.paragraphs if p.style.name == style]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    """The sample fact sheet, rendered once for the module."""
    return render()


def test_title_subtitle_and_headings_in_order(rendered):
    document = open_docx(rendered)
    assert styled(document, "Title") == ["Bureau des affaires militaires"]
    assert styled(document, "Subtitle") == ["Fiche d'information — DPO"]
    assert styled(document, "Heading 1") == [
        LABELS[k]
        for k in ("summary", "key_facts", "subunits", "chart", "history", "sources")
    ]
    body = [p.text for p in document.paragraphs]
    assert "Le Bureau des affaires militaires veille à la bonne exécution des mandats." in body


def test_empty_sections_are_omitted():
    context = make_context()
    context["doc"].update(head=None, subunits=[], history=[])
    document = open_docx(render(context, chart=False))
    assert styled(document, "Heading 1") == [
        LABELS["summary"],
        LABELS["key_facts"],
        LABELS["sources"],
    ]
    assert not document.inline_shapes
    assert styled(document, "Caption") == []


def test_disclaimer_in_every_footer_and_no_line_without_one():
    footer = open_docx(render(chart=False)).sections[-1].footer
    assert [p.text for p in footer.paragraphs][-1] == "Document non officiel."
    context = make_context()
    context["build"]["disclaimer"] = ""
    footer = open_docx(render(context, chart=False)).sections[-1].footer
    assert len(footer.paragraphs) == 1 and "Données au 30 juin 2025" in footer.paragraphs[0].text


def test_key_facts_table_has_repeating_header_and_one_row_per_fact(rendered):
    table = open_docx(rendered).tables[0]
    assert table.style.name == "DPO Key Facts"
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [
        ["Élément", "Valeur"],
        ["Rattachement", "Département des opérations de paix (DPO)"],
        ["Année de création", "2007"],
    ]
    first_tr_pr = table.rows[0]._tr.trPr
    assert first_tr_pr is not None and first_tr_pr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])


def test_bullets_hold_subunits_history_and_sources(rendered):
    assert styled(open_docx(rendered), "List Bullet") == [
        "Service de la constitution des forces",
        "Service de la planification (SPM) — plans",
        "2007\u00a0: Création du bureau",
    ]
    # The sources, a reference list, in their own smaller bulleted style.
    assert styled(open_docx(rendered), "Source List") == [
        "Texte de présentation du DPO",
        "peacekeeping.un.org — https://peacekeeping.un.org",
    ]


def test_body_runs_carry_no_direct_formatting(rendered):
    body = open_docx(rendered).element.body
    for run in body.iter(qn("w:r")):
        r_pr = run.find(qn("w:rPr"))
        if r_pr is None:
            continue
        found = [tag for tag in DIRECT_RUN_FORMATTING if r_pr.find(qn(tag)) is not None]
        assert not found, f"direct formatting {found} on run {run.xpath('string(.)')!r}"


def test_picture_has_alt_text_and_caption(rendered):
    document = open_docx(rendered)
    assert len(document.inline_shapes) == 1
    doc_pr = document.inline_shapes[0]._inline.find(WP_DOCPR)
    assert doc_pr.get("descr") == ALT
    assert doc_pr.get("title")
    assert styled(document, "Caption") == ["Organigramme du Bureau des affaires militaires"]


def test_picture_width_and_tall_chart_capped_to_the_page():
    wide = open_docx(render_factsheet(TEMPLATE, make_context(), make_png(), ALT, 120))
    assert wide.inline_shapes[0].width.mm == pytest.approx(120, abs=0.1)
    tall = open_docx(render_factsheet(TEMPLATE, make_context(), make_png((300, 900)), ALT))
    assert tall.inline_shapes[0].height.mm == pytest.approx(200, abs=0.1)


def test_header_and_footer_text_and_page_fields(rendered):
    section = open_docx(rendered).sections[0]
    assert section.header.paragraphs[0].text == "DPO — Fiche d'information"
    footer_xml = part_xml(rendered, "word/footer")
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", footer_xml)
    instructions += re.findall(r'w:instr="([^"]*)"', footer_xml)
    assert {i.split()[0] for i in instructions} >= {"PAGE", "NUMPAGES"}
    assert "Données au 30 juin 2025" in footer_xml
    assert "Page " in footer_xml and " sur " in footer_xml


def test_no_template_tags_left(rendered):
    for prefix in ("word/document.xml", "word/header", "word/footer"):
        xml = part_xml(rendered, prefix)
        assert xml, prefix
        assert "{{" not in xml and "{%" not in xml, prefix


def test_page_is_a4_portrait(rendered):
    section = open_docx(rendered).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    assert section.left_margin.mm == pytest.approx(20, abs=0.1)


def test_core_properties_come_from_the_data_not_the_clock(rendered):
    props = open_docx(rendered).core_properties
    assert props.title == "Bureau des affaires militaires"
    assert props.subject == "Fiche d'information — DPO"
    assert props.language == "fr-FR"
    assert props.author == "dpo-docs"
    midnight = dt.datetime(2025, 6, 30)
    assert props.created.replace(tzinfo=None) == midnight
    assert props.modified.replace(tzinfo=None) == midnight


def test_data_is_text_never_markup_or_template():
    context = make_context()
    context["doc"]["title"] = "<b> & {{ 7*7 }}"
    context["doc"]["summary"] = ["{% if true %}oui{% endif %} <w:t>"]
    document = open_docx(render(context, chart=False))
    assert styled(document, "Title") == ["<b> & {{ 7*7 }}"]
    assert "{% if true %}oui{% endif %} <w:t>" in [p.text for p in document.paragraphs]
    all_text = "\n".join(p.text for p in document.paragraphs)
    assert "49" not in all_text
    assert document.core_properties.title == "<b> & {{ 7*7 }}"


def test_caller_context_is_not_mutated():
    context = make_context()
    before = copy.deepcopy(context)
    render(context)
    assert context == before


def test_rendering_is_deterministic(rendered):
    again = render()
    assert again == rendered
    with zipfile.ZipFile(io.BytesIO(again)) as zf:
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_missing_variable_raises_template_error(tmp_path):
    bad = tmp_path / "bad.docx"
    document = docx.Document()
    document.add_paragraph("Avant")
    document.add_paragraph("{{ doc.nope }}")
    document.save(bad)
    with pytest.raises(TemplateError) as info:
        render_factsheet(bad, make_context(), None, ALT)
    # Named as the HTML templates are: the templates folder and the file.
    assert str(info.value).startswith(f"{tmp_path.name}/bad.docx (/word/document.xml)")
    assert "nope" in str(info.value)


def test_syntax_error_names_template_and_line(tmp_path):
    bad = tmp_path / "syntax.docx"
    document = docx.Document()
    document.add_paragraph("{{ doc.title ")
    document.add_paragraph("}")
    document.save(bad)
    with pytest.raises(TemplateError, match=r"syntax\.docx.*line \d+"):
        render_factsheet(bad, make_context(), None, ALT)


def test_unreadable_template_raises_template_error(tmp_path):
    with pytest.raises(TemplateError, match="not found"):
        render_factsheet(tmp_path / "absent.docx", make_context(), None, ALT)
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match="junk.docx"):
        render_factsheet(junk, make_context(), None, ALT)


def test_a_zip_of_another_office_kind_is_refused_by_name(tmp_path):
    # A .dotx template, a macro template or a workbook: a zip whose main part is no document.
    other = tmp_path / "macro.docx"
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(other, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml",
                                    b"wordprocessingml.template.main+xml")
            dst.writestr(name, data)
    with pytest.raises(TemplateError, match=r"^[^/]+/macro\.docx: not a Word document \(.*content type"):
        render_factsheet(other, make_context(), None, ALT)


def test_template_uses_real_styles():
    styles = docx.Document(str(TEMPLATE)).styles
    normal = styles["Normal"]
    assert normal.font.name == "Noto Sans" and normal.font.size.pt == 10
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    # Arabic (a complex script) and Chinese take the shipped faces for their scripts.
    assert (fonts.get(qn("w:cs")), fonts.get(qn("w:eastAsia"))) == ("Noto Sans Arabic", "Noto Sans CJK SC")
    assert normal.paragraph_format.space_after.pt == 6
    assert str(styles["Heading 1"].font.color.rgb) == "1F4E79"
    for name in ("Title", "Subtitle", "Heading 2", "List Bullet", "Caption", "DPO Key Facts"):
        assert name in [s.name for s in styles]
    first_row = [
        el
        for el in styles["DPO Key Facts"].element.findall(qn("w:tblStylePr"))
        if el.get(qn("w:type")) == "firstRow"
    ]
    assert first_row and first_row[0].find(f"{qn('w:tcPr')}/{qn('w:shd')}") is not None


def test_template_script_reproduces_committed_template(tmp_path):
    out = tmp_path / "factsheet.docx"
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True, capture_output=True)
    assert out.read_bytes() == TEMPLATE.read_bytes()


def test_libreoffice_resolves_fields_in_pdf(tmp_path, rendered):
    source = tmp_path / "factsheet.docx"
    source.write_bytes(rendered)
    soffice = shutil.which("soffice") or "soffice"
    result = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    pdf = tmp_path / "factsheet.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    assert "Bureau des affaires militaires" in text
    assert "Page 1 sur" in text
    assert "{{" not in text


def test_saved_file_is_a_stable_zip_with_the_picture_stored_as_drawn(tmp_path):
    png = make_png()
    path = tmp_path / "sheet.docx"
    path.write_bytes(render_factsheet(TEMPLATE, make_context(), png, ALT))
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert {(i.date_time, i.create_system) for i in infos} == {((1980, 1, 1, 0, 0, 0), 0)}
        pictures = [i for i in infos if i.filename.startswith("word/media/")]
        # The PNG is compressed already: it is stored, byte for byte the chart drawn.
        assert [(i.compress_type, zf.read(i)) for i in pictures] == [(zipfile.ZIP_STORED, png)]
        xml = [i for i in infos if i not in pictures]
        assert {i.compress_type for i in xml} == {zipfile.ZIP_DEFLATED}
    assert len(open_docx(path.read_bytes()).inline_shapes) == 1


def test_a_fresh_process_renders_the_same_bytes(rendered):
    # The first sheet of a process parses the template; later ones reuse that work.
    code = "import sys; from tests.test_factsheet_docx import render; sys.stdout.buffer.write(render())"
    fresh = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           check=True, timeout=120).stdout
    assert fresh == rendered == render()


def test_an_edited_template_is_used_at_once(tmp_path):
    template = tmp_path / "factsheet.docx"
    shutil.copyfile(TEMPLATE, template)
    first = open_docx(render_factsheet(template, make_context(), None, ALT))
    assert "Ajout" not in [p.text for p in first.paragraphs]
    document = docx.Document(str(template))
    document.add_paragraph("Ajout {{ doc.title }}")
    document.save(template)
    second = open_docx(render_factsheet(template, make_context(), None, ALT))
    assert "Ajout Bureau des affaires militaires" in [p.text for p in second.paragraphs]
