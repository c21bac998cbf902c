"""The pipeline: load, validate, plan, render what is stale, then write it all.

A build whose inputs all hash as the previous build's, with every output intact, stops
after hashing: it parses no data and imports no rendering engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dpo_docs import changes, manifest
from dpo_docs.lock import build_lock, remove_stale_temp_files
from dpo_docs.settings import Settings
from dpo_docs.write import atomic_write, atomic_write_all

if TYPE_CHECKING:
    from dpo_docs.model import Data
    from dpo_docs.outputs import Job, Target
    from dpo_docs.parallel import Helpers

log = logging.getLogger(__name__)

Progress = Callable[[int, int, "Target"], None]
CHANGES_MD = "CHANGES.md"
CHANGES_JSON = "changes.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build planned, rebuilt (with why) and wrote, and its change report."""

    planned: tuple[str, ...]
    rebuilt: tuple[tuple[str, str], ...]
    written: tuple[Path, ...]
    report: dict = field(default_factory=dict)

    @property
    def stale_figures(self) -> list[dict]:
        """Figures older than the configured age."""
        return self.report.get("stale_figures", [])


def load_data(settings: Settings) -> Data:
    """Load and validate the data folder; raises DataError listing every problem."""
    return _load(settings)[0]


def _load(settings: Settings):
    """The validated data, and the loaded values with their locations."""
    from dpo_docs import loader, validate

    loaded = loader.load(settings.data_dir, root=settings.data_dir.parent)
    return validate.validate(loaded), loaded


def _unchanged(settings: Settings, previous: dict[str, Any], inputs_hash: str) -> bool:
    """True when nothing the previous build read has changed and its outputs are intact."""
    return previous.get("all_inputs") == inputs_hash and manifest.outputs_intact(previous, settings.out_dir)


def check(settings: Settings) -> list[tuple[str, str]]:
    """Every planned document with its state ("current" or why it is stale); writes nothing."""
    previous = manifest.read_manifest(settings.out_dir)
    if _unchanged(settings, previous, manifest.all_inputs_hash(settings)):
        return [(label, "current") for label in previous.get("planned", [])]
    from dpo_docs.plan import plan, with_states

    planned = with_states(plan(load_data(settings), settings), previous, settings.out_dir)
    return [(p.target.label, p.state) for p in planned]


def _report(settings: Settings, diff: dict, summary: dict, rebuilt: list[tuple[str, str]]) -> dict:
    """The change report of this build against the previous one."""
    today = changes.reference_date()
    return {
        "revision": manifest.data_revision(settings.data_dir),
        "commit": changes.git_commit(settings.data_dir),
        "rebuilt": [{"path": label, "reason": reason} for label, reason in rebuilt],
        "data": diff,
        "stale_after_months": settings.stale_after_months,
        "today": today.isoformat(),
        "stale_figures": changes.stale_figures(summary.get("figures", {}), settings.stale_after_months, today),
    }


def _write_report(out_dir: Path, report: dict) -> None:
    """Write CHANGES.md and its JSON twin."""
    md, js = changes.encode(report)
    atomic_write(out_dir / CHANGES_MD, md)
    atomic_write(out_dir / CHANGES_JSON, js)


def build(settings: Settings, progress: Progress | None = None, force: bool = False) -> BuildResult:
    """Build what is stale; nothing is written unless every stale target rendered."""
    inputs_hash = manifest.all_inputs_hash(settings)
    previous = manifest.read_manifest(settings.out_dir)
    if not force and _unchanged(settings, previous, inputs_hash):
        summary = previous.get("summary", {})
        report = _report(settings, changes.compare(summary, summary), summary, [])
        with build_lock(settings.out_dir):
            _write_report(settings.out_dir, report)
        return BuildResult(tuple(previous.get("planned", [])), (), (), report)
    return _full_build(settings, progress, force, inputs_hash)


def _full_build(settings: Settings, progress: Progress | None, force: bool, inputs_hash: str) -> BuildResult:
    """Start the helpers, then validate, plan, render the stale targets and write them all."""
    from dpo_docs.parallel import Helpers, default_workers

    workers = settings.workers or default_workers()
    if workers <= 1:
        return _validate_and_render(settings, progress, force, inputs_hash, workers, None)
    # Started first: the helpers load their engines while this process loads the data.
    with Helpers(workers - 1) as helpers:
        return _validate_and_render(settings, progress, force, inputs_hash, workers, helpers)


def _validate_and_render(settings: Settings, progress: Progress | None, force: bool, inputs_hash: str,
                         workers: int, helpers: Helpers | None) -> BuildResult:
    """Validate, plan, render the stale targets, write them, then the report and manifest."""
    from dpo_docs import translations
    from dpo_docs.parallel import render_all
    from dpo_docs.plan import plan, with_states

    data, loaded = _load(settings)  # invalid data stops the build before the output folder is touched
    if settings.strict:
        error = translations.strict_problems(loaded, settings.langs)
        if error:
            raise error
    missing = translations.report(loaded, settings.langs)
    out_dir = settings.out_dir
    with build_lock(out_dir):
        for path in remove_stale_temp_files(out_dir):
            log.info("removed %s, left by an interrupted build", path)
        previous = manifest.read_manifest(out_dir)  # re-read: another build may have finished
        jobs: dict[str, Job] = {}
        planned = with_states(plan(data, settings, jobs), previous, out_dir, force)
        stale = [p for p in planned if p.stale]
        rendered = render_all([p.target for p in stale], data, settings, jobs, workers, progress, helpers)
        # All temporary files first, then the moves: a full disk leaves every output as it was.
        atomic_write_all({out_dir / rel: content for rel, content in rendered.items()})
        written = [out_dir / rel for rel in rendered]
        summary = changes.summary(data)
        rebuilt = [(p.target.label, p.state) for p in stale]
        report = _report(settings, changes.compare(previous.get("summary"), summary), summary, rebuilt)
        report["missing_translations"] = missing
        _write_report(out_dir, report)
        entries = dict(previous.get("targets", {}))
        for item in planned:
            old = entries.get(item.target.label, {}).get("outputs", {})
            entries[item.target.label] = {
                "kind": item.target.kind, "lang": item.target.lang, "key": item.target.key,
                "inputs": item.inputs,
                "outputs": {rel: manifest.sha256(rendered[rel]) if rel in rendered else old[rel]
                            for rel in item.target.paths},
            }
        new_manifest = {
            "format": manifest.FORMAT, "targets": entries, "summary": summary,
            "planned": [p.target.label for p in planned], "all_inputs": inputs_hash,
            "revision": report["revision"],
        }
        # The manifest goes last: if the build dies before this, the next one sees
        # outputs that do not match it and rebuilds them.
        atomic_write(manifest.manifest_path(out_dir), manifest.encode_manifest(new_manifest))
    return BuildResult(tuple(new_manifest["planned"]), tuple(rebuilt), tuple(written), report)
