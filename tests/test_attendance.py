"""Who takes part in a round (issue 20 item 1) and the adjudicator who leaves (item 6):
the API, the check-in desk, the adjudicator's "I am here", and replacements."""
import random

from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, DebateAdjudicator, RoundAttendance

from .conftest import csrf_token
from .flow import run_prelim_round, setup_tournament


def _q(app, fn):
    with app.app_context():
        return fn()


def _teams(api, tid):
    return api.get(f"/tournaments/{tid}/teams").get_json()


def _adjs(api, tid):
    return api.get(f"/tournaments/{tid}/adjudicators").get_json()


def _new_round(api, tid):
    return api.post(f"/tournaments/{tid}/rounds", {"kind": "prelim"}).get_json()


def test_default_is_every_active_team_and_available_adjudicator(api):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=4, leagues=("kk",),
                               settings={"panel_size": 1})
    teams, adjs = _teams(api, t["id"]), _adjs(api, t["id"])
    assert api.patch(f"/teams/{teams[0]['id']}", {"active": False}).status_code == 200
    assert api.patch(f"/adjudicators/{adjs[0]['id']}", {"available": False}).status_code == 200
    rnd = _new_round(api, t["id"])
    got = api.get(f"/rounds/{rnd['id']}/availability").get_json()
    assert got["teams"] == sorted(tm["id"] for tm in teams[1:])
    assert got["adjudicators"] == sorted(a["id"] for a in adjs[1:])
    assert got["drawn"] is False


def test_put_availability_drives_the_draw_and_the_allocation(api):
    t, keys = setup_tournament(api, teams_per_league=6, adjudicators=6, rooms=6, leagues=("kk",),
                               settings={"panel_size": 1})
    teams, adjs = _teams(api, t["id"]), _adjs(api, t["id"])
    rnd = _new_round(api, t["id"])
    present = [tm["id"] for tm in teams[:5]]          # one team absent: 5, an odd league
    judges = [a["id"] for a in adjs[:3]]
    r = api.put(f"/rounds/{rnd['id']}/availability", {"teams": present, "adjudicators": judges})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["teams"] == sorted(present) and r.get_json()["adjudicators"] == sorted(judges)
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    drawn = {d["gov"]["team_id"] for d in draw["debates"]} | {d["opp"]["team_id"] for d in draw["debates"]}
    byes = {b["team_id"] for b in draw["bye"]}
    assert len(draw["debates"]) == 2 and len(byes) == 1
    assert drawn | byes == set(present) and not drawn & byes
    seated = {a["id"] for d in draw["debates"] for a in d["adjudicators"]}
    assert seated <= set(judges) and len(seated) == 2
    # after the draw: 409, nothing changed
    r = api.put(f"/rounds/{rnd['id']}/availability", {"teams": [tm["id"] for tm in teams]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "checkin_after_draw"
    assert api.get(f"/rounds/{rnd['id']}/availability").get_json()["teams"] == sorted(present)


def test_ids_of_another_tournament_are_refused_and_nothing_changes(api):
    t, _k = setup_tournament(api, teams_per_league=4, adjudicators=3, rooms=2, leagues=("kk",))
    other, _k2 = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("ru",))
    rnd = _new_round(api, t["id"])
    before = api.get(f"/rounds/{rnd['id']}/availability").get_json()
    foreign = _teams(api, other["id"])[0]["id"]
    r = api.put(f"/rounds/{rnd['id']}/availability", {"teams": [foreign], "adjudicators": [_adjs(api, t["id"])[0]["id"]]})
    assert r.status_code == 422
    body = r.get_json()["error"]
    assert body["code"] == "validation_failed" and str(foreign) in body["fields"]["teams"]
    assert api.get(f"/rounds/{rnd['id']}/availability").get_json() == before
    for bad in ({"teams": "all"}, {"teams": [True]}, {}, [1, 2]):
        assert api.put(f"/rounds/{rnd['id']}/availability", bad).status_code == 422
    # a withdrawn team cannot be named
    team = _teams(api, t["id"])[0]
    api.patch(f"/teams/{team['id']}", {"active": False})
    r = api.put(f"/rounds/{rnd['id']}/availability", {"teams": [team["id"]]})
    assert r.status_code == 422 and "teams" in r.get_json()["error"]["fields"]


def _login(client):
    token = csrf_token(client)
    assert client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                       "csrf_token": token}).status_code == 302


def test_checkin_desk_toggles_searches_and_counts(app, api, client):
    t, _k = setup_tournament(api, teams_per_league=3, adjudicators=2, rooms=2, leagues=("kk", "ru"))
    teams, adjs = _teams(api, t["id"]), _adjs(api, t["id"])
    rnd = _new_round(api, t["id"])
    _login(client)
    url = f"/t/{t['id']}/rounds/{rnd['id']}/checkin"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "kk-0" in page and "ru-2" in page and "Adj 1" in page
    assert "3 of 3" in page
    only = client.get(url + "?q=ru-1").get_data(as_text=True)   # works without JavaScript
    assert "ru-1" in only and "kk-0" not in only.split('id="desk"')[1]
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "kind": "team", "id": teams[0]["id"], "q": "kk"})
    assert r.status_code == 302 and "q=kk" in r.headers["Location"]
    assert teams[0]["id"] not in api.get(f"/rounds/{rnd['id']}/availability").get_json()["teams"]
    assert "2 of 3" in client.get(url).get_data(as_text=True)
    # the same tap again: present
    client.post(url, data={"csrf_token": token, "kind": "team", "id": teams[0]["id"]})
    assert teams[0]["id"] in api.get(f"/rounds/{rnd['id']}/availability").get_json()["teams"]
    client.post(url, data={"csrf_token": token, "kind": "adjudicator", "id": adjs[1]["id"]})
    assert api.get(f"/rounds/{rnd['id']}/availability").get_json()["adjudicators"] == [adjs[0]["id"]]
    # a JSON tap (the page's script) answers with the new state and the counts
    r = client.post(url, data={"csrf_token": token, "kind": "team", "id": teams[1]["id"]},
                    headers={"Accept": "application/json"})
    assert r.get_json()["present"] is False
    # another tournament's team: refused, nothing stored
    other, _k2 = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    foreign = _teams(api, other["id"])[0]["id"]
    n = _q(app, lambda: db.session.query(RoundAttendance).count())
    r = client.post(url, data={"csrf_token": token, "kind": "team", "id": foreign}, headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert _q(app, lambda: db.session.query(RoundAttendance).count()) == n
    # after the draw: refused with words
    api.post(f"/rounds/{rnd['id']}/draw")
    r = client.post(url, data={"csrf_token": token, "kind": "team", "id": teams[2]["id"]}, follow_redirects=True)
    assert "already drawn" in r.get_data(as_text=True)


def test_adjudicator_says_i_am_here(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",),
                               settings={"panel_size": 1})
    aid, key = next(iter(keys.items()))
    # no round yet: a clear refusal
    token = csrf_token(client, f"/j/{key}?lang=en")  # the page would speak the league's language
    r = client.post(f"/j/{key}/here", data={"csrf_token": token}, follow_redirects=True)
    assert "nothing to check in for" in r.get_data(as_text=True)
    rnd = _new_round(api, t["id"])
    api.put(f"/rounds/{rnd['id']}/availability", {"adjudicators": []})
    assert aid not in api.get(f"/rounds/{rnd['id']}/availability").get_json()["adjudicators"]
    page = client.get(f"/j/{key}").get_data(as_text=True)
    assert "I am here" in page
    r = client.post(f"/j/{key}/here", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200 and "You are checked in" in r.get_data(as_text=True)
    assert api.get(f"/rounds/{rnd['id']}/availability").get_json()["adjudicators"] == [aid]
    entries = _q(app, lambda: db.session.scalars(select(AuditEntry.adjudicator_id)
                                                 .where(AuditEntry.action == "checked_in")).all())
    assert entries == [aid]


def test_the_adjudicator_who_leaves_is_replaced(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=9, rooms=4, leagues=("kk",),
                               settings={"panel_size": 3})
    rnd = _new_round(api, t["id"])
    # 2 debates x 3 = 6 seated, 3 free
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    debate = draw["debates"][0]
    leaver = debate["adjudicators"][1]["id"]
    seated = {a["id"] for d in draw["debates"] for a in d["adjudicators"]}
    free = set(keys) - seated
    r = api.post(f"/rounds/{rnd['id']}/replace?dry_run=1", {"adjudicators": [leaver]})
    assert r.status_code == 200, r.get_json()
    prop = r.get_json()["debates"]
    assert [p["debate_id"] for p in prop] == [debate["id"]]
    new = [p["adjudicator_id"] for p in prop[0]["panel"] if p["new"]]
    assert len(new) == 1 and new[0] in free and len(prop[0]["panel"]) == 3
    # dry run: nothing changed
    assert _q(app, lambda: db.session.scalar(select(DebateAdjudicator.id)
                                             .where(DebateAdjudicator.adjudicator_id == leaver))) is not None
    r = api.post(f"/rounds/{rnd['id']}/replace", {"adjudicators": [leaver]})
    assert r.status_code == 200
    after = {d["id"]: {a["id"] for a in d["adjudicators"]} for d in r.get_json()["draw"]["debates"]}
    assert leaver not in after[debate["id"]] and new[0] in after[debate["id"]] and len(after[debate["id"]]) == 3
    assert leaver not in api.get(f"/rounds/{rnd['id']}/availability").get_json()["adjudicators"]
    # the phone link of the one moved shows the debate
    page = client.get(f"/j/{keys[new[0]]}").get_data(as_text=True)
    assert debate["gov"]["name"] in page
    assert _q(app, lambda: db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "adjudicators_replaced")))
    # another tournament's adjudicator: refused
    assert api.post(f"/rounds/{rnd['id']}/replace", {"adjudicators": [10**6]}).status_code == 422


def test_replace_respects_the_round_lock(api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=3, rooms=1, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd, draw = run_prelim_round(api, client, t, keys, random.Random(1))
    leaver = draw["debates"][0]["adjudicators"][0]["id"]
    r = api.post(f"/rounds/{rnd['id']}/replace?dry_run=1", {"adjudicators": [leaver]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "round_locked"


def test_replacement_through_the_pages(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk",),
                               settings={"panel_size": 3})
    rnd = _new_round(api, t["id"])
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    debate = draw["debates"][1]
    leaver = debate["adjudicators"][0]
    _login(client)
    base = f"/t/{t['id']}/rounds/{rnd['id']}"
    page = client.get(base + "/?lang=ru").get_data(as_text=True)
    assert "Судья уходит" in page
    preview = client.get(f"{base}/replace?adjudicator_id={leaver['id']}&lang=en").get_data(as_text=True)
    assert f'data-debate="{debate["id"]}"' in preview and leaver["name"] in preview
    assert "Confirm the replacements" in preview
    # the preview changed nothing
    again = api.get(f"/rounds/{rnd['id']}/draw").get_json()
    assert leaver["id"] in {a["id"] for d in again["debates"] for a in d["adjudicators"]}
    token = csrf_token(client, f"{base}/replace?adjudicator_id={leaver['id']}")
    r = client.post(f"{base}/replace", data={"csrf_token": token, "adjudicator_id": leaver["id"], "withdraw": "1"})
    assert r.status_code == 302
    after = api.get(f"/rounds/{rnd['id']}/draw").get_json()
    panel = next(d for d in after["debates"] if d["id"] == debate["id"])["adjudicators"]
    assert leaver["id"] not in {a["id"] for a in panel} and len(panel) == 3
    assert sum(1 for a in panel if a["role"] == "chair") == 1
    assert next(a for a in api.get(f"/tournaments/{t['id']}/adjudicators").get_json()
                if a["id"] == leaver["id"]).get("available", False) is False
    # the check-in desk speaks Kazakh
    desk = client.get(f"{base}/checkin?lang=kk").get_data(as_text=True)
    assert "Тіркеу" in desk
