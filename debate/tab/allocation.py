"""Adjudicator allocation for one round across all leagues.

Pure Python + numpy/scipy; no web-layer imports.

The whole round (every league at once, since the leagues share one pool of adjudicators) is
one assignment problem, solved in two exact steps:

1. *Which seats are filled.*  Every debate has ``panel_size - len(locked)`` open seats, each
   with a *level* (0 = first member, 1 = second, ...; locked members take the lowest levels).
   The sets of seats that can be filled together (each by a different adjudicator who breaks
   no hard rule) form a transversal matroid, so the greedy in the order (level, importance)
   with augmenting paths gives the lexicographically best set: as many debates as possible
   get a first member (a chair), then as many as possible a second one, and so on; among
   equals the more important debates win.  A round where every debate can get a full valid
   panel therefore always gets one; short panels only ever happen when no assignment could
   avoid them.
2. *Who sits where.*  ``scipy.optimize.linear_sum_assignment`` on the chosen seats x the
   available, unlocked adjudicators.  A pair that breaks a hard rule costs ``big`` (more than
   any alternating path could save, so since step 1 proved a valid assignment exists none is
   chosen; any that were would be rejected and reported).  A valid pair costs the soft cost:
   ``(1 + 2*importance) * (2 for a chair seat) * (rating - target)^2`` where the seats, ranked
   chair seats first then by importance, get the adjudicators' ratings in descending order as
   targets (strongest chairs on the most important debates, stronger panels there, the
   weakest sit out when there is a surplus); ``+1`` per team of the debate the adjudicator
   has judged before; ``+0.3`` per team from the adjudicator's region when the region rule is
   off; adjudicators who judged more rounds count as slightly weaker (spread load); a tiny
   seeded noise breaks ties.

Chairs: a locked chair stays chair; otherwise the highest-rated member who is not a locked
panellist chairs (the solver puts the strongest people into the level-0 seat of the most
important debates because that seat carries twice the rating weight).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

CHAIR = "chair"
PANELLIST = "panellist"

# Soft-cost weights (all soft costs are >= 0; lower is better).
W_STRENGTH = 1.0        # (1 + 2*importance) * (rating - target)^2, doubled for the chair seat
W_SEEN = 1.0            # per team of the debate the adjudicator has judged before
W_LOAD = 0.05           # rating/10 discount per round judged above the least-used (capped)
LOAD_CAP = 5
W_SAME_REGION = 0.3     # per team from the adjudicator's region, when region_conflict=False
JITTER = 1e-3           # seeded tie-breaking noise
# Penalties used only in the reported Allocation.cost for empty seats.
EMPTY_CHAIR_SEAT = 100.0
EMPTY_SEAT = 10.0


@dataclass(frozen=True)
class AdjInfo:
    id: int
    languages: frozenset
    rating: float
    school: str | None = None
    region: str | None = None
    coached_team_ids: frozenset = frozenset()
    conflict_team_ids: frozenset = frozenset()
    # Teams this adjudicator judged at an earlier stage of the season (republican-stage rule).
    earlier_team_ids: frozenset = frozenset()
    conflict_schools: frozenset = frozenset()
    seen_team_ids: frozenset = frozenset()
    rounds_judged: int = 0
    available: bool = True
    # Kept off the jury of the whole tournament (Order No. 99: a teacher whose pupils compete, a
    # juror of an earlier stage): the reason code, or None. Never allocated, like unavailable.
    excluded: str | None = None


@dataclass(frozen=True)
class DebateInfo:
    id: int
    language: str
    team_ids: tuple
    team_schools: tuple
    team_regions: tuple
    importance: float = 0.0
    locked: tuple = ()


@dataclass
class Allocation:
    panels: dict
    unfilled: list
    cost: float
    # (debate_id, code, detail) notes about locks the director set that break a rule etc.
    warnings: list = field(default_factory=list)


def conflict_reasons(adj: AdjInfo, debate: DebateInfo, region_conflict: bool = True) -> list:
    """Hard-rule violations of ``adj`` judging ``debate``; empty list = may judge."""
    reasons = []
    if debate.language not in adj.languages:
        reasons.append("language")
    schools = {s for s in debate.team_schools if s is not None}
    teams = set(debate.team_ids)
    if adj.school is not None and adj.school in schools:
        reasons.append("own_school")
    if teams & set(adj.coached_team_ids):
        reasons.append("coached_team")
    if teams & set(adj.conflict_team_ids):
        reasons.append("team_conflict")
    if teams & set(adj.earlier_team_ids):
        reasons.append("earlier_stage")
    if schools & set(adj.conflict_schools):
        reasons.append("school_conflict")
    if region_conflict and adj.region is not None and adj.region in set(debate.team_regions):
        reasons.append("own_region")
    return reasons


# --------------------------------------------------------------------------- internals


@dataclass
class _Problem:
    """The assignment problem built for one call (also used by bench/allocation.py)."""
    cost: np.ndarray          # seats x pool, float64: soft cost, or big where invalid
    feasible: np.ndarray      # seats x pool, bool
    seat_debate: np.ndarray   # seat -> debate index
    seat_level: np.ndarray    # seat -> level
    seat_chair: np.ndarray    # seat -> bool (carries the chair weight)
    pool: list                # column -> index into adjs
    deb_feasible: np.ndarray  # debates x pool, bool
    deb_lang: np.ndarray      # debates x pool, bool (language only)
    members: list             # per debate: list of (adj_id, role) locked entries, cleaned
    warnings: list


def _codes(values, table):
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if v is None:
            out[i] = -1
        else:
            out[i] = table.setdefault(v, len(table))
    return out


def _build(debates, adjs, panel_size, region_conflict, seed) -> _Problem:
    if panel_size < 1 or panel_size % 2 == 0:
        raise ValueError("panel_size must be a positive odd number")
    by_id = {}
    for a in adjs:
        by_id.setdefault(a.id, a)
    warnings = []

    # ---- locks: kept as they are, removed from the pool, checked for rule breaks
    locked_where = {}
    members = []
    for d in debates:
        seen_here = set()
        entries = []
        for adj_id, role in d.locked:
            if adj_id in seen_here:
                continue
            seen_here.add(adj_id)
            role = CHAIR if role == CHAIR else PANELLIST
            entries.append([adj_id, role])
            locked_where.setdefault(adj_id, []).append(d.id)
            a = by_id.get(adj_id)
            if a is None:
                warnings.append((d.id, "locked_unknown_adjudicator", {"adj_id": adj_id}))
                continue
            if not a.available:
                warnings.append((d.id, "locked_unavailable", {"adj_id": adj_id}))
            if a.excluded:
                warnings.append((d.id, "locked_excluded", {"adj_id": adj_id, "reason": a.excluded}))
            why = conflict_reasons(a, d, region_conflict)
            if why:
                warnings.append((d.id, "locked_breaks_rule", {"adj_id": adj_id, "reasons": why}))
        chairs = [e for e in entries if e[1] == CHAIR]
        for extra in chairs[1:]:
            extra[1] = PANELLIST
            warnings.append((d.id, "several_locked_chairs", {"adj_id": extra[0]}))
        if len(entries) > panel_size:
            warnings.append((d.id, "locked_over_panel_size", {"locked": len(entries)}))
        members.append([tuple(e) for e in entries])
    for adj_id, where in locked_where.items():
        if len(where) > 1:
            for did in where:
                warnings.append((did, "locked_in_several_debates", {"adj_id": adj_id, "debates": list(where)}))

    pool_adjs = []
    pool = []
    seen_ids = set()
    for i, a in enumerate(adjs):
        if a.id in seen_ids:
            continue
        seen_ids.add(a.id)
        if a.available and not a.excluded and a.id not in locked_where:
            pool.append(i)
            pool_adjs.append(a)

    D, A = len(debates), len(pool_adjs)

    # ---- hard rules, vectorised over debates x pool
    langs = {}
    lang_mask = np.zeros(A, dtype=np.int64)
    for j, a in enumerate(pool_adjs):
        m = 0
        for l in a.languages:
            m |= 1 << langs.setdefault(l, len(langs))
        lang_mask[j] = m
    deb_bit = np.array([1 << langs.setdefault(d.language, len(langs)) for d in debates], dtype=np.int64)
    if len(langs) > 62:
        raise ValueError("too many distinct languages")
    deb_lang = (deb_bit[:, None] & lang_mask[None, :]) != 0
    feas = deb_lang.copy()

    schools, regions = {}, {}
    adj_school = _codes([a.school for a in pool_adjs], schools)
    adj_region = _codes([a.region for a in pool_adjs], regions)
    for t in range(2):
        ds = _codes([d.team_schools[t] if len(d.team_schools) > t else None for d in debates], schools)
        feas &= ~((ds[:, None] == adj_school[None, :]) & (ds[:, None] >= 0))
    rng = np.random.default_rng(seed)
    base = rng.random((D, A))  # seeded tie-breaking noise, scaled below
    base *= JITTER
    for t in range(2):
        dr = _codes([d.team_regions[t] if len(d.team_regions) > t else None for d in debates], regions)
        hit = (dr[:, None] == adj_region[None, :]) & (dr[:, None] >= 0)
        if region_conflict:
            feas &= ~hit
        else:
            base[hit] += W_SAME_REGION

    team_deb, school_deb = {}, {}
    for di, d in enumerate(debates):
        for t in set(d.team_ids):
            team_deb.setdefault(t, []).append(di)
        for s in set(d.team_schools):
            if s is not None:
                school_deb.setdefault(s, []).append(di)
    for j, a in enumerate(pool_adjs):
        for t in a.coached_team_ids | a.conflict_team_ids | a.earlier_team_ids:
            for di in team_deb.get(t, ()):
                feas[di, j] = False
        for s in a.conflict_schools:
            for di in school_deb.get(s, ()):
                feas[di, j] = False
        for t in a.seen_team_ids:
            for di in team_deb.get(t, ()):
                base[di, j] += W_SEEN

    # ---- soft costs
    imp = np.array([float(d.importance) for d in debates], dtype=np.float64)
    if D and imp.max() > imp.min():
        imp_n = (imp - imp.min()) / (imp.max() - imp.min())
    else:
        imp_n = np.zeros(D)
    rating = np.clip(np.array([float(a.rating) for a in pool_adjs], dtype=np.float64) / 10.0, 0.0, 1.0)
    rj = np.array([a.rounds_judged for a in pool_adjs], dtype=np.float64)
    # Load: someone who has judged more rounds than the least-used adjudicator counts as a
    # little weaker when seats are matched to ratings, so with a surplus they sit out first.
    # (A per-adjudicator additive cost would make every seat prefer the same people and
    # slows the solver ~20x.)
    load = np.minimum(rj - (rj.min() if A else 0.0), LOAD_CAP) * W_LOAD
    eff = rating - load

    # ---- seats
    seat_debate, seat_level, seat_chair = [], [], []
    for di, d in enumerate(debates):
        n_locked = len(members[di])
        has_chair = any(r == CHAIR for _, r in members[di])
        if not feas[di].any():
            continue  # no seat of this debate can be filled; reported later
        for k in range(n_locked, panel_size):
            seat_debate.append(di)
            seat_level.append(k)
            seat_chair.append(not has_chair and k == n_locked)
    seat_debate = np.array(seat_debate, dtype=np.int64)
    seat_level = np.array(seat_level, dtype=np.int64)
    seat_chair = np.array(seat_chair, dtype=bool)
    S_all = len(seat_debate)

    # ---- which seats get filled: lexicographic, exact (see _fill_seats)
    prio = np.lexsort((seat_debate, -imp_n[seat_debate], seat_level)) if S_all else np.zeros(0, np.int64)
    keep = _fill_seats(feas[seat_debate] if S_all else np.zeros((0, A), bool), prio)
    seat_debate, seat_level, seat_chair = seat_debate[keep], seat_level[keep], seat_chair[keep]
    S = len(seat_debate)

    # Strength: every chosen seat gets a target rating by ranking the seats (chair seats
    # first, then by importance, then level) against the adjudicators ranked by rating; a seat
    # costs (1 + 2*importance) * (2 for the chair seat) * (rating - target)^2.  The
    # unconstrained optimum is the sorted one (strongest chairs on the most important
    # debates, stronger panels there too, weakest sit out when there is a surplus), and since
    # every seat prefers a different adjudicator the solver stays fast (an importance x rating
    # product makes every row prefer the same columns and is ~20x slower on 1000 debates).
    mult = (1.0 + 2.0 * imp_n[seat_debate]) * np.where(seat_chair, 2.0, 1.0)
    order = np.lexsort((seat_level, -imp_n[seat_debate], ~seat_chair))
    ranked = np.sort(eff)[::-1]
    target = np.zeros(S)
    if A and S:
        target[order] = ranked[np.minimum(np.arange(S), A - 1)]
    f = feas[seat_debate]
    # bound on any soft cost, so `big` exceeds what any alternating path could save
    spread = float(max(eff.max(), target.max()) - min(eff.min(), target.min())) if A and S else 0.0
    qmax = JITTER + 2 * W_SEEN + 2 * W_SAME_REGION + W_STRENGTH * float(mult.max() if S else 0.0) * spread ** 2
    # every chosen seat can be filled, so a cost above any alternating-path gain makes the
    # optimum fill all of them with valid pairs
    big = 2.0 * (min(S, A) + 1) * max(qmax, 1.0) + 1.0
    cost = np.empty((S, A), dtype=np.float64)
    step = 128  # row blocks keep the temporaries in cache
    for lo in range(0, S, step):
        hi = min(lo + step, S)
        blk = np.subtract.outer(target[lo:hi], eff)
        np.square(blk, out=blk)
        blk *= (W_STRENGTH * mult[lo:hi])[:, None]
        blk += base[seat_debate[lo:hi]]
        blk[~f[lo:hi]] = big
        cost[lo:hi] = blk
    return _Problem(cost=cost, feasible=f, seat_debate=seat_debate, seat_level=seat_level,
                    seat_chair=seat_chair, pool=pool, deb_feasible=feas, deb_lang=deb_lang,
                    members=members, warnings=warnings)


def _fill_seats(f: np.ndarray, prio: np.ndarray) -> np.ndarray:
    """Indices of the seats to fill.

    ``f`` is seats x adjudicators (valid pairs).  The sets of seats that can be filled at
    the same time are the independent sets of a transversal matroid, so taking the seats in
    priority order (level first: every debate's first member before anyone's second; then
    importance) and keeping each one that can still be matched -- by an augmenting path if
    needed (Kuhn) -- gives the lexicographically best set: the most chairs, then the most
    second members, ... and among equals the more important debates.  Adjudicators from which
    a search failed can never reach a free adjudicator again (augmenting never frees anyone and
    their matched seats only see other dead ones), so they are skipped for good.
    """
    S, A = f.shape
    match_adj = np.full(A, -1, dtype=np.int64)     # adj -> seat
    match_seat = np.full(S, -1, dtype=np.int64)    # seat -> adj
    free = np.ones(A, dtype=bool)
    dead = np.zeros(A, dtype=bool)
    n_free = A
    for s in prio.tolist():
        if n_free == 0:
            break
        row = f[s]
        direct = np.flatnonzero(row & free)
        if direct.size:
            j = int(direct[0])
            match_adj[j], match_seat[s] = s, j
            free[j] = False
            n_free -= 1
            continue
        # alternating BFS from s over non-dead adjudicators
        parent = np.full(A, -1, dtype=np.int64)
        visited = np.zeros(A, dtype=bool)
        frontier = np.array([s], dtype=np.int64)
        found = -1
        while frontier.size:
            sub = f[frontier] & ~(visited | dead)[None, :]
            reach = sub.any(axis=0)
            new = np.flatnonzero(reach)
            if not new.size:
                break
            parent[new] = frontier[np.argmax(sub[:, new], axis=0)]
            visited[new] = True
            hit = new[free[new]]
            if hit.size:
                found = int(hit[0])
                break
            frontier = match_adj[new]
        if found < 0:
            dead |= visited
            continue
        j = found
        free[j] = False
        n_free -= 1
        while True:
            p = int(parent[j])
            prev = int(match_seat[p])
            match_seat[p], match_adj[j] = j, p
            if p == s:
                break
            j = prev
    return np.flatnonzero(match_seat >= 0)


def _solve(prob: _Problem):
    """Return [(seat, column)] of valid pairs chosen by the assignment solver."""
    if prob.cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(prob.cost)
    ok = prob.feasible[rows, cols]
    return list(zip(rows[ok].tolist(), cols[ok].tolist()))


def allocate(debates: list, adjs: list, panel_size: int = 3, region_conflict: bool = True,
             seed: int = 0) -> Allocation:
    """Allocate adjudicators to every debate of one round (all leagues together)."""
    debates = list(debates)
    adjs = list(adjs)
    prob = _build(debates, adjs, panel_size, region_conflict, seed)
    pairs = _solve(prob)

    by_id = {}
    for a in adjs:
        by_id.setdefault(a.id, a)
    new_members = [[] for _ in debates]   # (adj, from_chair_seat)
    total = 0.0
    for s, c in pairs:
        a = adjs[prob.pool[c]]
        new_members[prob.seat_debate[s]].append((a, bool(prob.seat_chair[s])))
        total += float(prob.cost[s, c])

    panels, unfilled = {}, []
    pool_lang = prob.deb_lang.sum(axis=1) if prob.deb_lang.size else np.zeros(len(debates), int)
    pool_ok = prob.deb_feasible.sum(axis=1) if prob.deb_feasible.size else np.zeros(len(debates), int)
    for di, d in enumerate(debates):
        locked = prob.members[di]
        chair = next((aid for aid, r in locked if r == CHAIR), None)
        if chair is None:
            cands = [(a.rating, fc, -a.id, a.id) for a, fc in new_members[di]]
            if cands:
                chair = max(cands)[3]
            elif locked:
                # only locked panellists: someone has to chair; promote the strongest
                chair = max(locked, key=lambda e: (getattr(by_id.get(e[0]), "rating", -1.0), -e[0]))[0]
                prob.warnings.append((d.id, "locked_panellist_made_chair", {"adj_id": chair}))
        panel = []
        if chair is not None:
            panel.append((chair, CHAIR))
        for aid, _r in locked:
            if aid != chair:
                panel.append((aid, PANELLIST))
        rest = sorted((a for a, _ in new_members[di] if a.id != chair), key=lambda a: (-a.rating, a.id))
        panel.extend((a.id, PANELLIST) for a in rest)
        panels[d.id] = panel

    _make_odd(panels, debates, by_id, prob.members, region_conflict)
    for di, d in enumerate(debates):
        panel, locked = panels[d.id], prob.members[di]
        if len(panel) < panel_size:
            missing = panel_size - len(panel)
            needed = panel_size - len(locked)
            lang_n, ok_n = int(pool_lang[di]), int(pool_ok[di])
            if ok_n >= needed:
                code = "not_enough_adjudicators"   # valid people exist but are needed elsewhere
            elif lang_n >= needed:
                code = "conflicts"
            else:
                code = "no_language_match"
            unfilled.append((d.id, code, {"missing": missing, "filled": len(panel),
                                          "panel_size": panel_size, "language_matched": lang_n,
                                          "eligible": ok_n}))
            total += (EMPTY_CHAIR_SEAT if not panel else 0.0) + EMPTY_SEAT * (missing - (0 if panel else 1))
    return Allocation(panels=panels, unfilled=unfilled, cost=total, warnings=prob.warnings)


def _make_odd(panels: dict, debates: list, by_id: dict, members: list, region_conflict: bool) -> None:
    """A panel decides by majority, so it must be odd. When adjudicators run short the seat
    filling leaves some panels even (2 or 4): move one unlocked panellist from a less important
    even panel to a more important one (both become odd), and free the weakest unlocked
    panellist of an even panel that finds no partner. Hard rules are kept: a move happens only
    to a debate the adjudicator may judge."""
    locked = {d.id: {aid for aid, _r in members[i]} for i, d in enumerate(debates)}
    locked_chairs = {d.id for i, d in enumerate(debates) if any(r == CHAIR for _a, r in members[i])}
    info = {d.id: d for d in debates}
    even = sorted((d.id for d in debates if len(panels[d.id]) % 2 == 0 and panels[d.id]),
                  key=lambda did: (-info[did].importance, did))
    while len(even) >= 2:
        giver = even.pop()  # least important
        movable = [(aid, r) for aid, r in panels[giver] if r == PANELLIST and aid not in locked[giver]]
        moved = False
        for target in even:
            for aid, r in sorted(movable, key=lambda e: -by_id[e[0]].rating):
                if not conflict_reasons(by_id[aid], info[target], region_conflict):
                    panels[giver].remove((aid, r))
                    panels[target].append((aid, PANELLIST))
                    _rechair(panels, target, members_of=info, by_id=by_id, locked_chairs=locked_chairs)
                    even.remove(target)
                    moved = True
                    break
            if moved:
                break
        if not moved:
            _drop_weakest(panels, giver, locked, by_id)
    for did in even:
        _drop_weakest(panels, did, locked, by_id)


def _rechair(panels, did, members_of, by_id, locked_chairs):
    """Keep the strongest member in the chair unless the director locked a chair."""
    if did in locked_chairs:
        return
    panel = panels[did]
    best = max(panel, key=lambda e: (by_id[e[0]].rating, -e[0]))[0]
    panels[did] = [(best, CHAIR)] + [(aid, PANELLIST) for aid, _r in panel if aid != best]


def _drop_weakest(panels, did, locked, by_id):
    movable = [(aid, r) for aid, r in panels[did] if r == PANELLIST and aid not in locked[did]]
    if movable:
        panels[did].remove(min(movable, key=lambda e: (by_id[e[0]].rating, -e[0])))
