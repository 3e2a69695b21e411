"""Ballots: validation, idempotency, versions, authorization, confirmation, concurrency."""
import random
import threading
import uuid

import pytest
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import AuditEntry, Ballot
from tests.flow import setup_tournament


@pytest.fixture
def drawn(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    return t, keys, rnd, draw


def _post(client, key, body):
    return client.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})


def _body(debate, winner="gov", scores=None, client_id=None, **extra):
    return {"debate_id": debate["id"], "client_id": client_id or str(uuid.uuid4()), "winner": winner,
            "scores": scores or {"PM": 27.5, "MG": 27, "LO": 26, "MO": 26.5}, **extra}


def _count(app, model=Ballot):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_validation_rules(client, drawn, app):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    cases = [
        ({"PM": 27.5, "MG": 27, "LO": 26}, "gov", "scores.MO"),           # missing
        ({"PM": 31, "MG": 27, "LO": 26, "MO": 26}, "gov", "scores.PM"),   # out of range
        ({"PM": 27.3, "MG": 27, "LO": 26, "MO": 26}, "gov", "scores.PM"),  # off step
        ({"PM": 26, "MG": 26, "LO": 26, "MO": 26}, "gov", "total"),        # tie
        ({"PM": 25, "MG": 25, "LO": 28, "MO": 28}, "gov", "total"),        # low-point win
        ({"PM": 27, "MG": 27, "LO": 26, "MO": 26}, "both", "winner"),
    ]
    for scores, winner, field in cases:
        r = _post(client, key, _body(d, winner, scores))
        assert r.status_code == 422, (scores, r.get_json())
        assert field in r.get_json()["error"]["fields"], (field, r.get_json())
    r = _post(client, key, _body(d, "gov", {"PM": "27,5", "MG": "27.5", "LO": 26, "MO": "26,5"}))
    assert r.status_code == 201
    assert _count(app) == 1


def test_speakers_must_belong_to_the_debate(client, api, drawn):
    t, keys, _r, draw = drawn
    d, other = draw["debates"][0], draw["debates"][1]
    teams = {x["id"]: x for x in api.get(f"/tournaments/{t['id']}/teams").get_json()}
    stranger = teams[other["gov"]["team_id"]]["speakers"][0]["id"]
    gov = teams[d["gov"]["team_id"]]["speakers"]
    opp = teams[d["opp"]["team_id"]]["speakers"]
    key = keys[d["adjudicators"][0]["id"]]
    bad = {"PM": stranger, "MG": gov[1]["id"], "LO": opp[0]["id"], "MO": opp[1]["id"]}
    r = _post(client, key, _body(d, speakers=bad))
    assert r.status_code == 422 and "speakers.PM" in r.get_json()["error"]["fields"]
    swapped = {"PM": gov[1]["id"], "MG": gov[0]["id"], "LO": opp[0]["id"], "MO": opp[1]["id"]}
    r = _post(client, key, _body(d, speakers=swapped, nominations={"orator": gov[1]["id"], "analyst": opp[0]["id"]}))
    assert r.status_code == 201


def test_same_client_id_stores_one_ballot(client, drawn, app):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    body = _body(d)
    first = _post(client, key, body)
    second = _post(client, key, body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["id"] == second.get_json()["id"]
    assert _count(app) == 1


def test_resubmission_is_a_new_version_and_old_one_kept(client, api, drawn, app):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    v1 = _post(client, key, _body(d, "gov")).get_json()
    v2 = _post(client, key, _body(d, "opp", {"PM": 25, "MG": 25, "LO": 27, "MO": 27})).get_json()
    assert (v1["version"], v2["version"]) == (1, 2)
    assert _count(app) == 2
    result = api.get(f"/debates/{d['id']}/result").get_json()
    assert [b["version"] for b in result["ballots"]] == [2]
    with app.app_context():
        statuses = dict(db.session.execute(select(Ballot.version, Ballot.status)).all())
    assert statuses == {1: "superseded", 2: "submitted"}


def test_keys_reach_only_their_own_debates(client, api, drawn):
    _t, keys, _r, draw = drawn
    d, other = draw["debates"][0], draw["debates"][1]
    outsider = keys[other["adjudicators"][0]["id"]]
    r = _post(client, outsider, _body(d))
    assert r.status_code == 403
    assert _post(client, "not-a-key", _body(d)).status_code == 401
    assert client.post("/api/v1/ballots", json=_body(d)).status_code == 401
    # a result is not readable publicly before release, and the ballots never are
    assert client.get(f"/api/v1/debates/{d['id']}/result").status_code == 403


def test_client_id_of_another_adjudicator_is_refused(client, drawn, app):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    a, b = (keys[x["id"]] for x in d["adjudicators"][:2])
    body = _body(d)
    assert _post(client, a, body).status_code == 201
    assert _post(client, b, body).status_code == 409
    assert _count(app) == 1


def test_result_is_panel_majority_once_confirmed(client, api, drawn):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    ids = []
    for adj, winner in zip(d["adjudicators"], ["gov", "gov", "opp"]):
        scores = {"PM": 28, "MG": 27, "LO": 26, "MO": 26} if winner == "gov" else {"PM": 25, "MG": 25, "LO": 27, "MO": 27}
        ids.append(_post(client, keys[adj["id"]], _body(d, winner, scores)).get_json()["id"])
    res = api.get(f"/debates/{d['id']}/result").get_json()
    assert res["status"] == "complete" and res["winner"] is None
    for bid in ids[:2]:
        api.post(f"/ballots/{bid}/confirm")
    assert api.get(f"/debates/{d['id']}/result").get_json()["status"] == "complete"
    api.post(f"/ballots/{ids[2]}/confirm")
    res = api.get(f"/debates/{d['id']}/result").get_json()
    assert res["status"] == "confirmed" and res["winner"] == "gov" and res["votes"] == {"gov": 2, "opp": 1}


def test_every_ballot_action_is_audited(client, api, drawn, app):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    bid = _post(client, keys[d["adjudicators"][0]["id"]], _body(d)).get_json()["id"]
    api.post(f"/ballots/{bid}/confirm")
    with app.app_context():
        actions = [a for (a,) in db.session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "ballot"))]
    assert actions == ["ballot_submitted", "ballot_confirmed"]


def test_concurrent_double_submission_and_whole_panel(app, client, drawn):
    """Parallel threads: one adjudicator double-submitting the same client_id, and a whole panel
    at once. Exactly one ballot per client id. (Runs against PostgreSQL in CI too.)"""
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    same = _body(d)
    jobs = [(keys[d["adjudicators"][0]["id"]], same) for _ in range(6)]
    jobs += [(keys[a["id"]], _body(d)) for a in d["adjudicators"][1:]]
    statuses, barrier = [], threading.Barrier(len(jobs))

    def send(key, body):
        c = app.test_client()
        barrier.wait()
        statuses.append(c.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key}).status_code)

    threads = [threading.Thread(target=send, args=job) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(statuses).count(201) == 1 + len(d["adjudicators"][1:])
    assert all(s in (200, 201) for s in statuses), statuses
    with app.app_context():
        rows = db.session.execute(select(Ballot.client_id, func.count()).group_by(Ballot.client_id)).all()
    assert len(rows) == len(d["adjudicators"]) and all(n == 1 for _c, n in rows)
