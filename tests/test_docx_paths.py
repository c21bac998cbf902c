"""The Word writer's fast path (python-docx internals) and its public-API fallback give the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from dpo_docs.build import load_data
from dpo_docs.outputs import docx_package as package
from dpo_docs.outputs import make
from dpo_docs.plan import plan
from dpo_docs.settings import default_settings


@pytest.fixture
def sheets(project: Path):
    """The fact sheets of the default data, planned, with their Job."""
    settings = default_settings(project)
    jobs: dict = {}
    planned = plan(load_data(settings), settings, jobs)
    return [p.target for p in planned if p.target.kind == "factsheets"], jobs["fr"]


def test_the_fast_path_is_in_use_with_the_installed_python_docx() -> None:
    assert package.fast_path()


def test_both_paths_write_the_same_bytes(sheets, monkeypatch: pytest.MonkeyPatch) -> None:
    targets, job = sheets
    fast = {t.label: make(t, job).files[t.label] for t in targets}
    monkeypatch.setattr(package, "fast_path", lambda: False)
    public = {t.label: make(t, job).files[t.label] for t in targets}
    assert fast == public
    sheet = docx.Document(io.BytesIO(public["fr/factsheets/oma.docx"]))
    assert sheet.paragraphs[0].text or any(p.style.name.startswith("Heading") for p in sheet.paragraphs)


def test_the_template_opens_the_same_either_way(project: Path) -> None:
    data = (project / "templates/factsheet.docx").read_bytes()
    fast = package.package_bytes(package.open_document(data, fast=True), fast=True)
    public = package.package_bytes(package.open_document(data, fast=False), fast=False)
    assert fast == public
    for path in (True, False):
        with pytest.raises(ValueError, match="not a Word file"):
            package.open_document(_retyped(data), fast=path)


def _retyped(data: bytes) -> bytes:
    """The .docx with its main part declared as a Word template (.dotx) instead."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        items = {name: src.read(name) for name in src.namelist()}
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
    return package.zip_items(items)
