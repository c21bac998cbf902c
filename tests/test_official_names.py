"""Official names in the other UN languages: each one sourced from a UN page in its language."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlparse

import pytest

from dpo_docs import loader, validate
from tests.conftest import ROOT, copy_project, pdf_text, run

# The languages whose names the French and English seed texts do not already carry.
OTHER_LANGUAGES = ("ar", "es", "ru", "zh")
DEPARTMENT_AR = "إدارة عمليات السلام"
DEPARTMENT_ES = "Departamento de Operaciones de Paz"


@pytest.fixture(scope="module")
def data():
    """The default data, read and validated as a build reads it."""
    return validate.validate(loader.load(ROOT / "data", root=ROOT))


def _named_records(data):
    """(label, texts keyed by language, cited source ids) for every name, acronym and expansion."""
    records = [("department", data.department)]
    records += [(f"units[{u.id}]", u) for u in data.units]
    records += [(f"relationships[{r.id}]", r) for r in data.relationships]
    records += [(f"operations[{o.id}]", o) for o in data.operations]
    for record_label, record in records:
        for field in ("name", "acronym"):
            texts = getattr(record, field, None)
            if texts:
                yield f"{record_label}.{field}", texts, record.sources
    for entry in data.glossary:
        for field in ("acronym", "expansion"):
            yield f"glossary[{entry.acronym['en']}].{field}", getattr(entry, field), entry.sources


def _is_un_page_in(url: str | None, lang: str) -> bool:
    """Whether ``url`` is a page of a UN site (un.org or a mission's site) in ``lang``."""
    if not url:
        return False
    parts = urlparse(url)
    host = parts.hostname or ""
    on_un_site = host in ("un.org", "unmissions.org") or host.endswith((".un.org", ".unmissions.org"))
    return on_un_site and lang in parts.path.strip("/").split("/")


def test_every_name_in_another_language_cites_a_un_page_in_that_language(data):
    """A name in Arabic, Chinese, Russian or Spanish is there because a UN page in that language gives it."""
    extended, unsourced = [], []
    for label, texts, source_ids in _named_records(data):
        urls = [data.source(source_id).url for source_id in source_ids]
        for lang in OTHER_LANGUAGES:
            if lang in texts:
                extended.append(f"{label}.{lang}")
                if not any(_is_un_page_in(url, lang) for url in urls):
                    unsourced.append(f"{label}.{lang}: {texts[lang]!r} cites {list(source_ids)}")
    assert not unsourced, "names without a UN page in their language:\n" + "\n".join(unsourced)
    # The check above passes on data without any such name; the department's must be there.
    assert "department.name.ar" in extended and "department.name.es" in extended, extended


def test_the_department_has_its_official_arabic_and_spanish_names(data):
    """The names UN pages give the department, letter for letter."""
    assert data.department.name["ar"] == DEPARTMENT_AR
    assert data.department.name["es"] == DEPARTMENT_ES


def test_arabic_names_are_stored_as_letters_not_presentation_forms(data):
    """Arabic is stored in logical order with base letters, so it shapes, searches and extracts."""
    for label, texts, _ in _named_records(data):
        for lang, text in texts.items():
            assert unicodedata.normalize("NFC", text) == text, f"{label}.{lang} is not NFC"
            if lang == "ar":
                forms = [c for c in text if "\ufb50" <= c <= "\ufdff" or "\ufe70" <= c <= "\ufeff"]
                assert not forms, f"{label}.ar holds presentation forms {forms}"
                assert re.search("[\u0621-\u064a]", text), f"{label}.ar holds no Arabic letter"


def _lam_alef_order(text: str) -> str:
    """Text with every lam-alef pair written alef first.

    poppler's pdftotext gives the letters of the lam-alef ligature in the wrong order
    ("السالم" for "السلام", "األمن" for "الأمن") when a PDF does not say what the
    ligature stands for. Writing both sides this way compares everything else letter
    for letter, and still holds once the PDF carries the right text.
    """
    return re.sub("ل([اأإآ])", r"\1ل", text)


@pytest.mark.parametrize(("lang", "name"), [("ar", DEPARTMENT_AR), ("es", DEPARTMENT_ES)])
def test_the_briefing_prints_the_departments_name_in_its_language(tmp_path, lang, name):
    """An Arabic or Spanish reader finds the department's official name in the briefing's text."""
    project = copy_project(tmp_path / "project")
    result = run(project, "build", "--lang", lang, "--only", "briefing")
    assert result.exit_code == 0, result.output
    text = pdf_text(project / "output" / lang / "briefing.pdf")
    assert _lam_alef_order(name) in _lam_alef_order(" ".join(text.split()))
