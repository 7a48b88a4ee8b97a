"""CSV imports of the site registry as jobs: the body is streamed to a file, a worker validates every line,
staging the valid ones, and applies them all in one statement, or none.

Progress: `total` is the number of data lines (a quick first pass), `done` the lines validated and staged so
far, committed every CHUNK lines in short transactions of their own. Staged lines are not sites: ojt_sites
changes only in the final transaction (one INSERT ... SELECT ... ON CONFLICT), so a job is applied whole or
not at all, and no transaction is held open while the file is read.
"""

import logging
import os
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import String, and_, cast, delete, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.audit.service import record
from lms.auth.models import ADMIN
from lms.auth.permissions import Actor
from lms.columns import new_id
from lms.dates import utcnow
from lms.errors import Invalid, NotFound, PayloadTooLarge
from lms.extensions import db
from lms.ojt.import_csv import RowError, SiteRow, count_records, read_sites, sniff_encoding
from lms.ojt.models import MAX_STORED_ERRORS, OjtSite, SiteImport, SiteImportRow
from lms.pagination import paginate
from lms.reference.service import prefecture_codes
from lms.storage import storage_path

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
CHUNK = 2000
COPY_CHUNK = 1 << 16
# a job whose worker died this many times (say, killed for memory) fails instead of being taken again
MAX_ATTEMPTS = 3
FOLDER = "ojt-imports"
# what a CSV row may change on an existing site (external_code is the key, id and created_at stay)
FIELDS = ("name", "kind", "prefecture_code", "secondary_medical_area", "shortage_area", "annual_capacity",
          "activities")
DEFAULTS = {"shortage_area": False, "activities": []}


class LostLease(Exception):
    """Another worker took the job over (this one was presumed dead); stop without touching it."""


def import_path(job_id: str) -> Path:
    return storage_path(current_app.config["STORAGE_DIR"], f"{FOLDER}/{job_id}.csv")


def _copy_limited(source: BinaryIO, path: Path, limit: int) -> int:
    """Copy the body to a temp file beside `path`, then rename; more than `limit` bytes is 413, no file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    size = 0
    try:
        with open(tmp, "wb") as out:
            while chunk := source.read(COPY_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"The file is larger than {limit} bytes.")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:  # the werkzeug 413 of a chunked body too, and a client that went away
        tmp.unlink(missing_ok=True)
        raise
    return size


def queue_import(actor: Actor | None, body: BinaryIO, limit: int) -> SiteImport:
    """Stream the CSV to STORAGE_DIR and queue it; nothing is parsed here."""
    job_id = new_id()
    path = import_path(job_id)
    size = _copy_limited(body, path, limit)
    if size == 0:
        path.unlink(missing_ok=True)
        raise Invalid("The file is empty; nothing was imported.",
                      errors={"file": [{"line": 1, "field": "file", "message": "the file is empty"}]})
    job = SiteImport(id=job_id, size=size, created_by=actor.id if actor else None)
    db.session.add(job)
    record(actor, "ojt_site_import.create", "ojt_site_import", job_id, bytes=size)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    return job


def get_import(job_id: str) -> SiteImport:
    job = db.session.get(SiteImport, job_id)
    if job is None:
        raise NotFound("No such site import.")
    return job


def list_imports(*, page: int, per_page: int, status: str | None = None) -> tuple[list[SiteImport], int]:
    query = select(SiteImport)
    if status is not None:
        query = query.where(SiteImport.status == status)
    return paginate(query, page=page, per_page=per_page, order_by=(SiteImport.created_at.desc(), SiteImport.id))


def _claimable(now):
    return and_(SiteImport.status.in_(("queued", "running")),
                or_(SiteImport.lease_until.is_(None), SiteImport.lease_until < now))


def claim_next_import(worker: str, job_id: str | None = None) -> SiteImport | None:
    """Take a queued import, or one whose worker died (lease expired); a guarded update picks one winner."""
    now = utcnow()
    query = select(SiteImport.id).where(_claimable(now)).order_by(SiteImport.created_at).limit(1)
    candidate = db.session.scalar(query.where(SiteImport.id == job_id) if job_id else query)
    if candidate is None:
        db.session.rollback()  # end the read: an idle worker holds no transaction
        return None
    claimed = db.session.execute(update(SiteImport).where(SiteImport.id == candidate, _claimable(now)).values(
        status="running", worker=worker, lease_until=now + LEASE, attempts=SiteImport.attempts + 1,
        started_at=func.coalesce(SiteImport.started_at, now))).rowcount
    db.session.commit()
    return db.session.get(SiteImport, candidate) if claimed == 1 else None


def _renew(job_id: str, worker: str, **values) -> None:
    """Update the job's progress and lease in the current transaction, if this worker still holds it."""
    held = db.session.execute(update(SiteImport).where(
        SiteImport.id == job_id, SiteImport.worker == worker, SiteImport.status == "running",
    ).values({"lease_until": utcnow() + LEASE, **values})).rowcount
    if held != 1:
        db.session.rollback()
        raise LostLease(job_id)


def _staged(job_id: str, row: SiteRow) -> dict:
    fields = {name: row.fields.get(name) for name in FIELDS}
    return {"import_id": job_id, "line": row.line, "site_id": new_id(),
            "external_code": row.fields["external_code"], **fields}


def process_import(job: SiteImport, worker: str, progress=None) -> SiteImport:
    """Validate and stage every line, then apply all or none; run again after a crash, it starts over.
    `progress(done, total)` is called after each chunk."""
    job_id, attempts = job.id, job.attempts
    try:
        if attempts > MAX_ATTEMPTS:
            _fail(job_id, worker, [RowError(0, "file", f"the import stopped {MAX_ATTEMPTS} times")], 1)
        else:
            _run(job_id, worker, import_path(job_id), progress)
    except LostLease:
        log.warning("site import %s was taken over by another worker", job_id)
    except Exception as exc:  # the final transaction rolled back: nothing of the file was applied
        db.session.rollback()
        log.exception("site import %s stopped", job_id)
        _fail(job_id, worker, [RowError(0, "file", f"the import stopped ({type(exc).__name__}); try again")], 1)
    db.session.expire_all()
    return get_import(job_id)


def _run(job_id: str, worker: str, path: Path, progress) -> None:
    db.session.execute(delete(SiteImportRow).where(SiteImportRow.import_id == job_id))  # an earlier attempt's
    if not path.exists():
        _fail(job_id, worker, [RowError(0, "file", "the uploaded file is missing from storage")], 1)
        return
    with open(path, "rb") as stream:
        encoding = sniff_encoding(stream)
        total = count_records(stream, encoding) if encoding else 0
        _renew(job_id, worker, encoding=encoding, total=total, done=0, error_count=0, errors=[])
        db.session.commit()
        errors: list[RowError] = []
        error_count, done, batch = 0, 0, []
        for item in read_sites(stream, encoding, prefecture_codes()):
            if isinstance(item, RowError):
                error_count += 1
                if len(errors) < MAX_STORED_ERRORS:
                    errors.append(item)
                batch.clear()  # nothing more is staged once a line is bad; the rest is only checked
                continue
            done += 1
            if not error_count:
                batch.append(_staged(job_id, item))
            if done % CHUNK == 0:
                _stage(job_id, worker, batch, done, total, error_count, progress)
        _stage(job_id, worker, batch, done, total, error_count, progress)
    if error_count:
        _fail(job_id, worker, errors, error_count)
    else:
        _apply(job_id, worker)
        path.unlink(missing_ok=True)


def _stage(job_id: str, worker: str, batch: list[dict], done: int, total: int, error_count: int,
           progress) -> None:
    if batch:
        db.session.execute(insert(SiteImportRow), batch)
    _renew(job_id, worker, done=done, error_count=error_count)
    db.session.commit()
    if progress:
        progress(done, total)
    batch.clear()


def _fail(job_id: str, worker: str, errors: list[RowError], error_count: int) -> None:
    db.session.execute(delete(SiteImportRow).where(SiteImportRow.import_id == job_id))
    _renew(job_id, worker, status="failed", errors=[asdict(e) for e in errors], error_count=error_count,
           finished_at=utcnow(), lease_until=None)
    db.session.commit()
    import_path(job_id).unlink(missing_ok=True)


def _upsert_statement(job_id: str, present: list[str]):
    """INSERT INTO ojt_sites SELECT the staged lines ON CONFLICT (external_code) DO UPDATE the file's
    columns, only where something differs (so an unchanged site keeps its updated_at)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    site, staged, now = OjtSite.__table__.c, SiteImportRow.__table__.c, utcnow()
    values = {"id": staged.site_id, "external_code": staged.external_code,
              **{name: func.coalesce(staged[name], literal(DEFAULTS[name], site[name].type))
                 if name in DEFAULTS else staged[name] for name in FIELDS},
              "created_at": literal(now, site.created_at.type), "updated_at": literal(now, site.updated_at.type)}
    statement = dialect.insert(OjtSite.__table__).from_select(
        list(values), select(*values.values()).where(staged.import_id == job_id).order_by(staged.external_code))
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[site.external_code], set_={**{name: new[name] for name in present},
                                                   "updated_at": new.updated_at},
        where=or_(*(_differs(site[name], new[name]) for name in present)))


def _differs(current, new):
    if current.name == "activities":  # JSON has no equality on PostgreSQL; both sides use one serialiser
        return cast(current, String) != cast(new, String)
    return current != new


def _apply(job_id: str, worker: str) -> None:
    """One transaction: count what will change, upsert every staged line, drop the staging, finish the job."""
    _renew(job_id, worker)  # first, so a worker that lost the job changes nothing
    site, staged = OjtSite.__table__.c, SiteImportRow.__table__.c
    total = db.session.scalar(select(func.count()).where(staged.import_id == job_id))
    # an optional column is in every staged line (a blank cell reads as no / none) or in none of them
    sample = db.session.execute(select(*(staged[name] for name in DEFAULTS)).where(
        staged.import_id == job_id).limit(1)).first()
    present = [name for name in FIELDS if name not in DEFAULTS or sample is None
               or sample[list(DEFAULTS).index(name)] is not None]
    joined = select(func.count()).select_from(SiteImportRow.__table__.join(
        OjtSite.__table__, site.external_code == staged.external_code)).where(staged.import_id == job_id)
    existing = db.session.scalar(joined)
    changed = db.session.scalar(joined.where(or_(*(_differs(site[name], staged[name]) for name in present))))
    db.session.execute(_upsert_statement(job_id, present))
    db.session.execute(delete(SiteImportRow).where(staged.import_id == job_id))
    counts = {"created": total - existing, "updated": changed, "unchanged": existing - changed}
    _renew(job_id, worker, status="succeeded", done=total, finished_at=utcnow(), lease_until=None, **counts)
    job = db.session.get(SiteImport, job_id)
    actor = Actor(id=job.created_by, role=ADMIN) if job.created_by else None
    record(actor, "ojt_site.import", "ojt_site_import", job_id, encoding=job.encoding, **counts)
    db.session.commit()


def run_pending_imports(*, worker: str = "cli", now=None) -> int:
    """Process every claimable import (the scheduler polls this); returns how many were processed."""
    count = 0
    while (job := claim_next_import(worker)) is not None:
        log.info("importing OJT sites: job %s (%s bytes)", job.id, job.size)
        job = process_import(job, worker)
        log.info("site import %s %s: %s/%s lines", job.id, job.status, job.done, job.total)
        count += 1
    return count


def import_file(path: Path, worker: str, progress=None) -> SiteImport:
    """Queue a file from disk and process it at once (the CLI)."""
    with open(path, "rb") as body:
        job = queue_import(None, body, limit=max(path.stat().st_size, 1))
    return process_import(claim_next_import(worker, job.id), worker, progress)
