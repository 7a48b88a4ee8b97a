"""the learning record store's statements: JSON as returned, indexed columns for the queries, related agents and
activities, attachment content; progress keeps only the module events it reads from statements

Revision ID: 0022
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa

import lms.columns

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lrs_attachments',
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha2', name=op.f('pk_lrs_attachments'))
    )
    op.create_table('lrs_statements',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('verb_key', sa.String(length=40), nullable=False),
    sa.Column('activity_key', sa.String(length=40), nullable=True),
    sa.Column('actor_key', sa.String(length=40), nullable=True),
    sa.Column('authority_key', sa.String(length=40), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('ref_target', sa.String(length=36), nullable=True),
    sa.Column('voiding', sa.Boolean(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('stored', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timestamp', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_lrs_statements')),
    sa.UniqueConstraint('id', name=op.f('uq_lrs_statements_id'))
    )
    with op.batch_alter_table('lrs_statements', schema=None) as batch_op:
        batch_op.create_index('ix_lrs_statements_activity', ['activity_key', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statements_actor', ['actor_key', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statements_authority', ['authority_key', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statements_ref', ['ref_target'], unique=False)
        batch_op.create_index('ix_lrs_statements_registration', ['registration', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statements_stored', ['stored'], unique=False)
        batch_op.create_index('ix_lrs_statements_verb', ['verb_key', 'seq'], unique=False)
        batch_op.create_index('ix_lrs_statements_voids', ['ref_target'], unique=False,
                              postgresql_where=sa.text('voiding'), sqlite_where=sa.text('voiding'))

    op.create_table('lrs_statement_activities',
    sa.Column('activity_key', sa.String(length=40), nullable=False),
    sa.Column('statement_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['statement_seq'], ['lrs_statements.seq'], name=op.f('fk_lrs_statement_activities_statement_seq_lrs_statements')),
    sa.PrimaryKeyConstraint('activity_key', 'statement_seq', name=op.f('pk_lrs_statement_activities'))
    )
    op.create_table('lrs_statement_agents',
    sa.Column('agent_key', sa.String(length=40), nullable=False),
    sa.Column('statement_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('direct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['statement_seq'], ['lrs_statements.seq'], name=op.f('fk_lrs_statement_agents_statement_seq_lrs_statements')),
    sa.PrimaryKeyConstraint('agent_key', 'statement_seq', name=op.f('pk_lrs_statement_agents'))
    )
    op.create_table('lrs_statement_attachments',
    sa.Column('statement_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['sha2'], ['lrs_attachments.sha2'], name=op.f('fk_lrs_statement_attachments_sha2_lrs_attachments')),
    sa.ForeignKeyConstraint(['statement_seq'], ['lrs_statements.seq'], name=op.f('fk_lrs_statement_attachments_statement_seq_lrs_statements')),
    sa.PrimaryKeyConstraint('statement_seq', 'sha2', name=op.f('pk_lrs_statement_attachments'))
    )
    with op.batch_alter_table('lrs_statement_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lrs_statement_attachments_sha2'), ['sha2'], unique=False)

    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_column('statement')



def downgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement', sa.JSON(), nullable=True))

    with op.batch_alter_table('lrs_statement_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lrs_statement_attachments_sha2'))

    op.drop_table('lrs_statement_attachments')
    op.drop_table('lrs_statement_agents')
    op.drop_table('lrs_statement_activities')
    with op.batch_alter_table('lrs_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_lrs_statements_voids')
        batch_op.drop_index('ix_lrs_statements_verb')
        batch_op.drop_index('ix_lrs_statements_stored')
        batch_op.drop_index('ix_lrs_statements_registration')
        batch_op.drop_index('ix_lrs_statements_ref')
        batch_op.drop_index('ix_lrs_statements_authority')
        batch_op.drop_index('ix_lrs_statements_actor')
        batch_op.drop_index('ix_lrs_statements_activity')

    op.drop_table('lrs_statements')
    op.drop_table('lrs_attachments')
