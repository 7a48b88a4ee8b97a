"""xAPI Communication 1.3 "Alternate Request Syntax": a POST with `?method=` and a form body carrying the headers,
`content` and the query parameters is the request it stands for, on every resource; anything else in the query
than `method` is 400, as is the syntax not issued as a POST."""

import json
import uuid
from urllib.parse import urlencode

import pytest

from tests.api.xapi_meta.conftest import basic
from tests.conftest import bearer

FORM = "application/x-www-form-urlencoded"
ACTIVITY_ID = "https://example.jp/course/1"


def _form(**fields) -> str:
    return urlencode(fields)


def test_1_3_a_get_in_the_alternate_syntax_reads_activities_and_agents(client, all_client):
    auth = basic(all_client["key"], all_client["secret"])["Authorization"]
    response = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM, data=_form(**{
        "activityId": ACTIVITY_ID, "Authorization": auth, "X-Experience-API-Version": "1.0.3"}))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"objectType": "Activity", "id": ACTIVITY_ID}
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    agent = {"objectType": "Agent", "name": "Taro", "mbox": "mailto:taro@example.jp"}
    response = client.post("/api/v1/xapi/agents?method=GET", content_type=FORM, data=_form(**{
        "agent": json.dumps(agent), "Authorization": auth, "X-Experience-API-Version": "1.0.3"}))
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Person", "name": ["Taro"], "mbox": ["mailto:taro@example.jp"]}


def test_1_3_form_headers_are_headers_and_are_still_judged(client, all_client):
    """Credentials and the version in the form are judged as if they were headers: wrong ones are refused."""
    auth = basic(all_client["key"], all_client["secret"])["Authorization"]
    wrong = basic(all_client["key"], "wrong")["Authorization"]
    refused = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                          data=_form(activityId=ACTIVITY_ID, Authorization=wrong, **{"X-Experience-API-Version": "1.0.3"}))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Basic realm="LRS"'
    no_version = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                             data=_form(activityId=ACTIVITY_ID, Authorization=auth))
    assert no_version.status_code == 400
    # the form's value wins over a real header of the same name
    response = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                           headers={"Authorization": wrong, "X-Experience-API-Version": "0.9"},
                           data=_form(activityId=ACTIVITY_ID, Authorization=auth,
                                      **{"X-Experience-API-Version": "1.0.3"}))
    assert response.status_code == 200
    # real headers count when the form does not name them
    response = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                           headers={"Authorization": auth, "X-Experience-API-Version": "1.0.3"},
                           data=_form(activityId=ACTIVITY_ID))
    assert response.status_code == 200


@pytest.mark.parametrize("path", [
    "/api/v1/xapi/activities?method=GET&activityId=https%3A%2F%2Fexample.jp%2Fcourse%2F1",  # extra query
    "/api/v1/xapi/activities?method=PATCH",
    "/api/v1/xapi/activities?method=",
    "/api/v1/xapi/activities?method=GET&method=PUT",
])
def test_1_3_anything_but_method_in_the_query_is_400(client, all_client, path):
    auth = basic(all_client["key"], all_client["secret"])["Authorization"]
    response = client.post(path, content_type=FORM, data=_form(activityId=ACTIVITY_ID, Authorization=auth,
                                                               **{"X-Experience-API-Version": "1.0.3"}))
    assert response.status_code == 400 and response.headers["X-Experience-API-Version"] == "1.0.3"


def test_1_3_the_alternate_syntax_not_issued_as_a_post_is_400(client, all_client):
    headers = {**basic(all_client["key"], all_client["secret"]), "X-Experience-API-Version": "1.0.3"}
    assert client.get("/api/v1/xapi/activities?method=POST", headers=headers).status_code == 400
    assert client.put("/api/v1/xapi/statements?method=PUT", headers=headers, json={}).status_code == 400


def test_1_3_a_body_that_is_not_a_form_or_an_unknown_form_field_is_400(client, all_client):
    auth = basic(all_client["key"], all_client["secret"])["Authorization"]
    fields = {"activityId": ACTIVITY_ID, "Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    as_json = client.post("/api/v1/xapi/activities?method=GET", json=fields)
    assert as_json.status_code == 400
    unknown = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                          data=_form(**fields, happy="day"))
    assert unknown.status_code == 400
    bad_utf8 = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM, data=b"activityId=%FF%FE")
    assert bad_utf8.status_code == 400


def test_1_3_a_form_over_the_body_limit_is_413(app, client, all_client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/xapi/activities?method=GET", content_type=FORM,
                           data=b"content=" + b"x" * limit)
    assert response.status_code == 413


def test_1_3_content_becomes_the_body_of_a_statement_post(app, client, make_learner, make_enrollment):
    """The statements resource takes the alternate syntax without knowing of it."""
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    statement = {"id": str(uuid.uuid4()),
                 "actor": {"objectType": "Agent",
                           "account": {"homePage": app.config["PUBLIC_BASE_URL"], "name": learner_id}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                 "object": {"objectType": "Activity", "id": "https://lms.example.jp/modules/GF01"},
                 "context": {"registration": enrollment_id},
                 "timestamp": "2026-04-04T10:00:00+09:00"}
    response = client.post("/api/v1/xapi/statements?method=POST", content_type=FORM, data=_form(**{
        "content": json.dumps(statement), "Authorization": bearer(token)["Authorization"],
        "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [statement["id"]]


def test_the_lms_administration_is_not_rewritten(client, admin_token):
    response = client.post("/api/v1/xapi/clients?method=GET", headers=bearer(admin_token), content_type=FORM,
                           data=_form(page="1"))
    assert response.status_code in (415, 422)
