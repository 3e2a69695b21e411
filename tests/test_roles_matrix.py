"""Who may do what: every rule in app.url_map against every role.

Roles: anonymous; an adjudicator (an anonymous browser that knows its own private key, sent as
X-Adjudicator-Key to the API); tab staff of the tournament; a director of the tournament; a
director of ANOTHER tournament ("rival").

RULES below classifies every route. A route nobody classified fails
test_every_rule_is_classified with the list of missing rules: add one line for it.
Access classes:
  PUBLIC         everyone gets `ok` (default 200 for GET)
  SIGNED_IN      any account; anonymous -> sign-in redirect
  SITE_DIRECTOR  accounts whose site role is director (creating tournaments); staff accounts 403
  STAFF          directors and tab staff of the tournament; others refused
  DIRECTOR       directors of the tournament only (staff get 403)
  JUDGE          the page of one private key: its own debates only; other keys -> 404
  API_ANY        any bearer token; no token -> 401
  API_SITE_DIRECTOR  bearer token of an account whose site role is director; staff 403, no token 401
  API_STAFF      bearer token of the tournament's directors or staff
  API_DIRECTOR   bearer token of the tournament's directors
  API_RELEASED   public once released (the world leaves it unreleased): staff/director 200, others 403
  API_PUBLIC     no authentication
  API_BALLOT     X-Adjudicator-Key only: own debate 201, another adjudicator's debate 403, no key 401
"""
import random
import re
import uuid

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import ProblemReport, Room, TournamentMember
from tests.flow import run_prelim_round, setup_tournament

ROLES = ("anon", "adj", "rival", "staff", "director")
PASSWORD = "role-matrix-pw-1"

PUBLIC, SIGNED_IN, STAFF, DIRECTOR, JUDGE = "PUBLIC", "SIGNED_IN", "STAFF", "DIRECTOR", "JUDGE"
SITE_DIRECTOR, API_SITE_DIRECTOR = "SITE_DIRECTOR", "API_SITE_DIRECTOR"
API_ANY, API_STAFF, API_DIRECTOR, API_RELEASED, API_PUBLIC, API_BALLOT = (
    "API_ANY", "API_STAFF", "API_DIRECTOR", "API_RELEASED", "API_PUBLIC", "API_BALLOT")

# "METHOD rule": (class, options). options: ok = statuses accepted for an allowed role;
# args = URL values overriding the world's defaults.
RULES = {
    # public pages
    "GET /": (PUBLIC, {}),
    "GET /healthz": (PUBLIC, {}),
    "GET /static/<path:filename>": (PUBLIC, {"args": {"filename": "css/app.css"}}),
    "GET /login": (PUBLIC, {"ok": {200, 302}}),
    "POST /login": (PUBLIC, {"ok": {401, 302, 429}}),
    "GET /p/<int:tid>/": (PUBLIC, {}),
    "GET /p/<int:tid>/l/<int:lid>/": (PUBLIC, {"ok": {200, 302}}),
    "GET /p/<int:tid>/l/<int:lid>/<any(draw, results, standings, speakers, bracket):part>": (PUBLIC, {"args": {"part": "draw"}}),
    "GET /p/<int:tid>/l/<int:lid>/projector": (PUBLIC, {}),
    "GET /p/<int:tid>/l/<int:lid>/live.json": (PUBLIC, {}),
    "GET /verify": (PUBLIC, {"ok": {200, 404}}),
    "GET /verify/<code>": (PUBLIC, {"ok": {404}, "args": {"code": "AAAAAAAAAAAAAAAA"}}),
    "GET /appeal/<int:tid>": (PUBLIC, {"ok": {200, 404}}),
    "POST /appeal/<int:tid>": (PUBLIC, {"ok": {200, 302, 400, 404, 422, 429}}),
    # any signed-in account
    "GET /t/": (SIGNED_IN, {}),
    "GET /t/new": (SITE_DIRECTOR, {}),
    "POST /t/new": (SITE_DIRECTOR, {"ok": {200, 422}}),
    "POST /logout": (SIGNED_IN, {"ok": {302}}),
    "GET /account": (SIGNED_IN, {}),
    "POST /account/password": (SIGNED_IN, {"ok": {422}}),
    "POST /account/tokens/<int:token_id>/revoke": (SIGNED_IN, {"ok": {302}, "args": {"token_id": 999999}}),
    # a tournament's directors and tab staff
    "GET /t/<int:tid>/": (STAFF, {}),
    "GET /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/": (STAFF, {}),
    "GET /t/<int:tid>/rounds/": (STAFF, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/": (STAFF, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/results": (STAFF, {}),
    "GET /t/<int:tid>/debates/<int:did>/ballots": (STAFF, {}),
    "GET /t/<int:tid>/debates/<int:did>/enter/<int:aid>": (STAFF, {}),
    "POST /t/<int:tid>/debates/<int:did>/enter/<int:aid>": (STAFF, {}),
    "POST /t/<int:tid>/ballots/<int:bid>/confirm": (STAFF, {}),
    "POST /t/<int:tid>/debates/<int:did>/confirm-all": (STAFF, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/confirm": (STAFF, {}),
    "GET /t/<int:tid>/debates/<int:did>/correct": (DIRECTOR, {}),
    "POST /t/<int:tid>/debates/<int:did>/correct": (DIRECTOR, {}),
    "POST /t/<int:tid>/problems/<int:pid>/resolve": (STAFF, {}),
    "POST /t/<int:tid>/problems/<int:pid>/answer": (STAFF, {"answer": "On my way"}),
    "GET /t/<int:tid>/rounds/<int:rid>/paper.pdf": (STAFF, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/paper-entry": (STAFF, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/paper-entry": (STAFF, {"ok": {302, 422}}),
    "GET /t/<int:tid>/debates/<int:did>/forfeit": (DIRECTOR, {}),
    "POST /t/<int:tid>/debates/<int:did>/forfeit": (DIRECTOR, {"ok": {302}}),
    "GET /t/<int:tid>/debates/<int:did>/forfeit/undo": (DIRECTOR, {}),
    "POST /t/<int:tid>/debates/<int:did>/forfeit/undo": (DIRECTOR, {"ok": {200, 302, 409, 422}}),
    "GET /t/<int:tid>/leagues/<int:lid>/standings": (STAFF, {}),
    "GET /t/<int:tid>/live": (STAFF, {}),
    "GET /t/<int:tid>/live.json": (STAFF, {}),
    "GET /t/<int:tid>/export/<what>.<fmt>": (STAFF, {"args": {"what": "ballots", "fmt": "csv"}}),
    "GET /t/<int:tid>/import/template/<any(teams, adjudicators, rooms):kind>.<any(csv, xlsx):fmt>": (STAFF, {"args": {"fmt": "csv"}}),
    "GET /t/<int:tid>/appeals": (STAFF, {}),
    "GET /t/<int:tid>/appeals.csv": (STAFF, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/checkin": (STAFF, {"args": {"rid": "unreleased_round"}}),
    "POST /t/<int:tid>/rounds/<int:rid>/checkin": (STAFF, {"args": {"rid": "unreleased_round"}}),
    # a tournament's directors only
    "GET /t/<int:tid>/edit": (DIRECTOR, {}),
    "POST /t/<int:tid>/edit": (DIRECTOR, {"ok": {200, 302, 422}}),
    "GET /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/new": (DIRECTOR, {}),
    "POST /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/new": (DIRECTOR, {}),
    "GET /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/<int:oid>/edit": (DIRECTOR, {}),
    "POST /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/<int:oid>/edit": (DIRECTOR, {}),
    "POST /t/<int:tid>/<any(teams, adjudicators, rooms):kind>/<int:oid>/delete": (DIRECTOR, {"args": {"kind": "rooms", "oid": "spare_room"}}),
    "POST /t/<int:tid>/adjudicators/<int:oid>/reissue-key": (DIRECTOR, {"args": {"oid": "spare_adj"}}),
    "POST /t/<int:tid>/<any(teams, adjudicators):kind>/<int:oid>/withdraw": (DIRECTOR, {"args": {"kind": "adjudicators", "oid": "spare_adj"}}),
    "POST /t/<int:tid>/rounds/<int:rid>/delete": (DIRECTOR, {}),
    "POST /t/<int:tid>/leagues/<int:lid>/break/delete": (DIRECTOR, {}),
    "POST /t/<int:tid>/anonymise": (DIRECTOR, {}),
    "POST /t/<int:tid>/delete": (DIRECTOR, {}),
    "GET /t/<int:tid>/export/tournament.json": (DIRECTOR, {}),
    "GET /t/<int:tid>/adjudicators/links": (DIRECTOR, {}),
    "GET /t/<int:tid>/import": (DIRECTOR, {}),
    "POST /t/<int:tid>/import": (DIRECTOR, {}),
    "GET /t/<int:tid>/audit": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/new": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/draw": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/allocate": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/release": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/motion": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/debates/<int:did>/swap-sides": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/swap-teams": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/panel": (DIRECTOR, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/panel/preview": (DIRECTOR, {"ok": {422}}),  # no adjudicator chosen
    "POST /t/<int:tid>/rounds/<int:rid>/rooms": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/silent": (DIRECTOR, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/unlock": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/unlock": (DIRECTOR, {}),
    "POST /t/<int:tid>/rounds/<int:rid>/lock": (DIRECTOR, {}),
    "GET /t/<int:tid>/rounds/<int:rid>/replace": (DIRECTOR, {"ok": {422}}),  # no adjudicator chosen
    "POST /t/<int:tid>/rounds/<int:rid>/replace": (DIRECTOR, {}),
    "POST /t/<int:tid>/leagues/<int:lid>/break": (DIRECTOR, {}),
    "POST /t/<int:tid>/leagues/<int:lid>/release": (DIRECTOR, {}),
    "GET /t/<int:tid>/awards": (DIRECTOR, {}),
    "POST /t/<int:tid>/awards/prepare": (DIRECTOR, {}),
    "POST /t/<int:tid>/awards/leagues/<int:lid>/nominee": (DIRECTOR, {}),
    "POST /t/<int:tid>/awards/leagues/<int:lid>/diploma-tie": (DIRECTOR, {}),
    "GET /t/<int:tid>/awards/<category>.pdf": (DIRECTOR, {"args": {"category": "diplomas"}}),
    "GET /t/<int:tid>/awards/doc/<int:aid>.pdf": (DIRECTOR, {"ok": {404}, "args": {"aid": 999999}}),
    "GET /t/<int:tid>/awards/list": (DIRECTOR, {}),
    "GET /t/<int:tid>/season": (DIRECTOR, {}),
    "POST /t/<int:tid>/season/qualifies": (DIRECTOR, {}),
    "POST /t/<int:tid>/season/promote": (DIRECTOR, {}),
    "GET /t/<int:tid>/reports": (DIRECTOR, {}),
    "GET /t/<int:tid>/reports/<scope>": (DIRECTOR, {"args": {"scope": "tournament"}}),
    "GET /t/<int:tid>/reports/<scope>.xlsx": (DIRECTOR, {"args": {"scope": "tournament"}}),
    "POST /t/<int:tid>/appeals/<int:aid>/decide": (DIRECTOR, {"args": {"aid": 999999}}),
    "POST /t/<int:tid>/appeals/<int:aid>/correction": (DIRECTOR, {"args": {"aid": 999999}}),
    "GET /t/<int:tid>/appeals/codes.pdf": (DIRECTOR, {}),
    "GET /t/<int:tid>/staff/": (DIRECTOR, {}),
    "POST /t/<int:tid>/staff/": (DIRECTOR, {}),
    "POST /t/<int:tid>/staff/<int:uid>/remove": (DIRECTOR, {"args": {"uid": "spare_staff"}}),
    # an adjudicator's private pages
    "GET /j/<key>": (JUDGE, {}),
    "GET /j/<key>/ballot/<int:did>": (JUDGE, {}),
    "POST /j/<key>/ballot/<int:did>": (JUDGE, {"ok": {200, 422}}),
    "POST /j/<key>/problem": (JUDGE, {"ok": {302}, "own_debate_only": False}),
    "POST /j/<key>/here": (JUDGE, {"ok": {302}, "own_debate_only": False}),
    "GET /j/<key>/feedback": (JUDGE, {"own_debate_only": False}),
    "GET /j/<key>/feedback/<int:did>": (JUDGE, {}),
    "POST /j/<key>/feedback/<int:did>": (JUDGE, {"ok": {302}}),  # an empty form: refused, back to the page
    # a team's private pages: the key is the credential, so the world's (adjudicator) key is
    # refused for everyone (own and other keys: tests/test_feedback.py)
    "GET /team/<key>": (PUBLIC, {"ok": {404}}),
    "POST /team/<key>/appeal": (PUBLIC, {"ok": {404}}),
    "GET /team/<key>/feedback/<int:did>": (PUBLIC, {"ok": {404}}),
    "POST /team/<key>/feedback/<int:did>": (PUBLIC, {"ok": {404}}),
    "GET /p/<int:tid>/l/<int:lid>/motions": (PUBLIC, {}),
    "GET /p/<int:tid>/l/<int:lid>/motions/projector": (PUBLIC, {}),
    "GET /t/<int:tid>/teams/links": (DIRECTOR, {}),
    "POST /t/<int:tid>/teams/<int:oid>/reissue-key": (DIRECTOR, {}),
    "GET /t/<int:tid>/feedback/": (DIRECTOR, {}),
    "POST /t/<int:tid>/feedback/apply": (DIRECTOR, {}),
    "GET /t/<int:tid>/feedback/adjudicators/<int:aid>": (DIRECTOR, {}),
    "GET /t/<int:tid>/feedback/missing": (DIRECTOR, {}),
    # API
    "POST /api/v1/auth/token": (API_PUBLIC, {"ok": {401, 422, 429}}),  # empty names: locked out after 5
    "GET /api/v1/healthz": (API_PUBLIC, {}),
    "GET /api/v1/openapi.json": (API_PUBLIC, {}),
    "GET /api/v1/regions": (API_PUBLIC, {}),
    "GET /api/v1/tournaments": (API_ANY, {}),
    "POST /api/v1/tournaments": (API_SITE_DIRECTOR, {"ok": {422}}),
    "GET /api/v1/auth/tokens": (API_ANY, {}),
    "DELETE /api/v1/auth/tokens/<int:token_id>": (API_ANY, {"ok": {404}, "args": {"token_id": 999999}}),
    "GET /api/v1/tournaments/<int:tid>": (API_STAFF, {}),
    "PATCH /api/v1/tournaments/<int:tid>": (API_DIRECTOR, {}),
    "GET /api/v1/tournaments/<int:tid>/teams": (API_STAFF, {}),
    "POST /api/v1/tournaments/<int:tid>/teams": (API_DIRECTOR, {}),
    "GET /api/v1/tournaments/<int:tid>/adjudicators": (API_STAFF, {}),
    "POST /api/v1/tournaments/<int:tid>/adjudicators": (API_DIRECTOR, {}),
    "GET /api/v1/tournaments/<int:tid>/rooms": (API_STAFF, {}),
    "POST /api/v1/tournaments/<int:tid>/rooms": (API_DIRECTOR, {}),
    "GET /api/v1/tournaments/<int:tid>/rounds": (API_STAFF, {}),
    "POST /api/v1/tournaments/<int:tid>/rounds": (API_DIRECTOR, {}),
    "POST /api/v1/tournaments/<int:tid>/release": (API_DIRECTOR, {}),
    "GET /api/v1/rounds/<int:rid>/draw": (API_RELEASED, {"args": {"rid": "unreleased_round"}}),
    "POST /api/v1/rounds/<int:rid>/draw": (API_DIRECTOR, {"args": {"rid": "unreleased_round"}}),
    "POST /api/v1/rounds/<int:rid>/release": (API_DIRECTOR, {"args": {"rid": "unreleased_round"}}),
    "PUT /api/v1/rounds/<int:rid>/motions/<int:lid>": (API_DIRECTOR, {"args": {"rid": "unreleased_round"}}),
    "POST /api/v1/rounds/<int:rid>/edits": (API_DIRECTOR, {}),
    "POST /api/v1/rounds/<int:rid>/unlock": (API_DIRECTOR, {}),
    "POST /api/v1/rounds/<int:rid>/lock": (API_DIRECTOR, {}),
    "GET /api/v1/rounds/<int:rid>/availability": (API_STAFF, {"args": {"rid": "unreleased_round"}}),
    "PUT /api/v1/rounds/<int:rid>/availability": (API_DIRECTOR, {"args": {"rid": "unreleased_round"}}),
    "POST /api/v1/rounds/<int:rid>/replace": (API_DIRECTOR, {}),
    "POST /api/v1/ballots": (API_BALLOT, {}),
    "POST /api/v1/feedback": (API_PUBLIC, {"ok": {401, 422}}),  # no key 401; a key and an empty body 422
    "GET /api/v1/adjudicators/<int:aid>/feedback": (API_DIRECTOR, {}),
    "POST /api/v1/ballots/<int:bid>/confirm": (API_STAFF, {}),
    "POST /api/v1/rounds/<int:rid>/confirm": (API_STAFF, {}),
    "POST /api/v1/debates/<int:did>/corrections": (API_DIRECTOR, {}),
    # a debate of a tournament the caller does not run is not found (api-v1.md, forfeits)
    "POST /api/v1/debates/<int:did>/forfeit": (API_DIRECTOR, {"ok": {422}, "as": {"rival": 404}}),
    "GET /api/v1/debates/<int:did>/result": (API_RELEASED, {}),
    "GET /api/v1/leagues/<int:lid>/standings/teams": (API_RELEASED, {}),
    "GET /api/v1/leagues/<int:lid>/standings/speakers": (API_RELEASED, {}),
    "GET /api/v1/leagues/<int:lid>/bracket": (API_RELEASED, {}),
    "POST /api/v1/leagues/<int:lid>/break": (API_DIRECTOR, {}),
    "DELETE /api/v1/leagues/<int:lid>/break": (API_DIRECTOR, {"ok": {204, 404}}),
    "DELETE /api/v1/rounds/<int:rid>": (API_DIRECTOR, {"ok": {409}}),
    "PATCH /api/v1/teams/<int:oid>": (API_DIRECTOR, {}),
    "DELETE /api/v1/teams/<int:oid>": (API_DIRECTOR, {"ok": {409}}),
    "PATCH /api/v1/adjudicators/<int:oid>": (API_DIRECTOR, {"args": {"oid": "adj_id"}}),
    "DELETE /api/v1/adjudicators/<int:oid>": (API_DIRECTOR, {"ok": {409}, "args": {"oid": "adj_id"}}),
    "DELETE /api/v1/rooms/<int:oid>": (API_DIRECTOR, {"ok": {204}, "args": {"oid": "api_spare_room"}}),
    "POST /api/v1/tournaments/<int:tid>/anonymise": (API_DIRECTOR, {"ok": {422}}),
    "DELETE /api/v1/tournaments/<int:tid>": (API_DIRECTOR, {"ok": {422}}),
}


def _rules(app):
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((f"{method} {rule.rule}", rule))
    return out


def test_every_rule_is_classified(app):
    present = {k for k, _r in _rules(app)}
    missing = sorted(present - set(RULES))
    assert not missing, ("Routes the roles matrix does not classify (add them to RULES in "
                         "tests/test_roles_matrix.py):\n  " + "\n  ".join(missing))
    stale = sorted(set(RULES) - present)
    assert not stale, "RULES lists routes that no longer exist: " + ", ".join(stale)


# ---------------------------------------------------------------------------------- the world

class World:
    pass


def _client(app):
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def _sign_in(app, make_user, username, role="director"):
    make_user(username, PASSWORD, role)
    c = _client(app)
    r = c.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    tok = c.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    return c, tok


@pytest.fixture
def world(app, api, client, make_user, monkeypatch):
    # Roles are what this file tests; CSRF has its own tests (test_security.py).
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    w = World()
    rng = random.Random(5)
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=8, rooms=4, leagues=("en",))
    w.t = t
    w.tid, w.lid = t["id"], t["leagues"][0]["id"]
    _rnd1, draw1 = run_prelim_round(api, client, t, keys, rng)
    w.bid = None
    # Round 2: drawn and released, motion released, no ballots yet.
    rnd2 = api.post(f"/tournaments/{w.tid}/rounds", {"kind": "prelim"}).get_json()
    draw2 = api.post(f"/rounds/{rnd2['id']}/draw").get_json()
    client.put(f"/api/v1/rounds/{rnd2['id']}/motions/{w.lid}", json={"text": "This House would test"},
               headers=api.headers)
    api.post(f"/rounds/{rnd2['id']}/release", {"draw": True, "motion": True})
    w.rid = rnd2["id"]
    d0, d1 = draw2["debates"][0], draw2["debates"][1]
    w.did, w.did_other = d0["id"], d1["id"]
    w.adj_id = d0["adjudicators"][0]["id"]
    w.key = keys[w.adj_id]
    w.other_key = keys[d1["adjudicators"][0]["id"]]
    seated = {a["id"] for d in draw2["debates"] for a in d["adjudicators"]}
    w.spare_adj = next(a for a in keys if a not in seated)
    # One submitted ballot to confirm.
    r = client.post("/api/v1/ballots", headers={"X-Adjudicator-Key": w.key},
                    json={"debate_id": w.did, "client_id": str(uuid.uuid4()), "winner": "gov",
                          "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}})
    assert r.status_code == 201, r.get_json()
    w.bid = r.get_json()["id"]
    # Round 3: created, not drawn or released.
    w.unreleased_round = api.post(f"/tournaments/{w.tid}/rounds", {"kind": "prelim"}).get_json()["id"]
    with app.app_context():
        room = Room(tournament_id=w.tid, name="Spare room")
        db.session.add(room)
        db.session.add(ProblemReport(tournament_id=w.tid, adjudicator_id=w.adj_id, message="no chair"))
        api_room = Room(tournament_id=w.tid, name="Spare room 2")
        db.session.add(api_room)
        db.session.flush()
        w.spare_room, w.api_spare_room = room.id, api_room.id
        w.pid = db.session.scalar(select(ProblemReport.id))
        db.session.commit()
    w.team_id = api.get(f"/tournaments/{w.tid}/teams").get_json()[0]["id"]
    # The people.
    w.clients, w.tokens = {}, {}
    w.clients["director"], w.tokens["director"] = _sign_in(app, make_user, "boss")
    w.clients["staff"], w.tokens["staff"] = _sign_in(app, make_user, "helper", role="staff")
    w.clients["rival"], w.tokens["rival"] = _sign_in(app, make_user, "rival")
    w.spare_staff = make_user("spare-helper", PASSWORD, "staff")
    with app.app_context():
        from debate.models import User
        ids = {u.username: u.id for u in db.session.scalars(select(User))}
        db.session.add_all([TournamentMember(user_id=ids["boss"], tournament_id=w.tid, role="director"),
                            TournamentMember(user_id=ids["helper"], tournament_id=w.tid, role="staff"),
                            TournamentMember(user_id=w.spare_staff, tournament_id=w.tid, role="staff")])
        db.session.commit()
    # The rival runs a tournament of their own.
    rival_t = client.post("/api/v1/tournaments", headers={"Authorization": f"Bearer {w.tokens['rival']}"},
                          json={"name": "Rival cup", "leagues": [{"language": "ru"}]})
    assert rival_t.status_code == 201
    w.clients["anon"], w.tokens["anon"] = _client(app), None
    w.clients["adj"], w.tokens["adj"] = _client(app), None
    return w


def _url(rule, w, overrides):
    values = {"tid": w.tid, "lid": w.lid, "rid": w.rid, "did": w.did, "bid": w.bid, "aid": w.adj_id,
              "oid": w.team_id, "kind": "teams", "pid": w.pid, "uid": w.spare_staff, "key": w.key,
              "part": "draw", "filename": "css/app.css"}
    for k, v in overrides.items():
        values[k] = getattr(w, v) if isinstance(v, str) and hasattr(w, v) else v
    out = rule.rule
    for arg in rule.arguments:
        out = re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?" + arg + ">", str(values[arg]), out)
    return out


def _call(w, role, method, url, key=None):
    c = w.clients[role]
    headers = {}
    if w.tokens.get(role):
        headers["Authorization"] = f"Bearer {w.tokens[role]}"
    if role == "adj":
        headers["X-Adjudicator-Key"] = key or w.key
    kw = {"headers": headers}
    if url.startswith("/api/") and method != "GET":
        kw["json"] = {}
    elif method == "POST":
        kw["data"] = {}
    return c.open(url, method=method, **kw)


def _login_redirect(r):
    return r.status_code == 302 and "/login" in r.headers.get("Location", "")


def _allowed(r, method, ok):
    if ok:
        return r.status_code in ok
    if method == "GET":
        return r.status_code == 200
    return r.status_code < 500 and r.status_code not in (401, 403) and not _login_redirect(r)


def _expect(cls, role):
    """True: the role is allowed; "login"/"forbidden"/401/403/404: how it must be refused."""
    if cls in (PUBLIC, API_PUBLIC):
        return True
    if cls == SIGNED_IN:
        return True if role in ("rival", "staff", "director") else "login"
    if cls == SITE_DIRECTOR:
        return True if role in ("rival", "director") else ("forbidden" if role == "staff" else "login")
    if cls == API_SITE_DIRECTOR:
        return True if role in ("rival", "director") else (403 if role == "staff" else 401)
    if cls == STAFF:
        return True if role in ("staff", "director") else ("forbidden" if role == "rival" else "login")
    if cls == DIRECTOR:
        return True if role == "director" else ("forbidden" if role in ("rival", "staff") else "login")
    if cls == API_ANY:
        return True if role in ("rival", "staff", "director") else 401
    if cls == API_STAFF:
        return True if role in ("staff", "director") else (403 if role == "rival" else 401)
    if cls == API_DIRECTOR:
        return True if role == "director" else (403 if role in ("rival", "staff") else 401)
    if cls == API_RELEASED:
        return True if role in ("staff", "director") else 403
    raise AssertionError(cls)


def _check_generic(w, key, rule, cls, opts, failures, methods):
    method = key.split(" ", 1)[0]
    if method not in methods:
        return
    url = _url(rule, w, opts.get("args", {}))
    for role in ("anon", "adj", "rival", "staff", "director"):
        want = opts.get("as", {}).get(role, _expect(cls, role))
        r = _call(w, role, method, url)
        if want is True:
            good = _allowed(r, method, opts.get("ok"))
        elif want == "login":
            good = _login_redirect(r) or r.status_code in (401, 403)
        elif want == "forbidden":
            good = r.status_code in (403, 404)
        else:
            good = r.status_code == want
        if r.status_code >= 500 or not good:
            failures.append(f"{key} as {role}: {r.status_code} (expected {'allowed' if want is True else want}) {url}")


def _check_judge(w, key, rule, opts, failures):
    method = key.split(" ", 1)[0]
    ok = opts.get("ok") or {200}
    own = _url(rule, w, {"key": w.key, "did": w.did})
    for role in ROLES:  # the key is the credential: whoever holds the link gets the page
        r = _call(w, role, method, own)
        if r.status_code not in ok:
            failures.append(f"{key} own key as {role}: {r.status_code} {own}")
    refused = [_url(rule, w, {"key": "x" * 32, "did": w.did}), _url(rule, w, {"key": w.other_key, "did": w.did})]
    if opts.get("own_debate_only", True) and "did" in rule.arguments:
        refused.append(_url(rule, w, {"key": w.key, "did": w.did_other}))  # not on this panel
    else:
        refused = refused[:1]
    for url in refused:
        for role in ROLES:
            r = _call(w, role, method, url)
            if r.status_code != 404:
                failures.append(f"{key} refused key/debate as {role}: {r.status_code} {url}")


def _check_ballot_api(w, failures, client_id):
    body = {"debate_id": w.did, "client_id": client_id, "winner": "opp",
            "scores": {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}}
    for role in ("anon", "rival", "staff", "director"):  # no key: a bearer token is not enough
        c = w.clients[role]
        h = {"Authorization": f"Bearer {w.tokens[role]}"} if w.tokens.get(role) else {}
        r = c.post("/api/v1/ballots", json=body, headers=h)
        if r.status_code != 401:
            failures.append(f"POST /api/v1/ballots as {role} without key: {r.status_code}")
    r = w.clients["adj"].post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": w.other_key})
    if r.status_code != 403:
        failures.append(f"POST /api/v1/ballots with another panel's key: {r.status_code}")
    r = w.clients["adj"].post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": w.key})
    if r.status_code != 201:
        failures.append(f"POST /api/v1/ballots with own key: {r.status_code} {r.get_json()}")


def test_roles_matrix(app, world):
    w = world
    failures = []
    rules = dict(_rules(app))
    unclassified = sorted(set(rules) - set(RULES))
    # GETs first, then writes; the writes that change the round or sign out come last.
    last = ("POST /t/<int:tid>/rounds/<int:rid>/draw", "POST /t/<int:tid>/rounds/<int:rid>/allocate", "POST /logout")
    order = sorted(RULES, key=lambda k: (not k.startswith("GET"), k in last, last.index(k) if k in last else 0))
    for key in order:
        if key not in rules:
            continue
        cls, opts = RULES[key]
        if cls == JUDGE:
            _check_judge(w, key, rules[key], opts, failures)
        elif cls == API_BALLOT:
            _check_ballot_api(w, failures, str(uuid.uuid4()))
        else:
            _check_generic(w, key, rules[key], cls, opts, failures, ("GET", "POST", "PUT", "PATCH", "DELETE"))
    assert not failures, f"{len(failures)} role checks failed:\n  " + "\n  ".join(failures)
    assert not unclassified, "unclassified routes: " + ", ".join(unclassified)


def test_staff_can_do_ballots_but_not_run_the_tournament(app, world):
    """The story behind the matrix, spelled out for tab staff."""
    w = world
    s, h = w.clients["staff"], {"Authorization": f"Bearer {w.tokens['staff']}"}
    assert s.post(f"/api/v1/ballots/{w.bid}/confirm", headers=h).status_code == 200
    assert s.post(f"/api/v1/rounds/{w.unreleased_round}/draw", headers=h).status_code == 403
    assert s.post(f"/api/v1/rounds/{w.rid}/release", json={"results": True}, headers=h).status_code == 403
    assert s.patch(f"/api/v1/tournaments/{w.tid}", json={"name": "Mine now"}, headers=h).status_code == 403
    assert s.post(f"/t/{w.tid}/rooms/{w.spare_room}/delete").status_code == 403
    assert s.post(f"/t/{w.tid}/edit", data={"name": "Mine now"}).status_code == 403
    assert s.get(f"/t/{w.tid}/staff/").status_code == 403
    assert s.get(f"/t/{w.tid}/debates/{w.did}/enter/{w.adj_id}").status_code == 200


def test_a_director_can_add_staff(app, world):
    w = world
    d = w.clients["director"]
    r = d.post(f"/t/{w.tid}/staff/", data={"username": "newhelper", "password": "short"})
    assert r.status_code == 422
    r = d.post(f"/t/{w.tid}/staff/", data={"username": "newhelper", "password": "long-enough-1"})
    assert r.status_code == 302
    r = d.post(f"/t/{w.tid}/staff/", data={"username": "rival"})  # an existing account
    assert r.status_code == 302
    r = d.post(f"/t/{w.tid}/staff/", data={"username": "rival"})
    assert r.status_code == 422  # already there
    page = d.get(f"/t/{w.tid}/staff/").get_data(as_text=True)
    assert "newhelper" in page and "rival" in page
    c = _client(app)
    assert c.post("/login", data={"username": "newhelper", "password": "long-enough-1"}).status_code == 302
    assert c.get(f"/t/{w.tid}/").status_code == 200
    assert c.get(f"/t/{w.tid}/edit").status_code == 403
    # The rival is now staff here, not director: settings stay closed.
    assert w.clients["rival"].get(f"/t/{w.tid}/").status_code == 200
    assert w.clients["rival"].get(f"/t/{w.tid}/edit").status_code == 403
