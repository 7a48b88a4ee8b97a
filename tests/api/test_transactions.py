"""lms.transactions: a constraint clash or a moved status becomes 409 Conflict, after a rollback."""

from datetime import date

import pytest
from sqlalchemy import select, text

from lms.auth.models import User
from lms.errors import Conflict
from lms.extensions import db
from lms.ojt.models import MatchingRound
from lms.transactions import (
    commit_or_conflict,
    conflict_on_integrity_error,
    flush_or_conflict,
    guarded_update,
)


def _two_users_with_one_email() -> None:
    """The second insert clashes with the first on the unique e-mail (as when a concurrent request won)."""
    db.session.add(User(email="same@example.jp", password_hash="x", role="consortium_admin"))
    db.session.flush()
    db.session.add(User(email="same@example.jp", password_hash="x", role="consortium_admin"))


@pytest.mark.parametrize("write", [flush_or_conflict, commit_or_conflict])
def test_a_unique_clash_on_write_is_409_conflict_with_the_message_and_is_rolled_back(ctx, write):
    _two_users_with_one_email()

    with pytest.raises(Conflict) as raised:
        write("A user with this e-mail address exists.")

    assert raised.value.status == 409
    assert str(raised.value) == "A user with this e-mail address exists."
    assert db.session.scalar(select(User.id).where(User.email == "same@example.jp")) is None


def test_commit_or_conflict_commits_when_nothing_clashes(ctx):
    db.session.add(User(email="one@example.jp", password_hash="x", role="consortium_admin"))

    commit_or_conflict("unused")
    db.session.remove()

    assert db.session.scalar(select(User.email).where(User.email == "one@example.jp")) == "one@example.jp"


def test_other_errors_pass_through_the_conflict_guard_unchanged(ctx):
    with pytest.raises(ValueError, match="not a clash"), conflict_on_integrity_error("unused"):
        raise ValueError("not a clash")


def _round(status: str = "open") -> str:
    matching_round = MatchingRound(name="Round", fiscal_year=2025, mechanism="deferred_acceptance", status=status,
                                   placement_start_date=date(2025, 4, 1), placement_end_date=date(2026, 3, 31))
    db.session.add(matching_round)
    db.session.commit()
    return matching_round.id


def _status(round_id: str) -> str:
    return db.session.scalar(select(MatchingRound.status).where(MatchingRound.id == round_id))


def test_guarded_update_changes_the_row_while_its_status_is_the_expected_one(ctx):
    round_id = _round("open")

    guarded_update(MatchingRound, round_id, "open", {"status": "matched"}, "moved")
    db.session.commit()

    assert _status(round_id) == "matched"


def test_guarded_update_accepts_any_of_several_expected_statuses(ctx):
    round_id = _round("matched")

    guarded_update(MatchingRound, round_id, ("open", "matched"), {"status": "published"}, "moved")
    db.session.commit()

    assert _status(round_id) == "published"


def test_guarded_update_is_409_and_rolls_back_the_transaction_when_the_status_moved(ctx):
    round_id = _round("published")
    other_id = _round("open")
    db.session.get(MatchingRound, other_id).name = "changed in the same transaction"

    with pytest.raises(Conflict, match="^This round is published.$") as raised:
        guarded_update(MatchingRound, round_id, ("open", "matched"), {"status": "open"}, "This round is published.")

    assert raised.value.status == 409
    assert _status(round_id) == "published"
    assert db.session.get(MatchingRound, other_id).name == "Round"


def test_guarded_update_is_409_when_an_extra_condition_fails(ctx):
    round_id = _round("open")

    with pytest.raises(Conflict, match="renamed"):
        guarded_update(MatchingRound, round_id, "open", {"status": "matched"}, "renamed",
                       also=(MatchingRound.name == "Another name",))

    assert _status(round_id) == "open"


def test_guarded_update_builds_its_error_after_the_rollback_from_what_the_row_became(ctx):
    round_id = _round("open")
    db.session().expire_on_commit = False
    matching_round = db.session.get(MatchingRound, round_id)
    assert matching_round.status == "open"
    db.session.commit()  # ends the read; the object keeps its status, which goes stale below
    with db.engine.begin() as other:  # another writer moves the round meanwhile
        other.execute(text("UPDATE matching_rounds SET status = 'published' WHERE id = :id"), {"id": round_id})

    with pytest.raises(Conflict, match="^A published round cannot be reopened.$"):
        guarded_update(MatchingRound, round_id, "open", {"status": "matched"},
                       lambda: Conflict(f"A {matching_round.status} round cannot be reopened."))
