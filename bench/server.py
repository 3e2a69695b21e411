"""What the benchmarks that load a real server share: a free loopback port, a fresh database
with the regions and one director, a scratch PostgreSQL database, and gunicorn started as
docs/deploy.md runs it (gevent workers, 127.0.0.1 only) and stopped with its workers.

Used by bench/ballots.py, bench/tournament_day.py, bench/season_day.py and bench/live.py; run
from the repository root (the scripts put it on sys.path). Also the adjudicator's phone at the end
of a debate (`phone_ballot`), shared by the tournament-day and season-day benches.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with the given variables set; a None value removes one
    (so a DATABASE_URL or REDIS_URL of the shell cannot leak into the bench)."""
    env = {**os.environ}
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def prepare_database(url: str, instance: str, password: str = PASSWORD) -> None:
    """Tables from the models, the regions and one director `bench`, in a child process (so the
    bench process never imports the app: the load generator stays lean)."""
    code = (
        "from debate import create_app\n"
        "from debate.core.extensions import db\n"
        "from debate.models import Region\n"
        "from debate.text.regions import REGIONS\n"
        "from debate.services.accounts import create_user\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {url!r}}})\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    db.session.add_all(Region(code=c, kind=k, name_kk=a, name_ru=b, name_en=e) for c, k, a, b, e in REGIONS)\n"
        f"    create_user('bench', {password!r})\n"
        "    db.session.commit()\n")
    subprocess.run([PY, "-c", code], cwd=ROOT, check=True, env=server_env(INSTANCE_PATH=instance, REDIS_URL=None))


def create_pg_database(admin_url: str, name: str) -> str:
    """A fresh PostgreSQL database `name` (dropped first if a killed run left it); its
    SQLAlchemy URL."""
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def director_api(url: str, timeout: float = 120):
    """The director `bench` signed in to the API: its requests.Session (bearer token) and
    post(path under /api/v1, body) -> the JSON answer, failing loudly on anything but 200/201."""
    s = requests.Session()
    tok = s.post(url + "/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).json()["token"]
    s.headers["Authorization"] = f"Bearer {tok}"

    def post(path, body):
        r = s.post(url + "/api/v1" + path, json=body, timeout=timeout)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:500])
        return r.json()

    return s, post


def phone_ballot(base: str, debate_id: int, key: str, window: float, rng, error, attempts: int = 5):
    """One adjudicator's phone at the end of a debate: at a random moment of `window` seconds it
    POSTs a ballot (a random winner, four marks) with its key, retrying with the same client_id
    on network errors and 5xx (a 4xx is final). error(what) counts each failure ("ballot:<status>",
    "ballot:<exception>", "ballot:gave-up" after `attempts`). (client_id, ballot id, seconds of the
    acknowledged request), or None."""
    time.sleep(rng.random() * window)
    gov = rng.random() < 0.5
    hi, lo = rng.choice([27, 27.5, 28]), rng.choice([25, 25.5, 26])
    body = {"debate_id": debate_id, "client_id": str(uuid.uuid4()), "winner": "gov" if gov else "opp",
            "scores": {"PM": hi, "MG": hi - 0.5, "LO": lo, "MO": lo} if gov else
            {"PM": lo, "MG": lo, "LO": hi, "MO": hi - 0.5}}
    s = requests.Session()
    for attempt in range(attempts):
        t0 = time.perf_counter()
        try:
            r = s.post(base + "/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key}, timeout=30)
        except requests.RequestException as e:
            error(f"ballot:{type(e).__name__}")
            time.sleep(0.5 * (attempt + 1))
            continue
        if r.status_code in (200, 201):
            return body["client_id"], r.json()["id"], time.perf_counter() - t0
        error(f"ballot:{r.status_code}")
        if r.status_code < 500:
            return None
        time.sleep(0.5 * (attempt + 1))
    error("ballot:gave-up")
    return None


class Gunicorn:
    """gunicorn serving `app` on a free loopback port, in a process group of its own, its output
    in <instance>/gunicorn.log; ready once GET /healthz answers. `url` is its base URL and `cmd`
    its command line (cmd[2:] starts at "gunicorn")."""

    def __init__(self, instance: str, env: dict[str, str], *, app: str = "wsgi:app", workers: int = 1,
                 worker_class: str = "gevent", connections: int = 1000, backlog: int | None = 2048,
                 log_level: str | None = "warning"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [PY, "-m", "gunicorn", "--worker-class", worker_class, "--workers", str(workers),
                    "--worker-connections", str(connections), "--no-control-socket"]
        if backlog is not None:
            self.cmd += ["--backlog", str(backlog)]
        self.cmd += ["--bind", f"127.0.0.1:{self.port}"]
        if log_level is not None:
            self.cmd += ["--log-level", log_level]
        self.cmd.append(app)
        self.log = open(Path(instance) / "gunicorn.log", "w")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        for _ in range(150):
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:  # refused while starting, or not 200 yet
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start; see " + self.log.name)

    def worker_cpu(self) -> float:
        """CPU seconds used so far by the gunicorn workers (children of the master)."""
        total = 0
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()
