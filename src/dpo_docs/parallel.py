"""Render targets in this process and helper processes, each set up once.

With N workers, this process renders too and N - 1 helpers run beside it. The helpers
are started before the data is loaded (``Helpers``), so their second or so of importing
WeasyPrint and the fonts overlaps the loading, validating and planning; the data reaches
them with their first targets. Work is handed out one target at a time, longest first,
so the last documents to finish are short ones; the bytes are the same whichever
process renders a target.

A helper is a plain child interpreter that reads requests on its standard input and
answers on its standard output (``serve``), not a ``multiprocessing`` worker: a spawned
worker can only learn of its build's death once its own code runs, tenths of a second
after it starts, and the spawn start method adds a resource-tracker process and named
semaphores that a killed build leaves behind. Only the build holds a helper's standard
input open; the kernel closes it when the build ends, however it ends (kill -9
included), and the helper exits at once, whatever it was doing.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import queue
import signal
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from dpo_docs.errors import OutputError, SetupError

if TYPE_CHECKING:
    import subprocess

    from dpo_docs.model import Data
    from dpo_docs.outputs import Job, Made, Target
    from dpo_docs.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[int, int, "Target"], None]

# A helper's whole program, run by ``python -P -c``: the build's import path comes as
# the first argument. Ctrl-C in a terminal reaches every process of the build; a helper
# ignores it from its first line, and the build, which gets it too, stops the helpers.
_HELPER = ("import json, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
           "sys.path[:] = json.loads(sys.argv[1]); from dpo_docs.parallel import serve; serve()")
# A message between the build and a helper: its length, then its pickle.
_LENGTH = struct.Struct("!Q")
# How long a helper whose input is closed may take to exit before it is killed; it
# normally takes milliseconds.
_EXIT_WAIT = 5.0


def cores() -> int:
    """How many cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_count(requested: int) -> int:
    """The processes a build may render in: ``requested`` (0: one per core), at most one per core.

    Rendering keeps a core busy: past one process per core they only take memory (each
    holds the rendering engines) and time from one another.
    """
    return min(requested, cores()) if requested > 0 else cores()


def _say_count(requested: int, count: int, documents: int) -> None:
    """Say once when fewer processes render than -j asked: a warning past the cores, a note otherwise."""
    if not documents or requested <= count:
        return
    available = cores()
    log.log(logging.WARNING if requested > available else logging.INFO,
            "-j %d: using %d process%s (%d core%s, %d document%s)", requested, count, "es" if count > 1 else "",
            available, "s" if available > 1 else "", documents, "s" if documents > 1 else "")


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


def _put(stream: IO[bytes], blob: bytes) -> None:
    """Send one message (a pickle) down a pipe."""
    stream.write(_LENGTH.pack(len(blob)))
    stream.write(blob)
    stream.flush()


def _get(stream: IO[bytes]) -> bytes:
    """Read one message (a pickle) from a pipe; EOFError when the other end has closed it."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    blob = stream.read(size)
    if len(blob) < size:
        raise EOFError
    return blob


def serve() -> None:
    """A helper's life: warm up, then render the targets the build sends until it closes our input."""
    requests, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to the build's standard error, not into the answers
    inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    threading.Thread(target=_listen, args=(requests, inbox), name="dpo-docs-listen", daemon=True).start()
    logging.getLogger().handlers[:] = [_collected]
    for name, level in json.loads(sys.argv[2]).items():
        logging.getLogger(name).setLevel(level)
    _warm_up()
    jobs: dict[str, Job] = {}
    data = settings = None
    while True:
        target, payload = pickle.loads(inbox.get())
        if payload is not None:  # the data comes with the first target
            data, settings = pickle.loads(payload)
        try:
            assert data is not None and settings is not None, "the data comes with the first target"
            result, error = render_target(target, jobs, data, settings), None
        except Exception as exc:  # noqa: BLE001 - sent to the build, which raises it
            result, error = None, exc
        records = _collected.take()
        try:
            blob = pickle.dumps((result, error, records), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that does not pickle: its type and words do
            blob = pickle.dumps((None, RuntimeError(f"{type(error).__name__}: {error}"), records))
        try:
            _put(answers, blob)
        except OSError:  # the build is gone
            _exit_now()


def _listen(requests: IO[bytes], inbox: queue.SimpleQueue[bytes]) -> None:
    """Pass the build's requests on; end this helper the moment the build closes the pipe.

    The build closes it when it needs the helper no more; the kernel closes it when the
    build dies, even by kill -9. Either way nothing the helper could finish is wanted.
    """
    try:
        while True:
            inbox.put(_get(requests))
    finally:
        _exit_now()


def _exit_now() -> None:
    """End this helper at once, taking its temporary folder (WeasyPrint's font copies) with it."""
    try:
        # The module may be half imported (a helper still warming up): nothing must stop the exit.
        remove = getattr(sys.modules.get("dpo_docs.outputs.weasy"), "remove_private_temp", None)
        if remove is not None:
            remove()
    finally:
        os._exit(0)


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

    Each is a fresh interpreter, not a fork (which would inherit the output folder's
    lock), in this process's group, and exits as soon as its standard input closes:
    when this process is done with it or has ended, even by kill -9.
    """

    def __init__(self, count: int) -> None:
        """Start ``count`` helpers (at least one)."""
        import subprocess

        self.used = False  # set when targets are handed to them
        command = [sys.executable, "-P", "-c", _HELPER, json.dumps([str(p) for p in sys.path]),
                   json.dumps(_levels())]
        self.processes: list[subprocess.Popen] = []
        try:
            for _ in range(max(1, count)):
                self.processes.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        except BaseException as exc:  # those started must not outlive this (an interrupt, say)
            self._end(now=True)
            if isinstance(exc, OSError):
                raise SetupError(f"cannot start a helper process: {exc.strerror}; build with -j 1") from None
            raise
        self.working = list(self.processes)  # those that may still be given targets

    @property
    def count(self) -> int:
        """How many helpers may be given targets."""
        return len(self.working)

    def keep(self, count: int) -> None:
        """Stop all but ``count`` helpers now: the work left is too little for them."""
        for process in self.working[count:]:
            process.terminate()  # SIGTERM: it removes its temporary folder on the way out
        del self.working[count:]

    def stop(self) -> None:
        """Stop every helper now, mid-render if need be: the build failed or was interrupted."""
        for process in self.processes:
            process.terminate()  # SIGTERM: it removes its temporary folder on the way out

    def release(self) -> None:
        """No more work: let the helpers exit while this process writes the files."""
        for process in self.processes:
            _close(process.stdin)

    def __enter__(self) -> Helpers:
        """The running helpers."""
        return self

    def __exit__(self, kind, error, trace) -> None:
        """Stop the helpers: at once after an error (invalid data, say) or when they were
        not needed (nothing, or one document, to render), not after their warm-up."""
        self._end(now=error is not None or not self.used)

    def _end(self, now: bool) -> None:
        """Stop every helper (killed, or told to go by closing its input) and reap it."""
        import subprocess

        if now:
            self.stop()
        self.release()
        for process in self.processes:
            try:
                process.wait(_EXIT_WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _close(process.stdout)


def _close(stream: IO[bytes] | None) -> None:
    """Close a pipe to a helper; one that is already broken or closed is no matter."""
    try:
        if stream is not None:
            stream.close()
    except (OSError, ValueError):
        pass


def render_all(
    targets: list[Target], data: Data, settings: Settings, jobs: dict[str, Job], workers: int,
    progress: Progress | None = None, helpers: Helpers | None = None,
) -> dict[str, Made]:
    """Render every target, in this process or in up to ``workers`` processes; same bytes either way.

    Never more processes than cores or targets (said once when -j asked for more).
    ``helpers``, when given, are the running helper processes to use (see ``Helpers``).
    ``progress`` is called after each target, from this thread or, in a parallel
    build, from the threads that collect the helpers' results (never two at once).
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

    count = min(worker_count(workers), len(targets))
    _say_count(settings.workers, count, len(targets))
    if count <= 1:
        for target in targets:
            finished(target, render_target(target, jobs, data, settings))
    elif helpers is None:
        with Helpers(count - 1) as own:
            _render_shared(targets, data, settings, jobs, count, own, finished)
    else:
        _render_shared(targets, data, settings, jobs, count, helpers, finished)
        helpers.release()
    return rendered


def _render_shared(targets: list[Target], data: Data, settings: Settings, jobs: dict[str, Job], count: int,
                   helpers: Helpers, finished: Callable[[Target, Made], None]) -> None:
    """Render the targets in this thread and ``count - 1`` helpers, longest first; raise the first error.

    A thread per helper sends it a target at a time (the data with the first) and
    collects the result, so a helper gets its next target as soon as it finishes one,
    even while this thread is busy with a long render.
    """
    helpers.keep(count - 1)
    helpers.used = True
    work = _Work(longest_first(targets, jobs, data, settings), helpers.stop)
    payload = pickle.dumps((data, settings), protocol=pickle.HIGHEST_PROTOCOL)
    feeders = [threading.Thread(target=_feed, args=(process, work, payload, finished), name="dpo-docs-feeder",
                                daemon=True) for process in helpers.working]
    mine = work.take()  # this process starts on the longest render at once
    for feeder in feeders:
        feeder.start()
    try:
        while mine is not None:
            finished(mine, render_target(mine, jobs, data, settings))
            mine = work.take()
    except BaseException as exc:
        work.fail(exc)  # hand out nothing more; stop the helpers
        raise
    finally:
        for feeder in feeders:
            feeder.join()
    if work.error is not None:
        raise work.error


class _Work:
    """The targets left to render, shared by this thread and the feeders; the first error ends it."""

    def __init__(self, targets: list[Target], stop: Callable[[], None]) -> None:
        """Hand out ``targets`` in order; call ``stop`` on the first error."""
        self.targets = deque(targets)
        self.stop = stop
        self.lock = threading.Lock()
        self.error: BaseException | None = None

    def take(self) -> Target | None:
        """The next target to render, or None when all are handed out or a render failed."""
        with self.lock:
            return self.targets.popleft() if self.targets and self.error is None else None

    def fail(self, exc: BaseException) -> None:
        """Remember the first error, hand out nothing more, and stop the helpers at once."""
        with self.lock:
            first = self.error is None
            if first:
                self.error = exc
            self.targets.clear()
        if first:
            self.stop()


def _feed(process: subprocess.Popen, work: _Work, payload: bytes | None,
          finished: Callable[[Target, Made], None]) -> None:
    """Keep one helper busy until the work runs out or fails; pass on what it sends back."""
    try:
        while (target := work.take()) is not None:
            result, error, records = _ask(process, target, payload)
            payload = None  # the helper keeps the data
            for record in records:  # the helper's messages, as if logged here
                logging.getLogger(record.name).handle(record)
            if error is not None:
                raise error
            finished(target, result)
    except BaseException as exc:  # noqa: BLE001 - raised by the rendering thread
        work.fail(exc)


def _ask(process: subprocess.Popen, target: Target, payload: bytes | None) -> tuple:
    """Have a helper render ``target``: its files or its error, and the messages it logged meanwhile."""
    assert process.stdin is not None and process.stdout is not None, "helpers are started with pipes"
    try:
        _put(process.stdin, pickle.dumps((target, payload), protocol=pickle.HIGHEST_PROTOCOL))
        return pickle.loads(_get(process.stdout))
    except (EOFError, OSError, ValueError):  # the pipe broke or was closed: the helper has ended
        pass
    import subprocess

    try:
        code = process.wait(_EXIT_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    if -code in signal.valid_signals():
        how = f"killed by {signal.Signals(-code).name}"
    raise OutputError(f"a helper process ended while rendering {target.label} ({how}); "
                      "run the build again, or with -j 1") from None
