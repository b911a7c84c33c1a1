"""`littrack refresh`: fetch what is new in PubMed for saved searches."""

from __future__ import annotations

import logging
from datetime import datetime

import click

from littrack.cli.context import AppContext, pass_app

EX_TEMPFAIL = 75  # sysexits.h: another refresh holds the lock; try again later


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--due", is_flag=True, help="Only searches whose interval has passed (for cron: run it hourly).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Fetch records with an Entrez date from this day (default: since the last complete run, "
                   "a few days back; everything on a first run).")
@click.option("--dry-run", is_flag=True, help="Search only: say what would be fetched; store nothing.")
@click.option("--email", envvar="NCBI_EMAIL", show_envvar=True, help="Your email, sent to NCBI as it asks.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="When another refresh is running, wait up to this long for it instead of skipping at once.")
@pass_app
@click.pass_context
def refresh(ctx: click.Context, app: AppContext, names: tuple[str, ...], due: bool, since: datetime | None,
            dry_run: bool, email: str | None, wait: float) -> None:
    """Refresh saved searches: all unpaused ones, or each NAME given (paused or not).

    Each search fetches what entered PubMed since its last complete run (a few days of overlap, as
    Entrez dates lag); a first run fetches everything. Progress goes to stderr, one summary line per
    search to stdout. Exit status: 0 when every search succeeded, 1 when any failed (its watermark
    stays, so the next refresh fetches what it missed), 75 when another refresh was running and this
    one skipped.
    """
    from littrack.errors import ConcurrencyError
    from littrack.tracking.refresh import client_from_env
    from littrack.tracking.refresh import refresh as run_refresh

    app.check_schema()
    if not email:
        click.echo("warning: no contact email for NCBI: pass --email or set NCBI_EMAIL (NCBI asks every tool "
                   "to send one and may block anonymous heavy use)", err=True)
    eutils_log = logging.getLogger("littrack.eutils")
    eutils_log.disabled = True  # our warning above already names --email; the client would repeat it
    try:
        client = client_from_env(email or None)
    finally:
        eutils_log.disabled = False

    def notify(message: str) -> None:
        click.echo(message, err=True)

    try:
        with client:
            summaries = run_refresh(app.engine, client, names=names, due=due,
                                    since=since.date() if since else None,
                                    dry_run=dry_run, wait=wait, notify=notify)
    except ConcurrencyError as exc:
        click.echo(f"refresh skipped: {exc}; try again later or pass --wait SECONDS", err=True)
        ctx.exit(EX_TEMPFAIL)
    for s in summaries:
        click.echo(s.line())
    failed = [s.name for s in summaries if s.status == "failed"]
    if failed:
        click.echo(f"Error: {len(failed)} of {len(summaries)} search(es) failed: {', '.join(failed)}", err=True)
        ctx.exit(1)
