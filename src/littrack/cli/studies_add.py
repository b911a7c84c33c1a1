"""`littrack studies add KEY`: a new study around its publication, fetched from PubMed or typed in."""

from __future__ import annotations

import click

from littrack.cli.context import AppContext, pass_app
from littrack.cli.options import curator_option


@click.command("add")
@click.argument("key")
@click.option("--pmid", help="PubMed id: the metadata is fetched from PubMed unless --title is given.")
@click.option("--doi", help="DOI: looked up in PubMed unless --title is given.")
@click.option("--title", help="Publication title, typed in (no network access needed).")
@click.option("--journal")
@click.option("--year")
@click.option("--volume")
@click.option("--issue")
@click.option("--pages")
@click.option("--authors", help="'Last, Fore; Last, Fore; Group name'.")
@click.option("--pmcid")
@click.option("--pub-date", help="Publication date as printed, e.g. '2024 Jul 5' (default: the year).")
@click.option("--preprint", is_flag=True, help="The publication is a preprint.")
@click.option("--study-title", help="Title of the study (default: the publication's title).")
@click.option("--design")
@click.option("--description")
@click.option("--source-key", help="Key of the publication as a source of effects (default e.g. XU2025).")
@curator_option
@pass_app
def add(app: AppContext, key: str, pmid: str | None, doi: str | None, title: str | None, journal: str | None,
        year: str | None, volume: str | None, issue: str | None, pages: str | None, authors: str | None,
        pmcid: str | None, pub_date: str | None, preprint: bool, study_title: str | None, design: str | None,
        description: str | None, source_key: str | None, curator: str | None) -> None:
    """Add study KEY around its primary publication.

    A publication already in the database (same PMID, DOI or PMCID) is reused, never duplicated.
    Without --title, --pmid or --doi fetch the metadata from PubMed (NCBI E-utilities).
    """
    from littrack.config import resolve_curator
    from littrack.curation import ManualPublication, add_study, check_identifiers, find_publication, manual_publication
    from littrack.errors import ValidationError
    from littrack.pubmed.lookup import fetch_record
    from littrack.pubmed.store import store_record

    problems: list[str] = []
    ids = check_identifiers(pmid, doi, pmcid, problems)
    if problems:
        raise ValidationError(problems)
    if not (ids[0] or ids[1] or title):
        raise click.UsageError("give --pmid or --doi (fetched from PubMed), or --title and the rest by hand")
    who = resolve_curator(curator)
    record = None
    with app.read() as session:
        known = find_publication(session, *ids) is not None
    if not known and not title:
        record = fetch_record(ids[0], ids[1])  # the network first, then one short transaction
    manual = ManualPublication(title=title, journal=journal, year=year, volume=volume, issue=issue, pages=pages,
                               authors=authors, pmid=pmid, doi=doi, pmcid=pmcid, pub_date=pub_date, preprint=preprint)
    with app.begin() as session:
        if record is not None:
            pub, created = store_record(session, record)
            how = "fetched from PubMed"
        else:
            pub, created = manual_publication(session, manual)
            how = "typed in" if created else "already in the database, reused"
        study = add_study(session, key, pub, who, title=study_title, source_key=source_key, design=design,
                          description=description)
        ident = ", ".join(f"{n} {v}" for n, v in (("PMID", pub.pmid), ("DOI", pub.doi)) if v) or f"id {pub.id}"
        source = study.sources[0].key
    click.echo(f"added study {key}: publication {ident} ({how}); its source key for effects is {source}", err=True)
    click.echo(key)
