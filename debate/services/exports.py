"""Exports of a tournament's tabs: team standings, speaker standings, all results and every
ballot version, as tables (a header row of translated column names, then values) written to
CSV (UTF-8 with a BOM, so Excel shows Kazakh letters) or XLSX.

Values stay values in XLSX: marks are numbers rounded as on the pages (two decimals at most),
shown with the reader's own decimal sign, so a spreadsheet can sum them; in CSV they are written
as on the pages (27,5 in Kazakh and Russian, 27.5 in English). Regions are named in the user's
language, not by code; XLSX columns are as wide as their contents.
Each table reads a fixed number of queries per league, whatever its size.
"""
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..models import Adjudicator, Ballot, Debate, DebateAdjudicator, Region, Room, Round, Speaker, Team, User
from ..text.i18n import SIDE_NAMES, fmt_mark, local_time, locale_code, round_title
from . import motion_stats, spreadsheet
from . import standings as standings_svc
from .history import compute_result

KINDS = ("standings", "speakers", "results", "ballots", "motions")
FORMATS = ("csv", "xlsx")


def _status_names():
    return {"submitted": _("Submitted"), "confirmed": _("Confirmed"), "superseded": _("Superseded")}


def _side(side):
    return str(SIDE_NAMES[side]) if side in SIDE_NAMES else ""


def _rank(row):
    return f"{row.rank}=" if row.tied else row.rank


def team_standings_table(leagues):
    head = [_("League"), _("Rank"), _("Team"), _("School"), _("Region"), _("Wins"), _("Points"),
            _("Draw strength"), _("Margin"), _("Ballots won")]
    rows = []
    regions = region_names()
    for league in leagues:
        for r, team in standings_svc.team_tab(league):
            code = team.school.region_code if team.school else None
            rows.append([league.name, _rank(r), team.name, team.school.name if team.school else "",
                         regions.get(code, code or ""), r.wins, r.speaker_points,
                         r.draw_strength, r.margin, r.ballots_won])
    return head, rows


def speaker_standings_table(leagues):
    head = [_("League"), _("Rank"), _("Speaker"), _("Team"), _("Total"), _("Average"), _("Speeches"), _("Ranked")]
    rows = []
    yes, no = _("Yes"), _("No")
    for league in leagues:
        for r, s, team in standings_svc.speaker_tab(league):
            rows.append([league.name, _rank(r) if r.ranked else "", s.name, team.name, r.total, r.average,
                         r.speeches, yes if r.ranked else no])
    return head, rows


def _league_debates(league):
    """(debates with their rounds, in round order), team names, speaker ids per team."""
    debates = db.session.execute(select(Debate, Round).join(Round, Round.id == Debate.round_id)
                                 .where(Debate.league_id == league.id).order_by(Round.seq, Debate.id)).all()
    teams = dict(db.session.execute(select(Team.id, Team.name).where(Team.league_id == league.id)).all())
    speaker_ids = defaultdict(list)
    speaker_names = {}
    for sid, tid, name in db.session.execute(select(Speaker.id, Speaker.team_id, Speaker.name).join(Team)
                                             .where(Team.league_id == league.id)
                                             .order_by(Speaker.team_id, Speaker.position)):
        speaker_ids[tid].append(sid)
        speaker_names[sid] = name
    return debates, teams, speaker_ids, speaker_names


def _in_league(league):
    return select(Debate.id).where(Debate.league_id == league.id)


def results_table(leagues):
    head = [_("League"), _("Round"), _("Room"), _("Government"), _("Opposition"), _("Winner"),
            _("Winning team"), _("Government points"), _("Opposition points"), _("Margin"),
            _("Government votes"), _("Opposition votes"), _("Forfeit (team absent)")]
    rows = []
    for league in leagues:
        debates, teams, speaker_ids, _names = _league_debates(league)
        rooms = dict(db.session.execute(select(Room.id, Room.name).where(Room.tournament_id == league.tournament_id)).all())
        ballots = defaultdict(list)
        for b in db.session.scalars(select(Ballot).where(Ballot.debate_id.in_(_in_league(league)),
                                                         Ballot.status == "confirmed").order_by(Ballot.id)):
            ballots[b.debate_id].append(b)
        chairs = dict(db.session.execute(select(DebateAdjudicator.debate_id, DebateAdjudicator.adjudicator_id)
                                         .where(DebateAdjudicator.debate_id.in_(_in_league(league)),
                                                DebateAdjudicator.role == "chair")).all())
        for d, rnd in debates:
            gov, opp = teams.get(d.gov_team_id, ""), teams.get(d.opp_team_id, "")
            if d.confirmed_at is None:
                rows.append([league.name, round_title(rnd), rooms.get(d.room_id, ""), gov, opp, "", "",
                             None, None, None, None, None, ""])
                continue
            res = compute_result(d, ballots[d.id], chairs, speaker_ids)
            pts = res.team_points or {}
            winner = d.winner or res.winner
            rows.append([league.name, round_title(rnd), rooms.get(d.room_id, ""), gov, opp, _side(winner),
                         gov if winner == "gov" else opp if winner == "opp" else "",
                         pts.get("gov"), pts.get("opp"), res.margin, res.votes.get("gov", 0), res.votes.get("opp", 0),
                         (gov if d.forfeit == "gov" else opp) if d.forfeit else ""])
    return head, rows


def ballots_table(leagues):
    head = [_("League"), _("Round"), _("Debate"), _("Government"), _("Opposition"), _("Adjudicator"),
            _("Version"), _("Status"), _("Winner"), _("Prime Minister"), _("Member of Government"),
            _("Leader of Opposition"), _("Member of Opposition"), _("Best orator"), _("Best analyst"),
            _("Submitted at"), _("Entered by"), _("Confirmed by"), _("Confirmed at"), _("Submission id")]
    statuses = _status_names()
    users = None
    rows = []
    for league in leagues:
        debates, teams, _ids, speaker_names = _league_debates(league)
        by_id = {d.id: (d, rnd) for d, rnd in debates}
        adjs = dict(db.session.execute(select(Adjudicator.id, Adjudicator.name)
                                       .where(Adjudicator.tournament_id == league.tournament_id)).all())
        if users is None:
            users = dict(db.session.execute(select(User.id, User.username)).all())
        ballots = db.session.scalars(select(Ballot).where(Ballot.debate_id.in_(_in_league(league)))
                                     .order_by(Ballot.debate_id, Ballot.adjudicator_id, Ballot.version)).all()
        ballots.sort(key=lambda b: by_id[b.debate_id][1].seq)  # stable: round order, then as queried
        for b in ballots:
            d, rnd = by_id[b.debate_id]
            scores, noms = b.scores or {}, b.nominations or {}
            rows.append([league.name, round_title(rnd), d.id, teams.get(d.gov_team_id, ""),
                         teams.get(d.opp_team_id, ""), adjs.get(b.adjudicator_id, ""), b.version,
                         statuses.get(b.status, b.status), _side(b.winner),
                         scores.get("PM"), scores.get("MG"), scores.get("LO"), scores.get("MO"),
                         speaker_names.get(_int(noms.get("orator")), ""), speaker_names.get(_int(noms.get("analyst")), ""),
                         _when(b.created_at), users.get(b.entered_by_id, _("Adjudicator (own phone)")),
                         users.get(b.confirmed_by_id, ""), _when(b.confirmed_at), b.client_id])
    return head, rows


def motions_table(leagues):
    """Motion statistics (services.motion_stats): released rounds only, as on the public page."""
    head = [_("League"), _("Round"), _("Motion"), _("Debates"), _("Government wins"), _("Opposition wins"),
            _("Average margin"), _("Split decisions")]
    rows = []
    for league in leagues:
        for m in motion_stats.league_stats(league):
            rows.append([league.name, round_title(m.round), m.motion or "", m.debates, m.gov_wins, m.opp_wins,
                         m.average_margin, m.splits])
    return head, rows


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _when(dt):
    """In the tournament's time zone (set for the request by the view), with its offset."""
    return local_time(dt).strftime("%Y-%m-%d %H:%M %z") if dt else ""


TABLES = {"standings": team_standings_table, "speakers": speaker_standings_table,
          "results": results_table, "ballots": ballots_table, "motions": motions_table}


def region_names() -> dict:
    """{region code: its name in the user's language}."""
    locale = locale_code()
    return {r.code: r.name(locale) for r in db.session.scalars(select(Region))}


def _rounded(value):
    """As on the pages: two decimals at most (27.333… → 27.33); whole numbers stay whole."""
    if isinstance(value, float):
        value = round(value, 2)
        return int(value) if value.is_integer() else value
    return value


def table(kind, leagues):
    head, rows = TABLES[kind](leagues)
    return head, [[_rounded(v) for v in row] for row in rows]


def _csv_value(value):
    """A fractional number as the pages write it in the user's language (27,5 in kk and ru)."""
    return fmt_mark(value) if isinstance(value, float) else value


def to_csv(head, rows) -> bytes:
    """UTF-8 with a byte-order mark: Excel then reads Kazakh and Russian letters correctly."""
    return spreadsheet.write_csv(head, [[_csv_value(v) for v in row] for row in rows])


def to_xlsx(head, rows, title) -> bytes:
    return spreadsheet.write_xlsx([(title, head, rows)], fit_widths=True)


def sheet_titles():
    return {"standings": _("Team standings"), "speakers": _("Speaker standings"), "results": _("Results"),
            "ballots": _("Ballots"), "motions": _("Motion statistics")}
