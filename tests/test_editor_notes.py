"""Research remarks live in ``editor_note``, for the data's maintainers: no document prints one."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

from dpo_docs.translations import missing_texts
from tests.conftest import copy_project, pdf_text, run

LANGS = ("fr", "en")

# A few distinctive words of each remark moved to editor_note, as the documents printed them.
REMARKS = {
    "fr": [
        "site francophone", "sigle DOP",  # department: DPO or DOP
        "source extérieure",  # UNMAS and the Department of Operational Support: French names
        "Office for the Peacekeeping", "description retenus",  # the strategic partnership division
        "pas confirmés",  # the regional divisions' names
        "texte source rattache",  # UNMOGIP's 1949 event
        "texte source du projet",  # the seed's title as a source
    ],
    "en": [
        "French-language site", "acronym DOP",
        "source outside", "French name from",
        "Office for the Peacekeeping", "name and description kept", "English-language sources",
        "not confirmed",
        "counts UNMOGIP",
        "project's source text",
    ],
}
# Notes a reader needs, which stay printed in the briefing.
KEPT = {
    "fr": ["Nommé sous le titre", "Créé en 1992 sous le nom", "Structure régionale commune",
           "résolution 2790", "5,59 milliards"],
    "en": ["Appointed under the title", "Created in 1992 as", "Regional structure common",
           "resolution 2790", "US$5.59 billion"],
}
MARK = "QZXJV"  # in no language, so found only where an editor note leaked


def normal(text: str) -> str:
    """Text with words split at line ends joined again, one space between words, straight apostrophes."""
    text = text.replace("\u00ad", "")
    text = re.sub(r"[-\u2010]\n\s*", "", text)  # pdftotext keeps the hyphen of a word broken at a line end
    return re.sub(r"\s+", " ", text).replace("\u2019", "'")


def sheet_text(path: Path) -> str:
    """The paragraphs and table cells of a Word fact sheet."""
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return normal("\n".join([p.text for p in document.paragraphs] + cells))


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project built in French and English; returns its output folder."""
    project = copy_project(tmp_path_factory.mktemp("notes") / "project")
    result = run(project, "build", "--lang", ",".join(LANGS))
    assert result.exit_code == 0, result.output
    return project / "output"


@pytest.mark.parametrize("lang", LANGS)
def test_research_remarks_are_not_printed_and_reader_notes_are(bilingual: Path, lang: str) -> None:
    briefing = normal(pdf_text(bilingual / lang / "briefing.pdf"))
    sheets = {p.name: sheet_text(p) for p in sorted((bilingual / lang / "factsheets").glob("*.docx"))}
    assert len(sheets) == 4
    for words in REMARKS[lang]:
        assert words not in briefing
        for name, text in sheets.items():
            assert words not in text, name
    for words in KEPT[lang]:
        assert words in briefing


def _add_notes(data: Path) -> None:
    """Give every record that may carry one an editor note marked with MARK."""
    def note() -> dict[str, str]:
        """A fresh mapping each time: a shared one would be written as a YAML alias."""
        return {"fr": f"{MARK} remarque pour la maintenance", "en": f"{MARK} remark for maintainers"}

    def edit(name: str, change) -> None:
        """Load a data file, change its values, write it back."""
        path = data / name
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(values)
        path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def department(values: dict) -> None:
        """The department and its head."""
        values["department"]["editor_note"] = note()
        values["department"]["head"]["editor_note"] = note()

    def records(section: str):
        """Every record of a section, and the head of each that has one."""
        def change(values: dict) -> None:
            for record in values[section]:
                record["editor_note"] = note()
                if "head" in record:
                    record["head"]["editor_note"] = note()
        return change

    edit("department.yaml", department)
    for section in ("units", "relationships", "history", "operations", "figures"):
        edit(f"{section}.yaml", records(section))


def _leaks(output: Path) -> list[str]:
    """The output files whose text holds MARK."""
    found = []
    for path in sorted(output.rglob("*")):
        if not path.is_file() or ".dpo-docs" in path.parts:
            continue
        if path.suffix == ".pdf":
            text = normal(pdf_text(path))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as parts:  # text, tables, the chart's alternative text, properties
                text = " ".join(parts.read(n).decode("utf-8") for n in parts.namelist() if n.endswith(".xml"))
        elif path.suffix in (".svg", ".md", ".json", ".html"):
            text = path.read_text(encoding="utf-8")
        else:
            continue  # a PNG carries no text
        if MARK in text:
            found.append(str(path.relative_to(output)))
    return found


def test_an_editor_note_shows_in_no_document_and_rebuilds_none(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _add_notes(project / "data")
    result = run(project, "build", "--lang", ",".join(LANGS))
    assert result.exit_code == 0, result.output
    output = project / "output"
    kinds = {p.suffix for p in output.rglob("*") if p.is_file()}
    assert {".pdf", ".docx", ".svg"} <= kinds
    assert _leaks(output) == []
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace(f"{MARK} remarque", f"{MARK} autre remarque"),
                     encoding="utf-8")
    again = run(project, "build", "--lang", ",".join(LANGS))
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.output


def test_editor_note_is_refused_on_a_source(project: Path) -> None:
    sources = project / "data/sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("  - id: seed\n", "  - id: seed\n    editor_note: {fr: titre à revoir}\n", 1),
                       encoding="utf-8")
    line = text.splitlines().index("  - id: seed") + 2  # the note's line, below the id
    result = run(project, "validate")
    assert result.exit_code == 1
    assert (f"data/sources.yaml:{line}:5: sources[0].editor_note: unknown field 'editor_note' "
            "(allowed: id, title, url)") in result.output


def test_a_template_cannot_print_an_editor_note(project: Path) -> None:
    template = project / "templates/briefing.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{{ labels.mission }}", "{{ org.department.editor_note|t }}", 1),
                        encoding="utf-8")
    line = text[:text.index("{{ labels.mission }}")].count("\n") + 1
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 1
    assert f"templates/briefing.html:{line}:" in result.output
    assert "'editor_note' is for the data's maintainers and is never printed" in result.output


def test_a_template_looping_over_a_record_skips_its_editor_note(project: Path) -> None:
    template = project / "templates/briefing.html"
    text = template.read_text(encoding="utf-8")
    loop = "{% for field, value in org.department %}<p>{{ field }}: {{ value }}</p>{% endfor %}"
    template.write_text(text.replace("{{ labels.mission }}", loop, 1), encoding="utf-8")
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 0, result.output
    # The whole document: the dump of the department runs over more than one page.
    printed = normal(pdf_text(project / "output/fr/briefing.pdf"))
    assert "mandate:" in printed and "notes:" in printed
    assert "editor_note" not in printed and "site francophone" not in printed


def test_an_untranslated_editor_note_is_not_a_missing_translation() -> None:
    values = {"units": [{"name": {"fr": "Bureau"}, "editor_note": {"fr": "nom à confirmer"}}]}
    assert missing_texts(values, "en") == [("units", 0, "name")]
