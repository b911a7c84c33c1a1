"""The malformed-bundle corpus: each bundle gives exactly its file:row:field lines, exit 1, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbdump import raw_state
from sqlalchemy import func, select

from littrack.db import make_engine, make_sessionmaker
from littrack.models import EffectSize, Study, Trait

CORPUS = Path(__file__).parent / "data" / "bundles"

EXPECTED: dict[str, list[str]] = {
    "missing_required_field": ["effects.csv:2:location: missing required field"],
    "unknown_measure": [
        "effects.csv:2:measure: unknown measure; use one of OR, HR, RR, ratio, beta, logOR, logHR, SMD, r, R2, AUC (odds)"],
    "not_a_number": ["effects.csv:2:estimate: not a number (1,2)"],
    "not_finite": ["effects.csv:3:se: not a finite number (inf)"],
    "ci_not_bracketing": ["effects.csv:2:ci_lower: CI does not bracket the estimate 1.2 (1.25)"],
    "ci_lower_above_upper": ["effects.csv:2:ci_lower: lower bound above upper bound 1.1 (1.3)"],
    "ratio_not_positive": ["effects.csv:2:estimate: a ratio measure (OR) must be positive (0)"],
    "p_q_outside_0_1": ["effects.csv:2:p_value: outside [0, 1] (1.5)", "effects.csv:3:q_value: outside [0, 1] (-0.01)"],
    "ci_level_outside_0_1": ["effects.csv:2:ci_level: a CI level must lie in (0, 1), e.g. 0.95 (95)"],
    "negative_count": ["effects.csv:2:n_cases: negative count (-5)"],
    "cases_controls_exceed_n": ["effects.csv:2:n_total: cases + controls (5000) exceed N (4000)"],
    "range_without_bounds": ["effects.csv:4:range_high: a range needs both range_low and range_high"],
    "reported_without_estimate": ["effects.csv:2:estimate: a reported value needs an estimate"],
    "unknown_trait": [
        "effects.csv:2:trait: unknown trait; nearest: Insomnia; declare it in study.toml [[traits]], "
        "or import with --create-traits (Insomnai)"],
    "unknown_domain": ["study.toml:traits[1]:domains: unknown domain; nearest: Sleep; declare it in [[domains]] (Slep)"],
    "unknown_dataset": [
        "effects.csv:2:dataset: unknown data set; nearest: Discovery; declare it in study.toml [[datasets]] (Discovry)"],
    "duplicate_rows": ["effects.csv:5:finding_key: duplicate of row 3 (F02)",
                       "effects.csv:6: duplicate of row 3 (same values, finding_key F04)"],
    "malformed_pmid": [
        "study.toml:publications[1]:pmid: not a PMID (a positive whole number of up to 9 digits) (4100000l)"],
    "malformed_doi": ["study.toml:publications[1]:doi: not a DOI (10.NNNN/...) (doi 10.1000/test)"],
    "not_utf8": ["effects.csv:2:quote: not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8') "
                 "(M\\xfcller et al.: OR 1.2)"],
    "effects_is_xlsx": ["effects.csv:1: not CSV text: it is a ZIP archive, e.g. an Excel workbook (.xlsx); "
                        "save it as CSV text"],
    "effects_semicolons": ["effects.csv:1: not comma-separated: the header is one cell split by semicolons; "
                           "save the file as CSV with commas"],
    "study_is_json": ["study.toml:1: not valid TOML: Invalid statement at column 1; it looks like JSON"],
    "study_not_a_bundle": ['study.toml:format: not a littrack study bundle; expected format = '
                           '"littrack-study-bundle/1" (zotero-1)'],
    "ten_problems": [
        "study.toml:study:title: missing required field",
        "study.toml:publications[1]:pmid: not a PMID (a positive whole number of up to 9 digits) (0)",
        "study.toml:traits[1]:domains: unknown domain; nearest: Sleep; declare it in [[domains]] (Sleeep)",
        "effects.csv:2:p_value: not a number; give the number, and the bound as printed in reported_text (<0.001)",
        "effects.csv:2:ci_lower: CI does not bracket the estimate 1.2 (1.3)",
        "effects.csv:3:n_cases: not a whole number (12.5)",
        "effects.csv:3:ci_level: a CI level must lie in (0, 1), e.g. 0.95 (1)",
        "effects.csv:3:trait: unknown trait; nearest: Chronotype; declare it in study.toml [[traits]], "
        "or import with --create-traits (Chronotyp)",
        "effects.csv:4:value_kind: unknown value kind; nearest: range; use one of reported, derived_from_percent, range, "
        "qualitative (ranged)",
        "effects.csv:4:dataset: unknown data set; declare it in study.toml [[datasets]] (Replication)",
    ],
}


def problem_lines(stderr: str) -> list[str]:
    """The problems reported: a single one is the error line itself, several are listed before a summary."""
    lines = stderr.splitlines()
    if lines and lines[-1].startswith("Error: ") and not lines[-1].endswith("nothing was written"):
        lines[-1] = lines[-1].removeprefix("Error: ")
    return [line for line in lines if not line.startswith("Error: ")]


def test_corpus_has_a_bundle_per_expectation() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir()} - {"valid"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_bundle_reports_every_problem_and_writes_nothing(name: str, invoke, seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    before = raw_state(engine)
    result = invoke(seeded_db_url, "import", str(CORPUS / name))
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == EXPECTED[name]
    assert result.stdout == ""
    n = len(EXPECTED[name])
    assert result.stderr.splitlines()[-1] == (
        f"Error: {EXPECTED[name][0]}" if n == 1 else f"Error: {n} problems found (listed above); nothing was written")
    for line in EXPECTED[name]:
        assert line.startswith(("study.toml:", "effects.csv:"))
    assert raw_state(engine) == before
    # --dry-run finds the same problems.
    dry = invoke(seeded_db_url, "import", "--dry-run", str(CORPUS / name))
    assert dry.exit_code == 1 and problem_lines(dry.stderr) == EXPECTED[name]
    assert raw_state(engine) == before
    engine.dispose()


def test_ten_problems_are_ten(invoke, seeded_db_url: str) -> None:
    assert len(EXPECTED["ten_problems"]) == 10
    result = invoke(seeded_db_url, "import", str(CORPUS / "ten_problems"))
    assert "Error: 10 problems found (listed above); nothing was written" in result.stderr


def test_the_valid_bundle_imports(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "import", str(CORPUS / "valid"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "imported doe2025_trd: added 9, updated 0, unchanged 0, removed 0" in result.stderr
    engine = make_engine(seeded_db_url)
    with make_sessionmaker(engine)() as s:
        study = s.scalar(select(Study).where(Study.key == "doe2025_trd"))
        assert study is not None
        assert s.scalar(select(func.count()).select_from(EffectSize).where(EffectSize.study_id == study.id)) == 3
    engine.dispose()


def test_create_traits_accepts_unknown_traits(invoke, seeded_db_url: str) -> None:
    result = invoke(seeded_db_url, "import", "--create-traits", str(CORPUS / "unknown_trait"))
    assert result.exit_code == 0, result.stderr
    assert "new trait 'Insomnai'" in result.stderr
    engine = make_engine(seeded_db_url)
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(Trait).where(Trait.name == "Insomnai")) is not None
    engine.dispose()


def test_corpus_generator_is_in_step(tmp_path: Path) -> None:
    """The committed corpus is what make_corpus.py writes (so it can be regenerated and reviewed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = tmp_path
    module.main()
    for folder in tmp_path.iterdir():
        for f in folder.iterdir():
            assert f.read_bytes() == (CORPUS / folder.name / f.name).read_bytes(), f"{folder.name}/{f.name}"
