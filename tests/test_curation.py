"""Curation: import (all or nothing, idempotent, counted), effects add/edit/delete, history, template."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from dbdump import raw_state
from sqlalchemy import func, select

from littrack.db import make_engine, make_sessionmaker
from littrack.models import Change, EffectSize, Study

CORPUS = Path(__file__).parent / "data" / "bundles"


def _effect(url: str, finding: str, study: str = "xu2025_trd") -> EffectSize | None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as s:
        e = s.scalar(select(EffectSize).join(Study).where(Study.key == study, EffectSize.finding_key == finding))
        if e is not None:
            s.expunge(e)
    engine.dispose()
    return e


def _changes(url: str) -> list[Change]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as s:
        rows = list(s.scalars(select(Change).order_by(Change.id)))
        s.expunge_all()
    engine.dispose()
    return rows


def _export(invoke, url: str, folder: Path) -> Path:
    result = invoke(url, "export", "study", "xu2025_trd", str(folder))
    assert result.exit_code == 0, result.stderr
    return folder


def _edit_csv(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    header = list(rows[0].keys())
    rows = edit(rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


# ---- import -------------------------------------------------------------------------------------------

def test_reimport_changes_nothing(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = _export(invoke, seeded_db_url, tmp_path / "b")
    engine = make_engine(seeded_db_url)
    before = raw_state(engine)
    result = invoke(seeded_db_url, "import", str(folder), "--format", "json")
    assert result.exit_code == 0, result.stderr
    total = json.loads(result.stdout)[-1]
    assert total == {"entity": "total", "added": 0, "updated": 0, "unchanged": 70, "removed": 0}
    assert raw_state(engine) == before
    engine.dispose()


def test_edited_bundle_reports_and_applies_changes(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = _export(invoke, seeded_db_url, tmp_path / "b")

    def edit(rows):  # type: ignore[no-untyped-def]
        rows[0].update(estimate="1.12", ci_lower="1.05", ci_upper="1.19", p_value="2e-5")
        rows.append({**rows[2], "finding_key": "F24", "estimate": "0.9", "ci_lower": "0.85", "ci_upper": "0.95",
                     "curator": "", "curated_at": ""})
        return rows

    _edit_csv(folder / "effects.csv", edit)
    toml = (folder / "study.toml").read_text(encoding="utf-8")
    (folder / "study.toml").write_text(toml.replace("n_total = 63330", "n_total = 63331"), encoding="utf-8")
    dry = invoke(seeded_db_url, "import", "--dry-run", str(folder), "--format", "json", "--curator", "bob")
    real = invoke(seeded_db_url, "import", str(folder), "--format", "json", "--curator", "bob")
    assert dry.exit_code == real.exit_code == 0, real.stderr
    assert json.loads(dry.stdout) == json.loads(real.stdout)
    counts = {r["entity"]: r for r in json.loads(real.stdout)}
    assert (counts["effects"]["added"], counts["effects"]["updated"], counts["effects"]["unchanged"]) == (1, 1, 22)
    assert (counts["datasets"]["updated"], counts["datasets"]["unchanged"]) == (1, 4)
    assert counts["total"]["added"] == 1 and counts["total"]["updated"] == 2
    assert "dry run: nothing written" in dry.stderr
    f01 = _effect(seeded_db_url, "F01")
    assert f01 is not None and (f01.estimate, f01.ci_lower, f01.ci_upper, f01.p_value) == (1.12, 1.05, 1.19, 2e-5)
    assert f01.curator == "bob"  # new numbers, new attribution
    f24 = _effect(seeded_db_url, "F24")
    assert f24 is not None and f24.curator == "bob" and f24.estimate == 0.9
    updates = [c for c in _changes(seeded_db_url) if c.curator == "bob"]
    assert {(c.entity, c.action) for c in updates} == {("effect_size", "update"), ("effect_size", "create"),
                                                       ("dataset", "update")}
    f01_change = next(c for c in updates if c.action == "update" and c.entity == "effect_size")
    assert f01_change.before["estimate"] == 1.11 and f01_change.after["estimate"] == 1.12
    assert f01_change.before["ci_lower"] is None and f01_change.after["ci_lower"] == 1.05
    # and again: nothing left to change
    again = invoke(seeded_db_url, "import", str(folder), "--format", "json")
    assert json.loads(again.stdout)[-1]["unchanged"] == 71


def test_dry_run_writes_nothing(invoke, seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    before = raw_state(engine, sequences=False)
    result = invoke(seeded_db_url, "import", "--dry-run", str(CORPUS / "valid"))
    assert result.exit_code == 0, result.stderr
    assert "would import doe2025_trd: added 9, updated 0, unchanged 0, removed 0 (dry run: nothing written)" in result.stderr
    assert raw_state(engine, sequences=False) == before
    engine.dispose()


def test_rows_missing_from_bundle_are_kept_unless_pruned(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = _export(invoke, seeded_db_url, tmp_path / "b")
    _edit_csv(folder / "effects.csv", lambda rows: [r for r in rows if r["finding_key"] != "F03"])
    kept = invoke(seeded_db_url, "import", str(folder))
    assert kept.exit_code == 0
    assert "1 effect size(s) of xu2025_trd are not in the bundle and were kept: F03 (--prune deletes them)" in kept.stderr
    assert _effect(seeded_db_url, "F03") is not None
    pruned = invoke(seeded_db_url, "import", "--prune", str(folder), "--curator", "carol")
    assert "removed 1" in pruned.stderr
    assert _effect(seeded_db_url, "F03") is None
    deleted = [c for c in _changes(seeded_db_url) if c.action == "delete"]
    assert len(deleted) == 1 and deleted[0].before["finding_key"] == "F03" and deleted[0].curator == "carol"


def test_failed_import_is_all_or_nothing_even_after_writes_begin(invoke, seeded_db_url: str, monkeypatch) -> None:
    """An error after rows were written (here forced in the last step) rolls every one of them back."""
    from littrack.bundle import apply
    from littrack.errors import LittrackError

    original = apply._Loader.effects

    def effects_then_fail(self, *args):  # type: ignore[no-untyped-def]
        original(self, *args)
        raise LittrackError("the database refused a row")

    monkeypatch.setattr(apply._Loader, "effects", effects_then_fail)
    engine = make_engine(seeded_db_url)
    before = raw_state(engine, sequences=False)
    result = invoke(seeded_db_url, "import", str(CORPUS / "valid"))
    assert result.exit_code == 1 and "Error: the database refused a row" in result.stderr
    assert raw_state(engine, sequences=False) == before
    engine.dispose()


def test_duplicate_identifiers_inside_a_bundle(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = _export(invoke, seeded_db_url, tmp_path / "b")
    toml = (folder / "study.toml").read_text(encoding="utf-8")
    toml = toml.replace('pmid = 39006419\n', 'pmid = 39006419\ndoi = "10.1001/jamapsychiatry.2024.4825"\n', 1)
    (folder / "study.toml").write_text(toml, encoding="utf-8")
    result = invoke(seeded_db_url, "import", str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "study.toml:publications[2]:doi: same doi as publications[1] (10.1001/jamapsychiatry.2024.4825)")


def test_publication_ids_pointing_at_two_papers(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    study = (CORPUS / "valid" / "study.toml").read_text(encoding="utf-8")
    (folder / "study.toml").write_text(study.replace("pmid = 41000001", "pmid = 39006419").replace(
        '"10.1000/test.2025.001"', '"10.1001/jamapsychiatry.2024.4825"'), encoding="utf-8")
    (folder / "effects.csv").write_bytes((CORPUS / "valid" / "effects.csv").read_bytes())
    result = invoke(seeded_db_url, "import", str(folder))
    assert result.exit_code == 1
    assert ("study.toml:publications[1]:doi: belongs to another publication in the database than its pmid 39006419 "
            "(10.1001/jamapsychiatry.2024.4825)") in result.stderr


# ---- effects add / edit / delete ------------------------------------------------------------------------

ADD = ["effects", "add", "--study", "xu2025_trd", "--trait", "insomnia", "--comparison", "TRD vs trMDD",
       "--measure", "OR", "--estimate", "1.2", "--ci", "1.1", "1.3", "--p-value", "3e-12", "--source", "XU2025",
       "--location", "Table 2", "--direction", "increased", "--n-total", "20817", "--n-cases", "4177",
       "--n-controls", "16640", "--dataset", "WGS European discovery set"]


def test_effects_add(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, *ADD, "--curator", "dana")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "24"
    assert "added effect size 24 (xu2025_trd:F24): Insomnia, TRD vs trMDD: OR 1.2" in result.stderr
    e = _effect(seeded_db_url, "F24")
    assert e is not None
    assert (e.estimate, e.ci_lower, e.ci_upper, e.ci_level, e.p_value, e.value_kind) == (1.2, 1.1, 1.3, 0.95, 3e-12,
                                                                                        "reported")
    assert (e.curator, e.n_total, e.location) == ("dana", 20817, "Table 2")
    created = _changes(seeded_db_url)[-1]
    assert (created.entity, created.action, created.curator, created.study_key) == ("effect_size", "create", "dana",
                                                                                    "xu2025_trd")
    assert created.after["estimate"] == 1.2 and created.before is None


def test_effects_add_curator_from_environment(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, *ADD, env={"LITTRACK_CURATOR": "erin"})
    assert result.exit_code == 0, result.stderr
    assert _changes(seeded_db_url)[-1].curator == "erin"
    assert _effect(seeded_db_url, "F24").curator == "erin"  # type: ignore[union-attr]


def test_effects_add_uses_the_one_validator(invoke, seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    before = raw_state(engine)
    args = [a for a in ADD]
    args[args.index("--estimate") + 1] = "1.5"
    args[args.index("--p-value") + 1] = "1.2"
    args[args.index("--trait") + 1] = "insomnai"
    args[args.index("--n-cases") + 1] = "-1"
    result = invoke(seeded_db_url, *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        "--n-cases: negative count (-1)",
        "--p-value: outside [0, 1] (1.2)",
        "--ci (upper): CI does not bracket the estimate 1.5 (1.3)",
        "--trait: unknown trait; nearest: Insomnia; or add it with --create-trait (insomnai)",
    ]
    missing = invoke(seeded_db_url, "effects", "add", "--study", "xu2025_trd", "--trait", "Insomnia",
                     "--comparison", "TRD vs trMDD", "--measure", "OR", "--estimate", "1.2")
    assert missing.stderr.splitlines()[:-1] == [
        "--source: missing required field; the study's sources: HEALIO2025, PN2025, SEED, XU2024PRE, XU2025",
        "--location: missing required field",
    ]
    assert raw_state(engine) == before
    engine.dispose()


def test_effects_add_range_and_create_trait(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "effects", "add", "--study", "xu2025_trd", "--trait", "Chronotype",
                    "--create-trait", "--comparison", "trd vs trmdd", "--measure", "OR", "--range", "1.02", "1.09",
                    "--direction", "increased", "--source", "XU2024PRE", "--location", "abstract",
                    "--finding-key", "P1")
    assert result.exit_code == 0, result.stderr
    e = _effect(seeded_db_url, "P1")
    assert e is not None and (e.value_kind, e.range_low, e.range_high, e.estimate) == ("range", 1.02, 1.09, None)
    dup = invoke(seeded_db_url, "effects", "add", "--study", "xu2025_trd", "--trait", "Chronotype", "--comparison",
                 "TRD vs trMDD", "--measure", "OR", "--range", "1.02", "1.09", "--source", "XU2024PRE",
                 "--location", "abstract", "--finding-key", "P1")
    assert "--finding-key: already used in study xu2025_trd by effect 24 (P1)" in dup.stderr


def test_effects_edit(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "effects", "edit", "xu2025_trd:F01", "--estimate", "1.2", "--ci", "1.1", "1.3",
                    "--p-value", "3e-12", "--curator", "fay")
    assert result.exit_code == 0, result.stderr
    assert "updated effect size 1 (xu2025_trd:F01)" in result.stderr
    e = _effect(seeded_db_url, "F01")
    assert e is not None and (e.estimate, e.ci_lower, e.ci_upper, e.ci_level, e.p_value) == (1.2, 1.1, 1.3, 0.95, 3e-12)
    assert e.curator == "fay" and e.location == "news report of the published results"  # the rest kept
    change = _changes(seeded_db_url)[-1]
    assert (change.action, change.curator, change.entity_id) == ("update", "fay", 1)
    assert change.before["estimate"] == 1.11 and change.after["estimate"] == 1.2
    assert change.before["curator"] == "littrack seed" and change.after["curator"] == "fay"
    assert "location" not in change.after  # only what changed
    # the whole row is checked again: a new estimate outside the stored CI is refused
    bad = invoke(seeded_db_url, "effects", "edit", "1", "--estimate", "2")
    assert bad.exit_code == 1
    assert bad.stderr.splitlines() == ["Error: --ci (upper): CI does not bracket the estimate 2 (1.3)"]
    same = invoke(seeded_db_url, "effects", "edit", "1", "--estimate", "1.2")
    assert "no change to effect size 1" in same.stderr
    cleared = invoke(seeded_db_url, "effects", "edit", "1", "--clear", "ci", "--clear", "p_value")
    assert cleared.exit_code == 0, cleared.stderr
    e = _effect(seeded_db_url, "F01")
    assert e is not None and (e.ci_lower, e.ci_upper, e.ci_level, e.p_value, e.p_value_log10) == (None,) * 5
    unknown = invoke(seeded_db_url, "effects", "edit", "xu2025_trd:F99", "--estimate", "1")
    assert unknown.exit_code == 1 and "unknown finding key in study xu2025_trd" in unknown.stderr


def test_effects_delete_keeps_values_in_history(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "effects", "delete", "xu2025_trd:F03", "--curator", "gus")
    assert result.exit_code == 0, result.stderr
    assert _effect(seeded_db_url, "F03") is None
    change = _changes(seeded_db_url)[-1]
    assert (change.action, change.curator, change.after) == ("delete", "gus", None)
    assert change.before["estimate"] == 0.88 and change.before["finding_key"] == "F03"
    shown = invoke(seeded_db_url, "history", "--study", "xu2025_trd", "--format", "json", "--limit", "1")
    row = json.loads(shown.stdout)[0]
    assert (row["action"], row["label"], row["curator"]) == ("delete", "effect_size 3 (F03)", "gus")


def test_history_command(invoke, seeded_db_url: str) -> None:
    invoke(seeded_db_url, "effects", "edit", "xu2025_trd:F01", "--estimate", "1.2", "--curator", "hal")
    table = invoke(seeded_db_url, "history", "--study", "xu2025_trd", "--limit", "2")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["WHEN", "CURATOR", "ACTION", "WHAT", "STUDY", "CHANGES"]
    assert "hal" in lines[2] and "update" in lines[2] and "effect_size 1 (F01)" in lines[2]
    assert "estimate: 1.11 -> 1.2" in lines[2]
    rows = json.loads(invoke(seeded_db_url, "history", "--format", "json").stdout)
    seeded = [r for r in rows if r["curator"] == "littrack seed"]
    assert {r["entity"] for r in seeded} == {"study", "effect_size", "dataset", "source"}
    assert sum(r["entity"] == "effect_size" for r in seeded) == 23
    assert len(json.loads(invoke(seeded_db_url, "history", "--curator", "hal", "--format", "json").stdout)) == 1
    csv_out = invoke(seeded_db_url, "history", "--curator", "hal", "--format", "csv").stdout
    row = next(csv.DictReader(io.StringIO(csv_out)))
    assert json.loads(row["after"])["estimate"] == 1.2
    missing = invoke(seeded_db_url, "history", "--study", "xu2025_trdd")
    assert missing.exit_code == 1 and "unknown study 'xu2025_trdd'; nearest: xu2025_trd" in missing.stderr


# ---- studies add ------------------------------------------------------------------------------------------

def test_studies_add_by_hand(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "studies", "add", "smith2024_trd", "--title", "A test study of TRD",
                    "--journal", "J Tests", "--year", "2024", "--authors", "Smith, Jane A; Doe, John",
                    "--doi", "https://doi.org/10.1000/ABC.1", "--pages", "1-10", "--curator", "ivy")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "smith2024_trd"
    assert "its source key for effects is SMITH2024" in result.stderr
    shown = json.loads(invoke(seeded_db_url, "studies", "show", "smith2024_trd", "--format", "json").stdout)
    pub = shown["publications"][0]
    assert (pub["doi"], pub["year"], pub["authors"], pub["role"]) == ("10.1000/abc.1", 2024, ["Smith JA", "Doe J"],
                                                                      "primary")
    assert shown["sources"][0]["citation"] == "Smith JA, Doe J. A test study of TRD. J Tests. 2024:1-10. doi:10.1000/abc.1"
    created = [c for c in _changes(seeded_db_url) if c.curator == "ivy"]
    assert {(c.entity, c.action) for c in created} == {("study", "create"), ("source", "create")}
    # an effect can now be added with the study's only source as the default
    added = invoke(seeded_db_url, "effects", "add", "--study", "smith2024_trd", "--trait", "Insomnia",
                   "--comparison", "TRD vs trMDD", "--measure", "OR", "--estimate", "1.3", "--location", "Table 1")
    assert added.exit_code == 0, added.stderr
    assert "(smith2024_trd:F01)" in added.stderr


def test_studies_add_reuses_a_known_publication(invoke, seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    from littrack.models import Publication

    def pubs() -> int:
        with make_sessionmaker(engine)() as s:
            return s.scalar(select(func.count()).select_from(Publication)) or 0

    n = pubs()
    result = invoke(seeded_db_url, "studies", "add", "xu2025_reanalysis", "--pmid", "40009368")
    assert result.exit_code == 0, result.stderr
    assert "publication PMID 40009368, DOI 10.1001/jamapsychiatry.2024.4825 (already in the database, reused)" in result.stderr
    by_doi = invoke(seeded_db_url, "studies", "add", "xu2025_other", "--doi", "10.1001/JAMAPSYCHIATRY.2024.4825",
                    "--title", "ignored")
    assert by_doi.exit_code == 0, by_doi.stderr
    assert pubs() == n
    engine.dispose()
    again = invoke(seeded_db_url, "studies", "add", "xu2025_trd", "--pmid", "40009368")
    assert again.exit_code == 1 and "study xu2025_trd exists already" in again.stderr
    bad = invoke(seeded_db_url, "studies", "add", "new1", "--pmid", "12x", "--doi", "nodoi")
    assert bad.stderr.splitlines()[:-1] == [
        "--pmid: not a PMID (a positive whole number of up to 9 digits) (12x)",
        "--doi: not a DOI (10.NNNN/...) (nodoi)",
    ]


# ---- template ------------------------------------------------------------------------------------------

def test_template_is_a_bundle_to_fill_in(invoke, seeded_db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    result = invoke(seeded_db_url, "template", str(folder))
    assert result.exit_code == 0, result.stderr
    lines = (folder / "effects.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("finding_key,source,trait,comparison,")
    assert lines[1].startswith("# F01,SMITH2024,Insomnia,TRD vs trMDD,") and len(lines) == 2
    assert invoke(seeded_db_url, "template", str(folder)).exit_code == 1  # never overwrites unasked
    blank = invoke(seeded_db_url, "import", str(folder))
    assert blank.exit_code == 1
    assert blank.stderr.splitlines()[:-1] == [
        "study.toml:study:key: missing required field",
        "study.toml:study:title: missing required field",
        "study.toml:publications[1]:ref: missing required field",
        "study.toml:publications[1]:title: missing required field",
        "study.toml:sources[1]:citation: missing required field",
        "study.toml:sources[1]:key: missing required field",
        "study.toml:sources[1]:publication: a publication source must name its publication ref",
        "study.toml:datasets[1]:label: missing required field",
    ]
    toml = (folder / "study.toml").read_text(encoding="utf-8")
    for old, new in (('key = ""            # required: a short', 'key = "smith2024"  # required: a short'),
                     ('title = ""          # required\ndesign', 'title = "A study"\ndesign'),
                     ('ref = ""', 'ref = "SMITH2024"'), ('title = ""          # required\nrole', 'title = "A paper"\nrole'),
                     ('key = ""            # required: the name', 'key = "SMITH2024"  # the name'),
                     ('publication = ""', 'publication = "SMITH2024"'), ('citation = ""', 'citation = "Smith 2024"'),
                     ('label = ""', 'label = "Discovery set"')):
        assert old in toml, old
        toml = toml.replace(old, new, 1)
    (folder / "study.toml").write_text(toml, encoding="utf-8")
    csv_text = (folder / "effects.csv").read_text(encoding="utf-8")
    (folder / "effects.csv").write_text(csv_text + csv_text.splitlines()[1][2:] + "\n", encoding="utf-8")
    filled = invoke(seeded_db_url, "import", str(folder))
    assert filled.exit_code == 0, filled.stderr
    assert "imported smith2024: " in filled.stderr
    e = _effect(seeded_db_url, "F01", study="smith2024")
    assert e is not None and (e.estimate, e.ci_lower, e.ci_upper, e.p_value) == (1.11, 1.06, 1.16, 3e-12)


# ---- studies add from PubMed (the fake E-utilities server) --------------------------------------------------

def test_studies_add_fetches_from_pubmed(invoke, seeded_db_url: str, fake_eutils_env) -> None:  # type: ignore[no-untyped-def]
    result = invoke(seeded_db_url, "studies", "add", "bao2017_telomere", "--pmid", "27797938", "--curator", "jo")
    assert result.exit_code == 0, result.stderr
    assert ("added study bao2017_telomere: publication PMID 27797938, DOI 10.1136/gutjnl-2016-312510 (fetched from "
            "PubMed); its source key for effects is BAO2017") in result.stderr
    assert fake_eutils_env.count("efetch") == 1
    shown = json.loads(invoke(seeded_db_url, "studies", "show", "bao2017_telomere", "--format", "json").stdout)
    pub = shown["publications"][0]
    assert (pub["pmid"], pub["pmcid"], pub["journal"], pub["year"]) == (27797938, "PMC5442267", "Gut", 2017)
    assert shown["title"].startswith("Leucocyte telomere length, genetic variants at the TERT gene")
    assert shown["sources"][0]["citation"].startswith("Bao Y, Prescott J, Yuan C,")
    # known now: a second study on the same paper reuses it without asking PubMed again
    again = invoke(seeded_db_url, "studies", "add", "bao2017_b", "--doi", "10.1136/GUTJNL-2016-312510")
    assert again.exit_code == 0, again.stderr
    assert "already in the database, reused" in again.stderr
    assert fake_eutils_env.count("efetch") == 1 and fake_eutils_env.count("esearch") == 0


def test_studies_add_by_doi_through_esearch(invoke, seeded_db_url: str, fake_eutils_env) -> None:  # type: ignore[no-untyped-def]
    fake_eutils_env.corpus.set_term('"10.1056/nejmoa1715274"[doi]', [29768149])
    result = invoke(seeded_db_url, "studies", "add", "obyrne2018", "--doi", "10.1056/NEJMoa1715274")
    assert result.exit_code == 0, result.stderr
    assert "publication PMID 29768149, DOI 10.1056/nejmoa1715274 (fetched from PubMed)" in result.stderr
    unknown = invoke(seeded_db_url, "studies", "add", "nobody2020", "--doi", "10.9999/none")
    assert unknown.exit_code == 1
    assert "--doi: no PubMed record has this DOI; add the study by hand with --title" in unknown.stderr
