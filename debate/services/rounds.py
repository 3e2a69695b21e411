"""Rounds: creating them, drawing every league, allocating panels and rooms jointly across
the leagues, manual edits, and releasing. The tab logic decides; this module loads and stores."""
import random
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import (
    Adjudicator,
    Ballot,
    BreakSeed,
    Bye,
    Debate,
    DebateAdjudicator,
    League,
    Motion,
    Room,
    Round,
    RoundLeague,
    Team,
)
from ..models.participants import normalise_name
from ..tab import allocation as alloc
from ..tab import bracket as bracket_mod
from ..tab import rooms as rooms_mod
from ..tab.draw import DrawOptions, DrawTeam, make_draw
from ..tab.standings import team_standings
from .attendance import present_adjudicator_ids, present_team_ids
from .audit import audit
from .errors import Refused
from .history import league_history
from .round_lock import ensure_unlocked
from .season import earlier_stage_conflicts, jury_exclusions
from .values import require_bools

ELIM_KINDS = ("octofinal", "quarterfinal", "semifinal", "final")


def rounds_of(tournament):
    return db.session.scalars(select(Round).where(Round.tournament_id == tournament.id).order_by(Round.seq)).all()


def create_round(tournament, kind="prelim", league_ids=None, motions=None, user=None) -> Round:
    if not isinstance(kind, str) or kind not in ("prelim",) + ELIM_KINDS:
        raise Refused(422, "choice")
    if league_ids is not None and (not isinstance(league_ids, list)
                                   or not all(isinstance(x, int) and not isinstance(x, bool) for x in league_ids)):
        raise Refused(422, "validation_failed", fields={"leagues": "wrong_type"})
    motions = _motions_in(motions)
    existing = rounds_of(tournament)
    leagues = {lg.id: lg for lg in tournament.leagues}
    if league_ids is None:
        league_ids = list(leagues) if kind == "prelim" else _breaking_leagues(tournament, kind)
    if not league_ids or any(lid not in leagues for lid in league_ids):
        raise Refused(422, "unknown_league")
    if kind != "prelim":
        for lid in league_ids:
            if not db.session.scalar(select(func.count()).select_from(BreakSeed).where(BreakSeed.league_id == lid)):
                raise Refused(409, "no_break")
    number = 1 + sum(1 for r in existing if r.kind == kind)
    rnd = Round(tournament_id=tournament.id, seq=1 + max((r.seq for r in existing), default=0), number=number,
                kind=kind)
    rnd.leagues = [RoundLeague(league_id=lid) for lid in league_ids]
    db.session.add(rnd)
    db.session.flush()
    for lid, m in motions.items():
        set_motion(rnd, lid, m.get("text"), m.get("info_slide"))
    audit(tournament.id, "round_created", rnd, user=user, kind=kind, number=number)
    return rnd


def _breaking_leagues(tournament, kind):
    out = []
    for lg in tournament.leagues:
        size = db.session.scalar(select(func.count()).select_from(BreakSeed).where(BreakSeed.league_id == lg.id))
        if size and kind in bracket_mod.stage_names(size):
            out.append(lg.id)
    return out


def _motions_in(motions) -> dict:
    """{league id: {"text", "info_slide"}} from a body's "motions" ({"<league id>": {...}});
    anything else is a 422 naming the field."""
    if motions is None:
        return {}
    if not isinstance(motions, dict):
        raise Refused(422, "validation_failed", fields={"motions": "wrong_type"})
    out = {}
    for key, m in motions.items():
        try:
            lid = int(str(key))
        except ValueError:
            raise Refused(422, "validation_failed", fields={f"motions.{key}"[:80]: "unknown_league"})
        if not isinstance(m, dict):
            raise Refused(422, "validation_failed", fields={f"motions.{lid}": "wrong_type"})
        out[lid] = m
    return out


def set_motion(rnd, league_id, text, info_slide=None):
    for field, value in (("text", text), ("info_slide", info_slide)):
        if value is not None and not isinstance(value, str):
            raise Refused(422, "validation_failed", fields={field: "wrong_type"})
    if league_id not in {rl.league_id for rl in rnd.leagues}:
        raise Refused(422, "unknown_league")
    text = " ".join((text or "").split())
    motion = db.session.scalar(select(Motion).where(Motion.round_id == rnd.id, Motion.league_id == league_id))
    if motion is None:
        motion = Motion(round_id=rnd.id, league_id=league_id, text=text)
        db.session.add(motion)
    motion.text, motion.info_slide = text, (info_slide or "").strip() or None
    return motion


def motions_of(rnd) -> dict:
    return {m.league_id: m for m in db.session.scalars(select(Motion).where(Motion.round_id == rnd.id))}


# ----- the draw -----

def _previous_unconfirmed(tournament, rnd):
    for r in rounds_of(tournament):
        if r.seq < rnd.seq and any(d.confirmed_at is None for d in r.debates):
            return r
    return None


def generate_draw(rnd, regenerate=False, user=None, seed=None):
    t = rnd.tournament
    ensure_unlocked(rnd)
    if rnd.debates:
        if not regenerate:
            raise Refused(409, "draw_exists")
        if rnd.draw_released_any:
            raise Refused(409, "draw_released")
        if any(d for d in rnd.debates if _has_ballots(d)):
            raise Refused(409, "ballots_exist")
    blocking = _previous_unconfirmed(t, rnd)
    if blocking is not None:
        raise Refused(409, "previous_round_unconfirmed", {"round": blocking.number, "kind": blocking.kind})
    db.session.execute(delete(Debate).where(Debate.round_id == rnd.id))
    db.session.execute(delete(Bye).where(Bye.round_id == rnd.id))
    db.session.expire(rnd, ["debates"])
    rng = random.Random(seed)
    for rl in rnd.leagues:
        rl.draw_seed = rng.randrange(2**31) if seed is None else seed
        if rnd.kind == "prelim":
            _draw_prelim_league(rnd, rl)
        else:
            _draw_elimination_league(rnd, rl)
    db.session.flush()
    db.session.expire(rnd, ["debates"])
    allocate_round(rnd, keep_locked=False)
    audit(t.id, "draw_generated", rnd, user=user, regenerate=regenerate)
    return rnd


def _has_ballots(debate):
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.debate_id == debate.id)) > 0


def draw_options(t) -> DrawOptions:
    s = t.setting
    return DrawOptions(method=s("draw_method"), pullup=s("pullup_rule"), round1=s("round1_method"),
                       avoid_region=bool(s("avoid_same_region_draw")))


def _draw_prelim_league(rnd, rl):
    league = db.session.get(League, rl.league_id)
    h = league_history(league, before_seq=rnd.seq)
    # Exactly the teams taking part in the round (services/attendance.py): withdrawn teams are in
    # no later draw (their earlier results stay in the history above), absent ones sit it out.
    present = present_team_ids(rnd)
    teams = [tm for tm in db.session.scalars(select(Team).where(Team.league_id == league.id, Team.active.is_(True))
                                             .options(selectinload(Team.school))).all() if tm.id in present]
    if len(teams) < 2:  # before the standings: an empty league has none to compute
        raise Refused(409, "too_few_teams", {"league": league.name})
    wins, points = {}, {}
    for row in team_standings([tm.id for tm in teams], h.team_results):
        wins[row.team_id], points[row.team_id] = row.wins, row.speaker_points
    inputs = [DrawTeam(id=tm.id, wins=wins.get(tm.id, 0), points=points.get(tm.id, 0.0),
                       gov_count=h.gov_count[tm.id], opp_count=h.opp_count[tm.id],
                       opponents=frozenset(h.opponents[tm.id]),
                       school=normalise_name(tm.school.name) if tm.school else None,
                       region=tm.school.region_code if tm.school else None,
                       pullups=h.pullups[tm.id], had_bye=h.byes[tm.id] > 0, seed_rank=tm.seed_rank)
              for tm in teams]
    if len(inputs) < 2:
        raise Refused(409, "too_few_teams", {"league": league.name})
    draw = make_draw(inputs, rnd.number, rl.draw_seed, draw_options(rnd.tournament))
    top = max((p.bracket for p in draw.debates), default=0)
    for p in draw.debates:
        db.session.add(Debate(round_id=rnd.id, league_id=league.id, gov_team_id=p.gov, opp_team_id=p.opp,
                              bracket=p.bracket, flags=list(p.flags),
                              importance=_importance(p.bracket, top, rnd.number)))
    if draw.bye is not None:
        db.session.add(Bye(round_id=rnd.id, league_id=league.id, team_id=draw.bye))
    rl.draw_summary = {"brackets": draw.brackets, "seed": draw.seed, "cost": draw.cost}


def _importance(bracket, top, number):
    # Later rounds and higher brackets matter more: they decide the break.
    return float(number) + 2.0 * (bracket / top if top else 0)


def _draw_elimination_league(rnd, rl):
    """Pairings along the bracket. bracket_position is the debate's place in its round's bracket
    order; in the first elimination round that order includes the top seeds' byes."""
    seeds = {bs.seed: bs.team_id for bs in db.session.scalars(select(BreakSeed).where(BreakSeed.league_id == rl.league_id))}
    seed_of = {tid: s for s, tid in seeds.items()}
    first_order = [(seeds[a], seeds[b] if b is not None else None) for a, b in bracket_mod.bracket_order(len(seeds))]
    earlier = db.session.scalars(select(Debate).join(Round).where(
        Debate.league_id == rl.league_id, Round.kind.in_(ELIM_KINDS), Round.seq < rnd.seq)).all()
    if not earlier:
        pairings = list(enumerate(first_order))
    else:
        round_ids = sorted({d.round_id for d in earlier}, key=lambda rid: db.session.get(Round, rid).seq)
        last = {d.bracket_position: d for d in earlier if d.round_id == round_ids[-1]}
        template = first_order if len(round_ids) == 1 else [(last[i].gov_team_id, last[i].opp_team_id)
                                                            for i in sorted(last)]
        prev, winners = [], {}
        for i, pair in enumerate(template):
            d = last.get(i)
            if d is None:
                prev.append(pair)  # a bye: the seed goes through
            else:
                prev.append((d.gov_team_id, d.opp_team_id))
                winners[i] = d.gov_team_id if d.winner == "gov" else d.opp_team_id
        pairings = list(enumerate(bracket_mod.next_round_pairs(prev, winners)))
    method = rnd.tournament.setting("elimination_sides")
    for pos, (a, b) in pairings:
        if b is None:
            continue
        high, low = (a, b) if seed_of.get(a, 10**6) < seed_of.get(b, 10**6) else (b, a)
        if method == "higher_seed_choice":
            gov, opp, flags = high, low, ["side_choice_pending"]
        else:
            gov, opp = bracket_mod.elimination_sides(high, low, "coin_toss", seed=rl.draw_seed + pos)
            flags = ["coin_toss"]
        db.session.add(Debate(round_id=rnd.id, league_id=rl.league_id, gov_team_id=gov, opp_team_id=opp,
                              bracket_position=pos, flags=flags, importance=10.0 + rnd.seq))


# ----- allocation -----

def _adj_infos(t, rnd):
    adjs = db.session.scalars(select(Adjudicator).where(Adjudicator.tournament_id == t.id)
                              .options(selectinload(Adjudicator.team_conflicts),
                                       selectinload(Adjudicator.school_conflicts))).all()
    coach_teams = {}
    for tm in db.session.scalars(select(Team).where(Team.tournament_id == t.id).options(selectinload(Team.coach))):
        if tm.coach:
            coach_teams.setdefault(normalise_name(tm.coach.name), set()).add(tm.id)
    seen, judged = {}, {}
    rows = db.session.execute(select(DebateAdjudicator.adjudicator_id, Debate.gov_team_id, Debate.opp_team_id)
                              .join(Debate).join(Round).where(Round.tournament_id == t.id, Round.seq < rnd.seq)).all()
    for a, g, o in rows:
        seen.setdefault(a, set()).update((g, o))
        judged[a] = judged.get(a, 0) + 1
    earlier = earlier_stage_conflicts(t)
    excluded = jury_exclusions(t)
    present = present_adjudicator_ids(rnd)  # available and not marked absent for the round
    infos = [alloc.AdjInfo(id=a.id, languages=frozenset(a.languages or []), rating=float(a.rating or 0),
                           school=normalise_name(a.school) or None, region=a.region_code,
                           coached_team_ids=frozenset(coach_teams.get(normalise_name(a.name), ())),
                           conflict_team_ids=frozenset(c.team_id for c in a.team_conflicts),
                           earlier_team_ids=frozenset(earlier.get(a.id, ())),
                           conflict_schools=frozenset(normalise_name(c.school_name) for c in a.school_conflicts),
                           seen_team_ids=frozenset(seen.get(a.id, ())), rounds_judged=judged.get(a.id, 0),
                           available=a.id in present, excluded=excluded.get(a.id))
             for a in adjs]
    return infos, {a.id: a for a in adjs}


def debate_infos(rnd):
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id)
                                 .options(selectinload(Debate.gov).selectinload(Team.school),
                                          selectinload(Debate.opp).selectinload(Team.school),
                                          selectinload(Debate.league), selectinload(Debate.room),
                                          selectinload(Debate.panel))).all()
    infos = []
    for d in debates:
        teams = (d.gov, d.opp)
        infos.append(alloc.DebateInfo(
            id=d.id, language=d.league.language, team_ids=(d.gov_team_id, d.opp_team_id),
            team_schools=tuple(normalise_name(tm.school.name) if tm.school else None for tm in teams),
            team_regions=tuple(tm.school.region_code if tm.school else None for tm in teams),
            importance=d.importance,
            locked=tuple((p.adjudicator_id, p.role) for p in d.panel if p.locked)))
    return debates, infos


def region_conflict_on(t) -> bool:
    return bool(t.setting("region_conflict"))


def allocate_round(rnd, keep_locked=True, user=None):
    """One joint allocation of panels (and rooms) for every league of the round. Locked seats
    are kept; everything else is re-solved."""
    ensure_unlocked(rnd)
    t = rnd.tournament
    debates, infos = debate_infos(rnd)
    if not keep_locked:
        infos = [alloc.DebateInfo(**{**i.__dict__, "locked": ()}) for i in infos]
    adj_infos, adjs = _adj_infos(t, rnd)
    size = int(t.setting("panel_size") if rnd.kind == "prelim" else t.setting("elimination_panel_size"))
    result = alloc.allocate(infos, adj_infos, panel_size=size, region_conflict=region_conflict_on(t),
                            seed=rnd.id)
    db.session.execute(delete(DebateAdjudicator).where(DebateAdjudicator.round_id == rnd.id))
    locked = {(i.id, a) for i in infos for a, _r in i.locked}
    for debate_id, panel in result.panels.items():
        for pos, (adj_id, role) in enumerate(panel):
            db.session.add(DebateAdjudicator(round_id=rnd.id, debate_id=debate_id, adjudicator_id=adj_id,
                                             role=role, position=pos, locked=(debate_id, adj_id) in locked))
    unfilled = [{"debate_id": u[0], "reason": u[1], **(u[2] if len(u) > 2 and u[2] else {})}
                for u in result.unfilled]
    step_free = {did for did, panel in result.panels.items() if any(adjs[a].needs_access for a, _r in panel)}
    _assign_rooms(rnd, debates, step_free)
    for rl in rnd.leagues:
        rl.draw_summary = {**(rl.draw_summary or {}), "unfilled": [u for u in unfilled
                                                                   if u["debate_id"] in {d.id for d in debates if d.league_id == rl.league_id}]}
    db.session.flush()
    for d in debates:
        db.session.expire(d, ["panel"])
    audit(t.id, "panels_allocated", rnd, user=user, unfilled=len(unfilled))
    return unfilled


def needs_step_free(debate) -> bool:
    """A team or anyone on the panel needs a step-free room."""
    return bool(debate.gov.needs_access or debate.opp.needs_access
                or any(p.adjudicator.needs_access for p in debate.panel))


def _assign_rooms(rnd, debates, step_free_panels=None):
    """Rooms after panels, so an adjudicator who needs a step-free room gets one too.
    step_free_panels: debates whose new (not yet loaded) panel needs one; None = read d.panel."""
    rooms = db.session.scalars(select(Room).where(Room.tournament_id == rnd.tournament_id,
                                                  Room.available.is_(True))).all()

    def needs(d):
        if step_free_panels is None:
            return needs_step_free(d)
        return bool(d.gov.needs_access or d.opp.needs_access or d.id in step_free_panels)
    needs = [rooms_mod.RoomNeed(debate_id=d.id, needs_accessible=needs(d),
                                importance=d.importance, locked_room=d.room_id if d.room_locked else None)
             for d in debates]
    assigned, _problems = rooms_mod.assign_rooms(needs, [rooms_mod.RoomInfo(id=r.id, accessible=r.accessible,
                                                                            priority=r.priority) for r in rooms])
    for d in debates:
        d.room_id = assigned.get(d.id)


def unfilled_of(rnd):
    return [u for rl in rnd.leagues for u in (rl.draw_summary or {}).get("unfilled", [])]


# ----- release -----

def release(rnd, draw=None, motion=None, results=None, user=None, league_id=None, silent=None):
    """Publish (True) or withdraw (False) parts of a round in one league (league_id) or in every
    league of the round (None); None leaves a part as it is. Each league's motion countdown
    starts at its own release. Every value must be a boolean (None: untouched) and league_id
    a league of the round: otherwise Refused 422 and nothing changes. Returns the ids of the
    leagues whose public state changed."""
    if league_id is not None and (isinstance(league_id, bool) or not isinstance(league_id, int)
                                  or rnd.league_part(league_id) is None):
        raise Refused(422, "validation_failed", fields={"league_id": "unknown_league"})
    require_bools({"draw": draw, "motion": motion, "results": results, "silent": silent},
                  ("draw", "motion", "results", "silent"))
    parts = rnd.leagues if league_id is None else [rnd.league_part(league_id)]
    before = {rl.league_id: _public_state(rnd, rl) for rl in rnd.leagues}
    if draw is not None:
        if draw and not any(d.league_id in {rl.league_id for rl in parts} for d in rnd.debates):
            raise Refused(409, "no_draw")
        for rl in parts:
            rl.draw_released = draw
    if motion is not None:
        motions = motions_of(rnd)
        if motion:
            ready = [rl for rl in parts if rl.league_id in motions]
            if not ready:
                raise Refused(409, "no_motion")
            now = datetime.now(timezone.utc)
            for rl in ready:
                if rl.motion_released_at is None:  # the countdown starts at this league's release
                    rl.motion_released_at = now
        else:
            for rl in parts:
                rl.motion_released_at = None
    if results is not None:
        for rl in parts:
            rl.results_released = results
    if silent is not None:
        rnd.silent = silent
    state = {str(rl.league_id): {"draw": bool(rl.draw_released), "motion": rl.motion_released,
                                 "results": bool(rl.results_released)} for rl in parts}
    if draw is None and motion is None and results is None:
        if silent is not None:
            audit(rnd.tournament_id, "round_silent", rnd, user=user, silent=rnd.silent)
        return {rl.league_id for rl in rnd.leagues if _public_state(rnd, rl) != before[rl.league_id]}
    audit(rnd.tournament_id, "round_released", rnd, user=user, league_id=league_id, state=state,
          draw=all(v["draw"] for v in state.values()), motion=all(v["motion"] for v in state.values()),
          results=all(v["results"] for v in state.values()), silent=rnd.silent)
    return {rl.league_id for rl in rnd.leagues if _public_state(rnd, rl) != before[rl.league_id]}


def _public_state(rnd, rl):
    """What spectators of the league see of the round: its draw, its motion (with its release
    time: the countdown) once its draw is out, its results (not while the round is silent: they
    count in public standings even before the draw is out)."""
    return (bool(rl.draw_released), rl.motion_released_at if rl.draw_released else None,
            bool(rl.results_released) and not rnd.silent)


# ----- the next step on the round page -----

NEXT_STEPS = ("draw", "check", "release", "motions", "ballots", "confirm", "results", "done")


def next_step(rnd, warnings=None) -> dict:
    """Where the round stands in draw → check → release → motions → ballots → confirm → results,
    read from its state (release flags per league on RoundLeague): {"step", "leagues" (names of
    the leagues the step is about), "count", "total"}. warnings: the round's warnings by debate,
    if already computed (a draw with warnings or unfilled panels is at "check")."""
    debates = list(rnd.debates)
    names = {rl.league_id: rl.league.name for rl in rnd.leagues}

    def step(code, league_ids=(), count=0, total=0):
        return {"step": code, "leagues": [names[lid] for lid in names if lid in set(league_ids)],
                "count": count, "total": total, "index": NEXT_STEPS.index(code)}

    if not debates:
        return step("draw")
    unreleased = [rl.league_id for rl in rnd.leagues if not rl.draw_released]
    if unreleased:
        attention = set(warnings or {}) | {u["debate_id"] for u in unfilled_of(rnd)}
        if attention:
            return step("check", unreleased, len(attention))
        return step("release", unreleased)
    no_motion = [rl.league_id for rl in rnd.leagues if not rl.motion_released]
    if no_motion:
        return step("motions", no_motion)
    open_ = [d for d in debates if d.confirmed_at is None]
    if open_:
        with_ballots = set(db.session.scalars(select(Ballot.debate_id).where(
            Ballot.debate_id.in_([d.id for d in open_]), Ballot.status != "superseded")))
        waiting = [d for d in open_ if d.id not in with_ballots]
        if waiting:
            return step("ballots", {d.league_id for d in waiting}, len(debates) - len(waiting), len(debates))
        return step("confirm", {d.league_id for d in open_}, len(debates) - len(open_), len(debates))
    unpublished = [rl.league_id for rl in rnd.leagues if not rl.results_released]
    if unpublished and not rnd.silent:
        return step("results", unpublished)
    return step("done")
