"""Director sign-in, CSRF, API tokens and access between directors."""
from tests.conftest import csrf_token


def test_wrong_password_is_refused(client, make_user):
    make_user("dina", "right-password")
    token = csrf_token(client)
    r = client.post("/login", data={"username": "dina", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401
    assert client.get("/t/").status_code == 302  # still signed out


def test_login_and_logout(client, login):
    login()
    assert client.get("/t/").status_code == 200
    token = csrf_token(client, "/t/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/t/").status_code == 302


def test_passwords_are_hashed(app, make_user):
    from debate.core.extensions import db
    from debate.models import User
    make_user("hash", "plain-text-pw")
    with app.app_context():
        u = db.session.query(User).filter_by(username="hash").one()
        assert "plain-text-pw" not in u.password_hash
        assert u.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user("nocsrf", "right-password")
    r = client.post("/login", data={"username": "nocsrf", "password": "right-password"})
    assert r.status_code == 400
    assert client.get("/t/").status_code == 302


def test_forms_need_csrf_after_login(client, login):
    login()
    r = client.post("/t/new", data={"name": "No token"})
    assert r.status_code == 400


def test_login_throttled_after_repeated_failures(client, make_user):
    make_user("lock", "right-password")
    for _ in range(5):
        client.post("/login", data={"username": "lock", "password": "bad", "csrf_token": csrf_token(client)})
    # From the same address the next guess must wait (a delay, not a lock: tests/test_secauth.py).
    r = client.post("/login", data={"username": "lock", "password": "right-password", "csrf_token": csrf_token(client)})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "Too many attempts" in r.get_data(as_text=True) or "attempts" in r.get_data(as_text=True).lower()
    r = client.post("/api/v1/auth/token", json={"username": "lock", "password": "right-password"})
    assert r.status_code == 429


def test_api_without_or_with_bad_token(client):
    assert client.post("/api/v1/tournaments", json={"name": "x"}).status_code == 401
    r = client.get("/api/v1/tournaments", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"


def test_token_with_wrong_password(client, make_user):
    make_user("tok", "right-password")
    r = client.post("/api/v1/auth/token", json={"username": "tok", "password": "nope"})
    assert r.status_code == 401 and "token" not in r.get_json()


def test_director_cannot_reach_another_directors_tournament(client, api, tournament, make_user):
    make_user("other", "other-password")
    tok = client.post("/api/v1/auth/token", json={"username": "other", "password": "other-password"}).get_json()["token"]
    h = {"Authorization": f"Bearer {tok}"}
    tid = tournament["id"]
    assert client.get(f"/api/v1/tournaments/{tid}", headers=h).status_code == 403
    assert client.post(f"/api/v1/tournaments/{tid}/rooms", json={"name": "1"}, headers=h).status_code == 403
    assert client.get("/api/v1/tournaments", headers=h).get_json() == []
    assert client.get("/api/v1/tournaments/9999", headers=h).status_code == 404
    # and through the pages
    client.post("/login", data={"username": "other", "password": "other-password", "csrf_token": csrf_token(client)})
    assert client.get(f"/t/{tid}/").status_code == 403
    assert client.get(f"/t/{tid}/teams/").status_code == 403


def test_open_redirect_after_login_is_refused(client, make_user):
    make_user("redir", "right-password")
    r = client.post("/login?next=//evil.example/", data={"username": "redir", "password": "right-password",
                                                         "csrf_token": csrf_token(client)})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]
    r = client.post("/login?next=/%5Cevil.example/", data={"username": "redir", "password": "right-password",
                                                           "csrf_token": csrf_token(client)})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]
