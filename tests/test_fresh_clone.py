"""Translations in every deployment (issue 19 item 3): the compiled catalogs are not in the
repository, so a fresh clone started without `make` (here: the README's gunicorn steps reduced to
`flask db upgrade` and the app factory, as `flask run` and gunicorn call it) must still serve
Kazakh pages and print Kazakh PDFs. The clone is the tracked files only, as `git clone` gives."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = r'''
import re, sys
from debate import create_app
from debate.core.extensions import db
from debate.models import League, Tournament, User
app = create_app()
with app.app_context():
    t = db.session.scalars(db.select(Tournament)).first()
    kk = next(lg for lg in t.leagues if lg.language == "kk")
    tid, lid = t.id, kk.id
client = app.test_client()
page = client.get(f"/p/{tid}/l/{lid}/draw?lang=kk").get_data(as_text=True)
assert "Сызба" in page or "Жеребе" in page or "Нәтижелер" in page, page[:2000]
login = client.get("/login?lang=kk")
token = re.search(r'name="csrf_token" value="([^"]+)"', login.get_data(as_text=True)).group(1)
r = client.post("/login", data={"username": "demo", "password": "fresh-clone-1", "csrf_token": token})
assert r.status_code in (302, 303), r.status_code
pdf = client.get(f"/t/{tid}/appeals/codes.pdf?lang=kk")
assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
open(sys.argv[1], "wb").write(pdf.data)
'''


@pytest.mark.skipif(not shutil.which("git") or not shutil.which("pdftotext"), reason="needs git and pdftotext")
def test_fresh_clone_serves_kazakh_without_make():
    clone = Path(tempfile.mkdtemp(prefix="debate-clone-"))
    try:
        files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, files.decode().split("\0")):
            src = ROOT / name
            if src.is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, clone / name)
        assert not list(clone.glob("debate/translations/*/LC_MESSAGES/*.mo"))
        env = {**os.environ, "INSTANCE_PATH": str(clone / "instance"), "SECRET_KEY": "fresh-clone"}
        env.pop("DATABASE_URL", None)

        def run(*args):
            done = subprocess.run([sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
            return done
        run("-m", "flask", "--app", "wsgi", "db", "upgrade")
        run("-m", "flask", "--app", "wsgi", "debate", "demo", "--password", "fresh-clone-1")
        out = clone / "codes.pdf"
        run("-c", CHECK, str(out))
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Команданың апелляция коды" in text or "апелляция" in text.lower(), text[:500]
    finally:
        shutil.rmtree(clone, ignore_errors=True)
