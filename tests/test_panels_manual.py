"""The director's hand work on panels and rooms: the warning preview shown before a move,
swapping two adjudicators, rooms set by hand, and step-free rooms for adjudicators."""
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, Debate, DebateAdjudicator
from tests.conftest import csrf_token
from tests.flow import setup_tournament


def _sign_in(client):
    """Sign the API's director in through the form; returns the CSRF token for later forms."""
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    return csrf_token(client, "/")


def _drawn_round(api, **kw):
    t, keys = setup_tournament(api, **kw)
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    return t, rnd, draw


def _seats(app, rid):
    with app.app_context():
        return {row.adjudicator_id: (row.debate_id, row.role, row.locked) for row in db.session.scalars(
            select(DebateAdjudicator).where(DebateAdjudicator.round_id == rid))}


def test_preview_warns_of_a_conflict_before_the_move_and_changes_nothing(app, api, client):
    t, rnd, draw = _drawn_round(api, teams_per_league=4, adjudicators=14, rooms=6, leagues=("kk",))
    target = draw["debates"][0]
    # An adjudicator declared in conflict with the target's Government team, added after the draw.
    spare = api.post(f"/tournaments/{t['id']}/adjudicators",
                     [{"name": "Conflicted", "languages": ["kk"],
                       "conflicts": {"team_ids": [target["gov"]["team_id"]]}}]).get_json()[0]
    tok = _sign_in(client)
    before = _seats(app, rnd["id"])
    url = f"/t/{t['id']}/rounds/{rnd['id']}/panel/preview"
    r = client.get(url, query_string={"adjudicator_id": spare["id"], "debate_id": target["id"], "role": "panellist"})
    assert r.status_code == 200
    data = r.get_json()
    assert [d["debate_id"] for d in data["debates"]] == [target["id"]]
    texts = {w["text"]: w["new"] for w in data["debates"][0]["warnings"]}
    assert texts["Conflicted has a declared conflict with a team."] is True
    assert texts["The panel has an even number of adjudicators (4)."] is True
    assert data["new"] == 2
    assert _seats(app, rnd["id"]) == before  # a preview stores nothing

    # Moving someone already seated elsewhere shows both debates: the one left short too.
    seated = target["adjudicators"][1]["id"]
    other = draw["debates"][1]
    data = client.get(url, query_string={"adjudicator_id": seated, "debate_id": other["id"],
                                         "role": "chair"}).get_json()
    assert {d["debate_id"] for d in data["debates"]} == {target["id"], other["id"]}
    by_debate = {d["debate_id"]: [w["text"] for w in d["warnings"] if w["new"]] for d in data["debates"]}
    assert "The panel has an even number of adjudicators (2)." in by_debate[target["id"]]
    assert "The panel has an even number of adjudicators (4)." in by_debate[other["id"]]


def test_preview_of_a_clean_swap_has_no_new_warning(api, client):
    t, rnd, draw = _drawn_round(api, teams_per_league=4, adjudicators=6, rooms=2, leagues=("kk",))
    a, b = draw["debates"][0]["adjudicators"][1], draw["debates"][1]["adjudicators"][1]
    tok = _sign_in(client)
    data = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/panel/preview",
                      query_string={"adjudicator_id": a["id"], "swap_with": b["id"]}).get_json()
    assert data["new"] == 0
    assert {d["debate_id"] for d in data["debates"]} == {draw["debates"][0]["id"], draw["debates"][1]["id"]}


def test_swap_exchanges_seats_locks_them_and_is_audited(app, api, client):
    t, rnd, draw = _drawn_round(api, teams_per_league=4, adjudicators=6, rooms=2, leagues=("kk",))
    d0, d1 = draw["debates"][0], draw["debates"][1]
    chair0 = next(a["id"] for a in d0["adjudicators"] if a["role"] == "chair")
    wing1 = next(a["id"] for a in d1["adjudicators"] if a["role"] != "chair")
    tok = _sign_in(client)
    r = client.post(f"/t/{t['id']}/rounds/{rnd['id']}/panel",
                    data={"csrf_token": tok, "action": "swap", "adjudicator_id": chair0, "swap_with": wing1})
    assert r.status_code == 302
    seats = _seats(app, rnd["id"])
    assert seats[wing1] == (d0["id"], "chair", True)
    assert seats[chair0] == (d1["id"], "panellist", True)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "panel_swap")) is not None
    # Locks survive re-allocation.
    client.post(f"/t/{t['id']}/rounds/{rnd['id']}/allocate", data={"csrf_token": tok})
    seats = _seats(app, rnd["id"])
    assert seats[wing1][:2] == (d0["id"], "chair") and seats[chair0][:2] == (d1["id"], "panellist")
    # Swapping someone with themself is refused with a message, and nothing changes.
    r = client.post(f"/t/{t['id']}/rounds/{rnd['id']}/panel",
                    data={"csrf_token": tok, "action": "swap", "adjudicator_id": chair0, "swap_with": chair0}, follow_redirects=True)
    assert "Choose two different adjudicators." in r.get_data(as_text=True)
    assert _seats(app, rnd["id"]) == seats


def test_adjudicator_needing_a_step_free_room_gets_one(app, api, client):
    t = api.post("/tournaments", {"name": "Access cup", "leagues": [{"language": "kk"}]}).get_json()
    lid = t["leagues"][0]["id"]
    api.post(f"/tournaments/{t['id']}/teams", [{"league_id": lid, "name": f"T{i}",
                                                 "speakers": [{"name": f"A{i}"}, {"name": f"B{i}"}]} for i in range(8)])
    adjs = api.post(f"/tournaments/{t['id']}/adjudicators",
                    [{"name": f"J{i}", "languages": ["kk"], "rating": 9 - i, "needs_access": i == 3}
                     for i in range(4)]).get_json()
    needing = next(a for a in adjs if a["needs_access"])
    assert sum(a["needs_access"] for a in adjs) == 1
    # The one step-free room has the lowest priority, so only the need puts a debate there.
    rooms = api.post(f"/tournaments/{t['id']}/rooms", [{"name": f"R{i}", "accessible": i == 3, "priority": 5 - i}
                                                         for i in range(4)]).get_json()
    step_free = next(r["id"] for r in rooms if r["accessible"])
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    where = next(d for d in draw["debates"] if needing["id"] in {a["id"] for a in d["adjudicators"]})
    assert where["room"]["id"] == step_free

    # Moved by hand into a debate in an ordinary room, the round page warns about the room,
    # and re-assigning rooms fixes it.
    tok = _sign_in(client)
    other = next(d for d in draw["debates"] if d["id"] != where["id"])
    client.post(f"/t/{t['id']}/rounds/{rnd['id']}/panel",
                data={"csrf_token": tok, "action": "move", "adjudicator_id": needing["id"], "debate_id": other["id"], "role": "panellist"})
    page = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/").get_data(as_text=True)
    assert "is not step-free, but someone in this debate needs a step-free room" in page
    client.post(f"/t/{t['id']}/rounds/{rnd['id']}/rooms", data={"csrf_token": tok, "action": "reassign"})
    with app.app_context():
        assert db.session.get(Debate, other["id"]).room_id == step_free


def test_room_set_by_hand_exchanges_and_is_kept(app, api, client):
    t, rnd, draw = _drawn_round(api, teams_per_league=6, adjudicators=9, rooms=4, leagues=("kk",))
    d0, d1 = draw["debates"][0], draw["debates"][1]
    r0, r1 = d0["room"]["id"], d1["room"]["id"]
    tok = _sign_in(client)
    assert client.post(f"/t/{t['id']}/rounds/{rnd['id']}/rooms",
                       data={"csrf_token": tok, "debate_id": d0["id"], "room_id": r1}).status_code == 302
    with app.app_context():
        assert db.session.get(Debate, d0["id"]).room_id == r1
        assert db.session.get(Debate, d1["id"]).room_id == r0  # exchanged, not doubled
        assert db.session.get(Debate, d0["id"]).room_locked
    client.post(f"/t/{t['id']}/rounds/{rnd['id']}/rooms", data={"csrf_token": tok, "action": "reassign"})
    client.post(f"/t/{t['id']}/rounds/{rnd['id']}/allocate", data={"csrf_token": tok})
    with app.app_context():
        rooms = [d.room_id for d in db.session.scalars(select(Debate).where(Debate.round_id == rnd["id"]))]
        assert db.session.get(Debate, d0["id"]).room_id == r1
        assert len(rooms) == len(set(rooms))
    # A room of another tournament is refused.
    other_t = api.post("/tournaments", {"name": "Other", "leagues": [{"language": "kk"}]}).get_json()
    foreign = api.post(f"/tournaments/{other_t['id']}/rooms", [{"name": "X"}]).get_json()[0]
    r = client.post(f"/t/{t['id']}/rounds/{rnd['id']}/rooms", data={"csrf_token": tok, "debate_id": d0["id"], "room_id": foreign["id"]},
                    follow_redirects=True)
    assert "Choose a room of this tournament." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Debate, d0["id"]).room_id == r1
