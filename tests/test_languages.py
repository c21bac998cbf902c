"""English beside French: catalogs for labels, formats per language, missing translations."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx
from pypdf import PdfReader

from dpo_docs import i18n
from tests.conftest import ROOT, pdf_text, run
from tests.test_briefing import flat


def test_french_and_english_editions(project: Path) -> None:
    # --lang all (six editions) is tested in test_six_languages.py, briefings only.
    result = run(project, "build", "--lang", "fr,en", "--only", "briefing", "--only", "factsheets")
    assert result.exit_code == 0, result.output
    fr = flat(pdf_text(project / "output/fr/briefing.pdf"))
    en = flat(pdf_text(project / "output/en/briefing.pdf"))
    assert "Mission et rôle" in fr and "Données au 30 juin 2025" in fr
    assert "Mission and role" in en and "Data as of 30 June 2025" in en
    assert "DPO provides political and executive direction to United Nations peacekeeping operations" in en
    assert "about 68,000" in en and "US$5.38 billion" in en
    assert "environ 68 000" in fr.replace("\u202f", " ") and "5,38 milliards de dollars des États-Unis" in fr
    assert "Year created: 2007" in en and "Année de création : 2007" in fr.replace("\u00a0", " ")
    assert PdfReader(project / "output/en/briefing.pdf").trailer["/Root"]["/Lang"] == "en"
    sheet = docx.Document(project / "output/en/factsheets/oma.docx")
    assert [p.text for p in sheet.paragraphs if p.style.name == "Heading 1"][:2] == ["Overview", "Key facts"]
    assert sheet.core_properties.language == "en-GB"


def test_untranslated_text_falls_back_marked_and_is_listed(project: Path) -> None:
    units = project / "data/units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("      en: Office of Military Affairs\n", ""), encoding="utf-8")
    result = run(project, "build", "--lang", "en", "--only", "briefing")
    assert result.exit_code == 0, result.output
    assert "en: 1 data text(s) and 0 label(s) have no translation" in result.output
    changes = (project / "output/CHANGES.md").read_text(encoding="utf-8")
    assert re.search(r"- data: data/units\.yaml:\d+:\d+: unit 'oma' name\n", changes), changes
    assert "Bureau des affaires militaires" in pdf_text(project / "output/en/briefing.pdf")
    strict = run(project, "build", "--lang", "en", "--strict")
    assert strict.exit_code == 1
    assert re.search(r"data/units\.yaml:\d+:\d+: unit 'oma' name: no 'en' text \(strict build\)", strict.output), \
        strict.output


def test_fallback_is_marked_with_its_language_in_html() -> None:
    assert str(i18n.markup({"fr": "Bureau"}, "en")) == '<span lang="fr">Bureau</span>'
    assert str(i18n.markup({"fr": "<b>"}, "fr")) == "&lt;b&gt;"


def test_labels_come_from_the_catalog_and_every_one_is_translated(tmp_path: Path) -> None:
    assert i18n.available_languages() == ("fr", "ar", "en", "es", "ru", "zh")
    assert i18n.missing_labels("en") == []
    # No source gives the Arabic for amounts in millions, for the Sources list's back links
    # and general sources, for the charts' alt text, for the briefing chart's pointer to
    # the handout, nor for the first page's, the glossary's and the issuer's labels: they
    # are translated, marked fuzzy for review, and printed.
    front = [key for key in i18n.MESSAGES if key in ("glance", "glossary", "contact", "structure_sentence")
             or key.startswith("units_")]
    assert i18n.missing_labels("ar") == []
    assert {"back_to_text", "general_sources", "million_usd_one", "million_usd", "chart_alt_size",
            "chart_alt_top", "chart_alt_next", "chart_alt_sep", "chart_levels", "chart_see_handout",
            *front} <= set(i18n.fuzzy_labels("ar"))
    labels = i18n.labels_for("en")
    assert (labels["leadership"], labels["head"]) == ("Leadership", "Head")  # one French word, two contexts
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-k", "N_:1c,2", "--no-default-keywords",
         "-o", str(tmp_path / "messages.pot"), str(ROOT / "src/dpo_docs")], capture_output=True, check=True)
    pot = (tmp_path / "messages.pot").read_text(encoding="utf-8")
    assert pot.count("msgctxt") == len(i18n.MESSAGES)  # every label is extracted for translators


def test_unknown_language_is_a_usage_error(project: Path) -> None:
    result = run(project, "build", "--lang", "fr,de")
    assert result.exit_code == 2
    assert "unsupported language 'de'; available: fr, ar, en, es, ru, zh (or 'all')" in result.output
