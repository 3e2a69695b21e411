"""Who takes part in a round, and who replaces an adjudicator who leaves.

Pure Python (no Flask, no database): services/attendance.py loads and stores.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import allocation as alloc


def taking_part(eligible: dict, marks: dict) -> set:
    """The ids that take part in a round. eligible: {id: active (a team) or available (an
    adjudicator)}; marks: {id: present} set for the round at the desk. A withdrawn person never
    takes part; everyone else does unless marked absent."""
    return {i for i, ok in eligible.items() if ok and marks.get(i, True)}


@dataclass(frozen=True)
class Replacement:
    debate_id: int
    leaving: tuple      # adjudicator ids who leave this debate
    kept: tuple         # (adj_id, role) of those who stay, as the new panel has them
    added: tuple        # (adj_id, role) of the replacements


def replacements(debates: list, panels: dict, adjs: list, leaving: set, panel_size: int,
                 region_conflict: bool = True, seed: int = 0) -> list:
    """Replacements for the adjudicators in `leaving`, by the allocation's own rules.

    debates: alloc.DebateInfo of the round's debates; panels: {debate_id: [(adj_id, role)]}, the
    panels as they stand; adjs: alloc.AdjInfo of everyone (their `available` = takes part in
    the round). Only the debates that lose someone change: those who stay keep their seats
    (locked), and the open seats are filled from the adjudicators who take part, are not
    leaving and sit on no panel of the round. Returns one Replacement per debate that loses
    someone (added may be shorter than what left when nobody valid is free)."""
    seated = {a for panel in panels.values() for a, _r in panel}
    affected = [d for d in debates if any(a in leaving for a, _r in panels.get(d.id, ()))]
    if not affected:
        return []
    pool = [replace(a, available=a.available and a.id not in leaving and a.id not in seated) for a in adjs]
    infos = [replace(d, locked=tuple((a, r) for a, r in panels[d.id] if a not in leaving)) for d in affected]
    # Those who stay are locked where they sit (the allocation keeps locked seats whatever the
    # person's state); the pool marks everyone seated, leaving or absent as not available.
    result = alloc.allocate(infos, pool, panel_size=panel_size, region_conflict=region_conflict, seed=seed)
    out = []
    for d in infos:
        kept_ids = {a for a, _r in d.locked}
        panel = result.panels.get(d.id, [])
        out.append(Replacement(debate_id=d.id,
                               leaving=tuple(a for a, _r in panels[d.id] if a in leaving),
                               kept=tuple((a, r) for a, r in panel if a in kept_ids),
                               added=tuple((a, r) for a, r in panel if a not in kept_ids)))
    return out
