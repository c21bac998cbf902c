"""The pipeline: load, validate, plan, render what is stale, then write it all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dpo_docs import changes, loader, manifest, validate
from dpo_docs.lock import build_lock, remove_stale_temp_files
from dpo_docs.model import Data
from dpo_docs.outputs import Job, Target, outputs
from dpo_docs.plan import Planned, plan, with_states
from dpo_docs.settings import Settings
from dpo_docs.write import atomic_write

log = logging.getLogger(__name__)

Progress = Callable[[int, int, Target], None]
CHANGES_MD = "CHANGES.md"
CHANGES_JSON = "changes.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build planned, rebuilt and wrote, and its change report."""

    planned: tuple[Planned, ...]
    written: tuple[Path, ...]
    report: dict = field(default_factory=dict)

    @property
    def rebuilt(self) -> tuple[Planned, ...]:
        """The targets that were rendered."""
        return tuple(p for p in self.planned if p.stale)

    @property
    def stale_figures(self) -> list[dict]:
        """Figures older than the configured age."""
        return self.report.get("stale_figures", [])


def load_data(settings: Settings) -> Data:
    """Load and validate the data folder; raises DataError listing every problem."""
    return validate.validate(loader.load(settings.data_dir, root=settings.data_dir.parent))


def check(settings: Settings) -> list[Planned]:
    """Every planned target with its state; nothing is rendered or written."""
    data = load_data(settings)
    return with_states(plan(data, settings), manifest.read_manifest(settings.out_dir), settings.out_dir)


def _render(stale: list[Planned], jobs: dict[str, Job], progress: Progress | None) -> dict[str, bytes]:
    """Render every stale target to memory, in plan order."""
    kinds = outputs()
    rendered: dict[str, bytes] = {}
    for done, item in enumerate(stale, start=1):
        target = item.target
        log.info("rendering %s (%s)", target.label, item.state)
        rendered.update(kinds[target.kind].render(target, jobs[target.lang]))
        if progress:
            progress(done, len(stale), target)
    return rendered


def _report(data: Data, settings: Settings, previous: dict, stale: list[Planned]) -> dict:
    """The change report of this build against the previous one."""
    today = changes.reference_date()
    return {
        "revision": manifest.data_revision(settings.data_dir),
        "commit": changes.git_commit(settings.data_dir),
        "rebuilt": [{"path": p.target.label, "reason": p.state} for p in stale],
        "data": changes.compare(previous.get("summary"), changes.summary(data)),
        "stale_after_months": settings.stale_after_months,
        "today": today.isoformat(),
        "stale_figures": changes.stale_figures(data, settings.stale_after_months, today),
    }


def build(settings: Settings, progress: Progress | None = None, force: bool = False) -> BuildResult:
    """Build what is stale; nothing is written unless every stale target rendered."""
    data = load_data(settings)  # invalid data stops the build before the output folder is touched
    out_dir = settings.out_dir
    with build_lock(out_dir):
        for path in remove_stale_temp_files(out_dir):
            log.info("removed %s, left by an interrupted build", path)
        jobs: dict[str, Job] = {}
        previous = manifest.read_manifest(out_dir)
        planned = with_states(plan(data, settings, jobs), previous, out_dir, force)
        stale = [p for p in planned if p.stale]
        rendered = _render(stale, jobs, progress)
        written = []
        for rel, content in rendered.items():
            atomic_write(out_dir / rel, content)
            written.append(out_dir / rel)
        report = _report(data, settings, previous, stale)
        md, js = changes.encode(report)
        atomic_write(out_dir / CHANGES_MD, md)
        atomic_write(out_dir / CHANGES_JSON, js)
        entries = dict(previous.get("targets", {}))
        for item in planned:
            entries[item.target.label] = {
                "kind": item.target.kind, "lang": item.target.lang, "key": item.target.key,
                "inputs": item.inputs,
                "outputs": {rel: manifest.sha256(rendered[rel]) if rel in rendered
                            else entries[item.target.label]["outputs"][rel] for rel in item.target.paths},
            }
        new_manifest = {"format": manifest.FORMAT, "targets": entries,
                        "summary": changes.summary(data), "revision": report["revision"]}
        # The manifest goes last: if the build dies before this, the next one sees
        # outputs that do not match it and rebuilds them.
        atomic_write(manifest.manifest_path(out_dir), manifest.encode_manifest(new_manifest))
    return BuildResult(tuple(planned), tuple(written), report)
