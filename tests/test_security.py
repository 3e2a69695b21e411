"""Web security: CSRF on every form, cookie flags, CSP without inline script, login throttling,
private keys, escaping of every name field (script payloads), upload limits and bad files,
and error ids that match the log line."""
import inspect
import io
import logging
import re
import tempfile
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from debate import ROOT, create_app
from debate.core.config import build_config
from debate.core.extensions import db
from debate.models import (Adjudicator, Coach, League, Motion, Room, RoundLeague, School, Speaker, Team,
                           Tournament)
from debate.models.participants import new_private_key
from tests.conftest import csrf_token
from tests.test_roles_matrix import (API_PUBLIC, DIRECTOR, JUDGE, PUBLIC, RULES, SIGNED_IN, STAFF, _rules,
                                     _url, world)  # noqa: F401  (world is a fixture)

P1 = "<script>alert(1)</script>"
P2 = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")


# ------------------------------------------------------------------------------------- CSRF

def test_every_form_post_needs_a_csrf_token(app, world, monkeypatch):
    """Every POST route outside the token-authenticated API refuses a request without a CSRF
    token (400), for a signed-in director and for an adjudicator's key pages alike."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    w = world
    checked, failures = 0, []
    for key, rule in _rules(app):
        method = key.split(" ", 1)[0]
        if method == "GET" or rule.rule.startswith("/api/"):
            continue
        cls, opts = RULES[key]
        url = _url(rule, w, opts.get("args", {}))
        c = w.clients["director"] if cls in (SIGNED_IN, STAFF, DIRECTOR) else w.clients["anon"]
        r = c.open(url, method=method, data={"username": "boss", "name": "x", "message": "x", "text": "x"})
        checked += 1
        if r.status_code != 400:
            failures.append(f"{key}: {r.status_code}")
        elif "Form expired" not in r.get_data(as_text=True):
            failures.append(f"{key}: 400 without the friendly page")
    assert checked >= 30
    assert not failures, "POST accepted without a CSRF token:\n  " + "\n  ".join(failures)


def test_a_valid_csrf_token_is_accepted(client, make_user):
    make_user("director", "correct-horse-9")
    r = client.post("/login", data={"username": "director", "password": "correct-horse-9",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302


def test_api_writes_use_tokens_not_cookies(client, login, tournament):
    """The API is CSRF-exempt because it never acts on a session cookie: a signed-in browser
    without a bearer token cannot write through it."""
    login("someone", "some-password-1")
    r = client.post("/api/v1/tournaments", json={"name": "Cookie cup", "leagues": [{"language": "kk"}]})
    assert r.status_code == 401
    r = client.patch(f"/api/v1/tournaments/{tournament['id']}", json={"name": "x"})
    assert r.status_code == 401


# ---------------------------------------------------------------------------------- cookies

def _set_cookies(resp):
    return resp.headers.getlist("Set-Cookie")


def test_session_cookie_flags(client, make_user):
    make_user("director", "correct-horse-9")
    r = client.post("/login", data={"username": "director", "password": "correct-horse-9",
                                    "csrf_token": csrf_token(client)})
    session = [c for c in _set_cookies(r) if c.startswith("session=")]
    assert session, _set_cookies(r)
    assert "HttpOnly" in session[0] and "SameSite=Lax" in session[0]
    assert "Secure" not in session[0]  # plain HTTP in development and tests


def test_secure_cookie_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert build_config(ROOT)["SESSION_COOKIE_SECURE"] is True
    secure = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.db", "SECRET_KEY": "k"})
    c = secure.test_client()
    r = c.get("/login", base_url="https://localhost")
    cookies = [x for x in _set_cookies(r) if x.startswith("session=")]
    assert cookies and "Secure" in cookies[0] and "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


# ------------------------------------------------------------------------- headers and HTML

class _ScriptScan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline event handler")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.problems.append(f"inline <script {a}>")


def _crawl(app, w):
    """(label, response) for every GET page of the world, as the role that may see it."""
    for key, rule in _rules(app):
        method, _path = key.split(" ", 1)
        if method != "GET" or rule.rule.startswith("/static/"):
            continue
        cls, opts = RULES[key]
        url = _url(rule, w, opts.get("args", {}))
        role = {PUBLIC: "anon", API_PUBLIC: "anon", JUDGE: "anon", SIGNED_IN: "director", STAFF: "director",
                DIRECTOR: "director"}.get(cls, "director")
        c = w.clients[role]
        headers = {"Authorization": f"Bearer {w.tokens['director']}"} if rule.rule.startswith("/api/") else {}
        yield key, url, c.get(url, headers=headers)
    # Public pages as a spectator too, and the judge's ballot as the adjudicator.
    for url in (f"/p/{w.tid}/l/{w.lid}/results", f"/p/{w.tid}/l/{w.lid}/standings",
                f"/p/{w.tid}/l/{w.lid}/speakers", f"/j/{w.key}/ballot/{w.did}"):
        yield url, url, w.clients["anon"].get(url)


def test_security_headers_and_no_inline_script(app, world):
    pages = 0
    problems = []
    for key, url, r in _crawl(app, world):
        assert r.status_code < 500, f"{key} {url}: {r.status_code}"
        csp = r.headers.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1) and "'unsafe-eval'" not in script_src.group(1), (url, csp)
        assert "frame-ancestors 'none'" in csp, (url, csp)
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
        if r.mimetype == "text/html":
            pages += 1
            scan = _ScriptScan()
            scan.feed(r.get_data(as_text=True))
            problems += [f"{url}: {p}" for p in scan.problems]
    assert pages >= 30
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------ login throttling

def test_login_throttling_on_page_and_api(client, make_user, app):
    make_user("director", "correct-horse-9")
    for _i in range(app.config["LOGIN_FREE_FAILURES"]):
        r = client.post("/login", data={"username": "director", "password": "wrong",
                                        "csrf_token": csrf_token(client)})
        assert r.status_code == 401
    # Throttled from this address: even the right password must wait, on the page and through the
    # API (other addresses are not affected, and the wait grows: tests/test_secauth.py).
    r = client.post("/login", data={"username": "director", "password": "correct-horse-9",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)
    r = client.post("/api/v1/auth/token", json={"username": "director", "password": "correct-horse-9"})
    assert r.status_code == 429
    # Another account is not affected.
    make_user("other", "correct-horse-9")
    assert client.post("/api/v1/auth/token", json={"username": "other", "password": "correct-horse-9"}).status_code == 200


# ------------------------------------------------------------------------------------ keys

def test_private_keys_are_long_and_compared_in_constant_time():
    keys = {new_private_key() for _ in range(200)}
    assert len(keys) == 200
    for k in keys:
        assert len(k) >= 22  # token_urlsafe: 6 bits a character; 22 characters = 132 bits
    src = inspect.getsource(new_private_key)
    bits = int(re.search(r"token_urlsafe\((\d+)\)", src).group(1)) * 8
    assert bits >= 128
    from debate.api import ballots as api_ballots
    from debate.views import judge
    for fn in (api_ballots.adjudicator_from_header, judge.adjudicator_by_key):
        assert "hmac.compare_digest" in inspect.getsource(fn), fn.__name__


def test_reissued_key_cuts_the_old_one(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    w = world
    old = w.key
    assert w.clients["anon"].get(f"/j/{old}").status_code == 200
    r = w.clients["director"].post(f"/t/{w.tid}/adjudicators/{w.adj_id}/reissue-key")
    assert r.status_code == 302
    with app.app_context():
        new = db.session.get(Adjudicator, w.adj_id).private_key
    assert new != old
    assert w.clients["anon"].get(f"/j/{old}").status_code == 404
    assert w.clients["anon"].get(f"/j/{old}/ballot/{w.did}").status_code == 404
    r = w.clients["anon"].post("/api/v1/ballots", headers={"X-Adjudicator-Key": old},
                               json={"debate_id": w.did, "client_id": "after-reissue", "winner": "gov"})
    assert r.status_code == 401
    assert w.clients["anon"].get(f"/j/{new}").status_code == 200


# ------------------------------------------------------------------------------- escaping

def _poison(app, w):
    """Every name field of the world's tournament becomes a script payload."""
    with app.app_context():
        bad = lambda i: f"N{i} {P1}{P2}"  # noqa: E731  (unique and short enough for every column)
        t = db.session.get(Tournament, w.tid)
        t.name = bad(0)
        t.venue = bad(0)
        t.team_standings_released = t.speaker_standings_released = t.bracket_released = True
        for model, col in ((League, "name"), (School, "name"), (Coach, "name"), (Team, "name"),
                           (Adjudicator, "name"), (Adjudicator, "school"), (Room, "name")):
            for i, obj in enumerate(db.session.scalars(db.select(model)), start=1):
                setattr(obj, col, bad(i))
        for i, sp in enumerate(db.session.scalars(db.select(Speaker)), start=1):
            sp.name = bad(i)
        for m in db.session.scalars(db.select(Motion)):
            m.text = f"This House would {P1}{P2}"
            m.info_slide = P2
        db.session.execute(update(RoundLeague).values(results_released=True))
        db.session.commit()


def _assert_escaped(app, w):
    bad = []
    for key, url, r in _crawl(app, w):
        assert r.status_code < 500, f"{key} {url}: {r.status_code}"
        if r.mimetype == "application/json":
            continue  # JSON: not HTML (X-Content-Type-Options: nosniff); checked below
        if "html" in (r.mimetype or ""):
            body = r.get_data(as_text=True)
            for raw in RAW:
                if raw in body:
                    i = body.index(raw)
                    bad.append(f"{url}: …{body[max(0, i - 80):i + 40]}…")
    assert not bad, "unescaped payloads:\n" + "\n".join(bad)


def test_script_payloads_in_every_name_are_escaped(app, world):
    w = world
    _poison(app, w)
    _assert_escaped(app, w)
    # The payload does reach the pages (escaped): the check above is not vacuous.
    html = w.clients["director"].get(f"/t/{w.tid}/teams/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pub = w.clients["anon"].get(f"/p/{w.tid}/l/{w.lid}/draw").get_data(as_text=True)
    assert "&lt;script&gt;" in pub or "\\u003cscript" in pub
    # The API returns JSON with a JSON content type; the payload stays data.
    r = w.clients["director"].get(f"/api/v1/tournaments/{w.tid}/teams",
                                  headers={"Authorization": f"Bearer {w.tokens['director']}"})
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert any(P1 in t["name"] for t in r.get_json())


def test_script_payloads_through_csv_import_are_escaped(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    w = world
    d = w.clients["director"]
    lang = "en"
    csv_text = ("league,team,school,region,coach,speaker1,speaker2\n"
                f'{lang},"I1 {P1}","S {P2}",astana,"C {P1}","A {P2}","B {P1}"\n')
    r = d.post(f"/t/{w.tid}/import", data={"kind": "teams", "file": (io.BytesIO(csv_text.encode()), "t.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    csv_adj = f'name,languages,school\n"J {P1}{P2}",en,"Sch {P2}"\n'
    r = d.post(f"/t/{w.tid}/import", data={"kind": "adjudicators",
                                           "file": (io.BytesIO(csv_adj.encode()), "a.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    csv_room = f'name\n"Room {P1}{P2}"\n'
    r = d.post(f"/t/{w.tid}/import", data={"kind": "rooms", "file": (io.BytesIO(csv_room.encode()), "r.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 302
    # A row that fails validation echoes the payload back in the error list: escaped too.
    bad_row = f'league,team,speaker1,speaker2\nzz,"{P1}","{P2}",""\n'
    r = d.post(f"/t/{w.tid}/import", data={"kind": "teams", "file": (io.BytesIO(bad_row.encode()), "bad.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 422
    assert not any(raw in r.get_data(as_text=True) for raw in RAW)
    _assert_escaped(app, w)


# -------------------------------------------------------------------------------- uploads

def test_upload_over_the_limit_is_413(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    w = world
    big = io.BytesIO(b"a," * (3 * 1024 * 1024))  # 6 MB > MAX_CONTENT_LENGTH (5 MB)
    r = w.clients["director"].post(f"/t/{w.tid}/import", data={"kind": "teams", "file": (big, "big.csv")},
                                   content_type="multipart/form-data")
    assert r.status_code == 413
    assert "too large" in r.get_data(as_text=True)


@pytest.mark.parametrize("name,data", [
    ("broken.xlsx", b"PK\x03\x04 this is not a workbook"),
    ("random.xlsx", bytes(range(256)) * 50),
    ("latin1.csv", "league,team\nkk,Caf\xe9\n".encode("latin-1") + b"\xff\xfe\x00"),
    ("nul.csv", b"league,team,speaker1,speaker2\x00\nkk,\x00,,\n"),
    ("empty.csv", b""),
    ("header-only.csv", b"league,team,speaker1,speaker2\n"),  # nothing to import: "Imported 0 rows."
    ("wrong-columns.csv", b"foo,bar\n1,2\n"),
    ("quotes.csv", b'league,team,speaker1,speaker2\n"kk,"unclosed\n'),
    ("notes.txt", b"hello\nworld\n"),
])
def test_malformed_files_give_a_clear_error(app, world, monkeypatch, name, data):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    w = world
    r = w.clients["director"].post(f"/t/{w.tid}/import", data={"kind": "teams", "file": (io.BytesIO(data), name)},
                                   content_type="multipart/form-data")
    if name == "header-only.csv":
        assert r.status_code == 302
        assert "Imported 0 rows" in w.clients["director"].get(r.headers["Location"]).get_data(as_text=True)
        return
    assert r.status_code == 422, (name, r.status_code)
    assert 'role="alert"' in r.get_data(as_text=True) or "error" in r.get_data(as_text=True)


# --------------------------------------------------------------------------- error ids

def test_error_page_id_matches_the_log_line(caplog):
    """A server error shows a friendly page in the user's language with an id; the log line
    "error rid=<id>" (with the traceback) and the JSON request log carry the same id."""
    tmp = tempfile.mkdtemp(prefix="debate-errors-")
    errapp = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/e.db", "SECRET_KEY": "k"})

    @errapp.get("/boom")  # test-only route: a real exception inside a view
    def boom():
        raise RuntimeError("kaboom")

    @errapp.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("kaboom")

    c = errapp.test_client()
    with caplog.at_level(logging.INFO, logger="debate.requests"):
        r = c.get("/boom", headers={"Accept-Language": "ru"})
    assert r.status_code == 500
    rid = r.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{12}", rid)
    html = r.get_data(as_text=True)
    assert rid in html and "kaboom" not in html and "Traceback" not in html
    assert 'lang="ru"' in html
    errors = [rec for rec in caplog.records if rec.getMessage() == f"error rid={rid}"]
    assert errors and errors[0].exc_info and "kaboom" in str(errors[0].exc_info[1])
    assert any(f'"rid": "{rid}"' in rec.getMessage() and '"status": 500' in rec.getMessage()
               for rec in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="debate.requests"):
        r = c.get("/api/v1/boom")
    body = r.get_json()
    assert r.status_code == 500 and body["error"]["code"] == "server_error"
    assert any(rec.getMessage() == f"error rid={body['error']['request_id']}" for rec in caplog.records)
