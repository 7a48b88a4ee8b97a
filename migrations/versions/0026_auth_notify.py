"""auth: changes to tokens, users and supervisors' sites are announced on the channel lms_auth

Statement-level triggers send NOTIFY lms_auth (delivered at commit, and only if the transaction commits), so
that every process forgets its cached token look-ups (lms/auth/token_cache.py). PostgreSQL only: SQLite
keeps no cache.

Revision ID: 0026
Revises: 0021
"""
from alembic import op


revision = '0026'
down_revision = '0021'
branch_labels = None
depends_on = None

# a new token or user changes nothing cached: only updates and deletions (and any change to sites) count
TRIGGERS = {
    'access_tokens': 'UPDATE OR DELETE OR TRUNCATE',
    'users': 'UPDATE OR DELETE OR TRUNCATE',
    'user_sites': 'INSERT OR UPDATE OR DELETE OR TRUNCATE',
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""
        CREATE FUNCTION lms_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('lms_auth', TG_TABLE_NAME);
            RETURN NULL;
        END $$
    """)
    for table, events in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER trg_{table}_auth_changed AFTER {events} ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION lms_auth_changed()")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS lms_auth_changed()")
