"""stats: indexes for counting enrolments per organisation and placements per fiscal year

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_enrollments_stats_org', ['organization_code', 'fiscal_year', 'prefecture_code', 'status', 'ever_active'], unique=False, postgresql_include=['id'])

    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index('ix_placements_stats', ['fiscal_year', 'status', 'site_id'], unique=False, postgresql_include=['enrollment_id'])


def downgrade():
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index('ix_placements_stats')

    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_stats_org')
