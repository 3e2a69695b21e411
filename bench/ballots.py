"""Benchmark: ballots from 100 phones at once against gunicorn (gevent workers), on SQLite (WAL)
and on PostgreSQL, beside the same server's GET /healthz as the baseline in the same run.

Run from the repository root:
    .venv/bin/python bench/ballots.py [--db sqlite,pg] [--clients 100] [--workers 2] [--seconds 10]
        [--rate 2.5] [--warmup 2] [--retry-share 0.1] [--client aio|threads] [--redis URL|none] [--wrk]
        [--pool N] [--trace FILE] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--json FILE]

Server, as docs/deploy.md runs a tournament: gunicorn --worker-class gevent --workers N (default
2, one per core) --worker-connections 1000 on 127.0.0.1 (loopback only), and by default REDIS_URL
(the local Redis, with a Socket.IO channel of its own, SOCKETIO_CHANNEL=bench-ballots-<pid>, so
no other installation on that Redis hears the bench) so that both workers' live events reach a
staff dashboard whichever worker it is connected to, as two processes sharing Redis do behind
nginx. --redis none runs without a message queue (then a dashboard on one worker misses the
other worker's events, which the bench reports).

For each database: a fresh database (SQLite file in a temp dir; PostgreSQL: a scratch database
created here and dropped at the end), tables made from the models. Then, through the API: a
tournament with one league (panel_size 1), 2 x clients teams, clients adjudicators (each with
a private key), a round and its draw, so every simulated phone has its own debate seat. A
director signs in through the login page and keeps a staff dashboard open (a Socket.IO client
on the websocket transport that joins the tournament's staff room) for the whole run.

Load phases (each bounded by --seconds) from `clients` simulated phones, each with its own
keep-alive connection. --client aio (default): one asyncio event loop (aiohttp) in a child
process; --client threads: one thread with requests.Session per phone (the bench before; those
100 threads take a large share of the two cores the server also needs, and their GIL waits show
up as latency):
  paced   each phone sends at --rate requests/s (offered load clients x rate, on a fixed
          schedule per phone that does not slow down when answers are late), like phones with
          people behind them; ballots/s and p50/p95 latency here are what the goal is about.
  closed  each phone sends its next request as soon as the previous one is answered:
          the saturation throughput (latency there is roughly clients / throughput).
  wrk     (--wrk) the closed loop again from wrk (C, 2 threads, --timeout 30s): the least
          CPU taken from the server by the load generator.
Before them, --warmup seconds (default 2) of paced ballots, printed but not counted: a freshly
started server's first ballots open each worker's database connections and compile statements
(the first ~1.5 s of a cold paced phase had p50 40-110 ms, the rest 7-9 ms).
Each phase runs GET /healthz first (baseline), then POST /api/v1/ballots. A share of ballot
requests (--retry-share) resend an already acknowledged client_id (a phone that lost the
answer); those must come back 200 with the same ballot id and store nothing.

Afterwards the database is queried: exactly one stored ballot per acknowledged client_id, no
stored ballot that was not acknowledged (a request that timed out on the client may have been
stored: counted separately), and the staff dashboard must have been told of every new ballot.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
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
from bench.server import (PASSWORD, Gunicorn, create_pg_database, director_api,  # noqa: E402
                          drop_pg_database, prepare_database, server_env)

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


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


def _redis_ok(url):
    try:
        import redis
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def start_server(url, instance, workers, pool=None, redis=None, worker_class="gevent"):
    """gunicorn with --worker-connections 1000; with redis, REDIS_URL and a Socket.IO channel of
    the bench's own."""
    env = server_env(INSTANCE_PATH=instance, SECRET_KEY="bench-ballots", DATABASE_URL=url, REDIS_URL=redis)
    if redis:
        env["SOCKETIO_CHANNEL"] = f"bench-ballots-{os.getpid()}"
    return Gunicorn(instance, env, app=app_spec(url, pool), workers=workers, worker_class=worker_class,
                    connections=1000)


def app_spec(url, pool):
    """wsgi:app as deployed; with --pool N (PostgreSQL) the app factory gets a bigger
    SQLAlchemy pool (N connections per worker, no overflow churn), to show its effect."""
    if not pool or url.startswith("sqlite"):
        return "wsgi:app"
    opts = {"pool_pre_ping": True, "pool_size": pool, "max_overflow": 0, "pool_timeout": 30}
    return f"debate:create_app({{'SQLALCHEMY_ENGINE_OPTIONS': {opts!r}}})"


def setup_tournament(base, n_phones):
    _s, post = director_api(base)
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
    post(f"/rounds/{rnd['id']}/release", {"draw": True})  # the ballot window opens with the draw's release
    seats = [(d["id"], keys[a["id"]]) for d in draw["debates"] for a in d["adjudicators"]]
    assert len(seats) >= n_phones, f"only {len(seats)} seats for {n_phones} phones"
    return t["id"], seats[:n_phones]


def _ballot(debate_id, rng):
    winner = rng.choice(["gov", "opp"])
    hi, lo = rng.choice([27, 27.5, 28]), rng.choice([25, 25.5, 26])
    scores = {"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if winner == "gov" else \
        {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5}
    return {"debate_id": debate_id, "client_id": str(uuid.uuid4()), "winner": winner, "scores": scores}


# ----- the staff dashboard: a signed-in Socket.IO client in the tournament's staff room -----

def _session_cookie(base):
    """Sign the director in through the login page; the session cookie for the socket."""
    s = requests.Session()
    html = s.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = s.post(base + "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token},
               allow_redirects=False, timeout=30)
    assert r.status_code == 302, ("login", r.status_code)
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


class StaffDashboard:
    """A child process holding the staff socket for the whole run; collects the ids of the
    ballots it was told of ("staff" events, what = "submitted")."""

    def __init__(self, base, tournament_id):
        ctx = multiprocessing.get_context("spawn")
        self.stop_event, self.out = ctx.Event(), ctx.Queue()
        ready = ctx.Queue()
        self.proc = ctx.Process(target=_dashboard, args=(base, _session_cookie(base), tournament_id, ready,
                                                         self.stop_event, self.out), daemon=True)
        self.proc.start()
        self.joined = ready.get(timeout=60)

    def finish(self, grace=3.0):
        time.sleep(grace)  # events of the last answered requests are still on their way
        self.stop_event.set()
        seen = self.out.get(timeout=60)
        self.proc.join(30)
        return seen


def _dashboard(base, cookie, tournament_id, ready, stop_event, out):
    import asyncio

    import socketio

    async def main():
        seen = []
        sio = socketio.AsyncClient(reconnection=True)

        @sio.on("staff")
        async def staff(payload):
            if payload.get("what") == "submitted":
                seen.append(payload.get("ballot_id"))
        await sio.connect(base, transports=["websocket"], headers={"Cookie": cookie}, wait_timeout=30)
        ack = await sio.call("join", {"tournament": tournament_id, "staff": True}, timeout=30)
        ready.put(ack.get("rooms"))
        while not stop_event.is_set():
            await asyncio.sleep(0.1)
        await sio.disconnect()
        return seen

    out.put(asyncio.run(main()))


# ----- load: phones -----

def run_phase(base, seats, what, seconds, rate, retry_share, seed):
    """One thread with requests.Session per phone. what: 'health' or 'ballots'; rate:
    requests/s per phone (None = closed loop)."""
    stop_at = [0.0]
    start = threading.Barrier(len(seats) + 1)
    results = []          # (latency_s, status, kind, ballot id)
    acked = {}            # client_id -> ballot id
    lock = threading.Lock()
    cpu0 = time.process_time()
    done_at = [0.0] * len(seats)

    def phone(i, debate_id, key):
        rng = random.Random(seed * 1000 + i)
        s = requests.Session()
        s.headers["X-Adjudicator-Key"] = key
        mine, out = [], []
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
            kind, bid = "health", None
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
                        bid = r.json()["id"]
                        mine.append((body, bid))
                status = r.status_code
            except requests.RequestException as e:
                status = type(e).__name__
            out.append((time.perf_counter() - t0, status, kind, bid, t0))
            done_at[i] = time.perf_counter()
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
    return _summary(what, results, acked, max(done_at) - t0, time.process_time() - cpu0)


def run_phase_aio(base, seats, what, seconds, rate, retry_share, seed):
    """run_phase with asyncio + aiohttp in a child process (one event loop, one keep-alive
    connection per phone): the same load for a fraction of the CPU. Same results as run_phase."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_aio_phase, (base, seats, what, seconds, rate, retry_share, seed))


def _aio_phase(base, seats, what, seconds, rate, retry_share, seed):
    import asyncio

    import aiohttp

    results, acked = [], {}
    cpu0 = time.process_time()
    last = [0.0]  # when the last answer arrived: the phase's end (a paced phone may sleep past it)

    async def phone(i, debate_id, key, start, stop_at):
        rng = random.Random(seed * 1000 + i)
        mine = []
        conn = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(base, connector=conn, timeout=timeout,
                                         headers={"X-Adjudicator-Key": key}) as http:
            t_next = start + (rng.random() / rate if rate else 0)
            while True:
                if rate:
                    delay = t_next - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    t_next += 1 / rate
                elif time.perf_counter() < start:
                    await asyncio.sleep(start - time.perf_counter())
                if time.perf_counter() >= stop_at:
                    break
                kind, bid, answer = "health", None, None
                t0 = time.perf_counter()
                try:
                    if what == "health":
                        async with http.get("/healthz") as r:
                            await r.read()
                    else:
                        if mine and rng.random() < retry_share:
                            kind = "retry"
                            body, bid = rng.choice(mine)
                        else:
                            kind = "new"
                            body = _ballot(debate_id, rng)
                        async with http.post("/api/v1/ballots", json=body) as r:
                            answer = await r.json() if r.status in (200, 201) else await r.read()
                    status = r.status
                    if kind == "retry" and (status != 200 or answer["id"] != bid):
                        kind = "retry-mismatch"
                    if kind == "new" and status == 201:
                        bid = answer["id"]
                        mine.append((body, bid))
                except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                    status = type(e).__name__
                now = time.perf_counter()
                results.append((now - t0, status, kind, bid, t0))
                last[0] = max(last[0], now)
        for body, bid in mine:
            acked[body["client_id"]] = bid

    async def main():
        start = time.perf_counter() + 1.0  # every phone's session is made before the clock starts
        await asyncio.gather(*(phone(i, d, k, start, start + seconds) for i, (d, k) in enumerate(seats)))
        return start

    start = asyncio.run(main())
    return _summary(what, results, acked, last[0] - start, time.process_time() - cpu0)


def _pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")


def _summary(what, results, acked, elapsed, client_cpu=None):
    ok = sorted(lat for lat, st, k, _b, _t in results if st in (200, 201) and k != "retry-mismatch")
    errors = {}
    for _lat, st, k, _b, _t in results:
        if st not in (200, 201) or k == "retry-mismatch":
            errors[f"{k}:{st}"] = errors.get(f"{k}:{st}", 0) + 1
    new = sum(1 for _l, st, k, _b, _t in results if k == "new" and st == 201)
    return {"what": what, "requests": len(results), "ok": len(ok), "per_s": len(ok) / elapsed,
            "new_per_s": new / elapsed, "p50": _pct(ok, 0.50), "p95": _pct(ok, 0.95), "p99": _pct(ok, 0.99),
            "max": ok[-1] * 1000 if ok else float("nan"),
            "retries": sum(1 for _l, st, k, _b, _t in results if k == "retry" and st == 200), "new": new,
            "errors": errors, "acked": acked, "elapsed": elapsed,
            "client_cpu_ms": (client_cpu / len(results) * 1000) if client_cpu and results else None,
            "trace": _trace(results)}


def _trace(results):
    first = min((r[4] for r in results), default=0.0)
    return [(round(t - first, 4), round(lat * 1000, 2), st, k) for lat, st, k, _b, t in sorted(results, key=lambda r: r[4])]


WRK_LUA = r"""
local seats = {%(seats)s}
local counter, tid = 0, 0
local threads = {}
acked = {}
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
function response(status, headers, body)
  if status == 201 then
    local id, cid = string.match(body, '"id":%%s*(%%d+)'), string.match(body, '"client_id":%%s*"([^"]+)"')
    if cid then acked[#acked + 1] = cid .. " " .. (id or "") end
  end
end
function done(summary, latency, requests)
  local f = io.open("%(acked_file)s", "w")
  for _, t in ipairs(threads) do
    local a = t:get("acked")
    if a then for _, line in ipairs(a) do f:write(line, "\n") end end
  end
  f:close()
  io.write(string.format("WRKRESULT %%d %%d %%d %%.3f %%.3f %%.3f %%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.timeout))
end
"""


def run_wrk(base, seats, what, seconds, clients, tag):
    """The closed loop from wrk (C). Every ballot carries a new client_id; the client_ids and ids
    of the 201 answers are collected (Lua response()) for the check against the database."""
    workdir = tempfile.mkdtemp(prefix="bench-wrk-")
    acked_file = os.path.join(workdir, "acked.txt")
    lua = WRK_LUA % {"seats": ", ".join(f'{{{d}, "{k}"}}' for d, k in seats), "what": what, "tag": tag,
                     "acked_file": acked_file}
    script = os.path.join(workdir, "load.lua")
    Path(script).write_text(lua)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "30s", "-s", script,
                          base], capture_output=True, text=True, timeout=seconds + 90).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKRESULT"))
    n, errors, duration_us, p50, p95, p99, timeouts = line.split()[1:]
    acked = {}
    for row in Path(acked_file).read_text().splitlines():
        cid, _sp, bid = row.partition(" ")
        acked[cid] = int(bid) if bid else None
    shutil.rmtree(workdir, ignore_errors=True)
    n, errors = int(n), int(errors)
    per_s = (n - errors) / (float(duration_us) / 1e6)
    return {"what": what, "per_s": per_s, "new_per_s": len(acked) / (float(duration_us) / 1e6) if what == "ballots"
            else 0.0, "p50": float(p50), "p95": float(p95), "p99": float(p99), "requests": n, "ok": n - errors,
            "errors": errors, "timeouts": int(timeouts), "acked": acked, "new": len(acked), "retries": 0}


# ----- one database -----

def bench_one(kind, args):
    instance = tempfile.mkdtemp(prefix=f"bench-ballots-{kind}-")
    pg_db = None
    if kind == "sqlite":
        url = f"sqlite:///{instance}/bench.db"
    else:
        pg_db = f"bench_ballots_{os.getpid()}"
        url = create_pg_database(args.pg_url, pg_db)
    server = dashboard = None
    try:
        prepare_database(url, instance)
        server = start_server(url, instance, args.workers, args.pool, args.redis)
        t0 = time.perf_counter()
        tid, seats = setup_tournament(server.url, args.clients)
        dashboard = StaffDashboard(server.url, tid)
        pool = f", SQLAlchemy pool {args.pool}/worker" if args.pool and kind != "sqlite" else ", default pool"
        queue = f"REDIS_URL={args.redis}" if args.redis else "no message queue"
        print(f"\n[{kind}] {' '.join(server.cmd[2:])}\n  ({queue}{pool}); tournament set up through the API in "
              f"{time.perf_counter() - t0:.1f} s ({len(seats)} phones, each with its own debate); staff dashboard "
              f"joined {dashboard.joined}; load average {os.getloadavg()[0]:.2f}")
        phases = []
        acked = {}
        if args.warmup > 0:
            # A freshly started server is cold: each worker's first ballots open its pool's
            # connections to the database (psycopg prepares a statement on a connection after 5
            # uses) and compile the statements once. Those first ballots are printed, checked with
            # the rest, and not counted in the phases below.
            run = run_phase_aio if args.client == "aio" else run_phase
            res = run(server.url, seats, "ballots", args.warmup, args.rate, args.retry_share, seed=99)
            acked.update(res.pop("acked"))
            res.pop("trace", None)
            print(f"  warmup ballots  {res['per_s']:7.1f} req/s  p50 {res['p50']:6.1f} ms  p95 {res['p95']:6.1f} ms  "
                  f"p99 {res['p99']:6.1f} ms  (ok {res['ok']}, new {res['new']}, errors {res['errors'] or 0}; "
                  f"{args.warmup:g} s, not counted below)", flush=True)
        modes = [("paced", args.rate), ("closed", None)]
        if args.wrk and shutil.which("wrk"):
            modes.append(("wrk", None))
        for mode, rate in modes:
            for what in ("health", "ballots"):
                cpu0 = server.worker_cpu()
                if mode == "wrk":
                    res = run_wrk(server.url, seats, what, args.seconds, args.clients, tag=f"{kind}{os.getpid()}")
                else:
                    run = run_phase_aio if args.client == "aio" else run_phase
                    res = run(server.url, seats, what, args.seconds, rate, args.retry_share, seed=len(phases) + 1)
                res["server_cpu_ms"] = (server.worker_cpu() - cpu0) / max(1, res["ok"]) * 1000
                res["mode"] = mode
                acked.update(res.pop("acked"))
                trace = res.pop("trace", None)
                if args.trace and trace:
                    with open(args.trace, "a") as f:
                        f.writelines(f"{kind},{mode},{what},{t},{lat},{st},{k}\n" for t, lat, st, k in trace)
                phases.append(res)
                errors = res["errors"] or 0
                client = f", client CPU {res['client_cpu_ms']:.2f} ms/req" if res.get("client_cpu_ms") else ""
                print(f"  {mode:6} {what:7}  {res['per_s']:7.1f} req/s  p50 {res['p50']:6.1f} ms  "
                      f"p95 {res['p95']:6.1f} ms  p99 {res['p99']:6.1f} ms  (ok {res['ok']}, new {res['new']}, "
                      f"retries {res['retries']}, errors {errors}; server CPU {res['server_cpu_ms']:.2f} ms/req"
                      f"{client})", flush=True)
        told = set(dashboard.finish())
        dashboard = None
        stored = _count_rows(url, tid)
        dup = {c: n for c, n in stored.items() if n != 1}
        missing = [c for c in acked if c not in stored]
        extra = [c for c in stored if c not in acked]
        not_told = [c for c, bid in acked.items() if bid not in told]
        timeouts = sum(p.get("timeouts", 0) for p in phases) + sum(
            n for p in phases if isinstance(p["errors"], dict) for k, n in p["errors"].items() if "Timeout" in k)
        # wrk stops with a request in flight on each connection: sent, stored, answer not read.
        in_flight = args.clients if any(p["mode"] == "wrk" and p["what"] == "ballots" for p in phases) else 0
        extra_wrk = sum(1 for c in extra if c.startswith("wrk-"))
        print(f"  check: {len(acked)} acknowledged new ballots, {len(stored)} stored; duplicates {len(dup)}, "
              f"acknowledged but missing {len(missing)}, stored but not acknowledged {len(extra)} ({extra_wrk} of "
              f"them wrk's last request on each of its {in_flight} connections, unread when it stopped; requests "
              f"that timed out on the client: {timeouts}); staff dashboard told of {len(acked) - len(not_told)} of "
              f"{len(acked)}; load average {os.getloadavg()[0]:.2f}")
        by = {(p["mode"], p["what"]): p for p in phases}
        for mode, _rate in modes:
            h, b = by[(mode, "health")], by[(mode, "ballots")]
            print(f"  {mode:6} ballots/healthz: throughput x{b['per_s'] / h['per_s']:.2f}, "
                  f"p95 {b['p95']:.1f} / {h['p95']:.1f} ms")
        return {"db": kind, "server": server.cmd[2:], "redis": args.redis, "phases": phases, "acked": len(acked),
                "stored": len(stored), "dup": len(dup), "missing": len(missing), "extra": len(extra),
                "not_told": len(not_told), "timeouts": timeouts, "extra_allowed": timeouts + min(in_flight, extra_wrk),
                "load": os.getloadavg()[0]}
    finally:
        if dashboard is not None:
            dashboard.proc.kill()
        if server:
            server.stop()
        if pg_db:
            drop_pg_database(args.pg_url, pg_db)
        shutil.rmtree(instance, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite,pg")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=2.5, help="requests/s per phone in the paced phase")
    ap.add_argument("--warmup", type=float, default=2, help="seconds of paced ballots before the timed phases "
                                                            "(0: none)")
    ap.add_argument("--pool", type=int, help="PostgreSQL: SQLAlchemy pool_size per worker (default: the app's)")
    ap.add_argument("--retry-share", type=float, default=0.1)
    ap.add_argument("--client", choices=("aio", "threads"), default="aio")
    ap.add_argument("--redis", default=DEFAULT_REDIS, help="REDIS_URL for the server, or 'none'")
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--trace", help="append every request (db, phase, what, send time s, latency ms, status, kind) "
                                    "to this CSV file")
    ap.add_argument("--wrk", action="store_true", help="also load the server with wrk (Debian package)")
    args = ap.parse_args()
    if args.redis == "none":
        args.redis = None
    elif not _redis_ok(args.redis):
        sys.exit(f"Redis is not reachable at {args.redis}; start it or pass --redis none")
    if args.wrk and not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): the wrk phase is skipped")
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} ({platform.machine()}); "
          f"{args.clients} phones ({args.client} client), {args.seconds:g} s per phase, paced {args.rate:g}/s per "
          f"phone (offered {args.clients * args.rate:g}/s), retry share {args.retry_share:g}; "
          f"load average {os.getloadavg()[0]:.2f}")
    out = [bench_one(kind.strip(), args) for kind in args.db.split(",") if kind.strip()]
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    bad = [r for r in out if r["dup"] or r["missing"] or r["not_told"] and r["redis"]
           or r["extra"] > r["extra_allowed"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
