"""The terminal side of ``dpo-docs serve``: what the live preview says, printed as it happens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class _Terminal:
    """Prints the preview's news: the URL on standard output, the rest on standard error."""

    def __init__(self, quiet: bool) -> None:
        """``quiet``: errors and the URL only."""
        self.quiet = quiet

    def serving(self, url: str) -> None:
        """Where to look."""
        click.echo(url)
        if not self.quiet:
            click.echo("serving the web edition; it is rebuilt on each change to the data, the templates "
                       "or the settings (Ctrl-C to stop)", err=True)

    def built(self, kind: str, result, seconds: float) -> None:
        """How much a build did, and how long it took."""
        if self.quiet:
            return
        if kind != "site":
            click.echo(f"rebuilt the PDF and Word files in {seconds:.1f} s", err=True)
        elif result.rebuilt or result.removed:
            click.echo(f"rebuilt {len(result.rebuilt)} of {len(result.planned)} web documents "
                       f"({len(result.written)} files) in {seconds:.2f} s", err=True)
        else:
            click.echo(f"no web document changed ({seconds:.2f} s)", err=True)

    def failed(self, kind: str, problems: tuple[str, ...], error: str, kept: bool) -> None:
        """Every located problem, then what the preview does about it."""
        if len(problems) > 1 or (problems and problems[0] != error):
            click.echo("\n".join(problems), err=True)
        if kind != "site":
            what = "the PDF and Word files were not rebuilt"
        elif kept:
            what = "the preview keeps the last good edition"
        else:
            what = "nothing to serve until the build succeeds"
        click.secho(f"error: {error}; {what}", fg="red", err=True)


def run_preview(settings, options: Mapping[str, Any], host: str, port: int, pdf: bool, quiet: bool) -> None:
    """Serve the preview until Ctrl-C or kill (which the command line turns into its exit)."""
    from dpo_docs.serve import Preview
    from dpo_docs.settings import load_settings

    if host not in LOOPBACK:
        click.secho(f"warning: serving on {host}: other machines can read the preview", fg="yellow", err=True)
    with Preview(settings, lambda: load_settings(options=options), _Terminal(quiet), host, port, pdf) as preview:
        preview.run()
