"""Plausible programme data for report tests and the sample report picture (call inside an app context)."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

# more learners where more physicians work
WEIGHTS = {"13": 14, "27": 7, "14": 6, "23": 5, "01": 4, "40": 4, "11": 4, "28": 4, "12": 3, "26": 3,
           "22": 2, "34": 2, "04": 2, "15": 2, "20": 2, "08": 2, "43": 2, "46": 2}
SITE_KINDS = ["hospital", "hospital", "clinic", "geriatric_facility"]
AREAS = ["中央", "北部", "南部", "東部", "西部"]


def fill(seed: int = 2026, learners: int = 500, fiscal_year: int = 2026) -> dict:
    """Learners in every prefecture, enrolments of the year, OJT sites, placements and approved hours."""
    from flask import current_app

    from lms.enrollments.models import Enrollment
    from lms.extensions import db
    from lms.learners.models import Learner
    from lms.ojt.models import OjtSite, Placement
    from lms.programs.models import ProgramVersion
    from lms.programs.service import sync_content
    from lms.progress.models import OjtLog

    rng = random.Random(seed)
    if not db.session.query(ProgramVersion.id).first():
        sync_content(Path(current_app.config["CONTENT_DIR"]))
    programs = db.session.query(ProgramVersion).filter(ProgramVersion.is_current).order_by(ProgramVersion.code).all()
    codes = [f"{n:02d}" for n in range(1, 48)]
    weights = [WEIGHTS.get(code, 1) for code in codes]
    sites = []
    for i, code in enumerate(codes):
        for j in range(rng.choice([1, 2, 2, 3, 4])):
            shortage = rng.random() < 0.4
            site = OjtSite(name=f"{code}県立第{j + 1}病院" if j == 0 else f"地域診療所{i}-{j}",
                           kind=rng.choice(SITE_KINDS), prefecture_code=code,
                           secondary_medical_area=rng.choice(AREAS) + "医療圏", shortage_area=shortage,
                           annual_capacity=rng.choice([2, 4, 6]), activities=["outpatient", "ward"])
            sites.append(site)
    db.session.add_all(sites)
    start = datetime(fiscal_year, 4, 2, tzinfo=UTC)
    enrollments = []
    for n in range(learners):
        prefecture = rng.choices(codes, weights)[0]
        learner = Learner(family_name="見本", given_name=f"{n}", family_name_kana="ミホン", given_name_kana="タロウ",
                          email=f"sample{n}@example.jp", medical_registration_number=str(900000 + n),
                          license_year=2000, specialty="internal_medicine", workplace_prefecture_code=prefecture,
                          workplace_name="見本病院", organization_code="JPCA")
        db.session.add(learner)
        db.session.flush()
        program = rng.choice(programs)
        status = rng.choices(["applied", "active", "suspended", "completed", "withdrawn", "rejected"],
                             [2, 8, 1, 3, 1, 1])[0]
        applied = start + timedelta(days=rng.randint(0, 150))
        enrollment = Enrollment(learner_id=learner.id, program_code=program.code, program_version_id=program.id,
                                fiscal_year=fiscal_year, prefecture_code=prefecture, organization_code="JPCA",
                                status=status, applied_at=applied, ever_active=status not in ("applied", "rejected"))
        if enrollment.ever_active:
            enrollment.activated_at = applied + timedelta(days=7)
        db.session.add(enrollment)
        enrollments.append(enrollment)
    db.session.flush()
    hours_total = Decimal(0)
    placements = 0
    for enrollment in enrollments:
        if enrollment.status not in ("active", "completed") or rng.random() < 0.3:
            continue
        near = [s for s in sites if s.prefecture_code == enrollment.prefecture_code] or sites
        site = rng.choice(near)
        placement = Placement(enrollment_id=enrollment.id, site_id=site.id, fiscal_year=fiscal_year,
                              start_date=date(fiscal_year, 6, 1), end_date=date(fiscal_year, 12, 31))
        db.session.add(placement)
        db.session.flush()
        placements += 1
        for day in range(rng.randint(1, 6)):
            hours = Decimal(rng.choice([4, 6, 7.5, 8]))
            db.session.add(OjtLog(placement_id=placement.id, date=date(fiscal_year, 6, 3 + day), hours=hours,
                                  activity="outpatient", status="approved"))
            hours_total += hours
    db.session.commit()
    return {"learners": learners, "sites": len(sites), "placements": placements, "hours": hours_total,
            "participants": sum(1 for e in enrollments if e.ever_active)}
