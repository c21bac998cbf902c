"""Process lifetime: however a build ends (kill -9, Ctrl-C, kill), nothing it started
stays alive; -j never starts more processes than cores or documents; an interrupted
build followed by a normal one gives the bytes of an uninterrupted build.

Each test runs the real command in its own session, as a terminal would run it, and
looks at what an administrator would see: exit status, messages, and the processes
left in the build's process group or working in its folder (read from /proc).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_project, processes

CORES = len(os.sched_getaffinity(0))
# Long enough for a helper that was told to go to be gone on a loaded machine.
GRACE = 5.0


def cmdline(pid: int) -> str:
    """A process's command line, or '' if it has ended."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def works_in(pid: int, folder: Path) -> bool:
    """True when a process's working folder is ``folder`` or under it."""
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")).is_relative_to(folder)
    except OSError:
        return False


def build_processes(pgid: int, folder: Path) -> list[int]:
    """Live processes (not zombies) in the build's process group or working in its folder."""
    return [pid for pid, state, _, group in processes()
            if state != "Z" and pid != os.getpid() and (group == pgid or works_in(pid, folder))]


def wait_gone(pgid: int, folder: Path, timeout: float = GRACE) -> tuple[list[int], float]:
    """Wait until no process of the build is left; what is left after ``timeout``, and the time taken."""
    started = time.monotonic()
    while (left := build_processes(pgid, folder)) and time.monotonic() - started < timeout:
        time.sleep(0.01)
    return left, time.monotonic() - started


class Builds:
    """Starts builds in their own sessions; kills whatever a failing test leaves behind."""

    def __init__(self, project: Path) -> None:
        """Builds of ``project``."""
        self.project = project
        self.started: list[subprocess.Popen] = []
        self.runs = 0

    def start(self, *args: str) -> subprocess.Popen:
        """Start ``dpo-docs build ARGS``; its standard error goes to a file (see ``stderr``)."""
        self.runs += 1
        self.err = self.project.parent / f"stderr-{self.runs}.txt"
        with self.err.open("w") as err:
            # Not a pipe: a process the build left behind would hold it open.
            proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", *args], cwd=self.project,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
        self.started.append(proc)
        return proc

    def stderr(self) -> str:
        """The standard error of the last build started."""
        return self.err.read_text()

    def cleanup(self) -> None:
        """Kill what the builds left, so that one failure does not leak processes into others."""
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pid in build_processes(proc.pid, self.project):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture
def builds(tmp_path: Path) -> Iterator[Builds]:
    """Builds of a fresh copy of the default project."""
    runs = Builds(copy_project(tmp_path / "project"))
    yield runs
    runs.cleanup()


def first_helper(proc: subprocess.Popen, timeout: float = 30.0) -> int | None:
    """Wait until the build has started a helper process; its pid (None if the build ended first)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        for pid, state, parent, _ in processes():
            if parent == proc.pid and state != "Z" and "resource_tracker" not in cmdline(pid):
                return pid
        time.sleep(0.002)
    return None


def describe(pids: list[int]) -> list[str]:
    """Left-over processes as an administrator would list them."""
    return [f"{pid}: {cmdline(pid)[:120]}" for pid in pids]


def test_kill_9_while_a_helper_starts_leaves_nothing(builds: Builds) -> None:
    # A helper that exists is still starting its interpreter for a few tenths of a second,
    # before any of its own code runs: the riskiest time for the build to be killed.
    timings = {}
    for after in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3):
        proc = builds.start("-j", "2", "--force")
        assert first_helper(proc) is not None, builds.stderr()
        time.sleep(after)
        proc.kill()
        proc.wait()
        left, took = wait_gone(proc.pid, builds.project)
        assert not left, f"kill -9 {after} s after a helper started: left alive {GRACE} s later: {describe(left)}"
        timings[after] = f"{took:.2f} s"
    print("kill -9 at (s) after a helper started: last process gone after", timings)


@pytest.mark.parametrize("delays", [(0.05, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5)], ids=["0.05-1.5s"])
def test_kill_9_at_any_time_leaves_nothing(builds: Builds, delays: tuple[float, ...]) -> None:
    timings = {}
    for delay in delays:
        proc = builds.start("-j", "2", "--force")
        time.sleep(delay)
        proc.kill()
        proc.wait()
        left, took = wait_gone(proc.pid, builds.project)
        assert not left, f"kill -9 after {delay} s: left alive {GRACE} s later: {describe(left)}"
        timings[delay] = f"{took:.2f} s"
    print("kill -9 after (s): last process gone after", timings)


@pytest.mark.parametrize(("signum", "whole_group"), [
    (signal.SIGINT, True),    # Ctrl-C in a terminal: every process of the build gets it
    (signal.SIGINT, False),   # kill -INT <pid>
    (signal.SIGTERM, False),  # kill <pid>, as a service manager or a timeout would
], ids=["ctrl-c", "kill-int", "kill-term"])
def test_an_interrupted_build_says_so_in_one_line_and_leaves_nothing(
        builds: Builds, signum: signal.Signals, whole_group: bool) -> None:
    proc = builds.start("-j", "2", "--force")
    assert first_helper(proc) is not None, builds.stderr()
    # Let the helper start working, as it does for most of a build.
    deadline = time.monotonic() + 30
    while "[1/" not in builds.stderr() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    (os.killpg if whole_group else os.kill)(proc.pid, signum)
    proc.wait(timeout=30)
    left, took = wait_gone(proc.pid, builds.project)
    stderr = builds.stderr()
    # Ended by the signal, as the shell expects of a program that was interrupted ($? is 128 + the signal).
    assert proc.returncode == -signum, (proc.returncode, stderr)
    assert "Traceback" not in stderr and "Warning" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("[")]
    assert lines == [f"error: interrupted by {signal.Signals(signum).name}"], stderr
    assert not left, f"left alive {GRACE} s after {signal.Signals(signum).name}: {describe(left)}"
    assert not list((builds.project / "output").rglob(".*.tmp")), "temporary files left"


def rendering_processes(build: int) -> list[int]:
    """The build and its helpers: the children that are Python interpreters, but not Python's
    resource tracker nor a fork of the build on its way to run another program (finding
    the system libraries runs gcc and ldconfig)."""
    found = [build]
    for pid, state, parent, _ in processes():
        line = cmdline(pid)
        if (parent == build and state != "Z" and line.startswith(sys.executable)
                and "resource_tracker" not in line and line != cmdline(build)):
            found.append(pid)
    return found


def test_jobs_beyond_the_cores_use_the_cores(builds: Builds) -> None:
    # 64 is the most the settings accept (more is a usage error, exit 2), 32 times the
    # cores of the machine these tests were written on.
    proc = builds.start("-j", "64", "--force")
    most = 0
    while proc.poll() is None:
        most = max(most, len(rendering_processes(proc.pid)))
        if most > CORES:  # stop a runaway build before it hurts the machine
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    assert most <= CORES, f"{most} processes at once on {CORES} cores"
    assert proc.returncode == 0, builds.stderr()
    used = min(CORES, 6)
    plural = "es" if used > 1 else ""
    cores = f"{CORES} core{'s' if CORES > 1 else ''}"
    said = [line for line in builds.stderr().splitlines() if "-j" in line]
    assert said == [f"WARNING: -j 64: using {used} process{plural} ({cores}, 6 documents)"], builds.stderr()


def test_jobs_within_the_cores_say_nothing(builds: Builds) -> None:
    proc = builds.start("-j", str(CORES), "--force")
    proc.wait(timeout=120)
    assert proc.returncode == 0, builds.stderr()
    assert "-j" not in builds.stderr()


@pytest.mark.skipif(CORES < 2, reason="needs two cores for -j 2 to mean two processes")
def test_jobs_beyond_the_documents_use_one_process_per_document(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "-v", "build", "--only", "briefing", "-j", "2"],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Not a warning: nothing is wrong with -j 2, there is just one document to render.
    said = [line for line in result.stderr.splitlines() if "-j" in line]
    assert said == [f"INFO: -j 2: using 1 process ({CORES} cores, 1 document)"], result.stderr


def documents(out: Path) -> dict[str, bytes]:
    """Every file of an output folder but the change report, the build's state folder and temporary files."""
    skip = {"CHANGES.md", "changes.json"}
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in skip and not (p.name.startswith(".") and p.suffix == ".tmp")
            and ".dpo-docs" not in p.relative_to(out).parts}


def temporary_files(out: Path) -> list[str]:
    """The temporary files (``.*.tmp``) under an output folder."""
    return [str(p.relative_to(out)) for p in out.rglob(".*.tmp")]


def run_build(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``dpo-docs ARGS`` in ``project`` to the end."""
    return subprocess.run([sys.executable, "-m", "dpo_docs", *args], cwd=project, capture_output=True,
                          text=True, timeout=300)


# Found by these tests, outside this branch's files (build.py): a no-change build takes
# the fast path in build(), which does not call remove_stale_temp_files, so the temporary
# files of a build killed while writing stay beside the documents, and check says "all up
# to date", until a build renders something again.
def test_interrupted_then_rebuilt_is_byte_for_byte_a_clean_build(tmp_path: Path, builds: Builds) -> None:
    clean = copy_project(tmp_path / "clean")
    assert run_build(clean, "build").returncode == 0
    expected = documents(clean / "output")
    assert len(expected) == 8
    # Each of -j 1 and -j 2 with each of Ctrl-C and kill -9, and two more at random, each
    # at a random moment from before the helpers start to the writing of the files (a
    # build takes 2-6 s here). Six runs keep the test near half a minute; the seed makes
    # a failure repeatable.
    rng = random.Random(20240611)
    runs = [(jobs, signum) for jobs in ("1", "2") for signum in (signal.SIGINT, signal.SIGKILL)]
    runs += [(rng.choice(["1", "2"]), rng.choice([signal.SIGINT, signal.SIGKILL])) for _ in range(2)]
    runs = [(jobs, signum, rng.uniform(0.05, 4.0)) for jobs, signum in rng.sample(runs, len(runs))]
    project = builds.project
    for jobs, signum, delay in runs:
        case = f"-j {jobs}, {signal.Signals(signum).name} after {delay:.2f} s"
        proc = builds.start("--force", "-j", jobs)
        time.sleep(delay)
        proc.send_signal(signum)
        proc.wait(timeout=60)
        left, _ = wait_gone(proc.pid, project)
        assert not left, f"{case}: left alive: {describe(left)}"
        after = run_build(project, "build")
        assert after.returncode == 0, f"{case}: {after.stderr}"
        assert documents(project / "output") == expected, f"{case}: the files differ from a clean build"
        check = run_build(project, "check")
        assert check.returncode == 0, f"{case}: {check.stdout}{check.stderr}"
        # A kill -9 that fell in the writing of the files left temporary files: gone now.
        assert not temporary_files(project / "output"), case


def test_killed_while_writing_then_rebuilt_leaves_no_temporary_file(builds: Builds) -> None:
    project = builds.project
    assert run_build(project, "build").returncode == 0
    expected = documents(project / "output")
    proc = builds.start("--force")
    while proc.poll() is None and not temporary_files(project / "output"):
        time.sleep(0.0005)
    proc.kill()  # as soon as the first temporary file is there
    proc.wait()
    assert not wait_gone(proc.pid, project)[0]
    after = run_build(project, "build")
    assert after.returncode == 0, after.stderr
    assert documents(project / "output") == expected
    assert run_build(project, "check").returncode == 0
    assert not temporary_files(project / "output"), after.stderr
