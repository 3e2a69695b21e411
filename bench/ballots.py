"""Benchmark: ballots from 100 phones at once against gunicorn (gevent workers), on SQLite (WAL)
and on PostgreSQL, beside the same server's GET /healthz as the baseline in the same run.

Run from the repository root:
    .venv/bin/python bench/ballots.py [--db sqlite,pg] [--clients 100] [--workers 2]
        [--seconds 10] [--rate 2.5] [--retry-share 0.1] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each database: a fresh database (SQLite file in a temp dir; PostgreSQL: a scratch database
created here and dropped at the end), tables made from the models, gunicorn started on
127.0.0.1 (loopback only) with --worker-class gevent --workers N. Then, through the API: a
tournament with one league (panel_size 1), 2 x clients teams, clients adjudicators (each with
a private key), a round and its draw, so every simulated phone has its own debate seat.

Load phases (each bounded by --seconds), each with `clients` threads (requests.Session):
  paced   each phone sends at --rate requests/s (offered load clients x rate), like phones
          with people behind them; ballots/s and p50/p95 latency are what the goal is about.
  closed  each phone sends its next request as soon as the previous one is answered:
          the saturation throughput (latency there is roughly clients / throughput).
Each phase runs GET /healthz first (baseline), then POST /api/v1/ballots. A share of ballot
requests (--retry-share) resend an already acknowledged client_id (a phone that lost the
answer); those must come back 200 with the same ballot id and store nothing.

Afterwards the database is queried: exactly one stored ballot per acknowledged client_id, and
no stored ballot that was not acknowledged.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
PASSWORD = "bench-password-1"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_database(url, instance):
    """Tables from the models, the regions and one director, in a child process (so this
    process never imports the app: the load generator stays lean)."""
    code = (
        "from debate import create_app\n"
        "from debate.extensions import db\n"
        "from debate.models import Region\n"
        "from debate.regions import REGIONS\n"
        "from debate.services.accounts import create_user\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {url!r}}})\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    db.session.add_all(Region(code=c, kind=k, name_kk=a, name_ru=b, name_en=e) for c, k, a, b, e in REGIONS)\n"
        f"    create_user('bench', {PASSWORD!r})\n"
        "    db.session.commit()\n")
    subprocess.run([PY, "-c", code], cwd=ROOT, check=True, env={**os.environ, "INSTANCE_PATH": instance})


def _count_rows(url, tournament_id):
    """{client_id: rows} for the tournament's ballots, read straight from the database."""
    q = ("SELECT b.client_id, COUNT(*) FROM ballots b JOIN debates d ON d.id = b.debate_id "
         "JOIN rounds r ON r.id = d.round_id WHERE r.tournament_id = %s GROUP BY b.client_id")
    if url.startswith("sqlite"):
        import sqlite3
        con = sqlite3.connect(url[len("sqlite:///"):])
        rows = con.execute(q.replace("%s", "?"), (tournament_id,)).fetchall()
        con.close()
    else:
        import psycopg
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as con:
            rows = con.execute(q, (tournament_id,)).fetchall()
    return dict(rows)


class Server:
    def __init__(self, url, instance, workers, pool=None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "INSTANCE_PATH": instance, "SECRET_KEY": "bench-ballots", "DATABASE_URL": url}
        env.pop("REDIS_URL", None)
        self.log = open(Path(instance) / "gunicorn.log", "w")
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "--worker-class", "gevent", "--workers", str(workers),
             "--worker-connections", "1000", "--backlog", "2048", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", self.app_spec(url, pool)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(150):
            try:
                if requests.get(self.base + "/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start; see " + self.log.name)

    @staticmethod
    def app_spec(url, pool):
        """wsgi:app as deployed; with --pool N (PostgreSQL) the app factory gets a bigger
        SQLAlchemy pool (N connections per worker, no overflow churn), to show its effect."""
        if not pool or url.startswith("sqlite"):
            return "wsgi:app"
        opts = {"pool_pre_ping": True, "pool_size": pool, "max_overflow": 0, "pool_timeout": 30}
        return f"debate:create_app({{'SQLALCHEMY_ENGINE_OPTIONS': {opts!r}}})"

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def setup_tournament(base, n_phones):
    s = requests.Session()
    tok = s.post(base + "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).json()["token"]
    s.headers["Authorization"] = f"Bearer {tok}"

    def post(path, body):
        r = s.post(base + "/api/v1" + path, json=body, timeout=120)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:500])
        return r.json()

    t = post("/tournaments", {"name": "Bench cup", "stage": "republican", "leagues": [{"language": "kk"}],
                              "settings": {"panel_size": 1}})
    lid = t["leagues"][0]["id"]
    regions = ["astana", "almaty", "shymkent", "abai", "akmola", "aktobe", "atyrau", "jambyl", "karaganda"]
    post(f"/tournaments/{t['id']}/teams", [
        {"league_id": lid, "name": f"Команда {i}", "school": {"name": f"Мектеп {i}", "region": regions[i % 9]},
         "speakers": [{"name": f"Оқушы {i}a"}, {"name": f"Оқушы {i}b"}]} for i in range(2 * n_phones)])
    adjs = post(f"/tournaments/{t['id']}/adjudicators",
                [{"name": f"Төреші {i}", "languages": ["kk"], "rating": 5} for i in range(n_phones)])
    keys = {a["id"]: a["private_key"] for a in adjs}
    post(f"/tournaments/{t['id']}/rooms", [{"name": f"Аудитория {i}"} for i in range(n_phones)])
    rnd = post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"})
    draw = post(f"/rounds/{rnd['id']}/draw", {})
    seats = [(d["id"], keys[a["id"]]) for d in draw["debates"] for a in d["adjudicators"]]
    assert len(seats) >= n_phones, f"only {len(seats)} seats for {n_phones} phones"
    return t["id"], seats[:n_phones]


def _ballot(debate_id, rng):
    winner = rng.choice(["gov", "opp"])
    hi, lo = rng.choice([27, 27.5, 28]), rng.choice([25, 25.5, 26])
    scores = {"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if winner == "gov" else \
        {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5}
    return {"debate_id": debate_id, "client_id": str(uuid.uuid4()), "winner": winner, "scores": scores}


def run_phase(base, seats, what, seconds, rate, retry_share, seed):
    """what: 'health' or 'ballots'; rate: requests/s per phone (None = closed loop)."""
    stop_at = [0.0]
    start = threading.Barrier(len(seats) + 1)
    results = []          # (latency_s, status, kind)
    acked = {}            # client_id -> ballot id
    lock = threading.Lock()

    def phone(i, debate_id, key):
        rng = random.Random(seed * 1000 + i)
        s = requests.Session()
        s.headers["X-Adjudicator-Key"] = key
        mine, out, n = [], [], 0
        start.wait()
        t_next = time.perf_counter() + (rng.random() / rate if rate else 0)
        while True:
            if rate:
                delay = t_next - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                t_next += 1 / rate
            if time.perf_counter() >= stop_at[0]:
                break
            kind = "health"
            t0 = time.perf_counter()
            try:
                if what == "health":
                    r = s.get(base + "/healthz", timeout=30)
                elif mine and rng.random() < retry_share:
                    kind = "retry"
                    body, bid = rng.choice(mine)
                    r = s.post(base + "/api/v1/ballots", json=body, timeout=30)
                    if r.status_code != 200 or r.json()["id"] != bid:
                        kind = "retry-mismatch"
                else:
                    kind = "new"
                    body = _ballot(debate_id, rng)
                    r = s.post(base + "/api/v1/ballots", json=body, timeout=30)
                    if r.status_code == 201:
                        mine.append((body, r.json()["id"]))
                status = r.status_code
            except requests.RequestException as e:
                status = type(e).__name__
            out.append((time.perf_counter() - t0, status, kind))
            n += 1
        with lock:
            results.extend(out)
            for body, bid in mine:
                acked[body["client_id"]] = bid

    threads = [threading.Thread(target=phone, args=(i, d, k), daemon=True) for i, (d, k) in enumerate(seats)]
    for th in threads:
        th.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start.wait()
    for th in threads:
        th.join(seconds + 60)
    elapsed = time.perf_counter() - t0
    ok = [lat for lat, st, k in results if st in (200, 201) and k != "retry-mismatch"]
    lat = sorted(ok)

    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    errors = {}
    for _lat, st, k in results:
        if st not in (200, 201) or k == "retry-mismatch":
            errors[f"{k}:{st}"] = errors.get(f"{k}:{st}", 0) + 1
    return {"what": what, "requests": len(results), "ok": len(ok), "per_s": len(ok) / elapsed,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": lat[-1] * 1000 if lat else float("nan"),
            "retries": sum(1 for _l, st, k in results if k == "retry" and st == 200),
            "new": sum(1 for _l, st, k in results if k == "new" and st == 201),
            "errors": errors, "acked": acked, "elapsed": elapsed}


WRK_LUA = r"""
local seats = {%(seats)s}
local counter, tid = 0, 0
local threads = {}
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0 end
function request()
  if "%(what)s" == "health" then return wrk.format("GET", "/healthz") end
  counter = counter + 1
  local seat = seats[((counter * 7 + tid) %% #seats) + 1]
  local body = '{"debate_id": ' .. seat[1] .. ', "client_id": "wrk-%(tag)s-' .. tid .. '-' .. counter ..
    '", "winner": "gov", "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26.5}}'
  return wrk.format("POST", "/api/v1/ballots", {["Content-Type"] = "application/json",
                                                ["X-Adjudicator-Key"] = seat[2]}, body)
end
function done(summary, latency, requests)
  io.write(string.format("WRKRESULT %%d %%d %%d %%.3f %%.3f %%.3f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(base, seats, what, seconds, clients, tag):
    """The same load from wrk (C): the load generator then takes a small share of the two cores
    instead of competing with the server as 100 Python threads do. Every ballot carries a new
    client_id, so each 2xx is one stored ballot (checked against the database afterwards)."""
    lua = WRK_LUA % {"seats": ", ".join(f'{{{d}, "{k}"}}' for d, k in seats), "what": what, "tag": tag}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", f.name, base], capture_output=True,
                         text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKRESULT"))
    n, errors, duration_us, p50, p95, p99 = line.split()[1:]
    n, errors = int(n), int(errors)
    return {"what": what, "per_s": n / (float(duration_us) / 1e6), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "requests": n, "errors": errors}


def bench_one(kind, args):
    instance = tempfile.mkdtemp(prefix=f"bench-ballots-{kind}-")
    pg_db = None
    if kind == "sqlite":
        url = f"sqlite:///{instance}/bench.db"
    else:
        import psycopg
        pg_db = f"bench_ballots_{os.getpid()}"
        admin = args.pg_url
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{pg_db}"')
            con.execute(f'CREATE DATABASE "{pg_db}"')
        url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + pg_db
    server = None
    try:
        _prepare_database(url, instance)
        server = Server(url, instance, args.workers, args.pool)
        t0 = time.perf_counter()
        tid, seats = setup_tournament(server.base, args.clients)
        pool = f", SQLAlchemy pool {args.pool}/worker" if args.pool and kind != "sqlite" else ", default pool"
        print(f"\n[{kind}] gunicorn gevent x{args.workers}{pool} on {server.base}; tournament set up through the API "
              f"in {time.perf_counter() - t0:.1f} s ({len(seats)} phones, each with its own debate)")
        phases = []
        acked = {}
        for mode, rate in (("paced", args.rate), ("closed", None)):
            for what in ("health", "ballots"):
                res = run_phase(server.base, seats, what, args.seconds, rate, args.retry_share,
                                seed=len(phases) + 1)
                res["mode"] = mode
                acked.update(res.pop("acked"))
                phases.append(res)
                print(f"  {mode:6} {what:7}  {res['per_s']:7.1f} req/s  p50 {res['p50']:6.1f} ms  "
                      f"p95 {res['p95']:6.1f} ms  p99 {res['p99']:6.1f} ms  (ok {res['ok']}, new {res['new']}, "
                      f"retries {res['retries']}, errors {res['errors'] or 0})")
        if args.wrk and shutil.which("wrk"):
            for what in ("health", "ballots"):
                res = run_wrk(server.base, seats, what, args.seconds, args.clients, tag=kind)
                res["mode"] = "wrk"
                phases.append(res)
                print(f"  wrk    {what:7}  {res['per_s']:7.1f} req/s  p50 {res['p50']:6.1f} ms  "
                      f"p95 {res['p95']:6.1f} ms  p99 {res['p99']:6.1f} ms  (requests {res['requests']}, "
                      f"non-2xx or socket errors {res['errors']})")
                if what == "ballots":
                    wrk_ok = res["requests"] - res["errors"]
        stored = _count_rows(url, tid)
        if args.wrk and shutil.which("wrk"):
            wrk_rows = [c for c in stored if c.startswith("wrk-")]
            print(f"  wrk check: {wrk_ok} acknowledged ballots (2xx), {len(wrk_rows)} stored with wrk client ids, "
                  f"duplicates {sum(1 for c in wrk_rows if stored[c] != 1)}")
            stored = {c: n for c, n in stored.items() if not c.startswith("wrk-")}
        dup = {c: n for c, n in stored.items() if n != 1}
        missing = [c for c in acked if c not in stored]
        extra = [c for c in stored if c not in acked]
        print(f"  check: {len(acked)} acknowledged client_ids, {len(stored)} stored; "
              f"duplicates {len(dup)}, acknowledged but missing {len(missing)}, stored but not acknowledged "
              f"{len(extra)}")
        return {"db": kind, "phases": phases, "acked": len(acked), "stored": len(stored), "dup": len(dup),
                "missing": len(missing), "extra": len(extra)}
    finally:
        if server:
            server.stop()
        if pg_db:
            import psycopg
            with psycopg.connect(args.pg_url, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
        shutil.rmtree(instance, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite,pg")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=2.5, help="requests/s per phone in the paced phase")
    ap.add_argument("--pool", type=int, help="PostgreSQL: SQLAlchemy pool_size per worker (default: the app's)")
    ap.add_argument("--retry-share", type=float, default=0.1)
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--wrk", action="store_true", help="also load the server with wrk (Debian package)")
    args = ap.parse_args()
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.machine()}); "
          f"{args.clients} phones, {args.seconds:g} s per phase, paced {args.rate:g}/s per phone "
          f"(offered {args.clients * args.rate:g}/s), retry share {args.retry_share:g}")
    out = [bench_one(kind.strip(), args) for kind in args.db.split(",") if kind.strip()]
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    bad = [r for r in out if r["dup"] or r["missing"] or r["extra"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
