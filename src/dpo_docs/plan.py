"""Plan a build: every target the settings ask for, with the hashes of its inputs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dpo_docs import manifest
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Target, outputs
from dpo_docs.settings import Settings


@dataclass(frozen=True)
class Planned:
    """A target, the hashes of what it depends on, and why it must be built (if it must)."""

    target: Target
    inputs: dict[str, str]
    state: str = "current"

    @property
    def stale(self) -> bool:
        """True when the target has to be rendered again."""
        return self.state != "current"


def plan(data: Data, settings: Settings, jobs: dict[str, Job] | None = None) -> list[Planned]:
    """Every target in a stable order (language, kind, data order), fingerprinted."""
    kinds = outputs()
    jobs = jobs if jobs is not None else {}
    planned = []
    for lang in settings.langs:
        job = jobs.setdefault(lang, Job(data, settings, lang))
        for name in settings.only:
            kind = kinds[name]
            for target in kind.targets(data, lang, settings):
                inputs = {
                    "data": manifest.json_hash(kind.view(target, job)),
                    "templates": manifest.templates_hash(settings.templates_dir, kind.templates),
                    "fonts": manifest.fonts_hash(),
                    "settings": manifest.json_hash({k: getattr(settings, k) for k in kind.settings}),
                    "code": manifest.code_hash(),
                }
                planned.append(Planned(replace(target, revision=inputs["data"][:12]), inputs))
    return planned


def with_states(planned: list[Planned], previous: dict, out_dir: Path, force: bool = False) -> list[Planned]:
    """The plan with each target's state against the previous build's manifest."""
    entries = previous.get("targets", {})
    return [
        replace(p, state="forced" if force else manifest.state(entries.get(p.target.label), p.inputs, out_dir))
        for p in planned
    ]
