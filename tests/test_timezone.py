"""Times are shown where the tournament happens (issue 19 item 1): stored in UTC, shown, exported and
answered in the tournament's time zone (setting `timezone`, default Asia/Almaty, UTC+5)."""
import re
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import update

from debate.core.extensions import db
from debate.models import AuditEntry, Ballot

from .conftest import csrf_token

ROOT = Path(__file__).resolve().parents[1]
STORED = datetime(2026, 2, 16, 20, 30)  # UTC, as SQLite gives it back: 17 Feb 01:30 in Astana


def _login_api_user(client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1", "csrf_token": token})
    assert r.status_code == 302


def _ballot(api, client, t):
    """One ballot in a released draw; returns its id and a function that sends it again."""
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim"}).get_json()
    r = api.post(f"/rounds/{rnd['id']}/draw")
    assert r.status_code == 201, r.get_json()
    d = r.get_json()["debates"][0]
    r = api.post(f"/rounds/{rnd['id']}/release", {"draw": True})
    assert r.status_code == 200, r.get_json()
    adj = d["adjudicators"][0]["id"]
    key = next(a["private_key"] for a in api.get(f"/tournaments/{t['id']}/adjudicators").get_json() if a["id"] == adj)
    body = {"debate_id": d["id"], "client_id": str(uuid.uuid4()), "winner": "gov",
            "scores": {"PM": 28, "MG": 27, "LO": 26, "MO": 26}}

    def send():
        r = client.post("/api/v1/ballots", json=body, headers={"X-Adjudicator-Key": key})
        assert r.status_code in (200, 201), r.get_json()
        return r.get_json()
    return send()["id"], send


def _small_tournament(api, settings=None):
    from .flow import setup_tournament
    t, _keys = setup_tournament(api, teams_per_league=2, adjudicators=3, rooms=3, leagues=("kk",),
                                settings={"panel_size": 1, **(settings or {})})
    return t


def test_audit_page_and_export_use_the_tournament_zone(app, api, client):
    t = _small_tournament(api)
    bid, _send = _ballot(api, client, t)
    with app.app_context():
        db.session.execute(update(AuditEntry).where(AuditEntry.tournament_id == t["id"]).values(at=STORED))
        db.session.execute(update(Ballot).where(Ballot.id == bid).values(created_at=STORED))
        db.session.commit()
    _login_api_user(client)
    page = client.get(f"/t/{t['id']}/audit?lang=ru").get_data(as_text=True)
    assert "17.02.2026, 01:30" in page and "20:30" not in page
    csv = client.get(f"/t/{t['id']}/export/ballots.csv?lang=en").get_data(as_text=True)
    assert "2026-02-17 01:30 +0500" in csv and "20:30" not in csv


def test_the_setting_moves_every_time_and_the_api_carries_the_offset(app, api, client):
    t = _small_tournament(api, settings={"timezone": "Europe/Moscow"})
    bid, send_again = _ballot(api, client, t)
    with app.app_context():
        db.session.execute(update(AuditEntry).where(AuditEntry.tournament_id == t["id"]).values(at=STORED))
        db.session.execute(update(Ballot).where(Ballot.id == bid).values(created_at=STORED))
        db.session.commit()
    _login_api_user(client)
    page = client.get(f"/t/{t['id']}/audit?lang=ru").get_data(as_text=True)
    assert "16.02.2026, 23:30" in page and "17.02.2026, 01:30" not in page
    # A retry of the same client_id answers the stored ballot: its time carries an offset.
    created = send_again()["created_at"]
    when = datetime.fromisoformat(created)
    assert when.utcoffset() is not None and when.replace(tzinfo=None) - when.utcoffset() == STORED


def test_unknown_zone_is_refused(api):
    r = api.post("/tournaments", {"name": "Zone cup", "stage": "city", "leagues": [{"language": "kk"}],
                                  "settings": {"timezone": "Mars/Olympus"}})
    assert r.status_code == 422
    assert any("timezone" in f for f in r.get_json()["error"]["fields"])


PRINTED = re.compile(r"\{\{(.*?)\}\}", re.S)
TIMEISH = re.compile(r"(\b\w+_at\b|\.at\b|\bnow\b(?!\[)|windows\[)")
STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")


def test_no_template_prints_a_raw_datetime():
    """Every time a template prints goes through format_datetime/format_date (the tournament's zone,
    the page's language); a bare {{ x.created_at }} would print UTC in ISO form."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for m in PRINTED.finditer(path.read_text()):
            expr = m.group(1)
            for part in re.split(r"[,(]", STRINGS.sub("", expr)):
                if TIMEISH.search(part) and "format_date" not in expr and "|length" not in part:
                    offenders.append(f"{path.relative_to(ROOT)}: {{{{{expr.strip()}}}}}")
                    break
    assert not offenders, "\n".join(offenders)
