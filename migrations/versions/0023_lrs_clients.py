"""xAPI: LRS clients (Basic credentials with scopes), cmi5 session tokens, activity definitions

Revision ID: 0023
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lrs_clients',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('created_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_clients')),
        sa.UniqueConstraint('key', name=op.f('uq_lrs_clients_key')),
    )
    with op.batch_alter_table('lrs_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lrs_clients_created_at'), ['created_at'], unique=False)
    op.create_table(
        'lrs_session_tokens',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('learner_id', sa.String(length=36), nullable=False),
        sa.Column('registration', sa.String(length=36), nullable=False),
        sa.Column('activity_id', sa.Text(), nullable=False),
        sa.Column('expires_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_lrs_session_tokens')),
    )
    with op.batch_alter_table('lrs_session_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_lrs_session_tokens_session', ['session_id'], unique=False)
        batch_op.create_index('ix_lrs_session_tokens_learner', ['learner_id'], unique=False)
    op.create_table(
        'lrs_activities',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('activity_id', sa.Text(), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('updated_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_lrs_activities')),
    )


def downgrade():
    op.drop_table('lrs_activities')
    with op.batch_alter_table('lrs_session_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_lrs_session_tokens_learner')
        batch_op.drop_index('ix_lrs_session_tokens_session')
    op.drop_table('lrs_session_tokens')
    with op.batch_alter_table('lrs_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lrs_clients_created_at'))
    op.drop_table('lrs_clients')
