"""#20 item 5: the round's paper pack (one PDF, checked by text extraction in kk and ru) and the
staff form for typing paper ballots in (through the same service as every ballot)."""
import shutil
import subprocess

import pytest
from sqlalchemy import select

from debate.core.extensions import db
from debate.models import AuditEntry, Ballot, Speaker, Team
from tests.conftest import csrf_token
from tests.flow import setup_tournament

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
MOTION_KK = "Бұл палата мектеп формасын жояды"
MOTION_RU = "Эта палата отменит школьную форму"


def _login_api_user(client):
    r = client.post("/login", data={"username": "apiuser", "password": "api-password-1",
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302


@pytest.fixture
def drawn(api, client, app):
    t, keys = setup_tournament(api, teams_per_league=2, adjudicators=2, rooms=2, leagues=("kk", "ru"),
                               settings={"panel_size": 1, "speaker_score_min": 60, "speaker_score_max": 80,
                                         "speaker_score_step": 1})
    kk, ru = (lg["id"] for lg in t["leagues"])
    rnd = api.post(f"/tournaments/{t['id']}/rounds", {"kind": "prelim", "motions": {
        str(kk): {"text": MOTION_KK}, str(ru): {"text": MOTION_RU}}}).get_json()
    draw = api.post(f"/rounds/{rnd['id']}/draw").get_json()
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True})  # the motion stays unreleased
    with app.app_context():  # Kazakh names for the Kazakh league's speakers
        for sp in db.session.scalars(select(Speaker).join(Team).where(Team.league_id == kk)):
            sp.name = "Әлихан " + sp.name
        db.session.commit()
    _login_api_user(client)
    return t, keys, rnd, draw


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "pack.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_round_pack_in_each_league_language(client, api, drawn, tmp_path):
    t, _keys, rnd, draw = drawn
    url = f"/t/{t['id']}/rounds/{rnd['id']}/paper.pdf"
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data, tmp_path)
    flat = " ".join(text.split())
    # one ballot per adjudicator per debate and one door sheet per room: 2 + 2 pages
    assert text.count("\f") >= 4
    # Kazakh league in Kazakh, Russian league in Russian
    assert "Қағаз бюллетень" in flat and "Бумажный бюллетень" in flat
    assert "Үкімет" in flat and "Правительство" in flat
    for d in draw["debates"]:
        assert f"Аудитория: {d['room']['name']}" in flat or f"Аудитория {d['room']['name']}" in flat
        assert d["adjudicators"][0]["name"] in flat
    assert "Әлихан Skk0a" in flat and "Sru0a" in flat  # speakers' names
    assert "Бағалар 60-ден 80-ге дейін, қадамы 1." in flat and "Оценки от 60 до 80 с шагом 1." in flat
    # the motion is on the ballots only once released, and no slips unless asked
    assert MOTION_KK not in flat and MOTION_RU not in flat
    assert "http://localhost/j/" in flat  # the adjudicator's private link under the QR
    slips = " ".join(pdf_text(client.get(url + "?motions=1").data, tmp_path).split())
    assert MOTION_KK in slips and MOTION_RU in slips
    api.post(f"/rounds/{rnd['id']}/release", {"draw": True, "motion": True})
    released = " ".join(pdf_text(client.get(url).data, tmp_path).split())
    assert MOTION_KK in released and MOTION_RU in released


def test_round_pack_needs_staff(client, api, drawn):
    t, _keys, rnd, _draw = drawn
    client.get("/logout")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    r = client.get(f"/t/{t['id']}/rounds/{rnd['id']}/paper.pdf")
    assert r.status_code in (302, 401, 403)


def test_paper_entry_stores_through_the_ballot_service(client, api, drawn, app):
    t, _keys, rnd, draw = drawn
    page = f"/t/{t['id']}/rounds/{rnd['id']}/paper-entry"
    html = client.get(page).get_data(as_text=True)
    d = draw["debates"][0]
    room = d["room"]["name"]
    label = f"{room} · {d['adjudicators'][0]['name']}"
    assert label in html
    token = csrf_token(client, page)
    bad = client.post(page, data={"csrf_token": token, "seat": "Nowhere · Nobody", "score_PM": "70",
                                  "score_MG": "70", "score_LO": "65", "score_MO": "65"})
    assert bad.status_code == 422
    off = client.post(page, data={"csrf_token": token, "seat": label, "score_PM": "90",
                                  "score_MG": "70", "score_LO": "65", "score_MO": "65"})
    assert off.status_code == 422 and 'aria-invalid="true"' in off.get_data(as_text=True)
    r = client.post(page, data={"csrf_token": token, "seat": label, "score_PM": "70", "score_MG": "71",
                                "score_LO": "65", "score_MO": "66"})
    assert r.status_code == 302
    with app.app_context():
        b = db.session.scalars(select(Ballot)).one()
        assert b.debate_id == d["id"] and b.winner == "gov" and b.entered_by_id is not None
        assert b.scores == {"PM": 70.0, "MG": 71.0, "LO": 65.0, "MO": 66.0}
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "ballot")).all() == [
            "ballot_entered_for_adjudicator"]
