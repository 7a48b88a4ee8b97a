"""Programme versions as plain, immutable values, read once per process.

A version never changes after it is stored (a changed definition becomes a new version), so the hot paths
(enrolment lists, progress updates) take what they need from here instead of loading the version and its
modules, with their Markdown bodies, on every request. Whether a version is current does change, and is
not kept here.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lms.extensions import db
from lms.programs.models import ProgramModule, ProgramVersion


@dataclass(frozen=True)
class ModuleInfo:
    code: str
    title_ja: str
    kind: str
    required: bool
    min_score: int | None
    au_id: str | None = None  # kind cmi5: the AU's id in the programme's course structure


@dataclass(frozen=True)
class VersionInfo:
    id: str
    code: str
    version: int
    title_ja: str
    ojt_required_hours: Decimal
    min_duration_days: int | None
    modules: tuple[ModuleInfo, ...]

    def module(self, code: str) -> ModuleInfo | None:
        return next((m for m in self.modules if m.code == code), None)


_VERSIONS: dict[str, VersionInfo] = {}


def version_info(version_id: str) -> VersionInfo:
    """The version with this id (which must exist: enrolments reference it by foreign key)."""
    cached = _VERSIONS.get(version_id)
    if cached is None:
        version = db.session.execute(
            select(ProgramVersion.code, ProgramVersion.version, ProgramVersion.title_ja,
                   ProgramVersion.ojt_required_hours,
                   ProgramVersion.min_duration_days).where(ProgramVersion.id == version_id)).one()
        modules = db.session.execute(
            select(ProgramModule.code, ProgramModule.title_ja, ProgramModule.kind, ProgramModule.required,
                   ProgramModule.min_score, ProgramModule.au_id)
            .where(ProgramModule.program_version_id == version_id).order_by(ProgramModule.position))
        cached = _VERSIONS[version_id] = VersionInfo(
            version_id, version.code, version.version, version.title_ja, Decimal(version.ojt_required_hours),
            version.min_duration_days, tuple(ModuleInfo(*row) for row in modules))
    return cached
