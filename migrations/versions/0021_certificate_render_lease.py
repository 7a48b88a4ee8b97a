"""certificates: a pending certificate is rendered by the worker holding its lease

Revision ID: 0021
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_lease_until', lms.columns.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('render_lease_until')
