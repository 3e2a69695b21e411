"""The short ballot path (issue #5 item 10): one query reads the key, the seat and everything
validation needs; one INSERT ... ON CONFLICT stores the ballot (PostgreSQL: with the superseding
and the audit entry in the same statement). These tests pin down that the guarantees did not
move: authorization order, idempotency, versions under concurrency, the audit entry, the staff
event (after the commit, once per stored ballot), the phone form and staff entry. The speed
itself is measured in bench/ballots.py; here only the number of SQL statements, which must not
grow with versions or with the size of the tournament."""
import threading
import uuid

import pytest
from sqlalchemy import event, func, select

from debate.core.extensions import db, socketio
from debate.models import Adjudicator, AuditEntry, Ballot
from debate.services import ballots as svc
from debate.services.errors import Refused
from tests.conftest import csrf_token
from tests.flow import setup_tournament


@pytest.fixture
def drawn(api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=6, rooms=4, leagues=("kk",),
                               settings={"panel_size": 1})
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    return t, keys, rnd, draw


def _body(d, client_id=None, winner="gov", **extra):
    scores = {"PM": 27.5, "MG": 27, "LO": 26, "MO": 26.5} if winner == "gov" else \
        {"PM": 26, "MG": 26.5, "LO": 27.5, "MO": 27}
    return {"debate_id": d["id"], "client_id": client_id or str(uuid.uuid4()), "winner": winner, "scores": scores,
            **extra}


def _post(client, key, body, **kw):
    return client.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key}, **kw)


def _key(keys, d, i=0):
    return keys[d["adjudicators"][i]["id"]]


class _Statements:
    """Counts the SQL statements the app's engine runs (BEGIN/COMMIT excluded)."""

    def __init__(self, app):
        self.app, self.n, self.seen = app, 0, []

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, _conn, _cursor, statement, *_a):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.n += 1
            self.seen.append(statement)

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_statements_per_ballot_do_not_grow(app, client, drawn):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = _key(keys, d)
    counts = []
    for _ in range(4):  # version 1, then versions that supersede
        with _Statements(app) as s:
            assert _post(client, key, _body(d)).status_code == 201
        counts.append(s.n)
    pg = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    # PostgreSQL: the read (key, seat, debate, round, settings, speakers) and one write statement.
    # SQLite: the read, the INSERT, the UPDATE of older versions (from version 2) and the audit row.
    assert counts == ([2, 2, 2, 2] if pg else [3, 4, 4, 4]), counts
    retry = _body(d, client_id=_last_client_id(app))
    with _Statements(app) as s:  # a retry: the read, the INSERT that stores nothing, the stored row
        assert _post(client, key, retry).status_code == 200
    assert s.n == 3, s.seen


def _ballot_audits(app):
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "ballot"))


def _last_client_id(app):
    with app.app_context():
        return db.session.scalar(select(Ballot.client_id).order_by(Ballot.id.desc()).limit(1))


def test_versions_audit_and_superseding(app, client, drawn):
    t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = _key(keys, d)
    answers = [_post(client, key, _body(d, winner=w)).get_json() for w in ("gov", "opp", "gov")]
    assert [a["version"] for a in answers] == [1, 2, 3]
    assert all(a["status"] == "submitted" and a["debate_id"] == d["id"] for a in answers)
    assert answers[1]["scores"] == {"PM": 26.0, "MG": 26.5, "LO": 27.5, "MO": 27.0}
    assert answers[0]["speakers"] and set(answers[0]["speakers"]) == {"PM", "MG", "LO", "MO"}
    with app.app_context():
        statuses = {b.version: b.status for b in db.session.scalars(select(Ballot))}
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "ballot")
                                   .order_by(AuditEntry.id)).all()
    assert statuses == {1: "superseded", 2: "superseded", 3: "submitted"}
    assert [(a.action, a.object_type, a.object_id, a.tournament_id, a.adjudicator_id, a.user_id) for a in audit] == [
        ("ballot_submitted", "ballot", answers[i]["id"], t["id"], d["adjudicators"][0]["id"], None) for i in range(3)]
    assert audit[1].details == {"version": 2, "winner": "opp", "scores": answers[1]["scores"]}


def test_simultaneous_resubmissions_get_distinct_versions(app, drawn):
    """Six different client_ids from one adjudicator at the same moment: six ballots, versions
    1..6 (a lost version race counts again), the newest one submitted, every older one
    superseded, one audit entry each."""
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = _key(keys, d)
    bodies = [_body(d) for _ in range(6)]
    answers, barrier = [], threading.Barrier(len(bodies))

    def send(body):
        c = app.test_client()
        barrier.wait()
        answers.append(_post(c, key, body))

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r.status_code for r in answers) == [201] * 6, [r.get_json() for r in answers]
    assert sorted(r.get_json()["version"] for r in answers) == [1, 2, 3, 4, 5, 6]
    with app.app_context():
        rows = {b.version: b.status for b in db.session.scalars(select(Ballot))}
        n_audit = _ballot_audits(app)
    assert rows == {**{v: "superseded" for v in range(1, 6)}, 6: "submitted"}
    assert n_audit == 6


def test_key_is_checked_first(app, client, drawn):
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    key = _key(keys, d)
    wrong = "x" * 30
    for body in (_body(d), {"client_id": ""}, [1, 2], _body(d, debate_id=99999999999999)):
        r = _post(client, wrong, body)
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized", (body, r.get_json())
    r = client.post("/api/v1/ballots", data="{not json", headers={"X-Adjudicator-Key": wrong,
                                                                 "Content-Type": "application/json"})
    assert r.status_code == 401
    assert _post(client, "", _body(d)).status_code == 401
    assert _post(client, "k" * 65, _body(d)).status_code == 401
    # With the right key: the body's problems, in the old order.
    r = client.post("/api/v1/ballots", data="{not json", headers={"X-Adjudicator-Key": key,
                                                                 "Content-Type": "application/json"})
    assert r.status_code == 400
    assert _post(client, key, _body(d, client_id=" ")).get_json()["error"]["fields"].keys() == {"client_id"}
    assert "debate_id" in _post(client, key, _body(d, debate_id="abc")).get_json()["error"]["fields"]
    assert "debate_id" in _post(client, key, _body(d, debate_id="99999999999999999999")).get_json()["error"]["fields"]
    other = draw["debates"][1]
    r = _post(client, key, _body(other))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_on_panel"
    assert _post(client, key, _body(d, debate_id=2**31 - 2)).status_code == 403  # no such debate
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
        assert _ballot_audits(app) == 0


def test_a_retry_gets_the_stored_ballot_whatever_it_now_says(app, client, drawn):
    _t, keys, _r, draw = drawn
    d, other = draw["debates"][0], draw["debates"][1]
    key = _key(keys, d)
    first = _post(client, key, _body(d))
    assert first.status_code == 201
    cid = first.get_json()["client_id"]
    for changed in (_body(d, client_id=cid, winner="opp"), _body(other, client_id=cid),
                    {**_body(d, client_id=cid), "scores": {"PM": 99}}, {"client_id": cid}):
        r = _post(client, key, changed)
        assert r.status_code == 200 and r.get_json() == {**first.get_json(), "created_at": r.get_json()["created_at"]}
    # Another adjudicator reusing that client_id is refused.
    r = _post(client, _key(keys, other), _body(other, client_id=cid))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "client_id_used"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert _ballot_audits(app) == 1


def _staff_socket(app, client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": token})
    assert r.status_code == 302
    staff = socketio.test_client(app, flask_test_client=client)
    return staff


def test_staff_hears_each_stored_ballot_once(app, client, drawn):
    t, keys, rnd, draw = drawn
    staff = _staff_socket(app, client)
    assert f"staff{t['id']}" in staff.emit("join", {"tournament": t["id"], "staff": True}, callback=True)["rooms"]
    d = draw["debates"][0]
    key = _key(keys, d)
    stored = _post(client, key, _body(d)).get_json()
    _post(client, key, _body(d, client_id=stored["client_id"]))      # a retry: nothing new
    _post(client, key, _body(d, scores={"PM": 99}))                    # refused
    events = [m["args"][0] for m in staff.get_received() if m["name"] == "staff"]
    assert events == [{"tournament_id": t["id"], "round_id": rnd["id"], "debate_id": d["id"],
                       "ballot_id": stored["id"], "what": "submitted"}]
    staff.disconnect()


def test_event_only_after_the_commit(app, client, drawn, monkeypatch):
    """When the commit fails, nothing is announced and nothing is stored."""
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    told = []
    monkeypatch.setattr("debate.live.events._emit", lambda *a: told.append(a))

    def fail(*_a, **_k):
        raise RuntimeError("disk full")
    with app.app_context():
        session_cls = type(db.session())
    monkeypatch.setattr(session_cls, "commit", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        r = _post(client, _key(keys, d), _body(d))
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500
    assert told == []
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_phone_form_stores_audits_and_announces(app, api, client, drawn):
    t, keys, rnd, draw = drawn
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    d = draw["debates"][0]
    key = _key(keys, d)
    staff = _staff_socket(app, client)
    staff.emit("join", {"tournament": t["id"], "staff": True}, callback=True)
    phone = app.test_client()
    page = phone.get(f"/j/{key}/ballot/{d['id']}")
    assert page.status_code == 200
    token = csrf_token(phone, f"/j/{key}/ballot/{d['id']}")
    cid = str(uuid.uuid4())
    form = {"csrf_token": token, "step": "send", "client_id": cid, "winner": "gov",
            "score_PM": "27,5", "score_MG": "27", "score_LO": "26", "score_MO": "26,5"}
    r = phone.post(f"/j/{key}/ballot/{d['id']}?lang=en", data=form)
    assert r.status_code == 200 and "Ballot received" in r.get_data(as_text=True)
    assert "Version 1." in r.get_data(as_text=True)
    again = phone.post(f"/j/{key}/ballot/{d['id']}?lang=en", data=form)  # the same form sent twice
    assert again.status_code == 200 and "Version 1." in again.get_data(as_text=True)
    with app.app_context():
        b = db.session.scalar(select(Ballot))
        assert (b.client_id, b.version, b.scores) == (cid, 1, {"PM": 27.5, "MG": 27.0, "LO": 26.0, "MO": 26.5})
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "ballot")).all() \
            == ["ballot_submitted"]
    events = [m["args"][0] for m in staff.get_received() if m["name"] == "staff"]
    assert [e["ballot_id"] for e in events] == [b.id] and events[0]["what"] == "submitted"
    bad = phone.post(f"/j/{key}/ballot/{d['id']}?lang=en", data={**form, "client_id": str(uuid.uuid4()),
                                                                  "score_PM": "99"})
    assert bad.status_code == 422
    staff.disconnect()


def test_staff_entry_returns_the_stored_ballot_and_refreshes_older_ones(app, drawn, make_user):
    """services.ballots.submit_ballot (staff typing in a paper ballot, appeal corrections) keeps
    returning the ORM ballot, and an older version already loaded in the session shows its new
    status."""
    _t, keys, _r, draw = drawn
    d = draw["debates"][0]
    uid = make_user("typist", "typist-password-1", "staff")
    with app.app_context():
        adj = db.session.get(Adjudicator, d["adjudicators"][0]["id"])
        from debate.models import User
        typist = db.session.get(User, uid)
        first, created = svc.submit_ballot(adj, _body(d))
        db.session.commit()
        assert created and first.status == "submitted"
        second, created = svc.submit_ballot(adj, _body(d, winner="opp"), entered_by=typist)
        assert created and isinstance(second, Ballot)
        assert (second.version, second.entered_by_id, second.winner) == (2, uid, "opp")
        assert first.status == "superseded"  # the already loaded older version, refreshed
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == second.id))
        assert (entry.action, entry.user_id) == ("ballot_entered_for_adjudicator", uid)
        again, created = svc.submit_ballot(adj, _body(d, client_id=second.client_id))
        assert not created and again.id == second.id
        with pytest.raises(Refused) as e:
            svc.submit_ballot(adj, _body(draw["debates"][1]))
        assert e.value.code == "not_on_panel"
        db.session.rollback()
