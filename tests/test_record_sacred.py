"""The record is sacred: every change to who takes part, every undone forfeit and every
correction of a forfeited debate goes through one audited service, with a reason and a preview
where the result changes."""
import ast
import pathlib
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import debate
from debate.core.extensions import db, socketio
from debate.models import Adjudicator, Appeal, AuditEntry, Debate, Room, Team, TournamentMember, User
from debate.services import corrections
from tests.conftest import csrf_token
from tests.flow import setup_tournament


def _web_login(client):
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302


def _actions(app, *names):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(names))
                                  .order_by(AuditEntry.id)).all()


# ----- 1. availability and withdrawal: one audited path -----

def _adj_form(adj, **over):
    data = {"name": adj["name"], "region": "", "school": "", "languages": ["kk"], "rating": "5",
            "contact": "", "conflict_schools": ""}
    data.update(over)
    return data


def test_adjudicator_edit_form_keeps_availability_unless_changed_and_audits_a_change(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _web_login(client)
    adj = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()[0]
    page = f"/t/{t['id']}/adjudicators/{adj['id']}/edit"
    html = client.get(page).get_data(as_text=True)
    # The edit form has no availability box (it sent a hidden "" before the box, so saving any
    # edit withdrew the adjudicator, unaudited): the Withdraw button is the one control.
    assert 'name="available"' not in html and 'name="available_present"' not in html
    assert "Withdraw for the rest of the tournament" in html
    # Saving the form as the browser sent it before (hidden "" then the ticked box) changes nothing.
    fields = {"csrf_token": csrf_token(client, page), **_adj_form(adj, name="Renamed judge"),
              "available": ["", "1"]}
    r = client.post(page, data=fields)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Adjudicator, adj["id"])
        assert a.name == "Renamed judge" and a.available is True
    assert _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated") == []
    # A form that does say "not available" withdraws them through the audited service.
    r = client.post(page, data={"csrf_token": csrf_token(client, page), **_adj_form(adj, name="Renamed judge"),
                                "available_present": "1"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Adjudicator, adj["id"]).available is False
    entries = _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated")
    assert [e.action for e in entries] == ["adjudicator_withdrawn"]
    assert entries[0].object_id == adj["id"] and entries[0].user_id is not None
    # ... and back, audited again; the same state again stores no second entry.
    for _ in range(2):
        r = client.post(page, data={"csrf_token": csrf_token(client, page),
                                    **_adj_form(adj, name="Renamed judge"), "available_present": "1",
                                    "available": "1"})
        assert r.status_code == 302
    assert [e.action for e in _actions(app, "adjudicator_withdrawn", "adjudicator_reinstated")] == \
        ["adjudicator_withdrawn", "adjudicator_reinstated"]


def test_withdrawn_adjudicator_edit_page_says_so_in_every_language(api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    adj = api.get(f"/tournaments/{t['id']}/adjudicators").get_json()[0]
    assert api.patch(f"/adjudicators/{adj['id']}", {"available": False}).status_code == 200
    page = f"/t/{t['id']}/adjudicators/{adj['id']}/edit"
    assert 'id="withdrawn-note"' in client.get(page + "?lang=en").get_data(as_text=True)
    for lang, word in (("kk", "Қайтару"), ("ru", "Вернуть")):
        html = client.get(f"{page}?lang={lang}").get_data(as_text=True)
        assert 'id="withdrawn-note"' in html and word in html


def test_room_availability_change_is_audited(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    room = api.get(f"/tournaments/{t['id']}/rooms").get_json()[0]
    page = f"/t/{t['id']}/rooms/{room['id']}/edit"
    base = {"csrf_token": csrf_token(client, page), "name": room["name"], "priority": "0", "available_present": "1"}
    assert client.post(page, data={**base, "available": "1"}).status_code == 302
    assert _actions(app, "room_unavailable", "room_available") == []
    assert client.post(page, data=base).status_code == 302
    assert [e.action for e in _actions(app, "room_unavailable", "room_available")] == ["room_unavailable"]


ALLOWED_SETTERS = {("services/participants.py", "set_team_active", "active"),
                   ("services/participants.py", "set_adjudicator_available", "available"),
                   ("services/participants.py", "set_room_available", "available")}


def test_nothing_else_assigns_availability_or_withdrawal():
    """The flags that say who takes part are assigned in the three audited setters only, so no
    form, import or API route can change them without an audit entry."""
    root = pathlib.Path(debate.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if "/tab/" in str(path):  # the pure tab logic works on its own frozen copies
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                for tgt in targets:
                    for el in (tgt.elts if isinstance(tgt, ast.Tuple) else [tgt]):
                        if isinstance(el, ast.Attribute) and el.attr in ("active", "available"):
                            found.add((str(path.relative_to(root)), fn.name, el.attr))
    assert found == ALLOWED_SETTERS


def test_team_edit_form_cannot_withdraw_a_team(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("kk",))
    _web_login(client)
    team = api.get(f"/tournaments/{t['id']}/teams").get_json()[0]
    page = f"/t/{t['id']}/teams/{team['id']}/edit"
    data = {"csrf_token": csrf_token(client, page), "league_id": str(t["leagues"][0]["id"]), "name": team["name"],
            "school": team["school"]["name"], "region": team["school"]["region"] or "", "coach": "Coach",
            "speaker1": "A one", "speaker2": "B two", "active": "", "active_present": "1"}
    r = client.post(page, data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Team, team["id"]).active is True
    # The withdraw button is the way, and it is audited.
    r = client.post(f"/t/{t['id']}/teams/{team['id']}/withdraw",
                    data={"csrf_token": csrf_token(client, page), "value": "0"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Team, team["id"]).active is False
    assert [e.action for e in _actions(app, "team_withdrawn")] == ["team_withdrawn"]


def test_new_adjudicator_form_can_start_unavailable(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    _web_login(client)
    page = f"/t/{t['id']}/adjudicators/new"
    html = client.get(page).get_data(as_text=True)
    assert 'name="available"' in html
    r = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Late judge", "languages": "kk",
                                "rating": "5", "available_present": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)
    r = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Ready judge", "languages": "kk",
                                "rating": "5", "available_present": "1", "available": "1"})
    assert r.status_code == 302
    with app.app_context():
        got = dict(db.session.execute(select(Adjudicator.name, Adjudicator.available)).all())
        assert got["Late judge"] is False and got["Ready judge"] is True


# ----- 2 and 3. a forfeit undone, a forfeited debate corrected -----

def _draw(api, settings=None):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=4, leagues=("kk",),
                               settings={"panel_size": 1, **(settings or {})})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    teams = {x["id"]: x for x in api.get(f"/tournaments/{t['id']}/teams").get_json()}
    return t, keys, rnd, draw, teams


def _ballot(client, key, d, winner="gov", scores=None):
    return client.post("/api/v1/ballots", headers={"X-Adjudicator-Key": key}, json={
        "debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": winner,
        "scores": scores or {"PM": 28, "MG": 27, "LO": 26, "MO": 25}})


def _confirm_all(api, client, keys, d, **kw):
    for adj in d["adjudicators"]:
        r = _ballot(client, keys[adj["id"]], d, **kw)
        assert r.status_code == 201, r.get_json()
        assert api.post(f"/ballots/{r.get_json()['id']}/confirm").status_code == 200


def _rows(api, lid):
    return {x["team_id"]: x for x in api.get(f"/leagues/{lid}/standings/teams").get_json()}


def _speakers(api, lid):
    return {x["speaker_id"]: x for x in api.get(f"/leagues/{lid}/standings/speakers").get_json()}


@pytest.mark.parametrize("rule", ["none", "average"])
def test_correcting_a_forfeited_debate_gives_a_normal_result(api, client, app, rule):
    t, keys, rnd, draw, teams = _draw(api, {"forfeit_points": rule, "confirm_own_entries": True})
    lid = t["leagues"][0]["id"]
    played, forfeited = draw["debates"]
    _confirm_all(api, client, keys, played)
    assert api.post(f"/debates/{forfeited['id']}/forfeit", {"absent": "opp"}).status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    gov, opp = forfeited["gov"]["team_id"], forfeited["opp"]["team_id"]
    assert _rows(api, lid)[gov]["wins"] == 1 and _rows(api, lid)[opp]["wins"] == 0
    # The team was there after all: the director corrects the debate to the ballot that was given.
    adj = forfeited["adjudicators"][0]["id"]
    g, o = teams[gov]["speakers"], teams[opp]["speakers"]
    body = {"adjudicator_id": adj, "winner": "opp", "scores": {"PM": 26, "MG": 25.5, "LO": 28, "MO": 27.5},
            "speakers": {"PM": g[0]["id"], "MG": g[1]["id"], "LO": o[0]["id"], "MO": o[1]["id"]},
            "reason": "the opposition was there: forfeit recorded by mistake"}
    _web_login(client)
    correct_page = client.get(f"/t/{t['id']}/debates/{forfeited['id']}/correct?lang=en").get_data(as_text=True)
    assert 'id="forfeit-note"' in correct_page and "The correction replaces the forfeit" in correct_page
    dry = api.post(f"/debates/{forfeited['id']}/corrections?dry_run=1", body)
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["affected"]["winner"] == {"old": "gov", "new": "opp"}
    assert api.get(f"/debates/{forfeited['id']}/result").get_json()["forfeit"] == "opp"  # nothing stored
    r = api.post(f"/debates/{forfeited['id']}/corrections", body)
    assert r.status_code == 201, r.get_json()
    result = api.get(f"/debates/{forfeited['id']}/result").get_json()
    assert result["forfeit"] is None and result["winner"] == "opp" and result["status"] == "confirmed"
    assert [b["scores"] for b in result["ballots"]] == [body["scores"]]
    rows = _rows(api, lid)
    assert rows[opp]["wins"] == 1 and rows[gov]["wins"] == 0
    assert rows[opp]["speaker_points"] == 55.5 and rows[gov]["speaker_points"] == 51.5
    sp = _speakers(api, lid)
    assert sp[o[0]["id"]]["total"] == 28 and sp[g[0]["id"]]["total"] == 26 and sp[g[0]["id"]]["speeches"] == 1
    with app.app_context():
        e = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "result_corrected")).one()
        assert e.object_id == forfeited["id"] and e.details["reason"] == body["reason"]
        assert e.details["forfeit_undone"] == "opp" and e.details["old_winner"] == "gov"
    public = client.get(f"/p/{t['id']}/l/{lid}/results?lang=en").get_data(as_text=True)
    assert "did not appear" not in public and forfeited["opp"]["name"] in public
    page = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/results?lang=en").get_data(as_text=True)
    assert "did not appear" not in page


def test_correcting_a_forfeit_waits_for_a_second_person_like_any_correction(api, client, app, make_user):
    t, keys, rnd, draw, teams = _draw(api)
    d = draw["debates"][0]
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "gov"}).status_code == 200
    adj = d["adjudicators"][0]["id"]
    r = api.post(f"/debates/{d['id']}/corrections", {"adjudicator_id": adj, "winner": "gov",
                                                     "scores": {"PM": 28, "MG": 27, "LO": 26, "MO": 25},
                                                     "reason": "gov was in the wrong room"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["ballot"]["status"] == "submitted"
    result = api.get(f"/debates/{d['id']}/result").get_json()
    # The forfeit is gone; until the corrected ballot is confirmed the debate has no result.
    assert result["forfeit"] is None and result["winner"] is None and result["status"] == "complete"
    make_user("second", "second-password-1")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "second"))
        db.session.add(TournamentMember(tournament_id=t["id"], user_id=uid, role="staff"))
        db.session.commit()
    tok = client.post("/api/v1/auth/token", json={"username": "second", "password": "second-password-1"}).get_json()
    c = client.post(f"/api/v1/ballots/{r.get_json()['ballot']['id']}/confirm",
                    headers={"Authorization": f"Bearer {tok['token']}"})
    assert c.status_code == 200, c.get_json()
    result = api.get(f"/debates/{d['id']}/result").get_json()
    assert result["winner"] == "gov" and result["status"] == "confirmed" and result["forfeit"] is None


def test_undo_forfeit_service_previews_refuses_and_audits(api, client, app):
    t, keys, rnd, draw, teams = _draw(api)
    lid = t["leagues"][0]["id"]
    played, d = draw["debates"]
    _confirm_all(api, client, keys, played)
    with app.app_context():
        debate = db.session.get(Debate, d["id"])
        with pytest.raises(corrections.Refused) as e:
            corrections.undo_forfeit(debate, None, "typo")
        assert e.value.status == 409 and e.value.code == "not_forfeited"
        db.session.rollback()
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "gov"}).status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    before = _rows(api, lid)
    assert before[d["opp"]["team_id"]]["wins"] == 1
    # a second round drawn on the forfeit
    rnd2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{rnd2['id']}/draw").status_code == 201
    with app.app_context():
        debate = db.session.get(Debate, d["id"])
        with pytest.raises(corrections.Refused) as e:
            corrections.undo_forfeit(debate, None, "   ")
        assert e.value.status == 422 and "reason" in e.value.fields
        db.session.rollback()
        dry = corrections.undo_forfeit(debate, None, "gov was in room 2", dry_run=True)
        db.session.rollback()
        assert dry["stored"] is False and dry["absent"] == "gov"
        assert dry["affected"]["rounds"] == [rnd2["id"]]
        assert dry["affected"]["winner"] == {"old": "opp", "new": None}
        assert {m["team_id"] for m in dry["affected"]["standings"]} >= {d["opp"]["team_id"]}
        assert db.session.get(Debate, d["id"]).forfeit == "gov"  # nothing stored
        db.session.rollback()
    assert _actions(app, "forfeit_undone") == []
    assert api.get(f"/debates/{d['id']}/result").get_json()["forfeit"] == "gov"
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "apiuser"))
        debate = db.session.get(Debate, d["id"])
        out = corrections.undo_forfeit(debate, db.session.get(User, uid), "gov was in room 2")
        db.session.commit()
        assert out["stored"] is True
    result = api.get(f"/debates/{d['id']}/result").get_json()
    assert result["forfeit"] is None and result["winner"] is None and result["status"] == "none"
    assert _rows(api, lid)[d["opp"]["team_id"]]["wins"] == 0
    (entry,) = _actions(app, "forfeit_undone")
    assert entry.object_id == d["id"] and entry.details["reason"] == "gov was in room 2"
    assert entry.details["absent"] == "gov" and entry.details["old_winner"] == "opp"
    assert entry.details["rounds"] == [rnd2["id"]] and entry.user_id is not None
    # Ballots can be entered again, and the result counts once confirmed.
    _confirm_all(api, client, keys, d, winner="gov")
    result = api.get(f"/debates/{d['id']}/result").get_json()
    assert result["winner"] == "gov" and result["status"] == "confirmed" and result["forfeit"] is None
    assert _rows(api, lid)[d["gov"]["team_id"]]["wins"] == 1


def test_undo_forfeit_from_the_debate_page(api, client, app):
    t, keys, rnd, draw, teams = _draw(api)
    lid = t["leagues"][0]["id"]
    d = draw["debates"][0]
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "opp"}).status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "results": True})
    _web_login(client)
    results = f"/t/{t['id']}/rounds/{rnd['id']}/results"
    page = f"/t/{t['id']}/debates/{d['id']}/forfeit/undo"
    assert page in client.get(results + "?lang=en").get_data(as_text=True)
    for lang, words in (("en", "Undo the forfeit"), ("ru", "Отменить неявку"), ("kk", "Келмеуді болдырмау")):
        html = client.get(f"{page}?lang={lang}").get_data(as_text=True)
        assert words in html, lang
    token = csrf_token(client, page)
    r = client.post(page + "?lang=ru", data={"csrf_token": token, "step": "preview", "reason": ""})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.get_data(as_text=True)
    r = client.post(page + "?lang=en", data={"csrf_token": token, "step": "preview", "reason": "opp was there"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="undo-preview"' in html and 'id="store-btn"' in html
    assert f"{d['gov']['name']} loses the win of the forfeit." in html
    assert 'id="affected-break"' in html and "No later round was drawn on the old result." in html
    assert api.get(f"/debates/{d['id']}/result").get_json()["forfeit"] == "opp"  # a preview stores nothing
    r = client.post(page, data={"csrf_token": token, "step": "store", "reason": "opp was there"})
    assert r.status_code == 302
    assert api.get(f"/debates/{d['id']}/result").get_json()["forfeit"] is None
    html = client.get(results + "?lang=en").get_data(as_text=True)
    assert "did not appear" not in html and "Record a forfeit" in html
    assert "did not appear" not in client.get(f"/p/{t['id']}/l/{lid}/results?lang=en").get_data(as_text=True)
    audit = client.get(f"/t/{t['id']}/audit?lang=en").get_data(as_text=True)
    assert "forfeit undone" in audit
    # Once undone there is nothing left to undo: said in words, nothing changes.
    r = client.post(page, data={"csrf_token": token, "step": "store", "reason": "again"})
    assert r.status_code == 409 and "No forfeit is recorded for this debate." in r.get_data(as_text=True)
    assert len(_actions(app, "forfeit_undone")) == 1
    # The adjudicator's ballot is taken again.
    r = _ballot(client, keys[d["adjudicators"][0]["id"]], d)
    assert r.status_code == 201, r.get_json()


def test_api_correction_of_a_released_forfeit_tells_the_public_pages(api, client, app):
    """The API's correction of a forfeited debate whose result is public removes the forfeit's
    result (until the corrected ballot is confirmed): spectators' pages are told, as the results
    page's correction and the undone forfeit tell them."""
    t, keys, rnd, draw, teams = _draw(api)
    lid = t["leagues"][0]["id"]
    d = draw["debates"][0]
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "gov"}).status_code == 200
    assert api.post(f"/rounds/{rnd['id']}/release", {"results": True}).status_code == 200
    watcher = socketio.test_client(app)
    assert watcher.emit("join", {"tournament": t["id"], "league": lid}, callback=True)["rooms"] == [
        f"t{t['id']}", f"l{lid}"]
    watcher.get_received()
    r = api.post(f"/debates/{d['id']}/corrections", {"adjudicator_id": d["adjudicators"][0]["id"], "winner": "opp",
                                                     "scores": {"PM": 26, "MG": 25, "LO": 28, "MO": 27},
                                                     "reason": "gov was in the wrong room"})
    assert r.status_code == 201 and r.get_json()["ballot"]["status"] == "submitted", r.get_json()
    assert api.get(f"/debates/{d['id']}/result").get_json()["forfeit"] is None
    got = [m["args"][0] for m in watcher.get_received() if m["name"] == "changed"]
    assert {(m.get("league_id"), m["what"]) for m in got} >= {(lid, "result")}, got
    watcher.disconnect()


@pytest.mark.parametrize("kind,extra", [("adjudicators", {"languages": ["kk"]}), ("rooms", {})])
def test_api_create_refuses_an_availability_that_is_not_a_boolean(api, app, kind, extra):
    """POST adjudicators/rooms read "available" (false: starts withdrawn / out of use); "no" or 0
    was taken as yes and the participant created available. Like PATCH: 422 not_a_bool, nothing stored."""
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",))
    model = Adjudicator if kind == "adjudicators" else Room
    with app.app_context():
        before = len(db.session.scalars(select(model)).all())
    for value in ("no", 0, "false", [False]):
        r = api.post(f"/tournaments/{t['id']}/{kind}", {"name": f"New {value}", "available": value, **extra})
        assert r.status_code == 422, (value, r.get_json())
        assert "available" in str(r.get_json()), r.get_json()
    with app.app_context():
        assert len(db.session.scalars(select(model)).all()) == before
    r = api.post(f"/tournaments/{t['id']}/{kind}", {"name": "Out", "available": False, **extra})
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        assert db.session.get(model, r.get_json()["id"]).available is False


def test_an_appeals_correction_of_a_public_result_tells_the_public_pages(api, client, app):
    """An upheld appeal's corrected ballot (here of a forfeited debate, confirmed at once) changes a
    result spectators see: their pages are told, as after any other correction."""
    t, keys, rnd, draw, teams = _draw(api, {"confirm_own_entries": True})
    lid = t["leagues"][0]["id"]
    d = draw["debates"][0]
    assert api.post(f"/debates/{d['id']}/forfeit", {"absent": "opp"}).status_code == 200
    assert api.post(f"/rounds/{rnd['id']}/release", {"results": True}).status_code == 200
    with app.app_context():
        appeal = Appeal(tournament_id=t["id"], round_id=rnd["id"], team_id=d["opp"]["team_id"], debate_id=d["id"],
                        text="We were there.", filed_at=datetime.now(timezone.utc))
        db.session.add(appeal)
        db.session.commit()
        aid = appeal.id
    watcher = socketio.test_client(app)
    watcher.emit("join", {"tournament": t["id"], "league": lid}, callback=True)
    watcher.get_received()
    _web_login(client)
    r = client.post(f"/t/{t['id']}/appeals/{aid}/correction",
                    data={"csrf_token": csrf_token(client, f"/t/{t['id']}/appeals"),
                          "adjudicator_id": d["adjudicators"][0]["id"], "winner": "opp",
                          **{f"score_{k}": v for k, v in {"PM": 25, "MG": 25, "LO": 28, "MO": 27}.items()}})
    assert r.status_code == 302
    result = api.get(f"/debates/{d['id']}/result").get_json()
    assert result["forfeit"] is None and result["winner"] == "opp" and result["status"] == "confirmed"
    got = [m["args"][0] for m in watcher.get_received() if m["name"] == "changed"]
    assert {(m.get("league_id"), m["what"]) for m in got} >= {(lid, "result")}, got
    watcher.disconnect()
