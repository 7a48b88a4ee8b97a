"""A learner's view of matching results names no other learner, not even by id."""

from datetime import timedelta

from lms.dates import utcnow
from tests.api.ojt.test_matching_rounds import prefer, run
from tests.conftest import bearer


def test_learner_sees_why_but_not_whom_they_lost_to(client, admin_token, open_round, make_site,
                                                    make_active_enrollment, app):
    from lms.enrollments.models import Enrollment
    from lms.extensions import db

    round_id = open_round()
    site_id = make_site(annual_capacity=1)
    winner, winner_token = make_active_enrollment("13", applied_at=utcnow() - timedelta(days=3))
    loser, loser_token = make_active_enrollment("13")
    prefer(client, winner_token, round_id, winner, [site_id])
    prefer(client, loser_token, round_id, loser, [site_id])
    run(client, admin_token, round_id)
    client.post(f"/api/v1/matching-rounds/{round_id}/publish", headers=bearer(admin_token))
    with app.app_context():
        winner_learner = db.session.get(Enrollment, winner).learner_id
    mine = client.get(f"/api/v1/matching-rounds/{round_id}/results/me", headers=bearer(loser_token))
    assert mine.status_code == 200
    assert mine.get_json()[0]["explanation"] == [{"site_id": site_id, "reason": "site_full", "ranked_above": 1}]
    # nothing the loser can read names the winner
    learner_urls = [f"/api/v1/matching-rounds/{round_id}/results/me", f"/api/v1/matching-rounds/{round_id}",
                    f"/api/v1/matching-rounds/{round_id}/preferences", "/api/v1/matching-rounds",
                    "/api/v1/enrollments", "/api/v1/placements", "/api/v1/learners/me/export",
                    "/api/v1/certificates"]
    for url in learner_urls:
        response = client.get(url, headers=bearer(loser_token))
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert winner not in text and winner_learner not in text, url
    # the admin still sees whom each learner lost to
    results = client.get(f"/api/v1/matching-rounds/{round_id}/results", headers=bearer(admin_token)).get_json()
    [entry] = [a for a in results["assignments"] if a["enrollment_id"] == loser]
    assert entry["explanation"][0]["lost_to"] == [winner]
