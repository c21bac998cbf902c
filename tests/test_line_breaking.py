"""Lines break as each language wants: Chinese between characters, Russian and Spanish hyphenated.

The texts are test input only (the department's names repeated), never facts of the data.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pyphen
import pytest
from pypdf import PdfReader

from tests.conftest import copy_project, run

SOFT_HYPHEN = "\u00ad"
CHINESE = "维持和平行动部（维和部），维持和平行动部。维持和平行动部、维持和平行动部：" * 8
RUSSIAN = "Департамент операций по поддержанию мира. " * 14
SPANISH = "Departamento de Operaciones de Paz. " * 16
# What the Chinese, Russian and Spanish editions show of the second mandate paragraph,
# which has no text of theirs: the English fallback.
ENGLISH = "Demobilization, reintegration and deployment operations. " * 12
# A line may not start with these (closing brackets and punctuation), nor end with "（".
NO_LINE_START = "，。、：；！？）」』"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project with long Chinese, Russian and Spanish mandate texts, built in those languages."""
    project = copy_project(tmp_path_factory.mktemp("breaking"))
    department = project / "data/department.yaml"
    text = department.read_text(encoding="utf-8")
    first = "  mandate:\n    - fr:"
    second = ("      en: >-\n        Peacekeeping is political: its success depends on active and lasting political\n"
              "        processes, or on the real prospect of a peace process.\n")
    assert first in text and second in text
    text = text.replace(first, "  mandate:\n"
                        f"    - zh: {CHINESE.strip()}\n      ru: {RUSSIAN.strip()}\n      es: {SPANISH.strip()}\n"
                        "      fr:", 1)
    department.write_text(text.replace(second, f"      en: {ENGLISH.strip()}\n", 1), encoding="utf-8")
    result = run(project, "build", "--lang", "zh,ru,es", "--only", "briefing")
    assert result.exit_code == 0, result.output
    return project / "output"


def _lines(pdf: Path, text: str) -> list[str]:
    """The lines of ``text`` in the Mission section (the first in the outline), as pdftotext reads them."""
    reader = PdfReader(pdf)
    page = str(reader.get_destination_page_number(reader.outline[0]) + 1)
    lines = subprocess.run(["pdftotext", "-f", page, "-l", page, str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()

    def belongs(line: str) -> bool:
        """True when every word of ``line`` (or piece of a hyphenated word) is in ``text``, source markers aside."""
        words = [w for w in re.findall(r"\w+", line) if not w.isdigit()]
        return bool(words) and all(word in text for word in words)

    runs = []
    for i, line in enumerate(lines):
        if line.startswith(text[:12]):
            end = i
            while end < len(lines) and belongs(lines[end]):
                end += 1
            runs.append(lines[i:end])
    return max(runs, key=len, default=[])


def _breaks(lines: list[str]) -> list[tuple[str, int]]:
    """Each word hyphenated at a line end, with the number of its letters before the hyphen."""
    found = []
    for line, after in itertools.pairwise(lines):
        if line.endswith(SOFT_HYPHEN):
            head = re.search(r"(\w+)" + SOFT_HYPHEN + "$", line).group(1)
            tail = re.match(r"\w+", after).group(0)
            found.append((head + tail, len(head)))
    return found


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", RUSSIAN), ("es", SPANISH), ("ru", ENGLISH), ("es", ENGLISH), ("zh", ENGLISH),
])
def test_paragraphs_hyphenate_by_the_patterns_of_their_own_language(built: Path, lang: str, text: str) -> None:
    lines = _lines(built / lang / "briefing.pdf", text)
    assert len(lines) >= 4
    own = "en" if text is ENGLISH else lang  # a fallback is set in its own language
    breaks = _breaks(lines)
    assert breaks, f"no word hyphenated in the {own} paragraph of the {lang} edition: {lines}"
    patterns = pyphen.Pyphen(lang=own)
    words = set(re.findall(r"\w+", text))
    for word, before in breaks:
        assert word in words, (word, lines)
        assert before in patterns.positions(word), (word, before)
        # At least three letters before an English hyphen ("re-form" reads as another word).
        assert before >= (3 if own == "en" else 2), (word, before)
    joined = "".join(line[:-1] if line.endswith(SOFT_HYPHEN) else line + " " for line in lines)
    joined = re.sub(r"(?<=\.)[\d, ]+$", "", joined)  # the source markers after the last sentence
    assert text.strip() in joined


def test_chinese_breaks_between_characters_never_before_closing_punctuation(built: Path) -> None:
    lines = _lines(built / "zh" / "briefing.pdf", CHINESE)
    assert len(lines) >= 6  # no space in the text: it breaks between characters
    assert not any(SOFT_HYPHEN in line or line.endswith("-") for line in lines)
    for line in lines:
        assert line[0] not in NO_LINE_START, line
        assert not line.endswith("（"), line
    assert "".join(lines).replace(" ", "") == CHINESE
