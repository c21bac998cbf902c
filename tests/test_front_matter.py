"""What a reader looks for first and last: French names, the issuer, a disclaimer, acronyms, a first page."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from dpo_docs import loader, validate
from dpo_docs.glossary import ACRONYM
from tests.conftest import copy_project, pdf_text, run
from tests.test_briefing import flat

DISCLAIMER_FR = "Document non officiel, établi à partir de sources publiques"
# Units and relationships whose French names UN French pages confirm, as the French
# documents must print them.
FRENCH_NAMES = {
    "police-division": "Division de la police",
    "justice-corrections": "Service des questions judiciaires et pénitentiaires",
    "ddr-section": "Section désarmement, démobilisation et réintégration",
    "ssr-unit": "Unité de réforme du secteur de la sécurité",
    "unmas": "Service de la lutte antimines des Nations Unies",
    "asg-africa": "Afrique",
}


def words(text: str) -> str:
    """Text folded as a reader reads it, no-break spaces included."""
    return flat(text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def french(built: Path) -> dict[str, str]:
    """The French briefing's text: the cover, every page but the cover, each page."""
    pdf = built / "fr/briefing.pdf"
    count = len(PdfReader(pdf).pages)
    pages = [pdf_text(pdf, n) for n in range(1, count + 1)]
    return {"cover": words(pages[0]), "body": words("\n".join(pages[1:])), "pages": pages}


def test_french_names_are_printed_with_a_un_french_source(built: Path, french: dict) -> None:
    data = validate.validate(loader.load(built.parent / "data", root=built.parent))
    urls = {s.id: s.url or "" for s in data.sources}
    for unit_id, name in FRENCH_NAMES.items():
        unit = data.unit(unit_id)
        assert unit.name["fr"] == name
        # Each is cited from a UN page in French, listed among the sources.
        assert any(re.search(r"un\.org/(fr|french)\b", urls[ref]) for ref in unit.sources), unit_id
    body = french["body"]
    for name in list(FRENCH_NAMES.values())[:5] + ["Département de l’appui aux missions"]:
        assert name in body
    for english in ("Police Division", "Justice and Corrections Service", "Security Sector Reform Unit",
                    "département chargé de l’appui aux missions"):
        assert english not in body
    sheet = docx.Document(str(built / "fr/factsheets/orolsi.docx"))
    bullets = [p.text for p in sheet.paragraphs if p.style.name == "List Bullet"]
    assert "Division de la police" in bullets
    listed = [p.text for p in sheet.paragraphs if p.style.name == "Source List"]
    assert any("peacekeeping.un.org/fr/office-of-rule-of-law" in s for s in listed)


def test_cover_says_what_the_department_is_who_leads_it_and_its_key_figures(french: dict) -> None:
    cover = french["cover"]
    assert "ENBREF" in cover.replace(" ", "")  # the block's title, in spaced capitals
    assert "Le DPO assure la direction politique et exécutive des opérations de maintien de la paix" in cover
    assert "Jean-Pierre Lacroix" in cover
    # Key figures with their dates: four figures flagged `key`, each "Au <date>".
    for value in ("71", "environ 68 000", "119", "5,38 milliards", "Opérations de maintien de la paix depuis"):
        assert value in cover
    assert cover.count("Au 27 mai 2025") == 3 and cover.count("Au 30 juin 2025") == 1
    assert ("Le département compte 3 bureaux principaux, 1 division, 3 services, 1 section, "
            "1 groupe, 1 structure partagée et 3 portefeuilles régionaux.") in cover


def test_issuer_and_disclaimer_print_in_the_briefing_the_handout_and_a_sheet(built: Path, french: dict) -> None:
    assert "Contact : Département des opérations de paix des Nations Unies — https://peacekeeping.un.org/fr" \
        in french["cover"]
    assert DISCLAIMER_FR in french["cover"]
    # Every page after the cover ends with the disclaimer in its footer.
    for number, page in enumerate(french["pages"][1:], start=2):
        assert DISCLAIMER_FR in words(page), f"page {number}"
    handout = words(pdf_text(built / "fr/orgchart.pdf", 1))
    assert DISCLAIMER_FR in handout and "https://peacekeeping.un.org/fr" in handout
    sheet = docx.Document(str(built / "fr/factsheets/dpo.docx"))
    last = [words(p.text) for p in sheet.paragraphs if p.text.strip()][-1]
    assert last == "Contact : Département des opérations de paix des Nations Unies — https://peacekeeping.un.org/fr"
    # The disclaimer closes every page, in the footer, as in the briefing.
    assert words(sheet.sections[-1].footer.paragraphs[-1].text).startswith(DISCLAIMER_FR)


def glossary_entries(pages: list[str]) -> tuple[dict[str, str], str]:
    """The glossary's (acronym, first line of expansion) pairs, and the text printed before it."""
    start = next(i for i, page in enumerate(pages) if re.search(r"^Sigles et acronymes\s*$", page, re.M))
    end = next(i for i, page in enumerate(pages) if re.search(r"^Sources\s*$", page, re.M))
    head, _, rest = pages[start].partition("Sigles et acronymes\n")
    found: dict[str, str] = {}
    for line in "\n".join([rest, *pages[start + 1:end]]).splitlines():
        # Two columns of "ACRONYM  expansion"; a continuation line starts with spaces.
        for acronym, expansion in re.findall(r"(?:^|\s)([A-Z][A-Z\d]+)\s+(\S+(?: \S+)*)", line):
            found[acronym] = expansion
    return found, "\n".join([*pages[1:start], head])


def test_glossary_expands_every_acronym_the_briefing_prints(french: dict) -> None:
    listed, before = glossary_entries(french["pages"])
    assert listed["DDR"].startswith("désarmement, démobilisation et")
    assert listed["A4P"] == "Action pour le maintien de la paix"
    assert listed["DOMP"].startswith("Département des opérations de maintien de")
    # The operations' table spells out their acronyms; the glossary does not repeat them.
    assert "ONUST" not in listed and "MONUSCO" not in listed
    table = {m.group(1) for m in re.finditer(r"^\s*([A-Z][A-Z\d]+)\s{2,}\S", before, re.M)}
    assert {"ONUST", "UNMOGIP", "FINUL", "MONUSCO"} <= table
    # Names set in capitals by the style sheet (the leadership cards) are not acronyms.
    shown = "\n".join(line for line in before.splitlines() if not re.fullmatch(r"[^a-z]*[A-Z]{3,} [A-Z]{2,}[^a-z]*", line.strip()))
    printed = set(ACRONYM.findall(shown))
    assert {"DDR", "A4P", "HIPPO", "DOMP", "ONU", "OROLSI", "DPPA", "FINUL"} <= printed
    assert printed <= set(listed) | table, f"printed without an expansion: {sorted(printed - set(listed) - table)}"


def test_an_acronym_without_expansion_gets_a_located_warning(project: Path) -> None:
    history = project / "data/history.yaml"
    text = history.read_text(encoding="utf-8")
    history.write_text(text.replace("Rapport Brahimi sur les opérations de paix",
                                    "Rapport Brahimi (PBX) sur les opérations de paix"), encoding="utf-8")
    line = next(n for n, row in enumerate(history.read_text(encoding="utf-8").splitlines(), 1)
                if "(PBX)" in row)
    result = run(project, "validate")
    assert result.exit_code == 0, result.output
    assert re.search(rf"data/history\.yaml:{line - 1}:\d+: event 2000 text: acronym 'PBX' is printed "
                     r"in the 'fr' documents without an expansion", result.output), result.output
    # The acronyms of the shipped data all have one.
    clean = run(copy_project(project.parent / "clean"), "validate")
    assert "without an expansion" not in clean.output


def test_nothing_prints_when_the_data_has_no_contact_nor_disclaimer(project: Path) -> None:
    dept = project / "data/department.yaml"
    text = dept.read_text(encoding="utf-8")
    start, end = text.index("  contact:\n"), text.index("  editor_note:\n")
    dept.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run(project, "build", "--only", "briefing", "--only", "factsheets")
    assert result.exit_code == 0, result.output
    briefing = words(pdf_text(project / "output/fr/briefing.pdf"))
    assert "Contact" not in briefing and "non officiel" not in briefing
    assert "Jean-Pierre Lacroix" in briefing
    sheet = docx.Document(str(project / "output/fr/factsheets/dpo.docx"))
    texts = [p.text for p in sheet.paragraphs if p.text.strip()]
    assert not any("Contact" in t or "non officiel" in t for t in texts)
    assert not any("non officiel" in p.text for s in sheet.sections for p in s.footer.paragraphs)
