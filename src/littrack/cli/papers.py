"""`littrack papers`: triage the papers saved searches found; load PubMed XML files."""

from __future__ import annotations

import os
from typing import Any

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.lazy import LazyGroup
from littrack.cli.options import curator_option, emit, output_option, record_format_option
from littrack.formats import Column, json_text
from littrack.vocab import LINK_ROLES, TRIAGE_STATUSES


def _first_author(r: dict[str, Any]) -> str:
    authors = r["authors"]
    return "" if not authors else authors[0] + (" et al." if len(authors) > 1 else "")


def _title(r: dict[str, Any]) -> str:
    flags = "".join(f"[{flag}] " for flag, on in (("RETRACTED", r["retracted"]), ("preprint", r["preprint"]),
                                                  ("deleted from PubMed", r["deleted_from_pubmed"])) if on)
    return flags + (r["title"] or "")


COLUMNS: list[Column] = [("PMID", "pmid", 9), ("YEAR", "year", 4), ("STATUS", "status", 10), ("JOURNAL", "journal", 22),
           ("AUTHORS", _first_author, 22), ("TITLE", _title, 70), ("SEARCHES", "searches", 20)]


LOAD_COLUMNS: list[Column] = [("FILE", lambda r: os.path.basename(r["file"]), 32), ("RECORDS", "records", 8),
                ("NEW", "new", 8), ("UPDATED", "updated", 8), ("UNCHANGED", "unchanged", 9), ("DELETED", "deleted", 8),
                ("DELETE CITATIONS", "delete_citations", 16), ("SECONDS", "seconds", 8)]
_PROGRESS_EVERY = 10_000  # records between progress lines on stderr


SUBCOMMANDS = {
    "list": ("littrack.cli.papers:list_", "List papers, newest Entrez date first; untriaged ones are 'new'."),
    "show": ("littrack.cli.papers:show", "Show one paper: citation, abstract, MeSH, triage, searches, studies."),
    "mark": ("littrack.cli.papers:mark", "Set the triage status of papers."),
    "link": ("littrack.cli.papers:link", "Make a paper one of a study's publications (and mark it 'included')."),
    "load": ("littrack.cli.papers:load", "Store the papers of PubMed XML files (.xml, .xml.gz or - for stdin)."),
}


@click.group(cls=LazyGroup, subcommands=SUBCOMMANDS)
def papers() -> None:
    """Triage papers found by saved searches: list, show, mark, link to a study; load PubMed XML files."""


@click.command("list")
@click.option("--search", "search_name", metavar="NAME", help="Only papers this saved search found.")
@click.option("--status", type=click.Choice(TRIAGE_STATUSES), help="Only papers with this triage status.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only papers a search first found on or after this day (UTC).")
@click.option("--include-deleted", is_flag=True, help="Also papers PubMed has deleted.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@output_option
@pass_app
def list_(app: AppContext, search_name: str | None, status: str | None, since: Any, include_deleted: bool,
          limit: int | None, fmt: str) -> None:
    """List papers, newest Entrez date first; a paper nobody triaged yet is 'new'."""
    from littrack.tracking.triage import list_papers

    with app.read() as session:
        rows = list_papers(session, search=search_name, status=status, since=since.date() if since else None,
                           include_deleted=include_deleted, limit=limit)
    emit(rows, fmt, COLUMNS, empty="no papers match")


@click.command()
@click.argument("pmid", type=int)
@record_format_option
@pass_app
def show(app: AppContext, pmid: int, fmt: str) -> None:
    """Show one paper: citation, abstract, MeSH, triage, searches and studies."""
    from littrack.tracking.triage import paper_record

    with app.read() as session:
        r = paper_record(session, pmid)
    if fmt == "json":
        click.echo(json_text(r))
        return
    if r["retracted"]:
        click.echo("*** RETRACTED ***")
    if r["deleted_from_pubmed"]:
        click.echo(f"*** deleted from PubMed (recorded {r['deleted_from_pubmed']}) ***")
    click.echo(f"PMID {r['pmid']}: {r['title']}")
    names = [a["name"] for a in r["authors"]]
    click.echo(f"  {', '.join(names[:6])}{' et al.' if len(names) > 6 else ''}")
    issue = f"({r['issue']})" if r["issue"] else ""
    pages = f":{r['pages']}" if r["pages"] else ""
    where = " ".join(x for x in (r["journal_iso"] or r["journal"], r["pub_date"], f"{r['volume'] or ''}{issue}{pages}") if x)
    click.echo(f"  {where}")
    ids = ", ".join(f"{k.upper()} {r[k]}" for k in ("doi", "pmcid") if r[k])
    click.echo(f"  {ids + '; ' if ids else ''}Entrez date {r['entrez_date'] or '-'}; "
               f"types: {', '.join(r['publication_types']) or '-'}")
    if r["preprint_of"]:
        click.echo(f"  preprint of PMID {r['preprint_of']}")
    if r["preprints"]:
        click.echo(f"  preprint(s): PMID {', '.join(map(str, r['preprints']))}")
    click.echo(f"\nstatus: {r['status']}" + (f" ({r['triaged_by']}, {r['triaged_at']})" if r["triaged_by"] else "")
               + (f"; note: {r['note']}" if r["note"] else ""))
    click.echo("searches: " + (", ".join(f"{h['name']} (first seen {h['first_seen']})" for h in r["searches"]) or "-"))
    click.echo("studies: " + (", ".join(f"{s['study']} ({s['role']})" for s in r["studies"]) or "-"))
    if r["abstract_sections"]:
        click.echo("")
        for section in r["abstract_sections"]:
            click.echo(f"{section['label'] + ': ' if section.get('label') else ''}{section['text']}")
    elif r["abstract"]:
        click.echo(f"\n{r['abstract']}")
    if r["mesh"]:
        terms = [("*" if m["major"] else "") + m["descriptor"] for m in r["mesh"]]
        click.echo(f"\nMeSH: {'; '.join(terms)}")
    if r["keywords"]:
        click.echo(f"keywords: {'; '.join(r['keywords'])}")


@click.command()
@click.argument("pmids", nargs=-1, required=True, type=int, metavar="PMID...")
@click.option("--status", required=True, type=click.Choice(TRIAGE_STATUSES), help="The triage decision.")
@click.option("--note", help="Why (kept until replaced).")
@curator_option
@pass_app
def mark(app: AppContext, pmids: tuple[int, ...], status: str, note: str | None, curator: str | None) -> None:
    """Set the triage status of papers."""
    from littrack.config import resolve_curator
    from littrack.tracking.triage import mark_papers

    with app.begin() as session:
        changes = mark_papers(session, pmids, status, note, resolve_curator(curator))
    for c in changes:
        click.echo(f"PMID {c['pmid']}: {c['from']} -> {c['to']}", err=True)


@click.command()
@click.argument("pmid", type=int)
@click.option("--study", "study_key", required=True, metavar="KEY", help="The study (see `littrack studies`).")
@click.option("--role", type=click.Choice(LINK_ROLES), default="other", show_default=True,
              help="What the paper is to the study.")
@curator_option
@pass_app
def link(app: AppContext, pmid: int, study_key: str, role: str, curator: str | None) -> None:
    """Make a paper one of a study's publications (and mark it 'included')."""
    from littrack.config import resolve_curator
    from littrack.tracking.triage import link_paper

    with app.begin() as session:
        r = link_paper(session, pmid, study_key, role, resolve_curator(curator))
    if r["linked"]:
        click.echo(f"PMID {pmid} linked to {r['study']} as {r['role']}; status included", err=True)
    else:
        click.echo(f"PMID {pmid} was already linked to {r['study']} (as {r['role']}); status included", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--check", is_flag=True, help="Only parse the files and count their records; store nothing.")
@click.option("--triage", is_flag=True,
              help="Also put the loaded papers on the triage list as 'new' (papers already on it keep their status).")
@curator_option
@output_option
@pass_app
def load(app: AppContext, files: tuple[str, ...], check: bool, triage: bool, curator: str | None, fmt: str) -> None:
    """Store the papers of PubMed XML files (.xml or .xml.gz; - reads stdin).

    For EFetch answers saved to disk and NLM's baseline and update files: records are upserted by
    PMID (a newer version replaces the stored one, DeleteCitation marks papers deleted from PubMed).
    All files load in one transaction: if any is faulty, nothing is stored. Loaded papers join the
    triage list (`papers list`) with --triage, or when a saved search finds them or you mark them.
    """
    import sys
    from contextlib import nullcontext

    from littrack.config import resolve_curator
    from littrack.errors import ParseError
    from littrack.tracking.pubmed_files import LoadResult, load_pubmed_file

    shown = 0

    def progress(r: LoadResult) -> None:
        nonlocal shown
        if r.records // _PROGRESS_EVERY > shown:
            shown = r.records // _PROGRESS_EVERY
            click.echo(f"{r.file}: {r.records} records so far ({r.records / r.seconds:,.0f}/s)", err=True)

    results = []
    triage_curator = resolve_curator(curator) if triage and not check else None
    try:
        with nullcontext(None) if check else app.begin() as session:
            for name in files:
                shown = 0
                results.append(load_pubmed_file(session, sys.stdin.buffer if name == "-" else name,
                                                name="<stdin>" if name == "-" else name,
                                                triage_curator=triage_curator, progress=progress))
    except ParseError as exc:
        if check:
            raise
        raise ParseError(f"{exc}; nothing was stored (all files load in one transaction): fix or leave out "
                         "that file and rerun") from None
    rows = [{"file": r.file, "records": r.records, "new": r.new, "updated": r.updated, "unchanged": r.unchanged,
             "deleted": r.deleted, "delete_citations": r.delete_citations, "triaged": r.triaged,
             "seconds": round(r.seconds, 2)} for r in results]
    if triage_curator is not None:
        click.echo(f"{sum(r.triaged for r in results)} paper(s) put on the triage list as new "
                   "(see `littrack papers list --status new`)", err=True)
    if check:
        for row in rows:
            for key in ("new", "updated", "unchanged", "deleted", "triaged"):
                row[key] = None
    emit(rows, fmt, LOAD_COLUMNS)
