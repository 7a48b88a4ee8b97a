"""OJT host sites, placements and matching rounds."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

SITE_KINDS = ("hospital", "clinic", "geriatric_facility", "other")
SITE_KIND_LABELS = {"hospital": "病院", "clinic": "診療所", "geriatric_facility": "介護老人保健施設",
                    "other": "その他"}
ACTIVITIES = ("outpatient", "home_visits", "ward", "emergency", "community_care", "other")
ACTIVITY_LABELS = {"outpatient": "外来", "home_visits": "訪問診療", "ward": "病棟", "emergency": "救急",
                   "community_care": "地域包括ケア", "other": "その他"}
PLACEMENT_STATUSES = ("active", "cancelled")
MECHANISMS = ("deferred_acceptance", "flexible_deferred_acceptance")
# open: taking preferences and rankings; matched: results are current; published: placements made
ROUND_STATUSES = ("open", "matched", "published")
OUTCOMES = ("matched", "unmatched", "excluded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class OjtSite(db.Model):
    """A medical institution hosting on-the-job training."""

    __tablename__ = "ojt_sites"
    __table_args__ = (
        CheckConstraint(f"kind IN {SITE_KINDS}", name="kind_known"),
        CheckConstraint("annual_capacity >= 0", name="capacity_non_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    external_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"), index=True)
    secondary_medical_area: Mapped[str] = mapped_column(String(100))
    shortage_area: Mapped[bool] = mapped_column(default=False)
    annual_capacity: Mapped[int] = mapped_column(default=0)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def kind_ja(self) -> str:
        return SITE_KIND_LABELS[self.kind]

    @property
    def activities_ja(self) -> list[str]:
        return [ACTIVITY_LABELS[a] for a in self.activities or []]


class Placement(db.Model):
    """A learner's enrolment placed at an OJT site for a period within one fiscal year."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period_ordered"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
        # one placement per enrolment and fiscal year (the programme's OJT period)
        Index("uq_placements_enrollment_period", "enrollment_id", "fiscal_year", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
        Index("ix_placements_site_year", "site_id", "fiscal_year", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("ojt_sites.id"))
    fiscal_year: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="active")
    matching_round_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


class MatchingRound(db.Model):
    """A matching of learners to OJT sites for one fiscal year, optionally with regional caps."""

    __tablename__ = "matching_rounds"
    __table_args__ = (
        CheckConstraint(_in("mechanism", MECHANISMS), name="mechanism_known"),
        CheckConstraint(_in("status", ROUND_STATUSES), name="status_known"),
        CheckConstraint("placement_end_date >= placement_start_date", name="period_ordered"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    fiscal_year: Mapped[int] = mapped_column(index=True)
    mechanism: Mapped[str] = mapped_column(String(40))
    # [{name, prefecture_codes, cap}], in the order given
    regions: Mapped[list[dict]] = mapped_column(JSON, default=list)
    placement_start_date: Mapped[date]
    placement_end_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")
    # counts of the current run (without the per-learner entries, which are MatchingResult rows)
    summary: Mapped[dict | None] = mapped_column(JSON)
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MatchingPreference(db.Model):
    """One entry of an enrolment's ranked list of sites in a round (rank 1 is the first choice)."""

    __tablename__ = "matching_preferences"
    __table_args__ = (
        UniqueConstraint("round_id", "enrollment_id", "site_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        # a site's applicants, for default priorities and supervisors' views
        Index("ix_matching_preferences_round_site", "round_id", "site_id"),
    )

    round_id: Mapped[str] = mapped_column(ForeignKey("matching_rounds.id", ondelete="CASCADE"), primary_key=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("ojt_sites.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteRanking(db.Model):
    """A site's ranked list of applicants in a round; applicants left out are not acceptable to it."""

    __tablename__ = "matching_site_rankings"

    round_id: Mapped[str] = mapped_column(ForeignKey("matching_rounds.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("ojt_sites.id"), primary_key=True)
    enrollment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str | None] = mapped_column(String(36))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchingResult(db.Model):
    """One enrolment's outcome in the current run of a round, with why it did not get higher choices."""

    __tablename__ = "matching_results"
    __table_args__ = (
        CheckConstraint(_in("outcome", OUTCOMES), name="outcome_known"),
        Index("ix_matching_results_round_site", "round_id", "site_id"),
    )

    round_id: Mapped[str] = mapped_column(ForeignKey("matching_rounds.id", ondelete="CASCADE"), primary_key=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"), primary_key=True, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("ojt_sites.id"))
    choice_rank: Mapped[int | None]
    choices: Mapped[int] = mapped_column(default=0)
    excluded_reason: Mapped[str | None] = mapped_column(String(40))
    # [{site_id, reason, lost_to: [enrollment ids]}] for each site ranked above the outcome
    explanation: Mapped[list[dict]] = mapped_column(JSON, default=list)
    placement_id: Mapped[str | None] = mapped_column(ForeignKey("placements.id"))


IMPORT_STATUSES = ("queued", "running", "succeeded", "failed")
# an import job keeps the first errors of its lines (error_count has them all)
MAX_STORED_ERRORS = 1000


class SiteImport(db.Model):
    """A CSV import of the site registry, run as a job: its file waits in STORAGE_DIR until a worker takes it."""

    __tablename__ = "ojt_site_imports"
    __table_args__ = (CheckConstraint(_in("status", IMPORT_STATUSES), name="status_known"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    size: Mapped[int] = mapped_column(default=0)
    encoding: Mapped[str | None] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SiteImportRow(db.Model):
    """A validated line of an import, staged until the whole file has passed; then all lines are applied
    to ojt_sites in one statement and deleted. Absent optional columns are NULL (left as they are)."""

    __tablename__ = "ojt_site_import_rows"

    import_id: Mapped[str] = mapped_column(ForeignKey("ojt_site_imports.id", ondelete="CASCADE"),
                                           primary_key=True)
    line: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36))
    external_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    prefecture_code: Mapped[str] = mapped_column(String(2))
    secondary_medical_area: Mapped[str] = mapped_column(String(100))
    shortage_area: Mapped[bool | None]
    annual_capacity: Mapped[int]
    activities: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
