"""The history timeline reads in the document's direction: mirrored in Arabic, labels apart and inside."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dpo_docs.chart.shape import BIDI_CONTROLS, strip_controls, width_em
from dpo_docs.i18n import direction
from dpo_docs.timeline import LABEL_SIZE, Mark, timeline_svg
from tests.conftest import copy_project, run

SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Glyphs reach about 0.3 em below the baseline and one em above it.
DESCENT = 0.3 * LABEL_SIZE


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the default project."""
    return copy_project(tmp_path_factory.mktemp("timeline"))


def _briefing_context(project: Path, lang: str) -> dict:
    """What the briefing hands its renderer for ``lang``: the marks, the timeline's title and description."""
    from dpo_docs.build import load_data
    from dpo_docs.outputs import Job, Target
    from dpo_docs.outputs.briefing import Briefing
    from dpo_docs.settings import default_settings

    settings = default_settings(project)
    job = Job(load_data(settings), settings, lang)
    return Briefing().context(Target("briefing", lang, "briefing", (f"{lang}/briefing.pdf",)), job)


def _drawn(project: Path, lang: str) -> str:
    """The timeline of the default data's ``lang`` briefing, drawn in the direction of its language."""
    context = _briefing_context(project, lang)
    return timeline_svg(context["marks"], width=482.0, title=context["timeline_title"],
                        desc=context["timeline_desc"], rtl=direction(lang) == "rtl")


def _briefing_timeline(project: Path, lang: str) -> str:
    """The timeline inside the briefing's HTML, as the build renders it."""
    from dpo_docs.outputs import Session
    from dpo_docs.outputs.briefing import Briefing
    from dpo_docs.settings import default_settings

    html = Briefing().html(_briefing_context(project, lang), Session(default_settings(project), lang))
    figure = re.search(r'<figure class="timeline">\s*(<svg.*?</svg>)', html, re.S)
    assert figure, "no timeline in the briefing"
    return figure.group(1)


def _marks(root: ET.Element) -> dict[int, list[float]]:
    """The x of each mark on the axis, by year."""
    found: dict[int, list[float]] = {}
    for circle in root.iter(f"{SVG}circle"):
        found.setdefault(int(circle.get("data-year")), []).append(float(circle.get("cx")))
    return found


def _box(text: ET.Element) -> tuple[float, float, float, float]:
    """Where a <text> is drawn (left, top, right, bottom), measured as the timeline measures it."""
    x, y = float(text.get("x")), float(text.get("y"))
    size = float(text.get("font-size", "7"))
    width = width_em(text.text or "", bold=text.get("font-weight") == "bold") * size
    anchor = text.get("text-anchor", "start")
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return left, y - size, left + width, y + DESCENT


def _labels(root: ET.Element) -> list[tuple[int, list[ET.Element], tuple[float, float, float, float]]]:
    """Each event's label: its year, its <text> elements and the box they fill together."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "event":
            continue
        texts = list(group.iter(f"{SVG}text"))
        boxes = [_box(t) for t in texts]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        found.append((int(group.get("data-year")), texts, box))
    return found


def _check_layout(svg: str, rtl: bool) -> ET.Element:
    """The timeline runs in its direction; its labels and decades neither overlap nor leave the drawing."""
    root = ET.fromstring(svg)
    marks = _marks(root)
    earliest, latest = marks[min(marks)][0], marks[max(marks)][0]
    assert (earliest > latest) if rtl else (earliest < latest)
    _, _, width, height = map(float, root.get("viewBox").split())
    labels = _labels(root)
    assert len(labels) == sum(len(xs) for xs in marks.values())
    boxes = [box for _, _, box in labels]
    for left, top, right, bottom in boxes:
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (left, top, right, bottom, width)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"labels overlap: {a} and {b}"
    for year, texts, (left, _, right, _) in labels:
        # Each label starts at its mark and runs away from the axis's start.
        x = marks[year][0]
        # The number comes first in reading order: "3. label", or ".3" at the right of its label.
        assert re.fullmatch(r"\.\d+" if rtl else r"\d+\. .+", texts[0].text)
        if rtl:
            assert abs(right - x) < 4 and left < x
        else:
            assert abs(left - x) < 4 and right > x
    decades = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    years = [int(t.text) for t in sorted(decades, key=lambda t: float(t.get("x")))]
    assert years == sorted(years, reverse=rtl)
    for text in decades:
        left, _, right, _ = _box(text)
        assert 0 <= left and right <= width
    return root


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_timeline_runs_in_the_direction_of_the_language(project: Path, lang: str) -> None:
    root = _check_layout(_drawn(project, lang), rtl=lang == "ar")
    labels = {" ".join(t.text for t in texts) for _, texts, _ in _labels(root)}
    # The Arabic edition's labels fall back to English, drawn in their own, logical order
    # after (to the left of) their number: a bidi pass over the whole line would give
    # "late 1980s – 1948".
    expected = {"fr": "2. 1948 – fin des années 1980", "ar": ".2 1948 – late 1980s"}[lang]
    assert expected in labels
    for text in root.iter(f"{SVG}text"):
        assert not BIDI_CONTROLS.search(text.text or "")


def test_arabic_briefing_draws_its_timeline_right_to_left(project: Path) -> None:
    _check_layout(_briefing_timeline(project, "ar"), rtl=True)


def test_french_briefing_draws_its_timeline_left_to_right(project: Path) -> None:
    _check_layout(_briefing_timeline(project, "fr"), rtl=False)


ARABIC_MARKS = [
    Mark(1, 1948, "1948"),
    Mark(2, 1948, "\u200e1948 – late 1980s\u200e"),  # an English fallback, framed for Word
    Mark(3, 2000, "تقرير الإبراهيمي (2000)"),
    Mark(4, 2019, "إدارة عمليات السلام"),
    Mark(5, 2021, "أولويات العمل من أجل حفظ السلام"),
]


@pytest.mark.parametrize("rtl", [True, False])
def test_arabic_labels_are_tagged_measured_and_kept_inside(rtl: bool) -> None:
    root = _check_layout(timeline_svg(ARABIC_MARKS, width=482.0, title="t", desc="d", rtl=rtl), rtl=rtl)
    tagged = [t for t in root.iter(f"{SVG}text") if t.get(XML_LANG) == "ar"]
    assert len(tagged) == 3
    # WeasyPrint sets SVG text one character at a time: Arabic goes in joined, in display
    # order, its brackets mirrored, so "(2000)" stays "(2000)" at the left end of its label.
    report = next(t.text for t in tagged if "2000" in t.text)
    assert re.search(r"\(2000\)", report) and "تقرير" not in report
    assert strip_controls(ARABIC_MARKS[1].label) in " ".join(t.text for t in root.iter(f"{SVG}text"))


def test_arabic_briefing_is_drawn_only_in_the_shipped_faces(project: Path) -> None:
    # The chart's and timeline's Arabic is measured with the shipped Noto Sans Arabic: drawn
    # in a system font it would be wider than measured and run out of its box.
    result = run(project, "build", "--lang", "ar", "--only", "briefing")
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pdffonts", str(project / "output/ar/briefing.pdf")],
                             capture_output=True, text=True, check=True).stdout
    faces = {line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:]}
    assert faces and all(face.startswith("Noto-Sans") for face in faces), faces
