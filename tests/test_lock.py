"""The lock files pin every package the builds and the tests use, and the environment follows them."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from tests.conftest import ROOT


def _name(requirement: str) -> str:
    """A requirement's normalized project name: "Pillow>=10" -> "pillow"."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group()).lower()


def _pins(lock: str) -> dict[str, str]:
    """The lock file's pins, by normalized name."""
    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            spec = line.split(";")[0].strip()
            assert "==" in spec, f"{lock}: not an exact pin: {line}"
            name, version = spec.split("==")
            pins[_name(name)] = version
    return pins


def test_every_dependency_is_pinned_and_installed_at_its_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {_name(r) for r in project["dependencies"]} <= runtime.keys(), "run `make lock`"
    assert {_name(r) for r in project["optional-dependencies"]["dev"]} <= dev.keys(), "run `make lock`"
    for name, version in runtime.items():
        assert dev.get(name) == version, f"{name}: the two lock files disagree"
    # The packages that shape the bytes of every document are those the lock names.
    for name in ("weasyprint", "pydyf", "python-docx", "docxtpl", "fonttools", "pillow", "jinja2", "babel"):
        assert metadata.version(name) == runtime[name], name
