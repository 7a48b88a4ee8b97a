"""The statistics' summary rows (migration 0026's triggers) always equal a full recount.

Random sequences of changes to enrolments, learners' specialties and placements, some of them rolled back,
made with plain SQL (as any writer would: the API, a worker, an operator), are followed by a comparison of
every summary row with a count of the rows it summarises. Runs on SQLite and on PostgreSQL.
"""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import OjtSite, Placement
from lms.programs.service import get_program
from lms.stats.models import EnrollmentBreakdown, EnrollmentCount, PlacementCount

YEARS = (2024, 2025)
PREFECTURES = ("01", "13")
ORGANIZATIONS = ("JPCA", "AJHA", None)
STATUSES = ("applied", "active", "suspended", "completed", "withdrawn", "rejected")
SPECIALTIES = ("internal_medicine", "surgery", "pediatrics")
PROGRAMS = ("GF-2026", "OJT-2026")
N_LEARNERS, N_SITES = 3, 3
AT = datetime(2025, 6, 1, tzinfo=UTC)

index = st.integers(min_value=0, max_value=50)
operations = st.one_of(
    st.tuples(st.just("enrol"), st.integers(0, N_LEARNERS - 1), st.sampled_from(PROGRAMS),
              st.sampled_from(YEARS), st.sampled_from(PREFECTURES), st.sampled_from(ORGANIZATIONS),
              st.sampled_from(STATUSES), st.booleans()),
    st.tuples(st.just("move"), index, st.sampled_from(STATUSES), st.booleans()),
    st.tuples(st.just("reassign"), index, st.sampled_from(YEARS), st.sampled_from(PREFECTURES),
              st.sampled_from(ORGANIZATIONS)),
    st.tuples(st.just("drop_enrolment"), index),
    st.tuples(st.just("specialty"), st.integers(0, N_LEARNERS - 1), st.sampled_from(SPECIALTIES)),
    st.tuples(st.just("place"), index, st.integers(0, N_SITES - 1), st.sampled_from(YEARS),
              st.sampled_from(("active", "cancelled"))),
    st.tuples(st.just("replace"), index, st.integers(0, N_SITES - 1), st.sampled_from(YEARS),
              st.sampled_from(("active", "cancelled"))),
    st.tuples(st.just("drop_placement"), index),
)


def _pick(rows: list[str], i: int) -> str | None:
    return rows[i % len(rows)] if rows else None


def _apply(operation: tuple, learners: list[str], sites: list[str]) -> None:
    """One change in plain SQL (no ORM events), as any writer might make it."""
    kind, *args = operation
    session = db.session
    enrolments = list(session.scalars(select(Enrollment.id).order_by(Enrollment.id)))
    placements = list(session.scalars(select(Placement.id).order_by(Placement.id)))
    if kind == "enrol":
        learner, program, year, prefecture, organization, status, ever_active = args
        session.execute(Enrollment.__table__.insert().values(
            id=f"e-{len(enrolments)}-{year}-{status}-{learner}-{program}-{prefecture}"[:36],
            learner_id=learners[learner], program_code=program, program_version_id=get_program(program).id,
            fiscal_year=year, prefecture_code=prefecture, organization_code=organization, status=status,
            ever_active=ever_active, applied_at=AT, updated_at=AT))
    elif kind == "move" and (target := _pick(enrolments, args[0])):
        session.execute(Enrollment.__table__.update().where(Enrollment.id == target)
                        .values(status=args[1], ever_active=args[2]))
    elif kind == "reassign" and (target := _pick(enrolments, args[0])):
        session.execute(Enrollment.__table__.update().where(Enrollment.id == target)
                        .values(fiscal_year=args[1], prefecture_code=args[2], organization_code=args[3]))
    elif kind == "drop_enrolment" and (target := _pick(enrolments, args[0])):
        session.execute(Placement.__table__.delete().where(Placement.enrollment_id == target))
        session.execute(Enrollment.__table__.delete().where(Enrollment.id == target))
    elif kind == "specialty":
        session.execute(Learner.__table__.update().where(Learner.id == learners[args[0]])
                        .values(specialty=args[1]))
    elif kind == "place" and (target := _pick(enrolments, args[0])):
        site, year, status = args[1:]
        session.execute(Placement.__table__.insert().values(
            id=f"p-{len(placements)}-{target}"[:36], enrollment_id=target, site_id=sites[site], fiscal_year=year,
            start_date=date(year, 4, 1), end_date=date(year + 1, 3, 31), status=status, created_at=AT))
    elif kind == "replace" and (target := _pick(placements, args[0])):
        site, year, status = args[1:]
        session.execute(Placement.__table__.update().where(Placement.id == target)
                        .values(site_id=sites[site], fiscal_year=year, status=status,
                                start_date=date(year, 4, 1), end_date=date(year + 1, 3, 31)))
    elif kind == "drop_placement" and (target := _pick(placements, args[0])):
        session.execute(Placement.__table__.delete().where(Placement.id == target))


def _summaries() -> tuple[dict, dict, dict]:
    c, b, p = EnrollmentCount, EnrollmentBreakdown, PlacementCount
    counts = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(c.fiscal_year, c.prefecture_code, c.organization_code, c.status, c.ever_active, c.n)
        .where(c.n != 0))}
    breakdowns = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(b.fiscal_year, b.prefecture_code, b.program_code, b.organization_code, b.specialty, b.status,
               b.ever_active, b.n).where(b.n != 0))}
    placements = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(p.fiscal_year, p.site_id, p.n).where(p.n != 0))}
    return counts, breakdowns, placements


def _recount() -> tuple[dict, dict, dict]:
    e = Enrollment
    organization = func.coalesce(e.organization_code, "")
    counts = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(e.fiscal_year, e.prefecture_code, organization, e.status, e.ever_active, func.count())
        .group_by(e.fiscal_year, e.prefecture_code, organization, e.status, e.ever_active))}
    breakdowns = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(e.fiscal_year, e.prefecture_code, e.program_code, organization, Learner.specialty, e.status,
               e.ever_active, func.count()).join(Learner, Learner.id == e.learner_id)
        .group_by(e.fiscal_year, e.prefecture_code, e.program_code, organization, Learner.specialty, e.status,
                  e.ever_active))}
    placements = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(Placement.fiscal_year, Placement.site_id, func.count()).where(Placement.status == "active")
        .group_by(Placement.fiscal_year, Placement.site_id))}
    return counts, breakdowns, placements


def _normalised(tables: tuple[dict, dict, dict]) -> tuple[dict, ...]:
    """ever_active (the last key of the enrolment tables) as a boolean (SQLite gives 0/1), counts as ints."""
    counts, breakdowns, placements = tables
    return ({(*k[:-1], bool(k[-1])): int(n) for k, n in counts.items()},
            {(*k[:-1], bool(k[-1])): int(n) for k, n in breakdowns.items()},
            {k: int(n) for k, n in placements.items()})


def _reset() -> list[str]:
    for model in (Placement, Enrollment, Learner, OjtSite, EnrollmentCount, EnrollmentBreakdown, PlacementCount):
        db.session.execute(model.__table__.delete())
    learners = []
    for n in range(N_LEARNERS):
        learner = Learner(family_name="集計", given_name=f"太郎{n}", family_name_kana="シュウケイ",
                          given_name_kana="タロウ", email=f"summary{n}@example.jp",
                          medical_registration_number=str(7_000_000 + n), license_year=2000,
                          specialty=SPECIALTIES[0], workplace_prefecture_code="13")
        db.session.add(learner)
        learners.append(learner)
    sites = [OjtSite(name=f"集計病院{n}", kind="hospital", prefecture_code=PREFECTURES[n % 2],
                     secondary_medical_area="圏域") for n in range(N_SITES)]
    db.session.add_all(sites)
    db.session.commit()
    return [learner.id for learner in learners], [site.id for site in sites]


@pytest.mark.usefixtures("programs")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(sequence=st.lists(st.tuples(operations, st.booleans()), min_size=1, max_size=25))
@example(sequence=[(("enrol", 0, "OJT-2026", 2025, "13", "JPCA", "active", True), True),
                   (("place", 0, 1, 2025, "active"), True), (("replace", 0, 2, 2024, "active"), True),
                   (("specialty", 0, "surgery"), True), (("replace", 0, 2, 2024, "cancelled"), True),
                   (("move", 0, "withdrawn", True), False), (("reassign", 0, 2024, "01", None), True),
                   (("drop_placement", 0), True), (("drop_enrolment", 0), True)])
def test_summary_rows_equal_a_full_recount_after_any_changes(app, sequence):
    """Each change is committed or rolled back (the second element); the summary rows move with the
    commits only, in the same transaction."""
    with app.app_context():
        learners, sites = _reset()
        for operation, commit in sequence:
            try:
                _apply(operation, learners, sites)
            except Exception as exc:  # a constraint (one open enrolment per programme, ...) refused it
                if "IntegrityError" not in type(exc).__name__:
                    raise
                db.session.rollback()
                continue
            if commit:
                db.session.commit()
            else:
                db.session.rollback()
            assert _normalised(_summaries()) == _normalised(_recount()), operation
