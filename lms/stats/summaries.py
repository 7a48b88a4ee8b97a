"""Recount the statistics' summary rows from scratch (after a bulk load that bypassed the triggers of
migration 0026, e.g. `bench/generate_national.py`). In normal operation the triggers keep them exact."""

SUMMARY_TABLES = ("stats_enrollment_counts", "stats_enrollment_breakdowns", "stats_placement_counts")

RECOUNT = (
    "INSERT INTO stats_enrollment_counts (fiscal_year, prefecture_code, organization_code, status, ever_active, n) "
    "SELECT fiscal_year, prefecture_code, coalesce(organization_code, ''), status, ever_active, count(*) "
    "FROM enrollments GROUP BY fiscal_year, prefecture_code, coalesce(organization_code, ''), status, ever_active",
    "INSERT INTO stats_enrollment_breakdowns (fiscal_year, prefecture_code, program_code, organization_code, "
    "specialty, status, ever_active, n) "
    "SELECT e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), l.specialty, "
    "e.status, e.ever_active, count(*) FROM enrollments e JOIN learners l ON l.id = e.learner_id "
    "GROUP BY e.fiscal_year, e.prefecture_code, e.program_code, coalesce(e.organization_code, ''), l.specialty, "
    "e.status, e.ever_active",
    "INSERT INTO stats_placement_counts (fiscal_year, site_id, n) "
    "SELECT fiscal_year, site_id, count(*) FROM placements WHERE status = 'active' GROUP BY fiscal_year, site_id",
)


def recount_statements() -> list[str]:
    """The SQL that empties and refills the summary rows; run it in one transaction that locks out writers
    (or with nothing else writing)."""
    return [f"DELETE FROM {table}" for table in SUMMARY_TABLES] + list(RECOUNT)
