"""Output kinds: each module turns the data into one kind of document.

An output kind declares its ``name``, lists its targets for a language and renders one
target to bytes. Adding a format means adding one module and one line in ``OUTPUTS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from dpo_docs import __version__
from dpo_docs.i18n import direction, format_date, labels_for
from dpo_docs.model import Data
from dpo_docs.settings import Settings
from dpo_docs.views import TreeNode, unit_tree


@dataclass(frozen=True)
class Target:
    """One document to build: its kind, language, subject and output paths."""

    kind: str
    lang: str
    key: str
    paths: tuple[str, ...]
    # Short hash of the data this document shows; set by the planner, printed in the
    # document's footer and metadata so a reader can tell which data it came from.
    revision: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """How progress and reports name it: its first output path."""
        return self.paths[0]


@dataclass
class Job:
    """What every target of one language renders from; built once, shared."""

    data: Data
    settings: Settings
    lang: str

    @cached_property
    def tree(self) -> TreeNode:
        """The unit tree, rooted at the department."""
        return unit_tree(self.data)

    @cached_property
    def nodes(self) -> dict[str, TreeNode]:
        """Every node of the tree by id: a sheet finds its unit without a search."""
        return {node.id: node for node in self.tree.walk()}

    @cached_property
    def sizes(self) -> dict[str, int]:
        """How many nodes each node's subtree holds (itself included)."""
        sizes: dict[str, int] = {}
        for node in reversed(list(self.tree.walk())):  # children before their parent
            sizes[node.id] = 1 + sum(sizes[child.id] for child in node.children)
        return sizes

    @cached_property
    def labels(self) -> dict[str, str]:
        """The fixed labels in this language."""
        return labels_for(self.lang)

    @cached_property
    def env(self):
        """The Jinja environment for this language."""
        from dpo_docs.render import make_environment

        return make_environment(self.settings.templates_dir, self.lang)

    @cached_property
    def build(self) -> dict:
        """The ``build`` namespace: the date of the data and the tool's version."""
        date = self.data.data_date or dt.date(1970, 1, 1)
        return {
            "date": date,
            "data_label": format_date(date, self.lang),
            "version": __version__,
            "lang": self.lang,
            "dir": direction(self.lang),
        }

    def build_for(self, target: Target) -> dict:
        """The ``build`` namespace of one document: the shared values plus its revision."""
        return {**self.build, "revision": target.revision}


class Output(Protocol):
    """The interface every output kind implements."""

    name: str
    templates: tuple[str, ...]  # template files (under the templates folder) it reads
    settings: tuple[str, ...]  # Settings fields that change its bytes

    def targets(self, data: Data, lang: str, settings: Settings) -> list[Target]:
        """The documents of this kind for ``lang``."""

    def view(self, target: Target, job: Job) -> object:
        """Everything the document shows from the data, as plain JSON-able values.

        Its hash decides whether the target is stale, so it must be cheap (no engine
        imports) and complete (every data value the document prints).
        """

    def render(self, target: Target, job: Job) -> dict[str, bytes]:
        """Render one target: output path (relative to the output folder) to bytes."""

    def cost(self, target: Target, job: Job) -> float:
        """A rough estimate of the render time, in milliseconds.

        Parallel builds start the longest renders first, so that no worker is left
        finishing one big document while the others sit idle.
        """


def outputs() -> dict[str, Output]:
    """The registered output kinds, by name."""
    from dpo_docs.outputs.briefing import Briefing
    from dpo_docs.outputs.factsheets import Factsheets
    from dpo_docs.outputs.orgchart import Orgchart

    return {kind.name: kind for kind in (Briefing(), Factsheets(), Orgchart())}
