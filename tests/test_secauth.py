"""Issue 17, items 1, 4, 5, 8 and 11: who sees keys and contacts, where a login may send the
browser, throttling instead of lockouts, sessions and tokens that end, who may create a
tournament and which origins may open a live connection. docs/security.md cites these."""
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import LoginAttempt, Team, Tournament, TournamentMember, User
from debate.services import accounts
from debate.services import appeals as appeals_svc
from debate.services.awards import team_codes
from debate.services.errors import Refused
from tests.conftest import csrf_token
from tests.flow import run_prelim_round, setup_tournament

PW = "secauth-password-1"


def _client(app, address="127.0.0.1"):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _sign_in(c, username, password=PW):
    return c.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(c)})


def _token(c, username, password=PW):
    r = c.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def _member(app, username, tid, role):
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        db.session.add(TournamentMember(user_id=uid, tournament_id=tid, role=role))
        db.session.commit()


@pytest.fixture
def staffed(app, api, client, make_user):
    """A tournament with a team (coach with a contact), adjudicators, a director and tab staff."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=4, rooms=2, leagues=("en",))
    api.post(f"/tournaments/{t['id']}/adjudicators", {"name": "Contact Judge", "languages": ["en"],
                                                        "contact": "+7 701 000 00 00"})
    make_user("boss", PW)
    make_user("helper", PW, "staff")
    _member(app, "boss", t["id"], "director")
    _member(app, "helper", t["id"], "staff")
    return t, keys


# ------------------------------------------------------------------ 1. keys and contacts

SECRET_FIELDS = ("private_key", "private_url", "contact")


def test_staff_get_adjudicators_and_teams_without_keys_or_contacts(app, staffed):
    t, _keys = staffed
    tid = t["id"]
    staff, boss = _client(app), _client(app)
    hs, hd = _token(staff, "helper"), _token(boss, "boss")
    adjs = staff.get(f"/api/v1/tournaments/{tid}/adjudicators", headers=hs)
    assert adjs.status_code == 200 and adjs.get_json()
    for a in adjs.get_json():
        assert not set(SECRET_FIELDS) & set(a), a
    teams = staff.get(f"/api/v1/tournaments/{tid}/teams", headers=hs).get_json()
    assert teams and all("contact" not in (x["coach"] or {}) for x in teams)
    # A director of the tournament gets them, as on the director's pages.
    adjs = boss.get(f"/api/v1/tournaments/{tid}/adjudicators", headers=hd).get_json()
    assert all(a["private_key"] and a["private_url"].endswith(a["private_key"]) for a in adjs)
    assert "+7 701 000 00 00" in [a["contact"] for a in adjs]


def test_staff_cannot_open_key_pages_director_can(app, staffed):
    t, _keys = staffed
    tid = t["id"]
    staff, boss = _client(app), _client(app)
    assert _sign_in(staff, "helper").status_code == 302
    assert _sign_in(boss, "boss").status_code == 302
    with app.app_context():
        from debate.models import Adjudicator
        adj = db.session.scalar(select(Adjudicator).where(Adjudicator.tournament_id == tid))
        aid, key = adj.id, adj.private_key
    for url in (f"/t/{tid}/adjudicators/links", f"/t/{tid}/adjudicators/{aid}/edit"):
        assert staff.get(url).status_code == 403, url
        r = boss.get(url)
        assert r.status_code == 200 and key in r.get_data(as_text=True), url
    # The staff's own pages never carry a key.
    for url in (f"/t/{tid}/adjudicators/", f"/t/{tid}/", f"/t/{tid}/live.json", f"/t/{tid}/export/ballots.csv"):
        r = staff.get(url)
        assert r.status_code == 200 and key not in r.get_data(as_text=True), url
    # The list page offers the QR sheet to directors only.
    assert "adjudicators/links" not in staff.get(f"/t/{tid}/adjudicators/").get_data(as_text=True)
    assert "adjudicators/links" in boss.get(f"/t/{tid}/adjudicators/").get_data(as_text=True)


def test_one_rule_decides_who_sees_secrets(app, staffed):
    from debate.models.people import may_see_secrets
    t, _keys = staffed
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        helper = db.session.scalar(select(User).where(User.username == "helper"))
        assert may_see_secrets(boss, t["id"]) and not may_see_secrets(helper, t["id"])
        assert not may_see_secrets(None, t["id"]) and not may_see_secrets(boss, t["id"] + 1000)


# ------------------------------------------------------------------ 4. redirect after login

@pytest.mark.parametrize("nxt", ["/%09/evil.example/", "/%0d/evil.example/", "/%0a/evil.example/",
                                 "/%0D%0ASet-Cookie:x=1", "//evil.example/", "/%5Cevil.example/",
                                 "https://evil.example/", "/%2F/evil.example/", "%09//evil.example/",
                                 "/\t/evil.example", " //evil.example/", "http:/evil.example",
                                 "/%E2%80%8B/evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(app, make_user, nxt):
    make_user("redir", PW)
    c = _client(app)
    r = c.post(f"/login?next={nxt}", data={"username": "redir", "password": PW, "csrf_token": csrf_token(c)})
    assert r.status_code == 302
    loc = r.headers["Location"]
    assert "evil" not in loc and "javascript" not in loc and "\r" not in loc and "\n" not in loc
    assert loc.startswith("/") and not loc.startswith("//")


def test_login_keeps_a_same_site_next(app, make_user):
    make_user("redir", PW)
    c = _client(app)
    r = c.post("/login?next=/t/%3Fq%3D1", data={"username": "redir", "password": PW, "csrf_token": csrf_token(c)})
    assert r.status_code == 302 and r.headers["Location"] == "/t/?q=1"


# ------------------------------------------------------------------ 5. throttling, not lockouts

def _fail_login(c, username, password="wrong-password"):
    return c.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(c)})


def test_failures_from_another_address_do_not_lock_the_director_out(app, make_user):
    make_user("director", PW)
    attacker = _client(app, "203.0.113.66")
    for _ in range(12):
        assert _fail_login(attacker, "director").status_code in (401, 429)
    r = attacker.post("/api/v1/auth/token", json={"username": "director", "password": PW})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    real = _client(app, "198.51.100.7")
    assert _sign_in(real, "director").status_code == 302
    assert real.post("/api/v1/auth/token", json={"username": "director", "password": PW}).status_code == 200


def test_throttle_delays_grow_and_never_lock(app, make_user):
    make_user("director", PW)
    free = app.config["LOGIN_FREE_FAILURES"]
    t0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    with app.app_context():
        for i in range(free):
            assert accounts.check_login("director", "bad", "203.0.113.5", now=t0)[1] == "invalid"
        user, problem, wait1 = accounts.check_login("director", PW, "203.0.113.5", now=t0)
        assert user is None and problem == "throttled" and wait1 > 0
        # After the wait one more guess is allowed; a wrong one doubles the wait.
        t1 = t0 + timedelta(seconds=wait1)
        assert accounts.check_login("director", "bad", "203.0.113.5", now=t1)[1] == "invalid"
        wait2 = accounts.check_login("director", PW, "203.0.113.5", now=t1)[2]
        assert wait2 == 2 * wait1
        # The right password after the wait works: a delay, not a lock.
        user, problem, _w = accounts.check_login("director", PW, "203.0.113.5", now=t1 + timedelta(seconds=wait2))
        assert user is not None and problem is None
        # And from another address it worked all along.
        assert accounts.check_login("director", PW, "198.51.100.1", now=t1)[0] is not None


def test_many_usernames_from_one_address_are_throttled(app):
    c = _client(app, "203.0.113.9")
    statuses = [c.post("/api/v1/auth/token", json={"username": f"user{i}", "password": "x"}).status_code
                for i in range(40)]
    assert 429 in statuses
    assert statuses.index(429) <= app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"]
    page = _fail_login(c, "someone-else")
    assert page.status_code == 429 and "Retry-After" in page.headers
    # Another address is not affected.
    assert _client(app, "198.51.100.9").post("/api/v1/auth/token",
                                             json={"username": "user0", "password": "x"}).status_code == 401


def test_unknown_usernames_cost_the_same_password_work(app, make_user, monkeypatch):
    make_user("known", PW)
    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    with app.app_context():
        accounts.check_login("known", "wrong", "192.0.2.1")
        accounts.check_login("nobody-like-this", "wrong", "192.0.2.2")
        db.session.commit()
    assert len(calls) == 2
    # The same hashing method and cost for both.
    assert calls[0].split("$")[0] == calls[1].split("$")[0]


@pytest.fixture
def appeal_ready(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("en",))
    rnd, _draw = run_prelim_round(api, client, t, keys, random.Random(3))
    with app.app_context():
        tt = db.session.get(Tournament, t["id"])
        team = db.session.scalar(select(Team).where(Team.tournament_id == t["id"]))
        code = team_codes(tt)[team.id]
        db.session.commit()
        return {"tid": t["id"], "rid": rnd["id"], "team": team.name, "code": code}


def test_wrong_appeal_codes_from_elsewhere_do_not_lock_the_team_out(app, appeal_ready):
    r = appeal_ready
    now = datetime.now(timezone.utc)
    wrong = "A" * 16 if r["code"] != "A" * 16 else "B" * 16
    text = "The adjudicator mixed up the speaker scores of our second speaker."
    with app.app_context():
        t = db.session.get(Tournament, r["tid"])
        for _ in range(6):
            with pytest.raises(Refused) as e:
                appeals_svc.file_appeal(t, r["team"], wrong, str(r["rid"]), text, now, address="203.0.113.66")
            assert e.value.code in ("appeal_bad_team_or_code", "appeal_too_many_attempts")
            db.session.commit()
        with pytest.raises(Refused) as e:
            appeals_svc.file_appeal(t, r["team"], r["code"], str(r["rid"]), text, now, address="203.0.113.66")
        assert e.value.code == "appeal_too_many_attempts" and e.value.params["seconds"] > 0
        db.session.rollback()
        a = appeals_svc.file_appeal(t, r["team"], r["code"], str(r["rid"]), text, now, address="198.51.100.3")
        db.session.commit()
        assert a.status == "pending"


def test_appeal_page_throttles_by_address(app, appeal_ready):
    r = appeal_ready
    attacker, team = _client(app, "203.0.113.66"), _client(app, "198.51.100.3")
    form = {"team": r["team"], "code": "WRONGWRONGWRONG1", "round_id": r["rid"],
            "text": "The adjudicator mixed up the speaker scores of our second speaker."}
    statuses = []
    for _ in range(7):
        statuses.append(attacker.post(f"/appeal/{r['tid']}", data={**form, "csrf_token": csrf_token(attacker, f"/appeal/{r['tid']}")}).status_code)
    assert statuses[-1] == 429
    ok = team.post(f"/appeal/{r['tid']}", data={**form, "code": r["code"], "csrf_token": csrf_token(team, f"/appeal/{r['tid']}")})
    assert ok.status_code == 200 and ok.status_code != 429


def test_old_failures_are_forgotten(app, make_user):
    make_user("director", PW)
    with app.app_context():
        long_ago = datetime.now(timezone.utc) - timedelta(days=2)
        for _ in range(30):
            accounts.check_login("director", "bad", "203.0.113.5", now=long_ago)
        accounts.check_login("director", "bad", "203.0.113.5")
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(LoginAttempt)) == 1


# ------------------------------------------------------------------ 8. sessions and tokens

def test_logout_ends_the_session_on_the_server(app, make_user):
    make_user("director", PW)
    c = _client(app)
    assert _sign_in(c, "director").status_code == 302
    stolen = c.get_cookie("session").value
    assert c.get("/t/").status_code == 200
    assert c.post("/logout", data={"csrf_token": csrf_token(c, "/t/")}).status_code == 302
    replay = _client(app)
    replay.set_cookie("session", stolen, domain="localhost")
    r = replay.get("/t/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_password_change_ends_every_session_and_token(app, make_user):
    make_user("director", PW)
    laptop, phone, script = _client(app), _client(app), _client(app)
    assert _sign_in(laptop, "director").status_code == 302
    assert _sign_in(phone, "director").status_code == 302
    h = _token(script, "director")
    assert script.get("/api/v1/tournaments", headers=h).status_code == 200
    r = laptop.get("/account")
    assert r.status_code == 200
    # The wrong current password changes nothing.
    r = laptop.post("/account/password", data={"current": "nope", "new": "brand-new-pass-2", "repeat": "brand-new-pass-2",
                                               "csrf_token": csrf_token(laptop, "/account")})
    assert r.status_code == 422
    assert phone.get("/t/").status_code == 200
    r = laptop.post("/account/password", data={"current": PW, "new": "brand-new-pass-2", "repeat": "brand-new-pass-2",
                                               "csrf_token": csrf_token(laptop, "/account")})
    assert r.status_code == 302
    assert laptop.get("/t/").status_code == 200  # the one that changed it stays signed in
    r = phone.get("/t/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert script.get("/api/v1/tournaments", headers=h).status_code == 401
    assert _sign_in(_client(app), "director", "brand-new-pass-2").status_code == 302


def test_cli_password_reset_ends_sessions_and_tokens(app, make_user):
    from debate.commands.cli import debate_cli
    make_user("director", PW)
    c, script = _client(app), _client(app)
    assert _sign_in(c, "director").status_code == 302
    h = _token(script, "director")
    result = app.test_cli_runner().invoke(debate_cli, ["reset-password", "director", "--password", "reset-pass-99"])
    assert result.exit_code == 0, result.output
    assert c.get("/t/").status_code == 302
    assert script.get("/api/v1/tournaments", headers=h).status_code == 401
    assert _sign_in(_client(app), "director", "reset-pass-99").status_code == 302


def test_tokens_expire(app, make_user):
    make_user("director", PW)
    c = _client(app)
    h = _token(c, "director")
    assert c.get("/api/v1/tournaments", headers=h).status_code == 200
    with app.app_context():
        from debate.models import ApiToken
        tok = db.session.scalar(select(ApiToken))
        tok.created_at = datetime.now(timezone.utc) - timedelta(days=app.config["API_TOKEN_DAYS"], seconds=1)
        db.session.commit()
    r = c.get("/api/v1/tournaments", headers=h)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_list_and_revoke_tokens_in_the_api(app, make_user):
    make_user("director", PW)
    make_user("other", PW)
    c = _client(app)
    h1, h2 = _token(c, "director"), _token(c, "director")
    ho = _token(c, "other")
    r = c.get("/api/v1/auth/tokens", headers=h1)
    assert r.status_code == 200
    rows = r.get_json()
    assert len(rows) == 2 and sum(1 for x in rows if x["current"]) == 1
    assert all({"id", "created_at", "expires_at", "current"} <= set(x) for x in rows)
    assert "digest" not in rows[0] and "token" not in rows[0]
    other_id = c.get("/api/v1/auth/tokens", headers=ho).get_json()[0]["id"]
    assert c.delete(f"/api/v1/auth/tokens/{other_id}", headers=h1).status_code == 404  # not theirs
    second = next(x["id"] for x in rows if not x["current"])
    assert c.delete(f"/api/v1/auth/tokens/{second}", headers=h1).status_code == 204
    assert c.get("/api/v1/tournaments", headers=h2).status_code == 401
    assert c.get("/api/v1/tournaments", headers=h1).status_code == 200
    assert c.get("/api/v1/tournaments", headers=ho).status_code == 200


def test_account_page_lists_and_revokes_tokens(app, make_user):
    make_user("director", PW)
    c, script = _client(app), _client(app)
    h = _token(script, "director")
    assert _sign_in(c, "director").status_code == 302
    page = c.get("/account").get_data(as_text=True)
    with app.app_context():
        from debate.models import ApiToken
        tid = db.session.scalar(select(ApiToken.id))
    assert f"/account/tokens/{tid}/revoke" in page
    r = c.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": csrf_token(c, "/account")})
    assert r.status_code == 302
    assert script.get("/api/v1/tournaments", headers=h).status_code == 401


# ------------------------------------------------------------------ 11. who creates; live origins

def test_staff_accounts_cannot_create_tournaments(app, make_user):
    make_user("helper", PW, "staff")
    make_user("boss", PW)
    staff, boss = _client(app), _client(app)
    hs = _token(staff, "helper")
    r = staff.post("/api/v1/tournaments", json={"name": "Mine", "leagues": [{"language": "kk"}]}, headers=hs)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "cannot_create_tournament"
    assert _sign_in(staff, "helper").status_code == 302
    assert staff.get("/t/new").status_code == 403
    r = staff.post("/t/new", data={"name": "Mine", "league_kk": "1", "csrf_token": csrf_token(staff, "/t/")})
    assert r.status_code in (302, 403)
    assert "New tournament" not in staff.get("/t/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Tournament)).all() == []
    hd = _token(boss, "boss")
    assert boss.post("/api/v1/tournaments", json={"name": "Ours", "leagues": [{"language": "kk"}]},
                     headers=hd).status_code == 201


def _handshake(c, origin=None, host=None):
    headers = {"Origin": origin} if origin else {}
    if host:
        headers["Host"] = host
    return c.get(f"/socket.io/?EIO=4&transport=polling&t={uuid.uuid4().hex[:7]}", headers=headers)


def test_live_handshake_accepts_only_own_and_configured_origins(app, monkeypatch):
    c = _client(app)
    assert _handshake(c, "http://evil.example").status_code == 400
    assert _handshake(c, "null").status_code == 400
    assert _handshake(c, "http://localhost.evil.example").status_code == 400
    assert _handshake(c, "http://localhost").status_code == 200
    assert _handshake(c).status_code == 200  # no Origin: not a browser page of another site
    # Behind a proxy the own origin is the Host the browser used, or PUBLIC_BASE_URL.
    assert _handshake(c, "https://tab.example.kz", host="tab.example.kz").status_code == 200
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://debate.example.kz")
    assert _handshake(c, "https://debate.example.kz").status_code == 200
    monkeypatch.setitem(app.config, "SOCKETIO_ORIGINS", ["https://projector.example.kz"])
    assert _handshake(c, "https://projector.example.kz").status_code == 200
    assert _handshake(c, "https://evil.example").status_code == 400


def test_a_signed_in_person_cannot_confirm_what_they_submitted_with_a_key(app, staffed):
    """Directors can read keys. A ballot sent with a key from a browser signed in as a director
    (or with their API token) is recorded as entered by them, so they cannot confirm it alone."""
    t, keys = staffed
    tid = t["id"]
    boss = _client(app)
    assert _sign_in(boss, "boss").status_code == 302
    hd = _token(boss, "boss")
    rnd = boss.post(f"/api/v1/tournaments/{tid}/rounds", json={"kind": "prelim"}, headers=hd).get_json()
    draw = boss.post(f"/api/v1/rounds/{rnd['id']}/draw", headers=hd).get_json()
    boss.post(f"/api/v1/rounds/{rnd['id']}/release", json={"draw": True}, headers=hd)
    d = draw["debates"][0]
    key = keys[d["adjudicators"][0]["id"]]
    body = {"debate_id": d["id"], "winner": "gov", "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}}
    # From the director's signed-in browser (the phone page's script sends the cookie).
    r = boss.post("/api/v1/ballots", json={**body, "client_id": str(uuid.uuid4())}, headers={"X-Adjudicator-Key": key})
    assert r.status_code == 201, r.get_json()
    r = boss.post(f"/api/v1/ballots/{r.get_json()['id']}/confirm", headers=hd)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "own_entry"
    # With the director's token and no cookie.
    script = _client(app)
    r = script.post("/api/v1/ballots", json={**body, "client_id": str(uuid.uuid4())},
                    headers={"X-Adjudicator-Key": key, **hd})
    assert r.status_code == 201
    assert boss.post(f"/api/v1/ballots/{r.get_json()['id']}/confirm", headers=hd).status_code == 403
    # The adjudicator's own phone (no account): the director confirms as usual.
    phone = _client(app)
    r = phone.post("/api/v1/ballots", json={**body, "client_id": str(uuid.uuid4())}, headers={"X-Adjudicator-Key": key})
    assert r.status_code == 201
    assert boss.post(f"/api/v1/ballots/{r.get_json()['id']}/confirm", headers=hd).status_code == 200
