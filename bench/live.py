"""Benchmark: how fast a release reaches N concurrent Socket.IO spectators' pages.

Run from the repository root:
    .venv/bin/python bench/live.py [--sizes 1,100,1000,2000] [--trials 4] [--mode push|fetch]
        [--processes 2 --redis redis://127.0.0.1:6379/15] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

gunicorn (gevent worker, exactly as docs/deploy.md; --processes of them sharing --redis, and
--pg: a scratch PostgreSQL database instead of SQLite) serves a fresh demo on free loopback
ports. N python-socketio AsyncClients (websocket transport, spread over a few client processes
and round-robin over the server processes) join a league's public draw page as static/js/live.js
does. Trials alternate: "draw" (the round's draw is taken back, then the clock starts just
before the request that releases it again) and "result" (all ballots of a debate submitted, the
clock starts just before the request that confirms the deciding one; results are released, so
the draw page shows the winner).

Per client and trial: "event" = the first "changed" event after the start; "shown" = the page
has the new content: --mode push (today's live.js): the event carries the draw page's parts, so
shown = the event's arrival; if it came without them (too large, or another view), the client
GETs live.json at once and shown = that answer. --mode fetch (the live.js before issue 23): every
client waits 80-480 ms at random and GETs live.json. Reported: p50/p95/max over all clients and
trials of each, per kind (and "first shown": the earliest client, i.e. the release and the
render before any socket is written; the rest of p95 is the broadcast and the clients), the
releasing request's own time, and, in the same run with the same clients connected, a /healthz herd: every client GETs /healthz at the same instant (the cost of
N requests at once, whatever they ask). Also the RSS of each server process with N sockets.
Loopback only; every wait is bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import queue
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
from bench.server import PASSWORD, Gunicorn, create_pg_database, drop_pg_database, server_env  # noqa: E402


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

def client_proc(urls, offset, tid, lid, lang, n, ready, stop, out, mode, cmds, herd_out):
    """n AsyncClients on the server processes `urls` (round-robin from `offset`); puts ("ready",
    connected) once joined; runs /healthz herds when told; after stop puts per client the list
    of (event time, shown time)."""
    import random

    import aiohttp
    import socketio

    async def main():
        clients, records, failures = [], [], []
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

        async def fetch_shown(base, rec, delay):
            if delay:
                await asyncio.sleep(0.08 + random.random() * 0.4)  # the old live.js spread
            try:
                async with http.get(f"{base}/p/{tid}/l/{lid}/live.json?parts=draw",
                                    timeout=aiohttp.ClientTimeout(total=60)) as r:
                    await r.read()
                    if r.status == 200:
                        rec[1] = time.time()
                    else:
                        failures.append(r.status)
            except Exception as e:  # counted
                failures.append(type(e).__name__)

        async def one(i):
            base = urls[(offset + i) % len(urls)]
            c = socketio.AsyncClient(reconnection=False)
            mine = []
            records.append(mine)

            @c.on("changed")
            async def changed(p):
                rec = [time.time(), None]
                mine.append(rec)
                parts = p.get("parts") if mode == "push" else None
                if isinstance(parts, dict) and "draw" in parts:
                    rec[1] = time.time()  # the page shows it: nothing to ask
                else:
                    asyncio.ensure_future(fetch_shown(base, rec, mode == "fetch"))
            await c.connect(base, transports=["websocket"], wait_timeout=30)
            join = {"tournament": tid, "league": lid}
            if mode == "push":
                join["view"] = {"parts": ["draw"], "projector": False, "lang": lang}
            ack = await c.call("join", join, timeout=30)
            if mode == "push":
                assert ack["rooms"] == [f"v{lid}:draw"], ack
            clients.append(c)

        async def herd(at):
            await asyncio.sleep(max(0.0, at - time.time()))

            async def get(i):
                try:
                    async with http.get(urls[(offset + i) % len(urls)] + "/healthz",
                                        timeout=aiohttp.ClientTimeout(total=60)) as r:
                        await r.read()
                        return (time.time() - at) * 1000 if r.status == 200 else None
                except Exception:
                    return None
            herd_out.put(await asyncio.gather(*(get(i) for i in range(len(clients)))))

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
            try:
                cmd = cmds.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            await herd(cmd[1])
        out.put(([[tuple(r) for r in mine] for mine in records], failures))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        await http.close()

    asyncio.run(main())


# ----- the server and the tournament -----

def rss_mb(pid):
    """Resident memory (MB) of a process and its children (a gunicorn master and its worker)."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
            if int(d) != pid and int(stat[1]) != pid:
                continue
            for line in Path(f"/proc/{d}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Server:
    """A fresh demo (flask db upgrade, debate demo) on SQLite in a temp dir, or on a scratch
    PostgreSQL database (pg = the admin URL), served by `processes` gunicorn gevent processes,
    each started as docs/deploy.md says (with redis_url shared by all)."""

    def __init__(self, connections, cache_seconds=None, redis_url=None, processes=1, pg=None):
        self.dir = tempfile.mkdtemp(prefix="debate-bench-live-")
        self.pg, self.pg_name = pg, f"bench_live_{uuid.uuid4().hex[:8]}"
        db_url = create_pg_database(pg, self.pg_name) if pg else None
        self.env = server_env(INSTANCE_PATH=self.dir, SECRET_KEY=f"bench-{uuid.uuid4()}", DATABASE_URL=db_url,
                              REDIS_URL=None, SOCKETIO_CHANNEL=f"bench-live-{uuid.uuid4().hex[:8]}")
        if cache_seconds is not None:
            self.env["PUBLIC_CACHE_SECONDS"] = str(cache_seconds)
        for args in (("db", "upgrade"), ("debate", "demo", "--password", PASSWORD)):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=300)
        if redis_url:  # the Socket.IO queue and the public cache's version, as with several processes
            self.env["REDIS_URL"] = redis_url
        assert processes == 1 or redis_url, "several processes need --redis (docs/deploy.md)"
        self.procs = []
        try:
            for i in range(processes):
                os.makedirs(Path(self.dir) / str(i), exist_ok=True)
                self.procs.append(Gunicorn(str(Path(self.dir) / str(i)), self.env, connections=connections,
                                           backlog=None, log_level=None))
        except Exception:
            self.close()
            raise
        self.urls = [g.url for g in self.procs]
        self.url, self.cmd = self.urls[0], self.procs[0].cmd

    def rss(self):
        return [rss_mb(g.proc.pid) for g in self.procs]

    def close(self):
        for g in self.procs:
            g.stop()
        if self.pg:
            drop_pg_database(self.pg, self.pg_name)
        shutil.rmtree(self.dir, ignore_errors=True)


class Tour:
    def __init__(self, url):
        self.url = url
        self.token = call(url, "POST", "/api/v1/auth/token", {"username": "demo", "password": PASSWORD})["token"]
        t = call(url, "GET", "/api/v1/tournaments", token=self.token)[0]
        self.tid = t["id"]
        adjs = call(url, "GET", f"/api/v1/tournaments/{self.tid}/adjudicators", token=self.token)
        self.keys = {a["id"]: a["private_key"] for a in adjs}
        rnd = call(url, "POST", f"/api/v1/tournaments/{self.tid}/rounds", {"kind": "prelim"}, token=self.token)
        self.rid = rnd["id"]
        self.draw = call(url, "POST", f"/api/v1/rounds/{rnd['id']}/draw", token=self.token)
        # Results released from the start: each confirmed result is public at once (as in the hall).
        call(url, "POST", f"/api/v1/rounds/{rnd['id']}/release", {"draw": True, "results": True}, token=self.token)
        self.lid = self.draw["debates"][0]["league_id"]
        league = next((lg for lg in t.get("leagues", []) if lg["id"] == self.lid), None)
        self.lang = league["language"] if league else None
        # This league's debates only: its draw page shows each result.
        self.pending = [d for d in self.draw["debates"] if d["league_id"] == self.lid]

    def prepare(self, kind):
        """Everything but the timed request; returns that request as (method, path, body)."""
        if kind == "draw":
            call(self.url, "POST", f"/api/v1/rounds/{self.rid}/release", {"draw": False, "league_id": self.lid},
                 token=self.token)
            return "POST", f"/api/v1/rounds/{self.rid}/release", {"draw": True, "league_id": self.lid}
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
        return "POST", f"/api/v1/ballots/{ids[-1]}/confirm", None


def run_size(server, tour, n, trials, procs, mode):
    ctx = mp.get_context("spawn")
    ready, out, stop, herd_out = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Queue()
    k = max(1, min(procs, n // 100 or 1))
    shares = [n // k + (1 if i < n % k else 0) for i in range(k)]
    offsets = [sum(shares[:i]) for i in range(k)]
    cmds = [ctx.Queue() for _ in range(k)]
    ps = [ctx.Process(target=client_proc, args=(server.urls, off, tour.tid, tour.lid, tour.lang, sh, ready, stop,
                                                out, mode, cq, herd_out), daemon=True)
          for sh, off, cq in zip(shares, offsets, cmds)]
    t_conn = time.time()
    for p in ps:
        p.start()
    connected = sum(ready.get(timeout=600)[1] for _ in ps)
    connect_s = time.time() - t_conn
    rss = server.rss()
    time.sleep(1.0)
    # The /healthz herd: every client at the same instant (same clients, same run).
    at = time.time() + 1.0
    for cq in cmds:
        cq.put(("healthz", at))
    herd = [v for _ in ps for v in herd_out.get(timeout=300)]
    herd_ok = [v for v in herd if v is not None]
    time.sleep(1.0)
    starts, kinds, http_ms = [], [], []
    for i in range(trials):
        kind = ("draw", "result")[i % 2]
        method, path, body = tour.prepare(kind)
        time.sleep(max(1.0, n / 1000))  # the preparation's events arrive and settle
        t0 = time.time()
        call(server.url, method, path, body, token=tour.token)
        http_ms.append((time.time() - t0) * 1000)
        starts.append(t0)
        kinds.append(kind)
        time.sleep(max(1.5, n / 500))  # let every client see it (bounded)
    time.sleep(1.0)
    stop.set()
    per_client, failures = [], []
    for _ in ps:
        recs, failed = out.get(timeout=120)
        per_client += recs
        failures += failed
    for p in ps:
        p.join(30)
    res = {"n": n, "connected": connected, "connect_s": connect_s, "rss": rss, "herd_p50": pct(herd_ok, 50),
           "herd_p95": pct(herd_ok, 95), "herd_max": max(herd_ok, default=float("nan")),
           "herd_failed": len(herd) - len(herd_ok), "failures": len(failures), "by_kind": {}}
    for kind in ("draw", "result"):
        ev, shown, got = [], [], []
        for i, t0 in enumerate(starts):
            if kinds[i] != kind:
                continue
            t1 = starts[i + 1] if i + 1 < len(starts) else float("inf")
            count = 0
            for recs in per_client:
                hits = [r for r in recs if t0 <= r[0] < t1]
                if hits:
                    first = min(hits)
                    ev.append((first[0] - t0) * 1000)
                    if first[1] is not None:
                        shown.append((first[1] - t0) * 1000)
                        count += 1
            got.append(count)
        res["by_kind"][kind] = {"shown_by": got, "ev": ev, "shown": shown,
                                "http": [h for h, k_ in zip(http_ms, kinds) if k_ == kind]}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,100,1000,2000")
    ap.add_argument("--trials", type=int, default=4, help="alternating draw and result releases")
    ap.add_argument("--procs", type=int, default=4, help="client processes (at most one per 100 clients)")
    ap.add_argument("--mode", default="push", choices=("push", "fetch"),
                    help="push: the event carries the page's parts (live.js now); fetch: every client re-fetches "
                         "after a random 80-480 ms (live.js before issue 23)")
    ap.add_argument("--processes", type=int, default=1, help="gunicorn processes (more than one needs --redis)")
    ap.add_argument("--redis", default=None, help="REDIS_URL for the servers (default: none, one process)")
    ap.add_argument("--pg", default=None, help="PostgreSQL admin URL: a scratch database instead of SQLite")
    ap.add_argument("--cache-seconds", type=float, default=None, help="PUBLIC_CACHE_SECONDS (0: no cache)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    assert max(sizes) <= 5000, "bounded: at most 5,000 clients"
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} {platform.machine()}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")
    print("command:", " ".join(sys.argv), flush=True)
    server = Server(connections=max(sizes) * 2 + 100, cache_seconds=args.cache_seconds, redis_url=args.redis,
                    processes=args.processes, pg=args.pg)
    try:
        tour = Tour(server.url)
        health = []
        for _ in range(30):
            t0 = time.perf_counter()
            urllib.request.urlopen(server.url + "/healthz", timeout=10).read()
            health.append((time.perf_counter() - t0) * 1000)
        print(f"server: {args.processes} x", " ".join(server.cmd[1:]), f"REDIS_URL={args.redis or ''}",
              f"database={'PostgreSQL' if args.pg else 'SQLite'}; mode={args.mode}")
        print(f"baseline GET /healthz, one at a time: p50 {statistics.median(health):.1f} ms, "
              f"p95 {pct(health, 95):.1f} ms")
        print("| clients | kind | shown by (per trial) | first shown | shown p50 | p95 | max | event alone p50 | p95 | max | "
              "releasing request | /healthz herd p50 | p95 | max | shown p95 / herd p95 | RSS per process | load |")
        print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|", flush=True)
        for n in sizes:
            r = run_size(server, tour, n, args.trials, args.procs, args.mode)
            for kind, k in r["by_kind"].items():
                if not k["http"]:
                    continue
                ratio = pct(k["shown"], 95) / r["herd_p95"] if r["herd_p95"] == r["herd_p95"] else float("nan")
                print(f"| {n:,} ({r['connected']:,} connected, {r['connect_s']:.0f} s) | {kind} | "
                      f"{'/'.join(map(str, k['shown_by']))} | {min(k['shown'], default=float('nan')):.0f} ms | "
                      f"{pct(k['shown'], 50):.0f} ms | "
                      f"{pct(k['shown'], 95):.0f} ms | {max(k['shown'], default=float('nan')):.0f} ms | "
                      f"{pct(k['ev'], 50):.0f} ms | {pct(k['ev'], 95):.0f} ms | {max(k['ev'], default=float('nan')):.0f} ms | "
                      f"{statistics.median(k['http']):.0f} ms | {r['herd_p50']:.0f} ms | {r['herd_p95']:.0f} ms | "
                      f"{r['herd_max']:.0f} ms | {ratio:.2f} | {' + '.join(f'{m:.0f} MB' for m in r['rss'])} | "
                      f"{os.getloadavg()[0]:.1f} |", flush=True)
            if r["failures"] or r["herd_failed"]:
                print(f"  at {n:,}: {r['failures']} failed fetches, {r['herd_failed']} failed /healthz", flush=True)
    finally:
        server.close()


if __name__ == "__main__":
    main()
