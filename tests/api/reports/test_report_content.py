"""What each report says: exact counts, subtotals, rates, month buckets in Japan time, and the PDF text."""

import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from lms.extensions import db
from lms.reports import jobs, service, storage
from lms.reports.models import ReportRun
from lms.reports.types import REPORT_TYPES
from tests.api.reports import sample_data

AS_OF = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def build(code: str, **params):
    kind = REPORT_TYPES[code]
    return kind.build({"fiscal_year": 2026, **params}, AS_OF)


def by(rows, key, value):
    return next(row for row in rows if row[key] == value)


def test_prefecture_table_counts_statuses_with_block_subtotals(app, make_learner, make_enrollment):
    tokyo, chiba, osaka = make_learner("13")[0], make_learner("12")[0], make_learner("27")[0]
    make_enrollment(tokyo, status="active")
    make_enrollment(tokyo, "OJT-2026", status="completed")
    make_enrollment(chiba, status="applied")
    make_enrollment(osaka, status="withdrawn")
    with app.app_context():
        rows = build("prefecture_enrollment").table.rows
    assert len(rows) == 47 + 8 + 1
    tokyo_row = by(rows, "name_ja", "東京都")
    assert (tokyo_row["active"], tokyo_row["completed"], tokyo_row["participants"]) == (1, 1, 2)
    kanto = next(r for r in rows if r["block_ja"] == "関東信越" and r["level"] == "subtotal")
    assert (kanto["applied"], kanto["active"], kanto["participants"]) == (1, 1, 2)
    national = rows[-1]
    assert national["level"] == "total" and national["participants"] == 3 and national["withdrawn"] == 1
    kinki = next(r for r in rows if r["block_ja"] == "近畿" and r["level"] == "subtotal")
    assert kinki["participants"] == 1
    fukui = rows.index(by(rows, "name_ja", "福井県"))
    assert rows[fukui]["block_ja"] == "近畿"  # the ministry's blocks, not the textbook regions


def test_program_progress_gives_rates_and_median_progress(app, make_learner, make_enrollment):
    for status in ("active", "active", "completed", "withdrawn", "applied"):
        make_enrollment(make_learner()[0], status=status)
    with app.app_context():
        report = build("program_progress")
    row = by(report.table.rows, "program_code", "GF-2026")
    assert (row["applications"], row["participants"], row["active"], row["completed"]) == (5, 4, 2, 1)
    assert row["completion_rate"] == 25.0
    assert row["median_progress"] == 0
    other = by(report.table.rows, "program_code", "OJT-2026")
    assert other["participants"] == 0 and other["completion_rate"] is None


def test_ojt_activity_lists_hosting_sites_with_prefecture_subtotals(app, make_learner, make_enrollment):
    from lms.ojt.models import OjtSite, Placement
    from lms.progress.models import OjtLog

    enrollment = make_enrollment(make_learner("01")[0])
    with app.app_context():
        host = OjtSite(name="根室病院", kind="hospital", prefecture_code="01", secondary_medical_area="根室",
                       shortage_area=True, annual_capacity=4)
        idle = OjtSite(name="札幌診療所", kind="clinic", prefecture_code="01", secondary_medical_area="札幌",
                       annual_capacity=2)
        db.session.add_all([host, idle])
        db.session.flush()
        placement = Placement(enrollment_id=enrollment, site_id=host.id, fiscal_year=2026,
                              start_date=date(2026, 6, 1), end_date=date(2026, 9, 30))
        db.session.add(placement)
        db.session.flush()
        db.session.add_all([OjtLog(placement_id=placement.id, date=date(2026, 6, 2), hours=Decimal("7.5"),
                                   activity="ward", status="approved"),
                            OjtLog(placement_id=placement.id, date=date(2026, 6, 3), hours=Decimal("8"),
                                   activity="ward", status="pending")])
        db.session.commit()
        report = build("ojt_activity")
        only_tokyo = build("ojt_activity", prefecture_code="13")
    site = by(report.table.rows, "site", "根室病院")
    assert (site["placements"], site["hours"], site["shortage"], site["kind"]) == (1, 7.5, "○", "病院")
    assert all(row["site"] != "札幌診療所" for row in report.table.rows)
    subtotal = next(r for r in report.table.rows if r["level"] == "subtotal")
    assert subtotal["site"] == "小計（登録2施設・うち受入1施設）" and subtotal["capacity"] == 6
    assert report.table.rows[-1]["level"] == "total"
    assert report.chart.values == {"01": 1}
    assert only_tokyo.table.rows == []


def test_certificates_are_counted_by_month_in_japan_time(app, make_learner, make_enrollment):
    from lms.certificates.models import Certificate

    issued = [(datetime(2026, 4, 30, 15, 30, tzinfo=UTC), "issued"),  # 1 May in Japan
              (datetime(2026, 5, 10, 3, 0, tzinfo=UTC), "revoked"),
              (datetime(2027, 3, 31, 14, 59, tzinfo=UTC), "superseded"),  # 31 March 23:59 in Japan
              (datetime(2027, 3, 31, 15, 0, tzinfo=UTC), "issued")]  # 1 April: the next fiscal year
    with app.app_context():
        for n, (at, status) in enumerate(issued, start=1):
            learner = make_learner()[0]
            enrollment = make_enrollment(learner, status="completed")
            db.session.add(Certificate(enrollment_id=enrollment, learner_id=learner, program_code="GF-2026",
                                       fiscal_year=2026, sequence=n, certificate_number=f"R8-{n:05d}",
                                       verification_code=f"CODE{n}", status=status, holder_name="山田 太郎",
                                       program_title="総合診療基礎コース", completed_on=date(2026, 4, 30),
                                       issued_at=at))
        db.session.commit()
        report = build("certificates_issued")
    row = by(report.table.rows, "program_code", "GF-2026")
    assert (row["m4"], row["m5"], row["m3"], row["issued"]) == (0, 2, 1, 3)
    assert (row["revoked"], row["superseded"]) == (1, 1)
    assert report.table.rows[-1]["issued"] == 3
    assert report.chart.series[0][1][1] == 2  # May


def test_the_pdf_reads_back_with_japanese_headings_and_the_numbers(app, make_schedule, clock, settings):
    with app.app_context():
        totals = sample_data.fill(learners=120)
    schedule_id = make_schedule(formats=["pdf"], params={"fiscal_year": 2026})
    with app.app_context():
        run_id = service.request_run(None, schedule_id, now=clock.now).id
        jobs.work_queue(clock, "test", settings)
        run = db.session.get(ReportRun, run_id)
        assert run.status == "succeeded", run.error
        path = storage.reports_dir(app.config["STORAGE_DIR"]) / run.artifacts[0].path
        from lms.enrollments.models import Enrollment

        tokyo = db.session.scalar(select(func.count()).where(Enrollment.prefecture_code == "13",
                                                             Enrollment.ever_active))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    for heading in ("都道府県別 受講状況", "2026年度", "集計時点", "2026年11月23日 09:00（日本時間）", "ブロック",
                    "受講者数", "OJT承認時間", "小計", "合計", "注記", "東京都", "関東信越"):
        assert heading in text, heading
    national = next(line for line in text.splitlines() if line.strip().startswith("全国"))
    assert f"{totals['participants']:,}" in national.split()
    tokyo_line = next(line for line in text.splitlines() if "東京都" in line and "関東信越" in line)
    assert str(tokyo) in tokyo_line.split()
