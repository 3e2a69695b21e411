"""#20 items 3-4: forfeits (API, refusals, standings under both rules), iron persons and
substitutes on ballots."""
import uuid

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, Ballot
from tests.conftest import csrf_token
from tests.flow import setup_tournament


def _draw(api, settings=None):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=4, leagues=("kk",),
                               settings=settings)
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    teams = {x["id"]: x for x in api.get(f"/tournaments/{t['id']}/teams").get_json()}
    return t, keys, rnd, draw, teams


def _ballot(client, key, d, speakers=None, winner="gov", scores=None):
    body = {"debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": winner,
            "scores": scores or {"PM": 28, "MG": 27, "LO": 26, "MO": 25}}
    if speakers:
        body["speakers"] = speakers
    return client.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})


def _confirm_all(api, client, keys, d, **kw):
    for adj in d["adjudicators"]:
        r = _ballot(client, keys[adj["id"]], d, **kw)
        assert r.status_code == 201, r.get_json()
        assert api.post(f"/ballots/{r.get_json()['id']}/confirm").status_code == 200


@pytest.mark.parametrize("rule", ["none", "average"])
def test_forfeit_counts_by_the_setting(api, client, app, rule):
    t, keys, rnd, draw, teams = _draw(api, {"forfeit_points": rule, "panel_size": 1})
    played, forfeited = draw["debates"]
    _confirm_all(api, client, keys, played)
    r = api.post(f"/debates/{forfeited['id']}/forfeit", {"absent": "opp"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["forfeit"] == "opp" and body["winner"] == "gov" and body["status"] == "confirmed"
    assert api.get(f"/debates/{forfeited['id']}/result").get_json()["forfeit"] == "opp"
    # A second round: the forfeit winner plays and is marked, so it has an average of its own.
    lid = t["leagues"][0]["id"]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    rnd2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw2 = api.post(f"/rounds/{rnd2['id']}/draw").get_json()
    api.post(f"/rounds/{rnd2['id']}/release", {"draw": True})
    for d in draw2["debates"]:
        _confirm_all(api, client, keys, d)
    present = forfeited["gov"]["team_id"]
    absent = forfeited["opp"]["team_id"]
    rows = {x["team_id"]: x for x in api.get(f"/leagues/{lid}/standings/teams").get_json()}
    # independent computation: each team's marks from the second round's ballots
    d2 = next(d for d in draw2["debates"] if present in (d["gov"]["team_id"], d["opp"]["team_id"]))
    own = 55.0 if d2["gov"]["team_id"] == present else 51.0
    won2 = d2["gov"]["team_id"] == present
    assert rows[present]["wins"] == 1 + won2
    assert rows[present]["speaker_points"] == pytest.approx(own * (2 if rule == "average" else 1))
    assert rows[absent]["wins"] == (1 if any(d["gov"]["team_id"] == absent for d in draw2["debates"]) else 0)
    speakers = {x["speaker_id"]: x for x in api.get(f"/leagues/{lid}/standings/speakers").get_json()}
    pm = teams[present]["speakers"][0]["id"]
    pm_mark = 28.0 if d2["gov"]["team_id"] == present else 26.0
    assert speakers[pm]["total"] == pytest.approx(pm_mark * (2 if rule == "average" else 1))
    assert speakers[pm]["speeches"] == (2 if rule == "average" else 1)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "forfeit_recorded")).one()
        assert entry.object_id == forfeited["id"] and entry.details["absent"] == "opp"


def test_forfeit_refusals(api, client, app, make_user):
    t, keys, rnd, draw, teams = _draw(api, {"panel_size": 1})
    d, other = draw["debates"]
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "both"}).status_code == 422
    assert api.post(f"/debates/{d['id']}/forfeit", {}).status_code == 422
    _confirm_all(api, client, keys, d)
    r = api.post(f"/debates/{d['id']}/forfeit", {"absent": "gov"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "forfeit_after_ballots"
    assert api.get(f"/debates/{d['id']}/result").get_json()["forfeit"] is None
    # no ballot is taken on a forfeited debate, and one sent before is not confirmed after it
    early = _ballot(client, keys[other["adjudicators"][0]["id"]], other).get_json()["id"]
    assert api.post(f"/debates/{other['id']}/forfeit", {"absent": "gov"}).status_code == 200
    r = api.post(f"/ballots/{early}/confirm")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "debate_forfeited"
    assert api.post(f"/debates/{other['id']}/forfeit", {"absent": "gov"}).status_code == 200  # the same again
    assert api.post(f"/debates/{other['id']}/forfeit", {"absent": "opp"}).status_code == 409
    r = _ballot(client, keys[other["adjudicators"][0]["id"]], other)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "debate_forfeited"
    # another tournament's director does not find the debate
    make_user("other", "other-password-1")
    tok = client.post("/api/v1/auth/token", json={"username": "other", "password": "other-password-1"}).get_json()
    r = client.post(f"/api/v1/debates/{d['id']}/forfeit", json={"absent": "gov"},
                    headers={"Authorization": f"Bearer {tok['token']}"})
    assert r.status_code == 404
    assert client.post(f"/api/v1/debates/{d['id']}/forfeit", json={"absent": "gov"}).status_code == 401


@pytest.mark.parametrize("allowed", [False, True])
def test_iron_person_by_setting(api, client, allowed):
    t, keys, rnd, draw, teams = _draw(api, {"allow_iron_person": allowed, "panel_size": 1})
    d = draw["debates"][0]
    gov, opp = teams[d["gov"]["team_id"]]["speakers"], teams[d["opp"]["team_id"]]["speakers"]
    iron = {"PM": gov[0]["id"], "MG": gov[0]["id"], "LO": opp[0]["id"], "MO": opp[1]["id"]}
    r = _ballot(client, keys[d["adjudicators"][0]["id"]], d, speakers=iron)
    if not allowed:
        assert r.status_code == 422 and "speakers" in r.get_json()["error"]["fields"]
        return
    assert r.status_code == 201, r.get_json()
    assert api.post(f"/ballots/{r.get_json()['id']}/confirm").status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    lid = t["leagues"][0]["id"]
    rows = {x["team_id"]: x for x in api.get(f"/leagues/{lid}/standings/teams").get_json()}
    assert rows[d["gov"]["team_id"]]["speaker_points"] == 55.0  # both speeches count for the team
    sp = {x["speaker_id"]: x for x in api.get(f"/leagues/{lid}/standings/speakers").get_json()}
    assert sp[gov[0]["id"]]["total"] == 27.5 and sp[gov[0]["id"]]["speeches"] == 1  # mean of two speeches
    assert sp[gov[1]["id"]]["speeches"] == 0


def test_substitute_same_school_and_other_school(api, client):
    t, keys, rnd, draw, teams = _draw(api, {"panel_size": 1})
    d = draw["debates"][0]
    gov_team = teams[d["gov"]["team_id"]]
    lid = t["leagues"][0]["id"]
    school = gov_team["school"]
    r = api.post(f"/tournaments/{t['id']}/teams", [
        {"league_id": lid, "name": "Same school B", "school": school,
         "speakers": [{"name": "B1"}, {"name": "B2"}], "reserve": {"name": "Reserve Same"}},
        {"league_id": lid, "name": "Other school C", "school": {"name": "Elsewhere", "region": "almaty"},
         "speakers": [{"name": "C1"}, {"name": "C2"}], "reserve": {"name": "Reserve Other"}}])
    assert r.status_code == 201, r.get_json()
    same, other = (x["reserve"]["id"] for x in r.get_json())
    gov, opp = gov_team["speakers"], teams[d["opp"]["team_id"]]["speakers"]
    key = keys[d["adjudicators"][0]["id"]]
    bad = {"PM": other, "MG": gov[1]["id"], "LO": opp[0]["id"], "MO": opp[1]["id"]}
    r = _ballot(client, key, d, speakers=bad)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"]["speakers.PM"]
    wrong_side = {"PM": gov[0]["id"], "MG": gov[1]["id"], "LO": same, "MO": opp[1]["id"]}
    assert _ballot(client, key, d, speakers=wrong_side).status_code == 422
    good = {"PM": same, "MG": gov[1]["id"], "LO": opp[0]["id"], "MO": opp[1]["id"]}
    r = _ballot(client, key, d, speakers=good)
    assert r.status_code == 201, r.get_json()
    assert api.post(f"/ballots/{r.get_json()['id']}/confirm").status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    sp = {x["speaker_id"]: x for x in api.get(f"/leagues/{lid}/standings/speakers").get_json()}
    assert sp[same]["total"] == 28.0 and sp[same]["name"] == "Reserve Same"
    assert sp[gov[0]["id"]]["speeches"] == 0
    assert other not in sp  # a reserve who never spoke is not in the speaker tab


def test_phone_form_offers_the_iron_person_explicitly(api, client, app):
    """Without JavaScript: the box "one speaker gives both speeches" and its speaker choice."""
    t, keys, rnd, draw, teams = _draw(api, {"allow_iron_person": True, "panel_size": 1})
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    page = f"/j/{key}/ballot/{d['id']}"
    html = client.get(page + "?lang=ru").get_data(as_text=True)
    assert 'name="iron_gov"' in html and 'name="iron_opp_speaker"' in html
    assert "Один спикер произносит обе речи" in html
    gov, opp = teams[d["gov"]["team_id"]]["speakers"], teams[d["opp"]["team_id"]]["speakers"]
    r = client.post(page, data={"csrf_token": csrf_token(client, page),
                                "client_id": str(uuid.uuid4()), "step": "send", "winner": "gov",
                                "score_PM": "28", "score_MG": "27", "score_LO": "26", "score_MO": "25",
                                "speaker_PM": str(gov[0]["id"]), "speaker_MG": str(gov[1]["id"]),
                                "speaker_LO": str(opp[0]["id"]), "speaker_MO": str(opp[1]["id"]),
                                "iron_gov": "1", "iron_gov_speaker": str(gov[1]["id"])})
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        b = db.session.scalars(select(Ballot)).one()
        assert b.speakers["PM"] == b.speakers["MG"] == gov[1]["id"]


def test_no_iron_person_box_unless_allowed(api, client):
    t, keys, rnd, draw, teams = _draw(api, {"panel_size": 1})
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    d = draw["debates"][0]
    html = client.get(f"/j/{keys[d['adjudicators'][0]['id']]}/ballot/{d['id']}").get_data(as_text=True)
    assert 'name="iron_gov"' not in html


def test_forfeit_from_the_results_page_shows_everywhere(api, client, app):
    t, keys, rnd, draw, teams = _draw(api, {"panel_size": 1})
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    d = draw["debates"][0]
    results = f"/t/{t['id']}/rounds/{rnd['id']}/results"
    assert "Record a forfeit" in client.get(results + "?lang=en").get_data(as_text=True)
    confirm = f"/t/{t['id']}/debates/{d['id']}/forfeit"
    page = client.get(confirm + "?lang=ru").get_data(as_text=True)
    assert "Какая команда не явилась?" in page and d["gov"]["name"] in page
    r = client.post(confirm, data={"csrf_token": csrf_token(client, confirm), "absent": "gov"})
    assert r.status_code == 302
    absent = d["gov"]["name"]
    assert f"Forfeit: {absent} did not appear" in client.get(results + "?lang=en").get_data(as_text=True)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    lid = t["leagues"][0]["id"]
    public = client.get(f"/p/{t['id']}/l/{lid}/results?lang=kk").get_data(as_text=True)
    assert f"келмеу бойынша: {absent} келмеді" in public
    csv_text = client.get(f"/t/{t['id']}/export/results.csv?lang=en").get_data(as_text=True)
    assert "Forfeit (team absent)" in csv_text and absent in csv_text.splitlines()[1]
