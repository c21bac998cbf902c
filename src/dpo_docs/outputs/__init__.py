"""Document kinds: each module turns the data into one kind of document.

A kind builds a **context** from the data (everything its render will use, as plain
values that ``deps.fingerprint`` hashes) and **renders** one target from that context
alone, through a ``Session``: the only way a render reaches templates, files, settings
and engines, and the place where what it reads is recorded. Kinds are registered in
``dpo_docs.kinds``; adding one means adding its module and one registry line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from dpo_docs import __version__
from dpo_docs.deps import SettingsView
from dpo_docs.i18n import direction, fallback_chain, format_date, labels_for, using_fallbacks
from dpo_docs.model import Data
from dpo_docs.views import TreeNode, unit_tree


@dataclass(frozen=True)
class Target:
    """One document to build: its kind, language, subject and output paths."""

    kind: str
    lang: str
    key: str
    paths: tuple[str, ...]
    # Short hash of the document's context; set by the planner, printed in the
    # document's footer and metadata so a reader can tell which data it came from.
    revision: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """How progress and reports name it: its first output path."""
        return self.paths[0]


@dataclass
class Job:
    """What every target of one language builds its context from; made once, shared."""

    data: Data
    settings: Any  # a SettingsView: every setting a context reads is recorded
    lang: str

    def __post_init__(self) -> None:
        """Read the settings through a recording view."""
        if not isinstance(self.settings, SettingsView):
            self.settings = SettingsView(self.settings)

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

    @property
    def labels(self) -> dict[str, str]:
        """The labels in this language (a copy: a template cannot change another's)."""
        return dict(self._labels)

    @cached_property
    def _labels(self) -> dict[str, str]:
        """The catalog's labels, with the data's own wording in place of those it gives."""
        from dpo_docs.wording import wording_labels

        # A data text falls back by this build's chains, wherever the labels are first read.
        with using_fallbacks(dict(self.settings.fallbacks)):
            return {**labels_for(self.lang), **wording_labels(self.data.wording, self.lang)}

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
            # The side a line starts on, and ends on: page furniture follows the reading order.
            "start": "right" if direction(self.lang) == "rtl" else "left",
            "end": "left" if direction(self.lang) == "rtl" else "right",
            # In every context, so a change of this language's chain (and of no other's)
            # makes its documents stale: the setting itself is not recorded (deps.py).
            "fallbacks": list(self.chain),
        }

    @cached_property
    def chain(self) -> tuple[str, ...]:
        """The languages this language's documents take their texts from, in order."""
        with using_fallbacks(dict(self.settings.fallbacks)):
            return fallback_chain(self.lang)

    def build_for(self, target: Target) -> dict:
        """The ``build`` namespace of one document: the shared values plus its revision."""
        return {**self.build, "revision": target.revision}


class Session:
    """One render's access to templates, files, settings and engines; all of it recorded."""

    def __init__(self, settings: Any, lang: str):
        """A session for documents in ``lang``."""
        self.settings = settings if isinstance(settings, SettingsView) else SettingsView(settings)
        self.lang = lang

    @property
    def roots(self) -> dict[str, Path]:
        """The folders a render may read, by the name the manifest gives them."""
        from dpo_docs.templates import roots

        return roots(self.settings)

    def render_html(self, name: str, context: dict[str, Any]) -> str:
        """Render the template ``name`` (its includes and imports recorded as they load)."""
        from dpo_docs.render import environment, render_template
        from dpo_docs.typography import finish_html

        html = render_template(environment(self.settings.templates_dir, self.lang), name, context)
        return finish_html(html, self.lang)  # ", " and ": " between values, as each language writes them

    def template_file(self, name: str) -> Path:
        """The path of a template file the render reads itself (the Word template): the
        project's, else the theme's."""
        from dpo_docs.templates import find

        return find(name, self.settings.templates_dir)

    def pdf(self, html: str, document: str) -> bytes:
        """HTML to PDF with WeasyPrint; every file it fetches is recorded."""
        from dpo_docs.outputs.weasy import html_to_pdf

        return html_to_pdf(html, self.settings.templates_dir, document=document,
                           roots=(self.settings.data_dir,), variant=self.settings.pdf_variant)


class Kind(Protocol):
    """The interface every document kind implements."""

    name: str

    def targets(self, data: Data, lang: str, settings: Any) -> list[Target]:
        """The documents of this kind for ``lang``."""

    def context(self, target: Target, job: Job) -> dict[str, Any]:
        """Everything the document shows, as values ``deps.fingerprint`` can hash.

        Its hash decides whether the target is stale, so it must be cheap (no layout,
        no engine) and complete: ``render`` sees nothing else of the data.
        """

    def render(self, target: Target, context: dict[str, Any], session: Session) -> dict[str, bytes]:
        """Render one target from its context: output path (relative) to bytes."""

    def cost(self, target: Target, job: Job) -> float:
        """A rough estimate of the render time, in milliseconds.

        Parallel builds start the longest renders first, so that no worker is left
        finishing one big document while the others sit idle.
        """


def outputs() -> dict[str, Kind]:
    """The registered document kinds, by name."""
    from dpo_docs.kinds import kinds

    return kinds()


@dataclass(frozen=True)
class Made:
    """A rendered document: its files, and what its render read."""

    files: dict[str, bytes]
    read: dict[str, str | None]  # recorded files: key -> digest
    settings: dict[str, Any]  # settings read, with their values
    engine: str  # engine fingerprint of the process that rendered it


def context_fingerprint(target: Target, job: Job) -> str:
    """The hash of a target's context (its revision left out: it is made from this hash)."""
    from dataclasses import replace

    from dpo_docs.deps import fingerprint

    with using_fallbacks(dict(job.settings.fallbacks)):
        context = outputs()[target.kind].context(replace(target, revision=""), job)
    try:
        return fingerprint(context)
    except TypeError as exc:  # a kind gave its template something that cannot be hashed
        raise RuntimeError(f"{target.label}: the template context holds {exc}") from None


def make(target: Target, job: Job) -> Made:
    """Build the context and render one target, recording every file and setting it reads."""
    from dpo_docs.deps import engine_fingerprint, recording

    kind = outputs()[target.kind]
    with recording() as recorder, using_fallbacks(dict(job.settings.fallbacks)):
        context = kind.context(target, job)
        files = kind.render(target, context, Session(job.settings, job.lang))
    if set(files) != set(target.paths):
        raise RuntimeError(f"{target.label}: rendered {sorted(files)}, planned {list(target.paths)}")
    return Made(files, dict(recorder.files), dict(recorder.settings), engine_fingerprint())
