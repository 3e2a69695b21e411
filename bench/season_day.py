"""Benchmark: a season day. Regional tournaments run at once on one deployment (gunicorn gevent
processes sharing Redis and PostgreSQL, as docs/deploy.md), each with its leagues, rounds drawn,
ballots from phones, confirmations and releases, in overlapping waves, while spectators watch.

Run from the repository root:
    .venv/bin/python bench/season_day.py [--tournaments 20] [--leagues 3] [--teams 20]
        [--spectators 100] [--rounds 2] [--processes 2] [--window 20] [--stagger 3]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/14]

Per tournament (set up through the API: leagues x teams, 1.5 adjudicators per team, a room per
two teams; the draw seats panels of 3), a thread runs --rounds rounds, each:
  draw      POST /rounds/<rid>/draw (timed), then the draw released (timed: "release")
  ballots   every seat's phone POSTs its ballot at a random moment of --window seconds, a real
            HTTP request with retries (same client_id) on network errors and 5xx (timed: "ballot")
  confirm   the tab room confirms each ballot (timed per request: "confirm")
  results   the results released (timed: "release")
Tournaments start --stagger seconds apart, so their rounds overlap. Spectators (python-socketio,
websocket, in client processes) sit on their league's draw page as static/js/live.js does
(the pushed "draw" view in the league's language); "live update" = the release request's start
-> the event carrying the new draw page arriving at a spectator of that league. "public page" =
GET of a league's draw page by a spectator (a few per release, timed).
A sampler records each server process's CPU and RSS, our PostgreSQL backends' CPU and count (by
pg_stat_activity on our scratch database) once a second. At the end the database is checked: every
acknowledged ballot stored exactly once, none unacknowledged lost. Exit status 1 on any error.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.server import (PASSWORD, Gunicorn, create_pg_database, drop_pg_database,  # noqa: E402
                          phone_ballot, prepare_database, server_env)

REGIONS = ["abai", "akmola", "aktobe", "almaty_region", "atyrau", "east_kazakhstan", "jambyl", "jetisu",
           "karaganda", "kostanay", "kyzylorda", "mangystau", "north_kazakhstan", "pavlodar", "turkistan",
           "ulytau", "west_kazakhstan", "astana", "almaty", "shymkent"]
LANGS = ("kk", "ru", "en")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100 * len(v)))] if v else float("nan")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, op, ms):
        with self.lock:
            self.ops.setdefault(op, []).append(ms)

    def error(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


class Director:
    """The director `bench` on the API; each call timed under `op` (if given), refused loudly."""

    def __init__(self, base, stats):
        self.base, self.stats, self.s = base, stats, requests.Session()
        tok = self.s.post(base + "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).json()
        self.s.headers["Authorization"] = f"Bearer {tok['token']}"

    def post(self, path, body=None, op=None):
        t0 = time.perf_counter()
        r = self.s.post(self.base + "/api/v1" + path, json=body if body is not None else {}, timeout=120)
        if op:
            self.stats.add(op, (time.perf_counter() - t0) * 1000)
        if r.status_code not in (200, 201):
            self.stats.error(f"{op or path.split('/')[1]}:{r.status_code}")
            raise RuntimeError((path, r.status_code, r.text[:300]))
        return r.json()


def setup_tournament(base, stats, i, leagues, teams):
    d = Director(base, stats)
    t = d.post("/tournaments", {"name": f"Regional stage {i + 1}", "stage": "regional",
                                "leagues": [{"language": x} for x in LANGS[:leagues]]})
    for lg in t["leagues"]:
        d.post(f"/tournaments/{t['id']}/teams", [
            {"league_id": lg["id"], "name": f"{lg['language']}-{i}-{k}",
             "school": {"name": f"School {i}-{k}", "region": REGIONS[k % len(REGIONS)]},
             "speakers": [{"name": f"S{i}-{k} a"}, {"name": f"S{i}-{k} b"}]} for k in range(teams)])
    n_adj = leagues * teams * 3 // 2
    adjs = d.post(f"/tournaments/{t['id']}/adjudicators",
                  [{"name": f"Adj {i}-{k}", "languages": list(LANGS), "rating": 4 + k % 6} for k in range(n_adj)])
    d.post(f"/tournaments/{t['id']}/rooms", [{"name": f"Room {k}"} for k in range(leagues * teams // 2)])
    return t, {a["id"]: a["private_key"] for a in adjs}


# ----- spectators (a client process each) -----

def spectator_proc(urls, seats, ready, stop, out):
    """seats: [(tid, lid, lang)], one client each, round-robin over the server processes."""
    import aiohttp
    import socketio

    async def main():
        clients, events, failures, pages = [], [], [], []
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

        async def one(i, tid, lid, lang):
            base = urls[i % len(urls)]
            c = socketio.AsyncClient(reconnection=True)

            @c.on("changed")
            async def changed(p):
                events.append((time.time(), tid, lid, p.get("what"), isinstance(p.get("parts"), dict)))
                if i % 25 == 0:  # a few spectators also (re)load the page itself
                    t0 = time.perf_counter()
                    try:
                        async with http.get(f"{base}/p/{tid}/l/{lid}/draw") as r:
                            await r.read()
                            pages.append((time.perf_counter() - t0) * 1000 if r.status == 200 else None)
                    except Exception:
                        pages.append(None)
            try:
                await c.connect(base, transports=["websocket"], wait_timeout=30)
                ack = await c.call("join", {"tournament": tid, "league": lid,
                                            "view": {"parts": ["draw"], "projector": False, "lang": lang}},
                                   timeout=30)
                assert ack["rooms"] == [f"v{lid}:draw"], ack
                clients.append(c)
            except Exception as e:
                failures.append(type(e).__name__)

        sem = asyncio.Semaphore(50)

        async def guarded(i, seat):
            async with sem:
                await one(i, *seat)
        await asyncio.gather(*(guarded(i, seat) for i, seat in enumerate(seats)))
        ready.put(len(clients))
        while not stop.is_set():
            await asyncio.sleep(0.1)
        still = sum(1 for c in clients if c.connected)
        out.put((events, failures, pages, still))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        await http.close()

    asyncio.run(main())


# ----- a tournament's day -----

def phone(base, stats, debate_id, key, window, acked, rng):
    got = phone_ballot(base, debate_id, key, window, rng, stats.error, attempts=6)
    if got:
        stats.add("ballot", got[2] * 1000)
        with stats.lock:
            acked.append(got[:2])


def tournament_day(urls, stats, t, keys, rounds, window, delay, releases, acked_all, seed):
    time.sleep(delay)
    rng = random.Random(seed)
    base = urls[seed % len(urls)]  # the tab room works on one process; phones on any
    d = Director(base, stats)
    lids = [lg["id"] for lg in t["leagues"]]
    for _ in range(rounds):
        rnd = d.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"})
        draw = d.post(f"/rounds/{rnd['id']}/draw", {}, op="draw")
        t0 = time.time()
        d.post(f"/rounds/{rnd['id']}/release", {"draw": True}, op="release")
        releases.append((t0, t["id"], tuple(lids), "draw"))
        acked = []
        threads = [threading.Thread(target=phone, args=(urls[(k + seed) % len(urls)], stats, deb["id"],
                                                        keys[a["id"]], window, acked, random.Random(rng.random())),
                                    daemon=True)
                   for k, (deb, a) in enumerate((deb, a) for deb in draw["debates"] for a in deb["adjudicators"])]
        for th in threads:
            th.start()
        for th in threads:
            th.join(180)
        acked_all.extend(acked)
        for _cid, bid in acked:
            d.post(f"/ballots/{bid}/confirm", op="confirm")
        t0 = time.time()
        d.post(f"/rounds/{rnd['id']}/release", {"results": True}, op="release")
        releases.append((t0, t["id"], tuple(lids), "results"))


# ----- resources -----

def proc_sample(pid):
    """(cpu seconds, rss MB) of one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK"), rss / 1024


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                    out.append(int(d))
            except OSError:
                pass
    return out


class Sampler(threading.Thread):
    def __init__(self, servers, admin_url, dbname):
        super().__init__(daemon=True)
        self.servers, self.admin_url, self.dbname = servers, admin_url, dbname
        self.stop = threading.Event()
        self.first, self.last, self.rss_max, self.db_conns, self.pg_pids = {}, {}, {}, [], set()

    def run(self):
        import psycopg
        con = psycopg.connect(self.admin_url, autocommit=True)
        while not self.stop.wait(1.0):
            procs = {}
            for i, g in enumerate(self.servers):
                for pid in children(g.proc.pid):
                    procs[f"gunicorn {i + 1} worker"] = pid
            rows = con.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.dbname,)).fetchall()
            self.db_conns.append(len(rows))
            self.pg_pids |= {r[0] for r in rows}
            for pid in self.pg_pids:
                procs[f"pg {pid}"] = pid
            for name, pid in procs.items():
                s = proc_sample(pid)
                if s is None:
                    continue
                self.first.setdefault(name, s)
                self.last[name] = s
                self.rss_max[name] = max(self.rss_max.get(name, 0), s[1])
        con.close()

    def cpu(self, name):
        return self.last[name][0] - self.first[name][0] if name in self.last else float("nan")


def db_check(url, tids):
    import psycopg
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as con:
        rows = con.execute("SELECT b.client_id FROM ballots b JOIN debates d ON d.id = b.debate_id "
                           "JOIN rounds r ON r.id = d.round_id WHERE r.tournament_id = ANY(%s)", (list(tids),)).fetchall()
        unconfirmed = con.execute("SELECT COUNT(*) FROM debates d JOIN rounds r ON r.id = d.round_id "
                                  "WHERE r.tournament_id = ANY(%s) AND d.confirmed_at IS NULL", (list(tids),)).fetchone()[0]
    return [r[0] for r in rows], unconfirmed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tournaments", type=int, default=20)
    ap.add_argument("--leagues", type=int, default=3, choices=(1, 2, 3))
    ap.add_argument("--teams", type=int, default=20, help="per league (even)")
    ap.add_argument("--spectators", type=int, default=100, help="per tournament")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--window", type=float, default=20.0, help="seconds over which a round's ballots arrive")
    ap.add_argument("--stagger", type=float, default=3.0, help="seconds between tournaments' starts")
    ap.add_argument("--client-procs", type=int, default=2)
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = ap.parse_args()
    assert args.tournaments <= 40 and args.spectators * args.tournaments <= 4000 and args.rounds <= 5, "bounded"
    print(f"machine: nproc={os.cpu_count()} python={platform.python_version()} {platform.machine()}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")
    print("command:", " ".join(sys.argv), flush=True)
    instance = tempfile.mkdtemp(prefix="bench-season-")
    dbname = f"bench_season_{os.getpid()}"
    url = create_pg_database(args.pg_url, dbname)
    stats = Stats()
    servers, spect, sampler = [], [], None
    failed = False
    try:
        prepare_database(url, instance)
        env = server_env(INSTANCE_PATH=instance, SECRET_KEY=f"bench-season-{uuid.uuid4()}", DATABASE_URL=url,
                         REDIS_URL=args.redis, SOCKETIO_CHANNEL=f"bench-season-{uuid.uuid4().hex[:8]}")
        for i in range(args.processes):
            os.makedirs(Path(instance) / str(i), exist_ok=True)
            servers.append(Gunicorn(str(Path(instance) / str(i)), env, connections=3000))
        urls = [g.url for g in servers]
        print("server:", args.processes, "x", " ".join(servers[0].cmd[2:]), "+ PostgreSQL + Redis", flush=True)
        t_setup = time.time()
        tours = [setup_tournament(urls[i % len(urls)], stats, i, args.leagues, args.teams)
                 for i in range(args.tournaments)]
        print(f"set-up: {args.tournaments} tournaments in {time.time() - t_setup:.0f} s", flush=True)

        seats = [(t["id"], lg["id"], lg["language"]) for t, _k in tours
                 for j in range(args.spectators) for lg in [t["leagues"][j % len(t["leagues"])]]]
        ctx = mp.get_context("spawn")
        ready, out, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        k = max(1, min(args.client_procs, len(seats) // 100 or 1))
        spect = [ctx.Process(target=spectator_proc, args=(urls, seats[i::k], ready, stop, out), daemon=True)
                 for i in range(k)]
        t_conn = time.time()
        for p in spect:
            p.start()
        connected = sum(ready.get(timeout=600) for _ in spect)
        print(f"spectators: {connected:,}/{len(seats):,} connected in {time.time() - t_conn:.0f} s", flush=True)

        sampler = Sampler(servers, args.pg_url, dbname)
        sampler.start()
        releases, acked = [], []
        t_day = time.time()
        threads = [threading.Thread(target=tournament_day, daemon=True,
                                    args=(urls, stats, t, keys, args.rounds, args.window, i * args.stagger,
                                          releases, acked, i))
                   for i, (t, keys) in enumerate(tours)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(1800)
        day_s = time.time() - t_day
        time.sleep(3)
        sampler.stop.set()
        sampler.join(10)
        stop.set()
        events, conn_failures, pages, still = [], [], [], 0
        for _ in spect:
            e, f, pg, st = out.get(timeout=120)
            events += e
            conn_failures += f
            pages += pg
            still += st
        for p in spect:
            p.join(30)

        # Live updates: per release, per spectator of its leagues, the first event carrying parts.
        by_league = {}
        for tid, lid, _lang in seats:
            by_league[lid] = by_league.get(lid, 0) + 1
        ev_by = {}
        for e in events:
            ev_by.setdefault(e[2], []).append(e)
        for v in ev_by.values():
            v.sort()
        live, missed, without_parts = [], 0, 0
        rel_by_league = {}
        for t0, tid, lids, kind in releases:
            for lid in lids:
                rel_by_league.setdefault(lid, []).append(t0)
        for lid, starts in rel_by_league.items():
            starts.sort()
            evs = ev_by.get(lid, [])
            for j, t0 in enumerate(starts):
                t1 = starts[j + 1] if j + 1 < len(starts) else float("inf")
                got = [e for e in evs if t0 <= e[0] < t1]
                # each spectator: we cannot tell clients apart in the aggregate; count events per release
                n_expected = by_league.get(lid, 0)
                first = got[:n_expected]
                live += [(e[0] - t0) * 1000 for e in first]
                without_parts += sum(1 for e in first if not e[4])
                missed += max(0, n_expected - len(got))
        stats.ops["live update"] = live
        stats.ops["public page"] = [p for p in pages if p is not None]
        if any(p is None for p in pages):
            stats.errors["public page"] = sum(1 for p in pages if p is None)

        cids, unconfirmed = db_check(url, [t["id"] for t, _ in tours])
        counts = {}
        for c in cids:
            counts[c] = counts.get(c, 0) + 1
        lost = sum(1 for c, _b in acked if c not in counts)
        dup = sum(n - 1 for n in counts.values())
        seats_total = sum(len(t["leagues"]) * args.teams // 2 * 3 for t, _ in tours) * args.rounds

        print(f"\nday: {day_s:.0f} s; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
        print("| operation | count | p50 | p95 | max | goal |")
        print("|---|---:|---:|---:|---:|---|")
        goals = {"ballot": "p95 < 100 ms", "draw": "each < 1 s", "live update": "p95 < 1 s"}
        for op in ("draw", "release", "ballot", "confirm", "public page", "live update"):
            v = stats.ops.get(op, [])
            print(f"| {op} | {len(v):,} | {pct(v, 50):.0f} ms | {pct(v, 95):.0f} ms | "
                  f"{max(v, default=float('nan')):.0f} ms | {goals.get(op, '')} |")
        print(f"\nballots: {len(acked):,} acknowledged of {seats_total:,} seats, {len(cids):,} stored, {lost} lost, "
              f"{dup} duplicated; unconfirmed debates {unconfirmed}")
        print(f"spectators: {connected:,} connected, {still:,} still connected at the end, "
              f"{len(conn_failures)} connect failures; live updates missed {missed}, without parts {without_parts}")
        print(f"errors: {stats.errors or 'none'}")
        print("| process | CPU seconds (share of the day) | max RSS |")
        print("|---|---:|---:|")
        pg_cpu = sum(sampler.cpu(n) for n in sampler.last if n.startswith("pg "))
        for name in sorted(n for n in sampler.last if not n.startswith("pg ")):
            print(f"| {name} | {sampler.cpu(name):.0f} s ({sampler.cpu(name) / day_s:.0%}) | "
                  f"{sampler.rss_max[name]:.0f} MB |")
        print(f"| PostgreSQL backends of this database ({len(sampler.pg_pids)}) | {pg_cpu:.0f} s "
              f"({pg_cpu / day_s:.0%}) | {max((v for n, v in sampler.rss_max.items() if n.startswith('pg ')), default=0):.0f} MB each at most |")
        print(f"database connections: max {max(sampler.db_conns, default=0)}, "
              f"median {pct(sampler.db_conns, 50)}")
        failed = bool(stats.errors or lost or dup or unconfirmed or missed or conn_failures)
    finally:
        if sampler is not None:
            sampler.stop.set()
        for p in spect:
            if p.is_alive():
                p.terminate()
        for g in servers:
            g.stop()
        drop_pg_database(args.pg_url, dbname)
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
