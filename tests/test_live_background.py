"""Pushed views rendered in the background (debate/live/events.py): the request that releases
returns before any view is rendered; the league's task then renders once, reading the committed
state, and the event carries exactly what live.json answers; a withdraw that follows a release
(in this process or, through the shared version, in another) is what gets sent, never the
release it undid; a render that fails never breaks the request.

The Socket.IO test clients of tests/conftest.py wait for the background tasks before reading;
these tests read with _received_now to see what was sent before the tasks ran. Also: an event
travels as compact UTF-8 JSON and is compressed once for all its sockets."""
import json
import threading

import pytest
import simple_websocket.ws as simple_websocket_ws
from sqlalchemy import update
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from debate.core.extensions import WireJSON, db, socketio
from debate.live import deflate, events
from debate.live.events import wait_for_pushes
from debate.models import RoundLeague
from tests.conftest import _received_now
from tests.flow import setup_tournament

VIEWS = {"draw": (["draw"], False), "results": (["results"], False), "standings": (["standings"], False),
         "speakers": (["speakers"], False), "bracket": (["bracket"], False),
         "projector": (["draw", "motion", "standings", "bracket"], True)}


def _lids(t):
    return {lg["language"]: lg["id"] for lg in t["leagues"]}


def _round(api, t):
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw")
    assert draw.status_code == 201, draw.get_json()
    return rnd, draw.get_json()


def _names(draw, lid):
    return {d[side]["name"] for d in draw["debates"] if d["league_id"] == lid for side in ("gov", "opp")}


def _watch(app, tid, lid, lang, view="draw"):
    parts, projector = VIEWS[view]
    c = socketio.test_client(app)
    ack = c.emit("join", {"tournament": tid, "league": lid, "view": {"parts": parts, "projector": projector,
                                                                      "lang": lang}}, callback=True)
    assert ack["rooms"] == [f"v{lid}:{view}"], ack
    return c


def _changed(messages):
    return [m["args"][0] for m in messages if m["name"] == "changed"]


def _as_live_json(fresh, tid, lid, payload, view="draw"):
    parts, projector = VIEWS[view]
    body = fresh.get(f"/p/{tid}/l/{lid}/live.json?parts={','.join(parts)}" + ("&projector=1" if projector else "")
                     ).get_json()
    return payload["parts"] == body["parts"] and payload["version"] == body["version"]


def _setup(api, leagues=("kk",)):
    t, keys = setup_tournament(api, teams_per_league=4, adjudicators=12, rooms=6, leagues=leagues)
    lid = _lids(t)[leagues[0]]
    rnd, draw = _round(api, t)
    return t, lid, rnd, draw


def test_the_release_returns_before_rendering_and_the_event_then_carries_live_json(app, api, monkeypatch):
    t, lid, rnd, draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")
    calls = []
    push = events._pusher["push"]

    def counting(league_id):
        calls.append(league_id)
        yield from push(league_id)
    monkeypatch.setitem(events._pusher, "push", counting)
    assert api.post(f"/rounds/{rnd['id']}/release", {"draw": True}).status_code == 200
    # The request has returned: nothing rendered, nothing sent yet; its task is pending.
    assert calls == [] and _changed(_received_now(watcher)) == [] and events._tasks
    assert wait_for_pushes()
    assert calls == [lid]
    got = _changed(_received_now(watcher))
    assert len(got) == 1 and got[0]["what"] == "release" and got[0]["league_id"] == lid
    blob = json.dumps(got, ensure_ascii=False)
    assert all(n in blob for n in _names(draw, lid))
    assert _as_live_json(app.test_client(), t["id"], lid, got[0])
    watcher.disconnect()


def test_release_then_withdraw_at_once_sends_only_the_withdrawn_state(app, api):
    """Release and withdraw before the task runs: one pass, reading the state after both commits."""
    t, lid, rnd, draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": lid})
    api.post(f"/rounds/{rnd['id']}/release", {"draw": False, "league_id": lid})
    got = _changed(watcher.get_received())
    assert got, "the spectators are told (the draw they may have seen is gone)"
    blob = json.dumps(got, ensure_ascii=False)
    assert not any(n in blob for n in _names(draw, lid))
    assert all(p["parts"]["draw"]["available"] is False for p in got)
    assert _as_live_json(app.test_client(), t["id"], lid, got[-1])
    watcher.disconnect()


def test_a_withdraw_committed_while_the_release_renders_is_what_gets_sent(app, api, monkeypatch):
    """The withdraw is committed (and announced by this process) after the task read the released
    draw and before it sent it: the render is dropped unsent and the next pass sends the withdrawn
    state."""
    t, lid, rnd, draw = _setup(api, leagues=("kk", "ru"))
    watchers = {v: _watch(app, t["id"], lid, "kk", v) for v in VIEWS}
    push = events._pusher["push"]
    withdrawn = []

    def racing(league_id):
        for view in push(league_id):
            if not withdrawn:
                assert any(n in json.dumps(view[3], ensure_ascii=False) for n in _names(draw, lid))
                withdrawn.append(api.post(f"/rounds/{rnd['id']}/release", {"draw": False, "league_id": lid}))
            yield view
    monkeypatch.setitem(events._pusher, "push", racing)
    monkeypatch.setattr(events, "MAX_PASSES", 1)  # no version check: this process's own announcement suffices
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": lid})
    assert wait_for_pushes()
    assert withdrawn and withdrawn[0].status_code == 200
    fresh = app.test_client()
    for view, c in watchers.items():
        got = _changed(_received_now(c))
        assert got, view
        assert not any(n in json.dumps(got, ensure_ascii=False) for n in _names(draw, lid)), view
        assert _as_live_json(fresh, t["id"], lid, got[-1], view), view
        c.disconnect()


def test_a_withdraw_by_another_process_while_rendering_is_what_gets_sent(app, api, monkeypatch):
    """Another process's commit is seen here only as the shared public version moving (its own task
    sends its own render): a view rendered before it is rendered again before it is sent."""
    t, lid, rnd, draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")
    push = events._pusher["push"]
    done = []

    def racing(league_id):
        for view in push(league_id):
            if not done:  # as another process would: commit (the version is bumped), no announce here
                with db.engine.begin() as conn:
                    conn.execute(update(RoundLeague).where(RoundLeague.round_id == rnd["id"],
                                                           RoundLeague.league_id == lid).values(draw_released=False))
                done.append(True)
            yield view
    monkeypatch.setitem(events._pusher, "push", racing)
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "league_id": lid})
    assert wait_for_pushes() and done
    got = _changed(_received_now(watcher))
    assert len(got) == 1 and got[0]["parts"]["draw"]["available"] is False
    assert not any(n in json.dumps(got, ensure_ascii=False) for n in _names(draw, lid))
    assert _as_live_json(app.test_client(), t["id"], lid, got[0])
    watcher.disconnect()


def test_announcements_during_a_render_fold_into_one_more_pass(app, api, monkeypatch):
    t, lid, rnd, _draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")
    passes = []
    push = events._pusher["push"]

    def counting(league_id):
        passes.append(league_id)
        yield from push(league_id)
    monkeypatch.setitem(events._pusher, "push", counting)
    for draw_released in (True, False, True, False, True):
        api.post(f"/rounds/{rnd['id']}/release", {"draw": draw_released, "league_id": lid})
    assert wait_for_pushes()
    assert passes == [lid]  # five commits before the task ran: one render
    got = _changed(_received_now(watcher))
    assert len(got) == 1 and got[0]["parts"]["draw"]["available"] is True
    watcher.disconnect()


@pytest.mark.live_errors_expected
def test_a_failed_render_never_breaks_the_request_and_sends_a_hint(app, api, monkeypatch):
    t, lid, rnd, _draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")

    def broken(league_id):
        raise RuntimeError("render failed")
        yield  # noqa: unreachable (a generator, as the real one)
    monkeypatch.setitem(events._pusher, "push", broken)
    assert api.post(f"/rounds/{rnd['id']}/release", {"draw": True}).status_code == 200
    got = _changed(watcher.get_received())
    assert got and all("parts" not in p for p in got)  # the client re-fetches
    watcher.disconnect()


def test_events_travel_as_compact_utf8(app):
    """Pushed Kazakh and Russian pages are not inflated by \\u escapes on every socket and in Redis."""
    assert socketio.server.packet_class.json is WireJSON
    pkt = socketio.server.packet_class(2, data=["changed", {"parts": {"draw": {"html": "Үкімет Правительство"}}}])
    encoded = pkt.encode()
    assert "Үкімет Правительство" in encoded and "\\u" not in encoded and ": " not in encoded


def _ws_pair(server_ext):
    """A wsproto client offering permessage-deflate (as browsers do) and a server accepting with
    server_ext; returns (client, server) after the handshake."""
    cli, srv = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    srv.receive_data(cli.send(Request(host="x", target="/socket.io/", extensions=[PerMessageDeflate()])))
    assert [type(e) for e in srv.events()] == [Request]
    cli.receive_data(srv.send(AcceptConnection(extensions=[server_ext])))
    assert [type(e) for e in cli.events()] == [AcceptConnection]
    return cli, srv


def test_an_event_is_compressed_once_for_every_socket(app):
    """simple-websocket accepts permessage-deflate with SharedDeflate: each socket gets the same
    compressed bytes of an event, compressed once; each client decodes every message."""
    assert simple_websocket_ws.PerMessageDeflate is deflate.SharedDeflate
    page = "".join(f"<tr><td>Аудитория {i}</td><td>Команда {i}</td></tr>" for i in range(60))
    events_ = [f'42["changed",{{"version":{v},"parts":{{"draw":{{"html":"{page} {v}"}}}}}}]' for v in (1, 2)]
    pairs = [_ws_pair(deflate.SharedDeflate()) for _ in range(5)]
    before = dict(deflate.stats)
    for text in events_:
        frames = {srv.send(TextMessage(data=text)) for _cli, srv in pairs}
        assert len(frames) == 1  # the same bytes on every socket
        frame = frames.pop()
        assert len(frame) < len(text.encode()) / 3  # still compressed
        for cli, _srv in pairs:
            cli.receive_data(frame)
            got = [e for e in cli.events() if isinstance(e, TextMessage)]
            assert [e.data for e in got] == [text]
    assert deflate.stats["compressed"] - before["compressed"] == 2
    assert deflate.stats["reused"] - before["reused"] == 8


def test_a_release_served_by_a_plain_thread_still_reaches_spectators(app, api):
    """Served by plain threads (gevent installed, so async_mode "gevent", but nothing monkey-patched:
    e.g. gunicorn's gthread worker publishing to Redis) a request's thread ends and a greenlet
    spawned there never runs. The league's task must still run, and the league must not stay stuck
    with a job that never ends (every later change of the league was silently dropped)."""
    t, lid, rnd, draw = _setup(api)
    watcher = _watch(app, t["id"], lid, "kk")
    answers = []

    def in_a_thread(value):
        th = threading.Thread(target=lambda: answers.append(
            api.post(f"/rounds/{rnd['id']}/release", {"draw": value, "league_id": lid}).status_code))
        th.start()
        th.join(30)

    in_a_thread(True)
    assert answers == [200] and wait_for_pushes(10)
    got = _changed(_received_now(watcher))
    assert got and all(n in json.dumps(got[-1], ensure_ascii=False) for n in _names(draw, lid))
    assert not events._jobs
    in_a_thread(False)
    assert answers == [200, 200] and wait_for_pushes(10)
    got = _changed(_received_now(watcher))
    assert got and got[-1]["parts"]["draw"]["available"] is False
    watcher.disconnect()
