"""The rendering engines under stress: a PDF WeasyPrint could not fully draw, Ctrl-C in
the middle of a render, temporary files, templates that ask for too much or try to
change what other documents share, and a Word template that is a zip bomb.

Each test looks at what a user sees: the exit code, the one ``error:`` line, the files
left in ``output/`` and in the temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import copy_project, generated_project, run
from tests.test_faults import one_error, small_project, snapshot

# An inline SVG WeasyPrint parses but cannot draw ("x" is no opacity): it logs
# "Failed to render SVG image" and, before the fix, wrote the page without it.
UNDRAWABLE_SVG = '<svg width="10" height="10"><rect width="10" height="10" opacity="x"/></svg>'


def edit(project: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` once in a template; return the 1-based line of the change."""
    path = project / "templates" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def dpo_docs(project: Path, *args: str, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``dpo-docs`` in a new process in ``project``."""
    return subprocess.run([sys.executable, "-m", "dpo_docs", *args], cwd=project, capture_output=True,
                          text=True, env=env, timeout=timeout)


# --- 1. A render that logged an error fails; an interrupt aborts --------------------------

def test_an_svg_weasyprint_cannot_draw_fails_the_build(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    edit(project, "orgchart.html", "<body>\n", "<body>\n" + UNDRAWABLE_SVG + "\n")
    result = run(project, "-q", "build", "--only", "orgchart")
    assert result.exit_code == 1
    assert one_error(result.output).startswith(
        "error: fr/orgchart.pdf: PDF rendering failed: WeasyPrint: Failed to render SVG image")
    assert not (project / "output/fr/orgchart.pdf").exists()


def test_an_svg_failure_keeps_the_previous_document(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    assert run(project, "-q", "build", "--only", "briefing").exit_code == 0
    before = snapshot(project / "output")
    edit(project, "briefing.html", "<body>\n", "<body>\n" + UNDRAWABLE_SVG + "\n")
    result = run(project, "-q", "build", "--only", "briefing")
    assert result.exit_code == 1
    assert "fr/briefing.pdf: PDF rendering failed: WeasyPrint: Failed to render SVG image" in result.output
    assert snapshot(project / "output") == before


def test_ctrl_c_while_weasyprint_draws_the_chart_aborts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SIGINT arrives while WeasyPrint draws the chart's SVG, where it catches BaseException.
    from weasyprint.svg import SVG

    draw = SVG.draw

    def interrupted_draw(self, *args, **kwargs):
        signal.raise_signal(signal.SIGINT)  # Python's handler raises KeyboardInterrupt here
        return draw(self, *args, **kwargs)

    project = small_project(tmp_path / "project")
    monkeypatch.setattr(SVG, "draw", interrupted_draw)
    result = run(project, "build", "--only", "orgchart")
    assert result.exit_code == 1
    assert "Aborted!" in result.output
    assert "rebuilt" not in result.output
    assert not (project / "output/fr").exists()


def test_ctrl_c_at_any_moment_of_a_real_render_never_writes_a_wrong_pdf(tmp_path: Path) -> None:
    # 80 units: the handout has several chart pages, whose SVGs take WeasyPrint most of
    # its last stage to draw; that is where a Ctrl-C used to be swallowed.
    project = generated_project(tmp_path / "project", 80)
    assert dpo_docs(project, "-q", "build", "-j1", "--only", "orgchart").returncode == 0
    pdf = project / "output/fr/orgchart.pdf"
    clean = pdf.read_bytes()
    previous = b"%PDF- the previous build's handout\n"
    outcomes = []
    for delay in (0.05, 0.2, 0.4, 0.6):
        pdf.write_bytes(previous)
        # -vv shows WeasyPrint's progress: the SIGINT is timed from its last stage.
        proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "-vv", "build", "-j1", "--force",
                                 "--only", "orgchart"], cwd=project, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        for line in proc.stderr:
            if "Step 6 - Creating PDF" in line:
                break
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.stderr.read()
        code = proc.wait(timeout=60)
        written = pdf.read_bytes()
        outcomes.append((delay, code))
        if code == 0:
            assert written == clean, f"exit 0 with a PDF unlike a clean build's (SIGINT {delay} s in)"
        else:  # stopped; or, a SIGINT in the last instants of a finished build, complete
            assert written in (previous, clean), f"exit {code} and a wrong PDF written (SIGINT {delay} s in)"
    assert any(code != 0 for _, code in outcomes), outcomes  # some SIGINT came during the render


# --- 2. Nothing left behind in the temporary folder ---------------------------------------

def leftovers(folder: Path, timeout: float = 10.0) -> list[str]:
    """What is in ``folder`` once the helpers of a finished build have gone (waits a little)."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(p.name for p in folder.iterdir())
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def with_tmpdir(folder: Path) -> dict[str, str]:
    """This process's environment with TMPDIR set to ``folder``."""
    folder.mkdir()
    return {**os.environ, "TMPDIR": str(folder)}


def test_a_parallel_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    env = with_tmpdir(tmp_path / "tmp")
    result = dpo_docs(project, "-q", "build", "-j", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "output/fr/briefing.pdf").is_file()
    assert leftovers(tmp_path / "tmp") == []


def test_a_failed_parallel_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    env = with_tmpdir(tmp_path / "tmp")
    edit(project, "orgchart.html", "{{ labels.kinds }}", "{{ labels.kinsd }}")
    result = dpo_docs(project, "-q", "build", "-j", "2", env=env)
    assert result.returncode == 1
    assert "templates/orgchart.html" in result.stderr
    assert leftovers(tmp_path / "tmp") == []


def test_an_interrupted_parallel_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    env = with_tmpdir(tmp_path / "tmp")
    # Ctrl-C in a terminal reaches the whole process group: the build and its helpers.
    proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "-v", "build", "-j", "2"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "rendering " in line:
            break
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    proc.stderr.read()
    assert proc.wait(timeout=60) != 0
    assert leftovers(tmp_path / "tmp") == []


# --- 3. Templates asking for too much -----------------------------------------------------

# The build runs in a process limited to 3 GB of address space and a minute: on code
# without the limits these templates end in MemoryError or run on, never take the machine.
LIMITED_RUN = (
    "import resource, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
    "from dpo_docs.cli import main\n"
    "sys.argv = ['dpo-docs', *sys.argv[1:]]\n"
    "main()\n"
)

TOO_MUCH = [
    ("range-list", "{{ range(10**9)|list }}",
     "range() would make 1,000,000,000 numbers; a template may make at most 100,000"),
    ("string-times", '{{ "x" * 10**9 }}',
     "'*' would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("center", '{{ "x"|center(10**9) }}',
     "filter 'center' would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("format-width", '{{ "%*s"|format(10**9, "x") }}',
     "a format width would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("str-format-width", '{{ "{:>1000000000}".format("x") }}',
     "a format width would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("method-width", '{{ "x".ljust(10**9) }}',
     "'.ljust()' would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("join", '{{ (["x" * 10**6] * 1000)|join }}',
     "filter 'join' would make 1,000,000,000 characters; a template may make at most 10,000,000"),
    ("lipsum", "{{ lipsum(n=10**8) }}",
     "lipsum() would make 10,000,000,000 words; a template may make at most 100,000"),
    ("doubling", '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
     "'~' would make 16,777,216 characters; a template may make at most 10,000,000"),
    ("loops-in-loops", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "the template's ranges add up to more than 1,000,000 numbers (range() in a loop?)"),
    ("endless-output", '{% for i in range(100000) %}{{ "x" * 1000 }}{% endfor %}',
     "the template prints more than 50,000,000 characters, more than any document needs"),
    ("float-overflow", "{{ 10.0 ** 400 }}", "OverflowError: (34, 'Numerical result out of range')"),
    ("endless-macro", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
     "RecursionError: maximum recursion depth exceeded"),
]


@pytest.mark.parametrize("case", TOO_MUCH, ids=lambda c: c[0])
def test_a_template_asking_for_too_much_stops_at_once_located(case, tmp_path: Path) -> None:
    _, expression, message = case
    project = small_project(tmp_path / "project")
    line = edit(project, "briefing.html", "{{ labels.mission }}", expression)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", LIMITED_RUN, "-q", "build", "-j1", "--only", "briefing"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert result.returncode == 1
    assert one_error(result.stderr).startswith(f"error: templates/briefing.html:{line}: {message}")
    assert took < 20, f"took {took:.1f} s"
    assert not (project / "output/fr/briefing.pdf").exists()


def test_a_word_template_asking_for_too_much_stops_at_once_located(tmp_path: Path) -> None:
    import docx

    project = small_project(tmp_path / "project")
    template = project / "templates/factsheet.docx"
    document = docx.Document(str(template))
    paragraph = next(p for p in document.paragraphs if "{{ doc.title }}" in p.text)
    paragraph.runs[-1].text += '{{ "x" * 10**9 }}'
    document.save(str(template))
    result = subprocess.run([sys.executable, "-c", LIMITED_RUN, "-q", "build", "-j1", "--only", "factsheets"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    message = one_error(result.stderr)
    assert message.startswith("error: templates/factsheet.docx (/word/document.xml), line "), message
    assert "'*' would make 1,000,000,000 characters; a template may make at most 10,000,000" in message
    assert not (project / "output/fr").exists()


def test_the_limits_leave_real_documents_alone(tmp_path: Path) -> None:
    # The largest real output (a 300-unit org chart, pages of SVG) and a template using
    # every limited filter, operator and method on ordinary sizes still build.
    project = generated_project(tmp_path / "project", 300)
    edit(project, "briefing.html", "{{ labels.mission }}",
         '{{ labels.mission|center(30)|indent(2)|wordwrap(20)|replace("e", "é") }}'
         '{{ ("%-5s" % "a") ~ ("-" * 3) ~ "{:>4}".format(1) ~ "x".ljust(3) ~ ([1, 2]|join(",")) }}'
         "{% for i in range(3) %}{{ i }}{% endfor %}{{ lipsum(1, false)|length > 0 }}"
         "{{ [1, 2, 3]|slice(2)|list|length }}{{ [1, 2, 3]|batch(2, 0)|list|length }}"
         "{{ [[1], [2]]|sum(start=[])|length }}{{ {'a': 1}|tojson(1)|length }}")
    result = run(project, "-q", "build", "--only", "briefing", "--only", "orgchart")
    assert result.exit_code == 0, result.output
    assert (project / "output/fr/orgchart.pdf").is_file()


# --- 5. Templates cannot change what other documents share ----------------------------------

MUTATIONS = [
    ("labels", "{% set _ = labels.update({'mission': 'X'}) %}", "access to attribute 'update' of 'dict' object is unsafe."),
    ("labels-pop", "{% set _ = labels.pop('mission') %}", "access to attribute 'pop' of 'dict' object is unsafe."),
    ("build", "{% set _ = build.update({'revision': 'X'}) %}", "access to attribute 'update' of 'dict' object is unsafe."),
    ("org-text", "{% set _ = org.department.name.update({'fr': 'X'}) %}",
     "access to attribute 'update' of 'dict' object is unsafe."),
]


@pytest.mark.parametrize("case", MUTATIONS, ids=lambda c: c[0])
def test_a_template_changing_shared_values_fails_located(case, tmp_path: Path) -> None:
    _, statement, message = case
    project = small_project(tmp_path / "project")
    line = edit(project, "orgchart.html", "<body>\n", "<body>\n" + statement)
    result = run(project, "-q", "build", "-j1")
    assert result.exit_code == 1
    assert one_error(result.output) == f"error: templates/orgchart.html:{line + 1}: {message}"
    assert not (project / "output/fr").exists()


def test_a_labels_change_fails_alike_whatever_the_number_of_workers(tmp_path: Path) -> None:
    # Before, the org chart's template changed the labels of the documents rendered
    # after it in the same process: the bytes of a build depended on the worker count.
    errors = set()
    for jobs in ("1", "2"):
        project = copy_project(tmp_path / f"j{jobs}")
        line = edit(project, "orgchart.html", "<body>\n",
                    "<body>\n{% set _ = labels.update({'mission': 'X', 'history': 'Y'}) %}")
        result = dpo_docs(project, "-q", "build", "-j", jobs)
        assert result.returncode == 1, result.stderr
        errors.add(result.stderr.strip().splitlines()[-1])
        assert not (project / "output/fr/briefing.pdf").exists()
    assert errors == {f"error: templates/orgchart.html:{line + 1}: access to attribute 'update' of 'dict' object is unsafe."}


def test_a_word_template_changing_the_labels_fails_located(tmp_path: Path) -> None:
    import docx

    project = small_project(tmp_path / "project")
    template = project / "templates/factsheet.docx"
    document = docx.Document(str(template))
    paragraph = next(p for p in document.paragraphs if "{{ doc.title }}" in p.text)
    paragraph.runs[-1].text += "{% set _ = labels.update({'summary': 'X'}) %}"
    document.save(str(template))
    result = run(project, "-q", "build", "-j1", "--only", "factsheets")
    assert result.exit_code == 1
    message = one_error(result.output)
    assert message.startswith("error: templates/factsheet.docx (/word/document.xml), line "), message
    assert message.endswith(": access to attribute 'update' of 'dict' object is unsafe."), message
    assert not (project / "output/fr").exists()


# --- 4. A Word template that is a zip bomb ------------------------------------------------

def padded_word_template(project: Path, size: int) -> bytes:
    """Rewrite the Word template with its document.xml padded by spaces to ``size`` bytes; return that part."""
    import zipfile

    template = project / "templates/factsheet.docx"
    with zipfile.ZipFile(template) as src:
        parts = {info: src.read(info) for info in src.infolist()}
    body = b""
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info, data in parts.items():
            if info.filename != "word/document.xml":
                dst.writestr(info, data)
                continue
            # Whitespace after the root element is still well-formed XML: Word and
            # python-docx read it as the same document.
            body = data + b" " * (size - len(data))
            with dst.open("word/document.xml", "w", force_zip64=True) as part:
                for start in range(0, size, 1 << 24):
                    part.write(body[start:start + (1 << 24)])
    return body


def test_a_word_template_inflating_to_a_gigabyte_is_refused_unopened(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    padded_word_template(project, 1 << 30)
    assert (project / "templates/factsheet.docx").stat().st_size < 10 << 20
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", LIMITED_RUN, "-q", "build", "-j1", "--only", "factsheets"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert one_error(result.stderr) == (
        "error: templates/factsheet.docx: refused, its part word/document.xml would inflate to "
        "1,073,741,824 bytes (at most 52,428,800); is it a zip bomb?")
    assert time.monotonic() - started < 20
    assert not (project / "output/fr").exists()


def test_a_word_template_part_saying_less_than_it_holds_is_inflated_only_that_far(tmp_path: Path) -> None:
    import struct
    import tracemalloc
    import zlib

    project = small_project(tmp_path / "project")
    body = padded_word_template(project, 200 << 20)
    # The zip's two records of the part (local header and central directory) now say
    # it holds 1 MB, with that megabyte's checksum: every check of the sizes passes.
    template = project / "templates/factsheet.docx"
    data = bytearray(template.read_bytes())
    declared, crc = 1 << 20, zlib.crc32(body[: 1 << 20])
    name = b"word/document.xml"
    for signature, crc_at, size_at, name_at in ((b"PK\x03\x04", 14, 22, 30), (b"PK\x01\x02", 16, 24, 46)):
        at = data.index(signature)
        while data[at + name_at:at + name_at + len(name)] != name:
            at = data.index(signature, at + 4)
        data[at + crc_at:at + crc_at + 4] = struct.pack("<I", crc)
        data[at + size_at:at + size_at + 4] = struct.pack("<I", declared)
        extra_len = struct.unpack("<H", data[at + name_at - 2:at + name_at])[0]
        extra = at + name_at + len(name)
        if extra_len:  # zip64: the sizes are kept in the extra field instead
            data[extra + 4:extra + 12] = struct.pack("<Q", declared)
    template.write_bytes(bytes(data))
    tracemalloc.start()
    try:
        result = run(project, "-q", "build", "-j1", "--only", "factsheets")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert (project / "output/fr/factsheets").is_dir()
    assert peak < 100 << 20, f"{peak >> 20} MB at the peak: the part was inflated past what it says"


def test_a_killed_process_s_temporary_folder_is_removed_by_the_next_build(tmp_path: Path) -> None:
    import fcntl

    temp = tmp_path / "tmp"
    env = with_tmpdir(temp)
    abandoned, alive = temp / "dpo-docs-4242-0123abcd", temp / "dpo-docs-4343-89abcdef"
    for folder in (abandoned, alive):
        (folder / "weasyprint-x").mkdir(parents=True)
        (folder / "weasyprint-x" / "font.otf").write_bytes(b"\0" * 1024)
        (folder / ".alive").write_bytes(b"")
    young = temp / "dpo-docs-4444-00000000"
    young.mkdir()
    (young / ".alive").write_bytes(b"")  # just made: its process may not hold its lock yet
    for folder in (abandoned, alive):
        os.utime(folder, (time.time() - 3600, time.time() - 3600))
    holder = os.open(alive / ".alive", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as its living process does
    try:
        project = copy_project(tmp_path / "project")
        result = dpo_docs(project, "-q", "build", "-j", "1", "--only", "briefing", env=env)
        assert result.returncode == 0, result.stderr
        assert not abandoned.exists()
        assert alive.is_dir() and young.is_dir()
        assert sorted(p.name for p in temp.iterdir()) == sorted([alive.name, young.name])
    finally:
        os.close(holder)
