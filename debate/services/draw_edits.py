"""Every manual change of a draw: panel moves (to a debate and role, off every panel, made chair),
seat locks, swaps of two adjudicators, team swaps, side swaps, rooms set by hand or re-assigned.

Each change is first a plan: the round's draw as data (warnings.DrawState) before and after, the
debates it touches and the warnings it leaves. The preview shown while choosing (the round page's
panel preview, the API's `?dry_run=1`) is that plan; the action writes the same plan. So the
preview can never disagree with the action, and the round lock is checked here, once, for all."""
from dataclasses import dataclass

from sqlalchemy import delete

from ..core.extensions import db
from ..models import DebateAdjudicator
from ..tab import rooms as rooms_mod
from .audit import audit
from .errors import Refused
from .round_lock import ensure_unlocked
from .warnings import Context, DrawState, load_context, needs_step_free, state_of, warnings_for

OPS = ("move", "remove", "chair", "lock_seat", "swap_adjudicators", "swap_teams", "swap_sides", "set_room",
       "reassign_rooms")
SIDE_FLAGS = ("coin_toss", "side_forced", "side_choice_pending")


@dataclass
class Plan:
    op: str
    ctx: Context
    before: DrawState
    after: DrawState
    touched: set            # debates whose teams, flags, panel or room change
    warnings_before: dict   # {debate_id: [(code, params)]} for the whole round
    warnings_after: dict
    records: list           # audit entries to write: (action, object, adjudicator_id, details)

    def touched_warnings(self) -> list:
        """[(debate, [(code, params, is_new)])] for every touched debate, with the warnings it
        would have afterwards; is_new marks what the change itself causes."""
        out = []
        for d in self.ctx.debates:
            if d.id in self.touched:
                before = self.warnings_before.get(d.id, [])
                out.append((d, [(code, params, (code, params) not in before)
                                for code, params in self.warnings_after.get(d.id, [])]))
        return out

    def label(self, debate_id) -> str:
        """"Room: Gov / Opp" of a debate as the change leaves it."""
        room = self.ctx.rooms.get(self.after.rooms[debate_id][0])
        gov, opp = (self.ctx.teams[tm].name for tm in self.after.teams[debate_id])
        return f"{room.name + ': ' if room else ''}{gov} / {opp}"

    def changes(self) -> list:
        """What changes, per touched debate, before and after (only the parts that change)."""
        out = []
        for did in sorted(self.touched):
            item = {"debate_id": did, "before": {}, "after": {}}
            for part, view in (("teams", lambda s: {"gov": s.teams[did][0], "opp": s.teams[did][1]}),
                               ("flags", lambda s: list(s.flags[did])),
                               ("panel", lambda s: [{"adjudicator_id": a, "role": r, "locked": lk}
                                                    for a, r, lk in s.panels[did]]),
                               ("room", lambda s: {"room_id": s.rooms[did][0], "locked": s.rooms[did][1]})):
                b, a = view(self.before), view(self.after)
                if b != a:
                    item["before"][part], item["after"][part] = b, a
            out.append(item)
        return out


# ----- reading the request -----

def _int(args, name, required=True):
    value = args.get(name)
    if value is None or value == "":
        if required:
            raise Refused(422, "validation_failed", fields={name: "required"})
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit()
                                                                   and len(value) < 10)):
        raise Refused(422, "validation_failed", fields={name: "not_a_number"})
    return int(value)


def _adjudicator(ctx, args, name="adjudicator_id"):
    adj_id = _int(args, name)
    if adj_id not in ctx.adjs:
        raise Refused(404, "unknown_adjudicator")
    return adj_id


def _debate(ctx, args, name="debate_id"):
    debate_id = _int(args, name)
    if ctx.debate(debate_id) is None:
        raise Refused(404, "unknown_debate")
    return debate_id


def _seat(state, adj_id):
    """(debate_id, index) of the adjudicator's seat in this round, or None."""
    for did, seats in state.panels.items():
        for i, (a, _r, _l) in enumerate(seats):
            if a == adj_id:
                return did, i
    return None


def _seated(state, adj_id):
    seat = _seat(state, adj_id)
    if seat is None:
        raise Refused(409, "not_seated")
    return seat


# ----- the changes, on data -----

def _seat_adjudicator(state, adj_id, debate_id, role):
    """Off their seat (if any), onto debate_id as role; a new chair makes the old one a panellist.
    The new seat is locked, so re-allocating keeps it."""
    for did in state.panels:
        state.panels[did] = [s for s in state.panels[did] if s[0] != adj_id]
    if debate_id is None:
        return
    if role == "chair":
        demoted = [(a, "panellist", lk) for a, _r, lk in state.panels[debate_id]]
        state.panels[debate_id] = [(adj_id, "chair", True)] + demoted
    else:
        state.panels[debate_id].append((adj_id, "panellist", True))


def _move(ctx, state, args):
    adj_id = _adjudicator(ctx, args)
    debate_id = _debate(ctx, args)
    role = args.get("role") or "panellist"
    if role not in ("chair", "panellist"):
        raise Refused(422, "validation_failed", fields={"role": "choice"})
    _seat_adjudicator(state, adj_id, debate_id, role)
    return [("panel_move", "round", adj_id, {"debate_id": debate_id, "role": role})]


def _remove(ctx, state, args):
    adj_id = _adjudicator(ctx, args)
    did, _i = _seated(state, adj_id)
    _seat_adjudicator(state, adj_id, None, None)
    return [("panel_remove", "round", adj_id, {"debate_id": did})]


def _chair(ctx, state, args):
    adj_id = _adjudicator(ctx, args)
    did, _i = _seated(state, adj_id)
    _seat_adjudicator(state, adj_id, did, "chair")
    return [("panel_chair", "round", adj_id, {"debate_id": did})]


def _lock_seat(ctx, state, args):
    """Lock or unlock a seat (kept or not on re-allocation); without "locked", toggle it."""
    adj_id = _adjudicator(ctx, args)
    did, i = _seated(state, adj_id)
    locked = args.get("locked")
    if locked is not None and not isinstance(locked, bool):
        raise Refused(422, "validation_failed", fields={"locked": "not_a_bool"})
    a, role, was = state.panels[did][i]
    state.panels[did][i] = (a, role, (not was) if locked is None else locked)
    return [("panel_lock", "round", adj_id, {"debate_id": did, "locked": state.panels[did][i][2]})]


def _swap_adjudicators(ctx, state, args):
    """Exchange the seats (debate, role and place) of two adjudicators; both seats end up locked."""
    adj_id = _adjudicator(ctx, args)
    other = _int(args, "swap_with")
    if other not in ctx.adjs or other == adj_id:
        raise Refused(409, "same_adjudicator")
    a, b = _seat(state, adj_id), _seat(state, other)
    if a is None and b is None:
        raise Refused(409, "neither_seated")
    for seat, newcomer in ((a, other), (b, adj_id)):
        if seat is not None:
            did, i = seat
            state.panels[did][i] = (newcomer, state.panels[did][i][1], True)
    return [("panel_swap", "round", adj_id, {"swap_with": other})]


def _add_flag(state, did, flag, drop=()):
    flags = [f for f in state.flags[did] if f not in drop and f != flag]
    state.flags[did] = tuple(flags + [flag])


def _swap_teams(ctx, state, args):
    """Exchange two teams between debates of the same league (or within one debate)."""
    a, b = _int(args, "team_a"), _int(args, "team_b")
    if a == b:
        raise Refused(409, "same_team")
    slots = {tm: (did, side) for did, pair in state.teams.items() for side, tm in enumerate(pair)}
    if a not in slots or b not in slots or ctx.debate(slots[a][0]).league_id != ctx.debate(slots[b][0]).league_id:
        raise Refused(409, "teams_not_in_draw")
    for team, (did, side) in ((b, slots[a]), (a, slots[b])):
        pair = list(state.teams[did])
        pair[side] = team
        state.teams[did] = tuple(pair)
    for did in {slots[a][0], slots[b][0]}:
        _add_flag(state, did, "teams_manual")
    return [("teams_swapped", "round", None, {"team_a": a, "team_b": b})]


def _swap_sides(ctx, state, args):
    did = _debate(ctx, args)
    gov, opp = state.teams[did]
    state.teams[did] = (opp, gov)
    _add_flag(state, did, "sides_manual", drop=SIDE_FLAGS)
    return [("sides_swapped", ("debate", did), None, {})]


def _set_room(ctx, state, args):
    """Put a debate in a room by hand (kept on re-assignment). A room already used in this
    round is exchanged with the debate that had it."""
    did = _debate(ctx, args)
    room_id = _int(args, "room_id")
    if room_id not in ctx.rooms:
        raise Refused(404, "unknown_room")
    other = next((o for o, (r, _l) in state.rooms.items() if r == room_id and o != did), None)
    if other is not None:
        mine = state.rooms[did][0]
        state.rooms[other] = (mine, mine is not None and state.rooms[other][1])
    state.rooms[did] = (room_id, True)
    return [("room_set", ("debate", did), None, {"room_id": room_id, "exchanged_with": other})]


def _reassign_rooms(ctx, state, args):
    """Re-run the room assignment for the current panels; rooms set by hand are kept."""
    needs = [rooms_mod.RoomNeed(debate_id=d.id, needs_accessible=needs_step_free(ctx, state, d.id),
                                importance=d.importance,
                                locked_room=state.rooms[d.id][0] if state.rooms[d.id][1] else None)
             for d in ctx.debates]
    rooms = [rooms_mod.RoomInfo(id=r.id, accessible=r.accessible, priority=r.priority)
             for r in ctx.rooms.values() if r.available]
    assigned, _problems = rooms_mod.assign_rooms(needs, rooms)
    for d in ctx.debates:
        state.rooms[d.id] = (assigned.get(d.id), state.rooms[d.id][1])
    return [("rooms_assigned", "round", None, {})]


_PLANNERS = {"move": _move, "remove": _remove, "chair": _chair, "lock_seat": _lock_seat,
             "swap_adjudicators": _swap_adjudicators, "swap_teams": _swap_teams, "swap_sides": _swap_sides,
             "set_room": _set_room, "reassign_rooms": _reassign_rooms}


# ----- preview and action -----

def preview(rnd, args: dict) -> Plan:
    """The plan of one change: {"op": one of OPS, ...its arguments}. Stores nothing."""
    ensure_unlocked(rnd)
    if not isinstance(args, dict) or args.get("op") not in _PLANNERS:
        raise Refused(422, "validation_failed", fields={"op": "choice"})
    ctx = load_context(rnd)
    if not ctx.debates:
        raise Refused(409, "no_draw")
    before = state_of(ctx)
    after = before.copy()
    records = _PLANNERS[args["op"]](ctx, after, args)
    return Plan(args["op"], ctx, before, after, before.changed(after), warnings_for(ctx, before),
                warnings_for(ctx, after), records)


def apply(rnd, args: dict, user=None) -> Plan:
    """Make the change its preview shows, and audit it."""
    plan = preview(rnd, args)
    by_id = {d.id: d for d in plan.ctx.debates}
    reseated = [did for did in plan.touched if plan.before.panels[did] != plan.after.panels[did]]
    if reseated:
        # Delete, then insert: moving rows in place trips the one-seat-per-round constraint.
        db.session.execute(delete(DebateAdjudicator).where(DebateAdjudicator.debate_id.in_(reseated)))
        db.session.flush()
        for did in reseated:
            db.session.add_all(DebateAdjudicator(round_id=rnd.id, debate_id=did, adjudicator_id=a, role=role,
                                                 position=pos, locked=locked)
                               for pos, (a, role, locked) in enumerate(plan.after.panels[did]))
    for did in plan.touched:
        d = by_id[did]
        d.gov_team_id, d.opp_team_id = plan.after.teams[did]
        d.flags = list(plan.after.flags[did])
        d.room_id, d.room_locked = plan.after.rooms[did]
    for action, obj, adj_id, details in plan.records:
        target = rnd if obj == "round" else by_id[obj[1]]
        audit(rnd.tournament_id, action, target, user=user, adjudicator_id=adj_id, **details)
    db.session.flush()
    for d in plan.ctx.debates:
        db.session.expire(d)
    return plan

