"""The season: district → city → regional → republican. A tournament names the one it
qualifies for; the director of a finished tournament promotes its top teams per league into
it; at the later stage adjudicators who judged the same teams earlier are flagged
(regulations, Annex 2 cl. 7: republican jurors may not have judged the earlier stages).

People are matched across tournaments by normalised name (each tournament has its own rows).
A team is "the same team" at two stages when one was promoted from the other (Promotion), or
when team name and school name agree.
"""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Adjudicator, Debate, DebateAdjudicator, Promotion, Round, Team, Tournament
from ..models.participants import normalise_name
from ..settings import get_setting
from . import standings as standings_svc
from .audit import audit
from .errors import Refused
from .participants import add_teams

# ----- the chain of tournaments -----

def earlier_tournaments(t) -> list[Tournament]:
    """Every tournament that qualifies into t, directly or through others (no cycles)."""
    out, seen, frontier = [], {t.id}, [t.id]
    while frontier:
        rows = db.session.scalars(select(Tournament).where(Tournament.qualifies_for_id.in_(frontier))).all()
        frontier = []
        for r in rows:
            if r.id not in seen:
                seen.add(r.id)
                out.append(r)
                frontier.append(r.id)
    return out


def season_of(t) -> list[Tournament]:
    """t and everything qualifying into it, earlier stages first."""
    order = {"district": 0, "city": 1, "regional": 2, "republican": 3}
    return sorted([t, *earlier_tournaments(t)], key=lambda x: (order.get(x.stage, 9), x.id))


def set_qualifies_for(t, target, user):
    """Name the tournament t qualifies for (None to clear). Refuses a cycle."""
    if target is not None:
        if target.id == t.id or any(e.id == target.id for e in earlier_tournaments(t)):
            raise Refused(422, "season_cycle")
    t.qualifies_for_id = target.id if target else None
    audit(t.id, "qualifies_for_set", t, user=user, target_id=t.qualifies_for_id)


# ----- promotion -----

def is_finished(t) -> bool:
    """Every debate of every round has a confirmed result (and there was at least one)."""
    debates = db.session.scalars(select(Debate).join(Round).where(Round.tournament_id == t.id)).all()
    return bool(debates) and all(d.confirmed_at is not None for d in debates)


def teams_to_promote(league, how: str, n: int | None = None) -> list[Team]:
    """how="break": the league's breaking teams in seed order; how="top": the top n of the
    team tab (a tie at the cut is kept whole, so the director sees it)."""
    if how == "break":
        return [s.team for s in standings_svc.break_of(league)]
    if how != "top" or not n or n < 1:
        raise Refused(422, "promote_how")
    rows = standings_svc.team_tab(league)
    return [team for r, team in rows if r.rank is not None and r.rank <= n]


def promote(source, target, user, how="break", n=None) -> dict:
    """Carry teams of the finished tournament `source` into `target` (the tournament it
    qualifies for): league by language, school (name, region, rural), coach (name, contact)
    and speakers (name, grade, gender). Teams whose name is already used in the target are
    not carried and are reported. Returns {"promoted": [(source team, target team)],
    "collisions": [source team], "no_league": [source team]}."""
    if source.qualifies_for_id != target.id:
        raise Refused(409, "not_qualifying_target")
    if not is_finished(source):
        raise Refused(409, "tournament_not_finished")
    target_leagues = {lg.language: lg for lg in target.leagues}
    taken = {normalise_name(n_) for n_ in db.session.scalars(select(Team.name).where(Team.tournament_id == target.id))}
    already = set(db.session.scalars(select(Promotion.source_team_id).where(Promotion.target_tournament_id == target.id)))
    result = {"promoted": [], "collisions": [], "no_league": [], "already": []}
    items, sources = [], []
    for league in source.leagues:
        for team in teams_to_promote(league, how, n):
            if team.id in already:
                result["already"].append(team)
                continue
            tl = target_leagues.get(league.language)
            if tl is None:
                result["no_league"].append(team)
                continue
            key = normalise_name(team.name)
            if key in taken:
                result["collisions"].append(team)
                continue
            taken.add(key)
            school = team.school
            items.append({
                "league_id": tl.id, "name": team.name,
                "school": {"name": school.name, "region": school.region_code, "rural": school.rural} if school else {},
                "coach": {"name": team.coach.name, "contact": team.coach.contact} if team.coach else {},
                "speakers": [{"name": s.name, "grade": s.grade, "gender": s.gender} for s in team.speakers],
            })
            sources.append(team)
    created = add_teams(target, items) if items else []
    for src, new in zip(sources, created):
        db.session.add(Promotion(source_team_id=src.id, target_team_id=new.id, target_tournament_id=target.id,
                                 promoted_by_id=user.id if user else None))
        result["promoted"].append((src, new))
    db.session.flush()
    audit(source.id, "teams_promoted", source, user=user, target_id=target.id, how=how, n=n,
          promoted=[s.name for s, _n in result["promoted"]], collisions=[s.name for s in result["collisions"]],
          no_league=[s.name for s in result["no_league"]])
    audit(target.id, "teams_received", target, user=user, source_id=source.id,
          teams=[n_.name for _s, n_ in result["promoted"]])
    return result


# ----- adjudicators who judged the same teams earlier -----

def _team_identity(team) -> tuple:
    return (normalise_name(team.name), normalise_name(team.school.name) if team.school else "")


def _origins(t) -> dict:
    """{earlier team id: target team id} for every team of t and its promoted ancestors, and
    teams matched by (team name, school name)."""
    teams = db.session.scalars(select(Team).where(Team.tournament_id == t.id).options(selectinload(Team.school))).all()
    by_identity = {_team_identity(tm): tm.id for tm in teams}
    origin = {}
    frontier = {tm.id: tm.id for tm in teams}   # team id → target team id
    while frontier:
        rows = db.session.scalars(select(Promotion).where(Promotion.target_team_id.in_(list(frontier)))).all()
        nxt = {}
        for p in rows:
            if p.source_team_id not in origin:
                origin[p.source_team_id] = frontier[p.target_team_id]
                nxt[p.source_team_id] = frontier[p.target_team_id]
        frontier = nxt
    return origin, by_identity


def earlier_stage_conflicts(t) -> dict:
    """{adjudicator id in t: {target team id: [(earlier tournament, earlier team name)]}} for
    every adjudicator of t who, under the same normalised name, sat on a panel at an earlier
    stage of t's season judging a team that is now in t. The allocation page can treat the
    keys of the inner dict as team conflicts."""
    earlier = earlier_tournaments(t)
    if not earlier:
        return {}
    adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)).all()
    names = defaultdict(list)
    for a in adjs:
        names[normalise_name(a.name)].append(a.id)
    origin, by_identity = _origins(t)
    ids = [e.id for e in earlier]
    by_id = {e.id: e for e in earlier}
    rows = db.session.execute(
        select(Adjudicator.name, Round.tournament_id, Debate.gov_team_id, Debate.opp_team_id)
        .select_from(DebateAdjudicator)
        .join(Adjudicator, DebateAdjudicator.adjudicator_id == Adjudicator.id)
        .join(Debate, DebateAdjudicator.debate_id == Debate.id)
        .join(Round, Debate.round_id == Round.id)
        .where(Round.tournament_id.in_(ids))).all()
    team_ids = {x for r in rows for x in (r[2], r[3])}
    teams = {tm.id: tm for tm in db.session.scalars(select(Team).where(Team.id.in_(team_ids))
                                                     .options(selectinload(Team.school)))} if team_ids else {}
    out = defaultdict(lambda: defaultdict(list))
    for name, tid, gov, opp in rows:
        mine = names.get(normalise_name(name))
        if not mine:
            continue
        for team_id in (gov, opp):
            target_team = origin.get(team_id) or by_identity.get(_team_identity(teams[team_id]))
            if target_team is None:
                continue
            for aid in mine:
                entry = (by_id[tid], teams[team_id].name)
                if entry not in out[aid][target_team]:
                    out[aid][target_team].append(entry)
    return {aid: dict(v) for aid, v in out.items()}


def judged_earlier(t) -> dict:
    """{adjudicator id in t: [earlier tournament]} — everyone who judged at an earlier stage of
    the season at all (the regulations' wider rule; shown as information)."""
    earlier = earlier_tournaments(t)
    if not earlier:
        return {}
    by_id = {e.id: e for e in earlier}
    rows = db.session.execute(
        select(Adjudicator.name, Round.tournament_id).select_from(DebateAdjudicator)
        .join(Adjudicator, DebateAdjudicator.adjudicator_id == Adjudicator.id)
        .join(Round, DebateAdjudicator.round_id == Round.id)
        .where(Round.tournament_id.in_(list(by_id))).distinct()).all()
    seen = defaultdict(set)
    for name, tid in rows:
        seen[normalise_name(name)].add(tid)
    out = {}
    for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)):
        tids = seen.get(normalise_name(a.name))
        if tids:
            out[a.id] = [by_id[x] for x in sorted(tids)]
    return out


def jury_exclusions(t) -> dict:
    """{adjudicator id: reason} of the people Order No. 99 keeps off this tournament's jury while
    its setting `jury_exclusions` is on (default: at the republican stage), for every round:
    "teacher" — coaches one of the tournament's teams (same name as the team's coach) or is from
    the school one of its teams comes from; "earlier_stage" — sat on a jury at an earlier stage of
    the season (same name). At lower stages the per-team conflicts alone apply."""
    if not get_setting(t, "jury_exclusions"):
        return {}
    coaches, schools = set(), set()
    for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id)
                                 .options(selectinload(Team.coach), selectinload(Team.school))):
        if tm.coach:
            coaches.add(normalise_name(tm.coach.name))
        if tm.school:
            schools.add(normalise_name(tm.school.name))
    out = {}
    for a in db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)):
        if normalise_name(a.name) in coaches or (a.school and normalise_name(a.school) in schools):
            out[a.id] = "teacher"
    for aid in judged_earlier(t):
        out.setdefault(aid, "earlier_stage")
    return out
