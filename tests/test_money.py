"""Amounts of money in millions or billions, in each language, that never split across lines."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dpo_docs.i18n import NBSP, format_date, format_figure, markup
from dpo_docs.model import Figure
from tests.conftest import pdf_text, run
from tests.test_briefing import flat

FRENCH = {
    1_000_000: "1 million de dollars des États-Unis",
    152_300_000: "152,3 millions de dollars des États-Unis",
    999_900_000: "999,9 millions de dollars des États-Unis",
    1_000_000_000: "1 milliard de dollars des États-Unis",
    2_100_000_000: "2,1 milliards de dollars des États-Unis",
    5_380_000_000: "5,38 milliards de dollars des États-Unis",
}
ENGLISH = {
    1_000_000: "US$1 million",
    152_300_000: "US$152.3 million",
    999_900_000: "US$999.9 million",
    1_000_000_000: "US$1 billion",
    2_100_000_000: "US$2.1 billion",
    5_380_000_000: "US$5.38 billion",
}
# Billions from the Arabic catalog; millions from its fuzzy entries (printed, listed for review).
ARABIC = {
    1_000_000: "1 مليون دولار أمريكي",
    152_300_000: "152.3 مليون دولار أمريكي",
    999_900_000: "999.9 مليون دولار أمريكي",
    1_000_000_000: "1 مليار دولار أمريكي",
    2_100_000_000: "2.1 مليار دولار أمريكي",
    5_380_000_000: "5.38 مليار دولار أمريكي",
}
SPANISH = {
    1_000_000: "1 millón de dólares de los Estados Unidos",
    152_300_000: "152,3 millones de dólares de los Estados Unidos",
    2_100_000_000: "2,1 miles de millones de dólares de los Estados Unidos",
}
# UN Russian abbreviates the scale and the currency, which then take no plural ending.
RUSSIAN = {
    1_000_000: "1 млн долл. США",
    152_300_000: "152,3 млн долл. США",
    5_380_000_000: "5,38 млрд долл. США",
}
# Chinese counts in 亿 (10^8) and 万 (10^4), as UN Chinese budget documents do.
CHINESE = {
    1_000_000: "100万美元",
    152_300_000: "1.523亿美元",
    999_900_000: "9.999亿美元",
    5_380_000_000: "53.8亿美元",
}


def usd(value: float, qualifier: str = "exact") -> Figure:
    """A figure of ``value`` US dollars."""
    return Figure(id="budget", label={"fr": "Budget"}, value=value, unit="usd", qualifier=qualifier,
                  as_of=dt.date(2025, 6, 30), sources=("source",))


def spaced(text: str) -> str:
    """``text`` with its no-break spaces (plain and narrow) read as spaces; ``flat`` folds them too."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


@pytest.mark.parametrize(("lang", "expected"), [("fr", FRENCH), ("en", ENGLISH), ("ar", ARABIC), ("es", SPANISH),
                                                ("ru", RUSSIAN), ("zh", CHINESE)])
def test_amounts_read_in_millions_or_billions(lang: str, expected: dict[int, str]) -> None:
    assert {value: spaced(format_figure(usd(value), lang)) for value in expected} == expected


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("value", [1_000_000, 152_300_000, 2_100_000_000])
def test_the_amount_and_its_scale_word_are_joined(lang: str, value: int) -> None:
    text = format_figure(usd(value), lang)
    assert re.search(r"\d\u00a0(millions?|milliards?|billion|million|مليار|مليون)\b", text), text


def test_rounding_up_to_a_billion_moves_to_billions() -> None:
    assert spaced(format_figure(usd(999_960_000), "fr")) == "1 milliard de dollars des États-Unis"
    assert spaced(format_figure(usd(1_500_000_000), "fr")) == "1,5 milliard de dollars des États-Unis"


def test_the_qualifier_stays_with_its_number() -> None:
    assert format_figure(usd(152_300_000, "about"), "en") == f"about{NBSP}US$152.3{NBSP}million"


def test_a_budget_in_millions_prints_in_millions_in_the_briefing(project: Path) -> None:
    figures = project / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    assert "value: 5380000000\n" in text
    figures.write_text(text.replace("value: 5380000000\n", "value: 152300000\n"), encoding="utf-8")
    result = run(project, "build", "--lang", "fr,en", "--only", "briefing")
    assert result.exit_code == 0, result.output
    # The value may wrap in its card ("152,3 millions de / dollars…"): read it as a reader would.
    french = flat(pdf_text(project / "output/fr/briefing.pdf"))
    assert "152,3 millions de dollars des États-Unis" in french
    assert "0,15 milliard" not in french
    english = flat(pdf_text(project / "output/en/briefing.pdf"))
    assert "US$152.3 million" in english
    assert "US$0.15 billion" not in english


def test_dates_and_counted_numbers_in_texts_stay_on_one_line() -> None:
    assert format_date(dt.date(2025, 1, 1), "fr") == f"1er{NBSP}janvier{NBSP}2025"
    assert str(markup({"fr": "dans les 11 opérations, depuis le 1er avril"}, "fr")) == (
        f'dans les 11{NBSP}opérations, depuis le <span class="last-word">1<sup>er</sup>{NBSP}avril</span>')
    assert str(markup({"fr": "environ 68 000 personnes, format A4 et 2719 (2024)"}, "fr")) == (
        f'environ 68{NBSP}000{NBSP}personnes, format A4 et 2719 <span class="last-word">(2024)</span>')
