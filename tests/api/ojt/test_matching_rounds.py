"""Matching rounds end to end: preferences, rankings, default priority, runs, explanations, publishing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.dates import utcnow
from lms.extensions import db
from tests.conftest import bearer

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def open_round(client, admin_token):
    """Factory: open_round(mechanism="deferred_acceptance", regions=()) -> round id."""

    def _open(mechanism: str = "deferred_acceptance", regions=(), fiscal_year: int = 2026) -> str:
        response = client.post("/api/v1/matching-rounds", headers=bearer(admin_token), json={
            "name": f"{fiscal_year}年度 OJTマッチング", "fiscal_year": fiscal_year, "mechanism": mechanism,
            "regions": list(regions)})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return _open


def prefer(client, token, round_id, enrollment_id, site_ids):
    return client.put(f"/api/v1/matching-rounds/{round_id}/preferences", headers=bearer(token),
                      json={"enrollment_id": enrollment_id, "site_ids": site_ids})


def rank(client, token, round_id, site_id, enrollment_ids):
    return client.put(f"/api/v1/matching-rounds/{round_id}/rankings/{site_id}", headers=bearer(token),
                      json={"enrollment_ids": enrollment_ids})


def run(client, token, round_id):
    response = client.post(f"/api/v1/matching-rounds/{round_id}/run", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def by_enrollment(result):
    return {a["enrollment_id"]: a for a in result["assignments"]}


def test_round_is_created_with_defaults(client, admin_token, open_round, make_user):
    round_id = open_round(regions=[{"name": "北海道", "prefecture_codes": ["01"], "cap": 2}])
    learner = make_user("learner")[1]
    body = client.get(f"/api/v1/matching-rounds/{round_id}", headers=bearer(learner)).get_json()
    assert body["status"] == "open" and body["placement_start_date"] == "2026-04-01"
    assert body["placement_end_date"] == "2027-03-31" and body["regions"][0]["cap"] == 2
    assert client.post("/api/v1/matching-rounds", json={"name": "x", "fiscal_year": 2026,
                       "mechanism": "deferred_acceptance"}, headers=bearer(learner)).status_code == 403


@pytest.mark.parametrize("regions", [
    [{"name": "A", "prefecture_codes": ["01"], "cap": 1}, {"name": "B", "prefecture_codes": ["01"], "cap": 1}],
    [{"name": "A", "prefecture_codes": ["01"], "cap": 1}, {"name": "A", "prefecture_codes": ["02"], "cap": 1}],
    [{"name": "A", "prefecture_codes": ["99"], "cap": 1}],
    [{"name": "A", "prefecture_codes": ["01", "01"], "cap": 1}],
    [{"name": "A", "prefecture_codes": ["01"], "cap": -1}],
])
def test_bad_regions_are_422(client, admin_token, regions):
    response = client.post("/api/v1/matching-rounds", headers=bearer(admin_token), json={
        "name": "x", "fiscal_year": 2026, "mechanism": "flexible_deferred_acceptance", "regions": regions})
    assert response.status_code == 422


def test_preferences_are_the_learners_own_ranked_and_bounded(client, open_round, make_site,
                                                             make_active_enrollment):
    round_id = open_round()
    sites = [make_site() for _ in range(3)]
    mine, token = make_active_enrollment()
    other, _ = make_active_enrollment()
    response = prefer(client, token, round_id, mine, sites)
    assert response.status_code == 200 and response.get_json()["site_ids"] == sites
    assert prefer(client, token, round_id, other, sites).status_code == 404
    assert prefer(client, token, round_id, mine, [sites[0], sites[0]]).status_code == 422
    assert prefer(client, token, round_id, mine, []).status_code == 422
    assert prefer(client, token, round_id, mine, [NOBODY]).status_code == 422
    assert prefer(client, token, round_id, mine, sites * 7).status_code == 422  # 21 entries, repeated
    listed = client.get(f"/api/v1/matching-rounds/{round_id}/preferences", headers=bearer(token)).get_json()
    assert [p["enrollment_id"] for p in listed] == [mine]


def test_preferences_need_an_active_unplaced_enrollment(client, open_round, make_site, make_active_enrollment,
                                                        place):
    round_id = open_round()
    site_id = make_site()
    applied, token = make_active_enrollment(status="applied")
    assert prefer(client, token, round_id, applied, [site_id]).status_code == 409
    placed, token = make_active_enrollment()
    assert place(placed, make_site()).status_code == 201
    assert prefer(client, token, round_id, placed, [site_id]).status_code == 409


def test_rankings_are_for_the_sites_supervisors_and_their_applicants(client, open_round, make_site,
                                                                     make_active_enrollment, supervisor_token):
    round_id = open_round()
    site_id, other_site = make_site(), make_site()
    applicant, token = make_active_enrollment()
    stranger, _ = make_active_enrollment()
    prefer(client, token, round_id, applicant, [site_id])
    supervisor = supervisor_token(site_id)
    assert rank(client, supervisor, round_id, site_id, [applicant]).status_code == 200
    assert rank(client, supervisor, round_id, site_id, [applicant, stranger]).status_code == 422
    assert rank(client, supervisor, round_id, site_id, [applicant, applicant]).status_code == 422
    assert rank(client, supervisor, round_id, other_site, []).status_code == 403
    assert rank(client, token, round_id, site_id, [applicant]).status_code == 403
    view = client.get(f"/api/v1/matching-rounds/{round_id}/rankings/{site_id}", headers=bearer(supervisor))
    assert view.get_json()["submitted"] is True and view.get_json()["applicants"][0]["choice_rank"] == 1
    assert [a["enrollment_id"] for a in view.get_json()["applicants"]] == [applicant]


def test_supervisor_scope_covers_applicants_to_their_sites(app, client, open_round, make_site,
                                                           make_active_enrollment, make_user):
    from lms.auth.permissions import Actor
    from lms.ojt.placements import supervised_enrollments

    round_id = open_round()
    site_id, other_site = make_site(), make_site()
    applicant, token = make_active_enrollment()
    elsewhere, other_token = make_active_enrollment()
    prefer(client, token, round_id, applicant, [site_id])
    prefer(client, other_token, round_id, elsewhere, [other_site])
    user_id, supervisor = make_user("supervisor", site_ids=[site_id])
    with app.app_context():
        actor = Actor(user_id, "supervisor", site_ids=frozenset({site_id}))
        assert set(db.session.scalars(supervised_enrollments(actor))) == {applicant}
    # through the API too, although the progress domain registers a scope of its own (placed learners)
    assert client.get(f"/api/v1/enrollments/{applicant}", headers=bearer(supervisor)).status_code == 200
    assert client.get(f"/api/v1/enrollments/{elsewhere}", headers=bearer(supervisor)).status_code == 404
    listed = client.get("/api/v1/enrollments", headers=bearer(supervisor)).get_json()
    assert [e["id"] for e in listed] == [applicant]


def test_default_priority_same_prefecture_then_earlier_application(client, admin_token, open_round, make_site,
                                                                   make_active_enrollment):
    round_id = open_round()
    hokkaido = make_site("01", annual_capacity=1)
    early = utcnow() - timedelta(days=30)
    outsider, t1 = make_active_enrollment("13", applied_at=early)
    local_late, t2 = make_active_enrollment("01", applied_at=early + timedelta(days=2))
    local_early, t3 = make_active_enrollment("01", applied_at=early + timedelta(days=1))
    for enrollment_id, token in ((outsider, t1), (local_late, t2), (local_early, t3)):
        assert prefer(client, token, round_id, enrollment_id, [hokkaido]).status_code == 200
    view = client.get(f"/api/v1/matching-rounds/{round_id}/rankings/{hokkaido}", headers=bearer(admin_token))
    assert view.get_json()["submitted"] is False
    assert view.get_json()["enrollment_ids"] == [local_early, local_late, outsider]
    result = run(client, admin_token, round_id)
    assignments = by_enrollment(result)
    assert assignments[local_early]["site_id"] == hokkaido
    assert assignments[outsider]["outcome"] == "unmatched"
    assert assignments[outsider]["explanation"] == [
        {"site_id": hokkaido, "reason": "site_full", "lost_to": [local_early]}]


def _scenario(client, open_round, make_site, make_active_enrollment, mechanism, regions=()):
    """Two Hokkaido sites (a shortage-area one) and a Tokyo site; five learners who mostly want Tokyo."""
    round_id = open_round(mechanism, regions)
    tokyo = make_site("13", annual_capacity=2)
    kitami = make_site("01", annual_capacity=2, shortage_area=True)
    sapporo = make_site("01", annual_capacity=2)
    learners = [make_active_enrollment("13" if i < 3 else "01") for i in range(5)]
    lists = [[tokyo, kitami], [tokyo, sapporo], [tokyo, kitami, sapporo], [kitami, tokyo], [sapporo, kitami]]
    for (enrollment_id, token), sites in zip(learners, lists, strict=True):
        assert prefer(client, token, round_id, enrollment_id, sites).status_code == 200
    return round_id, (tokyo, kitami, sapporo), [e for e, _ in learners]


def test_deferred_acceptance_run_counts_explains_and_is_deterministic(client, admin_token, open_round, make_site,
                                                                       make_active_enrollment, app):
    round_id, (tokyo, kitami, sapporo), learners = _scenario(client, open_round, make_site,
                                                             make_active_enrollment, "deferred_acceptance")
    rank(client, admin_token, round_id, tokyo, [learners[2], learners[0], learners[1]])
    result = run(client, admin_token, round_id)
    assert (result["matched"], result["unmatched"], result["blocking_pairs"]) == (5, 0, 0)
    assignments = by_enrollment(result)
    # Tokyo's ranking decides between the three who want it; Hokkaido sites use the default priority
    assert {e: assignments[e]["site_id"] for e in learners} == {
        learners[0]: tokyo, learners[1]: sapporo, learners[2]: tokyo, learners[3]: kitami, learners[4]: sapporo}
    loser = assignments[learners[1]]
    assert loser["choice_rank"] == 2
    assert loser["explanation"] == [{"site_id": tokyo, "reason": "site_full", "lost_to": [learners[2], learners[0]]}]
    assert result["shortage_area_placements"] == 1
    sites = {s["site_id"]: s for s in result["sites"]}
    assert sites[tokyo]["matched"] == 2 and sites[tokyo]["applicants"] == 4
    again = run(client, admin_token, round_id)
    assert {k: v for k, v in again.items() if k != "run_at"} == {k: v for k, v in result.items() if k != "run_at"}
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "matching_round.run"))


@pytest.mark.parametrize("mechanism", ["deferred_acceptance", "flexible_deferred_acceptance"])
def test_regional_caps_are_respected(client, admin_token, open_round, make_site, make_active_enrollment,
                                     mechanism):
    regions = [{"name": "北海道", "prefecture_codes": ["01"], "cap": 1}]
    round_id, (tokyo, kitami, sapporo), learners = _scenario(client, open_round, make_site,
                                                             make_active_enrollment, mechanism, regions)
    result = run(client, admin_token, round_id)
    region = result["regions"][0]
    assert region["name"] == "北海道" and region["cap"] == 1 and region["matched"] <= 1
    assert region["capacity"] == 4
    counts = {s["site_id"]: s["matched"] for s in result["sites"]}
    assert counts[kitami] + counts[sapporo] <= 1 and counts[tokyo] == 2
    unmatched = [a for a in result["assignments"] if a["outcome"] == "unmatched"]
    assert all(a["explanation"] for a in unmatched)
    # targets are capacities scaled to the cap, floored: 2 * 1 / 4 = 0 per site
    assert region["target"] == 0
    if mechanism == "deferred_acceptance":
        # capacity cutting: Hokkaido's sites take nobody, so the region stays below its cap
        assert (result["matched"], result["unmatched"], region["matched"]) == (2, 3, 0)
        assert result["blocking_pairs"] > 0  # the cost of cutting, measured against the sites' capacities
    else:
        # the flexible mechanism fills the region up to its cap, the shortage-area site first
        assert (result["matched"], result["unmatched"], counts[kitami]) == (3, 2, 1)
        assert result["shortage_area_placements"] == 1
        reasons = {loss["reason"] for a in unmatched for loss in a["explanation"]}
        assert "region_full" in reasons


def test_publish_creates_placements_once_and_freezes_the_round(client, admin_token, open_round, make_site,
                                                               make_active_enrollment, app):
    round_id, (tokyo, _, _), learners = _scenario(client, open_round, make_site, make_active_enrollment,
                                                  "flexible_deferred_acceptance",
                                                  [{"name": "北海道", "prefecture_codes": ["01"], "cap": 2}])
    assert client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token)).status_code == 409
    result = run(client, admin_token, round_id)
    first = client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token)).get_json()
    assert first["status"] == "published" and first["placements_created"] == result["matched"] == 4
    second = client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token)).get_json()
    assert second["placements_created"] == 0 and second["placements"] == 4
    placements = client.get(f"/api/v1/placements?matching_round_id={round_id}", headers=bearer(admin_token))
    assert len(placements.get_json()) == 4
    assert {p["start_date"] for p in placements.get_json()} == {"2026-04-01"}
    assert prefer(client, admin_token, round_id, learners[0], [tokyo]).status_code == 409
    assert rank(client, admin_token, round_id, tokyo, []).status_code == 409
    assert client.post(f"/api/v1/matching-rounds/{round_id}/run", headers=bearer(admin_token)).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "matching_round.publish"))


def test_learners_see_only_their_own_published_result(client, admin_token, open_round, make_site,
                                                      make_active_enrollment):
    round_id = open_round()
    site_id = make_site(annual_capacity=1)
    winner, winner_token = make_active_enrollment("13", applied_at=utcnow() - timedelta(days=3))
    loser, loser_token = make_active_enrollment("13")
    prefer(client, winner_token, round_id, winner, [site_id])
    prefer(client, loser_token, round_id, loser, [site_id])
    run(client, admin_token, round_id)
    url = f"/api/v1/matching-rounds/{round_id}/results/me"
    assert client.get(url, headers=bearer(loser_token)).status_code == 409
    assert client.get(f"/api/v1/matching-rounds/{round_id}/results", headers=bearer(loser_token)).status_code == 403
    client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token))
    mine = client.get(url, headers=bearer(loser_token)).get_json()
    assert [e["enrollment_id"] for e in mine] == [loser]
    assert mine[0]["outcome"] == "unmatched"
    assert mine[0]["explanation"] == [{"site_id": site_id, "reason": "site_full", "ranked_above": 1}]
    assert client.get(url, headers=bearer(winner_token)).get_json()[0]["placement_id"]
    export = client.get("/api/v1/learners/me/export", headers=bearer(loser_token)).get_json()["records"]
    assert export["matching_preferences"][0]["result"]["outcome"] == "unmatched"


def test_changed_inputs_make_the_run_stale_and_remaining_capacity_counts(client, admin_token, open_round,
                                                                         make_site, make_active_enrollment, place):
    round_id = open_round()
    site_id = make_site(annual_capacity=2)
    a, ta = make_active_enrollment()
    b, tb = make_active_enrollment()
    prefer(client, ta, round_id, a, [site_id])
    run(client, admin_token, round_id)
    assert client.get(f"/api/v1/matching-rounds/{round_id}", headers=bearer(admin_token)).get_json()["status"] == "matched"
    prefer(client, tb, round_id, b, [site_id])
    assert client.get(f"/api/v1/matching-rounds/{round_id}/results", headers=bearer(admin_token)).status_code == 409
    assert client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token)).status_code == 409
    # a placement made outside the round takes one of the two seats
    outside, _ = make_active_enrollment()
    assert place(outside, site_id).status_code == 201
    result = run(client, admin_token, round_id)
    assert result["sites"][0]["capacity"] == 1 and result["matched"] == 1
    # the site fills further before publishing: publishing refuses instead of overfilling
    late, _ = make_active_enrollment()
    assert place(late, site_id).status_code == 201
    assert client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token)).status_code == 409


def test_withdrawn_enrollments_are_excluded_from_the_run(client, admin_token, open_round, make_site,
                                                         make_active_enrollment):
    round_id = open_round()
    site_id = make_site()
    enrollment_id, token = make_active_enrollment()
    prefer(client, token, round_id, enrollment_id, [site_id])
    client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "withdrawn"}, headers=bearer(token))
    result = run(client, admin_token, round_id)
    assert result["excluded"] == 1 and result["matched"] == 0
    assert by_enrollment(result)[enrollment_id]["excluded_reason"] == "enrollment_not_active"


def test_unknown_round_is_404(client, admin_token, make_site):
    assert client.post(f"/api/v1/matching-rounds/{NOBODY}/run", headers=bearer(admin_token)).status_code == 404
    assert rank(client, admin_token, NOBODY, make_site(), []).status_code == 404


def test_a_rounds_placement_period_lies_in_its_fiscal_year(client, admin_token):
    base = {"name": "後期", "fiscal_year": 2026, "mechanism": "deferred_acceptance"}
    late = client.post("/api/v1/matching-rounds", headers=bearer(admin_token),
                       json={**base, "placement_start_date": "2027-04-01"})
    assert late.status_code == 422 and "placement_start_date" in late.get_json()["errors"]["json"]
    backwards = client.post("/api/v1/matching-rounds", headers=bearer(admin_token),
                            json={**base, "placement_start_date": "2026-10-01", "placement_end_date": "2026-09-30"})
    assert backwards.status_code == 422
    second_half = client.post("/api/v1/matching-rounds", headers=bearer(admin_token),
                              json={**base, "placement_start_date": "2026-10-01"})
    assert second_half.status_code == 201
    assert (second_half.get_json()["placement_start_date"], second_half.get_json()["placement_end_date"]) == (
        "2026-10-01", "2027-03-31")
