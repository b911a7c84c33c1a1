"""`littrack effects` and `traits`: honest values, provenance, filters, formats and errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from littrack.db import make_sessionmaker
from littrack.models import EffectSize


def _json(invoke, url: str, *args: str) -> list[dict]:
    result = invoke(url, "effects", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_insomnia_findings_with_sources(invoke, seeded_db_url: str) -> None:
    rows = _json(invoke, seeded_db_url, "--trait", "insomnia")
    by_key = {r["finding_key"]: r for r in rows}
    assert set(by_key) == {"F01", "F05", "F12"}
    f01, f05, f12 = by_key["F01"], by_key["F05"], by_key["F12"]
    assert (f01["measure"], f01["value_kind"], f01["estimate"], f01["derived"]) == ("OR", "reported", 1.11, False)
    assert (f01["ci_lower"], f01["ci_upper"], f01["p_value"]) == (None, None, None)
    assert (f01["source"], f01["source_kind"], f01["location"]) == ("PN2025", "news", "news report of the published results")
    assert f01["dataset"] == "WGS European discovery set" and f01["comparison"] == "TRD vs trMDD"
    assert f01["domain"] == "Sleep" and f01["study"] == "xu2025_trd"
    assert (f05["value_kind"], f05["range_low"], f05["range_high"], f05["estimate"]) == ("range", 1.05, 1.15, None)
    assert (f05["source"], f05["location"]) == ("XU2024PRE", "preprint abstract (Results)")
    assert f05["trait"] == "Insomnia and specific neuroticism traits (group)"
    assert (f12["value_kind"], f12["range_low"], f12["range_high"], f12["derived"]) == ("range", 1.06, 1.15, True)
    assert f12["reported_text"] == "6%-15% increased risk" and f12["source"] == "SEED"
    for r in rows:
        for key in ("trait", "domain", "comparison", "analysis", "measure", "value_kind", "estimate", "ci_lower",
                    "ci_upper", "range_low", "range_high", "p_value", "direction", "dataset", "study", "source",
                    "location"):
            assert key in r


def test_reported_only_educational_attainment(invoke, seeded_db_url: str) -> None:
    rows = _json(invoke, seeded_db_url, "--trait", "educational attainment", "--reported-only")
    assert sorted((r["finding_key"], r["estimate"], r["source"]) for r in rows) == [
        ("F03", 0.88, "PN2025"), ("F06", 0.88, "XU2024PRE")]
    everything = _json(invoke, seeded_db_url, "--trait", "Educational Attainment")
    assert {r["finding_key"] for r in everything} == {"F03", "F06", "F15", "F17"}


def test_table_is_honest(invoke, seeded_db_url: str) -> None:
    out = invoke(seeded_db_url, "effects", "--trait", "insomnia").stdout
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["TRAIT", "COMPARISON", "MEASURE", "VALUE"]
    f01 = next(line for line in lines if "PN2025" in line)
    assert "1.11" in f01 and "not reported" in f01
    assert any("1.05–1.15 (range)" in line and "XU2024PRE" in line for line in lines)
    assert any("1.06–1.15 (range, derived)" in line and "SEED (blog, secondary)" in line for line in lines)
    derived = invoke(seeded_db_url, "effects", "--trait", "tenseness").stdout
    assert "1.28 (derived)" in derived


def test_filters(invoke, seeded_db_url: str) -> None:
    sleep = _json(invoke, seeded_db_url, "--domain", "sleep")
    assert {r["finding_key"] for r in sleep} == {"F01", "F05", "F12", "F19", "F22", "F23"}
    conv = _json(invoke, seeded_db_url, "--comparison", "conversion trMDD to TRD")
    assert {r["finding_key"] for r in conv} == {"F17", "F18", "F19"}
    dec = _json(invoke, seeded_db_url, "--direction", "decreased", "--measure", "or")
    assert {r["finding_key"] for r in dec} == {"F03", "F04", "F06", "F07"}
    high = _json(invoke, seeded_db_url, "--min-estimate", "1.2")
    assert {r["finding_key"] for r in high} == {"F08", "F10", "F09"}
    ranged = _json(invoke, seeded_db_url, "--max-estimate", "0.9", "--study", "xu2025_trd")
    assert {r["finding_key"] for r in ranged} == {"F03", "F06", "F15", "F17"}
    top = _json(invoke, seeded_db_url, "--sort", "estimate", "--reported-only")
    assert [r["estimate"] for r in top] == sorted((r["estimate"] for r in top), reverse=True)
    syn = _json(invoke, seeded_db_url, "--trait", "the same 11 pgs")
    assert {r["finding_key"] for r in syn} == {"F22", "F23"}


def test_formats(invoke, seeded_db_url: str) -> None:
    csv_out = invoke(seeded_db_url, "effects", "--trait", "lethargy", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert len(rows) == 1 and rows[0]["estimate"] == "1.15" and rows[0]["derived"] == "yes"
    assert rows[0]["ci_lower"] == "" and rows[0]["source"] == "SEED"
    tsv_out = invoke(seeded_db_url, "effects", "--trait", "lethargy", "--format", "tsv").stdout
    assert tsv_out.splitlines()[0].split("\t")[:3] == ["id", "study", "finding_key"]
    jsonl = invoke(seeded_db_url, "effects", "--trait", "intelligence", "--format", "jsonl").stdout.splitlines()
    assert {json.loads(line)["finding_key"] for line in jsonl} == {"F04", "F07", "F16", "F18"}


def test_unknown_names_suggest(invoke, seeded_db_url: str) -> None:
    bad_domain = invoke(seeded_db_url, "effects", "--domain", "Sleep patterns")
    assert bad_domain.exit_code == 1
    assert "unknown domain 'Sleep patterns'; nearest: Sleep" in bad_domain.stderr
    bad_trait = invoke(seeded_db_url, "effects", "--trait", "insomina")
    assert bad_trait.exit_code == 1 and "nearest: Insomnia" in bad_trait.stderr
    bad_measure = invoke(seeded_db_url, "effects", "--measure", "odds")
    assert bad_measure.exit_code == 1 and "unknown measure 'odds'" in bad_measure.stderr


def test_empty_valid_filter_is_empty_result(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "effects", "--trait", "insomnia", "--min-estimate", "5", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    table = invoke(seeded_db_url, "effects", "--trait", "insomnia", "--min-estimate", "5")
    assert table.exit_code == 0 and table.stdout == "" and "no effect sizes match" in table.stderr


def test_traits_listing(invoke, seeded_db_url: str) -> None:
    rows = json.loads(invoke(seeded_db_url, "traits", "--format", "json").stdout)
    insomnia = next(r for r in rows if r["trait"] == "Insomnia")
    assert insomnia == {"trait": "Insomnia", "kind": "trait", "domain": "Sleep", "synonyms": None,
                        "ontology_id": None, "effects": 2}
    tenseness = next(r for r in rows if r["trait"] == "Tenseness")
    assert tenseness["domain"] is None
    edu = json.loads(invoke(seeded_db_url, "traits", "--domain", "education and cognition", "--format", "json").stdout)
    assert [r["trait"] for r in edu][:2] == ["11 PGS stronger for TRD than trMDD", "Educational attainment"]


def test_tiny_p_values_survive(seeded_engine, invoke, seeded_db_url: str) -> None:
    from littrack.values import parse_probability

    p = parse_probability("3.2e-412")
    with make_sessionmaker(seeded_engine).begin() as s:
        e = s.scalar(select(EffectSize).where(EffectSize.finding_key == "F01"))
        e.p_value, e.p_value_log10 = p.value, p.log10
    rows = _json(invoke, seeded_db_url, "--trait", "insomnia", "--sort", "p")
    assert rows[0]["finding_key"] == "F01" and rows[0]["p_value"] == "3.2e-412"


@pytest.mark.parametrize(
    "change",
    [
        {"ci_lower": 1.2, "ci_upper": 1.3, "ci_level": 0.95},  # CI does not bracket 1.11
        {"ci_lower": 1.3, "ci_upper": 1.0, "ci_level": 0.95},
        {"estimate": -1.0},  # a ratio cannot be negative
        {"p_value": 1.5},
        {"ci_lower": 1.0, "ci_upper": 1.2, "ci_level": 1.5},
        {"n_total": 10, "n_cases": 8, "n_controls": 8},
        {"value_kind": "range"},  # a range without bounds
        {"measure": "OR or beta"},
    ],
)
def test_database_enforces_constraints(seeded_engine, change: dict) -> None:
    maker = make_sessionmaker(seeded_engine)
    with pytest.raises(IntegrityError):
        with maker.begin() as s:
            e = s.scalar(select(EffectSize).where(EffectSize.finding_key == "F01"))
            for k, v in change.items():
                setattr(e, k, v)


def test_machine_formats_keep_every_digit(invoke, seeded_db_url: str) -> None:
    """csv and tsv carry the stored numbers exactly, as json does; only the table rounds (issue 11, point 3)."""
    added = invoke(seeded_db_url, "effects", "add", "--study", "xu2025_trd", "--trait", "insomnia",
                   "--comparison", "TRD vs trMDD", "--measure", "OR", "--estimate", "1.234567",
                   "--ci", "1.0987654", "1.3876543", "--p-value", "3.14159e-12", "--source", "XU2025",
                   "--location", "Table 2", "--direction", "increased")
    assert added.exit_code == 0, added.stderr
    key = added.stdout.strip()
    exact = {"estimate": "1.234567", "ci_lower": "1.0987654", "ci_upper": "1.3876543", "p_value": "3.14159e-12"}
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        out = invoke(seeded_db_url, "effects", "--trait", "insomnia", "--format", fmt).stdout
        row = next(r for r in csv.DictReader(io.StringIO(out), delimiter=delimiter) if r["id"] == key)
        assert {k: row[k] for k in exact} == exact, fmt
    as_json = json.loads(invoke(seeded_db_url, "effects", "--trait", "insomnia", "--format", "json").stdout)
    mine = next(r for r in as_json if str(r["id"]) == key)
    assert [mine[k] for k in exact] == [float(v) for v in exact.values()]
    shown = invoke(seeded_db_url, "effects", "--trait", "insomnia").stdout
    assert "1.235" in shown and "1.234567" not in shown  # the table is for people: 4 significant digits
