"""Typography by rule: spaces, quotes, apostrophes, ordinals and hyphenation in every document."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from dpo_docs.typography import NBSP, NNBSP, apply, markup
from tests.conftest import copy_project, pdf_text, run

# --- the rules, one by one -------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("opérations ; le DPO", f"opérations{NNBSP}; le DPO"),
    ("opérations; le DPO", f"opérations{NNBSP}; le DPO"),
    ("Pourquoi ? Enfin !", f"Pourquoi{NNBSP}? Enfin{NNBSP}!"),
    ("Quoi?!", f"Quoi{NNBSP}?!"),
    ("Mandat : appuyer", f"Mandat{NBSP}: appuyer"),
    ("Mandat: appuyer", f"Mandat{NBSP}: appuyer"),
    ("« suite page 3 »", f"«{NNBSP}suite page 3{NNBSP}»"),
    ("«suite»", f"«{NNBSP}suite{NNBSP}»"),
    ('le "maintien" de la paix', f"le «{NNBSP}maintien{NNBSP}» de la paix"),
    ("l'ONU", "l’ONU"),
    ("dans les 11 opérations", f"dans les 11{NBSP}opérations"),
    ("le 1er janvier 2019", f"le 1er{NBSP}janvier{NBSP}2019"),
    ("le 30 juin 2025", f"le 30{NBSP}juin{NBSP}2025"),
    ("environ 68 000 personnes", f"environ 68{NBSP}000{NBSP}personnes"),
    ("à 14:30", "à 14:30"),
])
def test_french_rules(text: str, expected: str) -> None:
    assert apply(text, "fr") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("14 February 2017 ; in office", f"14{NBSP}February{NBSP}2017; in office"),
    ("Mandate : support", "Mandate: support"),
    ("Why ? Because !", "Why? Because!"),
    ('the "peacekeeping" site', "the “peacekeeping” site"),
    ("DPO's origins, the operations' sites", "DPO’s origins, the operations’ sites"),
    ("the word 'mandate' here", "the word ‘mandate’ here"),
    ("in the '90s", "in the ’90s"),
    ("the 11 operations", f"the 11{NBSP}operations"),
])
def test_english_rules(text: str, expected: str) -> None:
    assert apply(text, "en") == expected


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("text", [
    "https://peacekeeping.un.org/fr/mission/minusca?x=1;y=2",
    "www.un.org/en/ga/search/view_doc.asp?symbol=S/RES/50",
    "mailto:dpo@un.org",
    "dpo-contact@un.org",
    "S/RES/1925",
    "editor_note",
])
def test_addresses_and_ids_are_left_alone(lang: str, text: str) -> None:
    assert apply(text, lang) == text
    assert apply(f"voir {text} ; puis", lang).count(text) == 1


def test_an_address_keeps_its_sentence_punctuation_outside() -> None:
    assert apply("site : https://un.org/a?b ; fin", "fr") == f"site{NBSP}: https://un.org/a?b{NNBSP}; fin"
    assert apply("site : https://un.org/a?b ; end", "en") == "site: https://un.org/a?b; end"


def test_other_languages_are_left_as_written() -> None:
    assert apply("Департамент ; 'x'", "ru") == "Департамент ; 'x'"
    assert apply("الإدارة ; 'x'", "ar") == "الإدارة؛ 'x'"  # Arabic has its own semicolon


_ALPHABET = st.sampled_from(list("ab1 ;:!?«»\"'.,/@") + [NBSP, NNBSP, "er", "janvier", "http://x.org/"])


@given(st.lists(_ALPHABET, max_size=30).map("".join), st.sampled_from(["fr", "en", "ar", "zh"]))
def test_applying_twice_changes_nothing(text: str, lang: str) -> None:
    once = apply(text, lang)
    assert apply(once, lang) == once


def test_french_ordinals_are_raised_in_html_and_the_rest_is_escaped() -> None:
    html = str(markup("Le 1er janvier, la 2e <b> au XXe siècle ; Ce siècle, Vers 1950", "fr"))
    assert "1<sup>er</sup>" in html and "2<sup>e</sup>" in html and "XX<sup>e</sup>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "C<sup>" not in html and "V<sup>" not in html  # words, not Roman numerals
    assert "<sup>" not in str(markup("the 1st and 2nd", "en"))  # English ordinals stay inline


def test_the_last_word_of_a_text_is_kept_from_hyphenation() -> None:
    assert str(markup("cela se dit en français.", "fr")).endswith('<span class="last-word">français.</span>')
    assert str(markup("Bureau", "fr")) == "Bureau"  # one word: names are kept whole by class


# --- the documents --------------------------------------------------------------------

# Paragraphs written to meet line ends at many places: every space before ; : ! ? and
# inside « », and each paragraph's last word, falls at a line end in one or another.
_PUNCTUATED = " ".join(
    f"Les {w} ; le 1er germinal, 17 hélicoptères : « {w} » ! Pourquoi {w} ? "
    for w in ("paix", "sécurité", "mandats", "contingents", "observateurs", "résolutions") * 5
)
_LAST_WORD = "internationalisation."
_ENDINGS = [f"Paragraphe {i} : {'mot ' * i}et son {_LAST_WORD}" for i in range(1, 25)]


def _yaml(text: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def typeset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with typography-testing mandate paragraphs, built in French and English."""
    project = copy_project(tmp_path_factory.mktemp("typography") / "project")
    department = project / "data" / "department.yaml"
    items = [(_PUNCTUATED + " l'ONU et le \"Conseil\".", "DPO's \"mandates\" ; they : agree ?")]
    items += [(text, f"Paragraph {i} ends with internationalisation.") for i, text in enumerate(_ENDINGS)]
    added = "".join(f"    - fr: {_yaml(fr)}\n      en: {_yaml(en)}\n" for fr, en in items)
    text = department.read_text(encoding="utf-8")
    department.write_text(text.replace("  mandate:\n", "  mandate:\n" + added, 1), encoding="utf-8")
    result = run(project, "build", "--lang", "fr,en", "--only", "briefing", "--only", "factsheets")
    assert result.exit_code == 0, result.output
    return project / "output"


def _extracted(pdf: Path) -> str:
    """The PDF's text with its no-break spaces (pdftotext writes them as plain spaces).

    The chart's page is left out: the chart sets its own lines (it never breaks at a
    no-break space) and its SVG text is drawn with plain spaces.
    """
    pages = PdfReader(pdf).pages
    return "".join(p.extract_text() for p in pages if p.mediabox.width < p.mediabox.height)


def test_french_briefing_has_no_break_spaces_before_punctuation(typeset: Path) -> None:
    text = _extracted(typeset / "fr/briefing.pdf")
    assert f"Les paix{NNBSP}; le 1er" in text
    assert f"hélicoptères{NBSP}: «{NNBSP}paix{NNBSP}»{NNBSP}!" in text
    assert f"des opérations{NNBSP}; le DPO" in text  # a text of the default data
    assert "l’ONU et le «\u202fConseil\u202f»." in text
    assert not re.search(r" [;:!?»]", text)


def test_french_briefing_lines_never_start_with_punctuation_nor_split_a_number(typeset: Path) -> None:
    lines = [line.strip() for line in pdf_text(typeset / "fr/briefing.pdf").splitlines()]
    assert sum("Pourquoi" in line for line in lines) > 20  # the paragraphs are there
    assert [line for line in lines if re.match(r"[;:!?»]", line)] == []
    assert [line for line in lines if re.search(r"«$", line)] == []
    assert [line for line in lines if re.match(r"(germinal|hélicoptères)\b", line)] == []


def _words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """The PDF's words with their boxes (text, xmin, ymin, xmax, ymax), from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in re.findall(pattern, xml)]


def test_french_first_of_the_month_prints_as_a_raised_ordinal(typeset: Path) -> None:
    words = _words(typeset / "fr/briefing.pdf")
    raised = [(a, b) for a, b in zip(words, words[1:], strict=False)
              if a[0].endswith("1") and b[0] == "er" and abs(b[1] - a[3]) < 0.5]
    assert raised, "1er is not printed as 1 followed by smaller letters"
    for one, suffix in raised:
        assert suffix[4] - suffix[2] < 0.8 * (one[4] - one[2])  # smaller letters
        assert suffix[2] < one[2]  # set higher
    assert not any(w[0] in ("1er", "(1er") for w in words)


def test_no_paragraph_ends_with_a_hyphenated_word(typeset: Path) -> None:
    lines = pdf_text(typeset / "fr/briefing.pdf").splitlines()
    split = [(a.strip(), b.strip()) for a, b in zip(lines, lines[1:], strict=False)
             if re.search(r"[-‐\u00ad]$", a.rstrip()) and b.strip().endswith(_LAST_WORD[-6:])]
    assert split == []
    assert sum(line.count(_LAST_WORD) for line in lines) >= len(_ENDINGS)


def test_english_briefing_has_no_space_before_punctuation_and_curly_apostrophes(typeset: Path) -> None:
    text = pdf_text(typeset / "en/briefing.pdf")
    assert " ;" not in text and " :" not in text
    assert "'" not in text and '"' not in text
    assert "DPO’s “mandates”; they: agree?" in " ".join(text.split())
    assert "Appointed on 14 February 2017; in office since 1 April 2017" in " ".join(text.split())
    assert "United Nations Truce Supervision Organization" in " ".join(text.split())
    assert "DR Congo" not in text
    # A break keeps three letters before the hyphen: "re-/form" reads as another word.
    assert [line for line in text.splitlines() if re.search(r"(?<!\w)\w{1,2}‐$", line.rstrip())] == []


def _docx_text(path: Path) -> str:
    """Every paragraph and table cell of a Word file, as python-docx reads it."""
    import docx

    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_word_sheets_have_the_same_spaces(typeset: Path) -> None:
    fr = _docx_text(typeset / "fr/factsheets/dpo.docx")
    assert f"Les paix{NNBSP}; le 1er{NBSP}germinal, 17{NBSP}hélicoptères{NBSP}: «{NNBSP}paix" in fr
    assert not re.search(r" [;:!?»]|« ", fr)
    en = _docx_text(typeset / "en/factsheets/dpo.docx")
    assert "DPO’s “mandates”; they: agree?" in en
    assert "'" not in en and " ;" not in en


def test_word_sheets_raise_french_ordinals_as_the_pdf_does(typeset: Path) -> None:
    import docx

    fr = docx.Document(str(typeset / "fr/factsheets/dpo.docx"))
    runs = [run for p in fr.paragraphs for run in p.runs]
    raised = [(before.text, run.text) for before, run in zip(runs, runs[1:], strict=False) if run.font.superscript]
    # "le 1er germinal" in the summary: "1" then a superscript "er", and nothing else raised.
    assert raised and all(before.endswith("1") and text == "er" for before, text in raised), raised
    assert any("le 1er\u00a0germinal" in p.text for p in fr.paragraphs)  # the text reads the same
    en = docx.Document(str(typeset / "en/factsheets/dpo.docx"))
    assert not any(run.font.superscript for p in en.paragraphs for run in p.runs)
