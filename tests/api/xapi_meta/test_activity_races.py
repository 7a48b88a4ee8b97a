"""Activity definitions under concurrent intake (Data 2.4.4.1 merge): statements defining one activity at once,
each adding its own language, lose none of them, on both databases; a new activity is stored once."""

import threading

from lms.extensions import db
from lms.xapi import activities
from lms.xapi.principal import Principal

ACTIVITY_ID = "https://example.jp/course/raced"
DEFINER = Principal("client", frozenset({"all"}), client_id="d")
WRITER = Principal("client", frozenset({"statements/write"}), client_id="w")


def _statement(language: str) -> dict:
    return {"actor": {"mbox": "mailto:a@example.jp"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": ACTIVITY_ID, "definition": {"name": {language: f"name in {language}"}}}}


def _race(app, principal, languages: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(languages))
    errors: list[BaseException] = []

    def run(language: str) -> None:
        try:
            with app.app_context():
                barrier.wait(30)
                activities.remember([_statement(language)], principal=principal)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # surfaced in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(language,)) for language in languages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _stored(app) -> list[dict]:
    with app.app_context():
        return list(db.session.scalars(db.select(activities.ActivityDefinition.definition)))


def test_concurrent_definers_of_a_new_activity_merge_every_language(app):
    languages = [f"x-l{i}" for i in range(8)]
    assert _race(app, DEFINER, languages) == []
    stored = _stored(app)
    assert len(stored) == 1 and set(stored[0]["name"]) == set(languages)


def test_concurrent_writers_without_define_store_one_first_definition(app):
    languages = [f"x-w{i}" for i in range(8)]
    assert _race(app, WRITER, languages) == []
    stored = _stored(app)
    assert len(stored) == 1 and len(stored[0]["name"]) == 1 and set(stored[0]["name"]) <= set(languages)
