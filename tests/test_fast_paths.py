"""What keeps the tool quick: light commands load no engine; HarfBuzz subsets the fonts."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dpo_docs.outputs import weasy
from tests.conftest import run

ENGINES = ("weasyprint", "docxtpl", "docx", "cairocffi", "cairosvg", "PIL")

PROBE = """
import sys
from dpo_docs.cli import main
sys.argv = ["dpo-docs", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
engines = [m for m in {engines!r} if m in sys.modules]
print("exit", code, "engines", engines)
"""


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["validate"], ["list"], ["check"]],
                         ids=" ".join)
def test_light_commands_import_no_rendering_engine(project: Path, args: list[str]) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    result = subprocess.run([sys.executable, "-c", PROBE.format(engines=ENGINES), *args], cwd=project,
                            capture_output=True, text=True)
    assert "exit 0 engines []" in result.stdout, result.stdout + result.stderr


def test_weasyprint_subsets_the_fonts_with_harfbuzz(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The page names the shipped family: with no family, the machine's default font
    # (DejaVu where LibreOffice is installed) would be used instead.
    html = ('<html lang="fr"><head><title>Essai</title></head><body style="font-family: \'Noto Sans\'">'
            '<p>Département des opérations de paix</p><p><b>Gras</b> <i>italique</i></p></body></html>')
    with caplog.at_level(logging.WARNING):
        pdf = weasy.html_to_pdf(html, tmp_path, variant="none")
    # CI installs libharfbuzz-subset0; without it WeasyPrint falls back to fontTools,
    # several times slower, and says so in a warning.
    assert weasy.font_subsetter() == "HarfBuzz"
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]
    out = tmp_path / "essai.pdf"
    out.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    # Every font is embedded as a subset: its name carries the six-letter subset tag.
    for row in rows:
        assert re.match(r"[A-Z]{6}\+Noto", row), listing
        assert row.split()[-5:-3] == ["yes", "yes"], listing  # emb, sub
