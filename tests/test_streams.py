"""Standard output that is full or closed: a located message, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_full_standard_output_is_an_error_said_in_words(project: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "dpo_docs", "list"], cwd=project, stdout=full,
                                stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: cannot write to standard output: the disk is full"


def test_a_reader_that_stops_reading_gets_no_traceback(project: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "dpo_docs", "list", "--lang", "all"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # like `| head -0`
    error = process.stderr.read()
    process.wait(timeout=60)
    process.stderr.close()
    assert process.returncode == 1
    assert "Traceback" not in error and "internal error" not in error
