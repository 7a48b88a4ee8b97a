"""OJT site use cases: the public registry, admin edits and supervisors (CSV imports: lms.ojt.imports)."""

from sqlalchemy import String, cast, select

from lms.audit.service import record
from lms.auth.models import SUPERVISOR, User, UserSite
from lms.auth.permissions import Actor
from lms.errors import Invalid, NotFound
from lms.extensions import db
from lms.ojt.models import OjtSite
from lms.pagination import paginate
from lms.reference.service import prefecture_codes
from lms.transactions import commit_or_conflict, flush_or_conflict

DUPLICATE_CODE = "Another site has this external code."
DEFAULTS = {"shortage_area": False, "activities": []}


def get_site(site_id: str) -> OjtSite:
    site = db.session.get(OjtSite, site_id)
    if site is None:
        raise NotFound("No such OJT site.")
    return site


def list_sites(*, page: int, per_page: int, activity: str | None = None, **filters) -> tuple[list[OjtSite], int]:
    """Sites by prefecture, kind, activity and shortage area, in prefecture then name order."""
    query = select(OjtSite)
    for name, value in filters.items():
        query = query.where(getattr(OjtSite, name) == value)
    if activity is not None:
        # activities are a JSON list of fixed codes, none a substring of another once quoted
        query = query.where(cast(OjtSite.activities, String).like(f'%"{activity}"%'))
    return paginate(query, page=page, per_page=per_page,
                    order_by=(OjtSite.prefecture_code, OjtSite.name, OjtSite.id))


def _check_prefecture(fields: dict) -> None:
    if "prefecture_code" in fields and fields["prefecture_code"] not in prefecture_codes():
        raise Invalid(field="prefecture_code", message="unknown prefecture")


def create_site(actor: Actor, fields: dict) -> OjtSite:
    _check_prefecture(fields)
    site = OjtSite(**{**DEFAULTS, **fields})
    db.session.add(site)
    flush_or_conflict(DUPLICATE_CODE)
    record(actor, "ojt_site.create", "ojt_site", site.id)
    commit_or_conflict(DUPLICATE_CODE)
    return site


def update_site(actor: Actor, site_id: str, fields: dict) -> OjtSite:
    """Change a site; lowering the capacity leaves existing placements as they are."""
    site = get_site(site_id)
    _check_prefecture(fields)
    changed = sorted(name for name, value in fields.items() if getattr(site, name) != value)
    for name in changed:
        setattr(site, name, fields[name])
    if changed:
        record(actor, "ojt_site.update", "ojt_site", site.id, fields=changed)
        commit_or_conflict(DUPLICATE_CODE)
    return site


def list_supervisors(site_id: str) -> list[User]:
    get_site(site_id)
    return list(db.session.scalars(
        select(User).join(UserSite, UserSite.user_id == User.id)
        .where(UserSite.site_id == site_id, User.role == SUPERVISOR).order_by(User.email)))
