"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when
TEST_DATABASE_URL is set (CI does both)."""
import logging
import os
import re
import tempfile

import pytest
from flask_socketio.test_client import SocketIOTestClient
from sqlalchemy import text

from debate import create_app
from debate.core.extensions import db
from debate.live.events import wait_for_pushes
from debate.models import Region
from debate.text.regions import REGIONS

PG_URL = os.environ.get("TEST_DATABASE_URL")


# A league's pushed views are rendered and sent by a background task after the request that
# committed (debate/live/events.py); a test reading what a Socket.IO test client received reads
# it once those tasks are done (tests of the background itself call the original: _received_now).
_received_now = SocketIOTestClient.get_received


def _received_after_pushes(self, namespace=None):
    assert wait_for_pushes(10), "live pushes still running after 10 s"
    return _received_now(self, namespace)


SocketIOTestClient.get_received = _received_after_pushes


def _database_url(tmpdir):
    if PG_URL:
        return PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmpdir}/test.db"


@pytest.fixture(scope="session")
def app():
    tmpdir = tempfile.mkdtemp(prefix="debate-test-")
    os.environ["INSTANCE_PATH"] = tmpdir
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(tmpdir),
                      "SECRET_KEY": "test-secret", "LOGIN_MAX_ATTEMPTS": 5, "SERVER_NAME": "localhost"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # The test database is the suite's own: start from an empty schema, whatever an earlier
            # run (of another branch, or one killed half-way) left in it.
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        _add_regions()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _add_regions():
    db.session.add_all(Region(code=c, kind=k, name_kk=kk, name_ru=ru, name_en=en) for c, k, kk, ru, en in REGIONS)
    db.session.commit()


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def _live_errors_fail_the_test(request):
    """A live push swallows its errors (a failed send never breaks a request), so a broken pushed view
    would pass unnoticed: any error the live module logs fails the test, unless the test is marked
    `live_errors_expected` (it provokes one on purpose)."""
    handler = _Errors()
    logger = logging.getLogger("debate.live.events")
    logger.addHandler(handler)
    yield
    wait_for_pushes(10)
    logger.removeHandler(handler)
    if handler.records and not request.node.get_closest_marker("live_errors_expected"):
        pytest.fail("the live module logged an error: " + "; ".join(
            handler.format(r) + (f" ({r.exc_info[1]!r})" if r.exc_info else "") for r in handler.records))


def pytest_configure(config):
    config.addinivalue_line("markers", "live_errors_expected: the test makes the live module log an error on purpose")


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    wait_for_pushes(10)  # no push of this test may read the tables while they are cleaned
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "regions"]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for t in tables:
                    conn.execute(t.delete())


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    c = app.test_client()
    # English unless a test chooses another language, so assertions can read the English text.
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def csrf_client(app):
    """A client with CSRF checking on, as in production (the app's own setting)."""
    return app.test_client()


def csrf_token(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture
def make_user(app):
    def make(username="director", password="correct-horse-9", role="director"):
        from debate.services.accounts import create_user
        with app.app_context():
            user = create_user(username, password, role)
            db.session.commit()
            return user.id
    return make


@pytest.fixture
def login(client, make_user):
    """Sign a director in through the real login form; returns the user's id."""
    def do(username="director", password="correct-horse-9", role="director"):
        uid = make_user(username, password, role)
        token = csrf_token(client)
        r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert r.status_code == 302, r.get_data(as_text=True)
        return uid
    return do


@pytest.fixture
def api(client, make_user):
    """A director's bearer token and a helper to call the API with it."""
    class Api:
        def __init__(self):
            make_user("apiuser", "api-password-1")
            r = client.post("/api/v1/auth/token", json={"username": "apiuser", "password": "api-password-1"})
            assert r.status_code == 200
            self.token = r.get_json()["token"]
            self.headers = {"Authorization": f"Bearer {self.token}"}

        def _h(self, kw):
            return {**self.headers, **kw.pop("headers", {})}

        def get(self, path, **kw):
            return client.get("/api/v1" + path, headers=self._h(kw), **kw)

        def post(self, path, json=None, **kw):
            return client.post("/api/v1" + path, json=json, headers=self._h(kw), **kw)

        def patch(self, path, json=None, **kw):
            return client.patch("/api/v1" + path, json=json, headers=self._h(kw), **kw)

        def put(self, path, json=None, **kw):
            return client.put("/api/v1" + path, json=json, headers=self._h(kw), **kw)
    return Api()


def team_payload(league_id, name, region="astana", school="№5 мектеп-гимназия", speakers=("Әлия", "Дәулет")):
    return {"league_id": league_id, "name": name, "school": {"name": school, "region": region, "rural": False},
            "coach": {"name": "Айгүл Серікқызы"}, "speakers": [{"name": s} for s in speakers]}


@pytest.fixture
def tournament(api):
    r = api.post("/tournaments", {"name": "Test cup", "stage": "republican",
                                  "leagues": [{"language": "kk", "name": "Қазақ лигасы"},
                                              {"language": "ru", "name": "Русская лига"},
                                              {"language": "en", "name": "English league"}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()
