"""The JSON API for tournaments and participants, including all-or-nothing lists."""
import pytest
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import Adjudicator, Room, Team
from tests.conftest import team_payload


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_tournament_returns_leagues_and_default_settings(api, tournament):
    assert [lg["language"] for lg in tournament["leagues"]] == ["kk", "ru", "en"]
    assert tournament["settings"]["speaker_score_min"] == 15
    assert tournament["settings"]["break_size"] == 8
    assert tournament["settings"]["region_conflict"] is True  # republican-stage default
    again = api.get(f"/tournaments/{tournament['id']}").get_json()
    assert again == tournament


def test_tournament_list_is_newest_first(api, tournament):
    second = api.post("/tournaments", {"name": "Later cup", "stage": "district"}).get_json()
    names = [t["name"] for t in api.get("/tournaments").get_json()]
    assert names == ["Later cup", "Test cup"]
    assert second["stage"] == "district"
    assert second["settings"]["region_conflict"] is False


def test_tournament_validation(api):
    r = api.post("/tournaments", {"name": "", "stage": "galactic", "settings": {"panel_size": 2}})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert set(fields) >= {"name", "stage", "settings.panel_size"}


def test_team_needs_exactly_two_speakers(app, api, tournament):
    lid = tournament["leagues"][0]["id"]
    for speakers in (("Әлия",), ("A", "B", "C")):
        r = api.post(f"/tournaments/{tournament['id']}/teams", team_payload(lid, "X", speakers=speakers))
        assert r.status_code == 422
        assert "speakers" in r.get_json()["error"]["fields"]
    assert _count(app, Team) == 0
    r = api.post(f"/tournaments/{tournament['id']}/teams", team_payload(lid, "Астана-1"))
    assert r.status_code == 201
    body = r.get_json()
    assert [s["name"] for s in body["speakers"]] == ["Әлия", "Дәулет"]  # Kazakh text unchanged


def test_team_names_unique_within_tournament_only(api, tournament):
    lid = tournament["leagues"][0]["id"]
    assert api.post(f"/tournaments/{tournament['id']}/teams", team_payload(lid, "Тұлпар")).status_code == 201
    r = api.post(f"/tournaments/{tournament['id']}/teams", team_payload(lid, "  тұлпар "))
    assert r.status_code == 422
    other = api.post("/tournaments", {"name": "Other"}).get_json()
    r = api.post(f"/tournaments/{other['id']}/teams", team_payload(other["leagues"][0]["id"], "Тұлпар"))
    assert r.status_code == 201


def test_team_list_is_all_or_nothing(app, api, tournament):
    lid = tournament["leagues"][0]["id"]
    good = [team_payload(lid, f"T{i}") for i in range(3)]
    bad = team_payload(lid, "Bad", region="atlantis")
    r = api.post(f"/tournaments/{tournament['id']}/teams", good + [bad])
    assert r.status_code == 422
    assert "3.school.region" in r.get_json()["error"]["fields"]
    assert _count(app, Team) == 0
    r = api.post(f"/tournaments/{tournament['id']}/teams", good)
    assert r.status_code == 201
    assert [t["name"] for t in r.get_json()] == ["T0", "T1", "T2"]
    assert len(api.get(f"/tournaments/{tournament['id']}/teams").get_json()) == 3


def test_duplicate_names_inside_one_list_rejected(app, api, tournament):
    lid = tournament["leagues"][0]["id"]
    r = api.post(f"/tournaments/{tournament['id']}/teams", [team_payload(lid, "Same"), team_payload(lid, "same")])
    assert r.status_code == 422
    assert _count(app, Team) == 0


def test_adjudicator_languages_and_private_key(app, api, tournament):
    tid = tournament["id"]
    for langs in ([], ["de"], None):
        r = api.post(f"/tournaments/{tid}/adjudicators", {"name": "A", "languages": langs})
        assert r.status_code == 422 and "languages" in r.get_json()["error"]["fields"]
    r = api.post(f"/tournaments/{tid}/adjudicators",
                 {"name": "Гүлнар", "region": "astana", "languages": ["kk", "ru"], "rating": 7.5,
                  "conflicts": {"schools": ["№5 мектеп-гимназия"]}})
    assert r.status_code == 201
    body = r.get_json()
    assert len(body["private_key"]) >= 22  # at least 128 bits of randomness, URL-safe
    assert body["private_url"].endswith("/j/" + body["private_key"])
    listed = api.get(f"/tournaments/{tid}/adjudicators").get_json()
    assert listed[0]["languages"] == ["kk", "ru"]
    assert listed[0]["conflicts"]["schools"] == ["№5 мектеп-гимназия"]


def test_adjudicator_conflict_with_unknown_team_rejected(app, api, tournament):
    r = api.post(f"/tournaments/{tournament['id']}/adjudicators",
                 [{"name": "A", "languages": ["en"]}, {"name": "B", "languages": ["en"], "conflicts": {"team_ids": [999]}}])
    assert r.status_code == 422
    assert "1.conflicts.team_ids" in r.get_json()["error"]["fields"]
    assert _count(app, Adjudicator) == 0


def test_rooms_single_and_list(app, api, tournament):
    tid = tournament["id"]
    assert api.post(f"/tournaments/{tid}/rooms", {"name": "201"}).get_json()["name"] == "201"
    r = api.post(f"/tournaments/{tid}/rooms", [{"name": "202"}, {"name": "201"}])
    assert r.status_code == 422 and _count(app, Room) == 1
    r = api.post(f"/tournaments/{tid}/rooms", [{"name": "202"}, {"name": "203", "accessible": True}])
    assert r.status_code == 201 and len(r.get_json()) == 2
    assert [x["name"] for x in api.get(f"/tournaments/{tid}/rooms").get_json()] == ["201", "202", "203"]


def test_bad_json_is_a_clear_400_not_500(client, api, tournament):
    r = client.post(f"/api/v1/tournaments/{tournament['id']}/teams", data="{not json", headers={
        **api.headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_json"
    r = api.post(f"/tournaments/{tournament['id']}/teams", [1, "x", None])
    assert r.status_code == 422


def test_regions_and_health(client):
    regions = client.get("/api/v1/regions").get_json()
    assert len(regions) == 20
    by_code = {r["code"]: r for r in regions}
    assert by_code["karaganda"]["names"] == {"kk": "Қарағанды облысы", "ru": "Карагандинская область",
                                             "en": "Karaganda Region"}
    assert {"astana", "almaty", "shymkent"} <= set(by_code)
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}
    assert client.get("/api/v1/healthz").status_code == 200


def test_api_errors_in_the_callers_language(api, tournament):
    r = api.post(f"/tournaments/{tournament['id']}/teams", {"name": ""}, headers={
        **api.headers, "Accept-Language": "ru"})
    assert r.status_code == 422
    assert "ничего не сохранено" in r.get_json()["error"]["message"].lower()


def test_huge_numbers_are_a_clear_error(api, tournament):
    r = api.post(f"/tournaments/{tournament['id']}/rooms", {"name": "X", "priority": 10**30})
    assert r.status_code == 422
    r = api.post(f"/tournaments/{tournament['id']}/rooms", {"name": "X", "priority": 5000})
    assert r.status_code == 422 and "priority" in r.get_json()["error"]["fields"]
    lid = tournament["leagues"][0]["id"]
    body = team_payload(lid, "Grade")
    body["speakers"][0]["grade"] = 99
    r = api.post(f"/tournaments/{tournament['id']}/teams", body)
    assert r.status_code == 422 and "speakers.0.grade" in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_tournament_body_that_is_not_an_object_is_refused_in_the_callers_language(api, tournament, method):
    path = "/tournaments" if method == "post" else f"/tournaments/{tournament['id']}"
    r = getattr(api, method)(path, ["not", "an", "object"], headers={"Accept-Language": "kk"})
    assert r.status_code == 422
    assert "ештеңе сақталған жоқ" in r.get_json()["error"]["message"].lower()
