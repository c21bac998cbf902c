"""The ``dpo-docs`` command: options, log handlers, progress, and exit codes.

Exit codes: 0 success; 1 the data, a template or an output could not be processed
(every problem is printed with its location); 2 the command line itself is wrong.
Stopped by Ctrl-C or kill, a command stops its helper processes, says so in one line
and ends by that signal (a shell shows 130 or 143).
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from dpo_docs import __version__
from dpo_docs.choices import ORIENTATIONS, PAPER_SIZES, PDF_VARIANTS, TARGET_KINDS
from dpo_docs.errors import DataError, DpoDocsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _fail(exc: DpoDocsError) -> None:
    """Print a library error the way a user can act on, then exit 1."""
    if isinstance(exc, DataError):
        click.echo(exc.report(), err=True)
        click.secho(f"error: {exc}; nothing was written", fg="red", err=True)
    else:
        # One line: a message quoting an engine's multi-line text is folded.
        click.secho(f"error: {' '.join(str(exc).split())}", fg="red", err=True)
    sys.exit(EXIT_FAILED)


def _settings(**options):
    """Settings for this run: defaults, the project's files, DPO_DOCS_* variables, then the options given.

    A wrong option is a wrong command line (exit 2); a wrong file or variable exits 1.
    Either way every problem found is printed.
    """
    # Loaded here, not at the top: the settings model pulls in pydantic, which --help should not pay for.
    from dpo_docs.settings import COMMAND_LINE, load_settings

    try:
        return load_settings(options=options)
    except DataError as exc:
        ctx = click.get_current_context()
        wrong = [p for p in exc.problems if p.location.file == COMMAND_LINE]
        rest = [p for p in exc.problems if p.location.file != COMMAND_LINE]
        if rest:
            click.echo("\n".join(map(str, rest)), err=True)
        if wrong:
            hints = {p.name: p.get_error_hint(ctx) for p in ctx.command.params}
            raise click.UsageError("\n".join(
                f"Invalid value for {hints.get(p.path, p.path)}: {p.message}" for p in wrong), ctx) from None
        count = len(rest)
        click.secho(f"error: {count} problem{'s' if count != 1 else ''} in the settings; nothing was written",
                    fg="red", err=True)
        sys.exit(EXIT_FAILED)


class _Setting(click.Option):
    """An option for a setting: its help shows the default the settings model gives it."""

    def get_help_extra(self, ctx: click.Context):
        """Click's extras, with the model's default."""
        from dpo_docs.settings import default_text

        return {**super().get_help_extra(ctx), "default": default_text(self.name)}


def _setting(*names: str, **attrs):
    """``click.option`` for a setting; ``None`` when it is not given, so that it does not override."""
    return click.option(*names, cls=_Setting, **attrs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dpo-docs")
@click.option("-v", "--verbose", count=True, help="Say more: -v lists each step, -vv debugs.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Build an organisation's briefing PDF, Word fact sheets and org-chart handout from data/.

    \b
    Exit codes: 0 success; 1 invalid data, template or output problem
    (every problem is listed with file:line:column); 2 wrong command line.
    """
    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # WeasyPrint reports every CSS property it skips; only worth seeing when debugging.
    logging.getLogger("weasyprint").setLevel(logging.DEBUG if verbose > 1 else logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    ctx.obj = {"quiet": quiet}


def _common(func):
    """Options shared by the commands that read a project."""
    return _setting("--data", "data_dir", type=click.Path(path_type=Path), help="Data folder.")(func)


def _paths(func):
    """The --templates and --out options."""
    func = _setting("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder.")(func)
    return _setting("--templates", "templates_dir", type=click.Path(path_type=Path), help="Templates folder.")(func)


_LANG_HELP = "Language(s), comma-separated, or 'all'."


def _selection(func):
    """The --only and --lang options."""
    func = _setting("--lang", "langs", help=_LANG_HELP)(func)
    return _setting("--only", type=click.Choice(TARGET_KINDS), multiple=True,
                    help="Only this kind of document (repeatable).")(func)


def _document_options(func):
    """Options that change how documents look: both build and check must know them."""
    for option in reversed((
        _setting("--paper", "orgchart_paper", type=click.Choice(PAPER_SIZES), help="Paper of the org-chart handout."),
        _setting("--orientation", "orgchart_orientation", type=click.Choice(ORIENTATIONS),
                 help="Orientation of the org-chart handout."),
        _setting("--chart-heads/--no-chart-heads", "chart_heads", default=None,
                 help="Show each unit's head in the org charts."),
        _setting("--pdf-variant", "pdf_variant", type=click.Choice(PDF_VARIANTS),
                 help="PDF flavour: accessible PDF/UA-1, or PDF/A-3 for archiving."),
    )):
        func = option(func)
    return func


@cli.command()
@_common
@_paths
@_selection
@_document_options
@_setting("--stale-after", "stale_after_months", type=int, metavar="MONTHS", help="Warn about figures older than this.")
@click.option("--force", is_flag=True, help="Rebuild every document, even those up to date.")
@click.option("--force-out", is_flag=True,
              help="Write into an output folder that holds other files and no previous build.")
@_setting("--strict", is_flag=True, default=None,
          help="Fail when a text or label has no translation into a requested language.")
@_setting("-j", "--jobs", "workers", type=int, metavar="N",
          help="Render N documents at once in N processes; 0: one per core.")
@click.pass_obj
def build(obj: dict, only: tuple[str, ...], force: bool, force_out: bool, **options) -> None:
    """Render the documents that changed into the output folder (output/<lang>/...).

    A document is rebuilt only when the data it shows, its templates, the fonts,
    the settings or the code changed, or when its file is missing or was altered.
    Each build writes output/CHANGES.md (and changes.json): what changed since the
    previous build, and figures whose as-of date is older than --stale-after months.
    """
    from dpo_docs.build import build as run_build

    settings = _settings(only=only or None, **options)
    started = time.monotonic()

    def progress(done: int, total: int, target) -> None:
        if not obj["quiet"]:
            click.echo(f"[{done}/{total}] {target.label}", err=True)

    try:
        result = run_build(settings, progress=progress, force=force, force_out=force_out)
    except DpoDocsError as exc:
        _fail(exc)
    missing = result.report.get("missing_translations")
    if missing:  # a no-change build has none to report and loads no more code
        from dpo_docs.translations import summarize

        for line in summarize(missing):
            logging.getLogger("dpo_docs").warning("%s", line)
    for fig in result.stale_figures:
        logging.getLogger("dpo_docs").warning(
            "figure '%s' is %d months old (as of %s)", fig["id"], fig["months"], fig["as_of"])
    if obj["quiet"]:
        return
    total, rebuilt = len(result.planned), len(result.rebuilt)
    if rebuilt == 0:
        click.echo(f"nothing to do: all {total} documents are up to date in {_shown(settings.out_dir)}", err=True)
    else:
        click.echo(
            f"rebuilt {rebuilt} of {total} documents ({len(result.written)} files) in "
            f"{_shown(settings.out_dir)} in {time.monotonic() - started:.1f} s; see "
            f"{_shown(settings.out_dir / 'CHANGES.md')}", err=True,
        )


@cli.command()
@_common
@_paths
@_selection
@_document_options
@click.pass_obj
def check(obj: dict, only: tuple[str, ...], **options) -> None:
    """Exit 1 and list the documents that are missing or out of date; exit 0 if all are current."""
    from dpo_docs.build import check as run_check

    settings = _settings(only=only or None, **options)
    try:
        planned = run_check(settings)
    except DpoDocsError as exc:
        _fail(exc)
    stale = [(label, state) for label, state in planned if state != "current"]
    for label, state in stale:
        click.echo(f"{label}: {state}")
    if stale:
        click.echo(f"{len(stale)} of {len(planned)} documents need a build (run: dpo-docs build)", err=True)
        sys.exit(EXIT_FAILED)
    if not obj["quiet"]:
        click.echo(f"all {len(planned)} documents are up to date", err=True)


@cli.command()
@_common
@click.pass_obj
def validate(obj: dict, **options) -> None:
    """Check the data; print every problem as file:line:column and exit 1 if any."""
    from dpo_docs.build import data_warnings

    settings = _settings(**options)
    try:
        data, warnings = data_warnings(settings)
    except DpoDocsError as exc:
        _fail(exc)
    for problem in warnings:
        logging.getLogger("dpo_docs").warning("%s", problem)
    if not obj["quiet"]:
        click.echo(f"data is valid: {len(data.units)} units, {len(data.operations)} operations, "
                   f"{len(data.figures)} figures, {len(data.sources)} sources")


@cli.command(name="list")
@_common
@_setting("--out", "out_dir", type=click.Path(path_type=Path), help="Output folder.")
@_setting("--lang", "langs", help=_LANG_HELP)
def list_targets(**options) -> None:
    """List every document the build makes, with its output paths."""
    from dpo_docs.build import load_data
    from dpo_docs.plan import plan

    settings = _settings(**options)
    try:
        planned = plan(load_data(settings), settings)
    except DpoDocsError as exc:
        _fail(exc)
    for target in (p.target for p in planned):
        paths = ", ".join(_shown(settings.out_dir / p) for p in target.paths)
        click.echo(f"{target.kind:<11} {target.lang:<3} {target.key:<24} {paths}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.pass_obj
def init(obj: dict, folder: Path) -> None:
    """Write a starter project into FOLDER (new or empty; default: here) that builds at once."""
    from dpo_docs.scaffold import init_project

    try:
        written = init_project(folder, shown=str(folder))
    except DpoDocsError as exc:
        _fail(exc)
    if not obj["quiet"]:
        click.echo(f"wrote a new project in {folder} ({len(written)} files); build it with: "
                   f"{'' if folder == Path('.') else f'cd {folder} && '}dpo-docs build", err=True)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write one <file>.schema.json per data file (and data.schema.json) into this folder.")
@click.pass_obj
def schema(obj: dict, out_dir: Path | None) -> None:
    """Print the JSON Schema of the data files, for editors and other checkers."""
    from dpo_docs.schema import combined_schema, dumps, write_schemas

    if out_dir is None:
        click.echo(dumps(combined_schema()), nl=False)
        return
    try:
        written = write_schemas(out_dir)
    except DpoDocsError as exc:
        _fail(exc)
    if not obj["quiet"]:
        click.echo(f"wrote {len(written)} schemas in {_shown(out_dir)}", err=True)


@cli.command()
@_common
@_setting("--templates", "templates_dir", type=click.Path(path_type=Path), help="Templates folder.")
@_setting("--lang", "langs", help=_LANG_HELP)
@_document_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (another opens the preview to the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port; 0: any free one.")
@click.option("--pdf", is_flag=True, help="Also rebuild the PDF and Word files, in the background, after each change.")
@click.pass_obj
def serve(obj: dict, host: str, port: int, pdf: bool, **options) -> None:
    """Serve the web edition; rebuild it and reload open pages on each change to the data, templates or settings."""
    from dpo_docs.cli_serve import run_preview

    settings = _settings(**options)
    try:
        run_preview(settings, options, host, port, pdf, obj["quiet"])
    except DpoDocsError as exc:
        _fail(exc)


def _shown(path: Path) -> str:
    """A path relative to the working folder when it is under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _stdout_failed() -> OSError | None:
    """The error standard output gives when flushed, or None when it takes its output."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return exc
    return None


def _silence_stdout() -> None:
    """Send what is left of standard output nowhere, so that exiting does not fail again."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Interrupted(BaseException):
    """Ctrl-C or kill: unwinds the command (helpers stopped, the output folder unlocked)
    past Click, which would turn Ctrl-C into "Aborted!" and exit 1; kill said nothing."""

    def __init__(self, signum: int) -> None:
        """Remember which signal it was."""
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    """The handler of SIGINT and SIGTERM: raise ``_Interrupted`` in the main thread."""
    raise _Interrupted(signum)


def _end_by(signum: int) -> None:
    """Say which signal stopped the command, then end by that signal, as a shell or script expects."""
    for each in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut this short
        signal.signal(each, signal.SIG_IGN)
    click.secho(f"error: interrupted by {signal.Signals(signum).name}", fg="red", err=True)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone: the signal still says it all
            pass
    weasy = sys.modules.get("dpo_docs.outputs.weasy")
    if weasy is not None:  # dying of the signal skips atexit, which would remove it
        weasy.remove_private_temp()
    # Exiting 130 is not enough: a shell running a loop of builds stops on Ctrl-C only
    # when the command died of SIGINT.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)  # not reached where the signal ends the process


def main() -> None:
    """Console-script entry point: no traceback reaches a user unless -vv asks for it."""
    args = sys.argv[1:]
    verbosity = sum(a.count("v") for a in args if a.startswith("-") and set(a[1:]) == {"v"})
    verbosity += args.count("--verbose")
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            cli(prog_name="dpo-docs", standalone_mode=True)
        finally:
            failed = _stdout_failed()
            for signum, handler in previous.items():  # a caller in the same process keeps its own
                signal.signal(signum, handler)
        if failed is not None:  # the listing did not reach its reader: not a success
            raise failed
    except _Interrupted as stop:
        _end_by(stop.signum)
    except OSError as exc:
        failed = exc if isinstance(exc, BrokenPipeError) else _stdout_failed() or (
            exc if exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO) and not getattr(exc, "filename", None)
            else None)
        if failed is None:
            _internal_error(exc, verbosity)
        from dpo_docs.write import reason

        _silence_stdout()
        if not isinstance(failed, BrokenPipeError):  # a reader that stopped reading needs no message
            click.secho(f"error: cannot write to standard output: {reason(failed)}", fg="red", err=True)
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # the last line of defence: a bug, said in one sentence
        _internal_error(exc, verbosity)


def _internal_error(exc: Exception, verbosity: int) -> NoReturn:
    """Say a bug in one sentence (the traceback with -vv), then exit 1."""
    if verbosity >= 2:
        raise exc
    detail = " ".join(str(exc).split())[:300]
    click.secho(f"error: internal error: {type(exc).__name__}"
                f"{': ' + detail if detail else ''} (please report; run with -vv for details)",
                fg="red", err=True)
    sys.exit(EXIT_FAILED)
