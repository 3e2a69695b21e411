"""Deletion, withdrawal, undo and erasure (#17 items 2 and 13, #18 item 4, #20 item 2): deleting a
person never deletes results; withdrawn teams keep their results and their opponents' wins; a
round or a break can be undone only before anything depends on it; a tournament can be
anonymised (standings unchanged) or deleted whole (nothing else touched)."""
import random

import pytest
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.exc import IntegrityError

from debate.core.extensions import db
from debate.models import (Adjudicator, AuditEntry, Award, Ballot, Coach, Debate, Room, Round, Speaker, Team,
                           Tournament, TournamentMember, User)
from debate.services.transfer import export_tournament
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament

API = "/api/v1"


def _delete(client, api, path, json=None):
    return client.delete(API + path, headers=api.headers, json=json)


def _one_league(api, client, teams=6, rounds=1, seed=3):
    t, keys = setup_tournament(api, teams_per_league=teams, adjudicators=10, rooms=5, leagues=("en",))
    rng = random.Random(seed)
    draws = [run_prelim_round(api, client, t, keys, rng) for _ in range(rounds)]
    return t, keys, draws


def _standings(api, lid):
    return {r["team_id"]: r for r in api.get(f"/leagues/{lid}/standings/teams").get_json()}


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# ----- A. deleting a person never deletes results -----

def test_no_cascade_from_a_person_reaches_the_record(app):
    """Every foreign key from a debate, panel seat, bye, break seed or ballot to a team or an
    adjudicator has no ON DELETE action (the database refuses, the app says why)."""
    people = {"teams", "adjudicators", "speakers"}
    record = {"debates", "debate_adjudicators", "byes", "break_seeds", "ballots"}
    found = []
    for name in record:
        for fk in db.metadata.tables[name].foreign_keys:
            if fk.column.table.name in people:
                found.append((name, fk.parent.name))
                assert fk.ondelete is None, f"{name}.{fk.parent.name} -> {fk.column.table.name}: {fk.ondelete}"
    assert len(found) == 6
    # nor does any ORM relationship of a person delete anything of the record
    for model in (Team, Adjudicator, Speaker):
        for rel in inspect(model).relationships:
            if "delete" in rel.cascade:
                assert rel.mapper.class_.__tablename__ not in record, (model, rel.key)


def test_the_database_refuses_to_delete_a_person_in_the_record(app, api, client):
    """Even a deletion outside the app (a script, psql) cannot take a ballot or a debate with it."""
    t, _keys, [(rnd, draw)] = _one_league(api, client, teams=4)
    d = draw["debates"][0]
    with app.app_context():
        for stmt in (delete(Adjudicator).where(Adjudicator.id == d["adjudicators"][0]["id"]),
                     delete(Team).where(Team.id == d["gov"]["team_id"])):
            with pytest.raises(IntegrityError):
                db.session.execute(stmt)
                db.session.flush()
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Ballot).join(Debate)
                                 .where(Debate.id == d["id"])) >= 1


def test_deleting_an_adjudicator_with_a_confirmed_ballot_is_refused(app, api, client):
    t, _keys, [(rnd, draw)] = _one_league(api, client)
    d = draw["debates"][0]
    aid = d["adjudicators"][0]["id"]
    before = api.get(f"/debates/{d['id']}/result").get_json()
    assert before["winner"] in ("gov", "opp")
    r = _delete(client, api, f"/adjudicators/{aid}")
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "in_use"
    assert "withdraw" in r.get_json()["error"]["message"].lower()
    assert api.get(f"/debates/{d['id']}/result").get_json() == before
    with app.app_context():
        assert db.session.get(Adjudicator, aid) is not None
        assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.adjudicator_id == aid)) >= 1


def test_deleting_a_team_with_debates_is_refused_and_the_opponent_keeps_the_win(app, api, client, login):
    t, _keys, [(rnd, draw)] = _one_league(api, client)
    lid = t["leagues"][0]["id"]
    d = draw["debates"][0]
    result = api.get(f"/debates/{d['id']}/result").get_json()
    loser = d["opp"]["team_id"] if result["winner"] == "gov" else d["gov"]["team_id"]
    winner = d["gov"]["team_id"] if result["winner"] == "gov" else d["opp"]["team_id"]
    before = _standings(api, lid)
    assert before[winner]["wins"] == 1
    r = _delete(client, api, f"/teams/{loser}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "in_use"
    # the director's page refuses too, with the reason, and offers withdrawal
    login()
    token = csrf_token(client, "/t/")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "director"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.commit()
    r = client.post(f"/t/{t['id']}/teams/{loser}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200
    assert "withdraw" in r.get_data(as_text=True).lower()
    assert _standings(api, lid) == before
    with app.app_context():
        assert db.session.get(Team, loser) is not None


def test_deleting_unused_people_and_rooms_is_audited(app, api, client):
    t, _keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=2, leagues=("en",))
    team = api.get(f"/tournaments/{t['id']}/teams").get_json()[0]
    adj = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()[0]
    room = api.get(f"/tournaments/{t['id']}/rooms").get_json()[0]
    assert _delete(client, api, f"/teams/{team['id']}").status_code == 204
    assert _delete(client, api, f"/adjudicators/{adj['id']}").status_code == 204
    assert _delete(client, api, f"/rooms/{room['id']}").status_code == 204
    assert _delete(client, api, f"/rooms/{room['id']}").status_code == 404
    with app.app_context():
        assert db.session.get(Team, team["id"]) is None
        entries = {(e.action, e.object_id, e.details.get("name")) for e in
                   db.session.scalars(select(AuditEntry).where(AuditEntry.tournament_id == t["id"]))}
    assert ("team_deleted", team["id"], team["name"]) in entries
    assert ("adjudicator_deleted", adj["id"], adj["name"]) in entries
    assert ("room_deleted", room["id"], room["name"]) in entries


def test_a_room_used_in_a_draw_is_kept(api, client):
    t, _keys, [(rnd, draw)] = _one_league(api, client, teams=4)
    room_id = draw["debates"][0]["room"]["id"]
    r = _delete(client, api, f"/rooms/{room_id}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "in_use"


def test_only_directors_of_the_tournament_delete(app, api, client, make_user):
    t, _keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("en",))
    team = api.get(f"/tournaments/{t['id']}/teams").get_json()[0]
    make_user("outsider", "outsider-pass-1")
    tok = client.post(API + "/auth/token", json={"username": "outsider", "password": "outsider-pass-1"}).get_json()
    h = {"Authorization": f"Bearer {tok['token']}"}
    assert client.delete(f"{API}/teams/{team['id']}", headers=h).status_code == 403
    assert client.patch(f"{API}/teams/{team['id']}", headers=h, json={"active": False}).status_code == 403
    assert client.delete(f"{API}/teams/{team['id']}").status_code == 401
    assert client.delete(f"{API}/teams/99999999", headers=api.headers).status_code == 404


# ----- B. withdrawals -----

def test_a_withdrawn_team_is_in_no_later_draw_and_keeps_its_results(app, api, client):
    t, keys, [(rnd, draw)] = _one_league(api, client, teams=6)
    lid = t["leagues"][0]["id"]
    d = draw["debates"][0]
    result = api.get(f"/debates/{d['id']}/result").get_json()
    loser = d["opp"]["team_id"] if result["winner"] == "gov" else d["gov"]["team_id"]
    winner = d["gov"]["team_id"] if result["winner"] == "gov" else d["opp"]["team_id"]
    before = _standings(api, lid)
    r = api.patch(f"/teams/{loser}", {"active": "no"})
    assert r.status_code == 422  # booleans are JSON booleans
    r = api.patch(f"/teams/{loser}", {"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert _audit(app, "team_withdrawn")
    # the results stay: same wins, points and draw strength for everyone
    assert _standings(api, lid) == before
    rnd2, draw2 = run_prelim_round(api, client, t, keys, random.Random(4))
    in_draw = {x for dd in draw2["debates"] for x in (dd["gov"]["team_id"], dd["opp"]["team_id"])}
    in_draw |= {b["team_id"] for b in draw2["bye"]}
    assert loser not in in_draw and len(in_draw) == 5  # odd league: one bye by the usual rule
    after = _standings(api, lid)
    assert after[loser]["wins"] == before[loser]["wins"]
    assert after[winner]["wins"] >= 1
    # draw strength is computed from the debates, so the withdrawn team's results still count
    # for the teams it met: the opponent's draw strength includes the withdrawn team's wins
    assert after[winner]["draw_strength"] >= after[loser]["wins"]
    # shown as withdrawn on the public standings
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True})
    page = client.get(f"/p/{t['id']}/l/{lid}/standings").get_data(as_text=True)
    assert "withdrawn" in page
    # brought back: in the next draw again
    assert api.patch(f"/teams/{loser}", {"active": True}).get_json()["active"] is True
    assert _audit(app, "team_reinstated")
    r3, draw3 = run_prelim_round(api, client, t, keys, random.Random(5))
    in_draw = {x for dd in draw3["debates"] for x in (dd["gov"]["team_id"], dd["opp"]["team_id"])}
    assert loser in in_draw


def test_a_withdrawn_adjudicator_is_in_no_later_allocation(app, api, client):
    t, keys, [(rnd, draw)] = _one_league(api, client, teams=4)
    aid = draw["debates"][0]["adjudicators"][0]["id"]
    r = api.patch(f"/adjudicators/{aid}", {"available": False})
    assert r.status_code == 200 and r.get_json()["available"] is False
    assert api.patch(f"/adjudicators/{aid}", {"available": 0}).status_code == 422
    rnd2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw2 = api.post(f"/rounds/{rnd2['id']}/draw").get_json()
    assert aid not in {a["id"] for d in draw2["debates"] for a in d["adjudicators"]}
    assert _audit(app, "adjudicator_withdrawn")


def _break(api, lid, size):
    r = api.post(f"/leagues/{lid}/break", {"size": size})
    if r.status_code == 409:  # a tie at the cut: take the first of the tied teams
        details = r.get_json()["error"]["details"]
        r = api.post(f"/leagues/{lid}/break", {"size": size,
                                               "include": details["team_ids"][:details["places_left"]]})
    assert r.status_code == 201, r.get_json()
    return [s["team_id"] for s in r.get_json()]


def test_a_withdrawn_team_does_not_break(app, api, client):
    t, keys, _draws = _one_league(api, client, teams=6, rounds=2)
    lid = t["leagues"][0]["id"]
    top = api.get(f"/leagues/{lid}/standings/teams").get_json()[0]["team_id"]
    assert top in _break(api, lid, 2)
    assert _delete(client, api, f"/leagues/{lid}/break").status_code == 204
    api.patch(f"/teams/{top}", {"active": False})
    seeds = _break(api, lid, 2)
    assert top not in seeds and len(seeds) == 2


def test_withdraw_and_bring_back_through_the_pages(app, api, client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Page cup", "stage": "city", "league_en": "1"})
    tid = int(r.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        lid = db.session.scalar(select(Tournament).where(Tournament.id == tid)).leagues[0].id
    client.post(f"/t/{tid}/teams/new", data={"csrf_token": token, "league_id": lid, "name": "Tulpar",
                                             "speaker1": "A", "speaker2": "B"})
    with app.app_context():
        team_id = db.session.scalar(select(Team.id).where(Team.tournament_id == tid))
    listing = client.get(f"/t/{tid}/teams/").get_data(as_text=True)
    assert f"/t/{tid}/teams/{team_id}/withdraw" in listing
    r = client.post(f"/t/{tid}/teams/{team_id}/withdraw", data={"csrf_token": token, "value": "0"},
                    follow_redirects=True)
    assert "withdrawn" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, team_id).active is False
    client.post(f"/t/{tid}/teams/{team_id}/withdraw", data={"csrf_token": token, "value": "1"})
    with app.app_context():
        assert db.session.get(Team, team_id).active is True


# ----- C. undo -----

def test_delete_a_round_only_without_ballots_and_later_rounds(app, api, client):
    t, keys, [(rnd1, _d)] = _one_league(api, client, teams=4)
    rnd2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    api.post(f"/rounds/{rnd2['id']}/draw")
    r = _delete(client, api, f"/rounds/{rnd1['id']}")
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] in ("round_has_ballots", "later_round_exists")
    rnd3 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    r = _delete(client, api, f"/rounds/{rnd2['id']}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "later_round_exists"
    assert _delete(client, api, f"/rounds/{rnd3['id']}").status_code == 204
    assert _delete(client, api, f"/rounds/{rnd2['id']}").status_code == 204  # drawn, no ballots
    r = _delete(client, api, f"/rounds/{rnd1['id']}")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "round_has_ballots"
    with app.app_context():
        assert db.session.get(Round, rnd2["id"]) is None
        assert db.session.scalar(select(func.count()).select_from(Debate).where(Debate.round_id == rnd2["id"])) == 0
    assert {e.object_id for e in _audit(app, "round_deleted")} == {rnd2["id"], rnd3["id"]}
    assert _delete(client, api, f"/rounds/{rnd2['id']}").status_code == 404


def test_delete_a_round_through_the_page_asks_first(app, api, client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Page cup", "stage": "city", "league_en": "1"})
    tid = int(r.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/t/{tid}/rounds/new", data={"csrf_token": token, "kind": "prelim"})
    with app.app_context():
        rid = db.session.scalar(select(Round.id).where(Round.tournament_id == tid))
    page = client.get(f"/t/{tid}/rounds/{rid}/").get_data(as_text=True)
    assert f"/t/{tid}/rounds/{rid}/delete" in page
    r = client.post(f"/t/{tid}/rounds/{rid}/delete", data={"csrf_token": token})  # no confirmation ticked
    with app.app_context():
        assert db.session.get(Round, rid) is not None
    r = client.post(f"/t/{tid}/rounds/{rid}/delete", data={"csrf_token": token, "confirm": "1"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Round, rid) is None


def test_undo_a_break_before_its_first_elimination_draw(app, api, client):
    t, keys, _draws = _one_league(api, client, teams=4, rounds=1)
    lid = t["leagues"][0]["id"]
    assert _delete(client, api, f"/leagues/{lid}/break").status_code == 404  # no break yet
    r = api.post(f"/leagues/{lid}/break", {"size": 2})
    if r.status_code == 409:
        r = api.post(f"/leagues/{lid}/break", {"size": 2, "include": r.get_json()["error"]["details"]["team_ids"][
            :r.get_json()["error"]["details"]["places_left"]]})
    assert r.status_code == 201, r.get_json()
    assert _delete(client, api, f"/leagues/{lid}/break").status_code == 204
    assert api.get(f"/leagues/{lid}/bracket").get_json()["seeds"] == []
    assert _audit(app, "break_deleted")
    r = api.post(f"/leagues/{lid}/break", {"size": 2, "include": None})
    if r.status_code == 409:
        r = api.post(f"/leagues/{lid}/break", {"size": 2, "include": r.get_json()["error"]["details"]["team_ids"][
            :r.get_json()["error"]["details"]["places_left"]]})
    final = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "final"}).get_json()
    assert api.post(f"/rounds/{final['id']}/draw").status_code == 201
    r = _delete(client, api, f"/leagues/{lid}/break")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "elimination_drawn"


# ----- D. erasure -----

def _speaker_tab(api, lid):
    return [(r["rank"], r["speaker_id"], r["total"]) for r in api.get(f"/leagues/{lid}/standings/speakers").get_json()]


def test_anonymise_keeps_standings_and_erases_pupils_and_coaches(app, api, client):
    t, keys, _draws = _one_league(api, client, teams=4, rounds=2)
    lid, tid = t["leagues"][0]["id"], t["id"]
    with app.app_context():
        sp = db.session.scalars(select(Speaker).join(Team).where(Team.tournament_id == tid)).first()
        sp.grade, sp.gender = 9, "f"
        db.session.add(Award(tournament_id=tid, league_id=lid, kind="participation", speaker_id=sp.id,
                             team_id=sp.team_id, recipient=sp.name, team_name="x", code="ANONTESTCODE0001"))
        db.session.commit()
        old_names = {s.name for s in db.session.scalars(select(Speaker).join(Team).where(Team.tournament_id == tid))}
        old_coaches = {c.name for c in db.session.scalars(select(Coach).where(Coach.tournament_id == tid))}
        adj_names = {a.name for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == tid))}
    assert client.get("/verify/ANONTESTCODE0001").status_code == 200
    teams_before, speakers_before = _standings(api, lid), _speaker_tab(api, lid)
    r = api.post(f"/tournaments/{tid}/anonymise", {"confirm": "wrong"})
    assert r.status_code == 422
    r = api.post(f"/tournaments/{tid}/anonymise", {"confirm": t["name"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["anonymised_at"]
    assert _standings(api, lid) == teams_before
    assert _speaker_tab(api, lid) == speakers_before
    with app.app_context():
        speakers = db.session.scalars(select(Speaker).join(Team).where(Team.tournament_id == tid)).all()
        assert not {s.name for s in speakers} & old_names
        assert all(s.grade is None and s.gender is None for s in speakers)
        coaches = db.session.scalars(select(Coach).where(Coach.tournament_id == tid)).all()
        assert not {c.name for c in coaches} & old_coaches and all(c.contact is None for c in coaches)
        assert {a.name for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == tid))} \
            == adj_names  # adults, kept
        assert db.session.scalar(select(Award.recipient).where(Award.code == "ANONTESTCODE0001")) not in old_names
        dump = str(export_tournament(tid))
    assert not any(n in dump for n in old_names | old_coaches)
    page = client.get("/verify/ANONTESTCODE0001").get_data(as_text=True)
    assert "anonymised" in page.lower() and not any(n in page for n in old_names)
    assert _audit(app, "tournament_anonymised")


def test_delete_a_tournament_removes_it_all_and_nothing_else(app, api, client):
    other, _ok, _od = _one_league(api, client, teams=4, rounds=1, seed=8)
    t, keys, _draws = _one_league(api, client, teams=4, rounds=1)
    with app.app_context():
        before_other = export_tournament(other["id"])
    r = _delete(client, api, f"/tournaments/{t['id']}", json={"confirm": "not the name"})
    assert r.status_code == 422 and "confirm" in r.get_json()["error"]["fields"]
    r = _delete(client, api, f"/tournaments/{t['id']}")
    assert r.status_code == 422
    r = _delete(client, api, f"/tournaments/{t['id']}", json={"confirm": t["name"]})
    assert r.status_code == 204
    with app.app_context():
        assert db.session.get(Tournament, t["id"]) is None
        for model in (Team, Adjudicator, Room, Round):
            assert db.session.scalar(select(func.count()).select_from(model)
                                     .where(model.tournament_id == t["id"])) == 0
        assert db.session.scalar(select(func.count()).select_from(Ballot).join(Debate).join(Round)
                                 .where(Round.tournament_id == t["id"])) == 0
        assert export_tournament(other["id"]) == before_other
        # audited at the instance level: the entry outlives the tournament
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tournament_deleted"))
        assert entry.tournament_id is None and entry.object_id == t["id"] and entry.details["name"] == t["name"]
    assert api.get(f"/tournaments/{t['id']}").status_code == 404


def test_erasure_pages_offer_an_export_first(app, client, login):
    login()
    token = csrf_token(client, "/t/new")
    r = client.post("/t/new", data={"csrf_token": token, "name": "Erase cup", "stage": "city", "league_en": "1"})
    tid = int(r.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(f"/t/{tid}/edit").get_data(as_text=True)
    assert f"/t/{tid}/export/tournament.json" in page
    assert f"/t/{tid}/anonymise" in page and f"/t/{tid}/delete" in page
    r = client.get(f"/t/{tid}/export/tournament.json")
    assert r.status_code == 200 and r.get_json()["format"] == "debate-tournament"
    assert "attachment" in r.headers["Content-Disposition"]
    r = client.post(f"/t/{tid}/delete", data={"csrf_token": token, "confirm": "Erase"})
    with app.app_context():
        assert db.session.get(Tournament, tid) is not None
    r = client.post(f"/t/{tid}/delete", data={"csrf_token": token, "confirm": "Erase cup"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Tournament, tid) is None
