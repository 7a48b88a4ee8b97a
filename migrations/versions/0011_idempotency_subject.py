"""idempotency records: the id of the object a request created, so erasure and export find them

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_idempotency_records_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_records_subject_id'))
        batch_op.drop_column('subject_id')
