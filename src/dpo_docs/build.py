"""The pipeline: load, validate, plan, render every target, then write them all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dpo_docs import loader, validate
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Target, outputs
from dpo_docs.settings import Settings
from dpo_docs.write import atomic_write

log = logging.getLogger(__name__)

Progress = Callable[[int, int, Target], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    targets: tuple[Target, ...]
    written: tuple[Path, ...]


def load_data(settings: Settings) -> Data:
    """Load and validate the data folder; raises DataError listing every problem."""
    root = settings.data_dir.parent
    return validate.validate(loader.load(settings.data_dir, root=root))


def plan(data: Data, settings: Settings) -> list[Target]:
    """Every target the settings ask for, in a stable order."""
    kinds = outputs()
    return [
        target
        for lang in settings.langs
        for name in settings.only
        for target in kinds[name].targets(data, lang)
    ]


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Build every planned target; nothing is written unless every target rendered."""
    data = load_data(settings)
    targets = plan(data, settings)
    kinds = outputs()
    jobs: dict[str, Job] = {}
    rendered: dict[str, bytes] = {}
    for done, target in enumerate(targets, start=1):
        job = jobs.setdefault(target.lang, Job(data, settings, target.lang))
        log.info("rendering %s", target.label)
        rendered.update(kinds[target.kind].render(target, job))
        if progress:
            progress(done, len(targets), target)
    written = []
    for rel, content in rendered.items():
        path = settings.out_dir / rel
        atomic_write(path, content)
        written.append(path)
    return BuildResult(tuple(targets), tuple(written))
