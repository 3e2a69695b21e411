"""Warnings shown beside a draw: what a manual change (or an unavoidable draw) breaks."""
from sqlalchemy import select

from ..extensions import db
from ..models import Debate, Round
from ..tab import allocation as alloc
from .rounds import _adj_infos, debate_infos, region_conflict_on


def round_warnings(rnd) -> dict:
    """{debate_id: [(code, params)]} for team and panel problems in this round."""
    t = rnd.tournament
    debates, infos = debate_infos(rnd)
    adj_infos, adjs = _adj_infos(t, rnd)
    by_id = {a.id: a for a in adj_infos}
    met = set()
    for g, o in db.session.execute(select(Debate.gov_team_id, Debate.opp_team_id).join(Round).where(
            Round.tournament_id == t.id, Round.seq < rnd.seq)):
        met.add(frozenset((g, o)))
    out = {}
    seen_adj = {}
    for d, info in zip(debates, infos):
        w = []
        if frozenset((d.gov_team_id, d.opp_team_id)) in met:
            w.append(("rematch", {}))
        if info.team_schools[0] and info.team_schools[0] == info.team_schools[1]:
            w.append(("same_school", {}))
        for p in d.panel:
            a = by_id.get(p.adjudicator_id)
            if a is None:
                continue
            for reason in alloc.conflict_reasons(a, info, region_conflict_on(t)):
                w.append(("adj_" + reason, {"name": adjs[a.id].name}))
            if p.adjudicator_id in seen_adj:
                w.append(("adj_twice", {"name": adjs[a.id].name}))
            seen_adj[p.adjudicator_id] = d.id
        size = len(d.panel)
        if size % 2 == 0:
            w.append(("even_panel", {"n": size}))
        if size and sum(1 for p in d.panel if p.role == "chair") != 1:
            w.append(("chair_count", {}))
        if w:
            out[d.id] = w
    return out
