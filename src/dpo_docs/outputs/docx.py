"""Render Word fact sheets from a Jinja-tagged .docx template with docxtpl."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import zipfile
from pathlib import Path
from typing import Any

from dpo_docs.errors import TemplateError
from dpo_docs.outputs.docx_language import set_language, set_runs, word_lang
from dpo_docs.outputs.docx_links import link_addresses, raise_ordinals
from dpo_docs.outputs.docx_package import open_document, package_bytes, zip_items

log = logging.getLogger(__name__)

# A chart taller than this is scaled by height instead, so it fits an A4 page.
MAX_CHART_HEIGHT_MM = 200.0
CORE_TEXT_LIMIT = 255  # python-docx refuses longer core-property strings
# A Word template is refused before it is inflated when its zip says a part would pass
# these: the shipped one inflates to 380 kB in all, its largest ratio is 28 (styles.xml).
MAX_PART_BYTES = 50 << 20
MAX_TEMPLATE_BYTES = 200 << 20
MAX_RATIO, RATIO_FROM_BYTES = 100, 1 << 20  # a part over 1 MB inflating over 100 times
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


@functools.cache
def _environment():
    """The Jinja environment for Word templates, compiling each distinct XML part once.

    The same sandbox as the HTML templates, with its limits: a user-edited template must
    not reach Python, change what other sheets share, or ask for a billion characters.
    docxtpl hands over the same preprocessed XML for every sheet of a template, so the
    compiled template is kept and reused (compiling was half the cost of a sheet).
    """
    from dpo_docs.render import ReportingUndefined
    from dpo_docs.sandbox import Sandbox

    class CachingEnvironment(Sandbox):
        """A sandboxed environment that remembers what it compiled from strings."""

        def __init__(self, **options):
            """Set the environment up with an empty compile cache."""
            super().__init__(**options)
            self._compiled: dict[str, Any] = {}

        def from_string(self, source, globals=None, template_class=None):
            """Compile ``source`` once; later calls with the same text reuse it."""
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            compiled = self._compiled.get(source)
            if compiled is None:
                if len(self._compiled) > 64:
                    self._compiled.clear()
                compiled = self._compiled[source] = super().from_string(source)
            return compiled

    return CachingEnvironment(undefined=ReportingUndefined, autoescape=True)


@functools.cache
def _template_class() -> type:
    """DocxTemplate that does once per process the work every sheet of a template repeats.

    Opening the template (unzip, parse every XML part, styles.xml alone is 350 kB) and
    docxtpl's ``patch_xml`` (a dozen regexes over the template XML) each cost about a
    tenth of a sheet and give the same result every time.
    """
    from docxtpl import DocxTemplate

    class CachedTemplate(DocxTemplate):
        """A DocxTemplate opened from a parsed copy of its file, with patch_xml memoised."""

        docx: Any
        is_rendered: bool

        def init_docx(self, reload: bool = True) -> None:
            """Open the template from the cached parse of the file's current bytes."""
            if not self.docx or (self.is_rendered and reload):
                template = Path(self.template_file)
                try:
                    self.docx = open_document(_inflated(template.read_bytes()))
                except _TooBig as exc:
                    raise TemplateError(f"{_shown(template)}: refused, {exc}; is it a zip bomb?") from None
                except ValueError as exc:  # a zip of another kind: .dotx, .docm template, workbook
                    raise TemplateError(f"{_shown(template)}: not a Word document ({exc})") from None
                self.is_rendered = False

        def patch_xml(self, src_xml: str) -> str:
            """docxtpl's patch_xml (which depends on its input alone), once per input."""
            patched = _PATCHED.get(src_xml)
            if patched is None:
                if len(_PATCHED) > 64:
                    _PATCHED.clear()
                patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
            return patched

    return CachedTemplate


_PATCHED: dict[str, str] = {}
class _TooBig(Exception):
    """A template whose parts would inflate past the limits (a zip bomb)."""


@functools.lru_cache(maxsize=4)
def _inflated(data: bytes) -> bytes:
    """The zip in ``data`` with every part inflated and stored, refusing a zip bomb before inflating it.

    The sizes the zip's directory gives are checked first; a part that says less than
    it holds is then cut at what it says (zipfile stops there, and fails the CRC
    check), inflated a megabyte at a time. python-docx reading the original would have
    inflated each part in one piece, whatever its directory said.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        total = 0
        for info in members:
            size, packed = info.file_size, max(info.compress_size, 1)
            total += size
            if size > MAX_PART_BYTES:
                raise _TooBig(f"its part {info.filename} would inflate to {size:,} bytes "
                              f"(at most {MAX_PART_BYTES:,})")
            if size > RATIO_FROM_BYTES and size > MAX_RATIO * packed:
                raise _TooBig(f"its part {info.filename} would inflate {size // packed:,} times, "
                              f"from {packed:,} to {size:,} bytes (at most {MAX_RATIO} times)")
        if total > MAX_TEMPLATE_BYTES:
            raise _TooBig(f"its parts would inflate to {total:,} bytes (at most {MAX_TEMPLATE_BYTES:,})")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in members:
                with archive.open(info) as part:
                    copy.writestr(info.filename, b"".join(iter(lambda: part.read(1 << 20), b"")))
    return out.getvalue()


def render_factsheet(
    template: Path,
    context: dict,
    chart_png: bytes | None,
    chart_alt: str,
    chart_width_mm: float = 160,
) -> bytes:
    """Render the fact-sheet template with context; return reproducible .docx bytes."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    from dpo_docs.sandbox import allowance

    template = Path(template)
    if not template.is_file():
        raise TemplateError(f"{_shown(template)}: template not found")
    tpl = _template_class()(str(template))
    ctx = dict(context)
    doc = dict(ctx["doc"])
    ctx["doc"] = doc
    doc["chart"] = _inline_image(tpl, chart_png, chart_width_mm) if chart_png else None
    env = _environment()
    try:
        with allowance():
            tpl.render(ctx, jinja_env=env, autoescape=True)
    except (jinja2.TemplateError, OverflowError, MemoryError, RecursionError) as exc:
        # Python's own errors: {{ 10.0 ** 400 }}, or a macro calling itself without end.
        raise TemplateError(_describe(template, tpl, exc, ctx)) from None
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        # KeyError: a zip without the parts of a Word document.
        raise TemplateError(f"{_shown(template)}: not a readable .docx template ({exc})") from None
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"{_shown(template)}: rendering produced invalid XML ({exc}); "
                            "check that each tag sits whole in one paragraph") from None

    caption = str(doc.get("chart_caption") or "")
    pictures = _set_alt_text(tpl.docx, chart_alt, caption or chart_alt)
    _set_core_properties(tpl.docx, doc, ctx["build"]["date"], str(ctx["build"].get("revision") or ""))
    lang, rtl = str(doc.get("lang") or "fr"), ctx["build"].get("dir") == "rtl"
    set_language(tpl.docx, lang, rtl)
    link_addresses(tpl.docx)  # every printed address opens in a click, in Word and in its PDF
    raise_ordinals(tpl.docx, lang)  # 1er, XXe as the PDF prints them
    set_runs(tpl.docx, lang, rtl)  # each run's direction; ", " and ": " as the language writes them
    log.debug("rendered %s with %d picture(s)", template, pictures)
    # Not tpl.save(): its media replacement is unused here, and python-docx's save
    # would zip everything once only for us to unzip and re-zip it reproducibly.
    return package_bytes(tpl.docx)


def _inline_image(tpl: Any, png: bytes, width_mm: float) -> Any:
    """Make the docxtpl InlineImage for the chart, capped to fit the page height."""
    from docx.image.image import Image
    from docx.shared import Mm
    from docxtpl import InlineImage

    image = Image.from_blob(png)
    ratio = image.px_height / image.px_width if image.px_width else 1.0
    if width_mm * ratio > MAX_CHART_HEIGHT_MM:
        return InlineImage(tpl, io.BytesIO(png), height=Mm(MAX_CHART_HEIGHT_MM))
    return InlineImage(tpl, io.BytesIO(png), width=Mm(width_mm))


def _describe(template: Path, tpl: Any, exc: Exception, context: dict | None = None) -> str:
    """Say which template, which part and, where jinja knows it, which line failed."""
    from jinja2 import TemplateError as JinjaError
    from jinja2 import UndefinedError

    from dpo_docs.render import describe_missing

    where = _shown(template)
    part = getattr(tpl, "current_rendering_part", None)
    if part is not None:
        where += f" ({part.partname})"
    line = getattr(exc, "lineno", None) or _template_line(exc)
    if line:
        where += f", line {line}"
    if isinstance(exc, UndefinedError) and context is not None:
        message = describe_missing(exc, context)
    elif isinstance(exc, JinjaError):
        message = getattr(exc, "message", None) or str(exc)
    else:  # Python's own: say which, as render_template does
        detail = str(exc) or ("out of memory" if isinstance(exc, MemoryError) else "")
        message = type(exc).__name__ + (f": {detail}" if detail else "")
    context = getattr(exc, "docx_context", None)
    if context:
        # docxtpl keeps the text around the failing line: the user can find it in Word.
        near = " / ".join(t.strip() for t in context if t.strip())
        if near:
            message += f" (near: {near})"
    return f"{where}: {message}"


def _shown(template: Path) -> str:
    """A template as messages name it, like the HTML ones: ``templates/factsheet.docx``."""
    return f"{template.parent.name}/{template.name}"


def _template_line(exc: BaseException) -> int | None:
    """The template line of a runtime jinja error, read from its rewritten traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _set_alt_text(document: Any, descr: str, title: str) -> int:
    """Set descr and title on every picture's wp:docPr, in every part; return the count."""
    count = 0
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is None:
            continue
        for doc_pr in element.iter(f"{{{WP_NS}}}docPr"):
            doc_pr.set("descr", descr)
            doc_pr.set("title", title)
            count += 1
    return count


def _set_core_properties(document: Any, doc: dict, date: dt.date, revision: str = "") -> None:
    """Describe the document in its core properties, dated by the build, never the clock."""
    props = document.core_properties
    props.identifier = revision  # the data revision the sheet was built from
    props.title = str(doc.get("title") or "")[:CORE_TEXT_LIMIT]
    props.subject = str(doc.get("subtitle") or "")[:CORE_TEXT_LIMIT]
    props.language = word_lang(str(doc.get("lang") or ""))
    props.author = "dpo-docs"
    props.last_modified_by = "dpo-docs"
    props.comments = ""
    props.revision = 1
    stamp = _midnight_utc(date)
    props.created = stamp
    props.modified = stamp


def _midnight_utc(date: dt.date) -> dt.datetime:
    """Midnight UTC of a date (a datetime is reduced to its UTC date)."""
    if isinstance(date, dt.datetime):
        if date.tzinfo is not None:
            date = date.astimezone(dt.UTC)
        date = date.date()
    return dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and a stable entry order: same parts, same bytes.

    Every entry is deflated, pictures too, so the committed template stays byte-identical.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        items = {name: src.read(name) for name in src.namelist()}
    return zip_items(items, stored_suffixes=())
