"""xAPI document resources: state, activity profile and agent profile documents

Revision ID: 0024
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'xapi_documents',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('scope_hash', sa.String(length=64), nullable=False),
        sa.Column('agent_hash', sa.String(length=64), nullable=True),
        sa.Column('activity_id', sa.Text(), nullable=True),
        sa.Column('agent_key', sa.Text(), nullable=True),
        sa.Column('registration', sa.String(length=36), nullable=True),
        sa.Column('document_id', sa.Text(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('etag', sa.String(length=40), nullable=False),
        sa.Column('updated_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('state', 'activity_profile', 'agent_profile')",
                           name=op.f('ck_xapi_documents_kind_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_documents')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_xapi_documents_key_hash')),
    )
    with op.batch_alter_table('xapi_documents', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_documents_scope', ['scope_hash', 'registration'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_documents_agent_hash'), ['agent_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_documents_agent_hash'))
        batch_op.drop_index('ix_xapi_documents_scope')
    op.drop_table('xapi_documents')
