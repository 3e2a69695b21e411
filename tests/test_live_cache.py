"""The cache of public parts and live.json (debate/live/cache.py): a herd renders once, ETag and
304, and never unreleased data nor a stale state after any kind of change — including changes
that announce nothing and write no audit entry (a team renamed, a motion edited, a setting)."""
import random

import pytest
from sqlalchemy import select, text, update

from debate import public_cache
from debate.core.extensions import db
from debate.live.events import wait_for_pushes
from tests.flow import setup_tournament, submit_panel

MOTION = "This House would cache the tab"


def _lids(t):
    return {lg["language"]: lg["id"] for lg in t["leagues"]}


def _round(api, t):
    rnd = api.post(f"/tournaments/{t['id']}/rounds",
                   {"kind": "prelim", "motions": {str(lid): {"text": f"{MOTION} ({lang})"}
                                                  for lang, lid in _lids(t).items()}}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw")
    assert draw.status_code == 201, draw.get_json()
    return rnd, draw.get_json()


def _json(client, tid, lid, parts="draw,motion,results,standings,speakers,bracket", **headers):
    return client.get(f"/p/{tid}/l/{lid}/live.json?parts={parts}", headers=headers)


def _html(client, tid, lid, parts="draw,motion,results,standings,speakers,bracket"):
    r = _json(client, tid, lid, parts)
    assert r.status_code == 200
    return "\n".join(p["html"] for p in r.get_json()["parts"].values())


@pytest.fixture
def renders(monkeypatch):
    """Counts the real renders behind the cache."""
    from debate.views import public
    calls = []
    real = public.render_part

    def counting(t, league, part, projector=False):
        calls.append((league.id, part, projector))
        return real(t, league, part, projector=projector)
    monkeypatch.setattr(public, "render_part", counting)
    return calls


def test_a_herd_renders_once_and_a_change_renders_again(api, client, renders, app, monkeypatch):
    monkeypatch.setitem(app.config, "LIVE_PUSH", False)  # here the herd renders; pushed: below
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("en",))
    lid = _lids(t)["en"]
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    bodies = {_json(client, t["id"], lid, "draw").get_json()["parts"]["draw"]["html"] for _ in range(50)}
    assert len(bodies) == 1 and renders == [(lid, "draw", False)]
    # The page itself uses the same cached part; the projector style is another entry.
    assert draw["debates"][0]["gov"]["name"] in client.get(f"/p/{t['id']}/l/{lid}/draw").get_data(as_text=True)
    assert len(renders) == 1
    client.get(f"/p/{t['id']}/l/{lid}/projector?view=draw")
    assert renders[-1] == (lid, "draw", True)
    n = len(renders)
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})
    assert f"{MOTION} (en)" in _json(client, t["id"], lid, "draw").get_json()["parts"]["draw"]["html"]
    assert len(renders) == n + 1
    # Another language is another entry.
    html = client.get(f"/p/{t['id']}/l/{lid}/live.json?parts=draw&lang=ru").get_json()["parts"]["draw"]["html"]
    assert "Правительство" in html and "Government" not in html
    assert len(renders) == n + 2


def test_a_release_renders_its_pushed_views_once_and_the_herd_nothing(api, client, renders):
    """With pushed views (debate/live/events.py) the release itself renders each part of each pushed
    view once, in the league's language, after the commit (in the background task, once it has
    run); the re-fetches that follow (clients of other views, reconnects) are answered from that
    render."""
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("en", "kk"))
    lid = _lids(t)["en"]
    rnd, _draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": lid})
    assert renders == []  # the request did not render them
    assert wait_for_pushes()
    assert sorted(renders) == sorted([(lid, p, False) for p in ("draw", "results", "standings", "speakers", "bracket")]
                                     + [(lid, p, True) for p in ("draw", "motion", "standings", "bracket")])
    n = len(renders)
    for _ in range(20):
        assert _json(client, t["id"], lid, "draw").status_code == 200
        assert _json(client, t["id"], lid, "standings").status_code == 200
    assert len(renders) == n


def test_etag_and_304(api, client):
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk",))
    lid = _lids(t)["kk"]
    rnd, _draw = _round(api, t)
    first = _json(client, t["id"], lid, "draw")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    assert "Accept-Language" in first.headers["Vary"] and "Cookie" in first.headers["Vary"]
    again = _json(client, t["id"], lid, "draw", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and int(again.headers["X-Server-Time"]) > 0
    # As nginx's gzip passes it on: a weak tag, and a list of tags.
    assert _json(client, t["id"], lid, "draw", **{"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert _json(client, t["id"], lid, "draw", **{"If-None-Match": '"other"'}).status_code == 200
    # The server clock differs on every 200 but the ETag only changes with the content.
    second = _json(client, t["id"], lid, "draw")
    assert second.headers["ETag"] == etag and second.get_json()["server_time"] >= first.get_json()["server_time"]
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    changed = _json(client, t["id"], lid, "draw", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "The draw has not been released yet." not in changed.get_json()["parts"]["draw"]["html"]
    # A write elsewhere (another tournament) changes the version but not this content: still 304.
    setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("kk",))
    assert _json(client, t["id"], lid, "draw", **{"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_never_unreleased_and_never_stale(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("en",))
    lid = _lids(t)["en"]
    rnd, draw = _round(api, t)
    names = {d["gov"]["name"] for d in draw["debates"]} | {d["opp"]["name"] for d in draw["debates"]}
    # Cached before the release: nothing of the draw.
    text = _html(client, t["id"], lid)
    assert not any(n in text for n in names) and MOTION not in text
    # Each change shows at once: the draw's release (which opens the ballots).
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    assert all(n in _html(client, t["id"], lid, "draw") for n in names)
    assert "Winner" not in _html(client, t["id"], lid)
    # Confirmed results of a round whose results are unreleased stay out, cache or not (the
    # pages were cached just before the confirmations).
    rng = random.Random(1)
    for d in draw["debates"]:
        for bid in submit_panel(client, d, keys, rng, winner="gov"):
            assert api.post(f"/ballots/{bid}/confirm").status_code == 200
    text = _html(client, t["id"], lid)
    assert all(n in text for n in names) and "Winner" not in text and MOTION not in text
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    assert "Winner" in _html(client, t["id"], lid, "results")
    # Un-releasing hides again (a cached released state must not survive it).
    api.post(f"/rounds/{rnd['id']}/release", {"results": False})
    assert "Winner" not in _html(client, t["id"], lid, "draw,results")
    api.post(f"/rounds/{rnd['id']}/release", {"results": True})
    assert "Winner" in _html(client, t["id"], lid, "results")
    # Silent round through the director's page.
    from debate.models import Round, Team
    with app.app_context():
        db.session.get(Round, rnd["id"]).silent = True
        db.session.commit()
    assert "Winner" not in _html(client, t["id"], lid, "draw,results")
    with app.app_context():
        db.session.get(Round, rnd["id"]).silent = False
        db.session.commit()
    assert "Winner" in _html(client, t["id"], lid, "results")
    # Standings released, then a result corrected: the cached standings follow.
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": True})
    assert "have not been released" not in _html(client, t["id"], lid, "standings")
    api.post(f"/tournaments/{t['id']}/release", {"team_standings": False})
    assert "have not been released" in _html(client, t["id"], lid, "standings")
    # Changes nobody announces and no audit entry records: a team renamed (ORM), a bulk update,
    # a motion edited, a setting.
    some = draw["debates"][0]["gov"]["name"]
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == some))
        team.name, team_id = "Renamed Team One", team.id
        db.session.commit()
    assert "Renamed Team One" in _html(client, t["id"], lid, "draw")
    with app.app_context():
        db.session.execute(update(Team).where(Team.id == team_id).values(name="Renamed Again"))
        db.session.commit()
    assert "Renamed Again" in _html(client, t["id"], lid, "draw")
    api.post(f"/rounds/{rnd['id']}/release", {"motion": True})
    assert f"{MOTION} (en)" in _html(client, t["id"], lid, "draw")
    r = client.put(f"/api/v1/rounds/{rnd['id']}/motions/{lid}", json={"text": "An edited motion"}, headers=api.headers)
    assert r.status_code == 200, r.get_json()
    assert "An edited motion" in _html(client, t["id"], lid, "draw")
    adj = draw["debates"][0]["adjudicators"][0]["name"]
    assert adj in _html(client, t["id"], lid, "draw")
    assert api.patch(f"/tournaments/{t['id']}", {"settings": {"hide_panels_public": True}}).status_code == 200
    assert adj not in _html(client, t["id"], lid, "draw")


def test_version_counts_public_writes_only(app, api, ctx):
    store = public_cache.cache()
    v0 = store.version()
    from debate.models import LoginAttempt, Tournament
    from datetime import datetime, timezone
    db.session.add(LoginAttempt(username="nobody", at=datetime.now(timezone.utc)))
    db.session.commit()
    assert store.version() == v0  # a private table only
    t = Tournament(name="Versioned")
    db.session.add(t)
    with db.session.begin_nested():
        t.venue = "Astana"
    assert store.version() == v0  # a savepoint is not the commit
    db.session.commit()
    v1 = store.version()
    assert v1 != v0
    db.session.execute(select(Tournament)).all()
    db.session.commit()
    assert store.version() == v1  # reading is not writing
    db.session.delete(t)
    db.session.commit()
    v2 = store.version()
    assert v2 != v1
    # Writes through a Connection, not the ORM, count too; a rollback does not.
    db.session.connection().execute(text("UPDATE tournaments SET venue = 'x' WHERE id < 0"))
    db.session.rollback()
    assert store.version() == v2
    db.session.connection().execute(text("UPDATE tournaments SET venue = 'x' WHERE id < 0"))
    db.session.commit()
    v3 = store.version()
    assert v3 != v2
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM rooms WHERE id < 0"))
    assert store.version() != v3


def test_which_statements_count():
    w = public_cache.writes_public
    assert w('INSERT INTO ballots (debate_id) VALUES (1)') and w('UPDATE "rounds" SET draw_released=1')
    assert w("DELETE FROM teams WHERE id = 1") and w("TRUNCATE teams") and w("WITH x AS (DELETE FROM teams) SELECT 1")
    assert not w("INSERT INTO login_attempts (username) VALUES ('a')") and not w("UPDATE users SET role='x'")
    assert not w("DELETE FROM api_tokens") and not w("INSERT INTO audit_log (action) VALUES ('x')")
    assert not w("  SELECT * FROM teams") and not w("BEGIN IMMEDIATE") and not w("PRAGMA foreign_keys=ON")
    assert not w("SAVEPOINT sa_savepoint_1") and not w("RELEASE SAVEPOINT sa_savepoint_1")


def test_unknown_version_bypasses_the_cache(api, client, app, renders, monkeypatch):
    """When the version cannot be read (Redis unreachable), render every time, cache nothing."""
    t, _ = setup_tournament(api, teams_per_league=2, adjudicators=6, rooms=3, leagues=("en",))
    lid = _lids(t)["en"]
    with app.app_context():
        store = public_cache.cache()
    monkeypatch.setattr(store, "version", lambda: None)
    for _ in range(3):
        assert _json(client, t["id"], lid, "draw").status_code == 200
    assert len(renders) == 3
    assert _json(client, t["id"], 99999, "draw").status_code == 404


def test_unreachable_redis_means_no_cache():
    from types import SimpleNamespace
    store = public_cache.PublicCache(SimpleNamespace(config={
        "REDIS_URL": "redis://127.0.0.1:1/0", "SOCKETIO_CHANNEL": "debate-test", "PUBLIC_CACHE_SECONDS": 10}))
    assert store.version() is None
    built = []
    for _ in range(2):
        store.get(None, lambda: built.append(1))
    assert len(built) == 2 and not store.entries


def test_fast_path_answers_like_flask(api, client, app, monkeypatch):
    """A cached live.json is answered before Flask (debate.views.public.LiveJsonFastPath) with
    the same body and headers Flask gave when it filled the cache, for every language choice."""
    t, _ = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("ru", "en"))
    lids = _lids(t)
    rnd, _draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True})
    views = []
    real = app.view_functions["public.live_json"]
    monkeypatch.setitem(app.view_functions, "public.live_json", lambda **kw: views.append(kw) or real(**kw))
    varied = ("X-Server-Time", "X-Request-Id", "Content-Length", "Date")
    cases = [("ru", None, "draw", {}), ("ru", "en", "draw", {}), ("ru", "kk", "draw,motion", {}),
             ("en", "xx", "draw", {"Accept-Language": "ru"}), ("en", None, "motion,draw", {"Accept-Language": "kk"}),
             ("en", None, "draw&projector=1", {})]
    for lang, cookie, parts, headers in cases:
        c = app.test_client()
        if cookie:
            c.set_cookie("lang", cookie, domain="localhost")
        url = f"/p/{t['id']}/l/{lids[lang]}/live.json?parts={parts}"
        n = len(views)
        first = c.get(url, headers=headers)        # Flask (fills the cache, or finds it)
        second = c.get(url, headers=headers)       # the fast path
        assert len(views) <= n + 1, (lang, cookie, parts)
        assert second.status_code == first.status_code == 200
        a, b = first.get_json(), second.get_json()
        assert a.pop("server_time") <= b.pop("server_time") and a == b
        assert {k: v for k, v in first.headers.items() if k not in varied} == \
            {k: v for k, v in second.headers.items() if k not in varied}
        expected = cookie if cookie in ("kk", "ru", "en") else lang
        assert f'<html lang="{expected}"' not in a["parts"]["draw"]["html"]  # a fragment, not a page
        side = {"kk": "Үкімет", "ru": "Правительство", "en": "Government"}[expected]
        assert side in a["parts"]["draw"]["html"], (lang, cookie, expected)
        not_modified = c.get(url, headers={**headers, "If-None-Match": second.headers["ETag"]})
        assert not_modified.status_code == 304 and not_modified.data == b""
        assert not_modified.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    fast = len(cases) * 3 - len(views)
    assert fast >= len(cases) * 2  # the repeats never reached the view
    # ?lang= goes to Flask (it sets the cookie); so does a league that does not exist.
    n = len(views)
    r = client.get(f"/p/{t['id']}/l/{lids['ru']}/live.json?parts=draw&lang=en")
    assert r.status_code == 200 and "lang=en" in r.headers.get("Set-Cookie", "") and len(views) == n + 1
    assert client.get(f"/p/{t['id']}/l/99999/live.json").status_code == 404
    assert client.get(f"/p/{t['id']}/l/99999/live.json").status_code == 404


def test_arriving_ballots_leave_the_cache_and_confirming_clears_it(app, api, client):
    """A submitted ballot (and a new version superseding it) is never public; its confirmation is."""
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=("kk",))
    rnd, draw = _round(api, t)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # ballots open with the draw's release

    def version():
        with app.app_context():
            return public_cache.cache().version()
    d = draw["debates"][0]
    v0 = version()
    first = submit_panel(client, d, keys, random.Random(3), winner="gov")
    again = submit_panel(client, d, keys, random.Random(4), winner="gov")  # version 2 supersedes version 1
    assert version() == v0
    assert api.post(f"/ballots/{again[0]}/confirm").status_code == 200
    assert version() != v0
    assert api.post(f"/ballots/{first[0]}/confirm").status_code == 409  # superseded, as before
