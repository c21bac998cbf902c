"""PDF/UA details a screen reader user meets: table scopes, artifacts, link texts, languages, alt text, hyphens."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests.conftest import build_copy, run

PDFS = ["fr/briefing.pdf", "en/briefing.pdf", "fr/orgchart.pdf", "en/orgchart.pdf"]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The briefing and the handout of the default project, in French and English."""
    return build_copy(tmp_path_factory, "pdfua", "--only", "briefing", "--only", "orgchart", "--lang", "fr,en")


def elements(reader: PdfReader) -> list[DictionaryObject]:
    """The structure elements reachable from the structure tree's root, in reading order."""
    found: list[DictionaryObject] = []

    def walk(node: DictionaryObject) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def marked_text(reader: PdfReader) -> tuple[dict[tuple[int, int], str], list[str]]:
    """The text of each marked-content id, by (page index, id), and the text of each page's artifacts."""
    by_mcid: dict[tuple[int, int], str] = {}
    artifacts: list[str] = []
    for index, page in enumerate(reader.pages):
        stack: list[tuple[str, int | None]] = []
        artifact: list[str] = []

        def before(op, args, cm, tm, stack=stack):
            if op in (b"BDC", b"BMC"):
                props = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
                stack.append((str(args[0]), props.get("/MCID")))
            elif op == b"EMC":
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack, index=index, artifact=artifact):
            if any(tag == "/Artifact" for tag, _ in stack):
                artifact.append(value)
            else:
                mcid = next((m for _, m in reversed(stack) if m is not None), None)
                if mcid is not None:
                    by_mcid[index, mcid] = by_mcid.get((index, mcid), "") + value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        artifacts.append("".join(artifact))
    return by_mcid, artifacts


def tagged_text(reader: PdfReader) -> dict[int, str]:
    """Per page, the text a screen reader reaches through the structure tree."""
    by_mcid, _ = marked_text(reader)
    reachable = {e.indirect_reference.idnum for e in elements(reader)}
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    pages: dict[int, str] = {}
    for key, refs in zip(nums[::2], nums[1::2], strict=True):
        refs = refs.get_object()
        if not isinstance(refs, list):
            continue  # an annotation
        for mcid, ref in enumerate(refs):
            if hasattr(ref, "idnum") and ref.idnum in reachable:
                pages[key] = pages.get(key, "") + by_mcid.get((key, mcid), "")
    return pages


def element_text(element: DictionaryObject, reader: PdfReader, by_mcid: dict) -> str:
    """The text of a structure element and its descendants."""
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    parts: list[str] = []

    def walk(node: DictionaryObject, page: int | None) -> None:
        page = pages.get(node.raw_get("/Pg").idnum, page) if "/Pg" in node else page
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if isinstance(kid, int):
                parts.append(by_mcid.get((page, kid), ""))
            else:
                kid = kid.get_object()
                if isinstance(kid, DictionaryObject) and "/S" in kid:
                    walk(kid, page)

    walk(element, None)
    return " ".join("".join(parts).split())


@pytest.mark.parametrize("name", ["fr/briefing.pdf", "en/briefing.pdf"])
def test_header_cells_are_scoped(out: Path, name: str) -> None:
    headers = [e for e in elements(PdfReader(out / name)) if e["/S"] == "/TH"]
    scopes = [e["/A"].get("/Scope") for e in headers]
    assert headers and None not in scopes, "every header cell says whether it heads a column or a row"
    # The operations table: a header row of columns, then one row header per operation.
    assert "/Column" in scopes and "/Row" in scopes


@pytest.mark.parametrize("name", PDFS)
def test_running_headers_footers_and_leaders_are_artifacts(out: Path, name: str) -> None:
    reader = PdfReader(out / name)
    tagged = tagged_text(reader)
    _, artifacts = marked_text(reader)
    footer = "Page 2 sur" if name.startswith("fr") else "Page 2 of"
    # The footer is drawn, as an artifact, and never read as content.
    assert footer in artifacts[1]
    assert not any(re.search(r"Pag[ea] \d+ (sur|of) \d+", text) for text in tagged.values())
    # Every tagged text belongs to an element of the structure tree, none is left loose.
    by_mcid, _ = marked_text(reader)
    assert sum(len(t) for t in tagged.values()) == sum(len(t) for t in by_mcid.values())
    stream = reader.pages[1].get_contents().get_data()
    assert b"/Subtype /Footer" in stream
    if "briefing" in name:
        assert b"/Subtype /Header" in stream  # the running title and section
        contents = tagged[1]
        assert "...." not in contents and ". . ." not in contents  # dot leaders are not read
        assert "......" in artifacts[1]  # but still printed


@pytest.mark.parametrize("name", ["fr/briefing.pdf", "en/briefing.pdf"])  # the handout has no links
def test_links_are_described_by_what_they_show(out: Path, name: str) -> None:
    reader = PdfReader(out / name)
    for number, page in enumerate(reader.pages, start=1):
        # Spaces left out: a long address wraps where it has none.
        shown = "".join(subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(out / name), "-"],
                                       capture_output=True, text=True, check=True).stdout.split())
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] != "/Link":
                continue
            contents = " ".join(str(annotation["/Contents"]).split())
            assert contents and not contents.startswith("#"), contents
            if str(annotation.get("/Dest", "")).startswith(("source-", "cite-")):
                continue  # a source marker or back-link says more than "3" or "^" (test_source_markers.py)
            # Hyphens left out too: pdftotext joins an address broken after one of its own "-".
            assert "".join(contents.split()).replace("-", "") in shown.replace("-", ""), \
                f"page {number}: link described as {contents!r}, not as it shows"


def test_contents_links_read_their_section_titles(out: Path) -> None:
    reader = PdfReader(out / "fr/briefing.pdf")
    described = {str(a.get_object()["/Contents"]) for a in reader.pages[1]["/Annots"]}
    assert "Mission et rôle" in described
    assert not described & {"mission", "figures", "leadership", "structure", "sources"}


def speakers(element: DictionaryObject) -> list[DictionaryObject]:
    """The element and its descendants that hold marked content (text) themselves."""
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    found = [element] if any(isinstance(kid, int) for kid in kids) else []
    for kid in kids:
        if not isinstance(kid, int):
            kid = kid.get_object()
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                found += speakers(kid)
    return found


def language(element: DictionaryObject, reader: PdfReader) -> str:
    """The language a reader hears an element in: its own /Lang, else its nearest parent's, else the document's."""
    while element is not None and "/S" in element:
        if "/Lang" in element:
            return element["/Lang"]
        element = element["/P"].get_object() if "/P" in element else None
    return reader.trailer["/Root"]["/Lang"]


@pytest.mark.parametrize(("lang", "drop", "other", "text"), [
    ("fr", "      fr: Bureau de l’état de droit et des institutions chargées de la sécurité\n", "en",
     "Office of Rule of Law and Security Institutions"),
    ("en", "      en: Office of Rule of Law and Security Institutions\n", "fr",
     "Bureau de l’état de droit et des institutions chargées de la sécurité"),
])
def test_fallback_text_carries_its_language(project: Path, lang: str, drop: str, other: str, text: str) -> None:
    units = project / "data/units.yaml"
    source = units.read_text(encoding="utf-8")
    assert drop in source
    units.write_text(source.replace(drop, "", 1), encoding="utf-8")  # a name known in one language only
    result = run(project, "build", "--only", "briefing", "--lang", lang)
    assert result.exit_code == 0, result.output
    reader = PdfReader(project / "output" / lang / "briefing.pdf")
    by_mcid, _ = marked_text(reader)
    named = [e for e in elements(reader) if element_text(e, reader, by_mcid) == text]
    assert named, f"no structure element reads {text!r}"
    # Each piece of the name is spoken in the language of the element that holds it: a
    # wrapper holding only tagged pieces (a list item's body) has no language of its own.
    spoken = [s for e in named for s in speakers(e)]
    assert spoken and all(language(s, reader) == other for s in spoken), \
        [(s["/S"], s.get("/Lang")) for s in spoken]
    # Only the fallback is marked: no element of the document's own text.
    for element in elements(reader):
        if element.get("/Lang") == other:
            assert len(element_text(element, reader, by_mcid)) < 200


def chart_facts() -> tuple[int, int, str]:
    """Units in the default data's chart (the department included), its levels, the head's name."""
    root = Path(__file__).resolve().parents[1] / "data"
    units = yaml.safe_load((root / "units.yaml").read_text(encoding="utf-8"))["units"]
    department = yaml.safe_load((root / "department.yaml").read_text(encoding="utf-8"))
    department = department.get("department", department)
    parents = {u["id"]: u.get("parent") for u in units}

    def depth(unit: str | None) -> int:
        return 1 + depth(parents[unit]) if unit in parents else 1

    return len(units) + 1, max(depth(u) for u in parents), department["head"]["name"]


@pytest.mark.parametrize(("name", "words"), [
    ("fr/briefing.pdf", "{units} unités sur {levels} niveaux"),
    ("en/briefing.pdf", "{units} units on {levels} levels"),
    ("fr/orgchart.pdf", "{units} unités sur {levels} niveaux"),
    ("en/orgchart.pdf", "{units} units on {levels} levels"),
])
def test_chart_alt_text_describes_the_chart(out: Path, name: str, words: str) -> None:
    units, levels, head = chart_facts()
    figures = [str(e.get("/Alt", "")) for e in elements(PdfReader(out / name)) if e["/S"] == "/Figure"]
    chart = [alt for alt in figures if alt.startswith(("Organigramme", "Organization chart"))]
    assert chart, figures
    assert words.format(units=units, levels=levels) in chart[0]
    assert head in chart[0]


@pytest.mark.parametrize("name", ["fr/briefing.pdf", "en/briefing.pdf"])
def test_line_break_hyphens_are_soft(out: Path, name: str) -> None:
    text = subprocess.run(["pdftotext", str(out / name), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "\u2010" not in text, re.findall(r"\S*\u2010\s+\S*", text)[:5]
    if name.startswith("fr"):
        # The French briefing is hyphenated: its breaks read as soft hyphens, which text
        # tools drop when they join the lines.
        assert re.search("\\w\u00ad\n\\w", text)


@pytest.mark.parametrize("name", PDFS)
def test_an_open_pdf_ua_checker_finds_nothing(out: Path, name: str) -> None:
    import page  # the page-validation checker, in the dev extra: never skipped silently
    report = page.validate_pdf(str(out / name), profile="ua1")
    assert report.is_compliant, [f"{f.rule_id}: {f.message}" for f in report.failures]
    check = subprocess.run(["qpdf", "--check", str(out / name)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
