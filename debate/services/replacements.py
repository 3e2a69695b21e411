"""The adjudicator who leaves during a drawn round: the debates that lose a panellist, and
replacements from the free adjudicators chosen by the allocation's own rules
(tab/attendance.replacements), applied in one confirmation, audited. Their private pages read
the panels, so the phone links of those moved show the new debate at once."""
from sqlalchemy import select

from ..core.extensions import db
from ..models import Adjudicator, DebateAdjudicator, RoundAttendance
from ..tab import attendance as tab_att
from .audit import audit
from .errors import Refused
from .participants import set_adjudicator_available
from .round_lock import ensure_unlocked
from .rounds import _adj_infos, debate_infos, region_conflict_on


def _leaving(rnd, data) -> set:
    ids = data.get("adjudicators") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not ids or any(isinstance(v, bool) or not isinstance(v, int) for v in ids):
        raise Refused(422, "validation_failed", fields={"adjudicators": "not_a_list_of_ids"})
    known = set(db.session.scalars(select(Adjudicator.id).where(Adjudicator.tournament_id == rnd.tournament_id,
                                                                Adjudicator.id.in_(ids))))
    unknown = [v for v in ids if v not in known]
    if unknown:
        raise Refused(422, "validation_failed",
                      fields={"adjudicators": ("unknown_ids", {"ids": ", ".join(str(v) for v in unknown[:10])})})
    return set(ids)


def plan(rnd, data) -> list:
    """What would change: [{"debate": Debate, "leaving": [Adjudicator], "kept": [(Adjudicator, role)],
    "added": [(Adjudicator, role)]}] for each undecided debate of the round that loses someone."""
    ensure_unlocked(rnd)
    if not rnd.debates:
        raise Refused(409, "no_draw")
    leaving = _leaving(rnd, data)
    t = rnd.tournament
    debates, infos = debate_infos(rnd)
    open_ids = {d.id for d in debates if d.confirmed_at is None}
    panels = {d.id: [(p.adjudicator_id, p.role) for p in d.panel] for d in debates}
    adj_infos, adjs = _adj_infos(t, rnd)
    size = int(t.setting("panel_size") if rnd.kind == "prelim" else t.setting("elimination_panel_size"))
    proposal = tab_att.replacements([i for i in infos if i.id in open_ids], panels, adj_infos, leaving,
                                    panel_size=size, region_conflict=region_conflict_on(t), seed=rnd.id)
    by_id = {d.id: d for d in debates}
    return [{"debate": by_id[r.debate_id], "leaving": [adjs[a] for a in r.leaving],
             "kept": [(adjs[a], role) for a, role in r.kept], "added": [(adjs[a], role) for a, role in r.added]}
            for r in proposal]


def plan_json(changes) -> list:
    return [{"debate_id": c["debate"].id, "league_id": c["debate"].league_id,
             "leaving": [a.id for a in c["leaving"]],
             "panel": [{"adjudicator_id": a.id, "name": a.name, "role": role, "new": False} for a, role in c["kept"]]
             + [{"adjudicator_id": a.id, "name": a.name, "role": role, "new": True} for a, role in c["added"]]}
            for c in changes]


def apply(rnd, data, user=None) -> list:
    """Take the leaving adjudicators off their panels of the round, seat the replacements, and
    mark the leavers absent for the round (withdraw=true: for the rest of the tournament too)."""
    withdraw = data.get("withdraw", False) if isinstance(data, dict) else False
    if not isinstance(withdraw, bool):
        raise Refused(422, "validation_failed", fields={"withdraw": "not_a_bool"})
    changes = plan(rnd, data)
    leaving = _leaving(rnd, data)
    for c in changes:
        d = c["debate"]
        for p in list(d.panel):
            if p.adjudicator_id in leaving:
                db.session.delete(p)
        db.session.flush()
        roles = {a.id: role for a, role in c["kept"] + c["added"]}
        for p in d.panel:
            if p.adjudicator_id in roles:
                p.role = roles[p.adjudicator_id]
        seated = {p.adjudicator_id for p in d.panel}
        for a, role in c["added"]:
            if a.id not in seated:
                db.session.add(DebateAdjudicator(round_id=rnd.id, debate_id=d.id, adjudicator_id=a.id, role=role))
        db.session.flush()
        db.session.expire(d, ["panel"])
        order = {a.id: n for n, (a, _r) in enumerate(c["kept"] + c["added"])}
        for p in d.panel:
            p.position = order.get(p.adjudicator_id, len(order))
    for aid in leaving:
        row = db.session.scalar(select(RoundAttendance).where(RoundAttendance.round_id == rnd.id,
                                                              RoundAttendance.adjudicator_id == aid))
        if row is None:
            db.session.add(RoundAttendance(round_id=rnd.id, adjudicator_id=aid, present=False))
        else:
            row.present = False
        if withdraw:
            set_adjudicator_available(db.session.get(Adjudicator, aid), False, user=user)
    audit(rnd.tournament_id, "adjudicators_replaced", rnd, user=user, leaving=sorted(leaving),
          debates=[{"debate_id": c["debate"].id, "left": [a.id for a in c["leaving"]],
                    "added": [a.id for a, _r in c["added"]]} for c in changes])
    db.session.flush()
    return changes
