"""The organiser's report: every total equals a count made directly in the database, and the
XLSX opens with headings in the requested language (issue 9, item 5)."""
import io
from collections import Counter

from flask_babel import force_locale, gettext as _
from openpyxl import load_workbook
from sqlalchemy import func, select

from debate.core.extensions import db
from debate.models import (Adjudicator, Ballot, Coach, Debate, League, Round, School, Speaker, Team, Tournament,
                           TournamentMember)
from debate.services import reports as svc
from tests.test_awards import run_tournament


def _prepare(app, api, client, login):
    t, _keys = run_tournament(api, client)
    uid = login("boss", "boss-password-1")
    with app.app_context():
        db.session.add(TournamentMember(user_id=uid, tournament_id=t["id"], role="director"))
        teams = db.session.scalars(select(Team).where(Team.tournament_id == t["id"]).order_by(Team.id)).all()
        for i, team in enumerate(teams):
            team.school.rural = i % 3 == 0
            for j, sp in enumerate(team.speakers):
                # some left unrecorded on purpose
                sp.grade = None if (i + j) % 5 == 0 else 7 + (i + j) % 5
                sp.gender = None if (i + j) % 4 == 0 else ("f" if j % 2 else "m")
        db.session.commit()
    return t["id"]


def _count(stmt):
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def _direct(tid):
    rows = db.session.execute(
        select(School.region_code, League.language, School.rural, Speaker.grade, Speaker.gender)
        .select_from(Speaker).join(Team, Speaker.team_id == Team.id).join(League, Team.league_id == League.id)
        .outerjoin(School, Team.school_id == School.id).where(Team.tournament_id == tid)).all()
    debate_ids = select(Debate.id).join(Round, Debate.round_id == Round.id).where(Round.tournament_id == tid)
    return {
        "by_region": Counter(r[0] or svc.NONE for r in rows),
        "by_league": Counter(r[1] for r in rows),
        "by_setting": Counter(("rural" if r[2] else "urban") if r[2] is not None else svc.NONE for r in rows),
        "by_grade": Counter(r[3] if r[3] is not None else svc.NONE for r in rows),
        "by_gender": Counter(r[4] or svc.NONE for r in rows),
        "debaters": len(rows),
        "teams": _count(select(Team.id).where(Team.tournament_id == tid)),
        "schools": _count(select(Team.school_id).where(Team.tournament_id == tid,
                                                       Team.school_id.is_not(None)).distinct()),
        "coaches": _count(select(Coach.id).where(Coach.tournament_id == tid)),
        "adjudicators": _count(select(Adjudicator.id).where(Adjudicator.tournament_id == tid)),
        "rounds": _count(select(Round.id).where(Round.tournament_id == tid)),
        "debates": _count(debate_ids),
        "ballots": _count(select(Ballot.id).where(Ballot.debate_id.in_(debate_ids), Ballot.status == "confirmed")),
        "ballot_versions": _count(select(Ballot.id).where(Ballot.debate_id.in_(debate_ids))),
    }


def test_tournament_report_totals_match_the_database(app, api, client, login):
    tid = _prepare(app, api, client, login)
    with app.app_context():
        rep = svc.tournament_report(db.session.get(Tournament, tid))
        exp = _direct(tid)
        for key in ("by_region", "by_league", "by_setting", "by_grade", "by_gender"):
            assert rep[key] == dict(exp[key]), key
        tot = rep["totals"]
        for key in ("debaters", "teams", "schools", "coaches", "adjudicators", "rounds", "debates", "ballots",
                    "ballot_versions"):
            assert tot[key] == exp[key], key
        # sanity on the tournament the helper ran: 8 teams of 2, 4 prelims + semis + final
        assert (tot["teams"], tot["debaters"], tot["rounds"], tot["adjudicators"]) == (8, 16, 6, 12)
        assert tot["debates"] == 2 * (4 * 2 + 2 + 1)
        assert tot["ballots"] > 0 and tot["ballot_versions"] >= tot["ballots"]
        assert svc.NONE in rep["by_grade"] and svc.NONE in rep["by_gender"]
        rural = _count(select(School.id).where(School.tournament_id == tid, School.rural.is_(True),
                                               School.id.in_(select(Team.school_id))))
        assert tot["rural_schools"] == rural
        assert tot["regions"] == len(set(exp["by_region"]) - {svc.NONE})
        # results by region: wins add up to the number of decided debates
        decided = _count(select(Debate.id).join(Round).where(Round.tournament_id == tid,
                                                              Debate.confirmed_at.is_not(None),
                                                              Debate.winner.in_(("gov", "opp"))))
        assert sum(r["wins"] for r in rep["results"].values()) == decided
        assert sum(r["debates"] for r in rep["results"].values()) == 2 * decided
        assert sum(r["teams"] for r in rep["results"].values()) == exp["teams"]
        assert sum(r["breaking"] for r in rep["results"].values()) == 8


def test_season_report_sums_its_tournaments(app, api, client, login):
    tid = _prepare(app, api, client, login)
    r = api.post("/tournaments", {"name": "Republic cup", "stage": "republican",
                                  "leagues": [{"language": "kk"}, {"language": "ru"}]}).get_json()
    with app.app_context():
        src, tgt = db.session.get(Tournament, tid), db.session.get(Tournament, r["id"])
        src.stage, src.qualifies_for_id = "regional", tgt.id
        from debate.services import season
        season.promote(src, tgt, None, how="break")
        db.session.commit()
        rep = svc.season_report(tgt)
        a, b = _direct(tid), _direct(tgt.id)
        for key in ("by_region", "by_league", "by_setting", "by_grade", "by_gender"):
            assert rep[key] == dict(a[key] + b[key]), key
        for key in ("debaters", "teams", "schools", "coaches", "adjudicators", "rounds", "debates", "ballots"):
            assert rep["totals"][key] == a[key] + b[key], key
        # promoted pupils are counted at each stage, but once as distinct people
        assert rep["totals"]["debaters"] == 16 + 16
        assert rep["distinct_debaters"] == 16


def _sheets(data):
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_xlsx_opens_with_headings_in_the_requested_language(app, api, client, login):
    tid = _prepare(app, api, client, login)
    for lang in ("en", "ru", "kk"):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
        r = client.get(f"/t/{tid}/reports/tournament.xlsx")
        assert r.status_code == 200, lang
        assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheets = _sheets(r.data)
        with app.test_request_context(), force_locale(lang):
            summary, item, value = _("Summary"), _("Item"), _("Value")
            by_region, region, debaters = _("By region"), _("Region"), _("Debaters")
            by_gender, gender = _("By gender"), _("Gender")
        if lang != "en":
            assert summary != "Summary", f"no {lang} translation to check against"
        assert list(sheets)[0] == summary[:31]
        assert sheets[summary[:31]][0] == [item, value]
        assert sheets[by_region[:31]][0] == [region, debaters]
        assert sheets[by_gender[:31]][0] == [gender, debaters]
        with app.app_context():
            exp = _direct(tid)
        rows = {row[0]: row[1] for row in sheets[summary[:31]][1:]}
        assert rows[debaters] == exp["debaters"]
        assert sum(row[1] for row in sheets[by_region[:31]][1:]) == exp["debaters"]
    # the season scope downloads too
    assert client.get(f"/t/{tid}/reports/season.xlsx").status_code == 200
