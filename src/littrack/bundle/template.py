"""An empty study bundle to fill in: a commented study.toml and an effects.csv with one commented example row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from littrack.bundle.effects import COLUMN_NAMES, EFFECT_COLUMNS
from littrack.bundle.read import EFFECTS_FILE, FORMAT, STUDY_FILE
from littrack.errors import ValidationError
from littrack.files import write_files
from littrack.vocab import COMPARISON_KINDS, DATASET_ROLES, MEASURES, PUBLICATION_ROLES, SOURCE_KINDS, VALUE_KINDS

STUDY_TEMPLATE = f'''# A littrack study bundle: this file describes the study, effects.csv holds its effect sizes.
# Fill in the empty values (the required ones are marked), delete the sections you do not need, then
#     littrack import --dry-run THIS_FOLDER      (checks everything, writes nothing)
#     littrack import THIS_FOLDER
# Text is UTF-8. Repeat a [[section]] block for each further entry. Names are matched ignoring case.
format = "{FORMAT}"

[study]
key = ""            # required: a short unique id, e.g. "smith2024_trd"
title = ""          # required
design = ""
exposures = ""
outcomes = ""
description = ""
notes = ""

[[publications]]
ref = ""            # required: a name for this publication inside the bundle, e.g. "SMITH2024"
title = ""          # required
role = "primary"    # {", ".join(PUBLICATION_ROLES)}
pmid = ""           # e.g. "40009368"; with a PMID or DOI an existing publication is reused
doi = ""            # e.g. "10.1001/jamapsychiatry.2024.4825"
pmcid = ""
journal = ""
volume = ""
issue = ""
pages = ""
pub_date = ""       # as printed, e.g. "2024 Jul 5"
# year = 2024
# epub_date = 2024-07-05
authors = []        # e.g. ["Smith, Jane A", "Doe, John"]; a name without a comma is a group author
# preprint_of = "OTHERREF"   # for a preprint: the ref of its published version

[[sources]]
key = ""            # required: the name effects.csv uses in its source column, e.g. "SMITH2024"
kind = "publication"  # required: {", ".join(SOURCE_KINDS)}
publication = ""    # the ref of the publication (for kinds publication and preprint)
primary = true      # false for secondary sources (news, blogs) that report the study
citation = ""       # required: a full citation

# [[cohorts]]
# name = "All of Us Research Program"
# country = "United States"

[[datasets]]
label = ""          # required: the name effects.csv uses in its dataset column
role = "discovery"  # required: {", ".join(DATASET_ROLES)}
# cohort = "All of Us Research Program"
# n_total = 124945
# groups = {{ cases = 4177, controls = 16640 }}
ancestry = ""
genotyping = ""

# [[phenotypes]]
# name = "TRD"
# full_name = "treatment-resistant depression"

# [[comparisons]]
# name = "TRD vs trMDD"     # what effects.csv's comparison column names
# kind = "case-control"     # {", ".join(COMPARISON_KINDS)}
# case = "TRD"
# reference = "trMDD"

# [[domains]]
# name = "Sleep"

# [[traits]]                # every trait of effects.csv that littrack does not know yet
# name = "Insomnia"
# domains = ["Sleep"]
# synonyms = ["sleeplessness"]
'''

EXAMPLE_ROW = {
    "finding_key": "F01", "source": "SMITH2024", "trait": "Insomnia", "comparison": "TRD vs trMDD",
    "dataset": "Discovery set", "analysis": "logistic regression", "measure": "OR", "per_unit": "per SD of PGS",
    "value_kind": "reported", "estimate": "1.11", "ci_lower": "1.06", "ci_upper": "1.16", "ci_level": "0.95",
    "p_value": "3e-12", "direction": "increased", "n_total": "20817", "n_cases": "4177", "n_controls": "16640",
    "covariates": "age, sex, 10 genetic principal components", "location": "Table 2",
    "quote": "OR 1.11 (95% CI 1.06-1.16)",
}


def effects_template() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    example = [EXAMPLE_ROW.get(c, "") for c in COLUMN_NAMES]
    example[0] = "# " + example[0]  # a row whose first cell starts with '#' is skipped on import
    writer.writerow(example)
    return buf.getvalue()


def column_help() -> str:
    """The columns of effects.csv, one per line, for the template's README."""
    lines = [f"{name:<15} {'required  ' if req else '          '}{help_}" for name, req, help_ in EFFECT_COLUMNS]
    return "\n".join(lines)


def write_template(folder: str | Path, *, force: bool = False) -> list[Path]:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder}: not a folder")
    targets = [folder / STUDY_FILE, folder / EFFECTS_FILE, folder / "COLUMNS.txt"]
    present = [t for t in targets if t.exists()]
    if present and not force:
        raise ValidationError(f"{present[0]}: exists already; choose a new folder or give --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    columns = ("The columns of effects.csv (measures: " + ", ".join(MEASURES) + "; value kinds: "
               + ", ".join(VALUE_KINDS) + ").\nLines whose first cell starts with # are skipped.\n\n"
               + column_help() + "\n")
    write_files({targets[0]: STUDY_TEMPLATE, targets[1]: effects_template(), targets[2]: columns})
    return targets
