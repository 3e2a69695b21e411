"""Warnings shown beside a draw: what a manual change (or an unavoidable draw) breaks, and a
preview of what a planned move of adjudicators would break, before the director makes it."""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Debate, Round
from ..tab import allocation as alloc
from .rounds import _adj_infos, debate_infos, region_conflict_on


@dataclass
class _Context:
    debates: list
    infos: list
    adj_infos: dict   # id -> AdjInfo
    adjs: dict        # id -> Adjudicator
    met: set          # frozensets of teams that met in earlier rounds
    region_conflict: bool


def _context(rnd) -> _Context:
    t = rnd.tournament
    debates, infos = debate_infos(rnd)
    adj_infos, adjs = _adj_infos(t, rnd)
    met = {frozenset(r) for r in db.session.execute(
        select(Debate.gov_team_id, Debate.opp_team_id).join(Round).where(
            Round.tournament_id == t.id, Round.seq < rnd.seq))}
    return _Context(debates, infos, {a.id: a for a in adj_infos}, adjs, met, region_conflict_on(t))


def current_panels(ctx_or_rnd) -> dict:
    debates = ctx_or_rnd.debates
    return {d.id: [(p.adjudicator_id, p.role) for p in sorted(d.panel, key=lambda p: p.position)]
            for d in debates}


def _warnings(ctx: _Context, panels: dict) -> dict:
    out, seen_adj = {}, set()
    for d, info in zip(ctx.debates, ctx.infos):
        w = []
        if frozenset((d.gov_team_id, d.opp_team_id)) in ctx.met:
            w.append(("rematch", {}))
        if info.team_schools[0] and info.team_schools[0] == info.team_schools[1]:
            w.append(("same_school", {}))
        seats = panels.get(d.id, [])
        for adj_id, _role in seats:
            a = ctx.adj_infos.get(adj_id)
            if a is None:
                continue
            name = ctx.adjs[adj_id].name
            for reason in alloc.conflict_reasons(a, info, ctx.region_conflict):
                w.append(("adj_" + reason, {"name": name}))
            if not a.available:
                w.append(("adj_unavailable", {"name": name}))
            if adj_id in seen_adj:
                w.append(("adj_twice", {"name": name}))
            seen_adj.add(adj_id)
        if len(seats) % 2 == 0 and seats:
            w.append(("even_panel", {"n": len(seats)}))
        if seats and sum(1 for _a, role in seats if role == "chair") != 1:
            w.append(("chair_count", {}))
        step_free = d.gov.needs_access or d.opp.needs_access or any(
            ctx.adjs[a].needs_access for a, _r in seats if a in ctx.adjs)
        if step_free and d.room is not None and not d.room.accessible:
            w.append(("room_not_accessible", {"room": d.room.name}))
        if w:
            out[d.id] = w
    return out


def round_warnings(rnd) -> dict:
    """{debate_id: [(code, params)]} for team, panel and room problems in this round."""
    ctx = _context(rnd)
    return _warnings(ctx, current_panels(ctx))


def moved_panels(panels: dict, adj_id: int, debate_id: int | None, role: str = "panellist",
                 swap_with: int | None = None) -> dict:
    """The round's panels after moving adj_id to debate_id as role (None = off every panel),
    or after exchanging the seats of adj_id and swap_with. Same rules as the panel page's actions."""
    new = {d: list(seats) for d, seats in panels.items()}
    where = {a: (d, r) for d, seats in new.items() for a, r in seats}
    if swap_with is not None:
        a_seat, b_seat = where.get(adj_id), where.get(swap_with)
        for d in new:
            new[d] = [(a, r) for a, r in new[d] if a not in (adj_id, swap_with)]
        if b_seat:
            new[b_seat[0]].append((adj_id, b_seat[1]))
        if a_seat:
            new[a_seat[0]].append((swap_with, a_seat[1]))
        return new
    for d in new:
        new[d] = [(a, r) for a, r in new[d] if a != adj_id]
    if debate_id is not None and debate_id in new:
        if role == "chair":
            new[debate_id] = [(a, "panellist") for a, _r in new[debate_id]]
        new[debate_id].append((adj_id, role))
    return new


def move_preview(rnd, adj_id: int, debate_id: int | None, role: str = "panellist",
                 swap_with: int | None = None) -> list:
    """[(debate, [(code, params, is_new)])] for every debate the planned change touches,
    with the warnings it would have afterwards; is_new marks what the change itself causes."""
    ctx = _context(rnd)
    before_panels = current_panels(ctx)
    after_panels = moved_panels(before_panels, adj_id, debate_id, role, swap_with)
    before, after = _warnings(ctx, before_panels), _warnings(ctx, after_panels)
    touched = [d for d in ctx.debates if before_panels.get(d.id) != after_panels.get(d.id)]
    return [(d, [(code, params, (code, params) not in before.get(d.id, []))
                 for code, params in after.get(d.id, [])]) for d in touched]
