"""Writes that lose a race: a unique-constraint clash or a moved status becomes 409 Conflict."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lms.errors import Conflict, DomainError
from lms.extensions import db


@contextmanager
def conflict_on_integrity_error(message: str) -> Iterator[None]:
    """Roll back and raise Conflict(message) when the block violates a constraint (a concurrent writer won)."""
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(message) from exc


def flush_or_conflict(message: str) -> None:
    """Flush; a unique-constraint race becomes 409 instead of 500."""
    with conflict_on_integrity_error(message):
        db.session.flush()


def commit_or_conflict(message: str) -> None:
    """Commit; a unique-constraint race becomes 409 instead of 500."""
    with conflict_on_integrity_error(message):
        db.session.commit()


def guarded_update(model, row_id: str, expected: str | Iterable[str], values: dict,
                   conflict: str | Callable[[], DomainError], *, also: Iterable = ()) -> None:
    """UPDATE the row only while its status is `expected` (one status or any of several) and the `also`
    conditions hold, in one statement, so two concurrent moves cannot both win. When no row matched: roll
    back and raise Conflict(conflict), or the error `conflict()` builds after the rollback (it may read what
    the row has become)."""
    status = model.status == expected if isinstance(expected, str) else model.status.in_(list(expected))
    result = db.session.execute(update(model).where(model.id == row_id, status, *also).values(**values))
    if result.rowcount != 1:
        db.session.rollback()
        raise conflict() if callable(conflict) else Conflict(conflict)
