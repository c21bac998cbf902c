"""Source markers: statements carry numbered links to the Sources list, and back; Word sheets link their sources."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from tests.conftest import build_copy, run

ROOT = Path(__file__).resolve().parents[1]
# Per language: the Sources heading, how a marker's description starts, the back-link's.
LANGS = {
    "fr": {"sources": "Sources", "general": "Sources générales", "source": "Source {n} : ",
           "back": "Retour au texte (source {n})"},
    "en": {"sources": "Sources", "general": "General sources", "source": "Source {n}: ",
           "back": "Back to text (source {n})"},
}
def described(annot) -> str:
    """A link's description as a screen reader says it (no-break spaces read as spaces)."""
    return " ".join(str(annot["/Contents"]).split())


# After these statements (one per language), a marker: mandate, head, figure, operation.
STATEMENTS = {
    "fr": ["d’un processus de paix.", "Jean-Pierre Lacroix",
           "Communiqué de presse PKO/827 (27 mai 2025)", "de la trêve"],
    "en": ["of a peace process.", "Jean-Pierre Lacroix",
           "Press release PKO/827 (27 May 2025)", "Truce Supervision Organization"],
}
MARKERS = r"\s*(\d+(?:,\s*\d+)*)"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project's French and English briefings and fact sheets."""
    return build_copy(tmp_path_factory, "markers", "--only", "briefing", "--only", "factsheets", "--lang", "fr,en")


def text(path: Path, page: int | None = None) -> str:
    """The PDF's text in reading order, lines folded (pdftotext's default mode)."""
    cmd = ["pdftotext"] + (["-f", str(page), "-l", str(page)] if page else [])
    out = subprocess.run(cmd + [str(path), "-"], check=True, capture_output=True, text=True).stdout
    # A line-end hyphen WeasyPrint inserted (U+2010) joins the word again.
    return re.sub(r"\s+", " ", out.replace("\u2010\n", "").replace("\u2060", ""))


def links(reader: PdfReader) -> list[tuple[int, dict]]:
    """Every link annotation as (0-based page, annotation), in page then drawing order."""
    found = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link":
                found.append((number, annot))
    return found


def dest_name(annot) -> str | None:
    """The named destination an internal link goes to (WeasyPrint writes /Dest, others /A /D)."""
    dest = annot.get("/Dest")
    if dest is None and annot.get("/A") is not None:
        dest = annot["/A"].get("/D")
    return str(dest) if dest is not None else None


def dest_page(reader: PdfReader, name: str) -> int:
    """The 0-based page a named destination opens."""
    return reader.get_destination_page_number(reader.named_destinations[name])


def sources_page(path: Path, lang: str) -> tuple[int, dict[int, str]]:
    """The 1-based Sources page and its entries, number -> line as printed."""
    reader = PdfReader(path)
    for number in range(len(reader.pages), 0, -1):
        page = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
                              check=True, capture_output=True, text=True).stdout
        if re.search(rf"^\s*{LANGS[lang]['sources']}\s*$", page, re.M):
            entries = {int(m[1]): m[2] for m in re.finditer(r"^\s*(\d+)\. (.+)$", page, re.M)}
            return number, entries
    raise AssertionError("no Sources page")


def same(text: str) -> str:
    """Text with typographic quotes and spaces made plain, to compare data with print."""
    return " ".join(text.translate({0x2019: "'", 0x00A0: " ", 0x202F: " ", 0x2060: None}).split())


def titles(lang: str) -> dict[str, str]:
    """The data's sources: id -> title in ``lang``."""
    data = yaml.safe_load((ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))
    return {s["id"]: same(s["title"][lang]) for s in data["sources"]}


@pytest.mark.parametrize("lang", LANGS)
def test_markers_follow_the_mandate_the_head_a_figure_and_an_operation(output: Path, lang: str) -> None:
    body = text(output / lang / "briefing.pdf")
    for statement in STATEMENTS[lang]:
        assert re.search(re.escape(statement) + MARKERS, body), f"no marker after {statement!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_marker_links_to_its_entry_on_the_sources_page(output: Path, lang: str) -> None:
    path = output / lang / "briefing.pdf"
    reader = PdfReader(path)
    page, entries = sources_page(path, lang)
    markers = [(n, a) for n, a in links(reader) if (dest_name(a) or "").startswith("source-")]
    assert len(markers) >= 20
    for _, annot in markers:
        number = int(dest_name(annot).removeprefix("source-"))
        assert dest_page(reader, dest_name(annot)) + 1 == page
        # Its description names the entry it opens, in the document's language.
        title = described(annot).removeprefix(LANGS[lang]["source"].format(n=number))
        assert title != described(annot), annot["/Contents"]
        assert same(entries[number]).startswith(same(title)), (entries[number], title)


@pytest.mark.parametrize("lang", LANGS)
def test_sources_are_numbered_in_the_order_the_text_cites_them(output: Path, lang: str) -> None:
    reader = PdfReader(output / lang / "briefing.pdf")
    first: list[int] = []
    for _, annot in links(reader):
        name = dest_name(annot) or ""
        if name.startswith("source-") and int(name[7:]) not in first:
            first.append(int(name[7:]))
    assert len(first) >= 10
    assert first == list(range(1, len(first) + 1))


@pytest.mark.parametrize("lang", LANGS)
def test_every_source_is_listed_and_cited_or_general(output: Path, lang: str) -> None:
    path = output / lang / "briefing.pdf"
    reader = PdfReader(path)
    page, entries = sources_page(path, lang)
    assert sorted(entries) == list(range(1, len(titles(lang)) + 1))
    assert {same(line.split(" — ")[0].replace(" ^", "")) for line in entries.values()} == set(titles(lang).values())
    cited = {int(dest_name(a)[7:]) for _, a in links(reader) if (dest_name(a) or "").startswith("source-")}
    page_text = text(path, page)
    general = page_text.split(LANGS[lang]["general"])[1] if LANGS[lang]["general"] in page_text else ""
    for number, line in entries.items():
        assert number in cited or line.split(" — ")[0] in general, f"source {number} is neither cited nor general"


@pytest.mark.parametrize("lang", LANGS)
def test_each_cited_entry_links_back_to_its_first_citation(output: Path, lang: str) -> None:
    reader = PdfReader(output / lang / "briefing.pdf")
    annotated = links(reader)
    marker_pages = {}
    for number, annot in annotated:
        name = dest_name(annot) or ""
        if name.startswith("source-"):
            marker_pages.setdefault(int(name[7:]), number)
    backs = {int(dest_name(a)[5:]): a for _, a in annotated if (dest_name(a) or "").startswith("cite-")}
    assert len(backs) >= 10
    assert set(backs) == set(marker_pages)
    for number, annot in backs.items():
        assert dest_page(reader, f"cite-{number}") == marker_pages[number]
        assert described(annot) == LANGS[lang]["back"].format(n=number)


@pytest.mark.parametrize("lang", LANGS)
def test_no_marker_in_a_heading(output: Path, lang: str) -> None:
    reader = PdfReader(output / lang / "briefing.pdf")
    for item in reader.outline:
        if not isinstance(item, list):
            assert not re.search(r"\d$", item.title), item.title


def hyperlinks(path: Path) -> list[tuple[str, str]]:
    """A Word file's hyperlinks as (target address, shown text)."""
    document = docx.Document(str(path))
    rels = document.part.rels
    found = []
    for link in document.element.body.iter(qn("w:hyperlink")):
        rel = rels[link.get(qn("r:id"))]
        assert rel.is_external
        shown = "".join(t.text or "" for t in link.iter(qn("w:t")))
        styles = {s.get(qn("w:val")) for s in link.iter(qn("w:rStyle"))}
        assert styles == {"Hyperlink"}, styles
        found.append((rel.target_ref, shown))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_word_sheets_link_their_sources(output: Path, lang: str) -> None:
    urls = {s["id"]: s.get("url") for s in yaml.safe_load(
        (ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))["sources"]}
    sheet = output / lang / "factsheets" / "dpo.docx"
    found = hyperlinks(sheet)
    # The department's sources with an address, each a link showing that address.
    expected = {urls[ref] for ref in ("peacekeeping-fr", "un-archives", "dppa-about", "press-sga1705") if urls[ref]}
    assert expected <= {target for target, _ in found}
    for target, shown in found:
        assert shown == target
    # No address is left as plain text outside a link.
    document = docx.Document(str(sheet))
    for paragraph in document.paragraphs:
        plain_text = "".join(t.text or "" for r in paragraph._p.findall(qn("w:r")) for t in r.iter(qn("w:t")))
        assert "http" not in plain_text, paragraph.text


def test_word_links_survive_conversion_to_pdf(output: Path, tmp_path: Path) -> None:
    sheet = output / "fr" / "factsheets" / "dpo.docx"
    target = hyperlinks(sheet)[0][0]
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(sheet)],
                            capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "dpo.pdf"
    assert pdf.is_file(), result.stderr
    assert target in text(pdf)
    uris = {str(a["/A"]["/URI"]) for _, a in links(PdfReader(pdf)) if a.get("/A") and "/URI" in a["/A"]}
    assert target in uris


def test_a_source_nothing_cites_is_listed_as_general_after_the_cited_ones(project: Path) -> None:
    with (project / "data" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write('  - id: uncited\n    title:\n      fr: "Rapport jamais cité"\n      en: "Report never cited"\n')
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 0, result.output
    path = project / "output" / "fr" / "briefing.pdf"
    page, entries = sources_page(path, "fr")
    last = len(titles("fr")) + 1
    assert entries[last] == "Rapport jamais cité"
    general = text(path, page).split("Sources générales")[1]
    assert general.strip().startswith(f"{last}. Rapport jamais cité")
    reader = PdfReader(path)
    assert not [a for _, a in links(reader) if dest_name(a) in (f"source-{last}", f"cite-{last}")]
