"""The pipeline: load, validate, plan, render what is stale, then write it all.

A document is current only when what its last render read (context, files, settings,
engines) is unchanged and its files hold the bytes written. A build whose inputs all
hash as the previous build's, with every output intact, stops after hashing: it parses
no data and imports no rendering engine. Everything a build writes is decided, and
every destination checked, before the first file is moved into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dpo_docs import changes, site_index
from dpo_docs.deps import engine_fingerprint, file_digest, keep_digests, stat_cache
from dpo_docs.errors import OutputError
from dpo_docs.lock import build_lock, remove_stale_temp_files
from dpo_docs.manifest import STATE_DIR, DigestCache, Entry, Manifest, State
from dpo_docs.settings import RUN_ONLY, keep_checked
from dpo_docs.write import atomic_write, atomic_write_all, check_destinations

if TYPE_CHECKING:
    from dpo_docs.model import Data
    from dpo_docs.outputs import Job, Target
    from dpo_docs.parallel import Helpers
    from dpo_docs.plan import Planned

log = logging.getLogger(__name__)

Progress = Callable[[int, int, "Target"], None]
CHANGES_MD = "CHANGES.md"
CHANGES_JSON = "changes.json"
# Settings that change how a build runs but never the bytes it writes; folders count
# by the files read in them, not by where they are.
_NOT_INPUTS = RUN_ONLY | {"data_dir", "templates_dir", "out_dir"}
# Selections of settings (--only, --lang, …) whose no-change shortcut is kept.
MAX_SELECTIONS = 16
# What a fresh output folder may already hold (a placeholder kept under version control).
_PLACEHOLDERS = frozenset({".gitkeep", ".gitignore", ".keep"})


@dataclass(frozen=True)
class BuildResult:
    """What a build planned, rebuilt (with why), wrote and removed, and its change report."""

    planned: tuple[str, ...]
    rebuilt: tuple[tuple[str, str], ...]
    written: tuple[Path, ...]
    report: dict = field(default_factory=dict)
    removed: tuple[str, ...] = ()

    @property
    def stale_figures(self) -> list[dict]:
        """Figures older than the configured age."""
        return self.report.get("stale_figures", [])


def load_data(settings) -> Data:
    """Load and validate the data folder; raises DataError listing every problem."""
    return _load(settings)[0]


def data_warnings(settings) -> tuple[Data, list]:
    """The validated data and what is valid but worth a look: acronyms printed without an expansion."""
    from dpo_docs.glossary import unexplained

    data, loaded = _load(settings)
    return data, unexplained(loaded, data, tuple(settings.langs))


def _load(settings):
    """The validated data, and the loaded values with their locations."""
    from dpo_docs import loader, validate

    loaded = loader.load(settings.data_dir)  # files named as the user finds them from here
    return validate.validate(loaded), loaded


def _settings_values(settings) -> dict[str, Any]:
    """The settings that can change a document's bytes, as JSON-able values."""
    values = settings.model_dump() if hasattr(settings, "model_dump") else dict(vars(settings))
    return {k: v for k, v in sorted(values.items()) if k not in _NOT_INPUTS}


def data_digests(settings) -> dict[str, str | None]:
    """Digest of every candidate data file (the loader reads ``*.yaml`` and ``*.yml``)."""
    try:
        names = sorted(os.listdir(settings.data_dir))
    except OSError:
        return {}
    return {os.fsencode(n).hex(): file_digest(settings.data_dir / n)
            for n in names if n.endswith((".yaml", ".yml"))}


def selection_key(settings) -> str:
    """The hash of the settings that can change what a build makes."""
    text = json.dumps(_settings_values(settings), sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def inputs_fingerprint(data: dict[str, str | None], recorded: dict[str, str | None]) -> str:
    """One hash of a build's inputs: the data files, the files its renders read, the engines."""
    text = json.dumps({"data": data, "read": recorded, "engine": engine_fingerprint()},
                      sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.sha256(text.encode()).hexdigest()


def _recorded_now(previous: Manifest, settings, digests: DigestCache) -> dict[str, str | None]:
    """Today's digests of every file the previous build's renders read."""
    from dpo_docs.deps import key_path
    from dpo_docs.templates import roots

    folders = roots(settings)
    return {key: (digests.get(path) if (path := key_path(key, folders)) else "invalid")
            for key in sorted(previous.recorded_files())}


def _recorded_then(entries: dict[str, Entry]) -> dict[str, str | None]:
    """The digests every file had when the renders of ``entries`` read it."""
    return {key: digest for entry in entries.values() for key, digest in sorted(entry.files.items())}


def _unchanged(settings, previous: Manifest, data: dict[str, str | None],
               digests: DigestCache) -> tuple[str, ...] | None:
    """The documents planned, when nothing a build with these settings read has changed
    and every output is intact; else None."""
    known = previous.fast.get(selection_key(settings))
    if known is None:
        return None
    now = inputs_fingerprint(data, _recorded_now(previous, settings, digests))
    return known[1] if now == known[0] and previous.outputs_intact(settings.out_dir, digests) else None


def guard_output_folder(settings, force_out: bool = False) -> None:
    """Refuse an output folder that would mix built files with the user's own."""
    out = Path(os.path.abspath(settings.out_dir))
    project = Path(os.path.abspath(settings.data_dir)).parent
    shown = str(settings.out_dir)
    never = {Path("/"): "the root folder", Path.home(): "your home folder", project: "the project folder",
             Path(os.path.abspath(settings.data_dir)): "the data folder",
             Path(os.path.abspath(settings.templates_dir)): "the templates folder"}
    for place, name in never.items():
        if out == place:
            raise OutputError(f"{shown}: refusing to write documents into {name}; choose a folder of their own "
                              "(the default is ./output)")
    for folder, name in ((settings.data_dir, "data"), (settings.templates_dir, "templates")):
        folder = Path(os.path.abspath(folder))
        if out.is_relative_to(folder) or folder.is_relative_to(out):
            raise OutputError(f"{shown}: the output folder may not contain, or lie inside, the {name} folder")
    if out.is_symlink() and not out.is_dir():
        raise OutputError(f"{shown}: a broken link stands where the output folder should be")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{shown}: a file stands where the output folder should be")
    if not out.is_dir() or (out / STATE_DIR).is_dir() or force_out:
        return
    try:
        foreign = sorted(set(os.listdir(out)) - _PLACEHOLDERS)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot read the output folder: {exc.strerror}") from None
    if foreign:
        raise OutputError(
            f"{shown}: this folder holds other files ({', '.join(foreign[:3])}{', …' if len(foreign) > 3 else ''}) "
            "and no dpo-docs build; choose an empty or new folder, or pass --force-out to write there anyway")


def check(settings) -> list[tuple[str, str]]:
    """Every planned document with its state ("current" or why not), and documents to remove."""
    engine_fingerprint(settings.out_dir / STATE_DIR)  # large files' digests kept there
    previous = Manifest.load(settings.out_dir)
    digests = DigestCache(stat_cache())
    planned = _unchanged(settings, previous, data_digests(settings), digests)
    if planned is not None:
        return [(label, "current") for label in planned]
    from dpo_docs.plan import orphans, plan, with_states

    states = with_states(plan(load_data(settings), settings), previous, settings, digests)
    return ([(p.target.label, p.state) for p in states]
            + [(label, State.ORPHANED.value) for label in orphans(states, previous, settings)])


def _report(settings, today, diff: dict, summary: dict, rebuilt: list[tuple[str, str]],
            removed: list[str], revision: str) -> dict:
    """The change report of this build against the previous one."""
    return {
        "revision": revision,
        "commit": changes.git_commit(settings.data_dir),
        "rebuilt": [{"path": label, "reason": reason} for label, reason in rebuilt],
        "removed": removed,
        "data": diff,
        "stale_after_months": settings.stale_after_months,
        "today": today.isoformat(),
        "stale_figures": changes.stale_figures((summary or {}).get("figures", {}), settings.stale_after_months,
                                               today),
    }


def _revision(data: dict[str, str | None]) -> str:
    """Short hash of every data file: the revision of the data as a whole."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def build(settings, progress: Progress | None = None, force: bool = False, force_out: bool = False) -> BuildResult:
    """Build what is stale; nothing is moved into place unless every stale target rendered."""
    today = changes.reference_date()  # a bad SOURCE_DATE_EPOCH stops the build here
    engine_fingerprint(settings.out_dir / STATE_DIR)  # large files' digests kept there
    data = data_digests(settings)  # before loading: an edit made meanwhile shows next time
    if not force and _unchanged(settings, Manifest.load(settings.out_dir), data,
                                DigestCache(stat_cache())) is not None:
        guard_output_folder(settings, force_out)
        with build_lock(settings.out_dir):  # decided again under the lock: another build may be writing
            previous = Manifest.load(settings.out_dir)
            planned = _unchanged(settings, previous, data, DigestCache(stat_cache()))
            if planned is not None:
                _sweep(settings.out_dir, previous.output_paths())
                summary = previous.summary or {}
                report = _report(settings, today, changes.compare(summary, summary), summary, [], [],
                                 _revision(data))
                md, js = changes.encode(report)
                atomic_write_all({settings.out_dir / CHANGES_MD: md, settings.out_dir / CHANGES_JSON: js})
                keep_digests()
                keep_checked()
                return BuildResult(planned, (), (), report)
    return _full_build(settings, progress, force, force_out, data, today)


def _full_build(settings, progress: Progress | None, force: bool, force_out: bool, data: dict,
                today) -> BuildResult:
    """Start the helpers, then validate, plan, render the stale targets and write them all."""
    from dpo_docs.parallel import Helpers, worker_count

    # However many -j asks for, no more processes than cores: each holds the engines.
    workers = worker_count(settings.workers)
    if workers <= 1:
        return _validate_and_render(settings, progress, force, force_out, data, today, workers, None)
    # Started first: the helpers load their engines while this process loads the data.
    with Helpers(workers - 1) as helpers:
        return _validate_and_render(settings, progress, force, force_out, data, today, workers, helpers)


def _validate_and_render(settings, progress: Progress | None, force: bool, force_out: bool, data_files: dict,
                         today, workers: int, helpers: Helpers | None) -> BuildResult:
    """Validate, plan, render the stale targets, then write them, the report and the manifest."""
    from dpo_docs import translations
    from dpo_docs.parallel import render_all
    from dpo_docs.plan import orphans, plan, with_states

    data, loaded = _load(settings)  # invalid data stops the build before the output folder is touched
    if settings.strict:
        error = translations.strict_problems(loaded, settings.langs)
        if error:
            raise error
    missing = translations.report(loaded, settings.langs)
    guard_output_folder(settings, force_out)  # after the data: its problems are the ones to fix first
    out_dir = settings.out_dir
    with build_lock(out_dir):
        previous = Manifest.load(out_dir)  # read under the lock: another build may have finished
        jobs: dict[str, Job] = {}
        planned = with_states(plan(data, settings, jobs), previous, settings, DigestCache(stat_cache()), force)
        gone = orphans(planned, previous, settings)
        _sweep(out_dir, previous.output_paths() | {rel for p in planned for rel in p.target.paths})
        stale = [p for p in planned if p.stale]
        made = render_all([p.target for p in stale], data, settings, jobs, workers, progress, helpers)
        entries = _entries(previous, planned, made, gone)
        summary = changes.summary(data)
        rebuilt = [(p.target.label, p.state) for p in stale]
        removed = [rel for label in gone for rel in previous.entries[label].outputs]
        report = _report(settings, today, changes.compare(previous.summary, summary), summary, rebuilt,
                         removed, _revision(data_files))
        report["missing_translations"] = missing
        md, js = changes.encode(report)
        labels = tuple(p.target.label for p in planned)
        # Another selection's shortcut stays only while this build changed no document.
        fast = dict(previous.fast) if not (stale or gone) else {}
        fast.pop(selection_key(settings), None)
        fast[selection_key(settings)] = (inputs_fingerprint(data_files, _recorded_then(entries)), labels)
        manifest = Manifest(entries, summary, dict(list(fast.items())[-MAX_SELECTIONS:]))
        documents = {out_dir / rel: content for m in made.values() for rel, content in m.files.items()}
        files = documents | {out_dir / CHANGES_MD: md, out_dir / CHANGES_JSON: js}
        files.update(_site_index(settings, data, entries, made))
        # Every destination is checked before the first move; then all temporary files
        # are written, then moved: a full disk or a folder in the way leaves all as it was.
        check_destinations(out_dir, [*files, Manifest.path(out_dir)])
        atomic_write_all(files)
        _remove_orphans(out_dir, previous, gone)
        # The manifest goes last: if the build dies before this, the next one sees
        # outputs that do not match it and rebuilds them.
        atomic_write(Manifest.path(out_dir), manifest.encode())
        keep_digests()
        keep_checked()
    return BuildResult(labels, tuple(rebuilt), tuple(documents), report, tuple(removed))


def _sweep(out_dir: Path, outputs: set[str]) -> None:
    """Remove the temporary files an interrupted build left beside the files this tool writes."""
    for path in remove_stale_temp_files(out_dir, outputs | {CHANGES_MD, CHANGES_JSON, site_index.NAME}):
        log.info("removed %s, left by an interrupted build", path)


def _site_index(settings, data, entries: dict[str, Entry], made: dict) -> dict[Path, bytes]:
    """The web edition's index when the entries hold its pages and its bytes changed, else nothing."""
    content = site_index.page(settings, data, entries,
                              {rel: b for m in made.values() for rel, b in m.files.items()})
    path = settings.out_dir / site_index.NAME
    if content is None or (path.is_file() and path.read_bytes() == content):
        return {}
    return {path: content}


def _entries(previous: Manifest, planned: list[Planned], made: dict, gone: list[str]) -> dict[str, Entry]:
    """The manifest's entries after this build: previous ones, rebuilt ones replaced, orphans gone."""
    entries = {label: e for label, e in previous.entries.items() if label not in gone}
    for item in planned:
        target = item.target
        result = made.get(target.label)
        if result is None:
            continue  # current: its entry stands
        entries[target.label] = Entry(
            kind=target.kind, lang=target.lang, key=target.key, context=item.context, engine=result.engine,
            files=result.read, settings=result.settings,
            outputs={rel: hashlib.sha256(content).hexdigest() for rel, content in result.files.items()},
        )
    return entries


def _remove_orphans(out_dir: Path, previous: Manifest, gone: list[str]) -> None:
    """Delete the files of documents no longer made, if they still hold the bytes written."""
    for label in gone:
        for rel, digest in previous.entries[label].outputs.items():
            path = out_dir / rel
            on_disk = file_digest(path)
            if on_disk is None:
                continue
            if on_disk != digest:
                log.warning("%s is no longer built but was changed since; left in place", path)
                continue
            try:
                path.unlink()
                log.info("removed %s: its document is no longer built", path)
            except OSError as exc:
                raise OutputError(f"cannot remove {path}, which is no longer built: {exc.strerror}") from None
