"""Live events through real servers: gunicorn with the gevent worker (as deployed) on a fresh
SQLite demo, python-socketio clients over WebSocket and over long-polling only, two gunicorn
processes on different ports sharing events (and the public cache's version) through Redis, and
installations sharing one Redis kept apart by their channel (SOCKETIO_CHANNEL)."""
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import socketio

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-password-1"
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """A fresh SQLite database with the demo tournament, served by one or more gunicorn processes.
    Its own SECRET_KEY, so its own default Socket.IO channel: test runs (or other suites) sharing
    the machine's Redis do not hear each other."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="debate-live-")
        self.env = {**os.environ, "INSTANCE_PATH": self.dir, "SECRET_KEY": f"live-tests-{uuid.uuid4()}"}
        for key in ("DATABASE_URL", "REDIS_URL", "SOCKETIO_CHANNEL"):
            self.env.pop(key, None)
        self.procs, self.logs = [], []
        for args in (("db", "upgrade"), ("debate", "demo", "--password", PASSWORD)):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, text=True, timeout=180)

    def serve(self, redis_url=None, channel=None):
        port = free_port()
        env = dict(self.env)
        if redis_url:
            env["REDIS_URL"] = redis_url
        if channel:
            env["SOCKETIO_CHANNEL"] = channel
        log = open(Path(self.dir) / f"gunicorn-{port}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1", "--no-control-socket",
                                 "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.logs.append(log)
        url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                return url
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start: " + (Path(self.dir) / f"gunicorn-{port}.log").read_text()[-2000:])

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in self.logs:
            log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def call(url, method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json", **(headers or {})}
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + path, method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class Tournament:
    """The demo tournament driven through the API of one server."""

    def __init__(self, url):
        self.url = url
        self.token = call(url, "POST", "/api/v1/auth/token", {"username": "demo", "password": PASSWORD})[1]["token"]
        ts = call(url, "GET", "/api/v1/tournaments", token=self.token)[1]
        self.t = ts[0] if isinstance(ts, list) else ts["items"][0]
        self.tid = self.t["id"]
        adjs = call(url, "GET", f"/api/v1/tournaments/{self.tid}/adjudicators", token=self.token)[1]
        adjs = adjs if isinstance(adjs, list) else adjs["items"]
        self.keys = {a["id"]: a["private_key"] for a in adjs}

    def api(self, method, path, body=None, url=None):
        return call(url or self.url, method, "/api/v1" + path, body, token=self.token)

    def new_round(self, url=None):
        status, rnd = self.api("POST", f"/tournaments/{self.tid}/rounds", {"kind": "prelim"}, url=url)
        assert status == 201, rnd
        status, draw = self.api("POST", f"/rounds/{rnd['id']}/draw", url=url)
        assert status == 201, draw
        self.api("POST", f"/rounds/{rnd['id']}/release", {"draw": True}, url=url)
        return rnd, draw

    def submit(self, debate, winner="gov", url=None):
        ids = []
        for adj in debate["adjudicators"]:
            scores = {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26} if winner == "gov" else \
                {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}
            status, b = call(url or self.url, "POST", "/api/v1/ballots",
                             {"debate_id": debate["id"], "client_id": str(uuid.uuid4()), "winner": winner,
                              "scores": scores}, headers={"X-Adjudicator-Key": self.keys[adj["id"]]})
            assert status == 201, b
            ids.append(b["id"])
        return ids

    def confirm_all(self, ballot_ids, url=None):
        for bid in ballot_ids:
            status, body = self.api("POST", f"/ballots/{bid}/confirm", url=url)
            assert status == 200, body


def fetch_json(url, path):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return json.loads(r.read())


def listener(url, tid, lid, transports=("websocket",)):
    """A python-socketio client in the public rooms of a league; events land in a queue."""
    q = queue.Queue()
    c = socketio.Client(reconnection=False)
    c.on("changed", lambda payload: q.put((time.monotonic(), payload)))
    c.connect(url, transports=list(transports), wait_timeout=10)
    ack = c.call("join", {"tournament": tid, "league": lid}, timeout=10)
    assert ack["rooms"] == [f"t{tid}", f"l{lid}"], ack
    return c, q


def wait_for(q, pred, timeout=10.0):
    end = time.monotonic() + timeout
    seen = []
    while time.monotonic() < end:
        try:
            _t, payload = q.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(payload)
        if pred(payload):
            return payload
    raise AssertionError(f"no matching event within {timeout}s; saw {seen}")


@pytest.fixture(scope="module")
def demo():
    d = Demo()
    yield d
    d.close()


@pytest.fixture(scope="module")
def server(demo):
    return demo.serve()


@pytest.mark.parametrize("transports", [("websocket",), ("polling",)], ids=["websocket", "polling-only"])
def test_client_hears_confirmed_ballot(server, transports):
    url = server
    tour = Tournament(url)
    rnd, draw = tour.new_round()
    d = draw["debates"][0]
    lid = d["league_id"]
    client, q = listener(url, tour.tid, lid, transports)
    try:
        assert client.transport() == transports[0]
        ids = tour.submit(d)
        tour.confirm_all(ids[:-1])
        tour.confirm_all(ids[-1:])  # the last confirmation decides the debate
        ev = wait_for(q, lambda p: p.get("what") == "result" and p.get("round_id") == rnd["id"])
        assert ev == {"tournament_id": tour.tid, "round_id": rnd["id"], "league_id": lid, "what": "result"}
        # The event says only that something changed; the public JSON shows it once released.
        status, _ = tour.api("POST", f"/rounds/{rnd['id']}/release", {"results": True})
        assert status == 200
        wait_for(q, lambda p: p.get("what") == "release" and p.get("round_id") == rnd["id"])
        with urllib.request.urlopen(f"{url}/p/{tour.tid}/l/{lid}/live.json?parts=results", timeout=10) as r:
            html = json.loads(r.read())["parts"]["results"]["html"]
        assert d["gov"]["name"] in html
        # Finish the round so the next test can draw another.
        for other in draw["debates"][1:]:
            tour.confirm_all(tour.submit(other))
    finally:
        client.disconnect()


def _redis_or_skip():
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as e:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({e}); start it with "
                    "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no`")


def test_two_processes_share_events_through_redis():
    _redis_or_skip()
    d = Demo()
    try:
        a, b = d.serve(REDIS_URL), d.serve(REDIS_URL)
        assert a != b
        tour = Tournament(a)
        rnd, draw = tour.new_round(url=a)
        deb = draw["debates"][0]
        lid = deb["league_id"]
        on_b, qb = listener(b, tour.tid, lid)
        on_a, qa = listener(a, tour.tid, lid, transports=("polling",))
        results = f"/p/{tour.tid}/l/{lid}/live.json?parts=results"
        try:
            # B renders and caches its public results (none yet).
            for _ in range(3):
                assert deb["gov"]["name"] not in fetch_json(b, results)["parts"]["results"]["html"]
            ids = tour.submit(deb, url=a)
            t0 = time.monotonic()
            tour.confirm_all(ids, url=a)          # caused through process A ...
            got = wait_for(qb, lambda p: p.get("what") == "result" and p.get("round_id") == rnd["id"])
            assert got["league_id"] == lid          # ... heard by a client of process B
            assert time.monotonic() - t0 < 5
            wait_for(qa, lambda p: p.get("what") == "result" and p.get("round_id") == rnd["id"])
            # And the other way round: a release through B reaches A's client.
            tour.api("POST", f"/rounds/{rnd['id']}/release", {"results": True}, url=b)
            wait_for(qa, lambda p: p.get("what") == "release" and p.get("round_id") == rnd["id"])
            assert deb["gov"]["name"] in fetch_json(a, results)["parts"]["results"]["html"]
            # A change made through A alone (un-release) must not leave B's cache stale: the
            # version is shared through Redis.
            assert deb["gov"]["name"] in fetch_json(b, results)["parts"]["results"]["html"]
            tour.api("POST", f"/rounds/{rnd['id']}/release", {"results": False}, url=a)
            assert deb["gov"]["name"] not in fetch_json(b, results)["parts"]["results"]["html"]
        finally:
            on_a.disconnect()
            on_b.disconnect()
    finally:
        d.close()


def _silent(q, pred, seconds):
    """True if nothing matching arrives within `seconds`."""
    try:
        wait_for(q, pred, timeout=seconds)
    except AssertionError:
        return True
    return False


def test_channels_keep_installations_apart():
    """Processes with the same SOCKETIO_CHANNEL share events; another channel on the same Redis
    hears nothing. And without SOCKETIO_CHANNEL, two installations (their own SECRET_KEYs) get
    different channels, while the processes of one installation share theirs."""
    _redis_or_skip()
    tag = uuid.uuid4().hex[:8]
    d = Demo()
    other = Demo()
    try:
        a = d.serve(REDIS_URL, channel=f"debate-test-{tag}-one")
        b = d.serve(REDIS_URL, channel=f"debate-test-{tag}-one")
        c = d.serve(REDIS_URL, channel=f"debate-test-{tag}-two")
        default_1, default_2 = d.serve(REDIS_URL), d.serve(REDIS_URL)   # this installation, default channel
        foreign = other.serve(REDIS_URL)                                 # another installation, same ids
        tour = Tournament(a)
        rnd, draw = tour.new_round(url=a)
        deb = draw["debates"][0]
        lid = deb["league_id"]
        clients = {name: listener(url, tour.tid, lid) for name, url in
                   (("b", b), ("c", c), ("default_2", default_2), ("foreign", foreign))}
        try:
            is_result = lambda p: p.get("what") == "result" and p.get("round_id") == rnd["id"]  # noqa: E731
            tour.confirm_all(tour.submit(deb, url=a), url=a)
            wait_for(clients["b"][1], is_result)                  # same channel: heard
            assert _silent(clients["c"][1], is_result, 2)         # other channel: not
            assert _silent(clients["default_2"][1], is_result, 0.5)
            assert _silent(clients["foreign"][1], is_result, 0.5)
            # The default channel: shared by the processes of one installation ...
            deb2 = draw["debates"][1]
            tour.confirm_all(tour.submit(deb2, url=default_1), url=default_1)
            is_result2 = lambda p: p.get("what") == "result" and p.get("league_id") == deb2["league_id"]  # noqa: E731
            if deb2["league_id"] == lid:
                wait_for(clients["default_2"][1], is_result2)
            # ... and a release heard by every room of the tournament, on the installation's own channel only.
            is_release = lambda p: p.get("what") == "release" and p.get("round_id") == rnd["id"]  # noqa: E731
            tour.api("POST", f"/rounds/{rnd['id']}/release", {"results": True}, url=default_1)
            wait_for(clients["default_2"][1], is_release)
            assert _silent(clients["foreign"][1], is_release, 2)
            assert _silent(clients["b"][1], is_release, 0.5) and _silent(clients["c"][1], is_release, 0.5)
        finally:
            for client, _q in clients.values():
                client.disconnect()
    finally:
        d.close()
        other.close()
