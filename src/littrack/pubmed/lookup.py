"""One PubMed record by PMID or by DOI, fetched through E-utilities (network only; storing is the caller's)."""

from __future__ import annotations

from littrack.errors import NotFound, ValidationError
from littrack.pubmed.eutils import EutilsClient
from littrack.pubmed.parse import iter_pubmed
from littrack.pubmed.records import PubmedRecord


def fetch_record(pmid: int | None, doi: str | None = None) -> PubmedRecord:
    """The PubMed record of a PMID, or of a DOI found through ESearch; NotFound when PubMed has none."""
    with EutilsClient() as client:
        if pmid is None:
            if doi is None:
                raise ValueError("give a PMID or a DOI")
            ids = client.esearch(f'"{doi}"[doi]').ids
            if not ids:
                raise NotFound(f"--doi: no PubMed record has this DOI; add the study by hand with --title, --journal, "
                               f"--year, --authors ({doi})")
            if len(ids) > 1:
                raise ValidationError(f"--doi: {len(ids)} PubMed records have this DOI ({', '.join(map(str, ids))}); "
                                      f"give --pmid ({doi})")
            pmid = int(ids[0])
        body = client.efetch([pmid])
    for record in iter_pubmed(body):
        if isinstance(record, PubmedRecord) and record.pmid == pmid:
            return record
    raise NotFound(f"--pmid: PubMed returned no record for PMID {pmid} (deleted or not yet public?) ({pmid})")
