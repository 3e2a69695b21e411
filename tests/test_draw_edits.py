"""Manual changes of a draw go through one service (debate/services/draw_edits.py): the preview
shown before a change and the change itself use the same plan, so they cannot disagree; a round
with a confirmed result is locked (409 round_locked) in the pages and the API alike, until a
director unlocks it for a correction, with a reason, which is audited."""
import random

from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, Debate, DebateAdjudicator, Round, TournamentMember, User
from debate.services import draw_edits
from debate.services.errors import Refused
from debate.services.warnings import round_warnings
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament


def _sign_in(client):
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    return csrf_token(client, "/")


def _state(app, rid):
    """Everything a manual edit may change, to check that a refusal changed nothing."""
    with app.app_context():
        debates = db.session.scalars(select(Debate).where(Debate.round_id == rid).order_by(Debate.id)).all()
        seats = db.session.execute(select(DebateAdjudicator.adjudicator_id, DebateAdjudicator.debate_id,
                                          DebateAdjudicator.role, DebateAdjudicator.locked)
                                   .where(DebateAdjudicator.round_id == rid)).all()
        return ([(d.id, d.gov_team_id, d.opp_team_id, d.room_id, d.room_locked, list(d.flags or []))
                 for d in debates], sorted(map(tuple, seats)))


def _confirmed_round(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk",))
    rnd, draw = run_prelim_round(api, client, t, keys, random.Random(3))
    return t, keys, rnd, draw


def _ops(draw, spare_room):
    d0, d1 = draw["debates"][0], draw["debates"][1]
    a0, a1 = d0["adjudicators"][0]["id"], d1["adjudicators"][1]["id"]
    return [{"op": "move", "adjudicator_id": a0, "debate_id": d1["id"], "role": "panellist"},
            {"op": "remove", "adjudicator_id": a0},
            {"op": "lock_seat", "adjudicator_id": a0, "locked": False},
            {"op": "swap_adjudicators", "adjudicator_id": a0, "swap_with": a1},
            {"op": "swap_teams", "team_a": d0["gov"]["team_id"], "team_b": d1["opp"]["team_id"]},
            {"op": "swap_sides", "debate_id": d0["id"]},
            {"op": "set_room", "debate_id": d0["id"], "room_id": spare_room},
            {"op": "reassign_rooms"}]


def test_a_confirmed_round_refuses_every_change_through_the_api(app, api, client):
    t, _keys, rnd, draw = _confirmed_round(api, client)
    rooms = api.get(f"/tournaments/{t['id']}/rooms").get_json()
    before = _state(app, rnd["id"])
    r = api.post(f"/rounds/{rnd['id']}/draw?regenerate=1")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "round_locked"
    assert api.get(f"/tournaments/{t['id']}/rounds").get_json()[0]["locked"] is True
    for op in _ops(draw, rooms[-1]["id"]):
        for dry in ("", "?dry_run=1"):
            r = api.post(f"/rounds/{rnd['id']}/edits{dry}", op)
            assert r.status_code == 409, (op, r.get_json())
            assert r.get_json()["error"]["code"] == "round_locked"
            assert "locked" in r.get_json()["error"]["message"]
    assert _state(app, rnd["id"]) == before


def test_a_confirmed_round_refuses_every_change_in_the_pages(app, api, client):
    t, _keys, rnd, draw = _confirmed_round(api, client)
    rooms = api.get(f"/tournaments/{t['id']}/rooms").get_json()
    tok = _sign_in(client)
    before = _state(app, rnd["id"])
    base = f"/t/{t['id']}/rounds/{rnd['id']}"
    d0, d1 = draw["debates"][0], draw["debates"][1]
    a0, a1 = d0["adjudicators"][0]["id"], d1["adjudicators"][1]["id"]
    posts = [("/draw", {"regenerate": "1"}), ("/allocate", {}),
             ("/panel", {"action": "move", "adjudicator_id": a0, "debate_id": d1["id"], "role": "chair"}),
             ("/panel", {"action": "remove", "adjudicator_id": a0}),
             ("/panel", {"action": "lock", "adjudicator_id": a0}),
             ("/panel", {"action": "chair", "adjudicator_id": d0["adjudicators"][1]["id"]}),
             ("/panel", {"action": "swap", "adjudicator_id": a0, "swap_with": a1}),
             ("/swap-teams", {"team_a": d0["gov"]["team_id"], "team_b": d1["opp"]["team_id"]}),
             (f"/debates/{d0['id']}/swap-sides", {}),
             ("/rooms", {"debate_id": d0["id"], "room_id": rooms[-1]["id"]}),
             ("/rooms", {"action": "reassign"})]
    for path, data in posts:
        r = client.post(base + path, data={"csrf_token": tok, **data})
        assert r.status_code == 302 and r.headers["Location"].endswith(base + "/"), (path, r.headers.get("Location"))
        page = client.get(base + "/").get_data(as_text=True)
        assert "This round has confirmed results, so its draw is locked" in page, path
    assert _state(app, rnd["id"]) == before
    # The page says the round is locked and offers no edit controls, only the way to unlock.
    page = client.get(base + "/").get_data(as_text=True)
    assert "Locked: this round has confirmed results" in page
    for control in ("Regenerate draw", "Allocate adjudicators", "Re-assign rooms", "Swap sides", "Make chair",
                    "Move an adjudicator", "Set room"):
        assert control not in page, control
    assert "Unlock for correction" in page
    # The preview of a move refuses too.
    r = client.get(base + "/panel/preview", query_string={"adjudicator_id": a0, "debate_id": d1["id"]})
    assert r.status_code == 409


def test_preview_and_action_agree_on_random_changes(app, api, client):
    """For random changes of every kind on a drawn round, the warnings the preview predicts are
    exactly the round's warnings once the change is made, and the preview stores nothing."""
    t, _keys = setup_tournament(api, teams_per_league=6, adjudicators=13, rooms=7, leagues=("kk", "ru"))
    api.post(f"/tournaments/{t['id']}/adjudicators", [
        {"name": "Conflicted", "languages": ["kk"], "conflicts": {"schools": ["School kk1"]}},
        {"name": "Russian only", "languages": ["ru"], "needs_access": True}]).get_json()
    api.post(f"/tournaments/{t['id']}/rooms", [{"name": "Step-free", "accessible": True, "priority": -5}])
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{rnd['id']}/draw").status_code == 201
    rng = random.Random(11)
    adj_ids = [a["id"] for a in api.get(f"/tournaments/{t['id']}/adjudicators").get_json()]
    room_ids = [x["id"] for x in api.get(f"/tournaments/{t['id']}/rooms").get_json()]
    with app.app_context():
        kinds = ("move", "move", "remove", "lock_seat", "chair", "swap_adjudicators", "swap_teams", "swap_sides", "set_room",
                 "reassign_rooms")
        checked = 0
        for step in range(60):
            debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd["id"]).order_by(Debate.id)).all()
            kind = rng.choice(kinds)
            d = rng.choice(debates)
            if kind == "move":
                op = {"op": "move", "adjudicator_id": rng.choice(adj_ids), "debate_id": d.id,
                      "role": rng.choice(["chair", "panellist"])}
            elif kind in ("remove", "lock_seat", "chair"):
                op = {"op": kind, "adjudicator_id": rng.choice(adj_ids)}
            elif kind == "swap_adjudicators":
                a, b = rng.sample(adj_ids, 2)
                op = {"op": kind, "adjudicator_id": a, "swap_with": b}
            elif kind == "swap_teams":
                league = [x for x in debates if x.league_id == d.league_id]
                e = rng.choice(league)
                op = {"op": kind, "team_a": rng.choice([d.gov_team_id, d.opp_team_id]),
                      "team_b": rng.choice([e.gov_team_id, e.opp_team_id])}
            elif kind == "swap_sides":
                op = {"op": kind, "debate_id": d.id}
            elif kind == "set_room":
                op = {"op": kind, "debate_id": d.id, "room_id": rng.choice(room_ids)}
            else:
                op = {"op": kind}
            r = db.session.get(Round, rnd["id"])
            before = round_warnings(r)
            try:
                plan = draw_edits.preview(r, op)
            except Refused as e:
                # A refused plan is refused by the action too, and changes nothing.
                try:
                    draw_edits.apply(r, op)
                except Refused as e2:
                    assert (e2.status, e2.code) == (e.status, e.code)
                    db.session.rollback()
                    continue
                raise AssertionError(f"preview refused {op} but the action did not")
            assert round_warnings(r) == before  # the preview stores nothing
            draw_edits.apply(r, op)
            db.session.commit()
            db.session.expire_all()
            after = round_warnings(db.session.get(Round, rnd["id"]))
            assert plan.warnings_after == after, op
            assert {did for did in set(before) | set(after) if before.get(did) != after.get(did)} <= plan.touched, op
            checked += 1
        assert checked > 30


def test_api_edits_dry_run_previews_and_the_edit_applies(app, api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk",))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    d0, d1 = draw["debates"][0], draw["debates"][1]
    mover = next(a["id"] for a in d0["adjudicators"] if a["role"] != "chair")
    op = {"op": "move", "adjudicator_id": mover, "debate_id": d1["id"], "role": "panellist"}
    before = _state(app, rnd["id"])
    r = api.post(f"/rounds/{rnd['id']}/edits?dry_run=1", op)
    assert r.status_code == 200, r.get_json()
    preview = r.get_json()
    assert preview["dry_run"] is True
    assert {c["debate_id"] for c in preview["changes"]} == {d0["id"], d1["id"]}
    codes = {w["code"] for w in preview["warnings"][str(d1["id"])] if w["new"]}
    assert "even_panel" in codes
    assert _state(app, rnd["id"]) == before
    r = api.post(f"/rounds/{rnd['id']}/edits", op)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["dry_run"] is False
    assert r.get_json()["warnings"] == preview["warnings"]
    moved = next(d for d in r.get_json()["draw"]["debates"] if d["id"] == d1["id"])
    assert mover in {a["id"] for a in moved["adjudicators"]}
    # Bad requests are 4xx in the caller's language.
    assert api.post(f"/rounds/{rnd['id']}/edits", {"op": "teleport"}).status_code == 422
    r = api.post(f"/rounds/{rnd['id']}/edits", {"op": "swap_teams", "team_a": 1, "team_b": 1})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "same_team"
    r = api.post(f"/rounds/{rnd['id']}/edits", {"op": "set_room", "debate_id": d0["id"], "room_id": 999999})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_room"
    r = api.post(f"/rounds/{rnd['id']}/edits", {"op": "move", "adjudicator_id": "x", "debate_id": d0["id"]})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "panel_move")) is not None


def test_unlock_needs_a_director_and_a_reason_shows_what_it_exposes_and_is_audited(app, api, client, make_user):
    t, keys, rnd, draw = _confirmed_round(api, client)
    rnd2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{rnd2['id']}/draw").status_code == 201
    # Tab staff cannot unlock.
    make_user("helper", "helper-password-1", "staff")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "helper"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="staff"))
        db.session.commit()
    staff = client.post("/api/v1/auth/token", json={"username": "helper", "password": "helper-password-1"}).get_json()
    r = client.post(f"/api/v1/rounds/{rnd['id']}/unlock", json={"reason": "appeal"},
                    headers={"Authorization": f"Bearer {staff['token']}"})
    assert r.status_code == 403
    # A reason is required.
    for body in ({}, {"reason": "   "}, {"reason": 5}):
        r = api.post(f"/rounds/{rnd['id']}/unlock", body)
        assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"], body
    # The preview lists the confirmed results it exposes and the later round drawn on them.
    r = api.post(f"/rounds/{rnd['id']}/unlock?dry_run=1", {"reason": "appeal 4 upheld"})
    assert r.status_code == 200, r.get_json()
    p = r.get_json()["preview"]
    assert {d["id"] for d in p["confirmed_debates"]} == {d["id"] for d in draw["debates"]}
    assert [x["id"] for x in p["later_rounds"]] == [rnd2["id"]]
    assert p["results_released"] is True
    assert r.get_json()["round"]["locked"] is True
    assert api.post(f"/rounds/{rnd['id']}/edits", {"op": "swap_sides", "debate_id": draw["debates"][0]["id"]}
                    ).status_code == 409
    # Unlocked: changes are possible, and audited with the reason.
    r = api.post(f"/rounds/{rnd['id']}/unlock", {"reason": "appeal 4 upheld"})
    assert r.status_code == 200 and r.get_json()["round"]["locked"] is False
    assert r.get_json()["round"]["unlocked"]["reason"] == "appeal 4 upheld"
    assert api.post(f"/rounds/{rnd['id']}/edits", {"op": "swap_sides", "debate_id": draw["debates"][0]["id"]}
                    ).status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round_unlocked"))
        assert entry.details["reason"] == "appeal 4 upheld" and entry.object_id == rnd["id"]
        assert entry.details["later_rounds"] == [rnd2["id"]]
    # Unlocking an unlocked round is refused; locking again is audited and locks.
    assert api.post(f"/rounds/{rnd['id']}/unlock", {"reason": "again"}).get_json()["error"]["code"] == "round_not_locked"
    r = api.post(f"/rounds/{rnd['id']}/lock", {})
    assert r.status_code == 200 and r.get_json()["locked"] is True
    assert api.post(f"/rounds/{rnd['id']}/edits", {"op": "reassign_rooms"}).get_json()["error"]["code"] == "round_locked"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round_relocked")) is not None
    # The next confirmed ballot of the round (here a director's correction, confirmed by a second
    # person: the ballot window of a confirmed debate is closed) ends an unlock by itself.
    api.post(f"/rounds/{rnd['id']}/unlock", {"reason": "correction"})
    d = draw["debates"][1]
    adj = d["adjudicators"][0]["id"]
    c = api.post(f"/debates/{d['id']}/corrections", {"adjudicator_id": adj, "winner": "gov", "reason": "typo",
                                                     "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}})
    assert c.status_code == 201, c.get_json()
    r = client.post(f"/api/v1/ballots/{c.get_json()['ballot']['id']}/confirm",
                    headers={"Authorization": f"Bearer {staff['token']}"})
    assert r.status_code == 200, r.get_json()
    assert api.post(f"/rounds/{rnd['id']}/edits", {"op": "reassign_rooms"}).get_json()["error"]["code"] == "round_locked"


def test_unlock_in_the_pages_shows_the_preview_then_unlocks(app, api, client):
    t, _keys, rnd, draw = _confirmed_round(api, client)
    tok = _sign_in(client)
    base = f"/t/{t['id']}/rounds/{rnd['id']}"
    page = client.get(base + "/unlock").get_data(as_text=True)
    assert "Unlock for correction" in page
    assert draw["debates"][0]["gov"]["name"] in page  # the confirmed results it exposes
    r = client.post(base + "/unlock", data={"csrf_token": tok, "reason": " "}, follow_redirects=True)
    assert "This field is required." in r.get_data(as_text=True)
    assert "Locked: this round has confirmed results" in client.get(base + "/").get_data(as_text=True)
    r = client.post(base + "/unlock", data={"csrf_token": tok, "reason": "Wrong chair"})
    assert r.status_code == 302
    page = client.get(base + "/").get_data(as_text=True)
    assert "Unlocked for correction" in page and "Wrong chair" in page and "Regenerate draw" in page
    client.post(base + "/lock", data={"csrf_token": tok})
    assert "Locked: this round has confirmed results" in client.get(base + "/").get_data(as_text=True)
