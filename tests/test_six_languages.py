"""The six official languages: a catalog for each, fuzzy labels listed, dates, numbers, fallback chains."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from dpo_docs import i18n
from tests.conftest import ROOT, pdf_text, run
from tests.test_briefing import flat

SIX = ("fr", "ar", "en", "es", "ru", "zh")
NBSP = "\u00a0"


def catalog(lang: str):
    """The Babel catalog of ``lang`` as shipped."""
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale=i18n._locale(lang))


def test_every_label_has_a_translation_in_each_catalog() -> None:
    assert i18n.available_languages() == SIX
    for lang in SIX[1:]:
        assert i18n.missing_labels(lang) == [], lang
        entries = {(m.context, m.id): m.string for m in catalog(lang) if m.id}
        for key, msgid in i18n.MESSAGES.items():
            # Every placeholder of the French survives translation, or the label fails to format.
            assert sorted(re.findall(r"\{\w+\}", entries[key, msgid])) == sorted(re.findall(r"\{\w+\}", msgid)), \
                (lang, key)
    # Gettext's plural forms as CLDR counts them: Russian one/few/many, Chinese one form.
    assert (catalog("ru").num_plurals, catalog("zh").num_plurals, catalog("ar").num_plurals) == (3, 1, 6)


def test_fuzzy_labels_are_printed_and_listed_for_review() -> None:
    assert "page" in i18n.fuzzy_labels("zh")
    assert i18n.labels_for("zh")["page"] == "页"  # printed, not replaced by the French
    assert "glance" in i18n.fuzzy_labels("ar") and i18n.labels_for("ar")["glance"] == "لمحة موجزة"
    assert i18n.fuzzy_labels("fr") == [] and "contents" not in i18n.fuzzy_labels("ru")
    listed = subprocess.run([sys.executable, str(ROOT / "tools/fuzzy_labels.py")], capture_output=True,
                            text=True, check=True).stdout
    assert "fr: every label reviewed" in listed
    for lang in ("ar", "es", "ru", "zh"):
        assert f"{lang}: {len(i18n.fuzzy_labels(lang))} fuzzy label(s) to review, 0 untranslated" in listed
    assert "  fuzzy    page: Page" in listed and "  fuzzy    glance: En bref" in listed
    # make compile-translations runs the list (and compiles fuzzy entries, as they are printed).
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "tools/fuzzy_labels.py" in makefile.split("compile-translations:", 1)[1].split("\n\n", 1)[0]


def test_dates_numbers_and_plurals_in_each_language() -> None:
    day = dt.date(2025, 6, 30)
    # (Arabic month names are the Arabic edition's own matter: tested with its bidi rules.)
    assert {lang: i18n.format_date(day, lang).replace(NBSP, " ").replace("\u202f", " ") for lang in SIX
            if lang != "ar"} == {
        "fr": "30 juin 2025", "en": "30 June 2025", "es": "30 de junio de 2025",
        "ru": "30 июня 2025 г.", "zh": "2025年6月30日"}
    assert {lang: i18n.format_number(68000, lang).replace("\u202f", " ").replace(NBSP, " ") for lang in SIX
            if lang != "ar"} == {"fr": "68 000", "en": "68,000", "es": "68.000", "ru": "68 000", "zh": "68,000"}
    labels = i18n.labels_for("ru")
    # Russian counts one (1, 21), few (2-4) and many (5-20) differently; Chinese has one form.
    assert [labels[i18n.plural_key("units_division", n, "ru")].format(n=n) for n in (1, 3, 5, 21)] == [
        "1 отдел", "3 отдела", "5 отделов", "21 отдел"]
    assert [i18n.labels_for("zh")[i18n.plural_key("units_office", n, "zh")].format(n=n) for n in (1, 3)] == [
        "1个厅", "3个厅"]
    assert i18n.plural_key("units_office", 1, "fr") == "units_office_one"


def test_lang_all_builds_six_briefings_in_their_own_words(project: Path) -> None:
    result = run(project, "build", "--lang", "all", "--only", "briefing")
    assert result.exit_code == 0, result.output
    words = {  # label of the contents, of the sources, the data date, the budget
        "fr": ("Sommaire", "Sources", "Données au 30 juin 2025", "5,38 milliards de dollars"),
        "ar": ("المحتويات", "المصادر", "2025"),  # its numbers' order: the Arabic edition's own tests
        "en": ("Contents", "Sources", "Data as of 30 June 2025", "US$5.38 billion"),
        "es": ("Índice", "Fuentes", "Datos al 30 de junio de 2025", "5,38 miles de millones de dólares"),
        "ru": ("Содержание", "Источники", "Данные по состоянию на 30 июня 2025 г.", "5,38 млрд долл. США"),
        "zh": ("目录", "资料来源", "数据截至 2025年6月30日", "53.8亿美元"),
    }
    for lang, expected in words.items():
        text = flat(pdf_text(project / f"output/{lang}/briefing.pdf")).replace("\u202f", " ").replace(NBSP, " ")
        text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)  # pdftotext's direction marks
        for word in expected:
            assert word in text, (lang, word)
    # The Chinese edition sets its labels in the shipped CJK face, not in boxes.
    fonts = subprocess.run(["pdffonts", str(project / "output/zh/briefing.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts


def test_chinese_paragraph_wraps_inside_the_page(project: Path) -> None:
    department = project / "data/department.yaml"
    text = department.read_text(encoding="utf-8")
    # A long Chinese text without a space (test input only, never a fact of the data).
    chinese = "维持和平行动部的任务和作用" * 30
    assert "  mandate:\n    - fr:" in text
    department.write_text(text.replace("  mandate:\n    - fr:", f"  mandate:\n    - zh: {chinese}\n      fr:", 1),
                          encoding="utf-8")
    result = run(project, "build", "--lang", "zh", "--only", "briefing")
    assert result.exit_code == 0, result.output
    pdf = project / "output/zh/briefing.pdf"
    lines = [line.strip() for line in pdf_text(pdf).splitlines() if "维持和平行动部的任务" in line]
    assert len(lines) >= 4  # broken between characters, over several lines
    assert chinese in "".join(lines).replace(" ", "")
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', words).group(1))
    right = [float(m.group(1)) for m in re.finditer(r'xMax="([\d.]+)"[^>]*>[^<]*维持', words)]
    assert right and max(right) < width - 36  # inside the page's margin


def test_fallback_chain_is_a_setting_and_changing_it_rebuilds_what_it_changes(project: Path) -> None:
    (project / "dpo-docs.toml").write_text('[build.fallbacks]\nar = ["fr", "en"]\n', encoding="utf-8")
    options = ("--lang", "ar,zh", "--only", "briefing")
    assert run(project, "build", *options).exit_code == 0
    arabic = flat(pdf_text(project / "output/ar/briefing.pdf"))
    assert "Bureau des affaires militaires" in arabic and "Office of Military Affairs" not in arabic
    assert "Office of Military Affairs" in flat(pdf_text(project / "output/zh/briefing.pdf"))
    # Back to the default chain (ar -> en -> fr): only the Arabic edition is affected.
    (project / "dpo-docs.toml").write_text('[build.fallbacks]\nzh = ["en", "fr"]\n', encoding="utf-8")
    check = run(project, "check", *options)
    assert check.exit_code == 1
    assert "ar/briefing.pdf" in check.output and "zh/briefing.pdf" not in check.output, check.output
    assert run(project, "build", *options).exit_code == 0
    arabic = flat(pdf_text(project / "output/ar/briefing.pdf"))
    assert "Office of Military Affairs" in arabic and "Bureau des affaires militaires" not in arabic
    assert run(project, "check", *options).exit_code == 0


def test_an_unknown_language_in_a_chain_is_refused_where_it_is_written(project: Path) -> None:
    (project / "dpo-docs.toml").write_text('[build]\nlangs = "ar"\n\n[build.fallbacks]\nar = ["en", "xx"]\n',
                                           encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert ("dpo-docs.toml:4: build.fallbacks: ar: unsupported language 'xx'; "
            "available: fr, ar, en, es, ru, zh") in result.output
