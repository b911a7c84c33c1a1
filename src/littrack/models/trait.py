"""Trait domains, traits with synonyms and ontology ids, phenotypes and the comparisons effects are about."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from littrack.models.base import Base, sql_in
from littrack.vocab import COMPARISON_KINDS, TRAIT_KINDS, name_key


class TraitDomain(Base):
    __tablename__ = "trait_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str | None] = mapped_column(Text)

    @validates("name")
    def _set_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


trait_domain_links = Table(
    "trait_domain_links",
    Base.metadata,
    Column("trait_id", ForeignKey("traits.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("trait_domains.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

trait_members = Table(
    "trait_members",
    Base.metadata,
    Column("group_id", ForeignKey("traits.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("traits.id", ondelete="RESTRICT"), primary_key=True, index=True),
    CheckConstraint("group_id <> member_id", name="not_self"),
)


class Trait(Base):
    """A trait whose polygenic score is an exposure; or a named group of traits reported together."""

    __tablename__ = "traits"
    __table_args__ = (CheckConstraint(sql_in("kind", TRAIT_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="trait")
    ontology_id: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    domains: Mapped[list[TraitDomain]] = relationship(secondary=trait_domain_links, order_by=TraitDomain.name)
    synonyms: Mapped[list[TraitSynonym]] = relationship(
        back_populates="trait", cascade="all, delete-orphan", order_by="TraitSynonym.name"
    )
    members: Mapped[list[Trait]] = relationship(
        secondary=trait_members,
        primaryjoin=lambda: Trait.id == trait_members.c.group_id,
        secondaryjoin=lambda: Trait.id == trait_members.c.member_id,
        order_by=lambda: Trait.name,
    )

    @validates("name")
    def _set_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class TraitSynonym(Base):
    __tablename__ = "trait_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    trait_id: Mapped[int] = mapped_column(ForeignKey("traits.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text, unique=True)

    trait: Mapped[Trait] = relationship(back_populates="synonyms")

    @validates("name")
    def _set_key(self, _: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class Phenotype(Base):
    """An outcome group such as TRD or trMDD, with its operational definition."""

    __tablename__ = "phenotypes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    full_name: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[str | None] = mapped_column(Text)


class Comparison(Base):
    """What an effect contrasts: cases vs a reference group, or a progression between states."""

    __tablename__ = "comparisons"
    __table_args__ = (
        CheckConstraint(sql_in("kind", COMPARISON_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    case_phenotype_id: Mapped[int | None] = mapped_column(ForeignKey("phenotypes.id", ondelete="RESTRICT"), index=True)
    reference_phenotype_id: Mapped[int | None] = mapped_column(ForeignKey("phenotypes.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str | None] = mapped_column(Text)

    case_phenotype: Mapped[Phenotype | None] = relationship(foreign_keys=[case_phenotype_id])
    reference_phenotype: Mapped[Phenotype | None] = relationship(foreign_keys=[reference_phenotype_id])


__all__ = ["Comparison", "Phenotype", "Trait", "TraitDomain", "TraitSynonym", "name_key", "trait_domain_links", "trait_members"]
