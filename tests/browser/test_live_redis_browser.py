"""The done-criterion of live pages, in Chromium: with the demo served by two gunicorn processes
sharing Redis (as docs/deploy.md deploys it), a director confirms a result in the browser on
process A, and a phone and a projector window open on process B show it within seconds, without
a reload. Screenshots: test-artifacts/screenshots/redis-*.png."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import DEMO_PASSWORD, PHONE, PROJECTOR, ROOT, _free_port, no_sideways_scroll, shot

REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_or_skip():
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as e:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({e})")


class TwoProcesses:
    """One SQLite demo (WAL), two gunicorn gevent processes on their own ports, one Redis, a
    SECRET_KEY (so a Socket.IO channel) of their own."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="debate-browser-redis-")
        self.env = {**os.environ, "INSTANCE_PATH": self.dir, "SECRET_KEY": f"browser-redis-{uuid.uuid4()}",
                    "REDIS_URL": REDIS_URL}
        for key in ("DATABASE_URL", "SOCKETIO_CHANNEL"):
            self.env.pop(key, None)
        self.procs, self.logs, self.urls = [], [], []

    def start(self):
        for args in (("db", "upgrade"), ("debate", "demo", "--password", DEMO_PASSWORD)):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, text=True, timeout=180)
        for name in ("a", "b"):
            port = _free_port()
            log = open(Path(self.dir) / f"gunicorn-{name}.log", "w")
            self.logs.append(log)
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
                 "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT))
            self.urls.append(f"http://127.0.0.1:{port}")
        for url in self.urls:
            for _ in range(150):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("gunicorn did not start")
        return self

    def stop(self):
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

    def api(self, url, method, path, body=None, token=None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(url + "/api/v1" + path, method=method, headers=h,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


@pytest.fixture(scope="module")
def two():
    _redis_or_skip()
    s = TwoProcesses().start()
    yield s
    s.stop()


def _wait_live(page):
    page.wait_for_selector("#live-status[data-state=live]", timeout=20000)
    page.wait_for_function("() => Number(document.documentElement.dataset.liveFetches || 0) >= 1", timeout=20000)


def test_director_on_a_phone_and_projector_on_b(two, browser):
    a, b = two.urls
    status, tok = two.api(a, "POST", "/auth/token", {"username": "demo", "password": DEMO_PASSWORD})
    tok = tok["token"]
    status, rnd = two.api(a, "POST", "/tournaments/1/rounds", {"kind": "prelim"}, token=tok)
    assert status == 201, rnd
    status, draw = two.api(a, "POST", f"/rounds/{rnd['id']}/draw", token=tok)
    assert status == 201, draw
    two.api(a, "POST", f"/rounds/{rnd['id']}/release", {"draw": True, "results": True}, token=tok)
    two.api(a, "POST", "/tournaments/1/release", {"team_standings": True}, token=tok)
    status, adjs = two.api(a, "GET", "/tournaments/1/adjudicators", token=tok)
    keys = {x["id"]: x["private_key"] for x in (adjs if isinstance(adjs, list) else adjs["items"])}
    debate = next(d for d in draw["debates"] if d["league_id"] == 2)  # the Russian league
    for adj in debate["adjudicators"]:  # the panel's phones, through process B
        status, ballot = two.api(b, "POST", "/ballots", {
            "debate_id": debate["id"], "client_id": str(uuid.uuid4()), "winner": "opp",
            "scores": {"PM": 26, "MG": 26, "LO": 28, "MO": 27.5}}, headers={"X-Adjudicator-Key": keys[adj["id"]]})
        assert status == 201, ballot

    # Spectators on process B.
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{b}/p/1/l/2/results")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(f"{b}/p/1/l/2/projector?view=standings")
    for page in (phone, projector):
        _wait_live(page)
        page.evaluate("window.__sameDocument = 'yes'")
    assert phone.locator("#part-results .won").count() == 0  # listed, "waiting"
    # The director on process A.
    director = browser.new_page(viewport={"width": 1280, "height": 900})
    director.goto(f"{a}/login")
    director.fill("input[name=username]", "demo")
    director.fill("input[name=password]", DEMO_PASSWORD)
    with director.expect_navigation():  # a goto right after the click could cancel the sign-in
        director.click("button[type=submit], form button")
    assert "/login" not in director.url, director.url
    director.goto(f"{a}/t/1/rounds/{rnd['id']}/results")
    button = director.locator(f"#debate-{debate['id']} button:has-text('Confirm all')")
    t0 = time.monotonic()
    button.click()
    phone.wait_for_selector("#part-results .team.opp.won", timeout=10000)
    phone_s = time.monotonic() - t0
    projector.wait_for_function(
        "() => Array.from(document.querySelectorAll('#part-standings tbody tr td:nth-child(3)'))"
        ".reduce((a, td) => a + Number(td.textContent), 0) === 1", timeout=10000)
    projector_s = time.monotonic() - t0
    print(f"confirmed on A; phone on B after {phone_s:.2f} s, projector on B after {projector_s:.2f} s")
    assert phone_s < 5 and projector_s < 5
    assert debate["opp"]["name"] in phone.inner_text("#part-results .team.opp.won")
    assert debate["opp"]["name"] in projector.inner_text("#part-standings tbody tr:first-child")
    for page in (phone, projector):
        assert page.evaluate("window.__sameDocument") == "yes"  # no reload
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll(phone)
    director.wait_for_load_state()
    shot(director, "redis-director-confirmed-on-a")
    shot(phone, "redis-phone-results-on-b")
    shot(projector, "redis-projector-standings-on-b")
    for page in (phone, projector, director):
        page.close()
