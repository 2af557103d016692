"""zoning, activity codes, agency exclusions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:10:00

New tables only (zoning_areas, premise_zones, activity_codes, type_exclusions): nothing here
reads or changes the tables of 0005, so the two revisions are independent.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('zoning_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=80), nullable=False),
    sa.Column('class_code', sa.String(length=40), nullable=False),
    sa.Column('street_name', sa.String(length=200), nullable=True),
    sa.Column('numbers', sa.String(length=40), nullable=True),
    sa.Column('side', sa.String(length=8), nullable=True),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zoning_areas')),
    sa.UniqueConstraint('ref', name=op.f('uq_zoning_areas_ref'))
    )
    with op.batch_alter_table('zoning_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zoning_areas_class_code'), ['class_code'], unique=False)

    op.create_table('activity_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('shop_type_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['shop_type_id'], ['shop_types.id'], name=op.f('fk_activity_codes_shop_type_id_shop_types'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_codes')),
    sa.UniqueConstraint('scheme', 'code', name='scheme_code')
    )
    with op.batch_alter_table('activity_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_codes_shop_type_id'), ['shop_type_id'], unique=False)

    op.create_table('type_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('shop_type_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_type_exclusions_manager_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_type_id'], ['shop_types.id'], name=op.f('fk_type_exclusions_shop_type_id_shop_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_type_exclusions')),
    sa.UniqueConstraint('manager_id', 'shop_type_id', name='manager_type')
    )
    with op.batch_alter_table('type_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_type_exclusions_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index('uq_type_exclusions_everywhere', ['shop_type_id'], unique=True, sqlite_where=sa.text('manager_id IS NULL'), postgresql_where=sa.text('manager_id IS NULL'))

    op.create_table('premise_zones',
    sa.Column('premise_id', sa.Integer(), nullable=False),
    sa.Column('zoning_area_id', sa.Integer(), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['premise_id'], ['premises.id'], name=op.f('fk_premise_zones_premise_id_premises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zoning_area_id'], ['zoning_areas.id'], name=op.f('fk_premise_zones_zoning_area_id_zoning_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('premise_id', 'zoning_area_id', name=op.f('pk_premise_zones'))
    )
    with op.batch_alter_table('premise_zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_premise_zones_zoning_area_id'), ['zoning_area_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('premise_zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_premise_zones_zoning_area_id'))

    op.drop_table('premise_zones')
    with op.batch_alter_table('type_exclusions', schema=None) as batch_op:
        batch_op.drop_index('uq_type_exclusions_everywhere', sqlite_where=sa.text('manager_id IS NULL'), postgresql_where=sa.text('manager_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_type_exclusions_manager_id'))

    op.drop_table('type_exclusions')
    with op.batch_alter_table('activity_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_codes_shop_type_id'))

    op.drop_table('activity_codes')
    with op.batch_alter_table('zoning_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zoning_areas_class_code'))

    op.drop_table('zoning_areas')
