"""`littrack papers`: triage the papers saved searches found."""

from __future__ import annotations

import json
from typing import Any

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import curator_option, emit, output_option

STATUSES = ("new", "relevant", "irrelevant", "included")
ROLES = ("other", "companion", "preprint", "erratum")


def _first_author(r: dict[str, Any]) -> str:
    authors = r["authors"]
    return "" if not authors else authors[0] + (" et al." if len(authors) > 1 else "")


def _title(r: dict[str, Any]) -> str:
    flags = "".join(f"[{flag}] " for flag, on in (("RETRACTED", r["retracted"]), ("preprint", r["preprint"]),
                                                  ("deleted from PubMed", r["deleted_from_pubmed"])) if on)
    return flags + (r["title"] or "")


COLUMNS = [("PMID", "pmid", 9), ("YEAR", "year", 4), ("STATUS", "status", 10), ("JOURNAL", "journal", 22),
           ("AUTHORS", _first_author, 22), ("TITLE", _title, 70), ("SEARCHES", "searches", 20)]


@click.group()
def papers() -> None:
    """Triage papers found by saved searches: list, show, mark, link to a study."""


@papers.command("list")
@click.option("--search", "search_name", metavar="NAME", help="Only papers this saved search found.")
@click.option("--status", type=click.Choice(STATUSES), help="Only papers with this triage status.")
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


@papers.command()
@click.argument("pmid", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def show(app: AppContext, pmid: int, fmt: str) -> None:
    """Show one paper: citation, abstract, MeSH, triage, searches and studies."""
    from littrack.tracking.triage import paper_record

    with app.read() as session:
        r = paper_record(session, pmid)
    if fmt == "json":
        click.echo(json.dumps(r, indent=2, ensure_ascii=False))
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


@papers.command()
@click.argument("pmids", nargs=-1, required=True, type=int, metavar="PMID...")
@click.option("--status", required=True, type=click.Choice(STATUSES), help="The triage decision.")
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


@papers.command()
@click.argument("pmid", type=int)
@click.option("--study", "study_key", required=True, metavar="KEY", help="The study (see `littrack studies`).")
@click.option("--role", type=click.Choice(ROLES), default="other", show_default=True,
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
