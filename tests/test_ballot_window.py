"""The ballot window (draw_not_released, ballot_closed), corrections and what they touch,
confirm_own_entries, and confirming a round at speed (issue 18 items 1, 2, 6, 7; issue 17 item 9)."""
import random
import uuid

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, Award, Ballot, BreakSeed, Debate, Tournament
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament


def _post(client, key, body):
    return client.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})


def _scores(winner):
    return {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26} if winner == "gov" else {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}


def _ballot(d, winner, client_id=None):
    return {"debate_id": d["id"], "client_id": client_id or str(uuid.uuid4()), "winner": winner,
            "scores": _scores(winner)}


@pytest.fixture
def day(api, client):
    """Round 1 confirmed and released, round 2 drawn (one league of 6 teams, panels of 3)."""
    t, keys = setup_tournament(api, teams_per_league=6, adjudicators=9, rooms=4, leagues=("kk",))
    r1, draw1 = run_prelim_round(api, client, t, keys, random.Random(3))
    r2 = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    assert api.post(f"/rounds/{r2['id']}/draw").status_code == 201
    return t, keys, r1, draw1, r2


def _winner(app, did):
    with app.app_context():
        return db.session.get(Debate, did).winner


def test_late_flip_is_refused_kept_and_changes_nothing(app, api, client, day):
    t, keys, r1, draw1, _r2 = day
    d = draw1["debates"][0]
    before = _winner(app, d["id"])
    other = "opp" if before == "gov" else "gov"
    ids = []
    for adj in d["adjudicators"]:
        r = _post(client, keys[adj["id"]], _ballot(d, other))
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["error"]["code"] == "ballot_closed"
    # One click on "confirm" has nothing new to confirm: the result stays.
    r = api.post(f"/rounds/{r1['id']}/confirm")
    assert r.status_code == 200
    assert _winner(app, d["id"]) == before
    assert api.get(f"/debates/{d['id']}/result").get_json()["winner"] == before
    with app.app_context():
        late = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_after_close",
                                                           AuditEntry.object_id == d["id"])).all()
        assert len(late) == len(d["adjudicators"])
        assert all(e.details["winner"] == other and e.details["scores"] for e in late)
        ids = {b.id for b in db.session.scalars(select(Ballot).where(Ballot.winner == other,
                                                                     Ballot.debate_id == d["id"],
                                                                     Ballot.version > 1))}
        assert not ids
    # The director sees them as "arrived after confirmation".
    assert any(x["reason"] == "arrived_after" and x["debate_id"] == d["id"]
               for x in r.get_json()["not_confirmed"])


def test_retry_of_a_stored_client_id_after_closing_gets_200(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    d = api.post(f"/rounds/{rnd['id']}/draw").get_json()["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    body = _ballot(d, "gov")
    r = _post(client, key, body)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "draw_not_released"
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    first = _post(client, key, body)
    assert first.status_code == 201
    assert api.post(f"/ballots/{first.get_json()['id']}/confirm").status_code == 200
    again = _post(client, key, body)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]


def test_draw_not_released_stores_nothing_and_does_not_block_regeneration(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=2, rooms=2, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    d = api.post(f"/rounds/{rnd['id']}/draw").get_json()["debates"][0]
    r = _post(client, keys[d["adjudicators"][0]["id"]], _ballot(d, "gov"))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "draw_not_released"
    with app.app_context():
        assert db.session.scalar(select(Ballot.id)) is None
    assert api.post(f"/rounds/{rnd['id']}/draw?regenerate=1").status_code == 201


def test_phone_shows_a_closed_debate_as_closed(app, api, client, day):
    t, keys, r1, draw1, _r2 = day
    d = draw1["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    html = client.get(f"/j/{key}/ballot/{d['id']}").get_data(as_text=True)
    assert 'id="ballot-closed"' in html and 'id="ballot-form"' not in html
    assert "wins" in html  # results are released: the confirmed result is shown
    home = client.get(f"/j/{key}").get_data(as_text=True)
    assert 'id="ballot-closed-note"' in home and f"/j/{key}/ballot/" not in home
    r = client.post(f"/j/{key}/ballot/{d['id']}", data={"step": "send", "client_id": str(uuid.uuid4()),
                                                        "csrf_token": csrf_token(client, f"/j/{key}"),
                                                        "winner": "gov", "score_PM": "28", "score_MG": "27",
                                                        "score_LO": "26", "score_MO": "26"})
    assert r.status_code == 409 and 'id="ballot-closed"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "ballot_after_close")) is not None


def _correction(d, adj_id, winner, reason="appeal 4 upheld"):
    return {"adjudicator_id": adj_id, "winner": winner, "scores": _scores(winner), "reason": reason}


def test_correction_dry_run_agrees_with_stored_and_lists_what_it_touches(app, api, client, day):
    t, keys, r1, draw1, r2 = day
    with app.app_context():
        tt = db.session.get(Tournament, t["id"])
        tt.settings = {**tt.settings, "confirm_own_entries": True}
        db.session.commit()
    lid = t["leagues"][0]["id"]
    assert api.post(f"/leagues/{lid}/break", {"size": 2}).status_code in (200, 201, 409)
    d = draw1["debates"][0]
    before = _winner(app, d["id"])
    other = "opp" if before == "gov" else "gov"
    panel = [a["id"] for a in d["adjudicators"]]
    # Without a reason: 422, nothing stored.
    r = api.post(f"/debates/{d['id']}/corrections", {**_correction(d, panel[0], other), "reason": ""})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    previews = []
    for adj in panel:
        now = _winner(app, d["id"])
        dry = api.post(f"/debates/{d['id']}/corrections?dry_run=1", _correction(d, adj, other))
        assert dry.status_code == 200, dry.get_json()
        assert _winner(app, d["id"]) == now  # nothing stored
        previews.append(dry.get_json())
        stored = api.post(f"/debates/{d['id']}/corrections", _correction(d, adj, other))
        assert stored.status_code == 201, stored.get_json()
        assert stored.get_json()["affected"] == dry.get_json()["affected"]
        assert stored.get_json()["ballot"]["status"] == "confirmed"
    assert previews[0]["affected"]["rounds"] == [r2["id"]]
    assert previews[-1]["affected"]["winner"]["new"] == other
    assert any(p["affected"]["winner"]["old"] == before and p["affected"]["standings"] for p in previews)
    assert _winner(app, d["id"]) == other
    with app.app_context():
        has_break = db.session.scalar(select(BreakSeed.id)) is not None
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "result_corrected")).all()
        assert len(entries) == len(panel) and all(e.details["reason"] == "appeal 4 upheld" for e in entries)
        confirms = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_confirmed",
                                                               AuditEntry.details["self_confirmed"].isnot(None)))
        assert confirms.first() is not None
        versions = db.session.scalars(select(Ballot).where(Ballot.debate_id == d["id"])).all()
        assert len(versions) == 2 * len(panel)  # earlier versions kept
    if has_break:
        assert isinstance(previews[-1]["affected"]["break"], bool)


def test_correction_waits_for_a_second_person_by_default(app, api, client, day):
    t, keys, r1, draw1, _r2 = day
    d = draw1["debates"][0]
    before = _winner(app, d["id"])
    other = "opp" if before == "gov" else "gov"
    r = api.post(f"/debates/{d['id']}/corrections", _correction(d, d["adjudicators"][0]["id"], other))
    assert r.status_code == 201
    b = r.get_json()["ballot"]
    assert b["status"] == "submitted"
    c = api.post(f"/ballots/{b['id']}/confirm")
    assert c.status_code == 403 and c.get_json()["error"]["code"] == "own_entry"


def test_correction_flags_issued_documents_superseded(app, api, client, day):
    t, keys, r1, draw1, _r2 = day
    with app.app_context():
        from debate.services import awards as awards_svc
        tt = db.session.get(Tournament, t["id"])
        tt.settings = {**tt.settings, "confirm_own_entries": True, "best_speakers_awarded": 12}
        awards_svc.sync_awards(tt)
        db.session.commit()
    d = draw1["debates"][0]
    other = "opp" if _winner(app, d["id"]) == "gov" else "gov"
    # Marks far from the others: the speaker tab changes, so best-speaker places change.
    body = _correction(d, d["adjudicators"][0]["id"], other)
    body["scores"] = {"PM": 15, "MG": 15, "LO": 30, "MO": 29.5} if other == "opp" else \
        {"PM": 30, "MG": 29.5, "LO": 15, "MO": 15}
    r = api.post(f"/debates/{d['id']}/corrections", body)
    assert r.status_code == 201, r.get_json()
    wrong = r.get_json()["affected"]["awards"]
    assert wrong
    with app.app_context():
        a = db.session.get(Award, wrong[0])
        assert a.superseded
        code = a.code
    assert "superseded" in client.get(f"/verify/{code}").get_data(as_text=True).lower()


def test_confirm_own_entries(app, api, client, login):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=1, rooms=1, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    d = api.post(f"/rounds/{rnd['id']}/draw").get_json()["debates"][0]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    uid = login("lonely", "correct-horse-9")
    with app.app_context():
        from debate.models import TournamentMember
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        db.session.execute(db.delete(TournamentMember).where(TournamentMember.tournament_id == t["id"],
                                                            TournamentMember.user_id != uid))
        db.session.commit()
    aid = d["adjudicators"][0]["id"]
    token = csrf_token(client, f"/t/{t['id']}/debates/{d['id']}/enter/{aid}")
    r = client.post(f"/t/{t['id']}/debates/{d['id']}/enter/{aid}",
                    data={"csrf_token": token, "client_id": str(uuid.uuid4()), "winner": "gov", "score_PM": "28",
                          "score_MG": "27", "score_LO": "26", "score_MO": "26"})
    assert r.status_code == 302
    page = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/results").get_data(as_text=True)
    assert 'id="lone-confirmer"' in page and f"/t/{t['id']}/staff/" in page
    with app.app_context():
        bid = db.session.scalar(select(Ballot.id))
    r = client.post(f"/t/{t['id']}/ballots/{bid}/confirm", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Ballot, bid).status == "submitted"
        tt = db.session.get(Tournament, t["id"])
        tt.settings = {**tt.settings, "confirm_own_entries": True}
        db.session.commit()
    assert 'id="lone-confirmer"' not in client.get(f"/t/{t['id']}/rounds/{rnd['id']}/results").get_data(as_text=True)
    client.post(f"/t/{t['id']}/ballots/{bid}/confirm", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Ballot, bid).status == "confirmed"
        e = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ballot_confirmed"))
        assert e.details.get("self_confirmed") is True


def test_bulk_confirm_lists_what_it_did_not_confirm(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=8, adjudicators=12, rooms=4, leagues=("kk",))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    debates = api.post(f"/rounds/{rnd['id']}/draw").get_json()["debates"]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    agree, split, missing, _none = debates
    for adj in agree["adjudicators"]:
        assert _post(client, keys[adj["id"]], _ballot(agree, "gov")).status_code == 201
    for i, adj in enumerate(split["adjudicators"]):
        assert _post(client, keys[adj["id"]], _ballot(split, "gov" if i else "opp")).status_code == 201
    assert _post(client, keys[missing["adjudicators"][0]["id"]], _ballot(missing, "opp")).status_code == 201
    r = api.post(f"/rounds/{rnd['id']}/confirm", {"league_id": t["leagues"][0]["id"]})
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["confirmed"] == [agree["id"]]
    reasons = {x["debate_id"]: x["reason"] for x in out["not_confirmed"]}
    assert reasons[split["id"]] == "split_panel" and reasons[missing["id"]] == "missing_ballots"
    assert _winner(app, agree["id"]) == "gov" and _winner(app, split["id"]) is None
    assert api.post(f"/rounds/{rnd['id']}/confirm", {"league_id": 999999}).status_code == 422
