"""Render targets in a pool of worker processes, each set up once and reused."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dpo_docs.model import Data
    from dpo_docs.outputs import Job, Target
    from dpo_docs.settings import Settings

log = logging.getLogger(__name__)

# One worker's long-lived state: the data and one Job per language, so fonts, the
# Jinja environment and WeasyPrint's font configuration are built once per process.
_worker: dict = {}


def default_workers() -> int:
    """As many workers as the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the build that started it ends (even by kill -9)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass


def _init(data: Data, settings: Settings) -> None:
    """Set a worker up once: the data and its settings."""
    _die_with_parent()
    _worker.clear()
    _worker.update(data=data, settings=settings, jobs={})


def render_target(target: Target, jobs: dict[str, Job], data: Data, settings: Settings) -> dict[str, bytes]:
    """Render one target with the shared Job of its language."""
    from dpo_docs.outputs import Job, outputs

    job = jobs.setdefault(target.lang, Job(data, settings, target.lang))
    log.info("rendering %s", target.label)
    return outputs()[target.kind].render(target, job)


def _work(target: Target) -> dict[str, bytes]:
    """A worker's task: render one target."""
    return render_target(target, _worker["jobs"], _worker["data"], _worker["settings"])


def render_all(
    targets: list[Target], data: Data, settings: Settings, jobs: dict[str, Job], workers: int,
    progress: Callable[[int, int, Target], None] | None = None,
) -> dict[str, bytes]:
    """Render every target, in this process or in ``workers`` processes; same bytes either way."""
    rendered: dict[str, bytes] = {}
    total = len(targets)
    if workers <= 1 or total <= 1:
        for done, target in enumerate(targets, start=1):
            rendered.update(render_target(target, jobs, data, settings))
            if progress:
                progress(done, total, target)
        return rendered
    # Workers are spawned (a fresh interpreter), not forked: a fork would inherit the
    # output folder's lock. They are direct children, told to die with this process
    # (see _init), so a build killed with kill -9 leaves no worker behind.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=context, initializer=_init,
                             initargs=(data, settings)) as pool:
        # Submitted in plan order, so the largest documents (the briefing) start first.
        pending = {pool.submit(_work, target): target for target in targets}
        done_count = 0
        while pending:
            finished, _ = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                target = pending.pop(future)
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                rendered.update(future.result())
                done_count += 1
                if progress:
                    progress(done_count, total, target)
    return rendered
