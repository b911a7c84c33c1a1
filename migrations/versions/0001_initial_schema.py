"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_locks',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.Text(), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_locks'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('study_key', sa.Text(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('curator', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.CheckConstraint("action IN ('create', 'update', 'delete')", name=op.f('ck_change_log_action_known')),
    sa.CheckConstraint("entity IN ('study', 'effect_size', 'dataset', 'source', 'publication')", name=op.f('ck_change_log_entity_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index('ix_change_log_study_key', ['study_key'], unique=False)

    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('name', name=op.f('uq_cohorts_name'))
    )
    op.create_table('phenotypes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=True),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phenotypes')),
    sa.UniqueConstraint('name', name=op.f('uq_phenotypes_name'))
    )
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pmid', sa.Integer(), nullable=True),
    sa.Column('pmid_version', sa.Integer(), nullable=True),
    sa.Column('doi', sa.Text(), nullable=True),
    sa.Column('pmcid', sa.String(length=20), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('vernacular_title', sa.Text(), nullable=True),
    sa.Column('abstract', sa.Text(), nullable=True),
    sa.Column('abstract_sections', sa.JSON(), nullable=True),
    sa.Column('journal', sa.Text(), nullable=True),
    sa.Column('journal_iso', sa.Text(), nullable=True),
    sa.Column('issn', sa.String(length=20), nullable=True),
    sa.Column('volume', sa.Text(), nullable=True),
    sa.Column('issue', sa.Text(), nullable=True),
    sa.Column('pages', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('pub_date_text', sa.Text(), nullable=True),
    sa.Column('pub_year', sa.Integer(), nullable=True),
    sa.Column('pub_month', sa.Integer(), nullable=True),
    sa.Column('pub_day', sa.Integer(), nullable=True),
    sa.Column('sort_date', sa.Date(), nullable=True),
    sa.Column('epub_date', sa.Date(), nullable=True),
    sa.Column('entrez_date', sa.Date(), nullable=True),
    sa.Column('publication_types', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('is_preprint', sa.Boolean(), nullable=False),
    sa.Column('is_retracted', sa.Boolean(), nullable=False),
    sa.Column('preprint_of_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("origin IN ('pubmed', 'manual', 'bundle')", name=op.f('ck_publications_origin_known')),
    sa.CheckConstraint('pmid > 0', name=op.f('ck_publications_pmid_positive')),
    sa.CheckConstraint('preprint_of_id IS NULL OR preprint_of_id <> id', name=op.f('ck_publications_preprint_not_self')),
    sa.CheckConstraint('pub_day IS NULL OR pub_day BETWEEN 1 AND 31', name=op.f('ck_publications_pub_day_range')),
    sa.CheckConstraint('pub_month IS NULL OR pub_month BETWEEN 1 AND 12', name=op.f('ck_publications_pub_month_range')),
    sa.ForeignKeyConstraint(['preprint_of_id'], ['publications.id'], name=op.f('fk_publications_preprint_of_id_publications'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('doi', name=op.f('uq_publications_doi')),
    sa.UniqueConstraint('pmcid', name=op.f('uq_publications_pmcid')),
    sa.UniqueConstraint('pmid', name=op.f('uq_publications_pmid'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index('ix_publications_entrez_date', ['entrez_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_preprint_of_id'), ['preprint_of_id'], unique=False)
        batch_op.create_index('ix_publications_sort_date', ['sort_date'], unique=False)

    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('watermark', sa.Date(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('interval_seconds > 0', name=op.f('ck_saved_searches_interval_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches')),
    sa.UniqueConstraint('name', name=op.f('uq_saved_searches_name'))
    )
    op.create_table('studies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('design', sa.Text(), nullable=True),
    sa.Column('exposures', sa.Text(), nullable=True),
    sa.Column('outcomes', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("key <> ''", name=op.f('ck_studies_key_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studies')),
    sa.UniqueConstraint('key', name=op.f('uq_studies_key'))
    )
    op.create_table('trait_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_key', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trait_domains')),
    sa.UniqueConstraint('name_key', name=op.f('uq_trait_domains_name_key'))
    )
    op.create_table('traits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_key', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ontology_id', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('trait', 'group', 'domain_set')", name=op.f('ck_traits_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traits')),
    sa.UniqueConstraint('name_key', name=op.f('uq_traits_name_key'))
    )
    op.create_table('comparisons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('case_phenotype_id', sa.Integer(), nullable=True),
    sa.Column('reference_phenotype_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('case-control', 'progression', 'unspecified')", name=op.f('ck_comparisons_kind_known')),
    sa.ForeignKeyConstraint(['case_phenotype_id'], ['phenotypes.id'], name=op.f('fk_comparisons_case_phenotype_id_phenotypes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reference_phenotype_id'], ['phenotypes.id'], name=op.f('fk_comparisons_reference_phenotype_id_phenotypes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparisons')),
    sa.UniqueConstraint('name', name=op.f('uq_comparisons_name'))
    )
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparisons_case_phenotype_id'), ['case_phenotype_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comparisons_reference_phenotype_id'), ['reference_phenotype_id'], unique=False)

    op.create_table('datasets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('genotyping', sa.Text(), nullable=True),
    sa.Column('ancestry', sa.Text(), nullable=True),
    sa.Column('n_total', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('source_note', sa.Text(), nullable=True),
    sa.CheckConstraint("role IN ('discovery', 'replication', 'combined', 'follow-up', 'other')", name=op.f('ck_datasets_role_known')),
    sa.CheckConstraint('n_total IS NULL OR n_total >= 0', name=op.f('ck_datasets_n_total_nonnegative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_datasets_cohort_id_cohorts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_datasets_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_datasets')),
    sa.UniqueConstraint('study_id', 'label', name=op.f('uq_datasets_study_id_label'))
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasets_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('publication_authors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('last_name', sa.Text(), nullable=True),
    sa.Column('fore_name', sa.Text(), nullable=True),
    sa.Column('initials', sa.Text(), nullable=True),
    sa.Column('suffix', sa.Text(), nullable=True),
    sa.Column('collective_name', sa.Text(), nullable=True),
    sa.Column('orcid', sa.String(length=19), nullable=True),
    sa.Column('affiliations', sa.JSON(), nullable=False),
    sa.CheckConstraint('last_name IS NOT NULL OR collective_name IS NOT NULL', name=op.f('ck_publication_authors_has_name')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_authors_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_authors')),
    sa.UniqueConstraint('publication_id', 'position', name=op.f('uq_publication_authors_publication_id_position'))
    )
    with op.batch_alter_table('publication_authors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_authors_orcid'), ['orcid'], unique=False)

    op.create_table('publication_mesh',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('descriptor', sa.Text(), nullable=False),
    sa.Column('descriptor_ui', sa.String(length=20), nullable=True),
    sa.Column('major', sa.Boolean(), nullable=False),
    sa.Column('qualifiers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_mesh_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_mesh')),
    sa.UniqueConstraint('publication_id', 'position', name=op.f('uq_publication_mesh_publication_id_position'))
    )
    op.create_table('search_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('mindate', sa.Date(), nullable=True),
    sa.Column('maxdate', sa.Date(), nullable=True),
    sa.Column('n_found', sa.Integer(), nullable=False),
    sa.Column('n_new', sa.Integer(), nullable=False),
    sa.Column('n_updated', sa.Integer(), nullable=False),
    sa.Column('n_requests', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'success', 'failed')", name=op.f('ck_search_runs_status_known')),
    sa.ForeignKeyConstraint(['search_id'], ['saved_searches.id'], name=op.f('fk_search_runs_search_id_saved_searches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_runs'))
    )
    with op.batch_alter_table('search_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_runs_search_id'), ['search_id'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=True),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('publisher', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('date_text', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('publication', 'preprint', 'news', 'blog', 'other')", name=op.f('ck_sources_kind_known')),
    sa.CheckConstraint("kind NOT IN ('publication', 'preprint') OR publication_id IS NOT NULL", name=op.f('ck_sources_publication_linked')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_sources_publication_id_publications'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_sources_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('study_id', 'key', name=op.f('uq_sources_study_id_key'))
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_publication_id'), ['publication_id'], unique=False)

    op.create_table('study_publications',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('primary', 'preprint', 'companion', 'erratum', 'other')", name=op.f('ck_study_publications_role_known')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_study_publications_publication_id_publications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_study_publications_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id', 'publication_id', name=op.f('pk_study_publications'))
    )
    with op.batch_alter_table('study_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_publications_publication_id'), ['publication_id'], unique=False)

    op.create_table('trait_domain_links',
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['trait_domains.id'], name=op.f('fk_trait_domain_links_domain_id_trait_domains'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['trait_id'], ['traits.id'], name=op.f('fk_trait_domain_links_trait_id_traits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trait_id', 'domain_id', name=op.f('pk_trait_domain_links'))
    )
    with op.batch_alter_table('trait_domain_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trait_domain_links_domain_id'), ['domain_id'], unique=False)

    op.create_table('trait_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('group_id <> member_id', name=op.f('ck_trait_members_not_self')),
    sa.ForeignKeyConstraint(['group_id'], ['traits.id'], name=op.f('fk_trait_members_group_id_traits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['traits.id'], name=op.f('fk_trait_members_member_id_traits'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('group_id', 'member_id', name=op.f('pk_trait_members'))
    )
    with op.batch_alter_table('trait_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trait_members_member_id'), ['member_id'], unique=False)

    op.create_table('trait_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_key', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['trait_id'], ['traits.id'], name=op.f('fk_trait_synonyms_trait_id_traits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trait_synonyms')),
    sa.UniqueConstraint('name_key', name=op.f('uq_trait_synonyms_name_key'))
    )
    with op.batch_alter_table('trait_synonyms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trait_synonyms_trait_id'), ['trait_id'], unique=False)

    op.create_table('triage',
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('curator', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('new', 'relevant', 'irrelevant', 'included')", name=op.f('ck_triage_status_known')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_triage_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('publication_id', name=op.f('pk_triage'))
    )
    op.create_table('dataset_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('n >= 0', name=op.f('ck_dataset_groups_n_nonnegative')),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_dataset_groups_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_groups')),
    sa.UniqueConstraint('dataset_id', 'name', name=op.f('uq_dataset_groups_dataset_id_name'))
    )
    op.create_table('effect_sizes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('finding_key', sa.Text(), nullable=False),
    sa.Column('exposure_trait_id', sa.Integer(), nullable=False),
    sa.Column('exposure_type', sa.Text(), nullable=False),
    sa.Column('comparison_id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=True),
    sa.Column('sample_text', sa.Text(), nullable=True),
    sa.Column('analysis', sa.Text(), nullable=True),
    sa.Column('measure', sa.String(length=20), nullable=True),
    sa.Column('per_unit', sa.Text(), nullable=True),
    sa.Column('value_kind', sa.String(length=30), nullable=False),
    sa.Column('estimate', sa.Float(), nullable=True),
    sa.Column('ci_lower', sa.Float(), nullable=True),
    sa.Column('ci_upper', sa.Float(), nullable=True),
    sa.Column('ci_level', sa.Float(), nullable=True),
    sa.Column('se', sa.Float(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('p_value_log10', sa.Float(), nullable=True),
    sa.Column('q_value', sa.Float(), nullable=True),
    sa.Column('q_value_log10', sa.Float(), nullable=True),
    sa.Column('range_low', sa.Float(), nullable=True),
    sa.Column('range_high', sa.Float(), nullable=True),
    sa.Column('direction', sa.String(length=20), nullable=True),
    sa.Column('direction_text', sa.Text(), nullable=True),
    sa.Column('reported_text', sa.Text(), nullable=True),
    sa.Column('derived', sa.Boolean(), nullable=False),
    sa.Column('derivation', sa.Text(), nullable=True),
    sa.Column('n_total', sa.Integer(), nullable=True),
    sa.Column('n_cases', sa.Integer(), nullable=True),
    sa.Column('n_controls', sa.Integer(), nullable=True),
    sa.Column('covariates', sa.Text(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('curator', sa.Text(), nullable=False),
    sa.Column('curated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT measure IN ('OR', 'HR', 'RR', 'ratio') OR ((estimate IS NULL OR estimate > 0) AND (ci_lower IS NULL OR ci_lower > 0) AND (range_low IS NULL OR range_low > 0))", name=op.f('ck_effect_sizes_ratio_positive')),
    sa.CheckConstraint("direction IS NULL OR direction IN ('increased', 'decreased', 'associated', 'none')", name=op.f('ck_effect_sizes_direction_known')),
    sa.CheckConstraint("measure IS NULL OR measure IN ('OR', 'HR', 'RR', 'ratio', 'beta', 'logOR', 'logHR', 'SMD', 'r', 'R2', 'AUC')", name=op.f('ck_effect_sizes_measure_known')),
    sa.CheckConstraint("value_kind <> 'derived_from_percent' OR derived", name=op.f('ck_effect_sizes_derived_flagged')),
    sa.CheckConstraint("value_kind <> 'qualitative' OR (estimate IS NULL AND range_low IS NULL AND range_high IS NULL AND direction IS NOT NULL)", name=op.f('ck_effect_sizes_qualitative_has_no_number')),
    sa.CheckConstraint("value_kind <> 'range' OR (range_low IS NOT NULL AND range_high IS NOT NULL AND estimate IS NULL)", name=op.f('ck_effect_sizes_range_bounds_given')),
    sa.CheckConstraint("value_kind = 'qualitative' OR measure IS NOT NULL", name=op.f('ck_effect_sizes_measure_given')),
    sa.CheckConstraint("value_kind IN ('reported', 'derived_from_percent', 'range', 'qualitative')", name=op.f('ck_effect_sizes_value_kind_known')),
    sa.CheckConstraint("value_kind NOT IN ('reported', 'derived_from_percent') OR estimate IS NOT NULL", name=op.f('ck_effect_sizes_estimate_given')),
    sa.CheckConstraint('(ci_lower IS NULL AND ci_upper IS NULL) OR ci_level IS NOT NULL', name=op.f('ck_effect_sizes_ci_has_level')),
    sa.CheckConstraint('ci_level IS NULL OR (ci_level > 0 AND ci_level < 1)', name=op.f('ck_effect_sizes_ci_level_range')),
    sa.CheckConstraint('ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper', name=op.f('ck_effect_sizes_ci_ordered')),
    sa.CheckConstraint('estimate IS NULL OR ((ci_lower IS NULL OR ci_lower <= estimate) AND (ci_upper IS NULL OR estimate <= ci_upper))', name=op.f('ck_effect_sizes_ci_brackets_estimate')),
    sa.CheckConstraint('n_cases IS NULL OR n_cases >= 0', name=op.f('ck_effect_sizes_n_cases_nonnegative')),
    sa.CheckConstraint('n_controls IS NULL OR n_controls >= 0', name=op.f('ck_effect_sizes_n_controls_nonnegative')),
    sa.CheckConstraint('n_total IS NULL OR n_cases IS NULL OR n_controls IS NULL OR n_cases + n_controls <= n_total', name=op.f('ck_effect_sizes_groups_within_total')),
    sa.CheckConstraint('n_total IS NULL OR n_total >= 0', name=op.f('ck_effect_sizes_n_total_nonnegative')),
    sa.CheckConstraint('p_value IS NULL OR (p_value >= 0 AND p_value <= 1)', name=op.f('ck_effect_sizes_p_range')),
    sa.CheckConstraint('p_value_log10 IS NULL OR p_value_log10 <= 0', name=op.f('ck_effect_sizes_p_log10_range')),
    sa.CheckConstraint('q_value IS NULL OR (q_value >= 0 AND q_value <= 1)', name=op.f('ck_effect_sizes_q_range')),
    sa.CheckConstraint('q_value_log10 IS NULL OR q_value_log10 <= 0', name=op.f('ck_effect_sizes_q_log10_range')),
    sa.CheckConstraint('range_low IS NULL OR range_high IS NULL OR range_low <= range_high', name=op.f('ck_effect_sizes_range_ordered')),
    sa.CheckConstraint('se IS NULL OR se >= 0', name=op.f('ck_effect_sizes_se_nonnegative')),
    sa.ForeignKeyConstraint(['comparison_id'], ['comparisons.id'], name=op.f('fk_effect_sizes_comparison_id_comparisons'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_effect_sizes_dataset_id_datasets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exposure_trait_id'], ['traits.id'], name=op.f('fk_effect_sizes_exposure_trait_id_traits'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_effect_sizes_source_id_sources'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], name=op.f('fk_effect_sizes_study_id_studies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_effect_sizes')),
    sa.UniqueConstraint('study_id', 'finding_key', name=op.f('uq_effect_sizes_study_id_finding_key'))
    )
    with op.batch_alter_table('effect_sizes', schema=None) as batch_op:
        batch_op.create_index('ix_effect_sizes_comparison_id', ['comparison_id'], unique=False)
        batch_op.create_index('ix_effect_sizes_dataset_id', ['dataset_id'], unique=False)
        batch_op.create_index('ix_effect_sizes_source_id', ['source_id'], unique=False)
        batch_op.create_index('ix_effect_sizes_trait_id', ['exposure_trait_id'], unique=False)

    op.create_table('search_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_run_id'], ['search_runs.id'], name=op.f('fk_search_hits_first_run_id_search_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_search_hits_publication_id_publications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['search_id'], ['saved_searches.id'], name=op.f('fk_search_hits_search_id_saved_searches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_hits')),
    sa.UniqueConstraint('search_id', 'publication_id', name=op.f('uq_search_hits_search_id_publication_id'))
    )
    with op.batch_alter_table('search_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_hits_first_run_id'), ['first_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_hits_publication_id'), ['publication_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('search_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_hits_publication_id'))
        batch_op.drop_index(batch_op.f('ix_search_hits_first_run_id'))

    op.drop_table('search_hits')
    with op.batch_alter_table('effect_sizes', schema=None) as batch_op:
        batch_op.drop_index('ix_effect_sizes_trait_id')
        batch_op.drop_index('ix_effect_sizes_source_id')
        batch_op.drop_index('ix_effect_sizes_dataset_id')
        batch_op.drop_index('ix_effect_sizes_comparison_id')

    op.drop_table('effect_sizes')
    op.drop_table('dataset_groups')
    op.drop_table('triage')
    with op.batch_alter_table('trait_synonyms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trait_synonyms_trait_id'))

    op.drop_table('trait_synonyms')
    with op.batch_alter_table('trait_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trait_members_member_id'))

    op.drop_table('trait_members')
    with op.batch_alter_table('trait_domain_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trait_domain_links_domain_id'))

    op.drop_table('trait_domain_links')
    with op.batch_alter_table('study_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_publications_publication_id'))

    op.drop_table('study_publications')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_publication_id'))

    op.drop_table('sources')
    with op.batch_alter_table('search_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_runs_search_id'))

    op.drop_table('search_runs')
    op.drop_table('publication_mesh')
    with op.batch_alter_table('publication_authors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_authors_orcid'))

    op.drop_table('publication_authors')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datasets_cohort_id'))

    op.drop_table('datasets')
    with op.batch_alter_table('comparisons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparisons_reference_phenotype_id'))
        batch_op.drop_index(batch_op.f('ix_comparisons_case_phenotype_id'))

    op.drop_table('comparisons')
    op.drop_table('traits')
    op.drop_table('trait_domains')
    op.drop_table('studies')
    op.drop_table('saved_searches')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('ix_publications_sort_date')
        batch_op.drop_index(batch_op.f('ix_publications_preprint_of_id'))
        batch_op.drop_index('ix_publications_entrez_date')

    op.drop_table('publications')
    op.drop_table('phenotypes')
    op.drop_table('cohorts')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_study_key')
        batch_op.drop_index('ix_change_log_entity')

    op.drop_table('change_log')
    op.drop_table('app_locks')
