"""Exports: effect sizes (csv, json, metafor), papers (BibTeX, RIS, CSL-JSON) parsed back, studies round-tripped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import tomllib
from pathlib import Path

import pytest
from dbdump import content

from littrack.bundle.write import study_toml
from littrack.db import make_engine

Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% CI
Z90 = 1.6448536269514722


def _add(invoke, url: str, *args: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(url, "effects", "add", "--study", "xu2025_trd", "--comparison", "TRD vs trMDD", "--source",
                    "XU2025", "--location", "Table 2", *args)
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def with_cis(invoke, seeded_db_url: str) -> str:  # type: ignore[no-untyped-def]
    """The seeded study plus effects that have CIs or SEs (the seeded findings have neither)."""
    url = seeded_db_url
    _add(invoke, url, "--finding-key", "M1", "--trait", "Insomnia", "--measure", "OR", "--estimate", "1.2",
         "--ci", "1.1", "1.3", "--p-value", "3e-412", "--direction", "increased")
    _add(invoke, url, "--finding-key", "M2", "--trait", "Neuroticism", "--measure", "HR", "--estimate", "1.5",
         "--ci", "1.2", "1.9", "--ci-level", "0.9", "--n-total", "28964")
    _add(invoke, url, "--finding-key", "M3", "--trait", "Intelligence", "--measure", "beta", "--estimate", "-0.04",
         "--se", "0.01")
    _add(invoke, url, "--finding-key", "M4", "--trait", "Educational attainment", "--measure", "beta",
         "--estimate", "-0.05", "--ci", "-0.08", "-0.02")
    _add(invoke, url, "--finding-key", "M5", "--trait", "Loneliness", "--measure", "r", "--estimate", "0.3",
         "--ci", "0.2", "0.4")
    _add(invoke, url, "--finding-key", "M6", "--trait", "Lethargy", "--measure", "OR", "--estimate", "1.3",
         "--se", "0.05")
    _add(invoke, url, "--finding-key", "M7", "--trait", "Tenseness", "--measure", "AUC", "--estimate", "0.61",
         "--ci", "0.58", "0.64")
    return url


# ---- effects ------------------------------------------------------------------------------------------

def test_metafor_export(invoke, with_cis: str) -> None:
    result = invoke(with_cis, "export", "effects", "--study", "xu2025_trd", "--format", "metafor")
    assert result.exit_code == 0, result.stderr
    rows = {r["finding_key"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"M1", "M2", "M3", "M4", "M5", "M6"}

    def check(key: str, yi: float, sei: float) -> None:
        r = rows[key]
        assert float(r["yi"]) == pytest.approx(yi, rel=1e-12)
        assert float(r["sei"]) == pytest.approx(sei, rel=1e-12)
        assert float(r["vi"]) == pytest.approx(sei * sei, rel=1e-12)

    check("M1", math.log(1.2), (math.log(1.3) - math.log(1.1)) / (2 * Z95))
    check("M2", math.log(1.5), (math.log(1.9) - math.log(1.2)) / (2 * Z90))
    check("M3", -0.04, 0.01)
    check("M4", -0.05, (-0.02 - -0.08) / (2 * Z95))
    check("M5", math.atanh(0.3), (math.atanh(0.4) - math.atanh(0.2)) / (2 * Z95))
    check("M6", math.log(1.3), 0.05)
    m1 = rows["M1"]
    assert (m1["study"], m1["trait"], m1["comparison"], m1["measure"], m1["scale"], m1["source"]) == (
        "xu2025_trd", "Insomnia", "TRD vs trMDD", "OR", "log", "XU2025")
    assert (m1["sei_from"], rows["M2"]["sei_from"], rows["M3"]["sei_from"]) == ("ci95", "ci90", "se")
    assert m1["p_value"] == "3e-412" and m1["slab"] == "xu2025_trd M1" and m1["derived"] == "FALSE"
    assert rows["M2"]["ni"] == "28964" and rows["M5"]["scale"] == "fisher_z"
    notes = result.stderr.splitlines()
    assert "metafor: left out 5 row(s) that are qualitative (a direction, no number): xu2025_trd:F19, xu2025_trd:F20, " \
           "xu2025_trd:F21, xu2025_trd:F22, xu2025_trd:F23" in notes
    assert any(n.startswith("metafor: left out 11 row(s) without a CI or SE: xu2025_trd:F01, ") for n in notes)
    assert any(n.startswith("metafor: left out 7 row(s) that give a range, not one estimate: ") for n in notes)
    assert "metafor: left out 1 row(s) with measure AUC (no standard scale for pooling): xu2025_trd:M7" in notes


def test_metafor_seeded_rows_only_notes(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "export", "effects", "--format", "metafor")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "study,finding_key,slab,trait,comparison,analysis,measure,scale,per_unit,dataset,value_kind,derived,estimate,"
        "ci_lower,ci_upper,ci_level,se,yi,sei,vi,sei_from,ni,p_value,source,location,id"]
    assert "left out 11 row(s) without a CI or SE" in result.stderr
    assert "no effect sizes to export" in result.stderr


def test_effects_csv_and_json_keep_every_digit(invoke, with_cis: str, tmp_path: Path) -> None:
    _add(invoke, with_cis, "--finding-key", "P9", "--trait", "Insomnia", "--measure", "OR",
         "--estimate", "1.23456789012345", "--p-value", "1.5e-300")
    out = invoke(with_cis, "export", "effects", "--trait", "insomnia", "--format", "csv")
    rows = {r["finding_key"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["P9"]["estimate"] == "1.23456789012345" and rows["P9"]["p_value"] == "1.5e-300"
    assert rows["M1"]["p_value"] == "3e-412" and rows["F05"]["range_low"] == "1.05"
    target = tmp_path / "effects.json"
    written = invoke(with_cis, "export", "effects", "--trait", "insomnia", "--format", "json", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    data = {r["finding_key"]: r for r in json.loads(target.read_text(encoding="utf-8"))}
    assert data["P9"]["estimate"] == 1.23456789012345 and data["M1"]["p_value"] == "3e-412"
    assert data["F01"]["source"] == "PN2025" and data["F01"]["location"] == "news report of the published results"
    filtered = invoke(with_cis, "export", "effects", "--measure", "HR", "--format", "json")
    assert [r["finding_key"] for r in json.loads(filtered.stdout)] == ["M2"]


# ---- papers -----------------------------------------------------------------------------------------

def _read_braced(text: str, pos: int) -> tuple[str, int]:
    assert text[pos] == "{"
    depth, i = 0, pos
    while True:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1: i], i + 1
        i += 1


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """A strict reader for the BibTeX littrack writes: @type{key, name = {value} | macro, ...}."""
    entries = []
    pos = 0
    head = re.compile(r"\s*@(\w+)\s*\{\s*([^,\s{}]+)\s*,")
    field = re.compile(r"\s*(\w+)\s*=\s*")
    while text[pos:].strip():
        m = head.match(text, pos)
        assert m, f"not an entry at {text[pos:pos + 40]!r}"
        kind, key, pos = m.group(1), m.group(2), m.end()
        fields: dict[str, str] = {}
        while True:
            while text[pos].isspace():
                pos += 1
            if text[pos] == "}":
                pos += 1
                break
            f = field.match(text, pos)
            assert f, f"not a field at {text[pos:pos + 40]!r}"
            name, pos = f.group(1).lower(), f.end()
            if text[pos] == "{":
                value, pos = _read_braced(text, pos)
            else:
                v = re.compile(r"\w+").match(text, pos)
                assert v
                value, pos = v.group(0), v.end()
            assert name not in fields
            fields[name] = value
            while text[pos].isspace():
                pos += 1
            if text[pos] == ",":
                pos += 1
        entries.append((kind, key, fields))
    return entries


UNLATEX = [(r"\textbackslash{}", "\\"), (r"\textasciitilde{}", "~"), (r"\textless{}", "<"), (r"\textgreater{}", ">"),
           (r"\^{}", "^"), (r"\{", "\0L"), (r"\}", "\0R"), (r"\$", "$"), (r"\&", "&"), (r"\%", "%"), (r"\#", "#"),
           (r"\_", "_")]


def unlatex(value: str) -> str:
    for escaped, plain in UNLATEX:
        value = value.replace(escaped, plain)
    return value.replace("{", "").replace("}", "").replace("\0L", "{").replace("\0R", "}")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        if not line:
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None
            current = {}
        assert current is not None, "a tag before TY"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "a record without ER"
    return records


TRICKY_TITLE = r"Genes & mood: 50% of {TRD} cases_ cost $10 #1 ~x^2 <a> \ done"


@pytest.fixture
def papers_db(invoke, seeded_db_url: str) -> str:  # type: ignore[no-untyped-def]
    url = seeded_db_url
    for args in (
        ["studies", "add", "muller2023", "--title", TRICKY_TITLE, "--journal", "Mol Psychiatry", "--year", "2023",
         "--authors", "Müller, Jörg; O'Brien, Seán; The TRD Consortium", "--pmcid", "PMC1234567",
         "--pmid", "36000001", "--doi", "10.1038/s41380-023-0001-x", "--pages", "1123-45", "--volume", "28"],
        ["studies", "add", "xu2025_b", "--title", "Genetic links in TRD, part two", "--year", "2025",
         "--authors", "Xu, Bo", "--doi", "10.1000/xu.b"],
    ):
        result = invoke(url, *args)
        assert result.exit_code == 0, result.stderr
    return url


def test_bibtex_export_parses_back(invoke, papers_db: str) -> None:
    result = invoke(papers_db, "export", "papers", "--format", "bibtex")
    assert result.exit_code == 0, result.stderr
    entries = parse_bibtex(result.stdout)
    keys = [k for _, k, _ in entries]
    assert keys == ["Xu2025Genetic", "Xu2024Genetic", "Muller2023Genes", "Xu2025Geneticb"]
    assert len(set(keys)) == len(keys)
    by_key = {k: f for _, k, f in entries}
    published = by_key["Xu2025Genetic"]
    assert (published["doi"], published["pmid"], published["year"]) == ("10.1001/jamapsychiatry.2024.4825",
                                                                          "40009368", "2025")
    assert published["pages"] == "505--513" and published["journal"] == "JAMA Psychiatry"
    assert published["author"].split(" and ")[0] == "Xu, Bohan" and len(published["author"].split(" and ")) == 10
    assert by_key["Xu2024Genetic"]["note"] == "Preprint"
    muller = by_key["Muller2023Genes"]
    assert unlatex(muller["title"]) == TRICKY_TITLE
    assert (muller["pmcid"], muller["pmid"], muller["doi"]) == ("PMC1234567", "36000001", "10.1038/s41380-023-0001-x")
    assert muller["pages"] == "1123--1145"  # MEDLINE's abbreviated last page written out
    assert muller["author"] == "Müller, Jörg and O'Brien, Seán and {The TRD Consortium}"
    for _, _, fields in entries:
        for value in fields.values():
            assert value.count("{") - value.count(r"\{") == value.count("}") - value.count(r"\}")
    # keys do not depend on what else is exported
    one = parse_bibtex(invoke(papers_db, "export", "papers", "--study", "xu2025_b", "--format", "bibtex").stdout)
    assert [k for _, k, _ in one] == ["Xu2025Geneticb"]


def test_ris_export_parses_back(invoke, papers_db: str, tmp_path: Path) -> None:
    target = tmp_path / "refs.ris"
    result = invoke(papers_db, "export", "papers", "--format", "ris", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    records = parse_ris(target.read_text(encoding="utf-8"))
    assert len(records) == 4
    published, preprint, muller, _ = records
    assert published["AU"][:2] == ["Xu, Bohan", "Forthman, Katherine L"] and len(published["AU"]) == 10
    assert published["TI"] == ["Genetic Correlates of Treatment-Resistant Depression"]
    assert (published["T2"], published["PY"], published["VL"], published["IS"]) == (
        ["JAMA Psychiatry"], ["2025"], ["82"], ["5"])
    assert (published["SP"], published["EP"], published["DO"], published["AN"]) == (
        ["505"], ["513"], ["10.1001/jamapsychiatry.2024.4825"], ["40009368"])
    assert preprint["N1"] == ["Preprint"] and preprint["AN"] == ["39006419"]
    assert muller["TI"] == [TRICKY_TITLE] and muller["C2"] == ["PMC1234567"]
    assert muller["AU"] == ["Müller, Jörg", "O'Brien, Seán", "The TRD Consortium"]
    assert (muller["SP"], muller["EP"]) == (["1123"], ["1145"])


CSL_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper", "book", "chapter", "dataset",
             "paper-conference", "report", "thesis", "webpage"}
CSL_NAME_KEYS = {"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal"}
CSL_STRING_VARS = {"id", "type", "title", "container-title", "container-title-short", "volume", "issue", "page",
                   "DOI", "PMID", "PMCID", "ISSN", "URL", "language", "abstract", "keyword", "note"}


def _check_csl_date(value: object) -> None:
    assert isinstance(value, dict)
    if "literal" in value:
        assert isinstance(value["literal"], str)
        return
    parts = value["date-parts"]
    assert isinstance(parts, list) and 1 <= len(parts) <= 2
    for p in parts:
        assert isinstance(p, list) and 1 <= len(p) <= 3 and all(isinstance(x, int) for x in p)


def test_csljson_export_follows_the_csl_schema(invoke, papers_db: str) -> None:
    result = invoke(papers_db, "export", "papers", "--format", "csljson")
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) == 4
    for item in items:
        assert set(item) <= CSL_STRING_VARS | {"author", "issued", "available-date"}
        assert isinstance(item["id"], str) and item["type"] in CSL_TYPES
        for key in CSL_STRING_VARS & set(item):
            assert isinstance(item[key], str) and item[key]
        for name in item.get("author", []):
            assert set(name) <= CSL_NAME_KEYS and name and all(isinstance(v, str) for v in name.values())
            assert "literal" in name or "family" in name
        for key in ("issued", "available-date"):
            if key in item:
                _check_csl_date(item[key])
    published, preprint, muller, _ = items
    assert (published["type"], published["DOI"], published["PMID"]) == (
        "article-journal", "10.1001/jamapsychiatry.2024.4825", "40009368")
    assert published["issued"] == {"date-parts": [[2025]]}
    assert published["available-date"] == {"date-parts": [[2025, 2, 26]]}
    assert published["author"][0] == {"family": "Xu", "given": "Bohan"}
    assert preprint["type"] == "article" and preprint["PMID"] == "39006419"
    assert muller["title"] == TRICKY_TITLE and muller["PMCID"] == "PMC1234567"
    assert muller["author"][2] == {"literal": "The TRD Consortium"} and muller["page"] == "1123-1145"
    assert [i["id"] for i in items] == ["Xu2025Genetic", "Xu2024Genetic", "Muller2023Genes", "Xu2025Geneticb"]


def test_papers_by_search_and_status(invoke, papers_db: str) -> None:
    from sqlalchemy import select

    from littrack.db import make_sessionmaker
    from littrack.models import Publication, SavedSearch, SearchHit, Triage

    engine = make_engine(papers_db)
    with make_sessionmaker(engine).begin() as s:
        search = SavedSearch(name="trd-test", query="trd")
        s.add(search)
        s.flush()
        pubs = {p.pmid: p for p in s.scalars(select(Publication))}
        for pmid in (40009368, 36000001):
            s.add(SearchHit(search_id=search.id, publication_id=pubs[pmid].id))
        s.add(Triage(publication_id=pubs[36000001].id, status="included"))
    engine.dispose()

    def keys(*args: str) -> list[str]:
        result = invoke(papers_db, "export", "papers", "--format", "csljson", *args)
        assert result.exit_code == 0, result.stderr
        return [i["PMID"] for i in json.loads(result.stdout)]

    assert keys("--search", "trd-test") == ["40009368", "36000001"]
    assert keys("--search", "trd-test", "--status", "included") == ["36000001"]
    assert keys("--search", "trd-test", "--status", "new") == ["40009368"]
    missing = invoke(papers_db, "export", "papers", "--search", "trd-tset")
    assert missing.exit_code == 1 and "unknown saved search 'trd-tset'; nearest: trd-test" in missing.stderr
    empty = invoke(papers_db, "export", "papers", "--status", "irrelevant", "--format", "csljson")
    assert json.loads(empty.stdout) == [] and "no papers match" in empty.stderr


def test_bibtex_and_ris_with_third_party_parsers(invoke, papers_db: str) -> None:
    """Read back by bibtexparser 2 and rispy when they are installed (the `test` extra)."""
    bibtexparser = pytest.importorskip("bibtexparser")
    rispy = pytest.importorskip("rispy")
    bib = invoke(papers_db, "export", "papers", "--format", "bibtex").stdout
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == ["Xu2025Genetic", "Xu2024Genetic", "Muller2023Genes", "Xu2025Geneticb"]
    assert library.entries[0]["doi"] == "10.1001/jamapsychiatry.2024.4825"
    ris = rispy.loads(invoke(papers_db, "export", "papers", "--format", "ris").stdout)
    assert len(ris) == 4 and ris[0]["doi"] == "10.1001/jamapsychiatry.2024.4825"
    assert ris[2]["title"] == TRICKY_TITLE


# ---- study bundles ------------------------------------------------------------------------------------

STUDY_TABLES = {"cohorts", "comparisons", "datasets", "dataset_groups", "effect_sizes", "phenotypes",
                "publication_authors", "publication_mesh", "publications", "sources", "studies", "study_publications",
                "trait_domain_links", "trait_domains", "trait_members", "trait_synonyms", "traits"}


def _study_content(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    data = content(engine)
    engine.dispose()
    assert STUDY_TABLES <= set(data)
    return {t: rows for t, rows in data.items() if t in STUDY_TABLES}


def _round_trip(invoke, source_url: str, empty_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first"
    out = invoke(source_url, "export", "study", "xu2025_trd", str(first))
    assert out.exit_code == 0, out.stderr
    imported = invoke(empty_url, "import", str(first))
    assert imported.exit_code == 0, imported.stderr
    assert _study_content(empty_url) == _study_content(source_url)
    second = tmp_path / "second"
    assert invoke(empty_url, "export", "study", "xu2025_trd", str(second)).exit_code == 0
    for name in ("study.toml", "effects.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_seeded_study_round_trip(invoke, seeded_db_url: str, db_url: str, tmp_path: Path) -> None:
    _round_trip(invoke, seeded_db_url, db_url, tmp_path)


def test_curated_study_round_trip(invoke, with_cis: str, db_url: str, tmp_path: Path) -> None:
    invoke(with_cis, "effects", "edit", "xu2025_trd:M3", "--q-value", "0.012", "--notes", 'a "quoted"\nnote, with, commas',
           "--covariates", "age; sex", "--per-unit", "per SD")
    invoke(with_cis, "effects", "delete", "xu2025_trd:F02")
    _round_trip(invoke, with_cis, db_url, tmp_path)


def test_round_trip_of_rich_publication_metadata(invoke, seeded_db_url: str, db_url: str, tmp_path: Path) -> None:
    from sqlalchemy import select

    from littrack.db import make_sessionmaker
    from littrack.models import Author, MeshHeading, Publication

    engine = make_engine(seeded_db_url)
    with make_sessionmaker(engine).begin() as s:
        pub = s.scalar(select(Publication).where(Publication.pmid == 40009368))
        assert pub is not None
        pub.authors[0].affiliations = ["Laureate Institute for Brain Research, Tulsa, OK"]
        pub.authors[0].orcid = "0000-0002-1825-0097"
        pub.authors.append(Author(position=10, collective_name="All of Us Research Program Investigators",
                                  affiliations=[]))
        pub.mesh_headings = [MeshHeading(position=0, descriptor="Depressive Disorder, Treatment-Resistant",
                                         descriptor_ui="D061218", major=True,
                                         qualifiers=[{"name": "genetics", "ui": "Q000235", "major": True}])]
        pub.abstract = 'Importance: TRD is costly.\nResults: "OR 1.11" \\ tab\there'
        pub.pmcid, pub.language, pub.pub_month, pub.sort_date = "PMC11850000", "eng", 5, dt.date(2025, 5, 1)
        pub.entrez_date, pub.is_retracted, pub.origin = dt.date(2025, 2, 26), True, "pubmed"
        pub.keywords = ["polygenic scores", "treatment-resistant depression"]
    engine.dispose()
    _round_trip(invoke, seeded_db_url, db_url, tmp_path)


def test_export_study_refuses_to_overwrite(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    assert invoke(seeded_db_url, "export", "study", "xu2025_trd", str(folder)).exit_code == 0
    again = invoke(seeded_db_url, "export", "study", "xu2025_trd", str(folder))
    assert again.exit_code == 1 and "exists already" in again.stderr
    assert invoke(seeded_db_url, "export", "study", "xu2025_trd", str(folder), "--force").exit_code == 0
    unknown = invoke(seeded_db_url, "export", "study", "xu2024_trd", str(tmp_path / "c"))
    assert unknown.exit_code == 1 and "nearest: xu2025_trd" in unknown.stderr
    assert not (tmp_path / "c").exists()


def test_toml_writer_round_trips() -> None:
    tricky = ['plain', 'quote " and \\ backslash', "tab\tnew\nline\r", "crlf\r\n", "ctrl \x01\x1f\x7f",
              "Ünïcödé ✓", "", "#not", '"""', "trailing \\"]
    floats = [0.1 + 0.2, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 123456789.12345678, 2.5e-08]
    when = dt.datetime(2025, 2, 26, 13, 45, 7, 123456, tzinfo=dt.UTC)
    text = study_toml(
        ["Study k, exported.", "", "Import it."],
        {"format": "x", "study": {"key": "k", "n": 3, "x": 0.1 + 0.2, "flag": False, "notes": None},
         "items": [{"text": t, "list": [t, t], "table": {"a key": t, "n": 1}} for t in tricky],
         "dates": [{"d": dt.date(2025, 2, 26), "at": when, "long": ["word " * 5] * 8, "skip": None,
                    "floats": floats, "authors": ["Xu, Bo", {"last_name": "Fan", "affiliations": ["A, B", "C"]}],
                    "groups": {"cases": 1, "controls": None}}],
         "small": [{"name": "Sleep"}, {"name": "Mood"}]},
    )
    assert text.startswith("# Study k, exported.\n#\n# Import it.\nformat = \"x\"\n")
    back = tomllib.loads(text)
    assert back["study"] == {"key": "k", "n": 3, "x": 0.1 + 0.2, "flag": False}
    assert [i["text"] for i in back["items"]] == tricky
    assert [i["list"] for i in back["items"]] == [[t, t] for t in tricky]
    assert [i["table"]["a key"] for i in back["items"]] == tricky
    d = back["dates"][0]
    assert d["d"] == dt.date(2025, 2, 26) and d["at"] == when and "skip" not in d
    assert d["long"] == ["word " * 5] * 8
    assert d["floats"] == floats and math.copysign(1, d["floats"][4]) == -1  # every digit, the sign of zero
    assert d["authors"] == ["Xu, Bo", {"last_name": "Fan", "affiliations": ["A, B", "C"]}]
    assert d["groups"] == {"cases": 1}
    assert back["small"] == [{"name": "Sleep"}, {"name": "Mood"}]
