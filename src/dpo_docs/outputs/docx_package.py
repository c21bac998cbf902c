"""Open and write Word packages: fast through python-docx's internals, or through its public API.

Opening the template and zipping each sheet are most of a fact sheet's cost. The fast
path parses each XML part of a template once and builds every sheet's package from
copies, and collects the parts python-docx would zip without zipping them twice; it
uses python-docx's package reader and writer, which are not public API. When they are
missing (another python-docx version), the public ``docx.Document`` and
``Document.save`` are used instead. Both paths give the same bytes (a test checks).
"""

from __future__ import annotations

import copy
import io
import logging
import zipfile
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Already-compressed media are stored: deflating a chart PNG again took as long as
# zipping all the rest of a sheet, to save under a tenth of its size.
STORED_SUFFIXES = (".png", ".jpg", ".jpeg")
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@cache
def fast_path() -> bool:
    """True when the installed python-docx has the internals the fast path uses."""
    try:
        from docx.opc.package import Unmarshaller
        from docx.opc.part import PartFactory, XmlPart
        from docx.opc.pkgreader import PackageReader
        from docx.opc.pkgwriter import PackageWriter
    except ImportError as exc:
        log.info("python-docx without its package internals (%s): Word files written through its public API", exc)
        return False
    needed = ((Unmarshaller, "unmarshal"), (PackageReader, "from_file"), (XmlPart, "load"),
              (PackageWriter, "_write_content_types_stream"), (PackageWriter, "_write_pkg_rels"),
              (PackageWriter, "_write_parts"))
    missing = [f"{owner.__name__}.{name}" for owner, name in needed if not hasattr(owner, name)]
    if missing or not callable(PartFactory):
        log.info("python-docx lacks %s: Word files written through its public API", ", ".join(missing))
        return False
    return True


def open_document(data: bytes, fast: bool | None = None) -> Any:
    """A python-docx Document of the .docx in ``data``; ValueError when it is not a Word document."""
    document = _fast_open(data) if (fast_path() if fast is None else fast) else _public_open(data)
    if document.part.content_type != WORD_MAIN:
        raise ValueError(f"not a Word file, content type is {document.part.content_type!r}")
    return document


def package_bytes(document: Any, fast: bool | None = None) -> bytes:
    """The document zipped reproducibly, with the shipped fonts it uses embedded: same bytes either path."""
    from dpo_docs.outputs.docx_fonts import embed_fonts

    items = _fast_items(document) if (fast_path() if fast is None else fast) else _public_items(document)
    # Package-level, after either path: the embedded faces are the same bytes both ways.
    return zip_items(embed_fonts(items))


def _public_open(data: bytes) -> Any:
    """Open through the public API."""
    import docx

    return docx.Document(io.BytesIO(data))


def _public_items(document: Any) -> dict[str, bytes]:
    """The zip items of the public ``save``, read back."""
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as saved:
        return {name: saved.read(name) for name in saved.namelist()}


# Template bytes -> (package reader, partname -> (part class, parsed XML)).
_PARSED: dict[bytes, tuple[Any, dict[Any, tuple[type, Any]]]] = {}


def _fast_open(data: bytes) -> Any:
    """Open as ``docx.Document`` does, parsing each XML part once per distinct template.

    The key is the bytes themselves, so an edited template is never served stale;
    every call builds the package from deep copies of the trees, twice as fast as parsing.
    """
    from docx.opc.package import Unmarshaller
    from docx.opc.part import PartFactory, XmlPart
    from docx.opc.pkgreader import PackageReader
    from docx.package import Package

    cached = _PARSED.get(data)
    if cached is None:
        reader, parsed = PackageReader.from_file(io.BytesIO(data)), {}

        def parse(partname, content_type, reltype, blob, package):
            part = PartFactory(partname, content_type, reltype, blob, package)
            # Only the parts XmlPart.load makes: it is parse_xml(blob) then cls(...).
            if isinstance(part, XmlPart) and type(part).load.__func__ is XmlPart.load.__func__:  # type: ignore[attr-defined]
                parsed[partname] = (type(part), part.element)
            return part

        Unmarshaller.unmarshal(reader, Package(), parse)
        if len(_PARSED) > 4:
            _PARSED.clear()
        cached = _PARSED[data] = (reader, parsed)
    reader, parsed = cached

    def copy_part(partname, content_type, reltype, blob, package):
        if partname not in parsed:
            return PartFactory(partname, content_type, reltype, blob, package)
        part_class, element = parsed[partname]
        return part_class(partname, content_type, copy.deepcopy(element), package)  # type: ignore[call-arg]

    package = Package()
    Unmarshaller.unmarshal(reader, package, copy_part)
    part = package.main_document_part
    if part.content_type != WORD_MAIN:
        raise ValueError(f"not a Word file, content type is {part.content_type!r}")
    return part.document


class _Collector:
    """Stands in for python-docx's zip writer: keeps each item's bytes by member name."""

    def __init__(self) -> None:
        """Start with no items."""
        self.items: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        """Keep one item, as python-docx's writer would store it."""
        self.items[pack_uri.membername] = blob


def _fast_items(document: Any) -> dict[str, bytes]:
    """The items python-docx's own save writes, collected without zipping them."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    collector = _Collector()
    PackageWriter._write_content_types_stream(collector, parts)
    PackageWriter._write_pkg_rels(collector, package.rels)
    PackageWriter._write_parts(collector, parts)  # type: ignore[arg-type]  # writes as a PhysPkgWriter does
    return collector.items


def zip_items(items: dict[str, bytes], stored_suffixes: tuple[str, ...] = STORED_SUFFIXES) -> bytes:
    """A zip of name -> bytes with fixed timestamps, attributes and entry order.

    ``[Content_Types].xml`` comes first, as Office expects.
    """
    names = sorted(items, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            stored = name.lower().endswith(stored_suffixes)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 0  # the default depends on the host OS
            info.external_attr = 0
            dst.writestr(info, items[name])
    return out.getvalue()
