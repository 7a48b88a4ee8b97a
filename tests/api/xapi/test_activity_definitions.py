"""The Activities resource learns definitions from the statements the LRS stores (Communication 2.5)."""

from urllib.parse import quote

from tests.api.xapi.conftest import ACTIVITY, PATH, make_statement


def test_2_5_an_activity_defined_in_a_stored_statement_is_returned_with_its_definition(client, make_client,
                                                                                       learner_enrollment):
    learner_id, _, _ = learner_enrollment()
    headers = make_client(["all"])
    statement = make_statement(learner_id, module="GF02")
    definition = {"name": {"ja-JP": "総合診療の基礎", "en-US": "Foundations of general practice"},
                  "type": "http://adlnet.gov/expapi/activities/module"}
    statement["object"]["definition"] = definition
    assert client.post(PATH, json=statement, headers=headers).status_code == 200

    response = client.get(f"/api/v1/xapi/activities?activityId={quote(ACTIVITY + 'GF02', safe='')}",
                          headers=headers)

    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Activity", "id": ACTIVITY + "GF02", "definition": definition}
