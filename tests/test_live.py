"""Live pages: the public pages and their release rules, the projector, the director's live
dashboard, Socket.IO rooms, and that no event ever carries unreleased data.

Real servers (gunicorn, python-socketio clients, Redis between two processes) are in
tests/test_live_redis.py; the browser test is in tests/browser/test_live_browser.py."""
import json
import random
import re

import pytest

from debate.core.extensions import socketio
from tests.conftest import csrf_token
from tests.flow import setup_tournament, submit_panel

MOTION = "This House would teach debate in every village school"
COACH_CONTACT = "+7 701 555 12 34"
COACH_NAME = "Coachname Uniquely"
ALLOWED_KEYS = {"tournament_id", "round_id", "league_id", "debate_id", "ballot_id", "what"}


def _lids(t):
    return {lg["language"]: lg["id"] for lg in t["leagues"]}


def _public_urls(tid, lid):
    urls = [f"/p/{tid}/", f"/p/{tid}/l/{lid}/projector?view=cycle",
            f"/p/{tid}/l/{lid}/live.json?parts=draw,motion,results,standings,speakers,bracket"]
    urls += [f"/p/{tid}/l/{lid}/{p}" for p in ("draw", "results", "standings", "speakers", "bracket")]
    urls += [f"/p/{tid}/l/{lid}/projector?view={v}" for v in ("draw", "motion", "standings", "bracket")]
    return urls


def _public_text(client, tid, lid):
    out = []
    for url in _public_urls(tid, lid):
        # English chosen explicitly: a league's page otherwise opens in the league's language.
        r = client.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert r.status_code == 200, (url, r.status_code)
        out.append(r.get_data(as_text=True))
    return "\n".join(out)


def _round(api, t, motion=MOTION):
    lids = _lids(t)
    rnd = api.post(f"/tournaments/{t['id']}/rounds",
                   {"kind": "prelim", "motions": {str(lid): {"text": f"{motion} ({lang})", "info_slide": "Info slide text"}
                                                  for lang, lid in lids.items()}}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw")
    assert draw.status_code == 201, draw.get_json()
    return rnd, draw.get_json()


def _names_in_league(draw, lid):
    return {d["gov"]["name"] for d in draw["debates"] if d["league_id"] == lid} | \
        {d["opp"]["name"] for d in draw["debates"] if d["league_id"] == lid}


def test_before_release_nothing_is_public(api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6)
    lid = _lids(t)["kk"]
    rnd, draw = _round(api, t)
    text = _public_text(client, t["id"], lid)
    for name in _names_in_league(draw, lid) | {d["room"]["name"] for d in draw["debates"] if d["room"]}:
        assert name not in text
    assert MOTION not in text and "Info slide text" not in text
    assert "The draw has not been released yet." in text
    assert "The team standings have not been released yet." in text
    # The existing public API agrees.
    assert client.get(f"/api/v1/rounds/{rnd['id']}/draw").status_code == 403


def test_draw_then_motion_then_results(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6)
    lid = _lids(t)["en"]
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    page = client.get(f"/p/{t['id']}/l/{lid}/draw").get_data(as_text=True)
    mine = [d for d in draw["debates"] if d["league_id"] == lid]
    for d in mine:
        assert d["gov"]["name"] in page and d["opp"]["name"] in page
        assert f"Room {d['room']['name']}" in page
        for adj in d["adjudicators"]:
            assert adj["name"] in page  # panels shown unless hide_panels_public
    assert "Government" in page and "Opposition" in page
    others = _names_in_league(draw, _lids(t)["kk"])
    assert not any(n in page for n in others)  # only this league's draw
    assert MOTION not in page  # motion still unreleased

    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})
    page = client.get(f"/p/{t['id']}/l/{lid}/draw").get_data(as_text=True)
    assert f"{MOTION} (en)" in page and f"{MOTION} (kk)" not in page
    data = client.get(f"/p/{t['id']}/l/{lid}/live.json?parts=motion").get_json()
    assert data["countdown"]["prep_seconds"] == 15 * 60
    assert abs(data["countdown"]["released_ms"] - data["server_time"]) < 60_000
    assert 'data-prep-seconds="900"' in data["parts"]["motion"]["html"]
    proj = client.get(f"/p/{t['id']}/l/{lid}/projector?view=motion").get_data(as_text=True)
    assert f"{MOTION} (en)" in proj and "countdown" in proj

    # Ballots confirmed but results not released: no winner anywhere public.
    rng = random.Random(1)
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng, winner="gov"):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    text = _public_text(client, t["id"], lid)
    assert "Winner" not in text and "No results have been released yet." in text
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    res = client.get(f"/p/{t['id']}/l/{lid}/results").get_data(as_text=True)
    assert "Winner" in res and "Round 1" in res
    # Standings only once released; then team and speaker tabs appear.
    assert "have not been released" in client.get(f"/p/{t['id']}/l/{lid}/standings").get_data(as_text=True)
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True, "bracket": True})
    st = client.get(f"/p/{t['id']}/l/{lid}/standings").get_data(as_text=True)
    assert all(d["gov"]["name"] in st for d in mine)
    sp = client.get(f"/p/{t['id']}/l/{lid}/speakers").get_data(as_text=True)
    assert "Sen0a" in sp or "Sen1a" in sp


def test_silent_round_results_stay_hidden(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("en",))
    lid = _lids(t)["en"]
    rnd, draw = _round(api, t)
    from debate.core.extensions import db
    from debate.models import Round
    with app.app_context():
        db.session.get(Round, rnd["id"]).silent = True
        db.session.commit()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    rng = random.Random(2)
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    text = _public_text(client, t["id"], lid)
    assert "Winner" not in text and "✓" not in text


def test_hide_panels_public(api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6,
                                settings={"hide_panels_public": True}, leagues=("ru",))
    lid = _lids(t)["ru"]
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    text = _public_text(client, t["id"], lid)
    assert draw["debates"][0]["gov"]["name"] in text
    for d in draw["debates"]:
        for adj in d["adjudicators"]:
            assert adj["name"] not in text


def test_personal_fields_never_public(api, client, app):
    r = api.post("/tournaments", {"name": "Privacy cup", "stage": "republican", "leagues": [{"language": "kk"}]})
    t = r.get_json()
    lid = t["leagues"][0]["id"]
    teams = [{"league_id": lid, "name": f"Team {i}", "school": {"name": f"School {i}", "region": "astana"},
              "coach": {"name": f"{COACH_NAME} {i}", "contact": f"{COACH_CONTACT}{i}"},
              "speakers": [{"name": f"Speaker {i}a", "grade": 10, "gender": "f"},
                           {"name": f"Speaker {i}b", "grade": 11, "gender": "m"}]} for i in range(4)]
    assert api.post(f"/tournaments/{t['id']}/teams", teams).status_code == 201
    adjs = api.post(f"/tournaments/{t['id']}/adjudicators",
                    [{"name": f"Judge {i}", "languages": ["kk"], "contact": f"judge{i}@example.kz"} for i in range(6)])
    keys = {a["id"]: a["private_key"] for a in adjs.get_json()}
    api.post(f"/tournaments/{t['id']}/rooms", [{"name": f"R{i}"} for i in range(3)])
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    rng = random.Random(3)
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "results": True})
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True, "speaker_standings": True, "bracket": True})
    text = _public_text(client, t["id"], lid)
    assert "Speaker 0a" in text and "Team 0" in text  # released things are there
    assert COACH_CONTACT not in text and COACH_NAME not in text and "example.kz" not in text
    for key in keys.values():
        assert key not in text
    lowered = text.lower()
    for word in ("grade", "gender", "сынып", "класс", "жынысы", "пол:"):
        assert word not in lowered, word


def test_league_page_speaks_its_language_unless_chosen(api, client):
    t, _keys = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3)
    lids = _lids(t)
    assert '<html lang="ru">' in client.get(f"/p/{t['id']}/l/{lids['ru']}/draw").get_data(as_text=True)
    assert '<html lang="kk">' in client.get(f"/p/{t['id']}/l/{lids['kk']}/draw").get_data(as_text=True)
    assert '<html lang="en">' in client.get(f"/p/{t['id']}/l/{lids['ru']}/draw?lang=en").get_data(as_text=True)
    # The choice is remembered for the live re-fetch too.
    html = client.get(f"/p/{t['id']}/l/{lids['ru']}/live.json?parts=draw").get_json()["parts"]["draw"]["html"]
    assert "The draw has not been released yet." in html


def test_unknown_or_foreign_league_is_404(api, client):
    t1, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk",))
    t2, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk",))
    assert client.get(f"/p/{t1['id']}/l/{_lids(t2)['kk']}/draw").status_code == 404
    assert client.get("/p/9999/").status_code == 404
    assert client.get(f"/p/{t1['id']}/l/{_lids(t1)['kk']}/nonsense").status_code == 404


def test_pages_use_no_inline_script(api, client):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("en",))
    lid = _lids(t)["en"]
    for url in _public_urls(t["id"], lid):
        if url.endswith(".json") or "live.json" in url:
            continue
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'type="application/json"' in tag or "src=" in tag, (url, tag)
        assert "cdn" not in html.lower()


# ----- Socket.IO: rooms and what events carry -----

def _join(sio_client, **data):
    return sio_client.emit("join", data, callback=True)


def test_join_rooms_and_staff_check(app, api, client):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk", "ru"))
    lids = _lids(t)
    anon = socketio.test_client(app)
    ack = _join(anon, tournament=t["id"], league=lids["kk"], staff=True)
    assert ack["rooms"] == [f"t{t['id']}", f"l{lids['kk']}"] and ack["refused"] == ["staff"]
    assert isinstance(ack["server_time"], int)
    # A league of another tournament, junk input: no room.
    ack = _join(anon, tournament=t["id"], league=99999)
    assert ack["refused"] == ["league"]
    assert _join(anon, tournament="x")["rooms"] == []
    state = anon.emit("state", {"tournament": t["id"]}, callback=True)
    assert state["tournament_id"] == t["id"] and state["team_standings"] is False
    anon.disconnect()

    # The director who works on the tournament joins the staff room.
    token = csrf_token(client)
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": token})
    assert r.status_code == 302
    staff = socketio.test_client(app, flask_test_client=client)
    ack = _join(staff, tournament=t["id"], staff=True)
    assert f"staff{t['id']}" in ack["rooms"]
    staff.disconnect()


def test_no_event_carries_unreleased_data(app, api, client):
    """Capture every payload sent to public rooms across a whole flow and check each one."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6)
    lids = _lids(t)
    watchers = []
    for lid in lids.values():
        c = socketio.test_client(app)
        assert _join(c, tournament=t["id"], league=lid)["refused"] == []
        watchers.append(c)
    rnd, draw = _round(api, t)
    # Generating a draw that is not released: spectators hear nothing.
    assert all(c.get_received() == [] for c in watchers)
    # Ballots open with the draw's release; the motion and the results stay unreleased while
    # every ballot but the last debate's is submitted and confirmed.
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    rng = random.Random(4)
    last = draw["debates"][-1]
    for d in draw["debates"][:-1]:
        for bid in submit_panel(client, d, keys, rng):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    before_results = []
    for c in watchers:
        before_results += c.get_received()
    assert before_results, "the draw's release was not announced"
    for msg in before_results:
        for payload in msg["args"]:
            # Confirming results that are not public is nobody's news.
            assert payload.get("what") != "result", payload
            blob = json.dumps(payload, ensure_ascii=False)
            # Nothing of the unreleased results: no winner, no marks, no motion.
            assert "winner" not in blob and "gov" not in blob and "opp" not in blob, payload
            assert MOTION not in blob and not re.search(r"\d+\.\d", blob), payload
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    for bid in submit_panel(client, last, keys, rng):  # a result confirmed after the release is news
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True})

    secrets_ = {MOTION, "Info slide text"} | {d["gov"]["name"] for d in draw["debates"]} | \
        {d["opp"]["name"] for d in draw["debates"]} | {a["name"] for d in draw["debates"] for a in d["adjudicators"]}
    received = before_results
    for c in watchers:
        received += c.get_received()
        c.disconnect()
    assert received, "no events were received"
    whats = set()
    for msg in received:
        assert msg["name"] == "changed", msg  # public rooms never get staff events
        for payload in msg["args"]:
            assert set(payload) <= ALLOWED_KEYS, payload
            assert all(isinstance(v, (int, str)) for v in payload.values())
            blob = json.dumps(payload, ensure_ascii=False)
            assert not any(s in blob for s in secrets_), payload
            assert not re.search(r"\d+\.\d", blob)  # no marks
            whats.add(payload["what"])
    assert {"result", "release", "tabs"} <= whats and "draw" not in whats


def test_staff_events_and_dashboard(app, api, client):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk",))
    token = csrf_token(client)
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": token})
    staff = socketio.test_client(app, flask_test_client=client)
    _join(staff, tournament=t["id"], staff=True)
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release
    d = draw["debates"][0]
    page = client.get(f"/t/{t['id']}/live").get_data(as_text=True)
    for adj in d["adjudicators"]:
        assert adj["name"] in page
    assert "Ballots outstanding" in page
    # From the adjudicators' phones: a ballot sent with a key from this signed-in browser would
    # count as entered by apiuser, who could then not confirm it (tests/test_secauth.py).
    bids = submit_panel(client.application.test_client(), d, keys, random.Random(5))
    events = [m for m in staff.get_received() if m["name"] == "staff"]
    assert any(m["args"][0]["what"] == "submitted" for m in events)
    html = client.get(f"/t/{t['id']}/live.json").get_json()["parts"]["staff"]["html"]
    assert "Complete, to confirm" in html
    # Problem reports reach the staff room and appear on the dashboard.
    key = keys[d["adjudicators"][0]["id"]]
    anon = client.application.test_client()
    page = anon.get(f"/j/{key}").get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    r = anon.post(f"/j/{key}/problem", data={"message": "Room projector broken", **({"csrf_token": m.group(1)} if m else {})})
    assert r.status_code == 302
    assert any(m["args"][0]["what"] == "problem" for m in staff.get_received() if m["name"] == "staff")
    assert "Room projector broken" in client.get(f"/t/{t['id']}/live.json").get_json()["parts"]["staff"]["html"]
    for bid in bids:
        api.post(f"/ballots/{bid}/confirm")
    assert any(m["args"][0]["what"] == "confirmed" for m in staff.get_received() if m["name"] == "staff")
    staff.disconnect()


def test_dashboard_needs_staff(api, client, login):
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk",))
    assert client.get(f"/t/{t['id']}/live.json").status_code in (302, 401)
    login("stranger", "stranger-pass-1")
    assert client.get(f"/t/{t['id']}/live").status_code == 403
    assert client.get(f"/t/{t['id']}/live.json").status_code == 403


def test_home_leads_spectators_to_the_public_pages(api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "en"))
    tid, lids = t["id"], _lids(t)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/p/{tid}/"' in html
    for lid in lids.values():
        assert f'href="/p/{tid}/l/{lid}/draw"' in html
        assert f'href="/p/{tid}/l/{lid}/projector?view=cycle"' in html
    assert "Round 1" not in html
    rnd, draw = _round(api, t)
    html = client.get("/").get_data(as_text=True)
    assert "Round 1" not in html  # drawn, not released
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    html = client.get("/").get_data(as_text=True)
    assert html.count("Round 1") == 2  # each league shows its round once its draw is out
    # Nothing of the draw itself, and nothing only the tab room sees.
    assert not any(d["gov"]["name"] in html or d["opp"]["name"] in html for d in draw["debates"])
    assert f"/t/{tid}" not in html  # no links into the director's pages


def test_a_corrected_motion_reaches_the_projector_only_once_released(app, api, client):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    lid = _lids(t)["kk"]
    rnd, _draw = _round(api, t)
    watcher, other = socketio.test_client(app), socketio.test_client(app)
    assert _join(watcher, tournament=t["id"], league=lid)["refused"] == []
    ru = _lids(t)["ru"]
    assert f"l{ru}" in _join(other, tournament=t["id"], league=ru)["rooms"]
    watcher.get_received()
    assert api.put(f"/rounds/{rnd['id']}/motions/{lid}", {"text": "A hidden correction"}).status_code == 200
    assert [m for m in watcher.get_received() if m["name"] == "changed"] == []
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True})
    watcher.get_received()
    assert api.put(f"/rounds/{rnd['id']}/motions/{lid}", {"text": "A corrected motion"}).status_code == 200
    events = [m["args"][0] for m in watcher.get_received() if m["name"] == "changed"]
    assert any(e.get("what") == "motion" and e.get("league_id") == lid for e in events), events
    assert all(set(e) <= ALLOWED_KEYS for e in events)
    assert "A corrected motion" in client.get(f"/p/{t['id']}/l/{lid}/live.json?parts=motion").get_data(as_text=True)
    # The director's form does the same.
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302
    page = f"/t/{t['id']}/rounds/{rnd['id']}/"
    r = client.post(page + "motion", data={"league_id": lid, "text": "Corrected from the form",
                                            "csrf_token": csrf_token(client, page)})
    assert r.status_code == 302
    events = [m["args"][0] for m in watcher.get_received() if m["name"] == "changed"]
    assert any(e.get("what") == "motion" for e in events), events
    assert "Corrected from the form" in client.get(f"/p/{t['id']}/l/{lid}/live.json?parts=motion").get_data(as_text=True)
    # Only the corrected league's pages are told; a malformed league is refused, not a 500.
    told = [m["args"][0] for m in other.get_received() if m["name"] == "changed"]
    assert told and not [e for e in told if e.get("what") == "motion" and e.get("league_id") == ru], told
    r = client.post(page + "motion", data={"league_id": "kk", "text": "Lost?",
                                            "csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert r.status_code == 200 and "Lost?" not in client.get(
        f"/p/{t['id']}/l/{lid}/live.json?parts=motion").get_data(as_text=True)
    watcher.disconnect()
    other.disconnect()


def _changed_events(c):
    return [m["args"][0] for m in c.get_received() if m["name"] == "changed"]


def test_no_public_event_for_what_is_not_public(app, api, client):
    """Generating, confirming in an unreleased or silent round, releasing a motion before its
    draw, toggling silence on unreleased results: spectators hear nothing. A release in one
    league is heard in that league only; staff hear everything."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    kk, ru = _lids(t)["kk"], _lids(t)["ru"]
    w_kk, w_ru = socketio.test_client(app), socketio.test_client(app)
    _join(w_kk, tournament=t["id"], league=kk)
    _join(w_ru, tournament=t["id"], league=ru)
    rnd, draw = _round(api, t)
    rng = random.Random(5)
    debates = draw["debates"]
    assert _changed_events(w_kk) == [] and _changed_events(w_ru) == []  # a generated draw is not news
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})  # the draw is not out: nothing to see
    api.post(f"/rounds/{rnd['id']}/release", {"silent": True})
    assert _changed_events(w_kk) == [] and _changed_events(w_ru) == []
    # One league's draw: only its spectators (and the tournament room) hear.
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": kk})
    kk_events, ru_events = _changed_events(w_kk), _changed_events(w_ru)
    assert any(e.get("league_id") == kk for e in kk_events)
    assert not [e for e in ru_events if e.get("league_id") == kk or e.get("league_id") == ru]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": ru})  # ballots open in both leagues
    _changed_events(w_kk), _changed_events(w_ru)
    # Confirmed while the results are not released (and the round is silent): nothing public.
    for bid in submit_panel(client, debates[0], keys, rng):
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    assert _changed_events(w_kk) == [] and _changed_events(w_ru) == []
    # Results released in a silent round, then confirmed: nothing public.
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    assert _changed_events(w_kk) == [] and _changed_events(w_ru) == []
    for d in debates[1:3]:
        for bid in submit_panel(client, d, keys, rng):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    assert _changed_events(w_kk) == [] and _changed_events(w_ru) == []
    # Lifting the silence is news where results are out.
    api.post(f"/rounds/{rnd['id']}/release", {"silent": False})
    assert _changed_events(w_kk) and _changed_events(w_ru)
    # A confirmed result where results are public is news, in its league.
    later = [d for d in debates[3:]]
    d = later[0]
    for bid in submit_panel(client, d, keys, rng):
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    ev = _changed_events(w_kk) if d["league_id"] == kk else _changed_events(w_ru)
    assert any(e["what"] == "result" for e in ev)
    w_kk.disconnect()
    w_ru.disconnect()


def test_generating_a_draw_from_the_page_tells_no_spectator(app, api, client):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk",))
    kk = _lids(t)["kk"]
    watcher = socketio.test_client(app)
    _join(watcher, tournament=t["id"], league=kk)
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": csrf_token(client)})
    page = f"/t/{t['id']}/rounds/{rnd['id']}/"
    assert client.post(page + "draw", data={"csrf_token": csrf_token(client, page)}).status_code == 302
    token = csrf_token(client, page)
    client.post(page + "draw", data={"regenerate": "1", "csrf_token": token})
    client.post(page + "silent", data={"value": "1", "csrf_token": token})
    assert _changed_events(watcher) == []
    watcher.disconnect()


# ----- events that carry the page's parts (pushed views) -----

VIEWS = {"draw": (["draw"], False), "results": (["results"], False), "standings": (["standings"], False),
         "speakers": (["speakers"], False), "bracket": (["bracket"], False),
         "projector": (["draw", "motion", "standings", "bracket"], True)}


def _view_watchers(app, tid, lid, lang):
    out = {}
    for name, (parts, projector) in VIEWS.items():
        c = socketio.test_client(app)
        ack = _join(c, tournament=tid, league=lid, view={"parts": parts, "projector": projector, "lang": lang})
        assert ack["rooms"] == [f"v{lid}:{name}"], ack
        out[name] = c
    return out


def _pushed(watchers):
    """{view: [payloads]} received since the last call, each checked to carry parts."""
    return {name: [m["args"][0] for m in c.get_received() if m["name"] == "changed"] for name, c in watchers.items()}


def _check_as_live_json(fresh, tid, lid, events):
    """Every pushed payload equals what live.json answers now for the same view: the parts carry
    exactly what the public page shows at that moment, never more."""
    for name, payloads in events.items():
        parts, projector = VIEWS[name]
        for p in payloads:
            assert p["league_id"] == lid and set(p["parts"]) == set(parts), p
            body = fresh.get(f"/p/{tid}/l/{lid}/live.json?parts={','.join(parts)}"
                             + ("&projector=1" if projector else "")).get_json()
            assert p["parts"] == body["parts"] and p["version"] == body["version"], (name, p["what"])
            assert p["countdown"] == body["countdown"]


def _blob(events):
    return json.dumps(events, ensure_ascii=False)


def test_pushed_parts_are_what_the_public_page_shows(app, api, client):
    """Per event kind (draw release per league, motion release and correction, silent round,
    results release, a confirmed result, standings and bracket releases): the parts an event
    carries are exactly live.json's at that moment, so nothing unreleased travels; a league
    whose public state did not change hears nothing."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk", "ru"))
    tid, kk, ru = t["id"], _lids(t)["kk"], _lids(t)["ru"]
    w = {kk: _view_watchers(app, tid, kk, "kk"), ru: _view_watchers(app, tid, ru, "ru")}
    fresh = app.test_client()
    rnd, draw = _round(api, t)
    rng = random.Random(7)
    debates = draw["debates"]

    def events(lid):
        got = _pushed(w[lid])
        _check_as_live_json(fresh, tid, lid, got)
        return got

    # Generated, motion released before the draw: nothing public, nothing sent.
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "league_id": ru})
    assert all(not v for lid in (kk, ru) for v in events(lid).values())
    # The draw in kk only: kk's views get its draw; no motion (unreleased in kk), no result.
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": kk})
    got, other = events(kk), events(ru)
    assert all(len(v) == 1 for v in got.values()) and not any(other.values())
    blob = _blob(got)
    assert _names_in_league(draw, kk) and all(n in blob for n in _names_in_league(draw, kk))
    assert not any(n in blob for n in _names_in_league(draw, ru))
    assert MOTION not in blob and "Info slide text" not in blob
    # A result confirmed in kk while its results are unreleased: nothing is sent at all.
    assert debates[0]["league_id"] == kk
    for bid in submit_panel(client, debates[0], keys, rng):
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    assert all(not v for lid in (kk, ru) for v in events(lid).values())
    # The motion in kk: kk's draw and projector show it now.
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True, "league_id": kk})
    got = events(kk)
    assert f"{MOTION} (kk)" in _blob(got["draw"]) and f"{MOTION} (kk)" in _blob(got["projector"])
    assert not any(events(ru).values())
    # The draw in ru (whose motion was released earlier): now ru's views hear, with its motion.
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": ru})
    got = events(ru)
    assert got["draw"] and f"{MOTION} (ru)" in _blob(got["draw"]) and f"{MOTION} (kk)" not in _blob(got)
    # A corrected motion: its league's views only.
    assert api.put(f"/rounds/{rnd['id']}/motions/{kk}", {"text": "This House would correct the motion"}).status_code == 200
    got = events(kk)
    assert "This House would correct the motion" in _blob(got["draw"]) and not any(events(ru).values())
    # A silent round: releasing results sends nothing, confirmations neither.
    api.post(f"/rounds/{rnd['id']}/release", {"silent": True})
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    for bid in submit_panel(client, debates[1], keys, rng):
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    assert all(not v for lid in (kk, ru) for v in events(lid).values())
    # Silence lifted: the results travel (checked equal to live.json).
    api.post(f"/rounds/{rnd['id']}/release", {"silent": False})
    got = {lid: events(lid) for lid in (kk, ru)}
    assert all(got[lid]["results"] for lid in (kk, ru))
    # A result confirmed after the release: its league only.
    d = debates[2]
    for bid in submit_panel(client, d, keys, rng):
        assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    own, other_lid = d["league_id"], (ru if d["league_id"] == kk else kk)
    got = events(own)
    assert [p["what"] for p in got["results"]] == ["result"] and not any(events(other_lid).values())
    # Standings, then the bracket: every view of every league.
    assert "result-line" in _blob(got) and not any(events(own).values())
    api.post(f"/tournaments/{tid}/release", {"team_standings": True})
    got = events(kk)
    assert got["standings"] and all(p["parts"]["standings"]["available"] for p in got["standings"])
    assert not any(p["parts"]["speakers"]["available"] for p in got["speakers"])  # still unreleased
    events(ru)
    api.post(f"/tournaments/{tid}/release", {"bracket": True})
    assert events(kk)["bracket"] and events(ru)["bracket"]
    for ws in w.values():
        for c in ws.values():
            c.disconnect()


def test_a_view_in_another_language_or_too_large_falls_back_to_a_refetch(app, api, client, monkeypatch):
    t, _keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk",))
    tid, kk = t["id"], _lids(t)["kk"]
    other = socketio.test_client(app)  # a kk league page read in English: hint only
    assert _join(other, tournament=tid, league=kk, view={"parts": ["draw"], "projector": False, "lang": "en"})[
        "rooms"] == [f"t{tid}", f"l{kk}"]
    odd = socketio.test_client(app)  # a view that is not pushed
    assert _join(odd, tournament=tid, league=kk, view={"parts": ["draw", "results"], "lang": "kk"})[
        "rooms"] == [f"t{tid}", f"l{kk}"]
    pushed = socketio.test_client(app)
    _join(pushed, tournament=tid, league=kk, view={"parts": ["draw"], "projector": False, "lang": "kk"})
    rnd, _draw = _round(api, t)
    monkeypatch.setitem(app.config, "LIVE_PUSH_MAX_BYTES", 10)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    for c in (other, odd, pushed):
        evs = _changed_events(c)
        assert evs and all("parts" not in e for e in evs)
        c.disconnect()
