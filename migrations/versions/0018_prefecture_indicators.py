"""prefectural indicators (指標): a prefecture's targets, counted live against the statistics

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prefecture_indicators',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('prefecture_code', sa.String(length=2), nullable=False),
        sa.Column('category_ja', sa.String(length=50), nullable=False),
        sa.Column('name_ja', sa.String(length=200), nullable=False),
        sa.Column('measure', sa.String(length=40), nullable=False),
        sa.Column('rationale_ja', sa.Text(), nullable=False),
        sa.Column('baseline_fiscal_year', sa.Integer(), nullable=False),
        sa.Column('target_fiscal_year', sa.Integer(), nullable=False),
        sa.Column('target_value', sa.Integer(), nullable=False),
        sa.Column('source_ja', sa.String(length=200), nullable=False),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('created_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("measure IN ('participants', 'completed', 'placements', 'ojt_sites_hosting', "
                           "'ojt_hours_approved', 'shortage_area_placements')",
                           name=op.f('ck_prefecture_indicators_measure_known')),
        sa.CheckConstraint('baseline_fiscal_year <= target_fiscal_year',
                           name=op.f('ck_prefecture_indicators_years_ordered')),
        sa.CheckConstraint('target_value >= 0', name=op.f('ck_prefecture_indicators_target_non_negative')),
        sa.ForeignKeyConstraint(['prefecture_code'], ['prefectures.code'],
                                name=op.f('fk_prefecture_indicators_prefecture_code_prefectures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prefecture_indicators')),
    )
    with op.batch_alter_table('prefecture_indicators', schema=None) as batch_op:
        batch_op.create_index('ix_prefecture_indicators_prefecture', ['prefecture_code', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('prefecture_indicators', schema=None) as batch_op:
        batch_op.drop_index('ix_prefecture_indicators_prefecture')
    op.drop_table('prefecture_indicators')
