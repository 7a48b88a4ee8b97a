"""OJT site imports as jobs: the job and the lines it stages until the whole file has passed

Revision ID: 0016
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

import lms.columns


revision = '0016'
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ojt_site_imports',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('encoding', sa.String(length=20), nullable=True),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('error_count', sa.Integer(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.Column('lease_until', lms.columns.UTCDateTime(), nullable=True),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('created_at', lms.columns.UTCDateTime(), nullable=False),
        sa.Column('started_at', lms.columns.UTCDateTime(), nullable=True),
        sa.Column('finished_at', lms.columns.UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')",
                           name=op.f('ck_ojt_site_imports_status_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ojt_site_imports')),
    )
    with op.batch_alter_table('ojt_site_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ojt_site_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ojt_site_imports_status'), ['status'], unique=False)

    op.create_table(
        'ojt_site_import_rows',
        sa.Column('import_id', sa.String(length=36), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=36), nullable=False),
        sa.Column('external_code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('prefecture_code', sa.String(length=2), nullable=False),
        sa.Column('secondary_medical_area', sa.String(length=100), nullable=False),
        sa.Column('shortage_area', sa.Boolean(), nullable=True),
        sa.Column('annual_capacity', sa.Integer(), nullable=False),
        sa.Column('activities', sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(['import_id'], ['ojt_site_imports.id'],
                                name=op.f('fk_ojt_site_import_rows_import_id_ojt_site_imports'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('import_id', 'line', name=op.f('pk_ojt_site_import_rows')),
    )


def downgrade():
    op.drop_table('ojt_site_import_rows')
    with op.batch_alter_table('ojt_site_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ojt_site_imports_status'))
        batch_op.drop_index(batch_op.f('ix_ojt_site_imports_created_at'))
    op.drop_table('ojt_site_imports')
