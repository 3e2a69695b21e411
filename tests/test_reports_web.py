"""Through the pages: the organiser's report: every total equals a count made directly here, for a tournament
and for a season; XLSX headers and the printable page in the chosen language."""
import io
from collections import Counter

import pytest
from flask_babel import force_locale, gettext as _
from openpyxl import load_workbook
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import (Adjudicator, Ballot, BreakSeed, Coach, Debate, Round, Speaker, Team, Tournament,
                           TournamentMember)
from debate.services import reports as svc
from tests.test_awards import run_tournament


@pytest.fixture
def season(app, api, client, login):
    a, _k = run_tournament(api, client, seed=11)
    b, _k = run_tournament(api, client, seed=12)
    with app.app_context():
        ta, tb = db.session.get(Tournament, a["id"]), db.session.get(Tournament, b["id"])
        ta.stage, ta.qualifies_for_id = "regional", tb.id
        for i, sp in enumerate(db.session.scalars(select(Speaker).join(Team).where(Team.tournament_id == ta.id))):
            if i % 3:
                sp.grade, sp.gender = 7 + i % 5, "fm"[i % 2]
        for i, tm in enumerate(db.session.scalars(select(Team).where(Team.tournament_id == ta.id))):
            tm.school.rural = i % 3 == 0
        db.session.commit()
    uid = login("boss", "boss-password-1")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=a["id"], role="director"))
        db.session.add(TournamentMember(user_id=uid, tournament_id=b["id"], role="director"))
        db.session.commit()
    return a["id"], b["id"]


def _direct(tid):
    """The same numbers counted straight from the tables."""
    speakers = db.session.execute(select(Speaker, Team).join(Team).where(Team.tournament_id == tid)).all()
    debates = db.session.scalars(select(Debate).join(Round).where(Round.tournament_id == tid)).all()
    ids = [d.id for d in debates]
    wins = Counter()
    for d in debates:
        if d.confirmed_at:
            winner = d.gov_team_id if d.winner == "gov" else d.opp_team_id
            wins[db.session.get(Team, winner).school.region_code] += 1
    breaking = Counter(db.session.get(Team, tid_).school.region_code for tid_ in db.session.scalars(
        select(BreakSeed.team_id).join(Team).where(Team.tournament_id == tid)))
    return {
        "debaters": len(speakers),
        "teams": db.session.scalar(select(func.count()).select_from(Team).where(Team.tournament_id == tid)),
        "schools": len({tm.school_id for _s, tm in speakers}),
        "rural_schools": len({tm.school_id for _s, tm in speakers if tm.school.rural}),
        "coaches": db.session.scalar(select(func.count()).select_from(Coach).where(Coach.tournament_id == tid)),
        "adjudicators": db.session.scalar(select(func.count()).select_from(Adjudicator).where(Adjudicator.tournament_id == tid)),
        "rounds": db.session.scalar(select(func.count()).select_from(Round).where(Round.tournament_id == tid)),
        "debates": len(debates),
        "ballots": db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.debate_id.in_(ids),
                                                                                       Ballot.status == "confirmed")),
        "ballot_versions": db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.debate_id.in_(ids))),
        "by_region": Counter(tm.school.region_code for _s, tm in speakers),
        "by_grade": Counter(s.grade if s.grade is not None else "none" for s, _t in speakers),
        "by_gender": Counter(s.gender or "none" for s, _t in speakers),
        "by_setting": Counter("rural" if tm.school.rural else "urban" for _s, tm in speakers),
        "by_league": Counter(tm.league.language for _s, tm in speakers),
        "wins": wins, "breaking": breaking,
    }


def test_tournament_and_season_totals_equal_direct_counts(app, season):
    a, b = season
    with app.app_context():
        ta, tb = db.session.get(Tournament, a), db.session.get(Tournament, b)
        da, dbb = _direct(a), _direct(b)
        rep = svc.tournament_report(ta)
        for k in ("debaters", "teams", "schools", "rural_schools", "coaches", "adjudicators", "rounds", "debates",
                  "ballots", "ballot_versions"):
            assert rep["totals"][k] == da[k], k
        for k in ("by_region", "by_grade", "by_gender", "by_setting", "by_league"):
            assert Counter(rep[k]) == da[k], k
        assert {r: v["wins"] for r, v in rep["results"].items() if v["wins"]} == dict(+da["wins"])
        assert {r: v["breaking"] for r, v in rep["results"].items() if v["breaking"]} == dict(+da["breaking"])
        assert da["ballots"] > 0 and da["rural_schools"] > 0
        # the season is the republican tournament and the one qualifying into it
        sea = svc.season_report(tb)
        assert [x.id for x in sea["tournaments"]] == [a, b]
        for k in ("debaters", "teams", "schools", "coaches", "adjudicators", "rounds", "debates", "ballots"):
            assert sea["totals"][k] == da[k] + dbb[k], k
        assert Counter(sea["by_gender"]) == da["by_gender"] + dbb["by_gender"]
        # same flow names in both tournaments: the distinct count sees the same pupils
        assert sea["distinct_debaters"] == da["debaters"]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_xlsx_and_printable_page_in_the_chosen_language(app, client, season, lang):
    a, b = season
    with app.test_request_context(), force_locale(lang):
        debaters, region = _("Debaters"), _("Results by region")
    r = client.get(f"/t/{b}/reports/season.xlsx?lang={lang}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert region[:31] in wb.sheetnames
    summary = wb.worksheets[0]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    with app.app_context():
        assert values[debaters] == _direct(a)["debaters"] + _direct(b)["debaters"]
    html = client.get(f"/t/{a}/reports/tournament?lang={lang}").get_data(as_text=True)
    assert debaters in html and region in html
    # no names or personal details of pupils on the report
    with app.app_context():
        name = db.session.scalars(select(Speaker.name).join(Team).where(Team.tournament_id == a)).first()
    assert name not in html
    assert client.get(f"/t/{a}/reports?lang={lang}").status_code == 200


def test_reports_only_for_directors(app, client, api):
    t = api.post("/tournaments", {"name": "X", "stage": "district", "leagues": [{"language": "kk"}]}).get_json()
    assert client.get(f"/t/{t['id']}/reports/tournament").status_code in (302, 401, 403)


def test_report_names_tournaments_in_the_chosen_language(app, client, season):
    """A tournament named in each language appears under its name in the report's language, on the printable
    page and on the season's index (it printed the base name before)."""
    a, b = season
    with app.app_context():
        for tid in (a, b):
            t = db.session.get(Tournament, tid)
            t.names = {"kk": f"Қалалық {tid}", "ru": f"Городской {tid}", "en": f"City {tid}"}
        db.session.commit()
    for lang, word in (("kk", "Қалалық"), ("ru", "Городской"), ("en", "City")):
        html = client.get(f"/t/{b}/reports/season?lang={lang}").get_data(as_text=True)
        assert f"{word} {a}" in html and f"{word} {b}" in html, lang
        index = client.get(f"/t/{b}/reports?lang={lang}&scope=season").get_data(as_text=True)
        assert f"{word} {a}" in index, lang
    for lang, word in (("ru", "Городской"), ("en", "City")):
        wb = load_workbook(io.BytesIO(client.get(f"/t/{b}/reports/season.xlsx?lang={lang}").data))
        cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
        assert f"{word} {a}" in cells, lang
