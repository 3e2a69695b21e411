"""Benchmark: a tournament day's round end. 90 adjudicators submit their ballots within a few
seconds while 1,000 spectators are connected over Socket.IO; the tab room then confirms every
ballot and releases the results, and every spectator, told by a push event, fetches the public
JSON at once (the thundering herd). Against gunicorn (gevent) + PostgreSQL + Redis, loopback only.

Run from the repository root:
    .venv/bin/python bench/tournament_day.py [--spectators 1000] [--workers 1]
        [--runs nocache,cache,cache+jitter]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/7]

--runs repeats the whole day on a fresh database and server for each configuration, so the
baseline is measured in the same run: "nocache" (PUBLIC_CACHE_SECONDS=0: every live.json
rendered from the database, as before debate/live/cache.py), "cache" (the default cache), and
"+jitter" (each spectator waits 80-480 ms before fetching, as static/js/live.js does; without it
all fetch at the same instant, the worst case).

Set-up (through the API): 3 leagues x 20 teams (60 teams), 90 adjudicators, 30 rooms, one
round drawn with panels of 3 (90 seats) and released. Spectators (python-socketio AsyncClient,
websocket transport, one event loop) connect in batches of 50 and `join` their league's room.
Phases, each timed:
  ballots   90 threads, one per adjudicator, each POST /api/v1/ballots once at a random moment
            in a 5 s window (their phones at the end of the debate), retrying on network errors
            and 5xx with the same client_id (bench/server.py phone_ballot).
  confirm   the tab room confirms the 90 ballots (API) and releases the results.
  herd      each spectator, on its "changed" event, GETs /p/<tid>/l/<lid>/live.json?parts=results
            (after the live.js delay with +jitter). "update" = release -> that spectator has the
            new results (push + delay + fetch).
Then the database is checked: one ballot per acknowledged client_id, 90 in all, each with its
four marks; every debate confirmed. Errors are counted and printed; the exit status is 1 if any.
Bounded: at most --spectators sockets, 90 ballots, and a --timeout for every phase.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.server import (Gunicorn, create_pg_database, director_api, drop_pg_database,  # noqa: E402
                          phone_ballot, prepare_database, server_env)


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * len(v)))] * 1000 if v else float("nan")


def start_server(url, redis_url, instance, workers, cache_seconds):
    env = server_env(INSTANCE_PATH=instance, SECRET_KEY=f"bench-day-{uuid.uuid4()}", DATABASE_URL=url,
                     REDIS_URL=redis_url, PUBLIC_CACHE_SECONDS=str(cache_seconds))
    return Gunicorn(instance, env, workers=workers, connections=3000)


def setup(base):
    s, post = director_api(base, timeout=300)
    t = post("/tournaments", {"name": "Республикалық кезең", "stage": "republican",
                              "leagues": [{"language": x} for x in ("kk", "ru", "en")]})
    regions = ["abai", "akmola", "aktobe", "almaty_region", "atyrau", "east_kazakhstan", "jambyl", "jetisu",
               "karaganda", "kostanay", "kyzylorda", "mangystau", "north_kazakhstan", "pavlodar", "turkistan",
               "ulytau", "west_kazakhstan", "astana", "almaty", "shymkent"]
    for lg in t["leagues"]:
        post(f"/tournaments/{t['id']}/teams", [
            {"league_id": lg["id"], "name": f"{lg['language']}-{r}", "school": {"name": f"Мектеп {r}", "region": r},
             "speakers": [{"name": f"{r} a"}, {"name": f"{r} b"}]} for r in regions])
    adjs = post(f"/tournaments/{t['id']}/adjudicators",
                [{"name": f"Төреші {i}", "languages": ["kk", "ru", "en"], "rating": 4 + i % 6} for i in range(90)])
    keys = {a["id"]: a["private_key"] for a in adjs}
    post(f"/tournaments/{t['id']}/rooms", [{"name": f"Аудитория {i}"} for i in range(30)])
    rnd = post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"})
    draw = post(f"/rounds/{rnd['id']}/draw", {})
    post(f"/rounds/{rnd['id']}/release", {"draw": True})
    seats = [(d["id"], keys[a["id"]]) for d in draw["debates"] for a in d["adjudicators"]]
    return t, rnd, seats, s


# ----------------------------------------------------------------------------- spectators

async def spectators(base, t, n, events, stop, ready, errors, herd, jitter):
    import aiohttp
    import socketio
    leagues = [lg["id"] for lg in t["leagues"]]
    clients = []
    connect_lat = []
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def one(i):
        lid = leagues[i % len(leagues)]
        c = socketio.AsyncClient(reconnection=True)

        @c.on("changed")
        async def changed(payload):
            events.append((time.perf_counter(), i, payload.get("what")))
            # A spectator is in its tournament's and its league's room: one fetch per release.
            if payload.get("what") == "release" and herd.get("armed") and i not in herd["fetched"]:
                herd["fetched"].add(i)
                if jitter:  # static/js/live.js: 80 ms + up to 400 ms at random
                    await asyncio.sleep(0.08 + random.random() * 0.4)
                t0 = time.perf_counter()
                try:
                    async with http.get(f"{base}/p/{t['id']}/l/{lid}/live.json?parts=results",
                                        timeout=aiohttp.ClientTimeout(total=60)) as r:
                        await r.read()
                        herd["lat"].append(time.perf_counter() - t0)
                        herd["done"].append(time.perf_counter())
                        if r.status != 200:
                            errors[f"herd:{r.status}"] = errors.get(f"herd:{r.status}", 0) + 1
                except Exception as e:  # noqa: BLE001
                    errors[f"herd:{type(e).__name__}"] = errors.get(f"herd:{type(e).__name__}", 0) + 1

        t0 = time.perf_counter()
        try:
            await c.connect(base, transports=["websocket"], wait_timeout=30)
            ack = await c.call("join", {"tournament": t["id"], "league": lid}, timeout=30)
            assert f"l{lid}" in ack["rooms"], ack
            connect_lat.append(time.perf_counter() - t0)
            clients.append(c)
        except Exception as e:  # noqa: BLE001
            errors[f"connect:{type(e).__name__}"] = errors.get(f"connect:{type(e).__name__}", 0) + 1

    t0 = time.perf_counter()
    for start in range(0, n, 50):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 50))))
    ready["connected"] = len(clients)
    ready["connect_s"] = time.perf_counter() - t0
    ready["connect_p50"], ready["connect_p95"] = pct(connect_lat, 0.5), pct(connect_lat, 0.95)
    ready["event"].set()
    while not stop.is_set():
        await asyncio.sleep(0.2)
    ready["still_connected"] = sum(1 for c in clients if c.connected)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    await http.close()


# -------------------------------------------------------------------------------- ballots

def adjudicators(base, seats, window, errors, acked, lock):
    def error(what):
        with lock:
            errors[what] = errors.get(what, 0) + 1

    def phone(debate_id, key, rng):
        got = phone_ballot(base, debate_id, key, window, rng, error)
        if got:
            with lock:
                acked.append(got)

    threads = [threading.Thread(target=phone, args=(d, k, random.Random(i)), daemon=True)
               for i, (d, k) in enumerate(seats)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return time.perf_counter() - t0


def db_check(url, tid):
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as con:
        rows = con.execute("SELECT b.client_id, b.scores FROM ballots b JOIN debates d ON d.id = b.debate_id "
                           "JOIN rounds r ON r.id = d.round_id WHERE r.tournament_id = %s", (tid,)).fetchall()
        unconfirmed = con.execute("SELECT COUNT(*) FROM debates d JOIN rounds r ON r.id = d.round_id "
                                  "WHERE r.tournament_id = %s AND d.confirmed_at IS NULL", (tid,)).fetchone()[0]
    return rows, unconfirmed


def run_day(args, cache_seconds, jitter):
    instance = tempfile.mkdtemp(prefix="bench-day-")
    pg_db = f"bench_day_{os.getpid()}"
    url = create_pg_database(args.pg_url, pg_db)
    server = None
    errors, acked, lock = {}, [], threading.Lock()
    out = {}
    try:
        prepare_database(url, instance)
        server = start_server(url, args.redis, instance, args.workers, cache_seconds)
        t, rnd, seats, staff = setup(server.url)
        assert len(seats) == 90, len(seats)

        events, herd = [], {"armed": False, "lat": [], "done": [], "fetched": set()}
        stop = asyncio.Event()
        ready = {"event": threading.Event()}
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()

        def run_loop():
            asyncio.set_event_loop(loop)
            loop.set_exception_handler(lambda _loop, _ctx: None)  # pending socket tasks at shutdown
            loop.run_until_complete(spectators(server.url, t, args.spectators, events, stop, ready, errors, herd,
                                               jitter))

        spect = threading.Thread(target=run_loop, daemon=True)
        spect.start()
        if not ready["event"].wait(300):
            raise RuntimeError("spectators did not connect in 300 s")
        out["connected"] = ready["connected"]
        out["connect_s"] = ready["connect_s"]
        out["connect_p50"], out["connect_p95"] = ready["connect_p50"], ready["connect_p95"]
        hz = [requests.get(server.url + "/healthz", timeout=10).elapsed.total_seconds() for _ in range(20)]
        out["healthz_p50_connected"] = pct(hz, 0.5)

        out["ballots_s"] = adjudicators(server.url, seats, args.window, errors, acked, lock)
        lat = [x[2] for x in acked]
        out["ballot_p50"], out["ballot_p95"], out["ballot_max"] = pct(lat, .5), pct(lat, .95), pct(lat, 1.0)

        t0 = time.perf_counter()
        for _cid, bid, _l in acked:
            r = staff.post(f"{server.url}/api/v1/ballots/{bid}/confirm", timeout=60)
            if r.status_code != 200:
                errors[f"confirm:{r.status_code}"] = errors.get(f"confirm:{r.status_code}", 0) + 1
        out["confirm_s"] = time.perf_counter() - t0
        herd["armed"] = True
        n_before = len(events)
        t_release = time.perf_counter()
        r = staff.post(f"{server.url}/api/v1/rounds/{rnd['id']}/release", json={"results": True}, timeout=60)
        if r.status_code != 200:
            errors[f"release:{r.status_code}"] = errors.get(f"release:{r.status_code}", 0) + 1
        deadline = time.perf_counter() + 60
        while len(herd["lat"]) + sum(v for k, v in errors.items() if k.startswith("herd")) < out["connected"] \
                and time.perf_counter() < deadline:
            time.sleep(0.1)
        first = {}
        for e in events[n_before:]:
            if e[2] == "release":
                first.setdefault(e[1], e)
        release_events = list(first.values())  # the first push each spectator got
        delays = [e[0] - t_release for e in release_events]
        out["spectators_told"] = len(release_events)
        out["event_p50"], out["event_p95"], out["event_max"] = pct(delays, .5), pct(delays, .95), pct(delays, 1.0)
        out["herd_done"] = len(herd["lat"])
        out["herd_s"] = time.perf_counter() - t_release
        out["herd_p50"], out["herd_p95"] = pct(herd["lat"], .5), pct(herd["lat"], .95)
        upd = [x - t_release for x in herd["done"]]
        out["update_p50"], out["update_p95"], out["update_max"] = pct(upd, .5), pct(upd, .95), pct(upd, 1.0)
        loop.call_soon_threadsafe(stop.set)
        spect.join(60)
        out["still_connected"] = ready.get("still_connected")

        rows, unconfirmed = db_check(url, t["id"])
        stored = {}
        half = 0
        for cid, scores in rows:
            stored[cid] = stored.get(cid, 0) + 1
            scores = json.loads(scores) if isinstance(scores, str) else scores
            half += sorted(scores or {}) != ["LO", "MG", "MO", "PM"]
        out["acked"] = len(acked)
        out["stored"] = len(rows)
        out["lost"] = sum(1 for cid, _b, _l in acked if cid not in stored)
        out["duplicates"] = sum(n - 1 for n in stored.values())
        out["half_written"] = half
        out["unconfirmed_debates"] = unconfirmed
    finally:
        if server:
            server.stop()
        drop_pg_database(args.pg_url, pg_db)
        shutil.rmtree(instance, ignore_errors=True)

    bad = errors or out["lost"] or out["duplicates"] or out["half_written"] or out["acked"] != 90 \
        or out["connected"] != args.spectators or out["unconfirmed_debates"]
    return out, errors, bool(bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spectators", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--window", type=float, default=5.0, help="seconds over which the 90 ballots arrive")
    ap.add_argument("--runs", default="nocache,cache,cache+jitter",
                    help="comma-separated: nocache | cache, each optionally +jitter")
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    args = ap.parse_args()
    args.spectators = min(args.spectators, 2000)  # bounded
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    assert all(r.split("+")[0] in ("nocache", "cache") for r in runs) and len(runs) <= 6, runs

    print(f"machine: nproc={os.cpu_count()} {platform.python_implementation()} {platform.python_version()} "
          f"{platform.machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    print(f"command: {' '.join(sys.argv)}", flush=True)
    results, failed = {}, False
    for name in runs:
        cache_seconds = 0 if name.startswith("nocache") else 10
        out, errors, bad = run_day(args, cache_seconds, "+jitter" in name)
        out["errors"] = errors or 0
        out["load_after"] = os.getloadavg()[0]
        results[name] = out
        failed = failed or bad
        print(f"  {name}: done (load average {out['load_after']:.1f})", flush=True)
    keys = list(next(iter(results.values())))
    print("| measure | " + " | ".join(runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for k in keys:
        cells = [f"{results[r][k]:.1f}" if isinstance(results[r][k], float) else str(results[r][k]) for r in runs]
        print(f"| {k} | " + " | ".join(cells) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
