"""Nearest-name suggestions and the one unknown-name message."""

from __future__ import annotations

import itertools

from littrack.suggest import nearest, unknown

BASES = [
    "Insomnia", "Depression", "Major depressive disorder", "Depressive symptoms", "Body mass index", "Chronotype",
    "Neuroticism", "Educational attainment", "Intelligence", "Schizophrenia", "Bipolar disorder", "Height",
    "Type 2 diabetes", "Coronary artery disease", "Alcohol consumption", "Smoking initiation", "Loneliness",
    "Sleep duration", "Daytime napping", "Anxiety", "Asthma", "Insulin resistance", "Inflammatory bowel disease",
    "Autism spectrum disorder", "Attention deficit hyperactivity disorder", "Systolic blood pressure",
    "Low-density lipoprotein cholesterol", "Obsessive-compulsive disorder", "Post-traumatic stress disorder",
    "Morningness", "Subjective well-being", "Mood swings", "Tenseness", "Lethargy", "Grip strength",
]
SOURCES = ["UKB", "UKB 2018", "UKB 2021", "FinnGen R5", "FinnGen R9", "FinnGen R10", "PGC 2014", "PGC 2019", "PGC3",
           "GIANT 2015", "GIANT 2018", "MVP", "BBJ", "23andMe", "GLGC 2021", "DIAGRAM", "MAGIC", "CKDGen", "HUNT",
           "EstBB", "deCODE", "iPSYCH 2019", "SSGAC 2018", "SSGAC 2022", "GSCAN 2019", "GSCAN 2022", "AoU", "CHARGE"]
ANCESTRIES = ["European ancestry", "East Asian ancestry", "African ancestry", "South Asian ancestry",
              "Hispanic/Latino", "multi-ancestry", "Finnish", "Japanese", "Estonian", "Korean"]
SEXES = [None, "females", "males"]


def bench_like_names(count: int = 27_600) -> list[str]:
    """Trait names as the benchmark database has them: a real trait with consortium, ancestry and sex."""
    names = []
    for source, ancestry, sex, base in itertools.product(SOURCES, ANCESTRIES, SEXES, BASES):
        names.append(f"{base} ({source}, {ancestry}" + (f", {sex})" if sex else ")"))
    assert len(names) >= count
    return names[:count]


def test_typos_among_many_qualified_names() -> None:
    names = bench_like_names()
    assert len(set(names)) == 27_600
    picks = nearest("insomina", names)
    assert len(picks) == 3 and all(p.startswith("Insomnia (") for p in picks)
    assert picks == sorted(picks, key=lambda p: (len(p), p))  # equal scores: shortest, then alphabetical
    assert nearest("depresion", names)[0].startswith("Depression (")
    assert nearest("Schizofrenia", names)[0].startswith("Schizophrenia (")
    assert nearest("qwxz", names) == []


def test_typos_among_plain_names() -> None:
    names = [*BASES, "Insomnia and specific neuroticism traits (group)", "Specific neuroticism"]
    assert nearest("insomina", names) == ["Insomnia"]
    assert nearest("INSOMNAI", names) == ["Insomnia"]
    assert nearest("depresion", names) == ["Depression"]
    assert nearest("  Neuroticsm ", names) == ["Neuroticism"]  # case and spaces do not count
    assert nearest("Sleep patterns", ["Sleep", "Personality", "Temperament"]) == ["Sleep"]  # a part of the value
    assert nearest("xu2025", ["xu2025_trd", "smith2020_mdd"]) == ["xu2025_trd"]  # the value a part of a name
    assert nearest("Replication", ["Discovery"]) == []
    assert nearest("sleep", ["Sleep", "SLEEP", "sleep "]) == ["SLEEP"]  # one suggestion per folded name
    assert nearest("", BASES) == [] and nearest("x", []) == []
    measures = ["OR", "HR", "RR", "ratio", "beta", "logOR", "logHR", "SMD", "r", "R2", "AUC"]
    assert nearest("hazard", measures) == []  # "r" is in "hazard", but a part that short means nothing
    assert nearest("odds", measures) == [] and nearest("betta", measures) == ["beta"]
    assert nearest("aa", ["asthma", "trd2"]) == []  # two letters in common at an edge


def test_one_message_for_a_command_and_for_a_problem_line() -> None:
    names = ["Insomnia", "Chronotype"]
    assert unknown("trait", "insomina", names, "see `littrack traits`") == \
        "unknown trait 'insomina'; nearest: Insomnia; see `littrack traits`"
    assert unknown("trait", "qwxz", names) == "unknown trait 'qwxz'"
    assert unknown("trait", "Insomnai", names, "declare it in study.toml [[traits]]", problem=True) == \
        "unknown trait; nearest: Insomnia; declare it in study.toml [[traits]] (Insomnai)"
    assert unknown("data set", "Rep\nlication", ["Discovery"], problem=True) == "unknown data set (Rep lication)"
