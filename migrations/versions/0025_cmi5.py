"""cmi5: launch sessions, each registration's AUs, satisfied blocks and courses; cmi5 modules and course structures

Revision ID: 0025
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cmi5_au_states',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enrollment_id', sa.String(length=36), nullable=False),
    sa.Column('au_id', sa.String(length=2000), nullable=False),
    sa.Column('completed_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('passed_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('waived_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('satisfied_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('best_scaled', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_cmi5_au_states_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_au_states')),
    sa.UniqueConstraint('enrollment_id', 'au_id', name=op.f('uq_cmi5_au_states_enrollment_id_au_id'))
    )
    op.create_table('cmi5_pending_statements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('created_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_pending_statements')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_cmi5_pending_statements_statement_id'))
    )
    op.create_table('cmi5_satisfied',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enrollment_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('object_id', sa.String(length=2000), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('satisfied_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('block', 'course')", name=op.f('ck_cmi5_satisfied_kind_known')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_cmi5_satisfied_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_satisfied')),
    sa.UniqueConstraint('enrollment_id', 'object_id', name=op.f('uq_cmi5_satisfied_enrollment_id_object_id'))
    )
    op.create_table('cmi5_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('enrollment_id', sa.String(length=36), nullable=False),
    sa.Column('learner_id', sa.String(length=36), nullable=False),
    sa.Column('module_code', sa.String(length=40), nullable=False),
    sa.Column('au_id', sa.String(length=2000), nullable=False),
    sa.Column('activity_id', sa.String(length=2000), nullable=False),
    sa.Column('launch_mode', sa.String(length=10), nullable=False),
    sa.Column('mastery_score', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('fetch_key_hash', sa.String(length=64), nullable=True),
    sa.Column('fetched_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('launched_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('initialized_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('terminated_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('abandoned_at', lms.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', lms.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verbs', sa.String(length=200), nullable=False),
    sa.CheckConstraint("launch_mode IN ('Normal', 'Browse', 'Review')", name=op.f('ck_cmi5_sessions_launch_mode_known')),
    sa.CheckConstraint("status IN ('launched', 'initialized', 'terminated', 'abandoned', 'waived')", name=op.f('ck_cmi5_sessions_status_known')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_cmi5_sessions_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_cmi5_sessions_learner_id_learners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cmi5_sessions')),
    sa.UniqueConstraint('fetch_key_hash', name=op.f('uq_cmi5_sessions_fetch_key_hash'))
    )
    with op.batch_alter_table('cmi5_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_cmi5_sessions_enrollment_status', ['enrollment_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cmi5_sessions_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index('ix_cmi5_sessions_status_activity', ['status', 'last_activity_at'], unique=False)

    with op.batch_alter_table('program_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('au_id', sa.String(length=2000), nullable=True))

    with op.batch_alter_table('program_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cmi5_xml', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('program_versions', schema=None) as batch_op:
        batch_op.drop_column('cmi5_xml')

    with op.batch_alter_table('program_modules', schema=None) as batch_op:
        batch_op.drop_column('au_id')

    with op.batch_alter_table('cmi5_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_cmi5_sessions_status_activity')
        batch_op.drop_index(batch_op.f('ix_cmi5_sessions_learner_id'))
        batch_op.drop_index('ix_cmi5_sessions_enrollment_status')

    op.drop_table('cmi5_sessions')
    op.drop_table('cmi5_satisfied')
    op.drop_table('cmi5_pending_statements')
    op.drop_table('cmi5_au_states')
