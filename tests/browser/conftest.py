"""Browser tests: the app served by gunicorn (as in production) on a fresh SQLite database
with the demo tournament, driven by Playwright in Debian's Chromium (no browser download)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1920, "height": 1080}
DEMO_PASSWORD = "demo-password-1"

if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is not installed (make browsers)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (after the skip: imported only where the browser tests run)

# Waits that fail clearly instead of reading a page too early: expect() retries its check until
# this timeout, which leaves room for a loaded CI machine (Playwright's default is 5 s).
expect.set_options(timeout=15_000)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="debate-browser-")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "INSTANCE_PATH": self.dir, "SECRET_KEY": "browser-tests"}
        self.env.pop("DATABASE_URL", None)
        self.proc = None

    def flask(self, *args):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True, timeout=120)

    def start(self):
        self.flask("db", "upgrade")
        self.flask("debate", "demo", "--password", DEMO_PASSWORD)
        self.log = open(Path(self.dir) / "gunicorn.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1", "--no-control-socket",
                                      "--bind", f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def api(self, method, path, body=None, token=None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + "/api/v1" + path, method=method, headers=h,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def token(self):
        return self.api("POST", "/auth/token", {"username": "demo", "password": DEMO_PASSWORD})[1]["token"]

    def sql(self, query, *params):
        import sqlite3
        con = sqlite3.connect(Path(self.dir) / "debate.db")
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def server():
    s = Server().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def demo_director(browser, server, viewport, locale="en-US"):
    """A new browser context with the demo director signed in: (context, page)."""
    ctx = browser.new_context(viewport=viewport, locale=locale)
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():  # the click does not wait for the POST and its redirect
        page.click("form button.primary")
    assert "/login" not in page.url, page.url
    return ctx, page


def login(page, server, username="demo", password=DEMO_PASSWORD, query=""):
    """Signs in through the login form and waits for the page the form posts to (a click does
    not wait for the navigation: a page.goto right after it can cancel the POST)."""
    page.goto(server.url + "/login" + query)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button.primary")
    assert "/login" not in page.url, f"still on {page.url}: the sign-in failed"
    return page


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
