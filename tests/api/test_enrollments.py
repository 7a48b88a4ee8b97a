"""Enrolments through the API: applying, the life cycle by role, scope, the duplicate race."""

import threading

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.enrollments.models import Enrollment
from lms.extensions import db
from tests.conftest import bearer


def apply(client, token, **body):
    return client.post("/api/v1/enrollments", json={"program_code": "GF-2026", **body}, headers=bearer(token))


def test_learner_applies_with_fiscal_year_and_prefecture_fixed(client, programs, make_learner, app):
    learner_id, token = make_learner(prefecture="01")
    response = apply(client, token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "applied" and body["learner_id"] == learner_id
    assert body["prefecture_code"] == "01" and body["program_version"] == 1
    from lms.dates import fiscal_year, utcnow

    assert body["fiscal_year"] == fiscal_year(utcnow())
    assert client.patch("/api/v1/learners/me", json={"workplace_prefecture_code": "13"},
                        headers=bearer(token)).status_code == 200
    again = client.get(f"/api/v1/enrollments/{body['id']}", headers=bearer(token)).get_json()
    assert again["prefecture_code"] == "01"


def test_second_open_enrollment_in_the_same_programme_is_409(client, programs, make_learner):
    _, token = make_learner()
    assert apply(client, token).status_code == 201
    response = apply(client, token)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_a_new_application_is_allowed_after_a_final_state(client, programs, make_learner):
    _, token = make_learner()
    enrollment = apply(client, token).get_json()
    client.post(f"/api/v1/enrollments/{enrollment['id']}/transitions", json={"to": "withdrawn"},
                headers=bearer(token))
    assert apply(client, token).status_code == 201


def test_unknown_programme_is_404(client, programs, make_learner):
    _, token = make_learner()
    assert apply(client, token, program_code="NOPE").status_code == 404


def test_learner_cannot_apply_for_someone_else(client, programs, make_learner):
    other_id, _ = make_learner()
    _, token = make_learner()
    assert apply(client, token, learner_id=other_id).status_code == 422


def test_staff_apply_for_their_learners_only(client, programs, make_learner, make_user):
    ours, _ = make_learner(organization="JPCA", login=False)
    theirs, _ = make_learner(organization="JHA", login=False)
    _, staff = make_user("org_staff", organization_code="JPCA")
    assert apply(client, staff, learner_id=ours).status_code == 201
    assert apply(client, staff, learner_id=theirs).status_code == 422
    assert apply(client, staff).status_code == 422


MOVES = [  # (role, from, to, expected status)
    ("org_staff", "applied", "active", 200), ("org_staff", "applied", "rejected", 200),
    ("org_staff", "active", "suspended", 200), ("org_staff", "suspended", "active", 200),
    ("org_staff", "active", "completed", 403), ("org_staff", "applied", "withdrawn", 403),
    ("org_staff", "completed", "active", 409), ("org_staff", "rejected", "active", 409),
    ("learner", "applied", "withdrawn", 200), ("learner", "active", "withdrawn", 200),
    ("learner", "suspended", "withdrawn", 200), ("learner", "applied", "active", 403),
    ("learner", "active", "completed", 403), ("learner", "withdrawn", "active", 409),
    ("consortium_admin", "active", "completed", 200), ("consortium_admin", "applied", "active", 200),
    ("consortium_admin", "suspended", "withdrawn", 200), ("consortium_admin", "completed", "withdrawn", 409),
    ("consortium_admin", "applied", "suspended", 409), ("consortium_admin", "active", "applied", 409),
]


@pytest.mark.parametrize("role,current,target,status", MOVES)
def test_transitions_by_role(client, make_learner, make_enrollment, make_user, role, current, target, status):
    learner_id, learner_token = make_learner(organization="JPCA")
    enrollment_id = make_enrollment(learner_id, status=current)
    token = {"learner": learner_token,
             "org_staff": make_user("org_staff", organization_code="JPCA")[1],
             "consortium_admin": make_user("consortium_admin")[1]}[role]
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": target},
                           headers=bearer(token))
    assert response.status_code == status, response.get_json()
    if status == 200:
        body = response.get_json()
        assert body["status"] == target
        field = {"active": "activated_at", "suspended": "suspended_at", "completed": "completed_at",
                 "withdrawn": "withdrawn_at", "rejected": "rejected_at"}[target]
        assert body[field] is not None


@pytest.mark.parametrize("role", ["supervisor", "prefecture_official"])
def test_roles_without_moves_are_403(client, make_learner, make_enrollment, make_user, role, app):
    learner_id, _ = make_learner()
    enrollment_id = make_enrollment(learner_id, status="applied")
    if role == "supervisor":
        from lms.ojt.models import OjtSite

        with app.app_context():
            site = OjtSite(name="S", kind="clinic", prefecture_code="13", secondary_medical_area="A")
            db.session.add(site)
            db.session.commit()
            scope = {"site_ids": [site.id]}
    else:
        scope = {"prefecture_code": "13"}
    _, token = make_user(role, **scope)
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "active"},
                           headers=bearer(token))
    assert response.status_code == 403


def test_transitions_are_audited(client, make_learner, make_enrollment, admin_token, app):
    learner_id, _ = make_learner()
    enrollment_id = make_enrollment(learner_id, status="applied")
    client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "active", "reason": "ok"},
                headers=bearer(admin_token))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.transition"))
    assert event.object_id == enrollment_id and event.details["to_status"] == "active"


def test_reactivation_keeps_the_first_activation_time(client, make_learner, make_enrollment, admin_token):
    learner_id, _ = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    first = client.get(f"/api/v1/enrollments/{enrollment_id}", headers=bearer(admin_token)).get_json()
    url = f"/api/v1/enrollments/{enrollment_id}/transitions"
    client.post(url, json={"to": "suspended"}, headers=bearer(admin_token))
    body = client.post(url, json={"to": "active"}, headers=bearer(admin_token)).get_json()
    assert body["activated_at"] == first["activated_at"] and body["suspended_at"]


def test_others_enrollments_are_404(client, make_learner, make_enrollment, make_user):
    theirs_id, _ = make_learner(organization="JHA")
    enrollment_id = make_enrollment(theirs_id)
    _, learner = make_learner(organization="JHA")
    _, staff = make_user("org_staff", organization_code="JPCA")
    for token in (learner, staff):
        assert client.get(f"/api/v1/enrollments/{enrollment_id}", headers=bearer(token)).status_code == 404
        response = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "withdrawn"},
                               headers=bearer(token))
        assert response.status_code == 404


def test_lists_are_scoped_filtered_and_paginated(client, make_learner, make_enrollment, make_user, admin_token):
    for _ in range(3):
        make_enrollment(make_learner(organization="JPCA", prefecture="13")[0], status="active")
    make_enrollment(make_learner(organization="JHA", prefecture="01")[0], status="applied")
    _, staff = make_user("org_staff", organization_code="JPCA")
    response = client.get("/api/v1/enrollments?per_page=2", headers=bearer(staff))
    assert response.headers["X-Total-Count"] == "3" and len(response.get_json()) == 2
    assert 'rel="next"' in response.headers["Link"]
    everyone = client.get("/api/v1/enrollments?status=applied", headers=bearer(admin_token))
    assert everyone.headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/enrollments?prefecture_code=01", headers=bearer(admin_token)) \
        .headers["X-Total-Count"] == "1"
    _, learner = make_learner()
    assert client.get("/api/v1/enrollments", headers=bearer(learner)).get_json() == []


def test_per_page_above_200_is_422(client, admin_token):
    assert client.get("/api/v1/enrollments?per_page=201", headers=bearer(admin_token)).status_code == 422


def test_officials_cannot_read_enrollments(client, make_user):
    _, token = make_user("prefecture_official", prefecture_code="13")
    assert client.get("/api/v1/enrollments", headers=bearer(token)).status_code in (403, 404)


def test_status_cannot_be_set_on_application(client, programs, make_learner):
    _, token = make_learner()
    response = apply(client, token, status="completed")
    assert response.status_code == 422 and "status" in response.get_json()["errors"]["json"]


def test_existing_enrollments_keep_their_programme_version(client, programs, make_learner, app, tmp_path):
    import shutil

    from lms.programs.service import sync_content

    _, token = make_learner()
    first = apply(client, token).get_json()
    content = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_DIR"], content)
    yaml_path = content / "GF-2026" / "program.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("ojt_required_hours: 80",
                                                                       "ojt_required_hours: 90"), encoding="utf-8")
    with app.app_context():
        _, outcomes = sync_content(content)
    assert {o.code: o.action for o in outcomes}["GF-2026"] == "new_version"
    program = client.get("/api/v1/programs/GF-2026").get_json()
    assert program["version"] == 2 and program["ojt_required_hours"] == 90
    assert client.get(f"/api/v1/enrollments/{first['id']}", headers=bearer(token)).get_json()["program_version"] == 1
    assert client.get("/api/v1/programs/GF-2026?version=1").get_json()["ojt_required_hours"] == 80


def test_concurrent_duplicate_applications_give_one_201_and_one_409(app, programs, make_learner):
    _, token = make_learner()
    barrier = threading.Barrier(2)
    statuses = []

    def worker():
        client = app.test_client()
        barrier.wait()
        statuses.append(apply(client, token).status_code)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    with app.app_context():
        assert len(list(db.session.scalars(select(Enrollment.id)))) == 1
