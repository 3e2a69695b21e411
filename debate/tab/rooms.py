"""Room assignment for one round (all leagues share the building).

Pure Python + numpy/scipy; no web-layer imports.

Locked rooms are kept first.  The rest is one ``linear_sum_assignment`` over debates x free
rooms.  A debate that needs step-free access may only get an accessible room (other pairs cost
``big`` and are rejected afterwards).  Valid pairs cost ``-reward + soft``: the reward for
placing a debate (``B``, plus a little for needing access and for importance, so that when
rooms are short the debates left without one are the least important ones that don't need
access) is large enough that as many debates as possible get a room; the soft part prefers
higher-priority rooms for more important debates (sorted targets, as in allocation.py) and
charges a debate that does not need access a small fee for taking an accessible room.

Returns ``({debate_id: room_id}, [(debate_id, reason)])``.  Reasons for debates without a
room: ``"not_enough_rooms"``, ``"no_accessible_room"``.  Notes for debates that did get a
room: ``"locked_room_taken"`` (two debates locked to one room: the first keeps it, the other
was given a free room), ``"locked_room_unknown"`` (locked to a room not in the list; kept),
``"locked_room_not_accessible"`` (needs access but locked to an inaccessible room; kept).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

W_PRIORITY = 1.0
W_WASTE_ACCESSIBLE = 0.1


@dataclass(frozen=True)
class RoomInfo:
    id: int
    accessible: bool = False
    priority: int = 0


@dataclass(frozen=True)
class RoomNeed:
    debate_id: int
    needs_accessible: bool = False
    importance: float = 0.0
    locked_room: int | None = None


def assign_rooms(needs: list, rooms: list) -> tuple:
    needs = list(needs)
    room_by_id = {}
    for r in rooms:
        room_by_id.setdefault(r.id, r)
    result, notes = {}, []
    taken = set()
    todo = []
    for n in needs:
        if n.locked_room is not None:
            if n.locked_room in taken:
                notes.append((n.debate_id, "locked_room_taken"))
                todo.append(n)
                continue
            taken.add(n.locked_room)
            result[n.debate_id] = n.locked_room
            room = room_by_id.get(n.locked_room)
            if room is None:
                notes.append((n.debate_id, "locked_room_unknown"))
            elif n.needs_accessible and not room.accessible:
                notes.append((n.debate_id, "locked_room_not_accessible"))
        else:
            todo.append(n)

    free = [r for r in room_by_id.values() if r.id not in taken]
    if todo and free:
        D, R = len(todo), len(free)
        imp = np.array([float(n.importance) for n in todo])
        imp_n = (imp - imp.min()) / (imp.max() - imp.min()) if imp.max() > imp.min() else np.zeros(D)
        need = np.array([n.needs_accessible for n in todo])
        acc = np.array([r.accessible for r in free])
        prio = np.array([float(r.priority) for r in free])
        # targets: the k-th most important debate should get the k-th best room
        order = np.lexsort((np.arange(D), -imp_n))
        ranked = np.sort(prio)[::-1]
        target = np.empty(D)
        target[order] = ranked[np.minimum(np.arange(D), R - 1)]
        pspan = max(float(prio.max() - prio.min()), 1.0)
        soft = W_PRIORITY * (1.0 + imp_n)[:, None] * ((prio[None, :] - target[:, None]) / pspan) ** 2
        soft += W_WASTE_ACCESSIBLE * ((~need)[:, None] & acc[None, :])
        span = float(soft.max()) + 1.0
        bonus = 2.0 * span * (need + imp_n)
        B = 2.0 * (min(D, R) + 1) * 4.0 * span + 1.0
        cost = soft - (B + bonus)[:, None]
        ok = ~(need[:, None] & ~acc[None, :])
        cost[~ok] = 0.0
        rows, cols = linear_sum_assignment(cost)
        for i, j in zip(rows.tolist(), cols.tolist()):
            if ok[i, j]:
                result[todo[i].debate_id] = free[j].id
    n_acc_free = sum(1 for r in free if r.accessible)
    for n in todo:
        if n.debate_id not in result:
            if n.needs_accessible and n_acc_free == 0:
                notes.append((n.debate_id, "no_accessible_room"))
            elif n.needs_accessible and len(free) >= len(todo):
                notes.append((n.debate_id, "no_accessible_room"))
            else:
                notes.append((n.debate_id, "not_enough_rooms"))
    return result, notes
