"""Who takes part in a round and who replaces an adjudicator who leaves (debate.tab.attendance),
with the draw and the allocation over the people taking part: properties over simulated leagues."""
from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debate.tab.allocation import AdjInfo, DebateInfo, allocate, conflict_reasons
from debate.tab.attendance import replacements, taking_part
from debate.tab.draw import make_draw

from .test_allocation import instances
from .test_draw import check_draw, league, options_st, play


@given(eligible=st.dictionaries(st.integers(1, 50), st.booleans()),
       marks=st.dictionaries(st.integers(1, 60), st.booleans()))
def test_taking_part_is_the_eligible_not_marked_absent(eligible, marks):
    got = taking_part(eligible, marks)
    assert got <= {i for i, ok in eligible.items() if ok}          # never a withdrawn person
    assert not any(marks.get(i) is False for i in got)              # never one marked absent
    assert {i for i, ok in eligible.items() if ok and marks.get(i, True)} <= got  # default: present


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 40), seed=st.integers(0, 10**6), options=options_st, rounds=st.integers(1, 5))
def test_draw_with_absences_and_withdrawals(n, seed, options, rounds):
    """Each round some teams are absent and some withdraw for good: the draw holds exactly the
    teams taking part, and an odd count gives the bye by the usual rule among them."""
    rng = random.Random(seed)
    teams = league(n, rng)
    active = {t.id: True for t in teams}
    for r in range(1, rounds + 1):
        for t in teams:
            if active[t.id] and rng.random() < 0.05:
                active[t.id] = False                                 # withdrawn for the rest
        marks = {t.id: rng.random() > 0.15 for t in teams}           # absent for this round only
        present = taking_part(active, marks)
        playing = [t for t in teams if t.id in present]
        if len(playing) < 2:
            continue
        d = make_draw(playing, r, seed * 31 + r, options)
        check_draw(playing, d, r)                                   # every one of them exactly once
        drawn = {x for p in d.debates for x in (p.gov, p.opp)} | ({d.bye} if d.bye is not None else set())
        assert drawn == present                                     # nobody outside the list
        assert not any(active[x] is False or marks[x] is False for x in drawn)
        if d.bye is not None:
            cands = [t for t in playing if not t.had_bye] or playing
            if r > 1:   # the lowest-ranked team taking part without a bye
                lowest = sorted(cands, key=lambda t: (-t.wins, -t.points, t.id))[-1]
                assert d.bye == lowest.id
            else:
                assert d.bye in {t.id for t in cands}
        after = {t.id: t for t in play(playing, d, rng)}
        teams = [after.get(t.id, t) for t in teams]                  # absent teams keep their record


@st.composite
def drawn_rounds(draw):
    debates, adjs = draw(instances(max_debates=5, max_adjs=18))
    panels = {}
    if debates:
        a = allocate(debates, adjs, panel_size=draw(st.sampled_from([1, 3])), seed=draw(st.integers(0, 99)))
        panels = a.panels
    seated = sorted({x for p in panels.values() for x, _r in p})
    leaving = set(draw(st.lists(st.sampled_from(seated), max_size=3))) if seated else set()
    return debates, adjs, panels, leaving


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=drawn_rounds(), panel_size=st.sampled_from([1, 3]), region=st.booleans())
def test_replacements_follow_the_allocation_rules(case, panel_size, region):
    debates, adjs, panels, leaving = case
    out = replacements(debates, panels, adjs, leaving, panel_size=panel_size, region_conflict=region, seed=1)
    by_id = {a.id: a for a in adjs}
    info = {d.id: d for d in debates}
    seated = {x for p in panels.values() for x, _r in p}
    # exactly the debates that lose someone
    assert {r.debate_id for r in out} == {did for did, p in panels.items() if any(x in leaving for x, _r in p)}
    used = []
    for r in out:
        before = panels[r.debate_id]
        assert set(r.leaving) == {x for x, _r in before if x in leaving}
        assert {x for x, _r in r.kept} == {x for x, _r in before if x not in leaving}   # the others stay
        new = [x for x, _r in r.added]
        used += new
        for x in new:
            a = by_id[x]
            assert x not in leaving and x not in seated and a.available and not a.excluded
            assert not conflict_reasons(a, info[r.debate_id], region)
        panel = list(r.kept) + list(r.added)
        assert sum(1 for _x, role in panel if role == "chair") == (1 if panel else 0)
        assert len(r.added) <= max(0, panel_size - len(r.kept))
    assert len(used) == len(set(used))                               # nobody in two debates


def test_a_chair_who_leaves_is_replaced_by_a_free_adjudicator_who_may_judge():
    d = DebateInfo(id=1, language="kk", team_ids=(1, 2), team_schools=("a", "b"), team_regions=(None, None))
    adjs = [AdjInfo(id=10, languages=frozenset({"kk"}), rating=9), AdjInfo(id=11, languages=frozenset({"kk"}), rating=5),
            AdjInfo(id=12, languages=frozenset({"kk"}), rating=6),
            AdjInfo(id=13, languages=frozenset({"ru"}), rating=10),                 # wrong language
            AdjInfo(id=14, languages=frozenset({"kk"}), rating=10, school="a"),     # own school
            AdjInfo(id=15, languages=frozenset({"kk"}), rating=8),
            AdjInfo(id=16, languages=frozenset({"kk"}), rating=10, available=False)]  # absent
    panels = {1: [(10, "chair"), (11, "panellist"), (12, "panellist")]}
    [r] = replacements([d], panels, adjs, {10}, panel_size=3)
    assert r.added == ((15, "chair"),) and {x for x, _r in r.kept} == {11, 12}
    assert replacements([d], panels, adjs, set(), panel_size=3) == []
    # nobody free who may judge: the panel is only the ones who stay (kept odd by the allocation)
    [r] = replacements([d], panels, [replace(a, available=False) if a.id == 15 else a for a in adjs], {10},
                       panel_size=3)
    assert r.added == () and len(r.kept) in (1, 2)
