"""Effect sizes with their uncertainty, value kind and provenance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from littrack.models.base import Base, UTCDateTime, sql_in, utcnow
from littrack.models.study import Dataset, Source, Study
from littrack.models.trait import Comparison, Trait
from littrack.vocab import DIRECTIONS, MEASURES, RATIO_MEASURES, VALUE_KINDS

_RATIO = sql_in("measure", RATIO_MEASURES)


class EffectSize(Base):
    __tablename__ = "effect_sizes"
    __table_args__ = (
        UniqueConstraint("study_id", "finding_key"),
        CheckConstraint(sql_in("value_kind", VALUE_KINDS), name="value_kind_known"),
        CheckConstraint(f"measure IS NULL OR {sql_in('measure', tuple(MEASURES))}", name="measure_known"),
        CheckConstraint(f"direction IS NULL OR {sql_in('direction', DIRECTIONS)}", name="direction_known"),
        CheckConstraint("value_kind = 'qualitative' OR measure IS NOT NULL", name="measure_given"),
        CheckConstraint(
            "value_kind NOT IN ('reported', 'derived_from_percent') OR estimate IS NOT NULL", name="estimate_given"
        ),
        CheckConstraint(
            "value_kind <> 'range' OR (range_low IS NOT NULL AND range_high IS NOT NULL AND estimate IS NULL)",
            name="range_bounds_given",
        ),
        CheckConstraint(
            "value_kind <> 'qualitative' OR (estimate IS NULL AND range_low IS NULL AND range_high IS NULL"
            " AND direction IS NOT NULL)",
            name="qualitative_has_no_number",
        ),
        CheckConstraint("ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper", name="ci_ordered"),
        CheckConstraint(
            "estimate IS NULL OR ((ci_lower IS NULL OR ci_lower <= estimate) AND (ci_upper IS NULL OR estimate <= ci_upper))",
            name="ci_brackets_estimate",
        ),
        CheckConstraint("(ci_lower IS NULL AND ci_upper IS NULL) OR ci_level IS NOT NULL", name="ci_has_level"),
        CheckConstraint("ci_level IS NULL OR (ci_level > 0 AND ci_level < 1)", name="ci_level_range"),
        CheckConstraint("range_low IS NULL OR range_high IS NULL OR range_low <= range_high", name="range_ordered"),
        CheckConstraint(
            f"NOT {_RATIO} OR ((estimate IS NULL OR estimate > 0) AND (ci_lower IS NULL OR ci_lower > 0)"
            " AND (range_low IS NULL OR range_low > 0))",
            name="ratio_positive",
        ),
        CheckConstraint("value_kind <> 'derived_from_percent' OR derived", name="derived_flagged"),
        CheckConstraint("se IS NULL OR se >= 0", name="se_nonnegative"),
        CheckConstraint("p_value IS NULL OR (p_value >= 0 AND p_value <= 1)", name="p_range"),
        CheckConstraint("p_value_log10 IS NULL OR p_value_log10 <= 0", name="p_log10_range"),
        CheckConstraint("q_value IS NULL OR (q_value >= 0 AND q_value <= 1)", name="q_range"),
        CheckConstraint("q_value_log10 IS NULL OR q_value_log10 <= 0", name="q_log10_range"),
        CheckConstraint("n_total IS NULL OR n_total >= 0", name="n_total_nonnegative"),
        CheckConstraint("n_cases IS NULL OR n_cases >= 0", name="n_cases_nonnegative"),
        CheckConstraint("n_controls IS NULL OR n_controls >= 0", name="n_controls_nonnegative"),
        CheckConstraint(
            "n_total IS NULL OR n_cases IS NULL OR n_controls IS NULL OR n_cases + n_controls <= n_total",
            name="groups_within_total",
        ),
        Index("ix_effect_sizes_trait_id", "exposure_trait_id"),
        Index("ix_effect_sizes_comparison_id", "comparison_id"),
        Index("ix_effect_sizes_dataset_id", "dataset_id"),
        Index("ix_effect_sizes_source_id", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    finding_key: Mapped[str] = mapped_column(Text)
    exposure_trait_id: Mapped[int] = mapped_column(ForeignKey("traits.id", ondelete="RESTRICT"))
    exposure_type: Mapped[str] = mapped_column(Text, default="polygenic score")
    comparison_id: Mapped[int] = mapped_column(ForeignKey("comparisons.id", ondelete="RESTRICT"))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id", ondelete="RESTRICT"))
    sample_text: Mapped[str | None] = mapped_column(Text)  # the sample as the source words it, when no data set is known
    analysis: Mapped[str | None] = mapped_column(Text)  # None: the source does not say
    measure: Mapped[str | None] = mapped_column(String(20))
    per_unit: Mapped[str | None] = mapped_column(Text)
    value_kind: Mapped[str] = mapped_column(String(30))
    estimate: Mapped[float | None] = mapped_column(Float)
    ci_lower: Mapped[float | None] = mapped_column(Float)
    ci_upper: Mapped[float | None] = mapped_column(Float)
    ci_level: Mapped[float | None] = mapped_column(Float)
    se: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)  # NULL when it underflows a double; p_value_log10 keeps it
    p_value_log10: Mapped[float | None] = mapped_column(Float)
    q_value: Mapped[float | None] = mapped_column(Float)
    q_value_log10: Mapped[float | None] = mapped_column(Float)
    range_low: Mapped[float | None] = mapped_column(Float)
    range_high: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(20))
    direction_text: Mapped[str | None] = mapped_column(Text)
    reported_text: Mapped[str | None] = mapped_column(Text)  # the number as the source wrote it ("28% increased risk")
    derived: Mapped[bool] = mapped_column(Boolean, default=False)  # our arithmetic, not the source's number
    derivation: Mapped[str | None] = mapped_column(Text)
    n_total: Mapped[int | None] = mapped_column(Integer)
    n_cases: Mapped[int | None] = mapped_column(Integer)
    n_controls: Mapped[int | None] = mapped_column(Integer)
    covariates: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="RESTRICT"))
    location: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    curator: Mapped[str] = mapped_column(Text)
    curated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[Study] = relationship()
    exposure_trait: Mapped[Trait] = relationship()
    comparison: Mapped[Comparison] = relationship()
    dataset: Mapped[Dataset | None] = relationship()
    source: Mapped[Source] = relationship()
