"""Who receives which document at the end of a tournament, and the stored documents with
their verification codes.

Placings come from the confirmed elimination debates of each league; with diploma_rule
"placing" the setting award_degrees maps a placing to a diploma degree (default: champion I,
finalist II, semifinalists III); with "share" diploma_share percent of the league's teams get
diplomas split by diploma_split, ranked by the playoff stage reached, then the preliminary
standings, and teams tied at a cut are put to the director (DiplomaTieChoice). Best speakers are the top best_speakers_awarded of the speaker tab (a tie
at the cut widens the group, as the regulations allow); best orator and best analyst are the
top of the nominations unless the director chose otherwise. Coaches of every awarded team
(or every coach, with gratitude_all_coaches) receive a letter of gratitude; every debater receives a certificate of participation.

The pure part (placings, degree map, best speakers) takes plain values; sync_awards stores.
"""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Award, Debate, DiplomaTieChoice, League, NominationChoice, Round, Speaker, Team, TeamAppealCode
from ..models.awards import TEAM_SEPARATOR, new_verification_code
from ..settings import parse_degree_map
from ..tab import diplomas as tab_diplomas
from . import standings as standings_svc
from .audit import audit
from .errors import Refused

LOSER_PLACING = {"final": "finalist", "semifinal": "semifinalist", "quarterfinal": "quarterfinalist",
                 "octofinal": "octofinalist"}

# Download categories → award kinds.
CATEGORIES = {
    "diplomas": ("degree",),
    "speakers": ("best_speaker",),
    "nominations": ("orator", "analyst"),
    "gratitude": ("gratitude",),
    "participation": ("participation",),
}


# ----- pure -----

def placings(debates) -> dict:
    """debates: [(kind, gov_team_id, opp_team_id, winner "gov"/"opp"/None)] of one league's
    elimination rounds → {team_id: placing}. A team is placed by the round it lost; the winner
    of the final is champion. Undecided debates place nobody."""
    out = {}
    order = {k: i for i, k in enumerate(("octofinal", "quarterfinal", "semifinal", "final"))}
    for kind, gov, opp, winner in sorted(debates, key=lambda d: order.get(d[0], -1)):
        if kind not in LOSER_PLACING or winner not in ("gov", "opp"):
            continue
        won, lost = (gov, opp) if winner == "gov" else (opp, gov)
        out[lost] = LOSER_PLACING[kind]
        if kind == "final":
            out[won] = "champion"
    return out


def best_speaker_places(rows, n: int) -> list:
    """rows: [(rank, ranked, speaker_id)] in tab order → [(rank, speaker_id)] with rank <= n.
    Everyone tied at the cut is included."""
    return [(rank, sid) for rank, ranked, sid in rows if ranked and rank is not None and rank <= n]


# ----- reading the tab -----

@dataclass
class Nominee:
    kind: str
    speaker: Speaker | None
    chosen: bool            # the director confirmed or overrode
    tied: bool              # the top of the nominations is shared: the director must choose
    shortlist: list         # [(NominationRow, Speaker)]
    top: list = field(default_factory=list)  # the speakers sharing the top (more than one: tied)


def league_placings(league) -> dict:
    rows = db.session.execute(
        select(Round.kind, Debate.gov_team_id, Debate.opp_team_id, Debate.winner, Debate.confirmed_at)
        .join(Round, Debate.round_id == Round.id)
        .where(Debate.league_id == league.id, Round.kind != "prelim")).all()
    return placings([(k, g, o, w if c is not None else None) for k, g, o, w, c in rows])


def nominee(league, kind) -> Nominee:
    shortlist = standings_svc.nominations(league).get(kind, [])
    choice = db.session.scalar(select(NominationChoice).where(NominationChoice.league_id == league.id,
                                                              NominationChoice.kind == kind))
    top = [s for row, s in shortlist if row.rank == 1]
    if choice is not None:
        return Nominee(kind, choice.speaker, True, False, shortlist, top)
    if len(top) > 1:  # a tie is the director's to break, never the lowest id's
        return Nominee(kind, None, False, True, shortlist, top)
    return Nominee(kind, top[0] if top else None, False, False, shortlist, top)


def share_degrees(league):
    """Diplomas by share for one league: ({team_id: degree}, the first undecided Tie or None)."""
    t = league.tournament
    place = league_placings(league)
    withdrawn = standings_svc.withdrawn_team_ids(league)
    ranked = [(row.team_id, tab_diplomas.rank_key(place.get(row.team_id), row.rank))
              for row, _team in standings_svc.team_tab(league) if row.team_id not in withdrawn]
    choices = {c.degree: (c.tied_team_ids, c.chosen_team_ids) for c in db.session.scalars(
        select(DiplomaTieChoice).where(DiplomaTieChoice.league_id == league.id))}
    return tab_diplomas.share_degrees(ranked, int(t.setting("diploma_share")), t.setting("diploma_split"), choices)


def diploma_tie(league):
    """The undecided tie at a diploma cut of this league (diplomas by share), or None."""
    if league.tournament.setting("diploma_rule") != "share":
        return None
    return share_degrees(league)[1]


def choose_diploma_tie(league, degree, team_ids, user):
    """The director decides the tie at the cut of `degree`: team_ids (any of the tied teams,
    all of them to widen the group, none to keep it narrower) get that degree. Refused 409
    diploma_tie_changed when no such tie is open (the standings changed meanwhile)."""
    tie = diploma_tie(league)
    if tie is None or tie.degree != degree:
        raise Refused(409, "diploma_tie_changed")
    chosen = sorted({int(i) for i in team_ids})
    if not set(chosen) <= set(tie.team_ids):
        raise Refused(422, "include_not_at_cut")
    choice = db.session.scalar(select(DiplomaTieChoice).where(DiplomaTieChoice.league_id == league.id,
                                                              DiplomaTieChoice.degree == degree))
    if choice is None:
        choice = DiplomaTieChoice(league_id=league.id, degree=degree)
        db.session.add(choice)
    choice.tied_team_ids, choice.chosen_team_ids = list(tie.team_ids), chosen
    choice.chosen_by_id = user.id if user else None
    db.session.flush()
    names = {tm.id: tm.name for tm in db.session.scalars(select(Team).where(Team.id.in_(tie.team_ids)))}
    audit(league.tournament_id, "diploma_tie_decided", choice, user=user, degree=degree,
          tied=[names[i] for i in tie.team_ids], chosen=[names[i] for i in chosen])
    return choice


def _tie_refusal(league, tie):
    names = {tm.id: tm.name for tm in db.session.scalars(select(Team).where(Team.id.in_(tie.team_ids)))}
    return Refused(409, "diploma_tie", {"league": league.name, "degree": tie.degree, "places": tie.places,
                                        "team_ids": list(tie.team_ids),
                                        "names": sorted(names[i] for i in tie.team_ids)})


def choose_nominee(league, kind, speaker_id, user):
    if kind not in ("orator", "analyst"):
        raise ValueError(kind)
    sp = db.session.get(Speaker, speaker_id)
    if sp is None or sp.team.league_id != league.id:
        raise ValueError(speaker_id)
    choice = db.session.scalar(select(NominationChoice).where(NominationChoice.league_id == league.id,
                                                              NominationChoice.kind == kind))
    if choice is None:
        choice = NominationChoice(league_id=league.id, kind=kind)
        db.session.add(choice)
    choice.speaker_id, choice.chosen_by_id = sp.id, user.id if user else None
    db.session.flush()
    audit(league.tournament_id, "nominee_chosen", choice, user=user, kind=kind, speaker_id=sp.id, name=sp.name)
    return choice


def planned_awards(t) -> list[dict]:
    """Every document the tournament should issue now, as dicts keyed like Award rows."""
    degree_map = parse_degree_map(t.setting("award_degrees"))
    n_best = int(t.setting("best_speakers_awarded") or 0)
    out = []
    for league in t.leagues:
        teams = db.session.scalars(select(Team).where(Team.league_id == league.id)
                                   .options(selectinload(Team.speakers), selectinload(Team.coach))
                                   .order_by(Team.name)).all()
        by_id = {tm.id: tm for tm in teams}
        awarded_teams = []
        if t.setting("diploma_rule") == "share":
            degrees, _tie = share_degrees(league)
        else:
            degrees = {team_id: degree_map.get(placing) for team_id, placing in league_placings(league).items()}
        for team_id, degree in sorted(degrees.items(), key=lambda kv: (kv[1] or 9, by_id[kv[0]].name)):
            if degree is None:
                continue
            team = by_id[team_id]
            awarded_teams.append(team)
            for sp in team.speakers:
                out.append(dict(kind="degree", league=league, degree=degree, speaker=sp, team=team))
        tab = standings_svc.speaker_tab(league)
        for rank, sid in best_speaker_places([(r.rank, r.ranked, s.id) for r, s, _t in tab], n_best):
            sp = next(s for _r, s, _t in tab if s.id == sid)
            out.append(dict(kind="best_speaker", league=league, place=rank, speaker=sp, team=sp.team))
            awarded_teams.append(sp.team)
        for kind in ("orator", "analyst"):
            nom = nominee(league, kind)
            if nom.speaker is not None:
                out.append(dict(kind=kind, league=league, speaker=nom.speaker, team=nom.speaker.team))
                awarded_teams.append(nom.speaker.team)
        coaches = {}
        if t.setting("gratitude_all_coaches"):
            awarded_teams += teams
        for team in awarded_teams:
            if team.coach is not None:
                coaches.setdefault(team.coach.id, (team.coach, []))
                if team.name not in coaches[team.coach.id][1]:
                    coaches[team.coach.id][1].append(team.name)
        for coach, names in coaches.values():
            out.append(dict(kind="gratitude", league=league, coach=coach, team_names=names))
        for team in teams:
            for sp in team.speakers:
                out.append(dict(kind="participation", league=league, speaker=sp, team=team))
    return out


def _key(kind, league_id, speaker_id, coach_id):
    return (kind, league_id, speaker_id, coach_id)


def sync_awards(t, user=None) -> dict:
    """Store the documents planned now. A document already stored keeps its code (it may be
    printed); one no longer due is revoked (its code then verifies as withdrawn); one due again
    is restored. Returns {"created": n, "updated": n, "revoked": n}. Refused 409 nomination_tie
    (with the tied names) while a best orator or best analyst is tied and the director has not
    chosen; 409 diploma_tie (with the tied teams) while teams are tied at a diploma cut (diplomas
    by share) and the director has not decided."""
    for league in t.leagues:
        for kind in ("orator", "analyst"):
            nom = nominee(league, kind)
            if nom.tied:
                raise Refused(409, "nomination_tie", {"kind": kind, "league": league.name,
                                                      "names": [s.name for s in nom.top if s is not None]})
        tie = diploma_tie(league)
        if tie is not None:
            raise _tie_refusal(league, tie)
    existing = {_key(a.kind, a.league_id, a.speaker_id, a.coach_id): a
                for a in db.session.scalars(select(Award).where(Award.tournament_id == t.id))}
    seen, stats = set(), {"created": 0, "updated": 0, "revoked": 0}
    for p in planned_awards(t):
        sp, coach, team = p.get("speaker"), p.get("coach"), p.get("team")
        key = _key(p["kind"], p["league"].id, sp.id if sp else None, coach.id if coach else None)
        seen.add(key)
        values = dict(degree=p.get("degree"), place=p.get("place"), team_id=team.id if team else None,
                      recipient=(sp or coach).name,
                      team_name=team.name if team else TEAM_SEPARATOR.join(p.get("team_names", [])))
        a = existing.get(key)
        if a is None:
            a = Award(tournament_id=t.id, league_id=p["league"].id, kind=p["kind"],
                      speaker_id=sp.id if sp else None, coach_id=coach.id if coach else None,
                      code=_unique_code(), **values)
            db.session.add(a)
            stats["created"] += 1
        elif a.revoked or any(getattr(a, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(a, k, v)
            a.revoked = False
            stats["updated"] += 1
        if a.superseded:  # issued again as planned now
            a.superseded = False
    for key, a in existing.items():
        if key not in seen and not a.revoked:
            a.revoked = True
            stats["revoked"] += 1
    db.session.flush()
    audit(t.id, "awards_prepared", t, user=user, **stats)
    return stats


def _unique_code() -> str:
    while True:
        code = new_verification_code()
        if db.session.scalar(select(Award.id).where(Award.code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def find_by_code(code: str):
    code = normalise_code(code)
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Award).where(Award.code == code))


def awards_of(t, category=None, league_id=None) -> list[Award]:
    q = select(Award).where(Award.tournament_id == t.id, Award.revoked.is_(False))
    if category is not None:
        q = q.where(Award.kind.in_(CATEGORIES[category]))
    if league_id is not None:
        q = q.where(Award.league_id == league_id)
    order = {k: i for i, k in enumerate(("degree", "best_speaker", "orator", "analyst", "gratitude", "participation"))}
    rows = db.session.scalars(q.options(selectinload(Award.league))).all()
    return sorted(rows, key=lambda a: (a.league_id, order[a.kind], a.degree or 0, a.place or 0,
                                       a.team_name or "", a.recipient))


def counts(t) -> dict:
    out = {c: 0 for c in CATEGORIES}
    for a in awards_of(t):
        for c, kinds in CATEGORIES.items():
            if a.kind in kinds:
                out[c] += 1
    return out


def team_code(team) -> str:
    """The team's appeal code, made on first use."""
    row = db.session.scalar(select(TeamAppealCode).where(TeamAppealCode.team_id == team.id))
    if row is None:
        row = TeamAppealCode(team_id=team.id)
        db.session.add(row)
        db.session.flush()
    return row.code


def team_codes(t) -> dict:
    """{team_id: code} for every team of the tournament (making the missing ones)."""
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id)).all()
    have = {r.team_id: r.code for r in db.session.scalars(
        select(TeamAppealCode).join(Team, TeamAppealCode.team_id == Team.id).where(Team.tournament_id == t.id))}
    for team in teams:
        if team.id not in have:
            have[team.id] = team_code(team)
    return have


def league_of(t, lid):
    lg = db.session.get(League, lid)
    return lg if lg is not None and lg.tournament_id == t.id else None
