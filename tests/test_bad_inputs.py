"""A corpus of bad inputs: each gets its exact located message and exit 1, never a traceback,
and leaves the documents of the previous build byte for byte as they were.

Every case starts from the small valid data set in ``tests/bad_inputs/base`` and replaces
(or removes) whole files with the snippet shown, so the lines and columns in the expected
messages can be read straight off the snippet.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dpo_docs import typography
from dpo_docs.templates import THEME_DIR
from tests.conftest import misspell_word_template, run

BASE = Path(__file__).parent / "bad_inputs" / "base"
BILLION_LAUGHS = Path(__file__).parent / "bad_inputs" / "billion_laughs.yaml"

UNIT = """\
units:
  - id: oma
    parent: dpo
    kind: office
    name:
      fr: Bureau des affaires militaires
    sources: [seed]
"""


@dataclass(frozen=True)
class Case:
    """Files to write (None removes one) and the exact problem lines the build prints."""

    id: str
    files: dict[str, str | bytes | None]
    expected: list[str] = field(default_factory=list)


def units(body: str) -> dict[str, str]:
    """A units.yaml holding ``body`` after the ``units:`` line."""
    return {"units.yaml": "units:\n" + body}


LONG = "x" * 1_000_000  # a megabyte in one line

CASES = [
    # --- Malformed YAML -------------------------------------------------------------
    Case("unclosed-flow-sequence", {"units.yaml": "units: [\n  {id: oma\n"}, [
        "data/units.yaml:3:1: YAML syntax error: expected ',' or '}', but got '<stream end>' "
        "(while parsing a flow mapping started at line 2, column 3)",
    ]),
    Case("unclosed-quote", {"sources.yaml": 'sources:\n  - id: seed\n    title: {fr: "Présentation}\n'}, [
        "data/sources.yaml:4:1: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar started at line 3, column 17)",
    ]),
    Case("bad-indentation", units("  - id: oma\n    parent: dpo\n   kind: office\n"), [
        "data/units.yaml:4:4: YAML syntax error: expected <block end>, but found '<block mapping start>' (while parsing a block collection started at line 2, column 3) (check the indentation of this line)",
    ]),
    Case("tab-indentation", units("  - id: oma\n\tparent: dpo\n"), [
        "data/units.yaml:3:1: YAML syntax error: found character '\\t' that cannot start any token (use spaces, not tabs, to indent)",
    ]),
    Case("duplicate-key", {"units.yaml": UNIT + "    kind: unit\n"}, [
        "data/units.yaml:8:5: units[0].kind: duplicate key 'kind' (first defined at line 4)",
    ]),
    Case("alias", {"units.yaml": UNIT.replace("    sources: [seed]\n", "    sources: &s [seed]\n")
                   + "  - id: orolsi\n    parent: dpo\n    kind: office\n    name: {fr: Bureau}\n"
                   "    sources: *s\n"}, [
        "data/units.yaml:12:14: units[1].sources: YAML aliases (*name) are not supported; write the value out",
    ]),
    Case("merge-key", {"units.yaml": UNIT.replace("  - id: oma\n", "  - &base\n    id: oma\n", 1)
                       + "  - <<: *base\n    id: orolsi\n"}, [
        'data/units.yaml:9:5: units[1]: YAML merge keys (<<) are not supported',
    ]),
    Case("python-tag", {"figures.yaml": "figures:\n  - id: personnel\n"
                        "    value: !!python/object/apply:os.system [echo hi]\n"}, [
        "data/figures.yaml:2:5: figures[0].as_of: missing required field 'as_of'",
        "data/figures.yaml:2:5: figures[0].label: missing required field 'label'",
        "data/figures.yaml:2:5: figures[0].sources: missing required field 'sources'",
        "data/figures.yaml:3:12: figures[0].value: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ]),
    Case("include-tag", {"units.yaml": "units: !include more-units.yaml\n"}, [
        "data/units.yaml:1:8: units: unsupported YAML tag '!include'",
    ]),
    Case("number-as-key", {"history.yaml": "history:\n  - 1992: Création du département.\n"}, [
        "data/history.yaml:2:5: history[0]: keys must be text, got '1992'",
    ]),
    Case("two-documents", {"units.yaml": UNIT + "---\n" + UNIT}, [
        'data/units.yaml:8:1: YAML syntax error: expected a single document in the stream, but found another document',
    ]),
    Case("explicit-bool-tag", {"figures.yaml": "figures:\n  - id: personnel\n    value: !!bool maybe\n"}, [
        "data/figures.yaml:2:5: figures[0].as_of: missing required field 'as_of'",
        "data/figures.yaml:2:5: figures[0].label: missing required field 'label'",
        "data/figures.yaml:2:5: figures[0].sources: missing required field 'sources'",
        "data/figures.yaml:3:12: figures[0].value: invalid bool value 'maybe' (not a valid bool)",
    ]),
    Case("impossible-date", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "as_of: 2025-05-27", "as_of: 2025-02-30")}, [
        "data/figures.yaml:7:12: figures[0].as_of: invalid timestamp value '2025-02-30' (day is out of range for month)",
    ]),
    Case("huge-numbers", {"units.yaml": UNIT + "    count: 0x" + "f" * 5000 + "\n    created: " + "9" * 5000 + "\n"}, [
        "data/units.yaml:8:12: units[0].count: whole number is too large",
        "data/units.yaml:9:14: units[0].created: whole number is too large",
    ]),
    Case("tagged-file", {"units.yaml": "!units\n" + UNIT}, [
        "data/units.yaml:1:1: unsupported YAML tag '!units'",
    ]),
    Case("too-deep", {"units.yaml": "units: " + "[" * 60 + "]" * 60 + "\n"}, [
        'data/units.yaml:1:57: values are nested more than 50 levels deep',
    ]),
    # --- Files ----------------------------------------------------------------------
    Case("empty-file", {"relationships.yaml": "# to be written\n"}, [
        "data/relationships.yaml: file is empty",
    ]),
    Case("department-file-missing", {"department.yaml": None}, [
        "data: department: missing section: no data file has 'department:'",
    ]),
    Case("empty-department-file", {"department.yaml": ""}, [
        "data: department: missing section: no data file has 'department:'",
        'data/department.yaml: file is empty',
    ]),
    Case("file-is-a-list", {"units.yaml": "- id: oma\n  parent: dpo\n"}, [
        "data/units.yaml:1:1: the file must be a mapping of sections (e.g. 'units:')",
    ]),
    Case("section-in-two-files", {"more.yaml": "sources:\n  - id: other\n    title: {fr: Autre}\n"}, [
        "data/sources.yaml:1:1: sources: section 'sources' is defined in two files (first in data/more.yaml:1:1); keep one",
    ]),
    Case("latin-1-file", {"units.yaml": UNIT.replace("affaires", "Télé").encode("latin-1")}, [
        'data/units.yaml:6:23: byte 0xe9 is not valid UTF-8; save the file as UTF-8',
    ]),
    Case("utf-16-file", {"units.yaml": UNIT.encode("utf-16")}, [
        "data/units.yaml:1:1: file is UTF-16; save it as UTF-8",
    ]),
    Case("file-too-large", {"notes.yaml": "# " + "x" * (8 * 1024 * 1024) + "\n"}, [
        "data/notes.yaml: file is larger than 8 MB",
    ]),
    # --- Characters -----------------------------------------------------------------
    Case("raw-bell-character", {"units.yaml": UNIT.replace("Bureau des", "Bureau\x07 des")}, [
        "data/units.yaml:6:17: control character U+0007 is not allowed; remove it",
    ]),
    Case("escaped-bell-character", {"units.yaml": UNIT.replace(
        "fr: Bureau des affaires militaires", 'fr: "Bureau\\a des affaires militaires"')}, [
        "data/units.yaml:6:7: units[0].name.fr: control character U+0007 is not allowed in text; remove it",
    ]),
    Case("escape-sequence", {"units.yaml": UNIT.replace(
        "fr: Bureau des affaires militaires", 'fr: "Bureau \\e[31mrouge"')}, [
        "data/units.yaml:6:7: units[0].name.fr: control character U+001B is not allowed in text; remove it",
    ]),
    Case("nul-byte", {"units.yaml": UNIT.replace("parent: dpo", "parent: d\x00po")}, [
        "data/units.yaml:3:14: control character U+0000 is not allowed; remove it",
    ]),
    Case("lone-surrogate", {"units.yaml": UNIT.replace(
        "fr: Bureau des affaires militaires", 'fr: "Bureau \\ud800"')}, [
        "data/units.yaml:6:7: units[0].name.fr: lone surrogate U+D800 is not allowed in text; remove it",
    ]),
    Case("megabyte-string", {"relationships.yaml": (BASE / "relationships.yaml").read_text().replace(
        "Confie au DPO les mandats des opérations.", LONG)}, [
        "data/relationships.yaml:6:7: relationships[0].description.fr: text is too long (max 5000 characters)",
    ]),
    Case("megabyte-id", {"units.yaml": UNIT.replace("parent: dpo", "parent: " + LONG)}, [
        "data/units.yaml:3:5: units[0].parent: unknown unit 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…",
        'data/units.yaml:3:5: units[0].parent: text is too long (max 64 characters)',
    ]),
    Case("name-too-long", {"units.yaml": UNIT.replace("Bureau des affaires militaires", "B" * 301)}, [
        "data/units.yaml:6:7: units[0].name.fr: text is too long (max 300 characters)",
    ]),
    Case("acronym-too-long", {"operations.yaml": (BASE / "operations.yaml").read_text().replace(
        "acronym: {fr: ONUST}", "acronym: {fr: ONUSTONUSTONUSTONUSTONUST}")}, [
        'data/operations.yaml:3:15: operations[0].acronym.fr: text is too long (max 20 characters)',
    ]),
    Case("key-too-long", {"units.yaml": UNIT + "    " + "k" * 101 + ": x\n"}, [
        "data/units.yaml:8:5: units[0]: key is too long (max 100 characters)",
    ]),
    Case("too-many-units", units("".join(
        f"  - {{id: u{i}, parent: dpo, kind: unit, name: {{fr: U{i}}}}}\n" for i in range(10_001))), [
        # Counted while loading: reading stops at the first unit past the limit.
        "data/units.yaml:10002:5: units: too many entries (more than 10,000); the rest of the file was not read",
    ]),
    # --- Fields and types -----------------------------------------------------------
    Case("unknown-field-suggested", {"units.yaml": UNIT.replace("parent:", "parnet:")}, [
        "data/units.yaml:2:5: units[0].parent: missing required field 'parent'",
        "data/units.yaml:3:5: units[0].parnet: unknown field 'parnet' (did you mean 'parent'?)",
    ]),
    Case("unknown-field-listed", {"units.yaml": UNIT + "    colour: blue\n"}, [
        "data/units.yaml:8:5: units[0].colour: unknown field 'colour' (allowed: acronym, count, created, "
        "description, editor_note, head, id, kind, name, note, parent, shared_with, sources)",
    ]),
    Case("unknown-section", {"units.yaml": UNIT.replace("units:", "unit:")}, [
        "data/history.yaml:5:13: history[0].units[0]: unknown unit 'oma'",
        "data/units.yaml:1:1: unit: unknown section 'unit' (did you mean 'units'?)",
    ]),
    Case("missing-field", {"units.yaml": UNIT.replace("    kind: office\n", "")}, [
        "data/units.yaml:2:5: units[0].kind: missing required field 'kind'",
    ]),
    Case("text-not-a-mapping", {"units.yaml": UNIT.replace(
        "    name:\n      fr: Bureau des affaires militaires\n", "    name: Bureau des affaires militaires\n")}, [
        "data/units.yaml:5:5: units[0].name: expected a mapping of language codes to text, e.g. {fr: …}, "
        "got 'Bureau des affaires militaires'",
    ]),
    Case("number-not-a-number", {"units.yaml": UNIT + "    created: deux mille sept\n"}, [
        "data/units.yaml:8:5: units[0].created: expected a whole number, got 'deux mille sept'",
    ]),
    Case("yes-no-as-text", {"operations.yaml": (BASE / "operations.yaml").read_text().replace(
        "acronym: {fr: ONUST}", "acronym: {fr: NO}")}, [
        'data/operations.yaml:3:15: operations[0].acronym.fr: expected text, got False (put it in quotes to make it text)',
    ]),
    Case("kind-not-allowed", {"units.yaml": UNIT.replace("kind: office", "kind: bureau")}, [
        "data/units.yaml:4:5: units[0].kind: 'bureau' is not one of 'office', 'division', 'service', "
        "'section', 'unit', 'shared' or 'portfolio'",
    ]),
    Case("bad-id", {"units.yaml": UNIT.replace("id: oma", "id: OMA")}, [
        "data/history.yaml:5:13: history[0].units[0]: unknown unit 'oma'",
        "data/units.yaml:2:5: units[0].id: 'OMA' is not a valid id (lower-case letters, digits and '-')",
    ]),
    Case("bad-language-code", {"units.yaml": UNIT.replace("      fr: Bureau", "      French: Bureau")}, [
        "data/units.yaml:6:7: units[0].name.French: 'French' is not a valid language code (e.g. 'fr', 'en')",
    ]),
    Case("empty-text", {"units.yaml": UNIT.replace(
        "    name:\n      fr: Bureau des affaires militaires\n", "    name: {}\n")}, [
        "data/units.yaml:5:5: units[0].name: must not be empty",
    ]),
    Case("empty-string", {"units.yaml": UNIT.replace("fr: Bureau des affaires militaires", 'fr: ""')}, [
        "data/units.yaml:6:7: units[0].name.fr: must not be empty",
    ]),
    Case("blank-text", {"units.yaml": UNIT.replace("fr: Bureau des affaires militaires", 'fr: " \\n "')}, [
        "data/units.yaml:6:7: units[0].name.fr: text is blank (only spaces or line breaks); write it or leave the field out",
    ]),
    Case("url-not-http", {"sources.yaml": (BASE / "sources.yaml").read_text().replace(
        "https://peacekeeping.un.org/fr", "file:///etc/passwd")}, [
        "data/sources.yaml:5:5: sources[0].url: 'file:///etc/passwd' is not an http(s) address",
    ]),
    Case("date-with-time", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "as_of: 2025-05-27", "as_of: 2025-05-27 10:30:00")}, [
        'data/figures.yaml:7:5: figures[0].as_of: expected a date (YYYY-MM-DD) without a time, got 2025-05-27 10:30:00',
    ]),
    # --- Rules between records ------------------------------------------------------
    Case("duplicate-unit-id", units("  - {id: oma, parent: dpo, kind: office, name: {fr: A}}\n"
                                    "  - {id: oma, parent: dpo, kind: office, name: {fr: B}}\n"), [
        "data/units.yaml:3:6: units[1].id: duplicate id 'oma' (already used at units[0].id)",
    ]),
    Case("unit-reuses-department-id", units("  - {id: oma, parent: dpo, kind: office, name: {fr: A}}\n"
                                            "  - {id: dpo, parent: oma, kind: unit, name: {fr: B}}\n"), [
        "data/units.yaml:3:6: units[1].id: duplicate id 'dpo' (already used at department.id)",
    ]),
    Case("own-parent", {"units.yaml": UNIT.replace("parent: dpo", "parent: oma")}, [
        "data/units.yaml:3:5: units[0].parent: unit 'oma' cannot be its own parent",
    ]),
    Case("cycle", units("  - {id: oma, parent: orolsi, kind: office, name: {fr: A}}\n"
                        "  - {id: orolsi, parent: oma, kind: office, name: {fr: B}}\n"), [
        'data/units.yaml:2:15: units[0].parent: cycle in the unit tree: oma -> orolsi -> oma',
    ]),
    Case("unknown-parent", {"units.yaml": UNIT.replace("parent: dpo", "parent: dppo")}, [
        "data/units.yaml:3:5: units[0].parent: unknown unit 'dppo' (did you mean 'dpo'?)",
    ]),
    Case("unknown-source", {"units.yaml": UNIT.replace("[seed]", "[sed]")}, [
        "data/units.yaml:7:15: units[0].sources[0]: unknown source 'sed' (did you mean 'seed'?)",
    ]),
    Case("future-year", {"history.yaml": (BASE / "history.yaml").read_text().replace("1992", "2091")}, [
        "data/history.yaml:2:5: history[0].year: year 2091 is in the future",
    ]),
    Case("year-out-of-range", {"units.yaml": UNIT + "    created: 1850\n"}, [
        "data/units.yaml:8:5: units[0].created: 1850 is out of range "
        "(input should be greater than or equal to 1900)",
    ]),
    Case("future-date", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "as_of: 2025-05-27", "as_of: 2099-01-01")}, [
        "data/figures.yaml:7:5: figures[0].as_of: date 2099-01-01 is in the future",
    ]),
    Case("date-not-in-year", {"history.yaml": (BASE / "history.yaml").read_text().replace(
        "  - year: 1992\n", "  - year: 1992\n    date: 1993-01-01\n")}, [
        "data/history.yaml:2:5: history[0]: date 1993-01-01 is not in year 1992",
    ]),
    Case("period-reversed", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "    as_of: 2025-05-27\n", "    as_of: 2025-05-27\n    period_start: 2024-12-31\n"
        "    period_end: 2024-01-01\n")}, [
        "data/figures.yaml:9:5: figures[0].period_end: period ends before it starts",
    ]),
    Case("negative-figure", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "value: 68000", "value: -5")}, [
        "data/figures.yaml:5:5: figures[0].value: -5 is out of range "
        "(input should be greater than or equal to 0)",
    ]),
    Case("infinite-figure", {"figures.yaml": (BASE / "figures.yaml").read_text().replace(
        "value: 68000", "value: .inf")}, [
        "data/figures.yaml:5:5: figures[0].value: expected a finite number, got inf",
    ]),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base data set with its documents built once."""
    project = tmp_path_factory.mktemp("base") / "project"
    shutil.copytree(BASE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    return project


def broken_copy(built_base: Path, dest: Path, files: dict[str, str | bytes | None]) -> Path:
    """A copy of the built project (documents included) with ``files`` replaced."""
    shutil.copytree(built_base, dest)
    for name, content in files.items():
        path = dest / "data" / name
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return dest


def problem_lines(output: str) -> tuple[list[str], str]:
    """The problem lines of a failed run, and its closing 'error:' line (notes on what went unchecked left out)."""
    lines = [line for line in output.splitlines() if line.strip() and not line.startswith("note: ")]
    return lines[:-1], lines[-1]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_located_and_changes_nothing(case: Case, built_base: Path, tmp_path: Path) -> None:
    project = broken_copy(built_base, tmp_path / "project", case.files)
    before = snapshot(project / "output")
    result = run(project, "build", "--force")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    problems, last = problem_lines(result.output)
    assert problems == case.expected
    count = len(case.expected)
    assert last == f"error: {count} problem{'s' if count != 1 else ''} in the data; nothing was written"
    assert snapshot(project / "output") == before


@pytest.mark.parametrize("case_id", ["nul-byte", "megabyte-string", "department-file-missing", "cycle"])
def test_bad_input_in_a_real_process(case_id: str, built_base: Path, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == case_id)
    project = broken_copy(built_base, tmp_path / "project", case.files)
    before = snapshot(project / "output")
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "build"], cwd=project,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems, _ = problem_lines(result.stderr)
    assert problems == case.expected
    assert snapshot(project / "output") == before


def test_billion_laughs_is_refused_quickly(built_base: Path, tmp_path: Path) -> None:
    project = broken_copy(built_base, tmp_path / "project",
                          {"laughs.yaml": BILLION_LAUGHS.read_text(encoding="utf-8")})
    before = snapshot(project / "output")
    started = time.monotonic()
    result = run(project, "validate")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert elapsed < 1.0
    problems, last = problem_lines(result.output)
    assert problems[0].startswith("data/laughs.yaml:2:1: lol: unknown section 'lol'")
    assert problems[1] == "data/laughs.yaml:4:10: lol.b[0]: YAML aliases (*name) are not supported; write the value out"
    # Nine levels of nine aliases: each alias refused where it stands, none expanded.
    assert sum("YAML aliases (*name) are not supported" in p for p in problems) == 81
    assert last == "error: 82 problems in the data; nothing was written"
    assert snapshot(project / "output") == before


# --- Inputs that are odd but fine: they give a correct document --------------------------

def docx_text(path: Path) -> str:
    """All the text of a Word file's body, one paragraph a line (table cells included)."""
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def flat_pdf_text(path: Path) -> str:
    """The PDF's text with runs of white space folded to one space."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(raw.split())


def pdf_words(path: Path) -> list[tuple[float, float, str]]:
    """(right edge, page width, word) of every word pdftotext finds."""
    raw = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for width, page in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', raw, re.S):
        words += [(float(x_max), float(width), word) for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)]
    return words


def qpdf_ok(path: Path) -> None:
    """qpdf finds nothing wrong with the PDF."""
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def built_copy(tmp_path: Path, files: dict[str, str | bytes], *only: str, options: tuple[str, ...] = ()) -> Path:
    """The base data with ``files`` replaced, built (only the given kinds); the output folder."""
    project = tmp_path / "project"
    shutil.copytree(BASE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    for name, content in files.items():
        path = project / "data" / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    args = [arg for kind in only for arg in ("--only", kind)]
    result = run(project, "build", *args, *options)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return project / "output" / "fr"


def with_unit_name(name: str, description: str = "Le Bureau conseille le département.") -> dict[str, str]:
    """units.yaml with the first unit renamed and described as given (YAML-quoted)."""
    import json

    text = (BASE / "units.yaml").read_text(encoding="utf-8")
    text = text.replace("fr: Bureau des affaires militaires", f"fr: {json.dumps(name, ensure_ascii=False)}", 1)
    text = text.replace("fr: Le Bureau des affaires militaires conseille le département.",
                        f"fr: {json.dumps(description, ensure_ascii=False)}", 1)
    return {"units.yaml": text}


def test_fine_byte_order_mark(tmp_path: Path) -> None:
    department = (BASE / "department.yaml").read_text(encoding="utf-8")
    out = built_copy(tmp_path, {"department.yaml": b"\xef\xbb\xbf" + department.encode("utf-8")}, "factsheets")
    assert "Département des opérations de paix" in docx_text(out / "factsheets/dpo.docx")


def test_fine_windows_line_endings(tmp_path: Path) -> None:
    files = {p.name: p.read_text(encoding="utf-8").replace("\n", "\r\n").encode() for p in BASE.glob("*.yaml")}
    out = built_copy(tmp_path, files, "factsheets")
    assert "Bureau des affaires militaires" in docx_text(out / "factsheets/oma.docx")


def test_fine_missing_french_falls_back_marked(tmp_path: Path) -> None:
    from dpo_docs.build import load_data
    from dpo_docs.outputs import Job, Session, Target
    from dpo_docs.outputs.briefing import Briefing
    from dpo_docs.settings import default_settings

    units = (BASE / "units.yaml").read_text(encoding="utf-8").replace(
        "      fr: Bureau de l’état de droit et des institutions chargées de la sécurité\n",
        "      en: Office of Rule of Law and Security Institutions\n")
    history = (BASE / "history.yaml").read_text(encoding="utf-8").replace(
        "fr: Création du département.", "de: Gründung der Hauptabteilung.")
    out = built_copy(tmp_path, {"units.yaml": units, "history.yaml": history}, "briefing", "factsheets")
    # The document shows the English name, and says in its markup that it is English.
    assert "Office of Rule of Law and Security Institutions" in flat_pdf_text(out / "briefing.pdf")
    assert "Office of Rule of Law and Security Institutions" in docx_text(out / "factsheets/orolsi.docx")
    assert "Gründung der Hauptabteilung." in docx_text(out / "factsheets/dpo.docx")
    settings = default_settings(tmp_path / "project")
    job = Job(load_data(settings), settings, "fr")
    target = Target("briefing", "fr", "briefing", ("fr/briefing.pdf",))
    html = Briefing().html(Briefing().context(target, job), Session(settings, "fr"))
    html = re.sub(r'<span class="last-word">(.*?)</span>', r"\1", html)  # typography's unhyphenated last word
    assert re.search(r'<span lang="en"[^>]*>Office of Rule of Law and Security Institutions</span>', html)
    assert re.search(r'<span lang="de"[^>]*>Gründung der Hauptabteilung.</span>', html)


def test_fine_word_too_long_for_a_table_cell(tmp_path: Path) -> None:
    word = "Organisme" + "X" * 240
    place = "Y" * 200
    operations = (BASE / "operations.yaml").read_text(encoding="utf-8").replace(
        "fr: Organisme des Nations Unies chargé de la surveillance de la trêve", f"fr: {word}").replace(
        "location: {fr: Moyen-Orient}", f"location: {{fr: {place}}}")
    out = built_copy(tmp_path, {"operations.yaml": operations}, "briefing")
    qpdf_ok(out / "briefing.pdf")
    words = pdf_words(out / "briefing.pdf")
    # Every piece stays inside the page's 18 mm margins, and nothing is lost.
    margin = 18 * 72 / 25.4
    assert all(x_max < width - margin + 1 for x_max, width, _ in words)
    assert "".join(w for _, _, w in words if "XX" in w) == word
    assert "".join(w for _, _, w in words if set(w) == {"Y"}) == place


def test_fine_word_too_long_for_a_chart_box(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    word = "Bureau" + "Z" * 200
    out = built_copy(tmp_path, with_unit_name(word), "orgchart")
    qpdf_ok(out / "orgchart.pdf")
    root = ET.parse(out / "orgchart.svg").getroot()
    texts = "".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Z" * 200 in "".join(texts.split())  # cut between characters, every one kept
    assert not any("Z" * 200 in (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}tspan"))


def test_fine_emoji_and_scripts_the_font_lacks(tmp_path: Path) -> None:
    name = "Bureau 🕊️ de la paix — إدارة عمليات السلام — 和平行动部"
    out = built_copy(tmp_path, with_unit_name(name, "Cellule 🌍 pour la paix."))
    qpdf_ok(out / "briefing.pdf")
    qpdf_ok(out / "orgchart.pdf")
    assert name in docx_text(out / "factsheets/oma.docx")
    assert "Cellule 🌍 pour la paix." in docx_text(out / "factsheets/oma.docx")
    text = flat_pdf_text(out / "briefing.pdf")
    assert "Bureau" in text and "de la paix" in text and "Cellule" in text
    assert name in (out / "orgchart.svg").read_text(encoding="utf-8")


SPECIAL = "<b>A & B</b> ]]> {{ 7*7 }} {% if x %} \"quoted\" 'single'"


def test_fine_markup_and_template_syntax_appear_literally(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    out = built_copy(tmp_path, with_unit_name(SPECIAL, SPECIAL + " (description)"))
    # Printed as typed, but for the typographic rules every text gets (« » and ’ in French).
    typed = typography.apply(SPECIAL, "fr")
    assert "«\u202fquoted\u202f» ’single’" in typed
    assert " ".join(typed.split()) in flat_pdf_text(out / "briefing.pdf")
    # The revision is a hash, which may hold "49" by chance: it is left out.
    assert "49" not in re.sub(r"révision [0-9a-f]{12}", "", flat_pdf_text(out / "orgchart.pdf"))
    sheet = docx_text(out / "factsheets/oma.docx")
    assert typed in sheet and typed + " (description)" in sheet
    root = ET.parse(out / "orgchart.svg").getroot()  # well-formed: the text was escaped
    assert "<b>A & B</b>" in " ".join("".join(root.itertext()).split())


def test_fine_word_field_codes_stay_text(tmp_path: Path) -> None:
    import zipfile

    codes = "Page { PAGE } sur { NUMPAGES } ; MERGEFIELD Nom \\* MERGEFORMAT"
    out = built_copy(tmp_path, with_unit_name("Bureau des affaires militaires", codes), "factsheets")
    assert typography.apply(codes, "fr") in docx_text(out / "factsheets/oma.docx")
    with zipfile.ZipFile(out / "factsheets/oma.docx") as docx_zip:
        body = docx_zip.read("word/document.xml").decode("utf-8")
    # Typed braces are text, not fields: the body holds no field at all.
    assert "fldSimple" not in body and "instrText" not in body and "fldChar" not in body


def test_fine_json_style_escapes_of_an_emoji(tmp_path: Path) -> None:
    # JSON (and so YAML written by a JSON tool) escapes 🌍 as two halves: they are joined.
    units = (BASE / "units.yaml").read_text(encoding="utf-8").replace(
        "fr: Bureau des affaires militaires", 'fr: "Bureau \\ud83c\\udf0d"', 1)
    out = built_copy(tmp_path, {"units.yaml": units}, "factsheets")
    assert "Bureau 🌍" in docx_text(out / "factsheets/oma.docx")


# --- Templates edited by users ------------------------------------------------------------

def edit_template(project: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in a template; return the 1-based line of the change."""
    path = project / "templates" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def failed_build(project: Path, *args: str) -> str:
    """Run a build that must fail cleanly and leave the documents as they were; its last line."""
    before = snapshot(project / "output")
    result = run(project, "build", "--force", *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert snapshot(project / "output") == before
    return [line for line in result.output.splitlines() if line.strip()][-1]


TEMPLATE_CASES = [
    ("attribute-typo", "{{ labels.mission }}", "{{ labels.missio }}",
     "'labels' has no 'missio' (did you mean 'mission'?); available on it: "),
    ("nested-attribute-typo", "{{ org.department.name|t }}", "{{ org.department.nmae|t }}",
     "'org.department' has no 'nmae' (did you mean 'name'?); available on it: acronym, contact, created, disclaimer, head, id, "
     "mandate, name, notes, renamed, role, sources"),
    ("loop-variable-typo", "{{ para|t }}", "{{ para.texte|t }}",
     "'para' has no 'texte'; available on it: fr"),
    ("unknown-name", "{{ labels.mission }}", "{{ label.mission }}",
     "'label' is undefined (did you mean 'labels'?) (available at top level: build, doc, labels, org)"),
    ("syntax-error", "{% for section in doc.sections %}", "{% for section in %}",
     "syntax error: Expected an expression, got 'end of statement block'"),
    ("python-internals", "{{ labels.mission }}", "{{ labels.__class__.__mro__ }}",
     "access to attribute '__class__' of 'dict' object is unsafe."),
    ("include-outside", "{{ labels.mission }}", "{% include '../../../etc/passwd' %}",
     "template '../../../etc/passwd' not found (templates are read from the templates folder and the theme only)"),
]


@pytest.mark.parametrize("case", TEMPLATE_CASES, ids=lambda c: c[0])
def test_template_error_names_file_line_and_what_is_there(case, built_base: Path, tmp_path: Path) -> None:
    _, old, new, message = case
    project = broken_copy(built_base, tmp_path / "project", {})
    line = edit_template(project, "briefing.html", old, new)
    last = failed_build(project, "--only", "briefing")
    assert last.startswith(f"error: templates/briefing.html:{line}: {message}"), last


def test_word_template_error_names_part_line_and_suggestion(built_base: Path, tmp_path: Path) -> None:
    project = broken_copy(built_base, tmp_path / "project", {})
    misspell_word_template(project)
    last = failed_build(project, "--only", "factsheets")
    assert "factsheet.docx (/word/document.xml), line " in last
    listed = last.split("'doc' has no 'titel' (did you mean 'title'?); available on it: ")[1]
    assert {"title", "subtitle", "summary", "key_facts"} <= set(listed.split(", "))


# --- Nothing outside the project ----------------------------------------------------------

REFUSED = [
    ("file-url", '<img src="file:///etc/passwd">', "'file:///etc/passwd' (it lies outside the templates, data and font folders)"),
    ("parent-path", '<link rel="stylesheet" href="../../x.css">', "x.css' (it lies outside the templates, data and font folders)"),
    ("http", '<img src="http://example.invalid/x.png">', "'http://example.invalid/x.png' (only files of the project are used, never the network)"),
    ("https", '<img src="https://example.invalid/x.png">', "'https://example.invalid/x.png' (only files of the project are used, never the network)"),
    ("css-import", '<style>@import url("https://example.invalid/x.css");</style>', "'https://example.invalid/x.css' (only files of the project are used, never the network)"),
    ("missing-file", '<img src="logo.png">', None),
]


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c[0])
def test_pdf_refuses_what_lies_outside_the_project(case, built_base: Path, tmp_path: Path) -> None:
    _, markup, refused = case
    project = broken_copy(built_base, tmp_path / "project", {})
    edit_template(project, "briefing.html", "<body>\n", "<body>\n" + markup + "\n")
    last = failed_build(project, "--only", "briefing")
    assert last.startswith("error: ")
    assert "fr/briefing.pdf" in last or "Note d’information" in last  # the document
    if refused:
        assert "refused to load '" in last and last.endswith(refused), last
    else:
        assert last.endswith(f"cannot load '{(project / 'templates/logo.png').as_uri()}' (file not found)"), last


def test_a_symlink_out_of_the_templates_folder_is_refused(built_base: Path, tmp_path: Path) -> None:
    project = broken_copy(built_base, tmp_path / "project", {})
    (project / "templates" / "logo.png").symlink_to("/etc/passwd")
    edit_template(project, "briefing.html", "<body>\n", '<body>\n<img src="logo.png">\n')
    last = failed_build(project, "--only", "briefing")
    assert "logo.png' (it lies outside the templates, data and font folders)" in last


def test_images_inside_the_templates_folder_are_used(built_base: Path, tmp_path: Path) -> None:
    import base64

    project = broken_copy(built_base, tmp_path / "project", {})
    pixel = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
    (project / "templates" / "logo.png").write_bytes(pixel)
    data_uri = "data:image/png;base64," + base64.b64encode(pixel).decode()
    edit_template(project, "briefing.html", "<body>\n", f'<body>\n<img src="logo.png"><img src="{data_uri}">\n')
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 0, result.output
    qpdf_ok(project / "output/fr/briefing.pdf")


def test_a_source_address_is_a_link_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dpo_docs.outputs import weasy

    fetched: list[str] = []
    original = weasy.check_url

    def spy(url, roots):
        fetched.append(url)
        return original(url, roots)

    monkeypatch.setattr(weasy, "check_url", spy)
    url = "https://example.invalid/never-fetched.pdf"
    sources = (BASE / "sources.yaml").read_text(encoding="utf-8").replace("https://peacekeeping.un.org/fr", url)
    out = built_copy(tmp_path, {"sources.yaml": sources}, "briefing", options=("--jobs", "1"))
    assert url in flat_pdf_text(out / "briefing.pdf")
    assert fetched and url not in fetched  # the fetcher ran (the stylesheet), never for the link
    assert all(u.startswith(("file:", "data:")) for u in fetched)
