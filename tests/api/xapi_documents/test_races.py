"""Concurrent writers of one document (Communication 2.2.s7 merge, 3.1 concurrency), on a real threaded
server: no lost update, exactly one creator."""

from tests.api.xapi_documents.conftest import activity_profile_url, state_url
from tests.race import Sent, statuses

N = 20


def test_concurrent_post_merges_lose_no_update_2_2_s7(live_server, learner):
    """20 POSTs at once, each merging its own property into one state document: the result holds all 20, none
    of the merges is lost, and every POST is 204."""
    path = state_url(learner, stateId="suspend_data")
    answers = live_server.race([Sent("POST", path, json={f"k{i}": i}, headers=learner.headers) for i in range(N)])
    assert statuses(answers) == [204] * N
    stored = live_server.send(Sent("GET", path, headers=learner.headers))
    assert stored.status == 200
    assert stored.json() == {f"k{i}": i for i in range(N)}


def test_concurrent_merges_into_an_existing_document(live_server, learner):
    """The same with the document already there: every merge reads what the previous one wrote."""
    path = state_url(learner, stateId="existing")
    assert live_server.send(Sent("PUT", path, json={"start": True}, headers=learner.headers)).status == 204
    answers = live_server.race([Sent("POST", path, json={f"k{i}": i}, headers=learner.headers) for i in range(N)])
    assert statuses(answers) == [204] * N
    assert live_server.send(Sent("GET", path, headers=learner.headers)).json() == \
        {"start": True, **{f"k{i}": i for i in range(N)}}


def test_concurrent_creates_with_if_none_match_star_one_wins_3_1_s4_b6(live_server, learner):
    """3.1.s4.b6, b9: 20 PUTs with If-None-Match: * to one new document: exactly one is 204, the others 412,
    and the stored document is the winner's."""
    path = activity_profile_url(profileId="settings")
    answers = live_server.race([Sent("PUT", path, json={"writer": i},
                                     headers={**learner.headers, "If-None-Match": "*"}) for i in range(N)])
    assert statuses(answers) == [204] + [412] * (N - 1)
    winner = next(i for i, answer in enumerate(answers) if answer.status == 204)
    assert live_server.send(Sent("GET", path, headers=learner.headers)).json() == {"writer": winner}


def test_concurrent_puts_with_one_etag_one_wins_3_1_s4_b5(live_server, learner):
    """3.1.s4.b5, b9: 20 PUTs with the same If-Match ETag: the first to write wins, the others see a changed
    document and get 412."""
    path = state_url(learner, stateId="bookmark")
    live_server.send(Sent("PUT", path, json={"page": 0}, headers=learner.headers))
    etag = live_server.send(Sent("GET", path, headers=learner.headers)).headers["etag"]
    answers = live_server.race([Sent("PUT", path, json={"page": i + 1}, headers={**learner.headers, "If-Match": etag})
                                for i in range(N)])
    assert statuses(answers) == [204] + [412] * (N - 1)
