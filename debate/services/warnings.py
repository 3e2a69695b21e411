"""Warnings shown beside a draw: what a manual change (or an unavoidable draw) breaks.

They are computed from a DrawState — a round's teams, panels and rooms as plain data — so the
same rules judge the stored draw (round_warnings) and a planned change before it is made
(services/draw_edits.py: the preview and the action share one plan)."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..models import Debate, Room, Round, Team
from ..models.participants import normalise_name
from ..tab import allocation as alloc
from .rounds import _adj_infos, region_conflict_on


@dataclass
class DrawState:
    """A round's draw as data: everything a manual change reads and writes, per debate id."""
    teams: dict = field(default_factory=dict)   # debate -> (gov_team_id, opp_team_id)
    flags: dict = field(default_factory=dict)   # debate -> tuple of flags
    panels: dict = field(default_factory=dict)  # debate -> [(adjudicator_id, role, locked)] in seat order
    rooms: dict = field(default_factory=dict)   # debate -> (room_id, room_locked)

    def copy(self) -> "DrawState":
        return DrawState(dict(self.teams), dict(self.flags), {d: list(s) for d, s in self.panels.items()},
                         dict(self.rooms))

    def changed(self, other: "DrawState") -> set:
        return {d for d in self.teams if (self.teams[d], self.flags[d], self.panels[d], self.rooms[d])
                != (other.teams[d], other.flags[d], other.panels[d], other.rooms[d])}


@dataclass
class Context:
    """What the rules read besides the state: the round's debates and the tournament's people."""
    debates: list      # Debate rows, by id
    teams: dict        # id -> Team (with school) of every team in the draw
    adj_infos: dict    # id -> AdjInfo
    adjs: dict         # id -> Adjudicator
    rooms: dict        # id -> Room of the tournament
    met: set           # frozensets of teams that met in earlier rounds
    region_conflict: bool

    def debate(self, debate_id):
        return next((d for d in self.debates if d.id == debate_id), None)


def load_context(rnd) -> Context:
    t = rnd.tournament
    debates = db.session.scalars(select(Debate).where(Debate.round_id == rnd.id).order_by(Debate.id).options(
        selectinload(Debate.gov).selectinload(Team.school), selectinload(Debate.opp).selectinload(Team.school),
        selectinload(Debate.league), selectinload(Debate.room), selectinload(Debate.panel))).all()
    teams = {tm.id: tm for d in debates for tm in (d.gov, d.opp)}
    adj_infos, adjs = _adj_infos(t, rnd)
    rooms = {r.id: r for r in db.session.scalars(select(Room).where(Room.tournament_id == t.id).order_by(Room.id))}
    met = {frozenset(r) for r in db.session.execute(
        select(Debate.gov_team_id, Debate.opp_team_id).join(Round).where(
            Round.tournament_id == t.id, Round.seq < rnd.seq))}
    return Context(debates, teams, {a.id: a for a in adj_infos}, adjs, rooms, met, region_conflict_on(t))


def state_of(ctx: Context) -> DrawState:
    s = DrawState()
    for d in ctx.debates:
        s.teams[d.id] = (d.gov_team_id, d.opp_team_id)
        s.flags[d.id] = tuple(d.flags or ())
        s.panels[d.id] = [(p.adjudicator_id, p.role, bool(p.locked)) for p in sorted(d.panel, key=lambda p: p.position)]
        s.rooms[d.id] = (d.room_id, bool(d.room_locked))
    return s


def needs_step_free(ctx: Context, state: DrawState, debate_id: int) -> bool:
    """A team or anyone on the panel needs a step-free room."""
    return any(ctx.teams[tm].needs_access for tm in state.teams[debate_id]) or any(
        ctx.adjs[a].needs_access for a, _r, _l in state.panels[debate_id] if a in ctx.adjs)


def _school(team):
    return normalise_name(team.school.name) if team.school else None


def warnings_for(ctx: Context, state: DrawState) -> dict:
    """{debate_id: [(code, params)]} for team, panel and room problems of the state."""
    out, seen_adj = {}, set()
    for d in ctx.debates:
        w = []
        gov, opp = (ctx.teams[tm] for tm in state.teams[d.id])
        if frozenset((gov.id, opp.id)) in ctx.met:
            w.append(("rematch", {}))
        schools = (_school(gov), _school(opp))
        if schools[0] and schools[0] == schools[1]:
            w.append(("same_school", {}))
        info = alloc.DebateInfo(id=d.id, language=d.league.language, team_ids=(gov.id, opp.id), team_schools=schools,
                                team_regions=tuple(tm.school.region_code if tm.school else None for tm in (gov, opp)),
                                importance=d.importance)
        seats = state.panels[d.id]
        for adj_id, _role, _locked in seats:
            a = ctx.adj_infos.get(adj_id)
            if a is None:
                continue
            name = ctx.adjs[adj_id].name
            for reason in alloc.conflict_reasons(a, info, ctx.region_conflict):
                w.append(("adj_" + reason, {"name": name}))
            if not a.available:
                w.append(("adj_unavailable", {"name": name}))
            if a.excluded:
                w.append(("adj_excluded_" + a.excluded, {"name": name}))
            if adj_id in seen_adj:
                w.append(("adj_twice", {"name": name}))
            seen_adj.add(adj_id)
        if len(seats) % 2 == 0 and seats:
            w.append(("even_panel", {"n": len(seats)}))
        if seats and sum(1 for _a, role, _l in seats if role == "chair") != 1:
            w.append(("chair_count", {}))
        room = ctx.rooms.get(state.rooms[d.id][0])
        if room is not None and not room.accessible and needs_step_free(ctx, state, d.id):
            w.append(("room_not_accessible", {"room": room.name}))
        if w:
            out[d.id] = w
    return out


def round_warnings(rnd) -> dict:
    """{debate_id: [(code, params)]} for team, panel and room problems in this round."""
    ctx = load_context(rnd)
    return warnings_for(ctx, state_of(ctx))
