"""Generate a realistic synthetic littrack SQLite database for the effect-size query benchmark.

The schema comes from the real migrations (`littrack init --no-seed`); the rows are written with sqlite3
directly. Defaults follow the issue: 1,000,000 effect sizes over 20,000 traits and 50,000 studies.
The result is cached under bench/out/ and reused while its parameters and the migrations are unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GENERATOR_VERSION = 3
TYPICAL_COUNT = 50  # effect rows of the benchmark's typical trait X
HEAVY_COUNT = 1000  # effect rows of the heavy trait
SUBSTRING = "depress"  # a part of a name that matches many traits

DOMAINS = {
    "Anthropometric": "Body size and shape.",
    "Cardiometabolic": "Blood pressure, lipids, glycaemia and cardiovascular disease.",
    "Psychiatric disorders": "Diagnosed psychiatric disorders.",
    "Mood and wellbeing": "Depressive symptoms, mood and subjective wellbeing.",
    "Education and cognition": "Educational attainment and cognitive performance.",
    "Personality": "Big Five personality traits and their facets.",
    "Sleep": "Sleep duration, timing and problems.",
    "Substance use": "Smoking, alcohol and other substances.",
    "Immune and inflammatory": "Autoimmune disease and inflammatory markers.",
    "Neurological": "Neurological and neurodegenerative disease.",
    "Cancer": "Cancer incidence.",
    "Reproductive": "Reproductive timing and outcomes.",
    "Blood cell traits": "Full blood count measures.",
    "Renal and hepatic": "Kidney and liver function.",
    "Respiratory": "Lung function and respiratory disease.",
    "Lifestyle": "Physical activity, diet and behaviour.",
}

# (name, abbreviation or None, domains): real GWAS traits; variants of each are made with qualifiers.
BASE_TRAITS: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("Body mass index", "BMI", ("Anthropometric", "Cardiometabolic")),
    ("Height", None, ("Anthropometric",)),
    ("Waist-to-hip ratio", "WHR", ("Anthropometric",)),
    ("Waist-to-hip ratio adjusted for BMI", "WHRadjBMI", ("Anthropometric",)),
    ("Body fat percentage", None, ("Anthropometric",)),
    ("Birth weight", None, ("Anthropometric", "Reproductive")),
    ("Childhood obesity", None, ("Anthropometric",)),
    ("Lean body mass", None, ("Anthropometric",)),
    ("Type 2 diabetes", "T2D", ("Cardiometabolic",)),
    ("Type 1 diabetes", "T1D", ("Cardiometabolic", "Immune and inflammatory")),
    ("Fasting glucose", "FG", ("Cardiometabolic",)),
    ("Fasting insulin", "FI", ("Cardiometabolic",)),
    ("Glycated haemoglobin", "HbA1c", ("Cardiometabolic",)),
    ("LDL cholesterol", "LDL-C", ("Cardiometabolic",)),
    ("HDL cholesterol", "HDL-C", ("Cardiometabolic",)),
    ("Triglycerides", "TG", ("Cardiometabolic",)),
    ("Total cholesterol", "TC", ("Cardiometabolic",)),
    ("Lipoprotein(a)", "Lp(a)", ("Cardiometabolic",)),
    ("Systolic blood pressure", "SBP", ("Cardiometabolic",)),
    ("Diastolic blood pressure", "DBP", ("Cardiometabolic",)),
    ("Pulse pressure", "PP", ("Cardiometabolic",)),
    ("Hypertension", "HTN", ("Cardiometabolic",)),
    ("Coronary artery disease", "CAD", ("Cardiometabolic",)),
    ("Myocardial infarction", "MI", ("Cardiometabolic",)),
    ("Atrial fibrillation", "AF", ("Cardiometabolic",)),
    ("Heart failure", "HF", ("Cardiometabolic",)),
    ("Ischaemic stroke", "IS", ("Cardiometabolic", "Neurological")),
    ("Any stroke", None, ("Cardiometabolic", "Neurological")),
    ("Peripheral artery disease", "PAD", ("Cardiometabolic",)),
    ("Venous thromboembolism", "VTE", ("Cardiometabolic",)),
    ("Resting heart rate", "RHR", ("Cardiometabolic",)),
    ("Major depressive disorder", "MDD", ("Psychiatric disorders", "Mood and wellbeing")),
    ("Recurrent major depressive disorder", "rMDD", ("Psychiatric disorders", "Mood and wellbeing")),
    ("Treatment-resistant depression", "TRD", ("Psychiatric disorders", "Mood and wellbeing")),
    ("Postpartum depression", "PPD", ("Psychiatric disorders", "Mood and wellbeing", "Reproductive")),
    ("Depressive symptoms", None, ("Mood and wellbeing",)),
    ("Broad depression", None, ("Mood and wellbeing",)),
    ("Depressed affect", None, ("Mood and wellbeing", "Personality")),
    ("Anhedonia", None, ("Mood and wellbeing",)),
    ("Schizophrenia", "SCZ", ("Psychiatric disorders",)),
    ("Bipolar disorder", "BIP", ("Psychiatric disorders",)),
    ("Bipolar I disorder", "BD-I", ("Psychiatric disorders",)),
    ("Bipolar II disorder", "BD-II", ("Psychiatric disorders",)),
    ("Attention deficit hyperactivity disorder", "ADHD", ("Psychiatric disorders",)),
    ("Autism spectrum disorder", "ASD", ("Psychiatric disorders",)),
    ("Anorexia nervosa", "AN", ("Psychiatric disorders",)),
    ("Obsessive-compulsive disorder", "OCD", ("Psychiatric disorders",)),
    ("Post-traumatic stress disorder", "PTSD", ("Psychiatric disorders",)),
    ("Generalised anxiety disorder", "GAD", ("Psychiatric disorders", "Mood and wellbeing")),
    ("Anxiety disorders", None, ("Psychiatric disorders", "Mood and wellbeing")),
    ("Panic disorder", None, ("Psychiatric disorders",)),
    ("Tourette syndrome", "TS", ("Psychiatric disorders", "Neurological")),
    ("Suicide attempt", None, ("Psychiatric disorders",)),
    ("Cross-disorder psychopathology", "p factor", ("Psychiatric disorders",)),
    ("Subjective wellbeing", "SWB", ("Mood and wellbeing",)),
    ("Loneliness", None, ("Mood and wellbeing",)),
    ("Mood instability", None, ("Mood and wellbeing",)),
    ("Irritability", None, ("Mood and wellbeing", "Personality")),
    ("Educational attainment", "EA", ("Education and cognition",)),
    ("Cognitive performance", "CP", ("Education and cognition",)),
    ("Intelligence", "IQ", ("Education and cognition",)),
    ("College completion", None, ("Education and cognition",)),
    ("Reaction time", None, ("Education and cognition",)),
    ("Verbal-numerical reasoning", None, ("Education and cognition",)),
    ("Household income", None, ("Education and cognition", "Lifestyle")),
    ("Neuroticism", "N", ("Personality",)),
    ("Extraversion", "E", ("Personality",)),
    ("Openness to experience", "O", ("Personality",)),
    ("Agreeableness", "A", ("Personality",)),
    ("Conscientiousness", "C", ("Personality",)),
    ("Worry", None, ("Personality",)),
    ("Tenseness", None, ("Personality",)),
    ("Risk tolerance", None, ("Personality", "Lifestyle")),
    ("Sensation seeking", None, ("Personality",)),
    ("Lethargy", None, ("Personality", "Mood and wellbeing")),
    ("Insomnia", None, ("Sleep",)),
    ("Sleep duration", None, ("Sleep",)),
    ("Short sleep duration", None, ("Sleep",)),
    ("Long sleep duration", None, ("Sleep",)),
    ("Chronotype", None, ("Sleep",)),
    ("Daytime napping", None, ("Sleep",)),
    ("Daytime sleepiness", None, ("Sleep",)),
    ("Obstructive sleep apnoea", "OSA", ("Sleep", "Respiratory")),
    ("Restless legs syndrome", "RLS", ("Sleep", "Neurological")),
    ("Smoking initiation", "SmkInit", ("Substance use",)),
    ("Cigarettes per day", "CPD", ("Substance use",)),
    ("Smoking cessation", "SmkCes", ("Substance use",)),
    ("Age of smoking initiation", None, ("Substance use",)),
    ("Drinks per week", "DPW", ("Substance use",)),
    ("Alcohol use disorder", "AUD", ("Substance use", "Psychiatric disorders")),
    ("Problematic alcohol use", "PAU", ("Substance use",)),
    ("Cannabis use disorder", "CUD", ("Substance use", "Psychiatric disorders")),
    ("Lifetime cannabis use", None, ("Substance use",)),
    ("Opioid use disorder", "OUD", ("Substance use", "Psychiatric disorders")),
    ("Coffee consumption", None, ("Substance use", "Lifestyle")),
    ("Rheumatoid arthritis", "RA", ("Immune and inflammatory",)),
    ("Systemic lupus erythematosus", "SLE", ("Immune and inflammatory",)),
    ("Crohn's disease", "CD", ("Immune and inflammatory",)),
    ("Ulcerative colitis", "UC", ("Immune and inflammatory",)),
    ("Inflammatory bowel disease", "IBD", ("Immune and inflammatory",)),
    ("Coeliac disease", None, ("Immune and inflammatory",)),
    ("Psoriasis", None, ("Immune and inflammatory",)),
    ("Multiple sclerosis", "MS", ("Immune and inflammatory", "Neurological")),
    ("C-reactive protein", "CRP", ("Immune and inflammatory",)),
    ("Interleukin-6", "IL-6", ("Immune and inflammatory",)),
    ("Asthma", None, ("Immune and inflammatory", "Respiratory")),
    ("Allergic disease", None, ("Immune and inflammatory",)),
    ("Atopic dermatitis", "AD (skin)", ("Immune and inflammatory",)),
    ("Hypothyroidism", None, ("Immune and inflammatory", "Cardiometabolic")),
    ("Alzheimer's disease", "LOAD", ("Neurological",)),
    ("Parkinson's disease", "PD", ("Neurological",)),
    ("Amyotrophic lateral sclerosis", "ALS", ("Neurological",)),
    ("Epilepsy", None, ("Neurological",)),
    ("Migraine", None, ("Neurological",)),
    ("Chronic pain", None, ("Neurological",)),
    ("Multisite chronic pain", "MCP", ("Neurological",)),
    ("Intracranial volume", "ICV", ("Neurological",)),
    ("Breast cancer", "BrCa", ("Cancer",)),
    ("Prostate cancer", "PrCa", ("Cancer",)),
    ("Colorectal cancer", "CRC", ("Cancer",)),
    ("Lung cancer", None, ("Cancer", "Respiratory")),
    ("Melanoma", None, ("Cancer",)),
    ("Ovarian cancer", None, ("Cancer", "Reproductive")),
    ("Pancreatic cancer", None, ("Cancer",)),
    ("Testicular cancer", None, ("Cancer",)),
    ("Age at menarche", "AAM", ("Reproductive",)),
    ("Age at natural menopause", "ANM", ("Reproductive",)),
    ("Age at first birth", "AFB", ("Reproductive",)),
    ("Number of children ever born", "NEB", ("Reproductive",)),
    ("Polycystic ovary syndrome", "PCOS", ("Reproductive", "Cardiometabolic")),
    ("Endometriosis", None, ("Reproductive",)),
    ("Preeclampsia", None, ("Reproductive", "Cardiometabolic")),
    ("Haemoglobin concentration", "HGB", ("Blood cell traits",)),
    ("Platelet count", "PLT", ("Blood cell traits",)),
    ("White blood cell count", "WBC", ("Blood cell traits", "Immune and inflammatory")),
    ("Lymphocyte count", "LYM", ("Blood cell traits", "Immune and inflammatory")),
    ("Mean corpuscular volume", "MCV", ("Blood cell traits",)),
    ("Red cell distribution width", "RDW", ("Blood cell traits",)),
    ("Estimated glomerular filtration rate", "eGFR", ("Renal and hepatic",)),
    ("Chronic kidney disease", "CKD", ("Renal and hepatic",)),
    ("Serum urate", None, ("Renal and hepatic", "Cardiometabolic")),
    ("Gout", None, ("Renal and hepatic", "Immune and inflammatory")),
    ("Alanine aminotransferase", "ALT", ("Renal and hepatic",)),
    ("Non-alcoholic fatty liver disease", "NAFLD", ("Renal and hepatic", "Cardiometabolic")),
    ("Forced expiratory volume in 1 second", "FEV1", ("Respiratory",)),
    ("Forced vital capacity", "FVC", ("Respiratory",)),
    ("FEV1/FVC ratio", None, ("Respiratory",)),
    ("Chronic obstructive pulmonary disease", "COPD", ("Respiratory",)),
    ("Moderate-to-vigorous physical activity", "MVPA", ("Lifestyle",)),
    ("Leisure screen time", None, ("Lifestyle",)),
    ("Television watching", None, ("Lifestyle",)),
    ("Oily fish intake", None, ("Lifestyle",)),
    ("Vegetarianism", None, ("Lifestyle",)),
    ("Number of sexual partners", None, ("Lifestyle", "Reproductive")),
    ("Parental longevity", None, ("Lifestyle",)),
    ("Grip strength", None, ("Anthropometric", "Lifestyle")),
]
LONG_SYNONYMS = {
    "Major depressive disorder": "Major depression",
    "Attention deficit hyperactivity disorder": "Attention-deficit/hyperactivity disorder",
    "Coronary artery disease": "Coronary heart disease",
    "Alzheimer's disease": "Late-onset Alzheimer's disease",
    "Estimated glomerular filtration rate": "Kidney function (eGFR)",
    "Generalised anxiety disorder": "Generalized anxiety disorder",
    "Ischaemic stroke": "Ischemic stroke",
    "Haemoglobin concentration": "Hemoglobin concentration",
    "Coeliac disease": "Celiac disease",
    "Obstructive sleep apnoea": "Obstructive sleep apnea",
}
GWAS_SOURCES = [
    "UKB", "UKB 2018", "UKB 2021", "FinnGen R5", "FinnGen R9", "FinnGen R10", "PGC 2014", "PGC 2019", "PGC3",
    "GIANT 2015", "GIANT 2018", "MVP", "BBJ", "23andMe", "GLGC 2021", "DIAGRAM", "MAGIC", "CARDIoGRAMplusC4D",
    "SSGAC 2018", "SSGAC 2022", "GSCAN 2019", "GSCAN 2022", "iPSYCH 2019", "HUNT", "EstBB", "deCODE", "MEGASTROKE",
    "IIBDGC", "CKDGen", "ReproGen", "Blood Cell Consortium", "Sleep Disorder KP", "GERA", "AoU", "CHARGE",
]
ANCESTRIES = [
    "European ancestry", "East Asian ancestry", "African ancestry", "South Asian ancestry", "Hispanic/Latino",
    "multi-ancestry", "Finnish", "Japanese",
]
ANCESTRY_WEIGHTS = [50, 8, 6, 4, 4, 15, 8, 5]
SEXES = [None, "females", "males"]
COHORTS = [
    ("UK Biobank", "United Kingdom"), ("FinnGen", "Finland"), ("All of Us", "United States"),
    ("Million Veteran Program", "United States"), ("BioBank Japan", "Japan"), ("23andMe", "United States"),
    ("HUNT", "Norway"), ("Estonian Biobank", "Estonia"), ("deCODE", "Iceland"), ("iPSYCH", "Denmark"),
    ("Generation Scotland", "United Kingdom"), ("Lifelines", "Netherlands"), ("China Kadoorie Biobank", "China"),
    ("Taiwan Biobank", "Taiwan"), ("Qatar Biobank", "Qatar"), ("BioVU", "United States"), ("eMERGE", "United States"),
    ("Mass General Brigham Biobank", "United States"), ("Kaiser Permanente GERA", "United States"),
    ("MoBa", "Norway"), ("ALSPAC", "United Kingdom"), ("Rotterdam Study", "Netherlands"), ("ARIC", "United States"),
    ("Framingham Heart Study", "United States"), ("Women's Health Initiative", "United States"), ("CLSA", "Canada"),
    ("Danish Blood Donor Study", "Denmark"), ("Swedish Twin Registry", "Sweden"), ("NESDA", "Netherlands"),
    ("STAR*D", "United States"), ("GENDEP", "Europe"), ("Penn Medicine Biobank", "United States"),
    ("Mexico City Prospective Study", "Mexico"), ("Korean Genome and Epidemiology Study", "South Korea"),
    ("Biobank Sweden", "Sweden"), ("Partners HealthCare Biobank", "United States"),
]
PHENOTYPES = [
    ("MDD", "major depressive disorder"), ("TRD", "treatment-resistant depression"),
    ("trMDD", "treatment-responsive major depressive disorder"), ("non-MDD", "no MDD diagnosis"),
    ("T2D", "type 2 diabetes"), ("no T2D", "no type 2 diabetes"), ("CAD", "coronary artery disease"),
    ("no CAD", "no coronary artery disease"), ("SCZ", "schizophrenia"), ("BIP", "bipolar disorder"),
    ("controls", "population controls"), ("AD", "Alzheimer's disease"), ("MCI", "mild cognitive impairment"),
    ("CN", "cognitively normal"), ("BrCa", "breast cancer"), ("PrCa", "prostate cancer"),
    ("CKD", "chronic kidney disease"), ("AF", "atrial fibrillation"), ("HF", "heart failure"),
    ("AUD", "alcohol use disorder"), ("PTSD", "post-traumatic stress disorder"), ("ADHD", "ADHD"),
    ("ASD", "autism spectrum disorder"), ("FEP", "first-episode psychosis"), ("CHR", "clinical high risk for psychosis"),
    ("responders", "treatment responders"), ("non-responders", "treatment non-responders"),
    ("stroke", "any stroke"), ("no stroke", "no stroke"), ("death", "all-cause death"),
]
COMPARISONS = [
    ("TRD vs trMDD", "case-control", "TRD", "trMDD"), ("conversion trMDD to TRD", "progression", "trMDD", "TRD"),
    ("MDD vs controls", "case-control", "MDD", "controls"), ("MDD vs non-MDD", "case-control", "MDD", "non-MDD"),
    ("T2D vs no T2D", "case-control", "T2D", "no T2D"), ("incident T2D", "progression", "no T2D", "T2D"),
    ("CAD vs no CAD", "case-control", "CAD", "no CAD"), ("incident CAD", "progression", "no CAD", "CAD"),
    ("SCZ vs controls", "case-control", "SCZ", "controls"), ("BIP vs controls", "case-control", "BIP", "controls"),
    ("SCZ vs BIP", "case-control", "SCZ", "BIP"), ("AD vs CN", "case-control", "AD", "CN"),
    ("conversion MCI to AD", "progression", "MCI", "AD"), ("BrCa vs controls", "case-control", "BrCa", "controls"),
    ("PrCa vs controls", "case-control", "PrCa", "controls"), ("CKD vs controls", "case-control", "CKD", "controls"),
    ("incident AF", "progression", "controls", "AF"), ("incident HF", "progression", "controls", "HF"),
    ("AUD vs controls", "case-control", "AUD", "controls"), ("PTSD vs controls", "case-control", "PTSD", "controls"),
    ("ADHD vs controls", "case-control", "ADHD", "controls"), ("ASD vs controls", "case-control", "ASD", "controls"),
    ("transition CHR to FEP", "progression", "CHR", "FEP"), ("non-responders vs responders", "case-control",
                                                                "non-responders", "responders"),
    ("incident stroke", "progression", "no stroke", "stroke"), ("mortality", "progression", "controls", "death"),
    ("MDD (risk)", "unspecified", "MDD", None), ("TRD (risk)", "unspecified", "TRD", None),
    ("quantitative trait (population)", "unspecified", None, None),
    ("lifetime risk (population)", "unspecified", None, None),
]
MEASURES = [("OR", 34), ("HR", 14), ("beta", 20), ("RR", 5), ("logOR", 5), ("SMD", 5), ("r", 5), ("R2", 4),
            ("AUC", 4), ("logHR", 2), ("ratio", 2)]
RATIO = {"OR", "HR", "RR", "ratio"}
ANALYSES = ["logistic regression", "Cox proportional hazards", "linear regression", "Mendelian randomisation (IVW)",
            "mixed model", "conditional logistic regression", None]
PER_UNITS = ["per SD of PGS", "per SD of PGS", "top vs bottom decile", "top 5% vs rest", "per quintile", None]
COVARIATES = ["age, sex, 10 genetic PCs", "age, sex, genotyping array, 20 PCs", "age, sex, BMI, 10 PCs",
              "age, sex, education, 10 PCs", None, None]
LOCATIONS = ["Table 2", "Table 3", "Supplementary Table S4", "Supplementary Table S7", "Figure 2", "Figure 3",
             "Results, paragraph 2", "Abstract (Results)", "eTable 5 in Supplement 1"]
CURATORS = ["anna.k", "bo.x", "c.fernandez", "dmitri", "e.okafor", "littrack seed", "priya.r", "tomas"]
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wang Li Zhang Liu Chen Yang Huang "
    "Zhao Wu Zhou Muller Schmidt Schneider Fischer Weber Rossi Russo Ferrari Nakamura Tanaka Suzuki Sato Kim Lee "
    "Park Choi Nguyen Kowalski Nowak Andersson Johansson Hansen Jensen Dubois Martin Bernard Xu Okafor Mensah"
).split()
JOURNALS = ["Nature Genetics", "JAMA Psychiatry", "Molecular Psychiatry", "Biological Psychiatry", "Diabetologia",
            "European Heart Journal", "PLoS Genetics", "American Journal of Human Genetics", "Nature Communications",
            "Psychological Medicine", "The Lancet Psychiatry", "Genome Medicine", "Circulation"]
NEWS = [("news", "Psychiatric News"), ("news", "Healio"), ("news", "Medscape"), ("blog", "a clinic's blog"),
        ("blog", "Genetic epidemiology notes"), ("other", "conference poster")]


def migrations_digest() -> str:
    """Hash of the migration files: a cached database is rebuilt when the schema changes."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "migrations").rglob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def scaled(effects: int) -> tuple[int, int]:
    """Traits and studies for a database of `effects` rows, in the issue's proportions (50 and 20 per row)."""
    return max(60, effects // 50), max(20, effects // 20)


def _dt(rng: random.Random, start_year: int = 2023, end_year: int = 2026) -> str:
    start = dt.datetime(start_year, 1, 1)
    seconds = rng.randrange(int((dt.datetime(end_year, 12, 31) - start).total_seconds()))
    return (start + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs], k=k)


def _counts(rng: random.Random, n_items: int, total: int, sigma: float, cap: int | None = None) -> list[int]:
    """`n_items` positive counts summing to `total`, lognormally spread, each at most `cap`."""
    weights = [rng.lognormvariate(0.0, sigma) for _ in range(n_items)]
    scale = (total - n_items) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    if cap:
        counts = [min(c, cap) for c in counts]
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(n_items)
        if diff > 0 and (cap is None or counts[i] < cap):
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


def _insert(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT the rows, leaving out columns this schema does not have (the schema is young and moves)."""
    present = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    keep = [i for i, c in enumerate(columns) if c in present]
    if len(keep) < len(columns):
        rows = (tuple(r[i] for i in keep) for r in rows)
    cols = [columns[i] for i in keep]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    before = conn.total_changes
    conn.executemany(sql, rows)
    return conn.total_changes - before


class Generator:
    def __init__(self, effects: int, traits: int, studies: int, seed: int):
        self.n_effects, self.n_traits, self.n_studies = effects, traits, studies
        self.rng = random.Random(seed)
        self.meta: dict[str, Any] = {}

    # -- vocabulary -------------------------------------------------------------------------------------------------
    def traits(self, conn: sqlite3.Connection) -> None:
        rng = self.rng
        domain_ids = {name: i for i, name in enumerate(DOMAINS, 1)}
        _insert(conn, "trait_domains", ("id", "name", "name_key", "description"),
                [(i, n, n.casefold(), DOMAINS[n]) for n, i in domain_ids.items()])
        n_groups = max(2, self.n_traits // 100)
        n_plain = self.n_traits - n_groups
        # Popular traits get more variants: a lognormal share of the names per base trait.
        per_base = _counts(rng, len(BASE_TRAITS), n_plain, 0.9, cap=400)
        rows, synonyms, links, by_domain = [], [], [], {d: [] for d in DOMAINS}
        tid = 0
        used: set[str] = set()
        plain_ids: list[int] = []
        for (base, abbr, domains), n in zip(BASE_TRAITS, per_base, strict=False):
            ontology = f"EFO_{rng.randrange(1, 10**7):07d}"
            made = 0
            while made < n:
                source = rng.choice(GWAS_SOURCES)
                ancestry = rng.choices(ANCESTRIES, weights=ANCESTRY_WEIGHTS)[0]
                sex = rng.choice(SEXES)
                qual = f"{source}, {ancestry}" + (f", {sex}" if sex else "")
                name = f"{base} ({qual})"
                if name.casefold() in used:
                    continue
                used.add(name.casefold())
                made += 1
                tid += 1
                desc = f"Polygenic score for {base.lower()} from the {source} GWAS ({ancestry})." if rng.random() < 0.3 else None
                rows.append((tid, name, name.casefold(), "trait", ontology if rng.random() < 0.7 else None, desc))
                plain_ids.append(tid)
                for d in domains:
                    links.append((tid, domain_ids[d]))
                    by_domain[d].append(tid)
                if abbr and rng.random() < 0.6:
                    synonyms.append((tid, f"{abbr} ({qual})"))
                if base in LONG_SYNONYMS and rng.random() < 0.5:
                    synonyms.append((tid, f"{LONG_SYNONYMS[base]} ({qual})"))
        members = []
        group_ids = []
        for g in range(n_groups):
            domain = rng.choice(list(DOMAINS))
            tid += 1
            name = f"{domain} PGS panel {g + 1} ({rng.choice(GWAS_SOURCES)})"
            rows.append((tid, name, name.casefold(), "group", None, f"{domain} traits reported together."))
            links.append((tid, domain_ids[domain]))
            pool = by_domain[domain] or plain_ids
            for m in rng.sample(pool, min(len(pool), rng.randint(5, 30))):
                members.append((tid, m))
            group_ids.append(tid)
        _insert(conn, "traits", ("id", "name", "name_key", "kind", "ontology_id", "description"), rows)
        _insert(conn, "trait_domain_links", ("trait_id", "domain_id"), links)
        _insert(conn, "trait_members", ("group_id", "member_id"), members)
        _insert(conn, "trait_synonyms", ("id", "trait_id", "name", "name_key"),
                [(i, t, n, n.casefold()) for i, (t, n) in enumerate(synonyms, 1)])
        self.trait_ids = [r[0] for r in rows]
        self.trait_names = {r[0]: r[1] for r in rows}
        self.grouped = {m for _, m in members}
        self.meta.update(n_traits=len(rows), n_groups=n_groups, n_synonyms=len(synonyms), n_domains=len(DOMAINS))

    def pick_bench_traits(self, conn: sqlite3.Connection) -> tuple[int, int]:
        """A typical trait X whose full name matches only itself (no group holds it), and a heavy trait."""
        names = [n.casefold() for n in self.trait_names.values()]
        syns = [s for (s,) in conn.execute("SELECT name_key FROM trait_synonyms")]
        rng = random.Random(7)
        plain = [t for t in self.trait_ids if t not in self.grouped and " PGS panel " not in self.trait_names[t]]
        candidates = [t for t in plain if self.trait_names[t].startswith(("Insomnia (", "Neuroticism (", "Chronotype ("))]
        rng.shuffle(candidates)
        candidates += plain  # small databases may lack those

        def unique(tid: int) -> bool:
            key = self.trait_names[tid].casefold()
            return sum(key in n for n in names) == 1 and not any(key in s for s in syns)

        typical = next(t for t in candidates if unique(t))
        heavy = next(t for t in [t for t in plain if self.trait_names[t].startswith("Body mass index (")] + plain
                     if t != typical and unique(t))
        return typical, heavy

    def reference(self, conn: sqlite3.Connection) -> None:
        _insert(conn, "cohorts", ("id", "name", "country"), [(i, n, c) for i, (n, c) in enumerate(COHORTS, 1)])
        _insert(conn, "phenotypes", ("id", "name", "full_name"),
                [(i, n, f) for i, (n, f) in enumerate(PHENOTYPES, 1)])
        pheno = {n: i for i, (n, _) in enumerate(PHENOTYPES, 1)}
        _insert(conn, "comparisons", ("id", "name", "kind", "case_phenotype_id", "reference_phenotype_id"),
                [(i, n, k, pheno.get(c), pheno.get(r)) for i, (n, k, c, r) in enumerate(COMPARISONS, 1)])

    # -- studies ----------------------------------------------------------------------------------------------------
    def studies(self, conn: sqlite3.Connection) -> None:
        rng = self.rng
        studies, pubs, links, sources, datasets, groups = [], [], [], [], [], []
        self.study_sources: list[tuple[int, list[int]]] = []  # (primary source, secondary sources) per study
        self.study_datasets: list[list[int]] = []
        pub_id = src_id = ds_id = grp_id = 0
        for s in range(1, self.n_studies + 1):
            last = rng.choice(LAST_NAMES)
            year = rng.randint(2012, 2026)
            base = rng.choice(BASE_TRAITS)[0]
            key = f"{last.lower()}{year}_{s}"
            title = f"Polygenic scores for {base.lower()} and related traits in {rng.choice(COHORTS)[0]}"
            created = _dt(rng)
            studies.append((s, key, title, rng.choice(["Case-control", "Cohort", "Case-cohort", "Cross-sectional"]),
                            f"Polygenic scores for {rng.randint(1, 80)} traits", None, None, None, created, created))
            pub_id += 1
            journal = rng.choice(JOURNALS)
            citation = f"{last} {rng.choice('ABCDEFGHJKLMNPRSTW')}, et al. {title}. {journal}. {year};{rng.randint(1, 90)}:{rng.randint(1, 999)}."
            pubs.append((pub_id, 20_000_000 + pub_id, f"10.5555/bench.{pub_id}", title, journal, year,
                         '["Journal Article"]', "[]", 0, 0, "bundle", created, created))
            links.append((s, pub_id, "primary", 0))
            src_id += 1
            primary = src_id
            skey = f"{last.upper()}{year}"
            sources.append((src_id, s, skey, "publication", 1, pub_id, citation, journal, None, str(year), None))
            secondary = []
            if rng.random() < 0.1:
                pub_id += 1
                pubs.append((pub_id, 20_000_000 + pub_id, f"10.1101/bench.{pub_id}", title + " (preprint)", "medRxiv",
                             year - 1, '["Preprint"]', "[]", 1, 0, "bundle", created, created))
                links.append((s, pub_id, "preprint", 1))
                src_id += 1
                sources.append((src_id, s, f"{skey}PRE", "preprint", 0, pub_id, f"{citation} Preprint.", "medRxiv",
                                None, str(year - 1), "Preprint; numbers may differ from the published ones."))
                secondary.append(src_id)
            for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
                kind, outlet = rng.choice(NEWS)
                src_id += 1
                sources.append((src_id, s, f"{outlet.split()[0].upper()}{year}{src_id}", kind, 0, None,
                                f"{outlet}: coverage of {last} et al. {year}.", outlet,
                                f"https://example.org/{src_id}", str(year), "Secondary source."))
                secondary.append(src_id)
            self.study_sources.append((primary, secondary))
            ds = []
            for role in ["discovery", "replication", "combined"][: rng.choice([1, 1, 2, 2, 3])]:
                ds_id += 1
                cohort = rng.randrange(1, len(COHORTS) + 1)
                ancestry = rng.choices(ANCESTRIES, weights=ANCESTRY_WEIGHTS)[0]
                n = rng.randint(500, 400_000)
                datasets.append((ds_id, s, cohort, f"{COHORTS[cohort - 1][0]} {ancestry} {role} set", role,
                                 rng.choice(["WGS", "genotyping array", "array + imputation"]), ancestry, n, None))
                for position, gname in enumerate(("cases", "controls")):
                    grp_id += 1
                    groups.append((grp_id, ds_id, gname, n // 3 if position == 0 else n - n // 3, position))
                ds.append(ds_id)
            self.study_datasets.append(ds)
        _insert(conn, "studies", ("id", "key", "title", "design", "exposures", "outcomes", "description", "notes",
                                  "created_at", "updated_at"), studies)
        _insert(conn, "publications", ("id", "pmid", "doi", "title", "journal", "pub_year", "publication_types",
                                       "keywords", "is_preprint", "is_retracted", "origin", "created_at",
                                       "updated_at"), pubs)
        _insert(conn, "study_publications", ("study_id", "publication_id", "role", "position"), links)
        _insert(conn, "sources", ("id", "study_id", "key", "kind", "is_primary", "publication_id", "citation",
                                  "publisher", "url", "date_text", "notes"), sources)
        _insert(conn, "datasets", ("id", "study_id", "cohort_id", "label", "role", "genotyping", "ancestry",
                                   "n_total", "description"), datasets)
        _insert(conn, "dataset_groups", ("id", "dataset_id", "name", "n", "position"), groups)
        self.meta.update(n_studies=len(studies), n_publications=len(pubs), n_sources=len(sources),
                         n_datasets=len(datasets))

    # -- effect sizes -----------------------------------------------------------------------------------------------
    def effect_traits(self, typical: int, heavy: int) -> list[int]:
        """One trait id per effect row: ~50 per trait on average, X exactly TYPICAL_COUNT, heavy HEAVY_COUNT."""
        rng = self.rng
        others = [t for t in self.trait_ids if t not in (typical, heavy)]
        fixed = min(TYPICAL_COUNT + HEAVY_COUNT, self.n_effects // 2)
        heavy_n = max(1, fixed - TYPICAL_COUNT)
        counts = _counts(rng, len(others), self.n_effects - TYPICAL_COUNT - heavy_n, 1.0, cap=max(2, heavy_n - 100))
        ids = [t for t, c in zip(others, counts, strict=False) for _ in range(c)]
        ids += [typical] * TYPICAL_COUNT + [heavy] * heavy_n
        rng.shuffle(ids)
        return ids

    def effects(self, trait_ids: list[int]) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        per_study = _counts(rng, self.n_studies, len(trait_ids), 0.8)
        measures = _weighted(rng, MEASURES, 4096)
        eid = 0
        for s, n in enumerate(per_study, 1):
            primary, secondary = self.study_sources[s - 1]
            ds = self.study_datasets[s - 1]
            comparison = rng.randrange(1, len(COMPARISONS) + 1)
            analysis = rng.choice(ANALYSES)
            covariates = rng.choice(COVARIATES)
            curator = rng.choice(CURATORS)
            for k in range(1, n + 1):
                eid += 1
                r = rng.random()
                measure = measures[eid % 4096]
                source = primary if not secondary or rng.random() < 0.85 else rng.choice(secondary)
                kind = "reported"
                derived = 0
                estimate = ci_lower = ci_upper = ci_level = se = p = plog = q = qlog = low = high = None
                derivation = reported_text = direction_text = None
                if r < 0.09:
                    kind = "qualitative"
                    measure = measure if rng.random() < 0.5 else None
                    direction = rng.choice(["increased", "decreased", "associated", "none"])
                    direction_text = rng.choice([None, "higher PGS, higher risk", "no clear association"])
                else:
                    if measure in RATIO:
                        log_est = rng.gauss(0.05, 0.15)
                        s_log = abs(rng.gauss(0.04, 0.02)) + 0.005
                        estimate = round(math.exp(log_est), 3)
                        lo, hi = math.exp(log_est - 1.96 * s_log), math.exp(log_est + 1.96 * s_log)
                    elif measure in ("R2", "AUC"):
                        estimate = round(rng.uniform(0.0, 0.08) if measure == "R2" else rng.uniform(0.5, 0.75), 4)
                        s_log = 0.005
                        lo, hi = max(0.0, estimate - 0.01), min(1.0, estimate + 0.01)
                    else:
                        estimate = round(rng.gauss(0.02, 0.08), 4)
                        if measure == "r":
                            estimate = max(-0.9, min(0.9, estimate))
                        s_log = abs(rng.gauss(0.02, 0.01)) + 0.002
                        lo, hi = estimate - 1.96 * s_log, estimate + 1.96 * s_log
                    direction = "increased" if estimate > (1 if measure in RATIO else 0) else "decreased"
                    if r < 0.14:  # a range, sometimes derived from percents
                        kind = "range"
                        low, high = round(min(lo, estimate), 3), round(max(hi, estimate), 3)
                        if measure in RATIO and low <= 0:
                            low = 0.01
                        estimate = None
                        if rng.random() < 0.3:
                            derived, derivation = 1, "1 + percent / 100 for both ends"
                            reported_text = f"{round((low - 1) * 100)}%-{round((high - 1) * 100)}% increased risk"
                    elif r < 0.18 and measure in RATIO:
                        kind, derived = "derived_from_percent", 1
                        reported_text = f"{round((estimate - 1) * 100)}% {'higher' if estimate > 1 else 'lower'} risk"
                        derivation = "ratio = 1 + percent / 100"
                    elif rng.random() < 0.75:
                        ci_level = 0.95 if rng.random() < 0.93 else rng.choice([0.9, 0.99])
                        ci_lower, ci_upper = round(min(lo, estimate), 4), round(max(hi, estimate), 4)
                        if measure in RATIO and ci_lower <= 0:
                            ci_lower = 0.0001
                        se = round(s_log, 5) if rng.random() < 0.5 else None
                    if kind != "derived_from_percent" and rng.random() < 0.7:
                        if rng.random() < 0.01:
                            plog = -rng.uniform(310, 600)  # underflows a double: kept only as log10
                        else:
                            plog = -rng.uniform(0.0, 30.0)
                            p = 10**plog
                        if rng.random() < 0.25:
                            qlog = min(0.0, plog + rng.uniform(0, 2))
                            q = 10**qlog if qlog > -300 else None
                dataset = rng.choice(ds) if ds and rng.random() < 0.88 else None
                sample = None if dataset else rng.choice(["patients of a psychiatric clinic", "all participants",
                                                          "a subsample with follow-up data"])
                n_total = rng.randint(1_000, 300_000) if rng.random() < 0.8 else None
                n_cases = n_total // rng.randint(3, 20) if n_total and rng.random() < 0.7 else None
                n_controls = n_total - n_cases if n_cases is not None and rng.random() < 0.8 else None
                yield (
                    eid, s, f"F{k:03d}", trait_ids[eid - 1], "polygenic score", comparison, dataset, sample, analysis,
                    measure, rng.choice(PER_UNITS) if measure else None, kind, estimate, ci_lower, ci_upper, ci_level,
                    se, p, plog, q, qlog, low, high, direction, direction_text, reported_text, derived, derivation,
                    n_total, n_cases, n_controls, covariates, source, rng.choice(LOCATIONS),
                    f"quoted text of finding {k}" if rng.random() < 0.3 else None,
                    "Curator note." if rng.random() < 0.05 else None, curator, _dt(rng),
                )

    EFFECT_COLUMNS = (
        "id", "study_id", "finding_key", "exposure_trait_id", "exposure_type", "comparison_id", "dataset_id",
        "sample_text", "analysis", "measure", "per_unit", "value_kind", "estimate", "ci_lower", "ci_upper", "ci_level",
        "se", "p_value", "p_value_log10", "q_value", "q_value_log10", "range_low", "range_high", "direction",
        "direction_text", "reported_text", "derived", "derivation", "n_total", "n_cases", "n_controls", "covariates",
        "source_id", "location", "quote", "notes", "curator", "curated_at",
    )


def _littrack() -> list[str]:
    exe = Path(sys.executable).with_name("littrack")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "littrack"]


def generate(path: Path, effects: int, traits: int, studies: int, seed: int, quiet: bool = False) -> dict[str, Any]:
    """Build the database at `path` (through a temporary file) and return its metadata."""
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    tmp = path.with_name(path.name + ".tmp")
    for p in (tmp, Path(str(tmp) + "-journal")):
        p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([*_littrack(), "--db", f"sqlite:///{tmp}", "init", "--no-seed"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"schema from the migrations: {time.perf_counter() - t0:.1f} s")
    gen = Generator(effects, traits, studies, seed)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    with conn:
        gen.traits(conn)
        gen.reference(conn)
        typical, heavy = gen.pick_bench_traits(conn)
        gen.studies(conn)
        log(f"traits and studies: {time.perf_counter() - t0:.1f} s")
        n = _insert(conn, "effect_sizes", Generator.EFFECT_COLUMNS, gen.effects(gen.effect_traits(typical, heavy)))
        log(f"{n:,} effect sizes: {time.perf_counter() - t0:.1f} s")
    conn.close()
    os.replace(tmp, path)
    meta = {
        **gen.meta, "n_effects": n, "seed": seed, "generator": GENERATOR_VERSION, "migrations": migrations_digest(),
        "typical_trait": gen.trait_names[typical], "heavy_trait": gen.trait_names[heavy], "substring": SUBSTRING,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def ensure(effects: int, traits: int | None = None, studies: int | None = None, seed: int = 0,
           regenerate: bool = False, quiet: bool = False) -> tuple[Path, dict[str, Any]]:
    """The cached database for these parameters, generated when missing or stale."""
    auto_traits, auto_studies = scaled(effects)
    traits, studies = traits or auto_traits, studies or auto_studies
    path = OUT / f"effects_{effects}_{traits}_{studies}_s{seed}.db"
    meta_path = path.with_suffix(".json")
    if not regenerate and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == GENERATOR_VERSION and meta.get("migrations") == migrations_digest():
            return path, meta
    return path, generate(path, effects, traits, studies, seed, quiet)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--effects", type=int, default=1_000_000, help="effect-size rows (default 1,000,000)")
    ap.add_argument("--traits", type=int, help="traits (default effects / 50)")
    ap.add_argument("--studies", type=int, help="studies (default effects / 20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--regenerate", action="store_true", help="rebuild even when a cached database fits")
    args = ap.parse_args()
    path, meta = ensure(args.effects, args.traits, args.studies, args.seed, args.regenerate)
    print(path)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
