"""auth: changes to tokens, users and supervisors' sites are announced on the channel lms_auth; stats: summary
rows of enrolments and placements, kept by triggers

Statement-level triggers send NOTIFY lms_auth (delivered at commit, and only if the transaction commits), so
that every process forgets its cached token look-ups (lms/auth/token_cache.py). PostgreSQL only: SQLite
keeps no cache.

The statistics read counts from summary rows (lms/stats/models.py) instead of counting every enrolment. Row
triggers on enrollments, learners (specialty) and placements change them in the same transaction as the row
they count, on both databases; the rows are filled from the existing data here.

Revision ID: 0026
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# a new token or user changes nothing cached: only updates and deletions (and any change to sites) count
TRIGGERS = {
    'access_tokens': 'UPDATE OR DELETE OR TRUNCATE',
    'users': 'UPDATE OR DELETE OR TRUNCATE',
    'user_sites': 'INSERT OR UPDATE OR DELETE OR TRUNCATE',
}


def upgrade():
    _create_summaries()
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
    _drop_summaries()
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS lms_auth_changed()")


# --- statistics: summary rows kept by triggers in the transaction of the change they count -------------------

ENROLLMENT_KEY = "fiscal_year, prefecture_code, organization_code, status, ever_active"
BREAKDOWN_KEY = "fiscal_year, prefecture_code, program_code, organization_code, specialty, status, ever_active"


def _enrollment_counts(row: str, delta: str) -> str:
    return (f"INSERT INTO stats_enrollment_counts ({ENROLLMENT_KEY}, n) "
            f"VALUES ({row}.fiscal_year, {row}.prefecture_code, coalesce({row}.organization_code, ''), {row}.status, "
            f"{row}.ever_active, {delta}) ON CONFLICT ({ENROLLMENT_KEY}) DO UPDATE SET n = stats_enrollment_counts.n + excluded.n")


def _enrollment_breakdowns(row: str, delta: str) -> str:
    return (f"INSERT INTO stats_enrollment_breakdowns ({BREAKDOWN_KEY}, n) "
            f"SELECT {row}.fiscal_year, {row}.prefecture_code, {row}.program_code, "
            f"coalesce({row}.organization_code, ''), l.specialty, {row}.status, {row}.ever_active, {delta} "
            f"FROM learners l WHERE l.id = {row}.learner_id "
            f"ON CONFLICT ({BREAKDOWN_KEY}) DO UPDATE SET n = stats_enrollment_breakdowns.n + excluded.n")


def _specialty_moved(specialty: str, sign: str) -> str:
    """A learner's enrolments counted under `specialty` (OLD or NEW), added with `sign`."""
    return (f"INSERT INTO stats_enrollment_breakdowns ({BREAKDOWN_KEY}, n) "
            f"SELECT e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), "
            f"{specialty}, e.status, e.ever_active, {sign}count(*) FROM enrollments e WHERE e.learner_id = NEW.id "
            f"GROUP BY e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), "
            f"e.status, e.ever_active ON CONFLICT ({BREAKDOWN_KEY}) "
            f"DO UPDATE SET n = stats_enrollment_breakdowns.n + excluded.n")


def _placement(row: str, delta: str) -> str:
    return (f"INSERT INTO stats_placement_counts (fiscal_year, site_id, n) "
            f"VALUES ({row}.fiscal_year, {row}.site_id, {delta}) "
            f"ON CONFLICT (fiscal_year, site_id) DO UPDATE SET n = stats_placement_counts.n + excluded.n")


COUNTED = ("fiscal_year", "prefecture_code", "organization_code", "status", "ever_active", "program_code",
           "learner_id")
SAME_PLACE = "NEW.status = 'active' AND NEW.fiscal_year = OLD.fiscal_year AND NEW.site_id = OLD.site_id"

# the backfill: what the triggers would have counted had they always been there
BACKFILL = (
    f"INSERT INTO stats_enrollment_counts ({ENROLLMENT_KEY}, n) "
    "SELECT fiscal_year, prefecture_code, coalesce(organization_code, ''), status, ever_active, count(*) "
    "FROM enrollments GROUP BY fiscal_year, prefecture_code, coalesce(organization_code, ''), status, ever_active",
    f"INSERT INTO stats_enrollment_breakdowns ({BREAKDOWN_KEY}, n) "
    "SELECT e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), l.specialty, "
    "e.status, e.ever_active, count(*) FROM enrollments e JOIN learners l ON l.id = e.learner_id "
    "GROUP BY e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), l.specialty, "
    "e.status, e.ever_active",
    "INSERT INTO stats_placement_counts (fiscal_year, site_id, n) "
    "SELECT fiscal_year, site_id, count(*) FROM placements WHERE status = 'active' GROUP BY fiscal_year, site_id",
)
SUMMARIES = ("stats_enrollment_counts", "stats_enrollment_breakdowns", "stats_placement_counts")


def _postgresql_triggers() -> list[str]:
    old_key = "(OLD.fiscal_year, OLD.prefecture_code, coalesce(OLD.organization_code, ''), OLD.status, OLD.ever_active)"
    new_key = "(NEW.fiscal_year, NEW.prefecture_code, coalesce(NEW.organization_code, ''), NEW.status, NEW.ever_active)"
    unchanged = " AND ".join(f"OLD.{c} IS NOT DISTINCT FROM NEW.{c}" for c in COUNTED)
    return [
        f"""CREATE FUNCTION stats_enrollments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_enrollment_counts('NEW', '1')}; {_enrollment_breakdowns('NEW', '1')};
            ELSIF TG_OP = 'DELETE' THEN
                {_enrollment_counts('OLD', '-1')}; {_enrollment_breakdowns('OLD', '-1')};
            ELSIF {unchanged} THEN
                RETURN NULL;
            ELSIF {old_key} <= {new_key} THEN  -- summary rows locked in key order: two moves cannot deadlock
                {_enrollment_counts('OLD', '-1')}; {_enrollment_counts('NEW', '1')};
                {_enrollment_breakdowns('OLD', '-1')}; {_enrollment_breakdowns('NEW', '1')};
            ELSE
                {_enrollment_counts('NEW', '1')}; {_enrollment_counts('OLD', '-1')};
                {_enrollment_breakdowns('NEW', '1')}; {_enrollment_breakdowns('OLD', '-1')};
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_enrollments_stats AFTER INSERT OR UPDATE OR DELETE ON enrollments "
        "FOR EACH ROW EXECUTE FUNCTION stats_enrollments_changed()",
        f"""CREATE FUNCTION stats_learners_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.specialty < NEW.specialty THEN
                {_specialty_moved('OLD.specialty', '-')}; {_specialty_moved('NEW.specialty', '')};
            ELSE
                {_specialty_moved('NEW.specialty', '')}; {_specialty_moved('OLD.specialty', '-')};
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_learners_stats AFTER UPDATE OF specialty ON learners FOR EACH ROW "
        "WHEN (OLD.specialty IS DISTINCT FROM NEW.specialty) EXECUTE FUNCTION stats_learners_changed()",
        f"""CREATE FUNCTION stats_placements_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.status = 'active' AND {SAME_PLACE} THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
                {_placement('OLD', '-1')};
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
                {_placement('NEW', '1')};
            END IF;
            RETURN NULL;
        END $$""",
        "CREATE TRIGGER trg_placements_stats AFTER INSERT OR UPDATE OR DELETE ON placements "
        "FOR EACH ROW EXECUTE FUNCTION stats_placements_changed()",
    ]


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    return [
        f"CREATE TRIGGER trg_enrollments_stats_insert AFTER INSERT ON enrollments BEGIN "
        f"{_enrollment_counts('NEW', '1')}; {_enrollment_breakdowns('NEW', '1')}; END",
        f"CREATE TRIGGER trg_enrollments_stats_delete AFTER DELETE ON enrollments BEGIN "
        f"{_enrollment_counts('OLD', '-1')}; {_enrollment_breakdowns('OLD', '-1')}; END",
        f"CREATE TRIGGER trg_enrollments_stats_update AFTER UPDATE ON enrollments WHEN {changed} BEGIN "
        f"{_enrollment_counts('OLD', '-1')}; {_enrollment_counts('NEW', '1')}; "
        f"{_enrollment_breakdowns('OLD', '-1')}; {_enrollment_breakdowns('NEW', '1')}; END",
        f"CREATE TRIGGER trg_learners_stats AFTER UPDATE OF specialty ON learners "
        f"WHEN OLD.specialty IS NOT NEW.specialty BEGIN "
        f"{_specialty_moved('OLD.specialty', '-')}; {_specialty_moved('NEW.specialty', '')}; END",
        f"CREATE TRIGGER trg_placements_stats_insert AFTER INSERT ON placements WHEN NEW.status = 'active' "
        f"BEGIN {_placement('NEW', '1')}; END",
        f"CREATE TRIGGER trg_placements_stats_delete AFTER DELETE ON placements WHEN OLD.status = 'active' "
        f"BEGIN {_placement('OLD', '-1')}; END",
        f"CREATE TRIGGER trg_placements_stats_leave AFTER UPDATE ON placements "
        f"WHEN OLD.status = 'active' AND NOT ({SAME_PLACE}) BEGIN {_placement('OLD', '-1')}; END",
        f"CREATE TRIGGER trg_placements_stats_enter AFTER UPDATE ON placements "
        f"WHEN NEW.status = 'active' AND NOT (OLD.status = 'active' AND NEW.fiscal_year = OLD.fiscal_year "
        f"AND NEW.site_id = OLD.site_id) BEGIN {_placement('NEW', '1')}; END",
    ]


def _create_summaries():
    op.create_table(
        'stats_enrollment_counts',
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('prefecture_code', sa.String(length=2), nullable=False),
        sa.Column('organization_code', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('ever_active', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fiscal_year', 'prefecture_code', 'organization_code', 'status', 'ever_active',
                                name=op.f('pk_stats_enrollment_counts')),
    )
    op.create_table(
        'stats_enrollment_breakdowns',
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('prefecture_code', sa.String(length=2), nullable=False),
        sa.Column('program_code', sa.String(length=40), nullable=False),
        sa.Column('organization_code', sa.String(length=40), nullable=False),
        sa.Column('specialty', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('ever_active', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fiscal_year', 'prefecture_code', 'program_code', 'organization_code', 'specialty',
                                'status', 'ever_active', name=op.f('pk_stats_enrollment_breakdowns')),
    )
    op.create_table(
        'stats_placement_counts',
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=36), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fiscal_year', 'site_id', name=op.f('pk_stats_placement_counts')),
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in (_postgresql_triggers() if postgresql else _sqlite_triggers()):
        op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def _drop_summaries():
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('enrollments', 'learners', 'placements'):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_stats ON {table}")
        for function in ('stats_enrollments_changed', 'stats_learners_changed', 'stats_placements_changed'):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for name in ('enrollments_stats_insert', 'enrollments_stats_delete', 'enrollments_stats_update',
                     'learners_stats', 'placements_stats_insert', 'placements_stats_delete',
                     'placements_stats_leave', 'placements_stats_enter'):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{name}")
    for table in SUMMARIES:
        op.drop_table(table)
