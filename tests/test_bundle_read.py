"""The bundle reader and the effect-row validator on their own: row numbers, encodings, the rules beyond the corpus."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from littrack.bundle.effects import COLUMN_NAMES, check_effect_row, effect_row
from littrack.bundle.read import parse_bundle
from littrack.db import make_sessionmaker
from littrack.models import Comparison, Dataset, EffectSize, Source, Trait
from littrack.vocab import DIRECTIONS, MEASURES, VALUE_KINDS

VALID = Path(__file__).parent / "data" / "bundles" / "valid"


def _bundle(tmp_path: Path, effects: bytes | None = None, study: bytes | None = None) -> Path:
    folder = tmp_path / "b"
    shutil.copytree(VALID, folder)
    if effects is not None:
        (folder / "effects.csv").write_bytes(effects)
    if study is not None:
        (folder / "study.toml").write_bytes(study)
    return folder


def _problems(folder: Path) -> list[str]:
    return parse_bundle(folder)[1]


def test_the_validator_imports_no_sqlalchemy(tmp_path: Path) -> None:
    """Checking a bundle (`import --dry-run`'s first step, the template) needs no database code."""
    code = (
        "import sys, pathlib; from littrack.bundle.read import parse_bundle; from littrack.bundle import effects;"
        "from littrack.bundle.template import write_template;"
        "corpus = [p for p in sorted(pathlib.Path(sys.argv[1]).iterdir()) if p.is_dir()];"
        "problems = [len(parse_bundle(p)[1]) for p in corpus];"
        "write_template(pathlib.Path(sys.argv[2]));"
        "print(len(corpus), sum(problems), [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(VALID.parent), str(tmp_path / "t")],
                         capture_output=True, text=True, check=True).stdout.split(" ", 2)
    assert int(out[0]) > 20 and int(out[1]) > 20  # the corpus was read, and its faults found
    assert out[2].strip() == "[]"


def test_the_only_length_limited_columns_of_an_effect_row_hold_vocabularies_that_fit() -> None:
    """Why the validator checks no text lengths (and needs no models): every other column is unlimited text."""
    columns = {c.name: c for c in EffectSize.__table__.columns if c.name in COLUMN_NAMES}
    columns.update(source=Source.__table__.c.key, trait=Trait.__table__.c.name, comparison=Comparison.__table__.c.name,
                   dataset=Dataset.__table__.c.label)
    limited = {name: c.type.length for name, c in columns.items() if getattr(c.type, "length", None)}
    vocabularies = {"measure": tuple(MEASURES), "value_kind": VALUE_KINDS, "direction": DIRECTIONS}
    assert set(limited) == set(vocabularies)
    for name, length in limited.items():
        assert max(map(len, vocabularies[name])) <= length, name


def test_valid_bundle_has_no_problems() -> None:
    bundle, problems = parse_bundle(VALID)
    assert problems == [] and [e.finding_key for e in bundle.effects] == ["F01", "F02", "F03"]


def test_rows_are_named_by_the_line_they_start_on(tmp_path: Path) -> None:
    text = (VALID / "effects.csv").read_text(encoding="utf-8").splitlines()
    header, f01, f02, f03 = text
    f01 = f01.replace("OR 1.2 (1.1-1.3)", '"OR 1.2\n(1.1-1.3)"')
    f02 = f02.replace("-0.05", "x")
    lines = [header, "# a comment row, skipped", f01, "", f02, f03]
    folder = _bundle(tmp_path, ("\n".join(lines) + "\n").encode())
    assert _problems(folder) == ["effects.csv:6:estimate: not a number (x)"]


def test_byte_order_mark_and_crlf_are_fine(tmp_path: Path) -> None:
    data = (VALID / "effects.csv").read_bytes().replace(b"\n", b"\r\n")
    assert _problems(_bundle(tmp_path, b"\xef\xbb\xbf" + data)) == []


def test_utf16_and_binary_files(tmp_path: Path) -> None:
    text = (VALID / "effects.csv").read_text(encoding="utf-8")
    assert _problems(_bundle(tmp_path, text.encode("utf-16"))) == [
        "effects.csv:1: not UTF-8 text: it is UTF-16 (Excel's 'Unicode text'); save it as UTF-8"]
    shutil.rmtree(tmp_path / "b")
    assert _problems(_bundle(tmp_path, b"finding_key\n\x00\x01")) == [
        "effects.csv:2: not CSV text: it holds binary data (NUL bytes)"]


def test_header_problems(tmp_path: Path) -> None:
    text = (VALID / "effects.csv").read_text(encoding="utf-8").replace("quote", "quotes").replace(
        "location", "source", 1)
    assert _problems(_bundle(tmp_path, text.encode())) == [
        "effects.csv:1:quotes: unknown column (known: " + ", ".join(
            __import__("littrack.bundle.effects", fromlist=["COLUMN_NAMES"]).COLUMN_NAMES) + ")",
        "effects.csv:1:source: column given twice",
        "effects.csv:1:location: missing required column",
    ]


def test_study_toml_text_that_is_not_utf8_names_its_field(tmp_path: Path) -> None:
    study = (VALID / "study.toml").read_bytes().replace(b"Journal of Tests", "Journal of Tésts".encode("latin-1"))
    assert _problems(_bundle(tmp_path, study=study)) == [
        "study.toml:publications[1]:journal: not UTF-8 text; save the file as UTF-8 (Journal of T\\xe9sts)"]


def test_study_toml_types_and_vocabularies(tmp_path: Path) -> None:
    study = (VALID / "study.toml").read_text(encoding="utf-8")
    study = study.replace('role = "discovery"', 'role = "training"').replace("n_total = 5000", "n_total = -1")
    study = study.replace("primary = true", 'primary = "yes"')
    study = study.replace('authors = ["Doe, Jane", "Roe, Richard"]', 'authors = ["Doe, Jane", { fore_name = "R" }]')
    assert _problems(_bundle(tmp_path, study=study.encode())) == [
        "study.toml:publications[1]:authors: author 2 needs last_name or collective_name ({'fore_name': 'R'})",
        "study.toml:sources[1]:primary: must be true or false (yes)",
        "study.toml:datasets[1]:n_total: must be a whole number >= 0 (-1)",
        "study.toml:datasets[1]:role: must be one of discovery, replication, combined, follow-up, other (training)",
    ]


ROW = {"finding_key": "X1", "source": "S", "trait": "T", "comparison": "C", "measure": "OR",
       "value_kind": "reported", "estimate": "1.2", "ci_lower": "1.1", "ci_upper": "1.3", "location": "Table 1"}


@pytest.mark.parametrize("change, problem", [
    ({"direction": "decreased"}, "X:direction: 'decreased' contradicts estimate 1.2 (above the null value 1 of OR) "
                                 "(decreased)"),
    ({"measure": "beta", "estimate": "-0.2", "ci_lower": "-0.3", "ci_upper": "-0.1", "direction": "increased"},
     "X:direction: 'increased' contradicts estimate -0.2 (below the null value 0 of beta) (increased)"),
    ({"derived": "yes"}, "X:derivation: a derived value needs its derivation (how it was computed)"),
    ({"measure": "r", "estimate": "1.2", "ci_lower": "", "ci_upper": ""}, "X:estimate: r lies between -1 and 1 (1.2)"),
    ({"ci_upper": ""}, "X:ci_upper: a CI needs both bounds"),
    ({"ci_lower": "", "ci_upper": "", "ci_level": "0.9"}, "X:ci_level: a CI level without CI bounds (0.9)"),
    ({"p_value": "< 0.001"}, "X:p_value: not a number; give the number, and the bound as printed in reported_text "
                             "(< 0.001)"),
    ({"n_total": "100", "n_cases": "120"}, "X:n_cases: more than N (100) (120)"),
    ({"n_total": "3000000000"}, "X:n_total: larger than 2,147,483,647 (3000000000)"),
    ({"value_kind": "range", "estimate": "", "ci_lower": "", "ci_upper": "", "range_low": "1.1", "range_high": "1.3",
      "se": "0.1"}, None),
    ({"value_kind": "range", "estimate": "", "range_low": "1.1", "range_high": "1.3"},
     "X:ci_lower: a range has no CI; give the range in range_low and range_high (1.1)"),
])
def test_row_rules(change: dict[str, str], problem: str | None) -> None:
    spec, problems = check_effect_row({**ROW, **change}, lambda col: f"X:{col}")
    if problem is None:
        assert problems == [] and spec is not None
    else:
        assert problem in problems, problems


def test_stored_effects_read_back_through_the_validator(seeded_engine) -> None:  # type: ignore[no-untyped-def]
    """effect_row (used by export and edit) is the validator's exact inverse for every seeded effect."""
    with make_sessionmaker(seeded_engine)() as s:
        for e in s.scalars(select(EffectSize)):
            spec, problems = check_effect_row(effect_row(e), lambda col: col)
            assert problems == [] and spec is not None
            for key, value in spec.values.items():
                assert getattr(e, key) == value, (e.finding_key, key)
            assert (spec.curator, spec.curated_at) == (e.curator, e.curated_at)
