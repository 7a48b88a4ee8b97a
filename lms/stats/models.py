"""Indexes that let statistics read counts from an index alone (the tables belong to other domains)."""

from sqlalchemy import Index

from lms.enrollments.models import Enrollment
from lms.ojt.models import Placement

# An org_staff member's table filters on the organisation first, which ix_enrollments_stats cannot serve;
# the id lets their placements be matched to their enrolments from the index too.
ix_enrollments_stats_org = Index(
    "ix_enrollments_stats_org", Enrollment.organization_code, Enrollment.fiscal_year,
    Enrollment.prefecture_code, Enrollment.status, Enrollment.ever_active, postgresql_include=["id"],
)
# Placements of a fiscal year by site, and (for org_staff) by enrolment, without reading the table.
ix_placements_stats = Index("ix_placements_stats", Placement.fiscal_year, Placement.status, Placement.site_id,
                            postgresql_include=["enrollment_id"])
