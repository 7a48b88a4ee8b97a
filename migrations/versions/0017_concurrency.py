"""idempotency records are claimed before the work runs (in flight until the response is stored); OJT logs
carry a version for their ETag

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', lms.columns.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('status', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('mimetype', existing_type=sa.String(length=100), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)
    with op.batch_alter_table('ojt_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('ojt_logs', schema=None) as batch_op:
        batch_op.drop_column('version')
    op.execute("DELETE FROM idempotency_records WHERE status IS NULL")
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('mimetype', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('status', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim')
