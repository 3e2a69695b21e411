"""Check docs/deploy.md by doing what it says: several processes on one machine.

Run from the repository root:
    .venv/bin/python bench/deploy_check.py [--sockets 2000] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

The commands are read from docs/deploy.md itself, not copied here: its Redis line
(`redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no`, on a free port instead of
6379 so a Redis already running is left alone) and its two `REDIS_URL=... gunicorn ...` lines
(on free ports instead of 5001/5002), with one SECRET_KEY and one database (SQLite file in WAL
mode, or --pg: a scratch PostgreSQL database), as the document requires. Then:
  processes  both gunicorn processes are up and still answer after a few seconds (each has no
             control socket: --no-control-socket), their masters' command lines are the document's
  live       --sockets Socket.IO clients, half on each process, half on the draw page's pushed
             view, half in the plain league room; the draw released through process A reaches
             every client on A and B; pushed events carry exactly what B's live.json answers
  ballot     a phone's ballot sent to B and its retry (same client_id) sent to A: one ballot;
             confirmed through A (results released): every client hears the result
  memory     RSS of each gunicorn worker and of Redis, idle and with the sockets connected
Exit status 1 if any check fails. Everything started here is stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.live import rss_mb  # noqa: E402
from bench.server import PASSWORD, create_pg_database, drop_pg_database, free_port, server_env  # noqa: E402

DOC = ROOT / "docs" / "deploy.md"


def doc_commands():
    """(redis-server argv, [gunicorn argv...]) as docs/deploy.md writes them."""
    text = DOC.read_text()
    redis = next(m.group(0) for m in re.finditer(r"^redis-server .*$|(?<=`)redis-server [^`]*(?=`)", text, re.M))
    guns = [line for line in text.splitlines() if re.match(r"^REDIS_URL=\S+ gunicorn ", line)]
    assert len(guns) >= 2, "docs/deploy.md shows no two REDIS_URL=... gunicorn lines"
    return shlex.split(redis), [shlex.split(g) for g in guns[:2]]


def start(argv, env, log):
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)


def wait_up(url, p, seconds=40):
    end = time.time() + seconds
    while time.time() < end and p.poll() is None:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def clients_proc(url, tid, lid, lang, n, pushed, ready, stop_ev, out):
    import socketio

    async def main():
        clients, got = [], []

        async def one(i):
            c = socketio.AsyncClient(reconnection=False)
            mine = []
            got.append(mine)

            @c.on("changed")
            async def changed(p):
                mine.append(p)
            await c.connect(url, transports=["websocket"], wait_timeout=30)
            join = {"tournament": tid, "league": lid}
            if pushed:
                join["view"] = {"parts": ["draw"], "projector": False, "lang": lang}
            await c.call("join", join, timeout=30)
            clients.append(c)
        sem = asyncio.Semaphore(50)

        async def guarded(i):
            async with sem:
                try:
                    await one(i)
                except Exception as e:
                    print("connect failed:", e, file=sys.stderr)
        await asyncio.gather(*(guarded(i) for i in range(n)))
        ready.put(len(clients))
        while not stop_ev.is_set():
            await asyncio.sleep(0.05)
        # Only what the checks need: per client, the kinds heard and the pushed draw parts.
        out.put([[(p.get("what"), p.get("version"), json.dumps(p.get("parts"), sort_keys=True) if "parts" in p
                   else None) for p in mine] for mine in got])
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    asyncio.run(main())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=2000)
    ap.add_argument("--pg", default=None, help="PostgreSQL admin URL (default: SQLite in WAL mode)")
    args = ap.parse_args()
    assert 4 <= args.sockets <= 4000, "bounded"
    checks = {}
    work = Path(tempfile.mkdtemp(prefix="debate-deploy-check-"))
    procs, logs, pg_name = [], [], f"deploy_check_{os.getpid()}"
    try:
        redis_argv, gun_argvs = doc_commands()
        rport = free_port()
        redis_argv = [("%d" % rport if a == "6379" else a) for a in redis_argv]
        log = open(work / "redis.log", "w")
        logs.append(log)
        redis = start(redis_argv, server_env(), log)
        procs.append(redis)
        redis_url = f"redis://127.0.0.1:{rport}/0"
        time.sleep(0.5)
        db_url = create_pg_database(args.pg, pg_name) if args.pg else f"sqlite:///{work}/debate.db"
        env = server_env(INSTANCE_PATH=str(work), SECRET_KEY=f"deploy-check-{uuid.uuid4()}", DATABASE_URL=db_url,
                         REDIS_URL=None, SOCKETIO_CHANNEL=None)
        for a in (("db", "upgrade"), ("debate", "demo", "--password", PASSWORD)):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *a], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=300)
        urls, guns = [], []
        for argv in gun_argvs:
            port = free_port()
            envs = dict(a.split("=", 1) for a in argv if re.match(r"^[A-Z_]+=", a))
            cmd = [a for a in argv if not re.match(r"^[A-Z_]+=", a)]
            cmd = [str(Path(sys.executable).parent / "gunicorn") if a == "gunicorn" else a for a in cmd]
            cmd = [re.sub(r"127\.0\.0\.1:\d+$", f"127.0.0.1:{port}", a) for a in cmd]
            penv = {**env, **envs, "REDIS_URL": redis_url}  # the document's variable, our Redis's port
            log = open(work / f"gunicorn-{port}.log", "w")
            logs.append(log)
            p = start(cmd, penv, log)
            procs.append(p)
            guns.append(p)
            urls.append(f"http://127.0.0.1:{port}")
            print(f"started: REDIS_URL={redis_url} (the document's {envs.get('REDIS_URL')}, our Redis's port)",
                  "gunicorn", " ".join(cmd[1:]), flush=True)
        checks["processes up"] = all(wait_up(u, p) for u, p in zip(urls, guns))
        time.sleep(3)
        checks["processes still up after 3 s"] = all(p.poll() is None for p in guns) and all(
            wait_up(u, p, 5) for u, p in zip(urls, guns))
        checks["no control socket (--no-control-socket in every command)"] = all(
            "--no-control-socket" in argv for argv in gun_argvs)
        idle = [rss_mb(p.pid) for p in guns]

        a, b = urls
        s = requests.Session()
        tok = s.post(a + "/api/v1/auth/token", json={"username": "demo", "password": PASSWORD}).json()["token"]
        s.headers["Authorization"] = f"Bearer {tok}"
        t = s.get(a + "/api/v1/tournaments").json()[0]
        keys = {x["id"]: x["private_key"] for x in s.get(a + f"/api/v1/tournaments/{t['id']}/adjudicators").json()}
        rnd = s.post(a + f"/api/v1/tournaments/{t['id']}/rounds", json={"kind": "prelim"}).json()
        draw = s.post(a + f"/api/v1/rounds/{rnd['id']}/draw", json={}).json()
        lid = draw["debates"][0]["league_id"]
        lang = next(lg["language"] for lg in t["leagues"] if lg["id"] == lid)

        ctx = mp.get_context("spawn")
        ready, out, stop_ev = ctx.Queue(), ctx.Queue(), ctx.Event()
        quarter = args.sockets // 4
        groups = [(u, pushed) for u in urls for pushed in (True, False)]
        cps = [ctx.Process(target=clients_proc, args=(u, t["id"], lid, lang, quarter, pushed, ready, stop_ev, out),
                           daemon=True) for u, pushed in groups]
        for p in cps:
            p.start()
        connected = sum(ready.get(timeout=600) for _ in cps)
        checks[f"{args.sockets} sockets connected"] = connected == quarter * 4
        loaded = [rss_mb(p.pid) for p in guns]

        assert s.post(a + f"/api/v1/rounds/{rnd['id']}/release", json={"draw": True, "results": True}).ok
        time.sleep(max(2.0, args.sockets / 500))
        live_b = requests.get(b + f"/p/{t['id']}/l/{lid}/live.json?parts=draw").json()
        d = next(x for x in draw["debates"] if x["league_id"] == lid)
        ids = []
        for adj in d["adjudicators"]:
            body = {"debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": "gov",
                    "scores": {"PM": 28, "MG": 27.5, "LO": 26, "MO": 26}}
            r1 = requests.post(b + "/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": keys[adj["id"]]})
            r2 = requests.post(a + "/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": keys[adj["id"]]})
            ids.append((r1.status_code, r2.status_code, r1.json().get("id"), r2.json().get("id")))
        checks["ballot and its retry on the other process: one ballot"] = all(
            x[0] in (200, 201) and x[1] in (200, 201) and x[2] == x[3] for x in ids)
        for x in ids:
            s.post(a + f"/api/v1/ballots/{x[2]}/confirm")
        time.sleep(max(2.0, args.sockets / 500))
        stop_ev.set()
        heard = []
        for _ in cps:
            heard.append(out.get(timeout=120))
        for p in cps:
            p.join(30)
        flat = [c for group in heard for c in group]
        checks["every client heard the release"] = all(any(w == "release" for w, _v, _p in c) for c in flat)
        checks["every client heard the result"] = all(any(w == "result" for w, _v, _p in c) for c in flat)
        pushed_release = [p for c in flat for w, _v, p in c if w == "release" and p is not None]
        checks["pushed clients got the draw with the event, equal to B's live.json"] = bool(pushed_release) and all(
            p == json.dumps({"draw": live_b["parts"]["draw"]}, sort_keys=True) for p in pushed_release) and \
            len(pushed_release) == 2 * quarter
        with urllib.request.urlopen(b + "/healthz", timeout=5):
            pass
        redis_rss = rss_mb(redis.pid)
        print(f"\nsockets: {connected:,} ({quarter:,} per process and kind); database "
              f"{'PostgreSQL' if args.pg else 'SQLite (WAL)'}; load average {os.getloadavg()[0]:.1f}")
        print("| process | RSS idle | RSS with the sockets | per socket |")
        print("|---|---:|---:|---:|")
        for i, (x, y) in enumerate(zip(idle, loaded)):
            print(f"| gunicorn {i + 1} (master + worker), {connected // 2:,} sockets | {x:.0f} MB | {y:.0f} MB | "
                  f"{(y - x) * 1024 / max(1, connected // 2):.0f} kB |")
        print(f"| redis-server | | {redis_rss:.0f} MB | |")
        print("\n| check | result |")
        print("|---|---|")
        for k, v in checks.items():
            print(f"| {k} | {'ok' if v else 'FAILED'} |")
    finally:
        for p in reversed(procs):
            stop(p)
        for log in logs:
            log.close()
        if args.pg:
            drop_pg_database(args.pg, pg_name)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if checks and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
