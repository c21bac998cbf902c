"""Render targets in this process and a pool of helper processes, each set up once.

With N workers, this process renders too and N - 1 helpers are spawned beside it. The
helpers are started before the data is loaded (``Helpers``), so their second or so of
importing WeasyPrint and the fonts overlaps the loading, validating and planning; the
data reaches them with their first targets. Work is handed out one target at a time,
longest first, so the last documents to finish are short ones; the bytes are the same
whichever process renders a target.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dpo_docs.model import Data
    from dpo_docs.outputs import Job, Made, Target
    from dpo_docs.settings import Settings

log = logging.getLogger(__name__)

# One helper's long-lived state: the data, its settings and one Job per language, so
# fonts, the Jinja environment and WeasyPrint's font configuration are built once.
_worker: dict = {}
# Targets handed to each helper ahead of need, so it never waits for the next one.
AHEAD = 2

Progress = Callable[[int, int, "Target"], None]


def default_workers() -> int:
    """As many workers as the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent() -> None:
    """Ask Linux to end this helper when the build that started it ends (even by kill -9)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass


class _Collect(logging.Handler):
    """Keeps a helper's log records, sent back with its next result and logged by the build."""

    def __init__(self) -> None:
        """Start with none."""
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one record, its message and traceback made plain text (picklable)."""
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        """The records kept so far; forget them."""
        records, self.records = self.records, []
        return records


_collected = _Collect()


def _init(levels: dict[str, int]) -> None:
    """Set a helper up: die with the build; log at the build's levels, into ``_collected``."""
    _die_with_parent()
    root = logging.getLogger()
    root.handlers[:] = [_collected]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _levels() -> dict[str, int]:
    """The levels this process logs at, for its helpers to log alike."""
    return {name: logging.getLogger(name).level for name in ("", "dpo_docs", "weasyprint", "fontTools")}


def _warm_up() -> None:
    """Load the rendering engines while the build loads its data (errors come later, located)."""
    try:
        import docxtpl  # noqa: F401
        import PIL.Image  # noqa: F401

        from dpo_docs.outputs import weasy

        weasy._engine()
    except Exception:  # noqa: BLE001 - the first render meets the same problem and reports it
        log.debug("warming up failed", exc_info=True)


def _work(target: Target, key: str, payload: bytes | None) -> tuple[int, Made, list]:
    """A helper's task: render one target; the data comes with the first ones (``payload``).

    Returns the helper's pid, the target's files and the log records made meanwhile.
    """
    if _worker.get("key") != key:
        if payload is None:  # the feeder sends the data until every helper has it
            raise RuntimeError("a helper process was given a target without the data")
        data, settings = pickle.loads(payload)
        _worker.clear()
        _worker.update(key=key, data=data, settings=settings, jobs={})
    result = render_target(target, _worker["jobs"], _worker["data"], _worker["settings"])
    return os.getpid(), result, _collected.take()


def render_target(target: Target, jobs: dict[str, Job], data: Data, settings: Settings) -> Made:
    """Render one target with the shared Job of its language."""
    from dpo_docs.outputs import make

    log.info("rendering %s", target.label)
    return make(target, _job(target.lang, jobs, data, settings))


def _job(lang: str, jobs: dict[str, Job], data: Data, settings: Settings) -> Job:
    """The shared Job of a language, made on first use."""
    from dpo_docs.outputs import Job

    return jobs.setdefault(lang, Job(data, settings, lang))


def longest_first(targets: list[Target], jobs: dict[str, Job], data: Data, settings: Settings) -> list[Target]:
    """The targets by estimated render time, longest first (plan order among equals)."""
    from dpo_docs.outputs import outputs

    kinds = outputs()
    costs = {t: kinds[t.kind].cost(t, _job(t.lang, jobs, data, settings)) for t in targets}
    return sorted(targets, key=lambda t: -costs[t])


class Helpers:
    """``count`` helper processes, started now and warming up until work arrives.

    Spawned (a fresh interpreter), not forked: a fork would inherit the output folder's
    lock. They are direct children told to die with this process, so a build killed
    with kill -9 leaves no helper behind.
    """

    def __init__(self, count: int) -> None:
        """Start ``count`` helpers (at least one)."""
        self.count = max(1, count)
        self.used = False  # set when a target is handed to them
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=self.count, mp_context=context,
                                        initializer=_init, initargs=(_levels(),))
        for _ in range(self.count):  # each submission while none is idle starts one more
            self.pool.submit(_warm_up)

    def release(self) -> None:
        """No more work: let the helpers exit while this process writes the files."""
        self.pool.shutdown(wait=False)

    def __enter__(self) -> Helpers:
        """The running helpers."""
        return self

    def __exit__(self, kind, error, trace) -> None:
        """Stop the helpers: at once after an error (invalid data, say) or when they were
        not needed (nothing, or one document, to render), not after their warm-up."""
        stop_now = error is not None or not self.used
        if stop_now:
            # The pool has no public way to stop busy workers before Python 3.14.
            processes = getattr(self.pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        self.pool.shutdown(wait=not stop_now, cancel_futures=True)


def render_all(
    targets: list[Target], data: Data, settings: Settings, jobs: dict[str, Job], workers: int,
    progress: Progress | None = None, helpers: Helpers | None = None,
) -> dict[str, Made]:
    """Render every target, in this process or in ``workers`` processes; same bytes either way.

    ``helpers``, when given, are the running helper processes to use (see ``Helpers``).
    ``progress`` is called after each target, from this thread or, in a parallel
    build, from the thread that collects the helpers' results (never two at once).
    """
    rendered: dict[str, Made] = {}
    done = 0
    lock = threading.Lock()

    def finished(target: Target, result: Made) -> None:
        nonlocal done
        with lock:
            rendered[target.label] = result
            done += 1
            if progress:
                progress(done, len(targets), target)

    if workers <= 1 or len(targets) <= 1:
        for target in targets:
            finished(target, render_target(target, jobs, data, settings))
        return rendered
    if helpers is None:
        with Helpers(min(workers, len(targets)) - 1) as own:
            return render_all(targets, data, settings, jobs, workers, progress, own)
    work = deque(longest_first(targets, jobs, data, settings))
    feeder = _Feeder(helpers, work, pickle.dumps((data, settings)), finished)
    mine = feeder.take()  # this process starts on the longest render at once
    feeder.start()
    try:
        while mine is not None:
            finished(mine, render_target(mine, jobs, data, settings))
            mine = feeder.take()
    except BaseException as exc:
        feeder.fail(exc)  # hand out nothing more
        raise
    finally:
        feeder.join()  # the helpers' targets in flight are done or cancelled
    if feeder.error is not None:
        raise feeder.error
    helpers.release()
    return rendered


class _Feeder(threading.Thread):
    """Keeps the helpers supplied from the shared work queue and collects their results.

    It runs in this process beside the rendering thread: a helper gets its next target
    as soon as it finishes one, even while this process is busy with a long render.
    Targets carry the pickled data until every helper has answered once (and so has
    it). The first error stops the handing out; the rendering thread raises it.
    """

    def __init__(self, helpers: Helpers, work: deque, payload: bytes,
                 finished: Callable[[Target, Made], None]) -> None:
        """Feed ``helpers`` from ``work``; pass each result to ``finished``."""
        super().__init__(name="dpo-docs-feeder", daemon=True)
        self.helpers, self.work, self.finished = helpers, work, finished
        self.payload, self.key = payload, hashlib.blake2b(payload, digest_size=16).hexdigest()
        self.answered: set[int] = set()  # helpers (by pid) that have the data
        self.lock = threading.Lock()
        self.error: BaseException | None = None

    def take(self) -> Target | None:
        """The next target to render, or None when all are handed out or a render failed."""
        with self.lock:
            return self.work.popleft() if self.work and self.error is None else None

    def _submit(self, target: Target) -> Future:
        """Hand one target to whichever helper is free."""
        payload = self.payload if len(self.answered) < self.helpers.count else None
        self.helpers.used = True
        return self.helpers.pool.submit(_work, target, self.key, payload)

    def run(self) -> None:
        """Submit, wait for any to finish, pass it on; until nothing is left in flight."""
        flying: dict[Future, Target] = {}
        try:
            while True:
                while len(flying) < self.helpers.count * AHEAD and (target := self.take()) is not None:
                    flying[self._submit(target)] = target
                if not flying:
                    return
                finished, _ = wait(flying, return_when=FIRST_COMPLETED)
                for future in finished:
                    target = flying.pop(future)
                    if future.exception() is not None:
                        raise future.exception()
                    pid, result, records = future.result()
                    self.answered.add(pid)
                    for record in records:  # a helper's messages, as if logged here
                        logging.getLogger(record.name).handle(record)
                    self.finished(target, result)
        except BaseException as exc:  # noqa: BLE001 - raised again by the rendering thread
            self.fail(exc)
            for future in flying:
                future.cancel()

    def fail(self, exc: BaseException) -> None:
        """Remember the first error and hand out nothing more."""
        with self.lock:
            if self.error is None:
                self.error = exc
            self.work.clear()
