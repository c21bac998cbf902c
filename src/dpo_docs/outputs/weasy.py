"""WeasyPrint, loaded once per process: HTML to PDF with the shipped fonts."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from dpo_docs import fonts
from dpo_docs.errors import OutputError, SetupError

log = logging.getLogger(__name__)

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


@lru_cache(maxsize=1)
def _engine():
    """Import WeasyPrint and build one font configuration with the shipped fonts."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except OSError as exc:  # Pango or HarfBuzz missing: WeasyPrint fails on import
        raise SetupError(
            f"WeasyPrint cannot load its system libraries ({exc}); "
            f"install them with: sudo apt-get install -y {APT_PACKAGES}"
        ) from None
    config = FontConfiguration()
    font_css = weasyprint.CSS(string=fonts.font_face_css(), font_config=config)
    return weasyprint, config, font_css


def html_to_pdf(html: str, base_dir: Path) -> bytes:
    """Render an HTML string to PDF bytes; relative links resolve in ``base_dir``."""
    weasyprint, config, font_css = _engine()
    try:
        document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/")
        # custom_metadata copies <meta name="data-revision"> into the PDF's Info.
        return document.write_pdf(stylesheets=[font_css], font_config=config, custom_metadata=True)
    except Exception as exc:  # WeasyPrint raises many kinds; the build must name the document
        raise OutputError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
