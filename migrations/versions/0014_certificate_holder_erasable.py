"""certificates: the holder's name may be erased (null)

Revision ID: 0014
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('holder_name', existing_type=sa.String(length=120), nullable=True)


def downgrade():
    op.execute("UPDATE certificates SET holder_name = '' WHERE holder_name IS NULL")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('holder_name', existing_type=sa.String(length=120), nullable=False)
