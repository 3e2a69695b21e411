"""The organiser's report: participation (by region, league, rural or urban school, grade and
gender where recorded), the size of the tournament, and results by region — for one
tournament, or for a season (a tournament and every tournament qualifying into it).

Personal fields reach the report only as totals. In a season every tournament's entries are
counted (a pupil who reached the republican stage is counted at each stage); the number of
distinct debaters (same normalised name, school and region) is given too.
"""
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Adjudicator, Ballot, BreakSeed, Coach, Debate, Region, Round, Team
from ..models.participants import normalise_name
from . import spreadsheet
from .season import season_of

NONE = "none"  # key for "not recorded"


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def tournament_report(t) -> dict:
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).options(
        selectinload(Team.school), selectinload(Team.speakers), selectinload(Team.league))).all()
    speakers = [(s, tm) for tm in teams for s in tm.speakers]
    region_of = lambda tm: tm.school.region_code if tm.school and tm.school.region_code else NONE  # noqa: E731

    def setting(tm):
        if tm.school is None:
            return NONE
        return "rural" if tm.school.rural else "urban"

    by_region = Counter(region_of(tm) for _s, tm in speakers)
    by_league = Counter(tm.league.language for _s, tm in speakers)
    by_setting = Counter(setting(tm) for _s, tm in speakers)
    by_grade = Counter(s.grade if s.grade is not None else NONE for s, _tm in speakers)
    by_gender = Counter(s.gender if s.gender in ("f", "m") else NONE for s, _tm in speakers)
    schools = {tm.school_id for tm in teams if tm.school_id}
    debates = db.session.scalars(select(Debate).join(Round).where(Round.tournament_id == t.id)).all()
    debate_ids = [d.id for d in debates]
    rounds = _count(Round, Round.tournament_id == t.id)
    ballots = _count(Ballot, Ballot.debate_id.in_(debate_ids), Ballot.status == "confirmed") if debate_ids else 0
    ballot_versions = _count(Ballot, Ballot.debate_id.in_(debate_ids)) if debate_ids else 0
    team_region = {tm.id: region_of(tm) for tm in teams}
    results = {}
    for tm in teams:
        r = results.setdefault(team_region[tm.id], {"teams": 0, "debaters": 0, "debates": 0, "wins": 0, "breaking": 0})
        r["teams"] += 1
        r["debaters"] += len(tm.speakers)
    for d in debates:
        if d.confirmed_at is None or d.winner not in ("gov", "opp"):
            continue
        for side, team_id in (("gov", d.gov_team_id), ("opp", d.opp_team_id)):
            r = results[team_region[team_id]]
            r["debates"] += 1
            if d.winner == side:
                r["wins"] += 1
    league_ids = [lg.id for lg in t.leagues]
    if league_ids:
        for team_id in db.session.scalars(select(BreakSeed.team_id).where(BreakSeed.league_id.in_(league_ids))):
            if team_id in team_region:
                results[team_region[team_id]]["breaking"] += 1
    return {
        "tournaments": [t],
        "totals": {
            "debaters": len(speakers), "teams": len(teams), "schools": len(schools),
            "rural_schools": sum(1 for tm in {tm.school_id: tm for tm in teams if tm.school}.values() if tm.school.rural),
            "coaches": _count(Coach, Coach.tournament_id == t.id),
            "adjudicators": _count(Adjudicator, Adjudicator.tournament_id == t.id),
            "rounds": rounds, "debates": len(debates), "ballots": ballots, "ballot_versions": ballot_versions,
            "regions": len({region_of(tm) for tm in teams} - {NONE}),
        },
        "by_region": dict(by_region), "by_league": dict(by_league), "by_setting": dict(by_setting),
        "by_grade": dict(by_grade), "by_gender": dict(by_gender), "results": results,
        "distinct_debaters": len({_person_key(s, tm) for s, tm in speakers}),
    }


def _person_key(s, tm):
    return (normalise_name(s.name), normalise_name(tm.school.name) if tm.school else "", tm.region_code or "")


def season_report(t) -> dict:
    """The sum of the tournaments of t's season, with each tournament's totals kept."""
    parts = [(x, tournament_report(x)) for x in season_of(t)]
    out = {"tournaments": [x for x, _r in parts], "per_tournament": [(x, r["totals"]) for x, r in parts],
           "totals": Counter(), "results": {}}
    for key in ("by_region", "by_league", "by_setting", "by_grade", "by_gender"):
        out[key] = Counter()
    persons = set()
    for x, r in parts:
        out["totals"].update(r["totals"])
        for key in ("by_region", "by_league", "by_setting", "by_grade", "by_gender"):
            out[key].update(r[key])
        for region, row in r["results"].items():
            acc = out["results"].setdefault(region, Counter())
            acc.update(row)
        teams = db.session.scalars(select(Team).where(Team.tournament_id == x.id).options(
            selectinload(Team.school), selectinload(Team.speakers))).all()
        persons |= {_person_key(s, tm) for tm in teams for s in tm.speakers}
    out["totals"] = dict(out["totals"])
    out["totals"]["regions"] = len(set(out["by_region"]) - {NONE})
    out["distinct_debaters"] = len(persons)
    for key in ("by_region", "by_league", "by_setting", "by_grade", "by_gender"):
        out[key] = dict(out[key])
    out["results"] = {k: dict(v) for k, v in out["results"].items()}
    return out


# ----- presentation helpers (labels come from the caller, already translated) -----

def region_rows(report, locale):
    """[(code, name)] in the order of the regions table, with "not recorded" last if present."""
    regions = db.session.scalars(select(Region)).all()
    rows = [(r.code, r.name(locale)) for r in sorted(regions, key=lambda r: (r.kind != "oblast", r.name(locale)))]
    used = set(report["by_region"]) | set(report["results"])
    rows = [(c, n) for c, n in rows if c in used]
    return rows


def sorted_grades(report):
    grades = [g for g in report["by_grade"] if g != NONE]
    return sorted(grades) + ([NONE] if NONE in report["by_grade"] else [])


def xlsx(report, labels: dict, locale: str) -> bytes:
    """The report as a workbook; labels: {key: translated text} for every heading."""
    sheets = []

    def sheet(title, header, rows):
        sheets.append((title, header, list(rows)))

    tot = report["totals"]
    keys = ("debaters", "teams", "schools", "rural_schools", "coaches", "adjudicators", "rounds", "debates",
            "ballots", "ballot_versions", "regions")
    summary = [(labels["tournament"], ", ".join(x.name_in(locale) for x in report["tournaments"]))]
    summary += [(labels[k], tot.get(k, 0)) for k in keys]
    summary.append((labels["distinct_debaters"], report["distinct_debaters"]))
    sheet(labels["summary"], [labels["item"], labels["value"]], summary)
    if "per_tournament" in report:
        sheet(labels["tournaments"], [labels["tournament"], labels["stage"], *[labels[k] for k in keys]],
              [(x.name_in(locale), labels["stage_" + x.stage], *[r.get(k, 0) for k in keys]) for x, r in report["per_tournament"]])
    regions = region_rows(report, locale)
    none_label = labels["not_recorded"]
    reg = [(n, report["by_region"].get(c, 0)) for c, n in regions]
    if NONE in report["by_region"]:
        reg.append((none_label, report["by_region"][NONE]))
    sheet(labels["by_region"], [labels["region"], labels["debaters"]], reg)
    sheet(labels["by_league"], [labels["league"], labels["debaters"]],
          [(labels["league_" + k], v) for k, v in sorted(report["by_league"].items())])
    sheet(labels["by_setting"], [labels["school_type"], labels["debaters"]],
          [(labels["setting_" + k], report["by_setting"].get(k, 0)) for k in ("urban", "rural", NONE)
           if k in report["by_setting"]])
    sheet(labels["by_grade"], [labels["grade"], labels["debaters"]],
          [(none_label if g == NONE else g, report["by_grade"][g]) for g in sorted_grades(report)])
    sheet(labels["by_gender"], [labels["gender"], labels["debaters"]],
          [(labels["gender_" + k], report["by_gender"].get(k, 0)) for k in ("f", "m", NONE)
           if k in report["by_gender"]])
    res_cols = ("teams", "debaters", "debates", "wins", "breaking")
    res = [(n, *[report["results"].get(c, {}).get(k, 0) for k in res_cols]) for c, n in regions
           if c in report["results"]]
    if NONE in report["results"]:
        res.append((none_label, *[report["results"][NONE].get(k, 0) for k in res_cols]))
    sheet(labels["results"], [labels["region"], *[labels["res_" + k] for k in res_cols]], res)
    return spreadsheet.write_xlsx(sheets, fit_widths=True)

