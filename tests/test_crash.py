"""Crash test: gunicorn (as in production) takes ballots from many phones at once; the whole
server is killed with SIGKILL in the middle; after a restart every acknowledged (2xx) ballot is
there, no ballot is half-written (each row has its winner and four marks, and its audit entry:
one transaction), and retrying every unacknowledged ballot with its client_id stores exactly one.

Runs on SQLite (WAL) always, and on PostgreSQL when TEST_DATABASE_URL is set (a scratch database
is created and dropped). Loopback only; about 10 s per database."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "crash-test-pw-1"
THREADS, VERSIONS = 6, 12


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url=None):
        self.dir = tempfile.mkdtemp(prefix="debate-crash-")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "INSTANCE_PATH": self.dir, "SECRET_KEY": "crash-tests"}
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.proc = None

    def flask(self, *args):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True, timeout=120)

    def start(self):
        self.log = open(Path(self.dir) / "gunicorn.log", "a")
        # A session of its own, so SIGKILL reaches the master and every worker at once.
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "2",
                                      "--threads", "4", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                                     cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        for _ in range(150):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start: " + (Path(self.dir) / "gunicorn.log").read_text()[-2000:])

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        if not self.log.closed:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, method, path, body=None, headers=None, timeout=10):
        h = {"Content-Type": "application/json", **(headers or {})}
        req = urllib.request.Request(self.url + "/api/v1" + path, method=method, headers=h,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request):
    cleanup = None
    url = None
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL not set")
        import psycopg
        name = f"crash_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        url = PG_URL.rsplit("/", 1)[0] + "/" + name

        def cleanup():
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    s = Server(url)
    s.db_url = url
    s.flask("db", "upgrade")
    s.flask("debate", "create-director", "tab", "--password", PASSWORD)
    s.start()
    yield s
    s.stop()
    if cleanup:
        cleanup()


def _sql(server, query):
    if server.db_url:
        import psycopg
        with psycopg.connect(server.db_url) as con:
            return con.execute(query).fetchall()
    import sqlite3
    con = sqlite3.connect(Path(server.dir) / "debate.db")
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _setup(s):
    tok = s.call("POST", "/auth/token", {"username": "tab", "password": PASSWORD})[1]["token"]
    auth = {"Authorization": f"Bearer {tok}"}
    st, t = s.call("POST", "/tournaments", {"name": "Crash cup", "leagues": [{"language": "kk"}]}, auth)
    assert st == 201, t
    lid = t["leagues"][0]["id"]
    teams = [{"league_id": lid, "name": f"T{i}", "school": {"name": f"School {i}", "region": "astana"},
              "speakers": [{"name": f"A{i}"}, {"name": f"B{i}"}]} for i in range(12)]
    assert s.call("POST", f"/tournaments/{t['id']}/teams", teams, auth)[0] == 201
    st, adjs = s.call("POST", f"/tournaments/{t['id']}/adjudicators",
                      [{"name": f"Adj {i}", "languages": ["kk"], "rating": 5 + i % 4} for i in range(18)], auth)
    assert st == 201
    keys = {a["id"]: a["private_key"] for a in adjs}
    s.call("POST", f"/tournaments/{t['id']}/rooms", [{"name": f"R{i}"} for i in range(6)], auth)
    rnd = s.call("POST", f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}, auth)[1]
    st, draw = s.call("POST", f"/rounds/{rnd['id']}/draw", timeout=60, headers=auth)
    assert st == 201, draw
    s.call("POST", f"/rounds/{rnd['id']}/release", {"draw": True}, auth)
    seats = [(d["id"], a["id"]) for d in draw["debates"] for a in d["adjudicators"]]
    return keys, seats


def _submission(debate_id, key, version):
    gov = version % 2 == 0
    hi, lo = 27 + (version % 3) * 0.5, 25.5
    scores = {"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if gov else {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5}
    return {"debate_id": debate_id, "client_id": str(uuid.uuid4()), "winner": "gov" if gov else "opp",
            "scores": scores}, key


def test_kill_9_mid_submission_loses_no_acknowledged_ballot(server):
    s = server
    keys, seats = _setup(s)
    assert len(seats) >= THREADS
    # Each thread owns some adjudicators (so versions never race) and sends VERSIONS ballots each.
    plans = [[] for _ in range(THREADS)]
    for i, (did, aid) in enumerate(seats):
        for v in range(VERSIONS):
            plans[i % THREADS].append(_submission(did, keys[aid], v))
    acked, unacked = [], []
    lock = threading.Lock()
    stop_after = sum(len(p) for p in plans) // 3

    def phone(plan):
        for body, key in plan:
            try:
                st, _resp = s.call("POST", "/ballots", body, {"X-Adjudicator-Key": key}, timeout=5)
            except Exception:  # connection refused/reset: the server is gone
                st = None
            with lock:
                (acked if st in (200, 201) else unacked).append((body, key, st))

    threads = [threading.Thread(target=phone, args=(p,)) for p in plans]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 30
    while len(acked) < stop_after and time.monotonic() < deadline:
        time.sleep(0.005)
    s.kill()  # SIGKILL to master and workers, mid-stream
    for th in threads:
        th.join(30)
    assert acked, "nothing was acknowledged before the kill"
    assert unacked, "the kill came too late to interrupt anything"
    assert all(st is None or st < 500 for _b, _k, st in unacked), [st for _b, _k, st in unacked if st]

    s.start()  # the same database
    rows = _sql(s, "SELECT b.id, b.client_id, b.winner, b.scores, b.speakers, "
                   "(SELECT COUNT(*) FROM audit_log a WHERE a.object_type = 'ballot' AND a.object_id = b.id "
                   " AND a.action = 'ballot_submitted') FROM ballots b")
    stored, no_audit = {}, []
    for bid, client_id, winner, scores, speakers, audits in rows:
        scores = json.loads(scores) if isinstance(scores, str) else scores
        speakers = json.loads(speakers) if isinstance(speakers, str) else speakers
        assert winner in ("gov", "opp"), bid
        assert sorted(scores) == ["LO", "MG", "MO", "PM"] and all(isinstance(v, (int, float)) for v in scores.values()), \
            f"half-written ballot {bid}: {scores}"
        assert sorted(speakers) == ["LO", "MG", "MO", "PM"], f"ballot {bid} without speakers"
        if audits != 1:
            no_audit.append(bid)
        stored[client_id] = stored.get(client_id, 0) + 1
    missing = [b["client_id"] for b, _k, _st in acked if b["client_id"] not in stored]
    assert not missing, f"{len(missing)} acknowledged ballots lost after kill -9"
    assert all(n == 1 for n in stored.values())

    # Phones retry what was never acknowledged (same client_id): each stored exactly once.
    for body, key, _st in unacked + acked[:5]:
        st, resp = s.call("POST", "/ballots", body, {"X-Adjudicator-Key": key})
        assert st in (200, 201), (st, resp)
        assert resp["client_id"] == body["client_id"]
    counts = dict(_sql(s, "SELECT client_id, COUNT(*) FROM ballots GROUP BY client_id"))
    for body, _key, _st in acked + unacked:
        assert counts.get(body["client_id"]) == 1, body["client_id"]
    assert len(counts) == len(acked) + len(unacked)
    assert not no_audit, f"ballots without their audit entry (not one transaction): {no_audit}"
