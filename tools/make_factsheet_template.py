"""Build the Word fact-sheet template of the theme (src/dpo_docs/theme/factsheet.docx) with python-docx.

Run: .venv/bin/python tools/make_factsheet_template.py [OUT]

Every visual choice lives in a Word style, so users can restyle the template in
Word without touching code; the body only carries docxtpl tags. Re-running the
script gives identical bytes (fixed core properties, no rsids, fixed zip dates).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips
from lxml import etree

from dpo_docs.outputs.docx import normalize_zip
from dpo_docs.outputs.docx_links import ensure_hyperlink_style

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "dpo_docs" / "theme" / "factsheet.docx"

FONT = "Noto Sans"
BLUE = "1F4E79"  # UN blue, for headings and rules
GREY = "595959"
RULE = "BFBFBF"
BAND = "EEF3F9"
TEXT_WIDTH = 9638  # twips: A4 (11906) minus two 2 cm margins
# The key facts' label column: 9 cm, so that the figures' labels take one line.
LABEL_WIDTH = 5103
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
W = nsdecls("w")
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"

# Word picks the font by script: complex scripts (Arabic) use w:cs, Chinese w:eastAsia;
# both name the shipped Noto face for that script.
FONT_CS = "Noto Sans Arabic"
FONT_EAST_ASIA = "Noto Sans CJK SC"
FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT_EAST_ASIA}" w:cs="{FONT_CS}"/>'
LANG = '<w:lang w:val="fr-FR" w:eastAsia="fr-FR" w:bidi="ar-SA"/>'
BODY_RPR = f'{FONTS}<w:sz w:val="20"/><w:szCs w:val="20"/>{LANG}'


def _spacing(before: int, after: int, line: int = 240) -> str:
    """A w:spacing element (twips; line in 240ths of a line)."""
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="auto"/>'


def _rule(side: str, size: int, space: int, color: str) -> str:
    """A single paragraph border on one side (size in eighths of a point)."""
    border = f'w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"'
    return f"<w:pBdr><w:{side} {border}/></w:pBdr>"


def _font(half_points: int, color: str, bold: bool = False, italic: bool = False) -> str:
    """Run properties in schema order: bold, italic, colour, size."""
    return (
        ("<w:b/><w:bCs/>" if bold else "")
        + ("<w:i/><w:iCs/>" if italic else "")
        + f'<w:color w:val="{color}"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    )


BODY_SPACING = _spacing(0, 120, 240)
KEEP = "<w:keepNext/><w:keepLines/>"
# (style name, pPr children, rPr children); order inside pPr/rPr follows the schema.
PARAGRAPH_STYLES = [
    ("Normal", BODY_SPACING, BODY_RPR),
    ("Title", "<w:keepNext/>" + _spacing(0, 80), _font(44, BLUE, bold=True)),
    ("Subtitle", _rule("bottom", 12, 8, BLUE) + _spacing(0, 120), _font(26, GREY)),
    (
        "Heading 1",
        KEEP + _rule("bottom", 4, 2, BLUE) + _spacing(180, 80) + '<w:outlineLvl w:val="0"/>',
        _font(26, BLUE, bold=True),
    ),
    ("Heading 2", KEEP + _spacing(200, 60) + '<w:outlineLvl w:val="1"/>', _font(22, BLUE, True)),
    ("List Bullet", '<w:numPr><w:numId w:val="1"/></w:numPr>' + _spacing(0, 40, 240), ""),
    ("Caption", _spacing(60, 240) + '<w:jc w:val="center"/>', _font(17, GREY, italic=True)),
    (
        "Header",
        _rule("bottom", 4, 4, BLUE) + f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
        f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        + _spacing(0, 0)
        + '<w:jc w:val="right"/>',
        _font(16, BLUE),
    ),
    (
        "Footer",
        _rule("top", 4, 4, RULE)
        + f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        + _spacing(0, 0),
        _font(16, GREY),
    ),
]

# Custom paragraph styles: (name, next style, pPr children, rPr children).
CUSTOM_STYLES = [
    ("Figure", "Caption", "<w:keepNext/>" + _spacing(120, 60) + '<w:jc w:val="center"/>', ""),
    # Every row keeps with the next: the key facts table never leaves a row alone on a page.
    ("Table Text", "Table Text", "<w:keepNext/>" + _spacing(0, 0, 252), ""),
    # The sources, smaller and closer: a reference list, read less than the text.
    ("Source List", "Source List", '<w:numPr><w:numId w:val="1"/></w:numPr>' + _spacing(0, 0, 240),
     '<w:sz w:val="16"/><w:szCs w:val="16"/>'),
]

TABLE_STYLE = "DPO Key Facts"
TABLE_STYLE_XML = (
    f"<w:pPr>{_spacing(0, 0, 252)}</w:pPr><w:tblPr>"
    '<w:tblStyleRowBandSize w:val="1"/><w:tblStyleColBandSize w:val="1"/>'
    "<w:tblBorders>"
    f'<w:top w:val="single" w:sz="8" w:space="0" w:color="{BLUE}"/>'
    f'<w:bottom w:val="single" w:sz="8" w:space="0" w:color="{BLUE}"/>'
    f'<w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
    "</w:tblBorders>"
    '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>'
    '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar>'
    "</w:tblPr>"
    '<w:tblStylePr w:type="band1Horz">'
    f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{BAND}"/></w:tcPr></w:tblStylePr>'
    '<w:tblStylePr w:type="firstCol"><w:rPr><w:b/><w:bCs/></w:rPr></w:tblStylePr>'
    '<w:tblStylePr w:type="firstRow">'
    '<w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>'
    "<w:trPr><w:tblHeader/></w:trPr>"
    f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{BLUE}"/></w:tcPr></w:tblStylePr>'
)

# The bullet of List Bullet (abstractNum 8 in python-docx's default numbering).
BULLET_LVL = (
    f'<w:lvl {W} w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
    '<w:pStyle w:val="ListBullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
    '<w:pPr><w:tabs><w:tab w:val="num" w:pos="340"/></w:tabs>'
    '<w:ind w:left="340" w:hanging="227"/></w:pPr>'
    # The bullet is Noto Sans's in right-to-left lists too: Noto Sans Arabic has none,
    # and its taller line would double the first line of every item.
    f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    f'<w:color w:val="{BLUE}"/></w:rPr></w:lvl>'
)

APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>dpo-docs</Application>'
    b"<DocSecurity>0</DocSecurity></Properties>"
)


def _children(xml: str) -> list:
    """Parse a run of w: elements into a list of oxml elements."""
    return list(parse_xml(f"<w:root {W}>{xml}</w:root>"))


def _replace_props(style_el, ppr: str, rpr: str) -> None:
    """Drop a style's own pPr/rPr/rsid and put ours in their schema place."""
    for tag in ("w:rsid", "w:pPr", "w:rPr"):
        for el in style_el.findall(qn(tag)):
            style_el.remove(el)
    for xml, tag in ((ppr, "w:pPr"), (rpr, "w:rPr")):
        if xml:
            style_el.append(parse_xml(f"<{tag} {W}>{xml}</{tag}>"))


def _sync_linked(styles, style_el) -> None:
    """Give a paragraph style's linked character style the same run properties."""
    link, rpr = style_el.find(qn("w:link")), style_el.find(qn("w:rPr"))
    for other in styles.element.findall(qn("w:style")):
        if link is not None and other.get(qn("w:styleId")) == link.get(qn("w:val")):
            xml = "" if rpr is None else "".join(etree.tostring(c, encoding="unicode") for c in rpr)
            _replace_props(other, "", xml)


def _define_styles(doc) -> None:
    """Restyle the built-in styles and add the custom ones."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    styles.element.remove(defaults)
    styles.element.insert(
        0,
        parse_xml(
            f"<w:docDefaults {W}><w:rPrDefault><w:rPr>{BODY_RPR}</w:rPr></w:rPrDefault>"
            f"<w:pPrDefault><w:pPr>{BODY_SPACING}</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )
    for name, ppr, rpr in PARAGRAPH_STYLES:
        style = styles[name]
        style.hidden = False
        style.unhide_when_used = False
        _replace_props(style.element, ppr, rpr)
        _sync_linked(styles, style.element)
    for name, next_name, ppr, rpr in CUSTOM_STYLES:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        _replace_props(style.element, ppr, rpr)
        style.next_paragraph_style = styles[next_name]
    table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Normal Table"]
    table.quick_style = True
    table.element.extend(_children(TABLE_STYLE_XML))
    for el in styles.element.iter(qn("w:rsid")):
        el.getparent().remove(el)


def _define_bullet(doc) -> None:
    """Make List Bullet's bullet a blue '•' in Noto Sans instead of a Symbol glyph."""
    numbering = doc.part.numbering_part.element
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) == "8":
            old = abstract.find(qn("w:lvl"))
            abstract.replace(old, parse_xml(BULLET_LVL))


def _clean_package(doc) -> None:
    """Drop parts with stale content or noise: thumbnail, customXml, stylesWithEffects."""
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rid]
        elif rel.reltype.endswith("/extended-properties"):
            rel.target_part._blob = APP_XML
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            del doc.part.rels[rid]
        elif rel.reltype.endswith("/theme"):
            rel.target_part._blob = _theme_with_font(rel.target_part.blob)


def _theme_with_font(blob: bytes) -> bytes:
    """Theme fonts to Noto Sans and accent 1 to UN blue, so Word's other styles agree."""
    root = etree.fromstring(blob)
    for latin in root.iter(f"{{{A_NS}}}latin"):
        if latin.getparent().tag in (f"{{{A_NS}}}majorFont", f"{{{A_NS}}}minorFont"):
            latin.set("typeface", FONT)
    for colour in root.iterfind(f".//{{{A_NS}}}accent1/{{{A_NS}}}srgbClr"):
        colour.set("val", BLUE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(doc) -> None:
    """Remove revision ids, use Word 2013+ layout, set the proofing language to French."""
    settings = doc.settings.element
    for tag in ("w:rsids", "w:proofState", "w:savePreviewPicture"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    for el in settings.findall("{http://schemas.microsoft.com/office/word/2010/wordml}docId"):
        settings.remove(el)
    for compat in settings.iter(qn("w:compatSetting")):
        # Word 2013+ layout: table edges sit on the margins, not the cell text.
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "fr-FR")
        lang.attrib.pop(qn("w:eastAsia"), None)


def _core_properties(doc) -> None:
    """Fixed core properties: no clock, no revision counter noise."""
    fixed = {
        "author": "dpo-docs",
        "last_modified_by": "dpo-docs",
        "comments": "dpo-docs fact-sheet template; restyle it through Word styles.",
        "language": "fr-FR",
        "revision": 1,
        "created": FIXED_DATE,
        "modified": FIXED_DATE,
    }
    for name in ("title", "subject", "keywords", "category"):
        fixed[name] = ""
    for name, value in fixed.items():
        setattr(doc.core_properties, name, value)


def _field(instr: str) -> str:
    """A complex Word field whose cached result is '1' until the reader updates it."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _page_setup(doc) -> None:
    """A4 portrait, 2 cm margins left and right, 17 mm above and below, header and footer 1 cm from the edge."""
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Twips(1134))
    # 17 mm above and below: the header and footer lines sit 1 cm from the edge and
    # stay clear of the text; the department's sheet then fits two pages.
    section.top_margin = section.bottom_margin = Twips(964)
    section.header_distance = section.footer_distance = Twips(567)
    sect_pr = section._sectPr
    for attr in list(sect_pr.attrib):
        if "rsid" in attr:
            del sect_pr.attrib[attr]

    section.header.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.add_run("{{ org.acronym }} \u2014 {{ labels.factsheet }}")

    section.footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run("{{ build.data_label }}\t{{ labels.page }} ")
    p = footer._p
    p.extend(_children(_field("PAGE")))
    p.append(_children('<w:r><w:t xml:space="preserve"> {{ labels.of }} </w:t></w:r>')[0])
    p.extend(_children(_field("NUMPAGES")))
    # The disclaimer under the date, on every page; no line at all when the data has none.
    for line in ("{%p if build.disclaimer %}", "{{ build.disclaimer }}", "{%p endif %}"):
        section.footer.add_paragraph(line, style=doc.styles["Footer"])


def _key_facts_table(doc) -> None:
    """Two-column table: repeating header row, then one row per fact (docxtpl {%tr %})."""
    table = doc.add_table(rows=4, cols=2)
    table.style = doc.styles[TABLE_STYLE]
    tbl_pr = table._tbl.tblPr
    tbl_pr.remove(tbl_pr.find(qn("w:tblW")))
    tbl_pr.insert(1, parse_xml(f'<w:tblW {W} w:w="5000" w:type="pct"/>'))
    widths = (LABEL_WIDTH, TEXT_WIDTH - LABEL_WIDTH)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Twips(width)
    cells = [
        ("{{ labels.fact }}", "{{ labels.value }}"),
        ("{%tr for f in doc.key_facts %}", ""),
        ("{{ f.label }}", "{{ f.value }}"),
        ("{%tr endfor %}", ""),
    ]
    for index, (row, texts) in enumerate(zip(table.rows, cells, strict=True)):
        # The header row repeats on each page; data rows never split across pages.
        flag = "tblHeader" if index == 0 else "cantSplit"
        row._tr.get_or_add_trPr().append(parse_xml(f"<w:{flag} {W}/>"))
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = Twips(width)
            para = cell.paragraphs[0]
            para.style = doc.styles["Table Text"]
            if text:
                para.add_run(text)


SUBUNITS = [
    ("Heading 1", "{{ labels.subunits }}"),
    ("Normal", "{%p for u in doc.subunits %}"),
    (
        "List Bullet",
        "{{ u.name }}{% if u.acronym %} ({{ u.acronym }}){% endif %}"
        "{% if u.description %} \u2014 {{ u.description }}{% endif %}",
    ),
    ("Normal", "{%p endfor %}"),
]
HISTORY = [
    ("Heading 1", "{{ labels.history }}"),
    ("Normal", "{%p for h in doc.history %}"),
    ("List Bullet", "{{ h.year }}{{ labels.colon }} {{ h.text }}"),
    ("Normal", "{%p endfor %}"),
]
CHART = [
    ("Heading 1", "{{ labels.chart }}"),
    ("Figure", "{{ doc.chart }}"),
    ("Caption", "{{ doc.chart_caption }}"),
]
# The chart's column when it stands beside the history: 75 mm, for a picture of at
# most BESIDE_CHART_MM (dpo_docs.outputs.factsheets); the cells have no side margins.
BESIDE_CHART_WIDTH = 4252
BESIDE_GAP = 284  # 5 mm between the two columns


def _beside_table(doc) -> None:
    """A borderless one-row layout table: the history on the left, the chart on the right.

    Read in order (history, then chart), as a screen reader does; right to left, the
    columns swap. The row may break across pages like the text it holds.
    """
    table = doc.add_table(rows=1, cols=2)
    tbl_pr = table._tbl.tblPr
    tbl_pr.remove(tbl_pr.find(qn("w:tblW")))
    tbl_pr.insert(1, parse_xml(f'<w:tblW {W} w:w="5000" w:type="pct"/>'))
    look = tbl_pr.find(qn("w:tblLook"))
    for xml in (f'<w:tblLayout {W} w:type="fixed"/>',
                f'<w:tblCellMar {W}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'):
        if look is None:
            tbl_pr.append(parse_xml(xml))
        else:
            look.addprevious(parse_xml(xml))
    widths = (TEXT_WIDTH - BESIDE_CHART_WIDTH, BESIDE_CHART_WIDTH)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Twips(width)
    for cell, items, width in zip(table.rows[0].cells, (HISTORY, CHART), widths, strict=True):
        cell.width = Twips(width)
        first = True
        for style, text in items:
            para = cell.paragraphs[0] if first else cell.add_paragraph()
            if first and items is HISTORY:
                # LibreOffice moves a row whole when it starts with a keep-with-next
                # paragraph, leaving half a page empty; the row may break instead.
                para.paragraph_format.keep_with_next = False
            first = False
            para.style = doc.styles[style]
            para.add_run(text)
    # The gap: the list's right margin, so that the bullets keep their own indent.
    left = table.rows[0].cells[0]._tc.get_or_add_tcPr()
    left.append(parse_xml(f'<w:tcMar {W}><w:right w:w="{BESIDE_GAP}" w:type="dxa"/></w:tcMar>'))


# The body, top to bottom: (style, text). "Normal" paragraphs holding {%p %} tags are
# removed by docxtpl along with their tag. None marks the key-facts table, "beside"
# the history and the chart side by side.
BODY = [
    ("Title", "{{ doc.title }}"),
    ("Subtitle", "{{ doc.subtitle }}"),
    ("Heading 1", "{{ labels.summary }}"),
    ("Normal", "{%p for para in doc.summary %}"),
    ("Normal", "{{ para }}"),
    ("Normal", "{%p endfor %}"),
    ("Heading 1", "{{ labels.key_facts }}"),
    None,
    # The head is a row of the key facts ("Direction"), so no section of its own repeats it.
    ("Normal", "{%p if doc.subunits %}"),
    *SUBUNITS,
    ("Normal", "{%p endif %}"),
    # A narrow chart stands beside the history (see _beside_table), which then takes
    # half the height; a wide one, or a sheet without history, gets the full width.
    ("Normal", "{%p if doc.chart_beside is defined and doc.chart_beside %}"),
    "beside",
    ("Normal", "{%p else %}"),
    ("Normal", "{%p if doc.chart %}"),
    *CHART,
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if doc.history %}"),
    *HISTORY,
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "{{ labels.sources }}"),
    ("Normal", "{%p for s in doc.sources %}"),
    ("Source List", "{{ s.label }}{% if s.url %} \u2014 {{ s.url }}{% endif %}"),
    ("Normal", "{%p endfor %}"),
    # Who issues the sheet and what kind of document it is; nothing when the data has neither.
    ("Normal", "{%p for line in doc.colophon %}"),
    ("Normal", "{{ line }}"),
    ("Normal", "{%p endfor %}"),
]


def _body(doc) -> None:
    """The fact sheet's body: styled paragraphs, each one unformatted run of tags."""
    for item in BODY:
        if item is None:
            _key_facts_table(doc)
        elif item == "beside":
            _beside_table(doc)
        else:
            doc.add_paragraph(item[1], style=item[0])


def _sources_in_two_columns(doc) -> None:
    """Set the sources list in two balanced columns, between continuous section breaks.

    A reference list of short lines leaves most of a full-width line empty; in two
    columns the department's sheet keeps to two pages. The Sources heading ends the
    one-column section before the list; an empty paragraph after the list's loop ends
    the two-column one. Each break repeats the page set-up and its header and footer.
    """
    import copy

    body = doc.element.body
    final = body.find(qn("w:sectPr"))
    paragraphs = list(body.iter(qn("w:p")))
    heading = next(p for p in paragraphs if "{{ labels.sources }}" in "".join(p.itertext()))
    loop_end = next(p for p in paragraphs[paragraphs.index(heading):]
                    if "{%p endfor %}" in "".join(p.itertext()))

    def section_break(columns: int, continuous: bool):
        sect_pr = copy.deepcopy(final)
        cols = sect_pr.find(qn("w:cols"))
        if cols is None:
            cols = sect_pr.makeelement(qn("w:cols"), {})
            sect_pr.append(cols)
        cols.attrib.clear()
        cols.set(qn("w:num"), str(columns))
        cols.set(qn("w:space"), "454")  # 8 mm between the columns
        if continuous:
            kind = sect_pr.makeelement(qn("w:type"), {qn("w:val"): "continuous"})
            # The schema puts w:type after the header and footer references, before w:pgSz.
            sect_pr.find(qn("w:pgSz")).addprevious(kind)
        return sect_pr

    heading.get_or_add_pPr().append(section_break(1, continuous=False))
    # An empty Normal paragraph (a list paragraph would print a lone bullet), one point high.
    end = doc.add_paragraph("", style="Normal")._p
    end.get_or_add_pPr().append(parse_xml(f'<w:spacing {W} w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'))
    end.get_or_add_pPr().append(section_break(2, continuous=True))
    loop_end.addnext(end)
    kind = final.makeelement(qn("w:type"), {qn("w:val"): "continuous"})
    final.find(qn("w:pgSz")).addprevious(kind)


def build_template() -> bytes:
    """Build the fact-sheet template and return its reproducible bytes."""
    doc = Document()
    _clean_package(doc)
    _settings(doc)
    _core_properties(doc)
    _define_styles(doc)
    ensure_hyperlink_style(doc)  # web addresses' style, there to restyle like the others
    _define_bullet(doc)
    _page_setup(doc)
    _body(doc)
    _sources_in_two_columns(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def main(argv: list[str]) -> int:
    """Write the template to argv[0] or the default path."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_template())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
