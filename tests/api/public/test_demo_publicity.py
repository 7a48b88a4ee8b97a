"""Demo data shows the guideline's three roles: counts, host institutions, and publicity with indicators."""

from tests.conftest import bearer


def test_demo_data_has_indicators_and_public_pages_worth_looking_at(app, client):
    result = app.test_cli_runner().invoke(args=["lms", "demo-data", "--learners", "40"])
    assert result.exit_code == 0, result.output
    login = client.post("/api/v1/auth/token", json={"email": "official-hiroshima@demo.example.jp",
                                                    "password": "demo-pass-2026"}).get_json()
    indicators = client.get("/api/v1/prefectures/34/indicators", headers=bearer(login["access_token"]))
    assert indicators.status_code == 200 and len(indicators.get_json()) == 3
    for code in ("34", "13"):
        page = client.get(f"/public/prefectures/{code}", headers={"Accept": "application/json"}).get_json()
        assert page["indicators"] and page["ojt_sites"] and page["programs"]
    hiroshima = client.get("/public/prefectures/34", headers={"Accept": "application/json"}).get_json()
    assert hiroshima["ojt_sites"][0]["shortage_area"] is True
    assert client.get("/api/v1/stats/prefectures/34", headers=bearer(login["access_token"])).status_code == 200
