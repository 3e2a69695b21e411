"""Benchmark: how fast a confirmed result reaches N concurrent Socket.IO spectators.

Run from the repository root:
    .venv/bin/python bench/live.py [--sizes 1,100,1000,2000] [--trials 3] [--fetch] [--configs cache,nocache]

One gunicorn process (gevent worker, as in docs/deploy.md) serves a fresh SQLite demo on a free
loopback port. N python-socketio AsyncClients (websocket transport, spread over a few client
processes) connect and join a league's public rooms as static/js/live.js does. For each trial a
debate's ballots are submitted, and the clock starts just before the HTTP request that confirms
the last ballot (the one that decides the debate); each client notes when its "changed"/"result"
event arrives. Reported per N: p50, p95 and max over all clients and trials of (receipt - start),
and the confirming request's own response time. Baselines in the same run: GET /healthz and the
same broadcast to 1 client. Loopback only; every wait is bounded.

--fetch: each client then does what static/js/live.js does with the event: waits 80-480 ms at
random and GETs the league's live.json?parts=results (the round's results are released, so the
confirmed result is in it); "update" = confirming request -> that client has the new JSON.
--configs: one fresh server per configuration, in the same run: "cache" (default settings) and
"nocache" (PUBLIC_CACHE_SECONDS=0, every live.json rendered from the database).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import PASSWORD, Gunicorn, server_env  # noqa: E402


def call(url, method, path, body=None, token=None, headers=None):
    h = {"Content-Type": "application/json", **(headers or {})}
    if token:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + path, method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


# ----- client processes -----

def client_proc(url, tid, lid, n, ready, stop, out, fetch, finished):
    """n AsyncClients; puts ("ready", connected) once joined, then (after stop) their receipt times
    (and, with fetch, the times their re-fetch of live.json completed)."""
    import random

    import aiohttp
    import socketio

    async def main():
        clients, times, fetched, failures = [], [], [], []
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) if fetch else None

        async def refetch(done, league):
            # The spectators of the result's league (the clients all sit in one league's room;
            # once its 10 debates are used, the trials' results are another league's).
            json_url = f"{url}/p/{tid}/l/{league}/live.json?parts=results"
            await asyncio.sleep(0.08 + random.random() * 0.4)  # as static/js/live.js
            try:
                async with http.get(json_url, timeout=aiohttp.ClientTimeout(total=60)) as r:
                    await r.read()
                    if r.status == 200:
                        done.append(time.time())
                    else:
                        failures.append(r.status)
            except Exception as e:  # counted
                failures.append(type(e).__name__)
            with finished.get_lock():
                finished.value += 1

        async def one(i):
            c = socketio.AsyncClient(reconnection=False)
            mine, done = [], []
            times.append(mine)
            fetched.append(done)

            @c.on("changed")
            async def changed(p):
                if p.get("what") == "result":
                    mine.append(time.time())
                    if fetch:
                        asyncio.ensure_future(refetch(done, p.get("league_id", lid)))
            await c.connect(url, transports=["websocket"], wait_timeout=30)
            await c.call("join", {"tournament": tid, "league": lid}, timeout=30)
            clients.append(c)

        sem = asyncio.Semaphore(50)

        async def guarded(i):
            async with sem:
                try:
                    await one(i)
                except Exception as e:  # counted, not fatal
                    print("connect failed:", e, file=sys.stderr)
        await asyncio.gather(*(guarded(i) for i in range(n)))
        ready.put(("ready", len(clients)))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        out.put((times, fetched, failures))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        if http is not None:
            await http.close()

    asyncio.run(main())


# ----- the server and the tournament -----

class Server:
    """A fresh SQLite demo (flask db upgrade, debate demo) in a temp dir, served by one gunicorn
    gevent worker."""

    def __init__(self, connections, cache_seconds=None, redis_url=None):
        self.dir = tempfile.mkdtemp(prefix="debate-bench-live-")
        self.env = server_env(INSTANCE_PATH=self.dir, SECRET_KEY=f"bench-{uuid.uuid4()}", DATABASE_URL=None,
                              REDIS_URL=None)
        if cache_seconds is not None:
            self.env["PUBLIC_CACHE_SECONDS"] = str(cache_seconds)
        for args in (("db", "upgrade"), ("debate", "demo", "--password", PASSWORD)):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=300)
        if redis_url:  # the Socket.IO queue and the public cache's version, as with several processes
            self.env["REDIS_URL"] = redis_url
        self.gunicorn = Gunicorn(self.dir, self.env, connections=connections, backlog=None, log_level=None)
        self.url, self.cmd = self.gunicorn.url, self.gunicorn.cmd

    def close(self):
        self.gunicorn.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tour:
    def __init__(self, url):
        self.url = url
        self.token = call(url, "POST", "/api/v1/auth/token", {"username": "demo", "password": PASSWORD})["token"]
        self.tid = call(url, "GET", "/api/v1/tournaments", token=self.token)[0]["id"]
        adjs = call(url, "GET", f"/api/v1/tournaments/{self.tid}/adjudicators", token=self.token)
        self.keys = {a["id"]: a["private_key"] for a in adjs}
        rnd = call(url, "POST", f"/api/v1/tournaments/{self.tid}/rounds", {"kind": "prelim"}, token=self.token)
        self.draw = call(url, "POST", f"/api/v1/rounds/{rnd['id']}/draw", token=self.token)
        # Results released from the start: each confirmed result is public at once (as in the hall).
        call(url, "POST", f"/api/v1/rounds/{rnd['id']}/release", {"draw": True, "results": True}, token=self.token)
        self.lid = self.draw["debates"][0]["league_id"]
        # This league's debates first (a league has 10; later trials use the other leagues').
        self.pending = sorted(self.draw["debates"], key=lambda d: d["league_id"] != self.lid)

    def prepare(self):
        """Submit every ballot of the next debate and confirm all but the last; return the last id."""
        d = self.pending.pop(0)
        ids = []
        for adj in d["adjudicators"]:
            b = call(self.url, "POST", "/api/v1/ballots",
                     {"debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": "gov",
                      "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}},
                     headers={"X-Adjudicator-Key": self.keys[adj["id"]]})
            ids.append(b["id"])
        for bid in ids[:-1]:
            call(self.url, "POST", f"/api/v1/ballots/{bid}/confirm", token=self.token)
        return ids[-1]

    def confirm(self, bid):
        call(self.url, "POST", f"/api/v1/ballots/{bid}/confirm", token=self.token)


def run_size(server, tour, n, trials, procs, fetch):
    ctx = mp.get_context("spawn")
    ready, out, stop, finished = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("i", 0)
    k = max(1, min(procs, n // 100 or 1))
    shares = [n // k + (1 if i < n % k else 0) for i in range(k)]
    ps = [ctx.Process(target=client_proc, args=(server.url, tour.tid, tour.lid, s, ready, stop, out, fetch, finished),
                      daemon=True) for s in shares]
    t_conn = time.time()
    for p in ps:
        p.start()
    connected = sum(ready.get(timeout=300)[1] for _ in ps)
    connect_s = time.time() - t_conn
    starts, http_ms = [], []
    for _ in range(trials):
        bid = tour.prepare()
        time.sleep(0.5)
        t0 = time.time()
        tour.confirm(bid)
        http_ms.append((time.time() - t0) * 1000)
        starts.append(t0)
        time.sleep(max(1.0, n / 500))  # let every client receive (bounded)
        if fetch:  # and every client's re-fetch finish (bounded)
            end = time.time() + 120
            while finished.value < connected * len(starts) and time.time() < end:
                time.sleep(0.1)
            time.sleep(0.5)
    time.sleep(1.0)
    stop.set()
    per_client, per_fetch, failures = [], [], []
    for _ in ps:
        times, fetched, failed = out.get(timeout=120)
        per_client += times
        per_fetch += fetched
        failures += failed
    for p in ps:
        p.join(30)

    def latencies(per):
        lat, received = [], [0] * trials
        for times in per:
            for i, t0 in enumerate(starts):
                t1 = starts[i + 1] if i + 1 < trials else float("inf")
                hits = [t for t in times if t0 <= t < t1]
                if hits:
                    lat.append((min(hits) - t0) * 1000)
                    received[i] += 1
        return lat, received
    lat, received = latencies(per_client)
    upd, updated = latencies(per_fetch)
    return {"n": n, "connected": connected, "connect_s": connect_s, "received": received,
            "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat) if lat else float("nan"),
            "http_p50": statistics.median(http_ms), "updated": updated, "upd_p50": pct(upd, 50),
            "upd_p95": pct(upd, 95), "upd_max": max(upd) if upd else float("nan"), "fetch_failures": len(failures),
            "failure_kinds": {k: failures.count(k) for k in sorted(set(map(str, failures)))}}


def capacity(url, path, seconds=5, connections=50):
    """Requests per second one process serves on `path` (wrk, C, keep-alive; None without wrk)."""
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url + path], capture_output=True,
                         text=True, timeout=seconds + 30).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,100,1000,2000")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--procs", type=int, default=4, help="client processes (at most one per 100 clients)")
    ap.add_argument("--fetch", action="store_true", help="clients re-fetch live.json as live.js does")
    ap.add_argument("--configs", default="cache", help="comma-separated: cache, nocache")
    ap.add_argument("--redis", default=None, help="REDIS_URL for the server (default: none, one process)")
    ap.add_argument("--capacity", action="store_true",
                    help="also measure requests/s on live.json and /healthz with wrk (idle server, 50 connections)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    assert max(sizes) <= 5000, "bounded: at most 5,000 clients"
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    assert set(configs) <= {"cache", "nocache"}, configs
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} {platform.machine()}; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    print("command:", " ".join(sys.argv), flush=True)
    for config in configs:
        server = Server(connections=max(sizes) * 2 + 100, cache_seconds=0 if config == "nocache" else None,
                        redis_url=args.redis)
        try:
            tour = Tour(server.url)
            health = []
            for _ in range(30):
                t0 = time.perf_counter()
                urllib.request.urlopen(server.url + "/healthz", timeout=10).read()
                health.append((time.perf_counter() - t0) * 1000)
            print(f"\n{config}: server:", " ".join(server.cmd[1:]),
                  "(PUBLIC_CACHE_SECONDS=0)" if config == "nocache" else "", f"REDIS_URL={args.redis or ''}")
            print(f"baseline GET /healthz (idle server): p50 {statistics.median(health):.1f} ms, "
                  f"p95 {pct(health, 95):.1f} ms")
            if args.capacity:
                json_path = f"/p/{tour.tid}/l/{tour.lid}/live.json?parts=results"
                print(f"capacity (wrk -t1 -c50 -d5s, keep-alive): {json_path} "
                      f"{capacity(server.url, json_path) or float('nan'):.0f} req/s; /healthz "
                      f"{capacity(server.url, '/healthz') or float('nan'):.0f} req/s; "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)
            head = "| clients | connected | connect all | received per trial | p50 | p95 | max | confirm request p50 |"
            rule = "|---:|---:|---:|---|---:|---:|---:|---:|"
            if args.fetch:
                head += " updated per trial | update p50 | update p95 | update max | fetch errors | load |"
                rule += "---|---:|---:|---:|---:|---:|"
            print(head)
            print(rule, flush=True)
            for n in sizes:
                r = run_size(server, tour, n, args.trials, args.procs, args.fetch)
                line = (f"| {n:,} | {r['connected']:,} | {r['connect_s']:.1f} s | {'/'.join(map(str, r['received']))} | "
                        f"{r['p50']:.0f} ms | {r['p95']:.0f} ms | {r['max']:.0f} ms | {r['http_p50']:.0f} ms |")
                if args.fetch:
                    line += (f" {'/'.join(map(str, r['updated']))} | {r['upd_p50']:.0f} ms | {r['upd_p95']:.0f} ms | "
                             f"{r['upd_max']:.0f} ms | {r['fetch_failures']} | {os.getloadavg()[0]:.1f} |")
                print(line, flush=True)
                if args.fetch and r["failure_kinds"]:
                    print(f"  fetch errors at {n:,}: {r['failure_kinds']}", flush=True)
        finally:
            server.close()


if __name__ == "__main__":
    main()
