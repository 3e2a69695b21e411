"""Feedback on adjudicators (#21): who may rate whom (the permissions matrix), idempotency and
versions, bad input, the suggested rating against a hand computation, the outlier flag, who has
not given feedback yet, the teams' private pages and keys, and privacy (feedback is never public)."""
import random
import uuid

import pytest
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import Adjudicator, Appeal, AuditEntry, Feedback, Round, Team, TournamentMember, User
from debate.services import feedback as svc
from tests.flow import setup_tournament, submit_panel

SECRET = "SECRET-COMMENT-7f3a"


@pytest.fixture
def world(api, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("kk",))
    tid = t["id"]
    teams = {x["id"]: x for x in api.get(f"/tournaments/{tid}/teams").get_json()}
    rnd = api.post(f"/tournaments/{tid}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    d0, d1 = draw["debates"][0], draw["debates"][1]

    class W:
        pass
    w = W()
    w.t, w.tid, w.rid, w.keys, w.teams, w.d0, w.d1 = t, tid, rnd["id"], keys, teams, d0, d1
    w.chair = next(a["id"] for a in d0["adjudicators"] if a["role"] == "chair")
    w.p1, w.p2 = [a["id"] for a in d0["adjudicators"] if a["role"] != "chair"]
    w.chair_other = next(a["id"] for a in d1["adjudicators"] if a["role"] == "chair")
    w.gov, w.opp = d0["gov"]["team_id"], d0["opp"]["team_id"]
    w.gov_other = d1["gov"]["team_id"]
    w.release = lambda: api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    return w


def send(client, debate_id, target, score=4, key=None, team_key=None, client_id=None, comment=None, lang="en"):
    headers = {"Accept-Language": lang}
    if key:
        headers["X-Adjudicator-Key"] = key
    if team_key:
        headers["X-Team-Key"] = team_key
    body = {"debate_id": debate_id, "adjudicator_id": target, "score": score,
            "client_id": client_id or str(uuid.uuid4())}
    if comment is not None:
        body["comment"] = comment
    return client.post("/api/v1/feedback", json=body, headers=headers)


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Feedback))


def test_team_keys_are_listed_for_the_tournament_and_unique(world):
    keys = [x["private_key"] for x in world.teams.values()]
    assert all(len(k) >= 30 for k in keys) and len(set(keys)) == len(keys)
    assert all(x["private_url"].endswith("/team/" + x["private_key"]) for x in world.teams.values())


def test_permissions_matrix(world, client, app, api):
    w = world
    tk = lambda team_id: w.teams[team_id]["private_key"]  # noqa: E731
    d = w.d0["id"]
    # Before the draw is released nobody gives feedback.
    assert send(client, d, w.chair, team_key=tk(w.gov)).status_code == 403
    w.release()
    matrix = [
        # (who, key kind, target, expected)
        ("gov team", "team", w.gov, w.chair, 201),
        ("opp team", "team", w.opp, w.chair, 201),
        ("gov team on a panellist (setting: chair)", "team", w.gov, w.p1, 403),
        ("panellist on the chair", "adj", w.p1, w.chair, 201),
        ("panellist on a panellist", "adj", w.p1, w.p2, 403),
        ("panellist on themself", "adj", w.p1, w.p1, 403),
        ("chair on panellist 1", "adj", w.chair, w.p1, 201),
        ("chair on panellist 2", "adj", w.chair, w.p2, 201),
        ("chair on themself", "adj", w.chair, w.chair, 403),
        ("another debate's team", "team", w.gov_other, w.chair, 403),
        ("another debate's chair", "adj", w.chair_other, w.chair, 403),
        ("someone on an adjudicator of another debate", "adj", w.chair, w.chair_other, 403),
    ]
    failures = []
    for label, kind, who, target, expected in matrix:
        r = send(client, d, target, **({"team_key": tk(who)} if kind == "team" else {"key": w.keys[who]}))
        if r.status_code != expected:
            failures.append(f"{label}: {r.status_code} {r.get_json()}")
    assert not failures, failures
    assert _count(app) == 5
    # No key, a wrong key: 401; a bearer token is not a key.
    assert send(client, d, w.chair).status_code == 401
    assert send(client, d, w.chair, team_key="x" * 32).status_code == 401
    assert send(client, d, w.chair, key="x" * 32).status_code == 401
    assert client.post("/api/v1/feedback", json={"debate_id": d}, headers=api.headers).status_code == 401
    # The setting "panel": a team rates every adjudicator of the panel.
    assert api.patch(f"/tournaments/{w.tid}", {"settings": {"team_feedback_on": "panel"}}).status_code == 200
    assert send(client, d, w.p1, team_key=tk(w.gov)).status_code == 201
    assert send(client, d, w.p2, team_key=tk(w.opp)).status_code == 201
    assert api.patch(f"/tournaments/{w.tid}", {"settings": {"team_feedback_on": "everyone"}}).status_code == 422


def test_refusals_are_clear_in_the_users_language_and_store_nothing(world, client, app, api):
    w = world
    w.release()
    tk = w.teams[w.gov]["private_key"]
    d = w.d0["id"]
    for bad in (0, 6, -1, 4.5, "4", True, None, [4]):
        r = send(client, d, w.chair, score=bad, team_key=tk)
        assert r.status_code == 422, (bad, r.get_json())
        assert "score" in r.get_json()["error"]["fields"]
    r = send(client, d, w.chair, score=9, team_key=tk, lang="kk")
    assert r.get_json()["error"]["fields"]["score"] != "Choose a whole number from 1 to 5."
    r = send(client, d, w.chair, score=9, team_key=tk, lang="ru")
    assert "от 1 до 5" in r.get_json()["error"]["fields"]["score"]
    r = send(client, d, w.chair, team_key=w.teams[w.gov_other]["private_key"], lang="ru")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "feedback_not_in_debate"
    assert r.get_json()["error"]["message"] != "Only the teams and the panel of this debate can give feedback on it."
    assert send(client, d, w.chair, team_key=tk, comment="x" * 1001).status_code == 422
    assert send(client, 99999, w.chair, team_key=tk).status_code == 404
    r = client.post("/api/v1/feedback", data="nope", headers={"X-Team-Key": tk, "Content-Type": "application/json"})
    assert r.status_code == 400
    # A key from another tournament.
    t2, keys2 = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=1, leagues=("ru",))
    other_team_key = api.get(f"/tournaments/{t2['id']}/teams").get_json()[0]["private_key"]
    r = send(client, d, w.chair, team_key=other_team_key)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "feedback_other_tournament"
    r = send(client, d, w.chair, key=next(iter(keys2.values())))
    assert r.status_code == 403
    assert _count(app) == 0


def test_idempotent_and_versions(world, client, app, api):
    w = world
    w.release()
    tk = w.teams[w.gov]["private_key"]
    d = w.d0["id"]
    cid = str(uuid.uuid4())
    r1 = send(client, d, w.chair, score=2, team_key=tk, client_id=cid, comment="first")
    assert r1.status_code == 201 and r1.get_json()["version"] == 1
    r2 = send(client, d, w.chair, score=5, team_key=tk, client_id=cid)  # a retry: nothing new
    assert r2.status_code == 200 and r2.get_json() == r1.get_json()
    assert _count(app) == 1
    r3 = send(client, d, w.chair, score=4, team_key=tk, comment="second thoughts")
    assert r3.status_code == 201 and r3.get_json()["version"] == 2
    # The same client_id from someone else is refused.
    r4 = send(client, d, w.chair, score=3, key=w.keys[w.p1], client_id=cid)
    assert r4.status_code == 409
    # Another source has its own version series.
    assert send(client, d, w.chair, score=3, key=w.keys[w.p1]).get_json()["version"] == 1
    body = api.get(f"/adjudicators/{w.chair}/feedback").get_json()
    assert body["count"] == 2 and body["average"] == pytest.approx(3.5)  # latest versions only: 4 and 3
    by_kind = {f["source"]["kind"]: f for f in body["feedback"]}
    assert by_kind["team"]["score"] == 4 and by_kind["team"]["version"] == 2
    assert by_kind["team"]["comment"] == "second thoughts" and by_kind["team"]["source"]["team_id"] == w.gov
    assert by_kind["panellist"]["source"]["adjudicator_id"] == w.p1
    assert by_kind["team"]["round"]["id"] == w.rid and by_kind["team"]["debate_id"] == d
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feedback)) == 3  # every version kept


def test_suggested_rating_against_a_hand_computation(world, client, app, api, make_user):
    # By hand: prior 6, scores 5, 4, 4 → mean 13/3; on the 0–10 scale (13/3 − 1) × 2.5 = 8.333…;
    # (3 × 6 + 3 × 8.333…) / (3 + 3) = (18 + 25) / 6 = 7.1666… → 7.17.
    assert svc.suggested_rating(6, [5, 4, 4]) == 7.17
    assert svc.suggested_rating(6, []) == 6
    # One score of 1 (0 on the scale) after a prior of 8: (24 + 0) / 4 = 6.
    assert svc.suggested_rating(8, [1]) == 6
    w = world
    w.release()
    d = w.d0["id"]
    with app.app_context():
        db.session.get(Adjudicator, w.chair).rating = 6.0
        db.session.commit()
    assert send(client, d, w.chair, score=5, team_key=w.teams[w.gov]["private_key"]).status_code == 201
    assert send(client, d, w.chair, score=4, team_key=w.teams[w.opp]["private_key"]).status_code == 201
    assert send(client, d, w.chair, score=4, key=w.keys[w.p1]).status_code == 201
    # The directors' page shows the rating beside the suggestion; applying to one adjudicator.
    make_user("fbdir", "fb-password-1")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "fbdir"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=w.tid, role="director"))
        db.session.commit()
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    c.post("/login", data={"username": "fbdir", "password": "fb-password-1"})
    page = c.get(f"/t/{w.tid}/feedback/?sort=count").get_data(as_text=True)
    assert "7.17" in page
    r = c.post(f"/t/{w.tid}/feedback/apply", data={"adjudicator_id": [str(w.chair)]})
    assert r.status_code == 302
    with app.app_context():
        chair = db.session.get(Adjudicator, w.chair)
        assert chair.rating == 7.17 and chair.prior_rating == 6.0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ratings_applied"))
        assert entry.details["changes"][str(w.chair)] == {"from": 6.0, "to": 7.17}
    # Applying again changes nothing (the suggestion starts from the kept prior).
    c.post(f"/t/{w.tid}/feedback/apply", data={"all": "1"})
    with app.app_context():
        assert db.session.get(Adjudicator, w.chair).rating == 7.17
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "ratings_applied")) == 1


def test_outlier_flag_and_who_has_not_given_feedback(world, client, app):
    w = world
    w.release()
    d = w.d0["id"]
    with app.app_context():
        rnd = db.session.get(Round, w.rid)
        rows = svc.missing(rnd.tournament, rnd)
        givers = {(m.team.id if m.team else None, m.adjudicator.id if m.adjudicator else None) for m in rows}
        assert (w.gov, None) in givers and (None, w.chair) in givers and (None, w.p1) in givers
    send(client, d, w.chair, score=1, team_key=w.teams[w.gov]["private_key"])
    send(client, d, w.chair, score=2, team_key=w.teams[w.opp]["private_key"])
    send(client, d, w.chair, score=4, key=w.keys[w.p1])
    with app.app_context():
        chair = db.session.get(Adjudicator, w.chair)
        assert svc.adjudicator_summary(chair).flags == []  # only one panellist so far
    send(client, d, w.chair, score=5, key=w.keys[w.p2])
    send(client, d, w.p1, score=3, key=w.keys[w.chair])
    with app.app_context():
        s = svc.adjudicator_summary(db.session.get(Adjudicator, w.chair))
        assert s.flags == ["chair_below_panel"]  # teams 1.5, panellists 4.5
        assert s.by_kind == {"team": (1.5, 2), "panellist": (4.5, 2)}
        assert [(r.id, avg, n) for r, avg, n in s.trend] == [(w.rid, 3.0, 4)]
        rnd = db.session.get(Round, w.rid)
        rows = svc.missing(rnd.tournament, rnd)
        left = {(m.debate.id, m.team.id if m.team else None, m.adjudicator.id if m.adjudicator else None):
                [a.id for a in m.missing] for m in rows}
        assert (d, w.gov, None) not in left and (d, None, w.p1) not in left
        assert left[(d, None, w.chair)] == [w.p2]  # the chair still owes panellist 2


def test_team_page_draw_results_appeal_without_code(world, client, app, api):
    w = world
    tk = w.teams[w.gov]["private_key"]
    assert client.get(f"/team/{tk}").status_code == 200  # before the release: no debate yet
    assert client.get("/team/" + "x" * 32).status_code == 404
    w.release()
    page = client.get(f"/team/{tk}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="kk"' in html  # the league's language
    assert w.d0["opp"]["name"] in html and w.d0["room"]["name"] in html
    # Another team's debate is not on this page.
    assert w.d1["gov"]["name"] not in html
    # The feedback form is there for its own debate only.
    assert client.get(f"/team/{tk}/feedback/{w.d0['id']}").status_code == 200
    assert client.get(f"/team/{tk}/feedback/{w.d1['id']}").status_code == 404
    # No-JavaScript path: the form posts to the page.
    r = client.post(f"/team/{tk}/feedback/{w.d0['id']}", data={"adjudicator_id": w.chair, "score": "4",
                                                               "client_id": "nojs-1"})
    assert r.status_code == 302 and _count(app) == 1
    r = client.post(f"/team/{tk}/feedback/{w.d0['id']}", data={"adjudicator_id": w.chair, "score": "9"})
    assert r.status_code == 302 and _count(app) == 1
    # Results once released, and an appeal without a code.
    rng = random.Random(3)
    for d in (w.d0, w.d1):
        for bid in submit_panel(client, d, w.keys, rng, winner="gov"):
            api.post(f"/ballots/{bid}/confirm")
    api.post(f"/rounds/{w.rid}/release", {"draw": True, "results": True})
    html = client.get(f"/team/{tk}?lang=en").get_data(as_text=True)
    assert "Win" in html
    r = client.post(f"/team/{tk}/appeal", data={"round_id": str(w.rid), "text": "The chair did not hear our rebuttal."})
    assert r.status_code == 302
    with app.app_context():
        appeal = db.session.scalar(select(Appeal))
        assert appeal.team_id == w.gov and appeal.debate_id == w.d0["id"]


def test_team_links_sheet_and_reissue(world, client, app, login):
    login()
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "director"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=world.tid, role="director"))
        db.session.commit()
    old = world.teams[world.gov]["private_key"]
    html = client.get(f"/t/{world.tid}/teams/links").get_data(as_text=True)
    assert f"/team/{old}" in html and world.teams[world.gov]["name"] in html and "data:image/svg+xml" in html
    r = client.post(f"/t/{world.tid}/teams/{world.gov}/reissue-key")
    assert r.status_code == 302
    assert client.get(f"/team/{old}").status_code == 404
    with app.app_context():
        new = db.session.get(Team, world.gov).private_key
        assert new != old
    assert client.get(f"/team/{new}").status_code == 200


def test_feedback_is_never_public(world, client, app, api, login):
    w = world
    rng = random.Random(11)
    w.release()
    d = w.d0["id"]
    assert send(client, d, w.chair, score=1, team_key=w.teams[w.gov]["private_key"], comment=SECRET).status_code == 201
    assert send(client, d, w.p1, score=2, key=w.keys[w.chair], comment=SECRET).status_code == 201
    for dd in (w.d0, w.d1):
        for bid in submit_panel(client, dd, w.keys, rng):
            api.post(f"/ballots/{bid}/confirm")
    api.post(f"/rounds/{w.rid}/release", {"draw": True, "results": True, "motion": True})
    lid = w.t["leagues"][0]["id"]
    tid = w.tid
    anon = app.test_client()
    public = [f"/p/{tid}/", f"/p/{tid}/l/{lid}/draw", f"/p/{tid}/l/{lid}/results", f"/p/{tid}/l/{lid}/standings",
              f"/p/{tid}/l/{lid}/projector", f"/p/{tid}/l/{lid}/live.json", f"/p/{tid}/l/{lid}/motions",
              f"/p/{tid}/l/{lid}/motions/projector", f"/api/v1/rounds/{w.rid}/draw", f"/api/v1/debates/{d}/result",
              f"/api/v1/leagues/{lid}/standings/teams",
              # the rated adjudicators' own pages: they never see feedback or who gave it
              f"/j/{w.keys[w.chair]}", f"/j/{w.keys[w.chair]}/feedback", f"/j/{w.keys[w.p1]}",
              f"/j/{w.keys[w.p1]}/feedback", f"/j/{w.keys[w.p1]}/feedback/{d}",
              f"/team/{w.teams[w.opp]['private_key']}"]
    for url in public:
        r = anon.get(url)
        assert r.status_code in (200, 403), (url, r.status_code)
        assert SECRET not in r.get_data(as_text=True), url
    # The rated panellist's feedback page does not say who rated them or how.
    html = anon.get(f"/j/{w.keys[w.p1]}/feedback/{d}").get_data(as_text=True)
    assert "Feedback received" not in html and w.teams[w.gov]["name"] + " ·" not in html
    # Staff and other directors cannot read it; exports carry none of it.
    assert api.get(f"/adjudicators/{w.chair}/feedback").status_code == 200  # the tournament's director
    login("helper", role="staff")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "helper"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=tid, role="staff"))
        db.session.commit()
    assert client.get(f"/t/{tid}/feedback/").status_code == 403
    assert client.get(f"/t/{tid}/feedback/adjudicators/{w.chair}").status_code == 403
    for what in ("standings", "speakers", "results", "ballots", "motions"):
        r = client.get(f"/t/{tid}/export/{what}.csv")
        assert r.status_code == 200 and SECRET not in r.get_data(as_text=True), what
    tok = client.post("/api/v1/auth/token", json={"username": "helper", "password": "correct-horse-9"}).get_json()
    r = client.get(f"/api/v1/adjudicators/{w.chair}/feedback", headers={"Authorization": f"Bearer {tok['token']}"})
    assert r.status_code == 403


def test_no_live_event_for_feedback(world, client, monkeypatch):
    import debate.live.events as live
    sent = []
    for name in dir(live):
        if name.startswith("announce"):
            monkeypatch.setattr(live, name, lambda *a, **k: sent.append(a))
    world.release()
    r = send(client, world.d0["id"], world.chair, team_key=world.teams[world.gov]["private_key"], comment=SECRET)
    assert r.status_code == 201 and sent == []
