"""What the progress domain holds about a learner: their export (APPI disclosure)."""

from datetime import datetime

from sqlalchemy import select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import Placement
from lms.progress.models import ModuleProgress, ModuleProgressUpdate, OjtLog, XapiStatement


def _learner_enrollment_ids(learner: Learner):
    return select(Enrollment.id).where(Enrollment.learner_id == learner.id)


def _export_module_progress(learner: Learner) -> list[dict]:
    rows = db.session.scalars(select(ModuleProgress).where(
        ModuleProgress.enrollment_id.in_(_learner_enrollment_ids(learner)))
        .order_by(ModuleProgress.enrollment_id, ModuleProgress.module_code))
    return [{"enrollment_id": p.enrollment_id, "module_code": p.module_code, "status": p.status,
             "best_score": None if p.best_score is None else float(p.best_score),
             "first_completed_at": _iso(p.first_completed_at), "done_at": _iso(p.done_at),
             "minutes_spent": p.minutes_spent, "last_activity_at": _iso(p.last_activity_at)} for p in rows]


def _export_module_updates(learner: Learner) -> list[dict]:
    rows = db.session.scalars(select(ModuleProgressUpdate).where(
        ModuleProgressUpdate.enrollment_id.in_(_learner_enrollment_ids(learner)))
        .order_by(ModuleProgressUpdate.recorded_at, ModuleProgressUpdate.id))
    return [{"id": u.id, "enrollment_id": u.enrollment_id, "module_code": u.module_code, "status": u.status,
             "score": None if u.score is None else float(u.score), "minutes_spent": u.minutes,
             "occurred_at": _iso(u.occurred_at), "recorded_at": _iso(u.recorded_at)} for u in rows]


def _export_statements(learner: Learner) -> list[dict]:
    rows = db.session.scalars(select(XapiStatement).where(XapiStatement.learner_id == learner.id)
                              .order_by(XapiStatement.stored_at, XapiStatement.id))
    return [{"id": s.id, "enrollment_id": s.enrollment_id, "verb_id": s.verb_id,
             "module_code": s.module_code, "status": s.status, "score": None if s.score is None else float(s.score),
             "minutes": s.minutes, "timestamp": _iso(s.timestamp), "stored_at": _iso(s.stored_at),
             "voided_by": s.voided_by} for s in rows]


def _export_ojt_logs(learner: Learner) -> list[dict]:
    rows = db.session.scalars(select(OjtLog).join(Placement, Placement.id == OjtLog.placement_id).where(
        Placement.enrollment_id.in_(_learner_enrollment_ids(learner))).order_by(OjtLog.date, OjtLog.created_at))
    return [{"id": o.id, "placement_id": o.placement_id, "date": o.date.isoformat(), "hours": float(o.hours),
             "activity": o.activity, "status": o.status, "note": o.note, "review_comment": o.review_comment,
             "reviewed_at": _iso(o.reviewed_at), "created_at": _iso(o.created_at)} for o in rows]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# what the learner's export shows of their progress (wired by the app factory)
SECTIONS = {"module_progress": _export_module_progress, "module_progress_updates": _export_module_updates,
            "xapi_statements": _export_statements, "ojt_logs": _export_ojt_logs}

