"""Loading programme definitions into the database and reading them back."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, update

from lms.errors import NotFound
from lms.extensions import db
from lms.hooks import domain_hooks
from lms.programs.content import ContentResult, ProgramDefinition, load_content
from lms.programs.models import ProgramModule, ProgramVersion


@dataclass(frozen=True)
class SyncOutcome:
    code: str
    version: int
    action: str  # "created", "new_version" or "unchanged"


def sync_content(root: Path, progress=None) -> tuple[ContentResult, list[SyncOutcome]]:
    """Load course_content/; a programme whose content changed becomes a new current version.

    Nothing is written when any file has a problem."""
    result = load_content(root, domain_hooks().content_checks)
    if result.problems:
        return result, []
    outcomes = []
    for definition in result.programs:
        outcomes.append(_sync_program(definition))
        if progress:
            progress(1)
    db.session.commit()
    return result, outcomes


def _sync_program(definition: ProgramDefinition) -> SyncOutcome:
    existing = db.session.scalar(select(ProgramVersion).where(
        ProgramVersion.code == definition.code, ProgramVersion.content_hash == definition.content_hash))
    if existing is not None:
        if not existing.is_current:
            _make_current(definition.code, existing)
        return SyncOutcome(definition.code, existing.version, "unchanged")
    latest = db.session.scalar(select(func.max(ProgramVersion.version)).where(
        ProgramVersion.code == definition.code)) or 0
    version = ProgramVersion(
        code=definition.code, version=latest + 1, title_ja=definition.title_ja, title_en=definition.title_en,
        description_ja=definition.description_ja, ojt_required_hours=Decimal(str(definition.ojt_required_hours)),
        min_duration_days=definition.min_duration_days, content_hash=definition.content_hash,
        cmi5_xml=definition.cmi5_xml,
        modules=[ProgramModule(position=i, code=m.code, title_ja=m.title_ja, kind=m.kind, required=m.required,
                               min_score=m.min_score, estimated_minutes=m.estimated_minutes, body_md=m.body,
                               au_id=m.au_id)
                 for i, m in enumerate(definition.modules, start=1)],
    )
    db.session.add(version)
    db.session.flush()
    _make_current(definition.code, version)
    return SyncOutcome(definition.code, version.version, "created" if latest == 0 else "new_version")


def _make_current(code: str, version: ProgramVersion) -> None:
    db.session.execute(update(ProgramVersion).where(ProgramVersion.code == code, ProgramVersion.id != version.id)
                       .values(is_current=False))
    version.is_current = True


def list_programs() -> list[ProgramVersion]:
    return list(db.session.scalars(
        select(ProgramVersion).where(ProgramVersion.is_current).order_by(ProgramVersion.code)))


def get_program(code: str, version: int | None = None) -> ProgramVersion:
    query = select(ProgramVersion).where(ProgramVersion.code == code)
    query = query.where(ProgramVersion.version == version) if version else query.where(ProgramVersion.is_current)
    program = db.session.scalar(query)
    if program is None:
        raise NotFound(f"No programme {code}" + (f" version {version}." if version else "."))
    return program


def get_module(code: str, module_code: str, version: int | None = None) -> ProgramModule:
    module = get_program(code, version).module(module_code)
    if module is None:
        raise NotFound(f"No module {module_code} in programme {code}.")
    return module
