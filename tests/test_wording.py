"""The organisation's own wording: what its documents call its operations and its units comes from its data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from dpo_docs.cli import cli
from tests.conftest import ROOT, copy_project, pdf_text, run

LANGS = ("fr", "en")
DPO_HEADING = {"fr": "Opérations de maintien de la paix en cours", "en": "Current peacekeeping operations"}
# Test input: another name for the operations section (wording of special political missions).
RENAMED = {"fr": "Missions politiques spéciales", "en": "Special political missions"}
# What a document about another organisation must not say unless its own data does.
DPO_WORDS = ("DPO", "maintien de la paix", "peacekeeping", "Département des opérations de paix",
             "Department of Peace Operations", "opérations de paix", "peace operations",
             "département", "department")
AGENCY = ROOT / "tests" / "fixtures" / "fictional_agency"


def normal(text: str) -> str:
    """Text with words broken at line ends joined and every run of spaces one space."""
    text = re.sub(r"[-\u2010\u00ad]\n\s*", "", text.replace("\u00ad", ""))
    return re.sub(r"\s+", " ", text).replace("\u2019", "'")


def key_facts(path: Path) -> dict[str, str]:
    """The key-facts table of a Word sheet, row label to value, as python-docx reads it."""
    document = docx.Document(str(path))
    table = next(t for t in document.tables if len(t.columns) == 2 and t.rows[0].cells[0].text in ("Élément", "Item"))
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def sheet_text(path: Path) -> str:
    """Every paragraph, table cell, header and footer of a Word sheet."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return normal("\n".join(parts))


def build(project: Path, *args: str) -> Path:
    """Build ``project`` in French and English; returns its output folder."""
    result = run(project, "build", "--lang", ",".join(LANGS), *args)
    assert result.exit_code == 0, result.output
    return project / "output"


def set_wording(project: Path, **changes) -> None:
    """Change keys of the project's data/wording.yaml (comments are not kept)."""
    path = project / "data" / "wording.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    values["wording"].update(changes)
    path.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project with its operations renamed in the data, built in French and English."""
    project = copy_project(tmp_path_factory.mktemp("renamed") / "project")
    set_wording(project, operations=RENAMED)
    return build(project, "--only", "briefing", "--only", "factsheets")


@pytest.mark.parametrize("lang", LANGS)
def test_the_operations_heading_comes_from_the_data(renamed: Path, lang: str) -> None:
    """The contents line, the section heading and the fact sheet's row all take the data's words."""
    briefing = normal(pdf_text(renamed / lang / "briefing.pdf"))
    assert briefing.count(RENAMED[lang]) >= 2  # the contents and the section's heading
    assert "maintien de la paix en cours" not in briefing
    assert DPO_HEADING[lang] not in briefing
    facts = key_facts(renamed / lang / "factsheets" / "dpo.docx")
    assert facts[RENAMED[lang]] == "11"
    assert DPO_HEADING[lang] not in facts


def test_an_organisation_without_operations_has_no_operations_section_nor_row(tmp_path: Path) -> None:
    """No heading, no contents line, no "0" row in the sheet: nothing is shown of what it does not have."""
    project = copy_project(tmp_path / "project")
    (project / "data" / "operations.yaml").unlink()
    out = build(project, "--only", "briefing", "--only", "factsheets")
    for lang in LANGS:
        briefing = normal(pdf_text(out / lang / "briefing.pdf"))
        assert DPO_HEADING[lang] not in briefing
        facts = key_facts(out / lang / "factsheets" / "dpo.docx")
        assert DPO_HEADING[lang] not in facts
        assert "0" not in facts.values()


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictitious agency of tests/fixtures (test input), built into every document in French and English."""
    project = tmp_path_factory.mktemp("agency") / "project"
    shutil.copytree(AGENCY, project / "data")
    return build(project)


def test_another_organisation_gets_none_of_dpos_wording(agency: Path) -> None:
    """Its briefing, handout and sheets say nothing of DPO, peacekeeping or departments."""
    texts = {str(p.relative_to(agency)): normal(pdf_text(p)) for p in sorted(agency.glob("*/*.pdf"))}
    texts |= {str(p.relative_to(agency)): sheet_text(p) for p in sorted(agency.glob("*/factsheets/*.docx"))}
    assert len(texts) == 2 * (2 + 3)  # briefing and handout, three sheets, in two languages
    for name, text in texts.items():
        for words in DPO_WORDS:
            assert words.lower() not in text.lower(), f"{name}: {words!r}"
    # What the data says instead: the agency's own words, in the at-a-glance sentence and the legends.
    assert "L'Agence compte 2 bureaux principaux" in texts["fr/briefing.pdf"]
    assert "The Agency has 2 main offices" in texts["en/briefing.pdf"]
    assert "Agence" in pdf_text(agency / "fr" / "orgchart.pdf").split("Bureau principal")[0].splitlines()[-1]
    for lang in LANGS:
        assert "0" not in key_facts(agency / lang / "factsheets" / "aef.docx").values()


def test_the_help_speaks_of_the_organisation() -> None:
    """The command serves any organisation: neither its help nor build's names DPO."""
    helps = [CliRunner().invoke(cli, args) for args in (["--help"], ["build", "--help"])]
    for result in helps:
        assert result.exit_code == 0
        assert "DPO" not in result.output
        assert "Department" not in result.output
    assert "Build an organisation's briefing PDF" in helps[0].output


@pytest.mark.parametrize(("wording", "expected"), [
    ({"operation": RENAMED}, "wording.operation: unknown field 'operation' (did you mean 'operations'?)"),
    ({"operations": {"fr": ""}}, "wording.operations.fr: must not be empty"),
    ({"operations": None}, "wording.operations: empty: write the text"),
    ({"shared": {"fr": "   "}}, "wording.shared.fr: text is blank"),
    ({"structure": {"fr": "Le bureau compte."}}, "wording.structure: the 'fr' text must hold {units}"),
    ({"kinds": {"office": {"other": {"fr": "bureaux"}}}}, "wording.kinds.office.other: the 'fr' text must hold {n}"),
    ({"kinds": {"office": {"one": {"fr": "{n} bureau"}}}}, "wording.kinds.office: 'other' is missing"),
    ({"kinds": {"offices": {"name": {"fr": "Bureau"}}}}, "wording.kinds.offices: unknown field 'offices' (did you mean 'office'?)"),
])
def test_a_wrong_wording_entry_is_reported_at_its_line(project: Path, wording: dict, expected: str) -> None:
    """Unknown keys, empty texts and missing placeholders are located errors, like every data error."""
    (project / "data" / "wording.yaml").write_text(
        "# test input\n" + yaml.safe_dump({"wording": wording}, allow_unicode=True), encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert re.search(r"data/wording\.yaml:\d+:\d+: " + re.escape(expected), result.output), result.output
