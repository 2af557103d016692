"""applications from tenant candidates

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'unverified', 'submitted', 'shortlisted', 'rejected', 'accepted', 'withdrawn'"


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('premise_id', sa.Integer(), nullable=True),
    sa.Column('street_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('business_name', sa.String(length=120), nullable=False),
    sa.Column('shop_type_id', sa.Integer(), nullable=False),
    sa.Column('min_surface_m2', sa.Float(), nullable=False),
    sa.Column('max_surface_m2', sa.Float(), nullable=False),
    sa.Column('max_rent', sa.Integer(), nullable=False),
    sa.Column('opening_hours', sa.String(length=120), nullable=True),
    sa.Column('pitch', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('link_digest', sa.String(length=64), nullable=True),
    sa.Column('verify_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f('ck_applications_status')),
    sa.CheckConstraint(
        "(CASE WHEN premise_id IS NULL THEN 0 ELSE 1 END)"
        " + (CASE WHEN street_id IS NULL THEN 0 ELSE 1 END)"
        " + (CASE WHEN district_id IS NULL THEN 0 ELSE 1 END) = 1",
        name=op.f('ck_applications_one_target'),
    ),
    sa.CheckConstraint(
        'min_surface_m2 > 0 AND min_surface_m2 <= max_surface_m2',
        name=op.f('ck_applications_surface_range'),
    ),
    sa.CheckConstraint('max_rent >= 0', name=op.f('ck_applications_rent_not_negative')),
    sa.CheckConstraint('length(pitch) <= 1000', name=op.f('ck_applications_pitch_length')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_applications_district_id_districts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['premise_id'], ['premises.id'], name=op.f('fk_applications_premise_id_premises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_type_id'], ['shop_types.id'], name=op.f('fk_applications_shop_type_id_shop_types')),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_applications_street_id_streets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('link_digest', name=op.f('uq_applications_link_digest'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_premise_id'), ['premise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_street_id'), ['street_id'], unique=False)

    op.create_table('candidacies',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('premise_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f('ck_candidacies_status')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_candidacies_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_candidacies_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['premise_id'], ['premises.id'], name=op.f('fk_candidacies_premise_id_premises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'premise_id', name=op.f('pk_candidacies'))
    )
    with op.batch_alter_table('candidacies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidacies_premise_id'), ['premise_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('candidacies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidacies_premise_id'))

    op.drop_table('candidacies')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_street_id'))
        batch_op.drop_index(batch_op.f('ix_applications_status'))
        batch_op.drop_index(batch_op.f('ix_applications_premise_id'))
        batch_op.drop_index(batch_op.f('ix_applications_district_id'))

    op.drop_table('applications')
