"""Plan a build: every target the settings ask for, its context's hash, and its state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dpo_docs.deps import engine_fingerprint
from dpo_docs.manifest import DigestCache, Manifest, State, Status, status
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Target, context_fingerprint, outputs


@dataclass(frozen=True)
class Planned:
    """A target, the hash of its context, and whether (and why) it must be built."""

    target: Target
    context: str
    status: Status = Status(State.CURRENT)

    @property
    def stale(self) -> bool:
        """True when the target has to be rendered again."""
        return self.status.stale

    @property
    def state(self) -> str:
        """The state as reports say it."""
        return str(self.status)


def plan(data: Data, settings, jobs: dict[str, Job] | None = None) -> list[Planned]:
    """Every target in a stable order (language, kind, data order), with its context's hash."""
    kinds = outputs()
    jobs = jobs if jobs is not None else {}
    planned = []
    for lang in settings.langs:
        job = jobs.setdefault(lang, Job(data, settings, lang))
        for name in settings.only:
            for target in kinds[name].targets(data, lang, settings):
                digest = context_fingerprint(target, job)
                planned.append(Planned(replace(target, revision=digest[:12]), digest))
    return planned


def roots(settings) -> dict[str, Path]:
    """The folders whose files renders may read, by the names the manifest uses."""
    from dpo_docs.templates import roots as template_roots

    return template_roots(settings)


def with_states(planned: list[Planned], previous: Manifest, settings, digests: DigestCache,
                force: bool = False) -> list[Planned]:
    """The plan with each target's state against the previous build's manifest."""
    engine = engine_fingerprint()
    folders = roots(settings)
    return [
        replace(p, status=Status(State.FORCED) if force else status(
            previous.entries.get(p.target.label), p.context, engine, settings, folders,
            settings.out_dir, p.target.paths, digests))
        for p in planned
    ]


def orphans(planned: list[Planned], previous: Manifest, settings) -> list[str]:
    """Labels of documents of the planned kinds and languages that the previous build
    made and this plan no longer makes (a unit that lost its fact sheet, say)."""
    labels = {p.target.label for p in planned}
    return sorted(label for label, entry in previous.entries.items()
                  if label not in labels and entry.kind in settings.only and entry.lang in settings.langs)
