"""Issue 17 items 10 and 12: booleans are JSON booleans everywhere in the API (a string never
publishes anything), and bad input is a 4xx in the user's language, never a 500."""
import pytest

from debate.core.extensions import db
from debate.models import Round, Team, Tournament, TournamentMember
from tests.conftest import csrf_token
from tests.flow import setup_tournament

NOT_BOOLS = ["no", 0, 1, [True]]


@pytest.fixture
def drawn(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=4, rooms=2, settings={"panel_size": 1},
                               leagues=("kk",))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{rnd['id']}/draw").status_code == 201
    return t, keys, rnd


def _round(app, rid):
    with app.app_context():
        r = db.session.get(Round, rid)
        return r.draw_released, r.motion_released, r.results_released, r.silent


# ----- item 10: booleans -----

@pytest.mark.parametrize("value", NOT_BOOLS)
@pytest.mark.parametrize("field", ["draw", "motion", "results", "silent"])
def test_release_with_a_non_boolean_is_422_and_changes_nothing(app, api, drawn, field, value):
    _t, _k, rnd = drawn
    before = _round(app, rnd["id"])
    body = {field: value} if field == "draw" else {field: value, "draw": True}
    r = api.post(f"/rounds/{rnd['id']}/release", body)
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "validation_failed" and field in err["fields"]
    assert _round(app, rnd["id"]) == before


def test_release_with_booleans_still_works(app, api, drawn):
    _t, _k, rnd = drawn
    r = api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "silent": True})
    assert r.status_code == 200 and r.get_json()["released"] is True and r.get_json()["silent"] is True
    assert api.post(f"/rounds/{rnd['id']}/release", {"draw": None}).status_code == 200


def test_tab_release_with_a_string_is_422(app, api, drawn):
    t, _k, _r = drawn
    r = api.post(f"/tournaments/{t['id']}/release", {"team_standings": "no"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(Tournament, t["id"]).team_standings_released is False


@pytest.mark.parametrize("path,body,field", [
    ("teams", {"name": "T", "school": {"name": "S", "rural": "yes"}, "speakers": ["a", "b"]}, "school.rural"),
    ("teams", {"name": "T", "needs_access": 1, "speakers": ["a", "b"]}, "needs_access"),
    ("adjudicators", {"name": "A", "languages": ["kk"], "needs_access": "no"}, "needs_access"),
    ("rooms", {"name": "R", "accessible": "no"}, "accessible"),
])
def test_participant_booleans_must_be_json_booleans(app, api, drawn, path, body, field):
    t, _k, _r = drawn
    if path == "teams":
        body["league_id"] = t["leagues"][0]["id"]
    r = api.post(f"/tournaments/{t['id']}/{path}", body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


def test_setting_booleans_must_be_json_booleans(api, drawn):
    t, _k, _r = drawn
    r = api.patch(f"/tournaments/{t['id']}", {"settings": {"hide_panels_public": "no"}})
    assert r.status_code == 422 and "settings.hide_panels_public" in r.get_json()["error"]["fields"]
    assert api.patch(f"/tournaments/{t['id']}", {"settings": {"hide_panels_public": True}}).status_code == 200


# ----- item 12: bad input is a 4xx -----

def _deep(n):
    return ("[" * n + "]" * n).encode()


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/ballots"])
def test_very_deep_json_without_logging_in_is_4xx(client, path):
    for body in (_deep(100_000), b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        r = client.post(path, data=body, content_type="application/json", headers={"X-Adjudicator-Key": "k"})
        assert 400 <= r.status_code < 500, r.status_code
        assert r.get_json()["error"]["code"]


def test_lone_surrogates_are_4xx(app, api, client, drawn):
    t, keys, rnd = drawn
    r = client.post("/api/v1/auth/token", data=b'{"username": "\\ud800", "password": "x\\udfff"}',
                    content_type="application/json")
    assert r.status_code in (400, 401, 422), r.status_code
    with app.app_context():
        d = db.session.scalars(db.select(Round).where(Round.id == rnd["id"])).one().debates[0]
        key = next(p.adjudicator.private_key for p in d.panel)
        did = d.id
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    body = ('{"debate_id": %d, "client_id": "\\ud800abc", "winner": "gov", '
            '"scores": {"PM": 27, "MG": 27, "LO": 26, "MO": 26}}' % did).encode()
    r = client.post("/api/v1/ballots", data=body, content_type="application/json",
                    headers={"X-Adjudicator-Key": key})
    assert 400 <= r.status_code < 500, r.status_code
    r = client.post(f"/api/v1/tournaments/{t['id']}/rooms", data=b'{"name": "R\\ud800"}',
                    content_type="application/json", headers=api.headers)
    assert r.status_code in (201, 422)
    token = csrf_token(client)
    r = client.post("/login", data=b"username=%ED%A0%80&password=x&csrf_token=" + token.encode(),
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code < 500


def test_a_30000_digit_id_in_a_url_is_404(client, api):
    digits = "9" * 30000
    assert api.get(f"/tournaments/{digits}").status_code == 404
    assert client.get(f"/api/v1/rounds/{digits}/draw").status_code == 404
    assert client.get(f"/t/{digits}/").status_code in (302, 404)


@pytest.mark.parametrize("body,field", [
    ({"name": "X", "leagues": [5]}, "leagues.0"),
    ({"name": "X", "leagues": "kk"}, "leagues"),
    ({"name": "X", "settings": "x"}, "settings"),
    ({"name": "X", "settings": {"panel_size": "inf"}}, "settings.panel_size"),
    ({"name": "X", "settings": {"speaker_score_min": 1e400}}, None),
    ({"name": ["X"]}, "name"),
    ({"name": "X", "venue": "v" * 100_000}, "venue"),
    ({"name": "X", "stage": ["republican"]}, "stage"),
])
def test_tournament_type_confusion_is_422(api, body, field):
    r = api.post("/tournaments", body)
    assert r.status_code in (400, 422), (r.status_code, r.get_json())
    if field:
        assert field in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("item,field", [
    ({"name": "T", "school": [1], "speakers": ["a", "b"]}, "school"),
    ({"name": "T", "coach": [1], "speakers": ["a", "b"]}, "coach"),
    ({"name": "T", "speakers": [1, 2]}, "speakers.0"),
    ({"name": "T", "school": {"name": "s" * 100_000}, "speakers": ["a", "b"]}, "school.name"),
    ({"name": "T", "coach": {"name": "C", "contact": "c" * 100_000}, "speakers": ["a", "b"]}, "coach.contact"),
    ({"name": "T", "coach": {"name": "c" * 201}, "speakers": ["a", "b"]}, "coach.name"),
])
def test_team_type_confusion_and_long_text_is_422(api, drawn, item, field):
    t, _k, _r = drawn
    r = api.post(f"/tournaments/{t['id']}/teams", {**item, "league_id": t["leagues"][0]["id"]})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("item,field", [
    ({"name": "A", "languages": 5}, "languages"),
    ({"name": "A", "languages": ["kk"], "school": "s" * 201}, "school"),
    ({"name": "A", "languages": ["kk"], "contact": "c" * 100_000}, "contact"),
    ({"name": "A", "languages": ["kk"], "conflicts": "x"}, "conflicts"),
    ({"name": "A", "languages": ["kk"], "conflicts": {"schools": ["s" * 300]}}, "conflicts.schools"),
    ({"name": "A", "languages": ["kk"], "conflicts": {"team_names": 5}}, "conflicts.team_names"),
])
def test_adjudicator_type_confusion_and_long_text_is_422(api, drawn, item, field):
    t, _k, _r = drawn
    r = api.post(f"/tournaments/{t['id']}/adjudicators", item)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("body", [{"motions": [1]}, {"motions": {"x": {"text": "m"}}}, {"motions": {"1": "m"}},
                                  {"leagues": [5]}, {"leagues": "kk"}, {"kind": ["prelim"]}, {"leagues": [True]}])
def test_round_type_confusion_is_422(api, drawn, body):
    t, _k, _r = drawn
    r = api.post(f"/tournaments/{t['id']}/rounds", body)
    assert r.status_code == 422, (body, r.get_json())


def test_a_motion_as_a_number_is_422(api, drawn):
    t, _k, rnd = drawn
    lid = t["leagues"][0]["id"]
    assert api.put(f"/rounds/{rnd['id']}/motions/{lid}", {"text": 5}).status_code == 422
    assert api.put(f"/rounds/{rnd['id']}/motions/{lid}", {"text": "m", "info_slide": [1]}).status_code == 422
    r = api.post(f"/tournaments/{t['id']}/rounds", {"motions": {str(lid): {"text": 5}}})
    assert r.status_code == 422


def test_drawing_a_round_whose_league_has_no_teams_is_4xx(app, api, client, login):
    t = api.post("/tournaments", {"name": "Empty", "leagues": [{"language": "kk"}, {"language": "ru"}]}).get_json()
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    r = api.post(f"/rounds/{rnd['id']}/draw")
    assert 400 <= r.status_code < 500, r.get_json()
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    token = csrf_token(client, f"/t/{t['id']}/edit")
    r = client.post(f"/t/{t['id']}/rounds/{rnd['id']}/draw", data={"csrf_token": token})
    assert r.status_code < 500


@pytest.mark.parametrize("lang,word", [("ru", "число"), ("kk", "сан")])
def test_director_forms_with_bad_numbers_are_refused_in_the_users_language(app, api, client, login, drawn, lang, word):
    t, _k, rnd = drawn
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    token = csrf_token(client, f"/t/{t['id']}/edit")
    lid = t["leagues"][0]["id"]
    for url, form in [(f"/t/{t['id']}/rounds/{rnd['id']}/panel", {"adjudicator_id": "abc"}),
                      (f"/t/{t['id']}/rounds/{rnd['id']}/panel", {"adjudicator_id": "9" * 40}),
                      (f"/t/{t['id']}/leagues/{lid}/break", {"size": "abc"}),
                      (f"/t/{t['id']}/leagues/{lid}/break", {"size": "9" * 5000}),
                      (f"/t/{t['id']}/rounds/{rnd['id']}/swap-teams", {"team_a": "1", "team_b": "9" * 40})]:
        r = client.post(url, data={**form, "csrf_token": token}, follow_redirects=True)
        assert r.status_code < 500, (url, form)
        assert word in r.get_data(as_text=True).casefold(), (url, form)
    with app.app_context():
        assert db.session.query(Team).count() == 4


def test_a_nul_character_in_a_form_or_a_body_is_4xx(app, api, client, login, drawn):
    t, _k, _r = drawn
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    token = csrf_token(client, f"/t/{t['id']}/edit")
    r = client.post(f"/t/{t['id']}/rooms/new", data={"name": "R\x00", "csrf_token": token})
    assert r.status_code == 400
    r = api.post(f"/tournaments/{t['id']}/rooms", {"name": "R\x00"})
    assert r.status_code == 422


@pytest.mark.parametrize("body,status", [({"username": ["a"] * 50, "password": "x"}, 422),
                                         ({"username": "u" * 100, "password": "x"}, 401),
                                         ({"username": "u", "password": {"p": 1}}, 422)])
def test_token_with_odd_usernames_is_4xx(client, body, status):
    r = client.post("/api/v1/auth/token", json=body)
    assert r.status_code == status, r.get_json()


def test_login_page_with_a_long_username_is_refused_not_500(client):
    r = client.post("/login", data={"username": "u" * 100, "password": "x", "csrf_token": csrf_token(client)})
    assert r.status_code < 500
