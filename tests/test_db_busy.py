"""Issue 17 item 7: a busy database never answers a ballot with a 500. While another connection
holds SQLite's write lock, the API and the phone form answer 503 with Retry-After (the phone's
outbox retries after that long with the same client_id), and after the lock is released the same
ballot is stored exactly once."""
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from debate import create_app
from debate.core.extensions import db
from debate.models import Ballot
from tests.conftest import PG_URL
from tests.flow import setup_tournament

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock (PostgreSQL writers do not block inserts)")


@pytest.fixture
def busy_app(app):
    """A second app on the same database whose writers wait only 0.3 s for the lock."""
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "test-secret", "SERVER_NAME": "localhost", "WTF_CSRF_ENABLED": False,
                        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 0.3, "check_same_thread": False}},
                        "RETRY_AFTER_SECONDS": 7})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


class WriteLock:
    def __init__(self, app):
        self.path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))

    def __enter__(self):
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


@pytest.fixture
def seat(api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=3, rooms=1, leagues=("kk",))
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    d = draw["debates"][0]
    return d, keys[d["adjudicators"][0]["id"]]


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ballot))


def test_api_ballot_is_503_with_retry_after_while_locked_and_stored_once_after(app, busy_app, seat):
    d, key = seat
    body = {"debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": "gov",
            "scores": {"PM": 27.5, "MG": 27, "LO": 26, "MO": 26.5}}
    c = busy_app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    with WriteLock(app):
        t0 = time.monotonic()
        r = c.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})
        assert time.monotonic() - t0 < 5
    assert r.status_code == 503, r.get_data(as_text=True)
    assert r.headers["Retry-After"] == "7"
    err = r.get_json()["error"]
    assert err["code"] == "busy" and "сервер" in err["message"].casefold()
    assert _count(app) == 0
    # the outbox sends the same ballot again: stored once
    for expected in (201, 200):
        r = c.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})
        assert r.status_code == expected, r.get_json()
    assert _count(app) == 1


def test_phone_form_is_503_with_retry_after_while_locked(app, busy_app, seat):
    d, key = seat
    form = {"step": "send", "client_id": str(uuid.uuid4()), "winner": "gov", "score_PM": "27.5", "score_MG": "27",
            "score_LO": "26", "score_MO": "26.5"}
    c = busy_app.test_client()
    with WriteLock(app):
        r = c.post(f"/j/{key}/ballot/{d['id']}", data=form)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "7"
    assert _count(app) == 0
    r = c.post(f"/j/{key}/ballot/{d['id']}", data=form)
    assert r.status_code == 200
    assert _count(app) == 1
