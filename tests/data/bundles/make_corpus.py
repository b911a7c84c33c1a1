"""Regenerate the malformed-bundle corpus: `python tests/data/bundles/make_corpus.py`.

Every bundle is the valid bundle `valid/` with one problem put in (two where the problem has two forms),
plus `ten_problems/` with ten at once. tests/test_bundle_corpus.py holds the messages each must give.
The bundles import into the seeded database (they use its traits and comparisons).
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

STUDY = '''format = "littrack-study-bundle/1"

[study]
key = "doe2025_trd"
title = "Polygenic scores and treatment-resistant depression in a test biobank"

[[publications]]
ref = "DOE2025"
pmid = 41000001
doi = "10.1000/test.2025.001"
title = "Polygenic scores and treatment-resistant depression"
journal = "Journal of Tests"
year = 2025
authors = ["Doe, Jane", "Roe, Richard"]

[[sources]]
key = "DOE2025"
kind = "publication"
publication = "DOE2025"
primary = true
citation = "Doe J, Roe R. Polygenic scores and treatment-resistant depression. J Tests. 2025."

[[cohorts]]
name = "Test Biobank"

[[datasets]]
label = "Discovery"
cohort = "Test Biobank"
role = "discovery"
n_total = 5000
groups = { TRD = 1000, trMDD = 4000 }

[[traits]]
name = "Chronotype"
domains = ["Sleep"]
'''

HEADER = ["finding_key", "source", "trait", "comparison", "dataset", "analysis", "measure", "value_kind", "estimate",
          "ci_lower", "ci_upper", "ci_level", "se", "p_value", "q_value", "range_low", "range_high", "direction",
          "n_total", "n_cases", "n_controls", "location", "quote"]
ROWS = [
    {"finding_key": "F01", "source": "DOE2025", "trait": "Insomnia", "comparison": "TRD vs trMDD",
     "dataset": "Discovery", "analysis": "logistic regression", "measure": "OR", "value_kind": "reported",
     "estimate": "1.2", "ci_lower": "1.1", "ci_upper": "1.3", "ci_level": "0.95", "p_value": "1e-5",
     "direction": "increased", "n_total": "5000", "n_cases": "1000", "n_controls": "4000", "location": "Table 2",
     "quote": "OR 1.2 (1.1-1.3)"},
    {"finding_key": "F02", "source": "DOE2025", "trait": "Chronotype", "comparison": "TRD vs trMDD",
     "dataset": "Discovery", "analysis": "linear regression", "measure": "beta", "value_kind": "reported",
     "estimate": "-0.05", "ci_lower": "-0.08", "ci_upper": "-0.02", "se": "0.015", "direction": "decreased",
     "location": "Table 3"},
    {"finding_key": "F03", "source": "DOE2025", "trait": "Educational attainment", "comparison": "TRD vs trMDD",
     "measure": "OR", "value_kind": "range", "range_low": "0.85", "range_high": "0.92", "direction": "decreased",
     "location": "Abstract"},
]

Edit = Callable[[str, list[dict[str, str]]], tuple[str, list[dict[str, str]]]]


def csv_text(rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", delimiter=delimiter)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    return buf.getvalue()


def row_edit(index: int, **changes: str) -> Edit:
    def edit(study: str, rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
        rows[index].update(changes)
        return study, rows
    return edit


def study_edit(old: str, new: str) -> Edit:
    def edit(study: str, rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
        assert old in study, old
        return study.replace(old, new), rows
    return edit


def both(*edits: Edit) -> Edit:
    def edit(study: str, rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
        for e in edits:
            study, rows = e(study, rows)
        return study, rows
    return edit


def duplicates(study: str, rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    return study, rows + [dict(rows[1]), {**rows[1], "finding_key": "F04"}]


BUNDLES: dict[str, Edit] = {
    "missing_required_field": row_edit(0, location=""),
    "unknown_measure": row_edit(0, measure="odds"),
    "not_a_number": row_edit(0, estimate="1,2"),
    "not_finite": row_edit(1, se="inf"),
    "ci_not_bracketing": row_edit(0, ci_lower="1.25", ci_upper="1.4"),
    "ci_lower_above_upper": row_edit(0, ci_lower="1.3", ci_upper="1.1"),
    "ratio_not_positive": row_edit(0, estimate="0", ci_lower="", ci_upper="", ci_level="", direction=""),
    "p_q_outside_0_1": both(row_edit(0, p_value="1.5"), row_edit(1, q_value="-0.01")),
    "ci_level_outside_0_1": row_edit(0, ci_level="95"),
    "negative_count": row_edit(0, n_cases="-5"),
    "cases_controls_exceed_n": row_edit(0, n_total="4000"),
    "range_without_bounds": row_edit(2, range_high=""),
    "reported_without_estimate": row_edit(0, estimate=""),
    "unknown_trait": row_edit(0, trait="Insomnai"),
    "unknown_domain": study_edit('domains = ["Sleep"]', 'domains = ["Slep"]'),
    "unknown_dataset": row_edit(0, dataset="Discovry"),
    "duplicate_rows": duplicates,
    "malformed_pmid": study_edit("pmid = 41000001", 'pmid = "4100000l"'),
    "malformed_doi": study_edit('doi = "10.1000/test.2025.001"', 'doi = "doi 10.1000/test"'),
    "ten_problems": both(
        study_edit('title = "Polygenic scores and treatment-resistant depression in a test biobank"\n', ""),
        study_edit("pmid = 41000001", "pmid = 0"),
        study_edit('domains = ["Sleep"]', 'domains = ["Sleeep"]'),
        row_edit(0, measure="OR ", estimate="1.2", ci_lower="1.3", ci_upper="1.5"),
        row_edit(0, p_value="<0.001"),
        row_edit(1, trait="Chronotyp", n_cases="12.5"),
        row_edit(1, ci_level="1"),
        row_edit(2, value_kind="ranged"),
        row_edit(2, dataset="Replication"),
    ),
}


def write(name: str, study: str, effects: bytes | str) -> None:
    folder = HERE / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    (folder / "study.toml").write_text(study, encoding="utf-8")
    data = effects.encode("utf-8") if isinstance(effects, str) else effects
    (folder / "effects.csv").write_bytes(data)


def main() -> None:
    write("valid", STUDY, csv_text([dict(r) for r in ROWS]))
    for name, edit in BUNDLES.items():
        study, rows = edit(STUDY, [dict(r) for r in ROWS])
        write(name, study, csv_text(rows))
    # Text that is not UTF-8: a spreadsheet saved as Windows-1252.
    latin = [dict(r) for r in ROWS]
    latin[0]["quote"] = "Müller et al.: OR 1.2"
    write("not_utf8", STUDY, csv_text(latin).encode("cp1252"))
    # Files that are not the format they claim.
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        for name, body in (("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")):
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), body)  # fixed time: same bytes each run
    write("effects_is_xlsx", STUDY, xlsx.getvalue())
    write("effects_semicolons", STUDY, csv_text([dict(r) for r in ROWS], delimiter=";"))
    write("study_is_json", '{"study": {"key": "doe2025_trd"}}\n', csv_text([dict(r) for r in ROWS]))
    write("study_not_a_bundle", STUDY.replace('format = "littrack-study-bundle/1"\n', 'format = "zotero-1"\n'),
          csv_text([dict(r) for r in ROWS]))


if __name__ == "__main__":
    main()
