"""Every endpoint with the status each role gets for its own and for another's object, and a valid request.

The table is the contract of API.md made concrete: no token 401, wrong role 403, an object outside the
caller's scope 404. Statuses read left to right as ROLES: anonymous, consortium_admin, org_staff,
prefecture_official, supervisor, learner. "own" objects lie inside every scoped role's scope (the learner
themselves, their organisation JPCA, prefecture 13, the supervisor's site); "other" objects lie outside all
of them. A row without `other` names nobody's object (a list, a create, a public page): one line says it all.

Adding an endpoint: add a row (keep the order of the API), with a body builder if it takes one.
"""

import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lms.dates import today_jst, utcnow
from tests.api.security.conftest import PASSWORD, PDF_BYTES, World

Statuses = tuple[int, int, int, int, int, int]
Body = Callable[[World, str, str], object]

PUBLIC: Statuses = (200, 200, 200, 200, 200, 200)


def OWN_PREFECTURE(ok: int) -> Statuses:  # noqa: N802 (reads like the constants beside it)
    return (401, ok, 403, ok, 403, 403)


def OTHER_PREFECTURE(ok: int) -> Statuses:  # noqa: N802
    return (401, ok, 403, 404, 403, 403)


def admin_only(ok: int) -> Statuses:
    return (401, ok, 403, 403, 403, 403)


def learner_only(ok: int) -> Statuses:
    return (401, 403, 403, 403, 403, ok)


LRS_ONLY: Statuses = (401, 401, 401, 401, 401, 200)


def lrs_only(ok: int) -> Statuses:
    """LRS credentials (here a learner's token); a staff bearer token is no LRS credential (401)."""
    return (401, 401, 401, 401, 401, ok)


# the learner's own agent (or the other learner's) as the `agent` parameter, and an activity, URL-encoded
XAPI_AGENT = ("agent=%7B%22account%22%3A%7B%22homePage%22%3A%22https%3A%2F%2Flms.example.jp%22%2C%22name%22%3A"
              "%22{learner_id}%22%7D%7D")  # the test app's PUBLIC_BASE_URL (tests/conftest.py LMS_HOME)
XAPI_ACTIVITY = "activityId=https%3A%2F%2Flms.example.jp%2Fmodules%2FGF01"
# the statementId of the PUT row (its statement carries no id, so the one in the query is taken)
PUT_STATEMENT_ID = "5b2a3e1c-7d4f-4a8b-9c6d-0e1f2a3b4c5d"


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    own: Statuses
    other: Statuses | None = None
    body: Body | None = None
    # path parameter -> key of World.objects when it is not the parameter's own name
    ids: dict[str, str] = field(default_factory=dict)
    # "json" (default), "multipart" (the body is a dict of files), "csv" (text/csv), or "document" (an xAPI
    # document of any media type, sent here as JSON; no JSON schema of fields describes it)
    kind: str = "json"
    headers: dict[str, str] = field(default_factory=dict)
    # a query string (without "?") the request carries
    query: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def expected(self, side: str) -> Statuses:
        return self.own if side == "own" or self.other is None else self.other

    def url(self, world: World, side: str) -> str:
        names = _params(self.path) + re.findall(r"\{(\w+)\}", self.query)
        values = {name: world.objects[side][self.ids.get(name, name)] for name in names}
        path = self.path.format(**values)
        return f"{path}?{self.query.format(**values)}" if self.query else path


def _params(path: str) -> list[str]:
    return [part[1:-1] for part in path.replace("/", " / ").split() if part.startswith("{")]


def _unique() -> str:
    return secrets.token_hex(4)


def _year() -> int:
    from lms.dates import fiscal_year

    return fiscal_year(today_jst())


def login(w: World, side: str, role: str) -> dict:
    return {"email": w.emails.get(role, w.emails["learner"]), "password": PASSWORD}


def new_user(w: World, side: str, role: str) -> dict:
    return {"email": f"new-{_unique()}@example.jp", "password": PASSWORD, "role": "learner"}


def learner_fields(w: World, side: str, role: str) -> dict:
    n = secrets.randbelow(800_000) + 100_000  # the world's learners are 9000xx
    return {"family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "ハナコ",
            "email": f"reg-{n}@example.jp", "medical_registration_number": str(n), "license_year": 2005,
            "specialty": "pediatrics", "workplace_prefecture_code": w.objects[side]["prefecture_code"],
            "organization_code": w.objects[side]["organization_code"]}


def registration(w: World, side: str, role: str) -> dict:
    return {**learner_fields(w, side, role), "password": PASSWORD}


def apply_for(w: World, side: str, role: str) -> dict:
    return {"program_code": "OJT-2026", "learner_id": w.objects[side]["learner_id"]}


def transition(w: World, side: str, role: str) -> dict:
    # each role's own kind of move: learners withdraw, staff suspend
    return {"to": "withdrawn" if role == "learner" else "suspended", "reason": "テスト"}


def module_progress(w: World, side: str, role: str) -> dict:
    return {"status": "completed", "minutes_spent": 30, "occurred_at": utcnow().isoformat()}


XAPI_VERSION = {"X-Experience-API-Version": "1.0.3"}


def xapi_document(w: World, side: str, role: str) -> dict:
    return {"bookmark": 12, "suspend_data": "p3"}


def statement(w: World, side: str, role: str) -> list:
    # about the caller, but recorded against the enrolment of the given side
    return [{"id": _uuid(), "actor": {"objectType": "Agent", "account": {
                "homePage": "https://lms.example.jp", "name": w.objects["own"]["learner_id"]}},
             "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
             "object": {"objectType": "Activity", "id": "https://lms.example.jp/modules/GF01"},
             "context": {"registration": w.objects[side]["enrollment_id"]},
             "timestamp": utcnow().isoformat()}]


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def ojt_log(w: World, side: str, role: str) -> dict:
    return {"date": today_jst().isoformat(), "hours": 1.5, "activity": "ward", "note": "病棟業務"}


def site(w: World, side: str, role: str) -> dict:
    return {"name": f"新病院 {_unique()}", "kind": "clinic", "prefecture_code": w.objects[side]["prefecture_code"],
            "secondary_medical_area": "区西部", "annual_capacity": 2, "activities": ["outpatient"]}


def sites_csv(w: World, side: str, role: str) -> bytes:
    return ("external_code,name,kind,prefecture_code,secondary_medical_area,annual_capacity\n"
            f"X{_unique()},取込病院,hospital,13,区中央部,3\n").encode()


def placement(w: World, side: str, role: str) -> dict:
    # next fiscal year: the enrolment's placement of this year stays as it is
    year = _year() + 1
    return {"enrollment_id": w.objects[side]["enrollment_id"], "site_id": w.objects[side]["site_id"],
            "start_date": date(year, 4, 1).isoformat(), "end_date": date(year, 9, 30).isoformat()}


def new_round(w: World, side: str, role: str) -> dict:
    return {"name": f"第{_unique()}回", "fiscal_year": _year(), "mechanism": "deferred_acceptance"}


def preferences(w: World, side: str, role: str) -> dict:
    return {"enrollment_id": w.objects[side]["enrollment_id"], "site_ids": [w.objects[side]["site_id"]]}


def schedule(w: World, side: str, role: str) -> dict:
    return {"name": f"月次 {_unique()}", "report_type": "prefecture_enrollment", "params": {"fiscal_year": "current"},
            "cron": "0 9 1 * *", "formats": ["csv", "xlsx"], "enabled": True}


def indicator(w: World, side: str, role: str) -> dict:
    return {"category_ja": "○", "name_ja": f"受講者数 {_unique()}", "measure": "participants",
            "baseline_fiscal_year": _year() - 1, "target_fiscal_year": _year() + 2, "target_value": 40}


def verify_upload(w: World, side: str, role: str) -> dict:
    return {"file": (io.BytesIO(PDF_BYTES + (1).to_bytes(2, "big")), "certificate.pdf")}


#                      anon admin org  pref  sup  learner
ROWS: list[Row] = [
    # public pages and reference data
    Row("GET", "/healthz", PUBLIC),
    Row("GET", "/api/v1/openapi.json", PUBLIC),
    Row("GET", "/api/v1/docs", PUBLIC),
    Row("GET", "/api/v1/docs/assets/{filename}", PUBLIC),
    Row("GET", "/api/v1/prefectures", PUBLIC),
    Row("GET", "/api/v1/prefectures/{code}", PUBLIC, ids={"code": "prefecture_code"}),
    Row("GET", "/api/v1/blocks", PUBLIC),
    Row("GET", "/api/v1/organizations", PUBLIC),
    Row("GET", "/api/v1/specialties", PUBLIC),
    Row("GET", "/api/v1/programs", PUBLIC),
    Row("GET", "/api/v1/programs/{code}", PUBLIC, ids={"code": "program_code"}),
    Row("GET", "/api/v1/programs/{code}/modules/{module_code}", PUBLIC, ids={"code": "program_code"}),
    # auth and users
    Row("POST", "/api/v1/auth/token", PUBLIC, body=login),
    Row("DELETE", "/api/v1/auth/token", (401, 204, 204, 204, 204, 204)),
    Row("POST", "/api/v1/users", admin_only(201), body=new_user),
    Row("GET", "/api/v1/audit-events", admin_only(200)),
    # learners (personal data)
    Row("POST", "/api/v1/learners/register", (201,) * 6, body=registration),
    Row("GET", "/api/v1/learners", (401, 200, 200, 403, 403, 403)),
    Row("POST", "/api/v1/learners", (401, 201, 201, 403, 403, 403), (401, 201, 422, 403, 403, 403),
        body=learner_fields),
    Row("GET", "/api/v1/learners/me", learner_only(200)),
    Row("PATCH", "/api/v1/learners/me", learner_only(200), body=lambda w, s, r: {"workplace_name": "新しい病院"}),
    Row("GET", "/api/v1/learners/me/export", learner_only(200)),
    Row("GET", "/api/v1/learners/{learner_id}", (401, 200, 200, 403, 403, 403), (401, 200, 404, 403, 403, 403)),
    Row("POST", "/api/v1/learners/{learner_id}/erase", admin_only(200)),
    # enrolments: a learner_id in the body that the caller may not use is an invalid field (422), the
    # same answer as for an id that does not exist, so nothing leaks
    Row("GET", "/api/v1/enrollments", (401, 200, 200, 403, 200, 200)),
    Row("POST", "/api/v1/enrollments", (401, 201, 201, 403, 403, 201), (401, 201, 422, 403, 403, 422),
        body=apply_for),
    Row("GET", "/api/v1/enrollments/{enrollment_id}", (401, 200, 200, 403, 200, 200),
        (401, 200, 404, 403, 404, 404)),
    Row("POST", "/api/v1/enrollments/{enrollment_id}/transitions", (401, 200, 200, 403, 403, 200),
        (401, 200, 404, 403, 403, 404), body=transition),
    # progress
    Row("PUT", "/api/v1/enrollments/{enrollment_id}/modules/{module_code}", (401, 200, 403, 403, 403, 200),
        (401, 200, 403, 403, 403, 404), body=module_progress),
    Row("GET", "/api/v1/enrollments/{enrollment_id}/progress", (401, 200, 200, 403, 200, 200),
        (401, 200, 404, 403, 404, 404)),
    Row("GET", "/api/v1/xapi/statements", LRS_ONLY, headers={"X-Experience-API-Version": "1.0.3"}),
    Row("PUT", "/api/v1/xapi/statements", lrs_only(204), lrs_only(404),
        body=lambda w, s, r: {k: v for k, v in statement(w, s, r)[0].items() if k != "id"},
        headers={"X-Experience-API-Version": "1.0.3"}, query="statementId=" + PUT_STATEMENT_ID),
    Row("POST", "/api/v1/xapi/statements", LRS_ONLY, lrs_only(404), body=statement,
        headers={"X-Experience-API-Version": "1.0.3"}),
    # the LRS: its clients (admin, bearer), about (public), and resources any LRS credentials read; of the
    # bearer tokens only a learner's are LRS credentials (a staff token is 401 there, with a Basic challenge)
    Row("GET", "/api/v1/xapi/clients", admin_only(200)),
    Row("POST", "/api/v1/xapi/clients", admin_only(201), body=lambda w, s, r: {"name": "Storyline",
                                                                                "scopes": ["all"]}),
    Row("DELETE", "/api/v1/xapi/clients/{client_id}", admin_only(204)),
    Row("GET", "/api/v1/xapi/about", PUBLIC),
    Row("GET", "/api/v1/xapi/activities", LRS_ONLY, headers={"X-Experience-API-Version": "1.0.3"},
        query="activityId=https%3A%2F%2Flms.example.jp%2Fmodules%2FGF01"),
    Row("GET", "/api/v1/xapi/agents", LRS_ONLY, headers={"X-Experience-API-Version": "1.0.3"},
        query="agent=%7B%22mbox%22%3A%22mailto%3Ataro%40example.jp%22%7D"),
    # the document resources: a learner's token reaches their own agent's state and profile (another's: 403)
    *[Row(method, "/api/v1/xapi/activities/state", lrs_only(ok), lrs_only(403), headers=XAPI_VERSION,
          query=f"{XAPI_ACTIVITY}&{XAPI_AGENT}" + ("&stateId=bookmark" if method in ("PUT", "POST") else ""),
          body=xapi_document if method in ("PUT", "POST") else None, kind="document")
      for method, ok in (("GET", 200), ("PUT", 204), ("POST", 204), ("DELETE", 204))],
    *[Row(method, "/api/v1/xapi/activities/profile", lrs_only(ok), headers=XAPI_VERSION,
          query=XAPI_ACTIVITY + ("&profileId=glossary" if method != "GET" else ""),
          body=xapi_document if method in ("PUT", "POST") else None, kind="document")
      for method, ok in (("GET", 200), ("PUT", 204), ("POST", 204), ("DELETE", 204))],
    *[Row(method, "/api/v1/xapi/agents/profile", lrs_only(ok), lrs_only(403), headers=XAPI_VERSION,
          query=XAPI_AGENT + ("&profileId=preferences" if method != "GET" else ""),
          body=xapi_document if method in ("PUT", "POST") else None, kind="document")
      for method, ok in (("GET", 200), ("PUT", 204), ("POST", 204), ("DELETE", 204))],
    # cmi5: the learner launches a cmi5 module of their own enrolment; the fetch URL and the AU packages are
    # public (the fetch key is the credential, once; an unknown key gets cmi5's error JSON with 200)
    Row("POST", "/api/v1/enrollments/{enrollment_id}/modules/{module_code}/launch", learner_only(201),
        learner_only(404), ids={"module_code": "cmi5_module_code"}),
    Row("POST", "/api/v1/enrollments/{enrollment_id}/modules/{module_code}/waive", admin_only(201),
        body=lambda w, s, r: {"reason": "Administrative"}, ids={"module_code": "cmi5_module_code"}),
    Row("POST", "/api/v1/cmi5/fetch/{key}", PUBLIC, ids={"key": "fetch_key"}),
    Row("GET", "/cmi5-content/{program_code}/cmi5/{path}", PUBLIC, ids={"path": "cmi5_path"}),
    Row("GET", "/cmi5-content/returned", PUBLIC),
    Row("GET", "/api/v1/placements/{placement_id}/ojt-logs", (401, 200, 200, 403, 200, 200),
        (401, 200, 404, 403, 404, 404)),
    Row("POST", "/api/v1/placements/{placement_id}/ojt-logs", learner_only(201), learner_only(404), body=ojt_log),
    Row("GET", "/api/v1/ojt-logs", (401, 200, 200, 403, 200, 200)),
    Row("GET", "/api/v1/ojt-logs/{log_id}", (401, 200, 200, 403, 200, 200), (401, 200, 404, 403, 404, 404)),
    Row("PATCH", "/api/v1/ojt-logs/{log_id}", learner_only(200), learner_only(404),
        body=lambda w, s, r: {"hours": 3}),
    Row("POST", "/api/v1/ojt-logs/{log_id}/review", (401, 200, 403, 403, 200, 403), (401, 200, 403, 403, 404, 403),
        body=lambda w, s, r: {"decision": "approved", "comment": "確認しました"}),
    # OJT sites, placements, matching
    Row("GET", "/api/v1/ojt-sites", PUBLIC),
    Row("POST", "/api/v1/ojt-sites", admin_only(201), body=site),
    Row("POST", "/api/v1/ojt-sites/import", admin_only(202), body=sites_csv, kind="csv"),
    Row("GET", "/api/v1/ojt-site-imports", admin_only(200)),
    Row("GET", "/api/v1/ojt-site-imports/{import_id}", admin_only(200)),
    Row("GET", "/api/v1/ojt-sites/{site_id}", PUBLIC),
    Row("PATCH", "/api/v1/ojt-sites/{site_id}", admin_only(200), body=lambda w, s, r: {"annual_capacity": 5}),
    Row("GET", "/api/v1/ojt-sites/{site_id}/supervisors", admin_only(200)),
    Row("GET", "/api/v1/placements", (401, 200, 200, 403, 200, 200)),
    Row("POST", "/api/v1/placements", (401, 201, 201, 403, 403, 403), (401, 201, 404, 403, 403, 403), body=placement),
    Row("GET", "/api/v1/placements/{placement_id}", (401, 200, 200, 403, 200, 200), (401, 200, 404, 403, 404, 404)),
    Row("POST", "/api/v1/placements/{placement_id}/cancel", (401, 200, 200, 403, 403, 403),
        (401, 200, 404, 403, 403, 403), body=lambda w, s, r: {"reason": "辞退"}),
    Row("GET", "/api/v1/matching-rounds", (401, 200, 200, 200, 200, 200)),
    Row("POST", "/api/v1/matching-rounds", admin_only(201), body=new_round),
    Row("GET", "/api/v1/matching-rounds/{round_id}", (401, 200, 200, 200, 200, 200)),
    Row("GET", "/api/v1/matching-rounds/{round_id}/preferences", (401, 200, 403, 403, 403, 200)),
    Row("PUT", "/api/v1/matching-rounds/{round_id}/preferences", (401, 200, 403, 403, 403, 200),
        (401, 200, 403, 403, 403, 404), body=preferences),
    # OJT sites are public, so refusing another site's ranking with 403 reveals nothing
    Row("GET", "/api/v1/matching-rounds/{round_id}/rankings/{site_id}", (401, 200, 403, 403, 200, 403),
        (401, 200, 403, 403, 403, 403)),
    Row("PUT", "/api/v1/matching-rounds/{round_id}/rankings/{site_id}", (401, 200, 403, 403, 200, 403),
        (401, 200, 403, 403, 403, 403), body=lambda w, s, r: {"enrollment_ids": []}),
    Row("POST", "/api/v1/matching-rounds/{round_id}/run", admin_only(200)),
    Row("GET", "/api/v1/matching-rounds/{round_id}/results", admin_only(409)),
    Row("GET", "/api/v1/matching-rounds/{round_id}/results/me", learner_only(409)),
    Row("POST", "/api/v1/matching-rounds/{round_id}/publish", admin_only(409)),
    # prefectural statistics: officials see every prefecture (others' small cells suppressed), never a person
    Row("GET", "/api/v1/stats/prefectures", (401, 200, 200, 200, 403, 403)),
    Row("GET", "/api/v1/stats/prefectures/{code}", (401, 200, 200, 200, 403, 403), ids={"code": "prefecture_code"}),
    Row("GET", "/api/v1/stats/blocks", (401, 200, 200, 200, 403, 403)),
    # scheduled reports
    Row("GET", "/api/v1/report-types", admin_only(200)),
    Row("GET", "/api/v1/report-schedules", admin_only(200)),
    Row("POST", "/api/v1/report-schedules", admin_only(201), body=schedule),
    Row("GET", "/api/v1/report-schedules/{schedule_id}", admin_only(200)),
    Row("PATCH", "/api/v1/report-schedules/{schedule_id}", admin_only(200),
        body=lambda w, s, r: {"cron": "30 8 * * *", "enabled": False}),
    Row("DELETE", "/api/v1/report-schedules/{schedule_id}", admin_only(204)),
    Row("POST", "/api/v1/report-schedules/{schedule_id}/run", admin_only(202)),
    Row("GET", "/api/v1/report-runs", admin_only(200)),
    Row("GET", "/api/v1/report-runs/{run_id}", admin_only(200)),
    Row("GET", "/api/v1/report-runs/{run_id}/artifacts/{fmt}", admin_only(200)),
    # certificates
    Row("POST", "/api/v1/enrollments/{enrollment_id}/certificate", admin_only(200),
        ids={"enrollment_id": "done_enrollment_id"}),
    Row("GET", "/api/v1/certificates", (401, 200, 403, 403, 403, 200)),
    Row("GET", "/api/v1/certificates/{certificate_id}", (401, 200, 403, 403, 403, 200),
        (401, 200, 403, 403, 403, 404)),
    Row("GET", "/api/v1/certificates/{certificate_id}/pdf", (401, 200, 403, 403, 403, 200),
        (401, 200, 403, 403, 403, 404)),
    Row("POST", "/api/v1/certificates/{certificate_id}/revoke", admin_only(200),
        body=lambda w, s, r: {"reason": "誤発行"}),
    Row("POST", "/api/v1/certificates/{certificate_id}/reissue", admin_only(201)),
    Row("POST", "/api/v1/certificate-batches", admin_only(202),
        body=lambda w, s, r: {"program_code": "OJT-2026", "fiscal_year": _year()}),
    Row("GET", "/api/v1/certificate-batches/{batch_id}", admin_only(200)),
    Row("GET", "/api/v1/certificate-batches/{batch_id}/zip", admin_only(200)),
    Row("GET", "/verify/{code}", PUBLIC, ids={"code": "verification_code"}),
    Row("POST", "/verify", PUBLIC, body=verify_upload, kind="multipart"),
    # prefectural indicators: the prefecture's own official and the admin; another prefecture's is 404
    Row("GET", "/api/v1/prefectures/{code}/indicators", OWN_PREFECTURE(200), OTHER_PREFECTURE(200),
        ids={"code": "prefecture_code"}),
    Row("POST", "/api/v1/prefectures/{code}/indicators", OWN_PREFECTURE(201), OTHER_PREFECTURE(201),
        body=indicator, ids={"code": "prefecture_code"}),
    Row("GET", "/api/v1/prefectures/{code}/indicators/{indicator_id}", OWN_PREFECTURE(200), OTHER_PREFECTURE(200),
        ids={"code": "prefecture_code"}),
    Row("PATCH", "/api/v1/prefectures/{code}/indicators/{indicator_id}", OWN_PREFECTURE(200),
        OTHER_PREFECTURE(200), body=lambda w, s, r: {"target_value": 50}, ids={"code": "prefecture_code"}),
    Row("DELETE", "/api/v1/prefectures/{code}/indicators/{indicator_id}", OWN_PREFECTURE(204),
        OTHER_PREFECTURE(204), ids={"code": "prefecture_code"}),
    # prefectures' public pages (周知): no login, never a person
    Row("GET", "/public/prefectures", PUBLIC),
    Row("GET", "/public/prefectures/{code}", PUBLIC, ids={"code": "prefecture_code"}),
    Row("GET", "/public/prefectures/{code}/pamphlet.pdf", PUBLIC, ids={"code": "prefecture_code"}),
    Row("GET", "/public/prefectures/{code}/ojt-sites.csv", PUBLIC, ids={"code": "prefecture_code"}),
]

BY_KEY = {row.key: row for row in ROWS}
assert len(BY_KEY) == len(ROWS), "an endpoint is listed twice"


def send(client, world: World, row: Row, role: str, side: str, *, body=None, extra: dict | None = None):
    """Make the row's request as `role` about the `side` object; `extra` fields join a JSON body."""
    headers = {**world.headers(role), **row.headers}
    if body is None and row.body is not None:
        body = row.body(world, side, role)
    if extra:
        body = {**(body or {}), **extra}
    kwargs: dict = {"headers": headers}
    if row.kind == "multipart" and body is not None:
        kwargs.update(data=body, content_type="multipart/form-data")
    elif row.kind == "csv" and body is not None:
        kwargs.update(data=body, content_type="text/csv")
    elif body is not None:
        kwargs["json"] = body
    return client.open(row.url(world, side), method=row.method, **kwargs)
