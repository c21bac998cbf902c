"""The registry of document kinds: name -> the class that makes them.

It imports nothing heavy, so the command line can offer the names without loading an
engine. ``--only`` choices, the default selection, parallel warm-up and the docs all
come from here; a kind module whose class is not listed fails the test suite.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

REGISTRY: dict[str, str] = {
    "briefing": "dpo_docs.outputs.briefing:Briefing",
    "factsheets": "dpo_docs.outputs.factsheets:Factsheets",
    "orgchart": "dpo_docs.outputs.orgchart:Orgchart",
    "site": "dpo_docs.outputs.site:Site",
}
NAMES: tuple[str, ...] = tuple(REGISTRY)
# Kinds built only when asked for (``--only site``): a build given no selection makes
# the print documents, as it always has.
ON_REQUEST: frozenset[str] = frozenset({"site"})
DEFAULT_NAMES: tuple[str, ...] = tuple(n for n in NAMES if n not in ON_REQUEST)


@cache
def kinds() -> dict[str, Any]:
    """Every registered kind, instantiated, by name (checked to carry the name it is listed under)."""
    found = {}
    for name, where in REGISTRY.items():
        module, _, attr = where.partition(":")
        kind = getattr(import_module(module), attr)()
        if kind.name != name:
            raise RuntimeError(f"kind registry: {where} calls itself {kind.name!r}, listed as {name!r}")
        found[name] = kind
    return found
